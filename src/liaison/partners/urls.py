from django.urls import path

from liaison.partners import views

urlpatterns = [
    path("referrals", views.referral_list, name="referral_list"),
    path("referrals/new", views.referral_new, name="referral_new"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
]
