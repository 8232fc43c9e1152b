from django.urls import path

from liaison.support import views

urlpatterns = [
    path("episodes/<int:pk>/crisis-plan", views.crisis_plan_page, name="crisis_plan"),
    path("episodes/<int:pk>/crisis-plan/new", views.crisis_plan_new, name="crisis_plan_new"),
    path("episodes/<int:pk>/crisis-events", views.crisis_event_log, name="crisis_event_log"),
    path("crisis-plans/<int:pk>/", views.crisis_plan_version, name="crisis_plan_version"),
    path("crisis-plans/<int:pk>/card.pdf", views.crisis_plan_card, name="crisis_plan_card"),
]
