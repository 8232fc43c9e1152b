from django.urls import path

from liaison.assessment import views

urlpatterns = [
    path("episodes/<int:pk>/assessments/new", views.assessment_new, name="assessment_new"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/save", views.assessment_save_view, name="assessment_save"),
    path("episodes/<int:pk>/plan", views.plan_detail, name="plan_detail"),
    path("episodes/<int:pk>/plan/actions", views.plan_action_new, name="plan_action_new"),
    path("episodes/<int:pk>/plan/order", views.plan_order, name="plan_order"),
    path("plan-actions/<int:pk>/", views.plan_action_detail, name="plan_action_detail"),
]
