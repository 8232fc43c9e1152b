from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "liaison.assessment"
    label = "assessment"

    def ready(self) -> None:
        # Connects the receiver that marks a plan action done when its task is done.
        from liaison.assessment import services  # noqa: F401
