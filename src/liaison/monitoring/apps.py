from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "liaison.monitoring"
    label = "monitoring"

    def ready(self) -> None:
        from liaison.monitoring import checks  # noqa: F401 - registers the rules file check
