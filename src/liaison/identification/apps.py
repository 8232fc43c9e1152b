from django.apps import AppConfig


class IdentificationConfig(AppConfig):
    name = "liaison.identification"
    label = "identification"
