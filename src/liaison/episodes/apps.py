from django.apps import AppConfig


class EpisodesConfig(AppConfig):
    name = "liaison.episodes"
    label = "episodes"
