from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "liaison.partners"
    label = "partners"
