from django.urls import path

from liaison.reports import views

app_name = "reports"

urlpatterns = [
    path("episodes/<int:pk>/reports", views.episode_reports, name="episode_reports"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/sign-off", views.report_sign_off, name="report_sign_off"),
    path("reports/<int:pk>/revise", views.report_revise, name="report_revise"),
    path("reports/<int:pk>/share", views.report_share, name="report_share"),
    path("reports/<int:pk>/download", views.report_download, name="report_download"),
    path("reports/<int:pk>/preview.pdf", views.report_preview, name="report_preview"),
    path("reports/<int:pk>/links/<int:link_pk>/revoke", views.link_revoke, name="link_revoke"),
    path("reports/feedback", views.feedback_summary, name="feedback_summary"),
    path("reports/settings", views.report_settings, name="report_settings"),
    # Public by decision: a partner opens the report by the secret in the address (no account).
    path("shared/<str:token>", views.shared_report, name="shared_report"),
    path("shared/<str:token>/report.pdf", views.shared_report_pdf, name="shared_report_pdf"),
]
