from django.apps import AppConfig


class AdviceConfig(AppConfig):
    name = "liaison.advice"
    label = "advice"
