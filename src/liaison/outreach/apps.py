from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "liaison.outreach"
    label = "outreach"
