from django.contrib.auth import views as auth_views
from django.urls import path

from liaison.core import mfa, views

urlpatterns = [
    path("sign-in", views.SignInView.as_view(), name="login"),
    path("sign-in/code", mfa.mfa_verify, name="mfa_verify"),
    path("sign-in/set-up-authenticator", mfa.mfa_setup, name="mfa_setup"),
    path("sign-out", auth_views.LogoutView.as_view(), name="logout"),
    path("session", views.session_clock, name="session"),
    path("account/sessions", views.account_sessions, name="account_sessions"),
    path("team/", views.team_home, name="team_home"),
    path("team/switch", views.team_switch, name="team_switch"),
    path("team/break-glass", views.team_break_glass, name="team_break_glass"),
    path("break-glass", views.break_glass, name="break_glass"),
    path("people/<int:pk>/break-glass", views.person_break_glass, name="person_break_glass"),
]
