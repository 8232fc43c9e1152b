"""`liaison serve`: run Liaison under gunicorn, the same server production uses."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


def gunicorn_settings(*, bind: str, workers: int, threads: int) -> dict[str, Any]:
    """Gunicorn's configuration for Liaison (also read by the log canary test)."""
    return {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "accesslog": "-",
        # The access log without credentials in its record arguments (core/serverlog.py).
        "logger_class": "liaison.core.serverlog.RedactingLogger",
        "timeout": 60,
    }


class Command(BaseCommand):
    help = "Serve Liaison over HTTP with gunicorn (static files through WhiteNoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.base import BaseApplication

        from liaison.config.wsgi import application

        bind = f"{options['host']}:{options['port']}"
        config = gunicorn_settings(bind=bind, workers=options["workers"], threads=options["threads"])

        class LiaisonServer(BaseApplication):
            def load_config(self) -> None:
                for name, value in config.items():
                    self.cfg.set(name, value)

            def load(self) -> Any:
                return application

        self.stdout.write(f"Liaison is serving on http://{bind}/ (Ctrl+C to stop)")
        LiaisonServer().run()
