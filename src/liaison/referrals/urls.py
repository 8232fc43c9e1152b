from django.urls import path

from liaison.referrals import views

app_name = "referrals"
urlpatterns = [
    path("episodes/<int:pk>/referrals/new", views.referral_new, name="referral_new"),
    path("service-referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("service-referrals/<int:pk>/move", views.referral_move_view, name="referral_move"),
    path("service-referrals/<int:pk>/consent", views.referral_consent_view, name="referral_consent"),
    path("service-referrals/<int:pk>/appointments/new", views.appointment_new, name="appointment_new"),
    path(
        "appointments/<int:pk>/attendance", views.appointment_attendance_view, name="appointment_attendance"
    ),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/feed", views.calendar_feed_new, name="calendar_feed_new"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
