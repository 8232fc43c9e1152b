from django.urls import path

from liaison.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("outcomes/", views.dashboard, name="dashboard"),
    path("outcomes/episodes", views.episodes, name="episodes"),
    path("outcomes/report", views.commissioner_report, name="report"),
    path("outcomes/report.pdf", views.commissioner_report_pdf, name="report_pdf"),
]
