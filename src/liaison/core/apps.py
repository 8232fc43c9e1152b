from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "liaison.core"
    label = "core"
    verbose_name = "Teams, users, access and audit"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from liaison.core import checks  # noqa: F401 - registers the deployment checks
        from liaison.core.signin import on_user_logged_in

        user_logged_in.connect(on_user_logged_in, dispatch_uid="liaison.session_begin")
