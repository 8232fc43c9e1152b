from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "liaison.rights"
    label = "rights"
