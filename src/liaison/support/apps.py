from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "liaison.support"
    label = "support"
