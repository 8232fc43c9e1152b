from django.urls import path  # noqa: F401

from liaison.assessment import views  # noqa: F401

urlpatterns: list = []
