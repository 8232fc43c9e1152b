from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "liaison.consent"
    label = "consent"
