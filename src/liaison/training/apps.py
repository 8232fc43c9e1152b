from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "liaison.training"
    label = "training"
