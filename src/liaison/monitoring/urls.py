from django.urls import path

from liaison.monitoring import views

urlpatterns = [
    path("privacy-alerts", views.privacy_alerts, name="privacy_alerts"),
    path("privacy-alerts/<int:pk>/", views.privacy_alert_detail, name="privacy_alert_detail"),
    path("privacy-alerts/<int:pk>/access", views.privacy_alert_access, name="privacy_alert_access"),
    path("team/accounts", views.team_accounts_page, name="team_accounts"),
    path("team/accounts/<int:pk>/deactivate", views.account_deactivate_page, name="account_deactivate"),
]
