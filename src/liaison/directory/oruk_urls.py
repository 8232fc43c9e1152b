"""The Open Referral UK 3.0 read API at /openreferral/ (public by decision: published services only)."""

from django.urls import path  # noqa: F401

app_name = "openreferral"
urlpatterns: list = []
