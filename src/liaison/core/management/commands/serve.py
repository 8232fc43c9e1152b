"""`liaison serve`: run Liaison under gunicorn, the same server production uses."""

from __future__ import annotations

import time
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

        self._warm()
        self.stdout.write(f"Liaison is serving on http://{bind}/ (Ctrl+C to stop)")
        LiaisonServer().run()

    def _warm(self) -> None:
        """Read the directory for matching once, here, before the workers are forked: each inherits it
        (docs/performance.md). A database not yet migrated is no reason not to serve."""
        from django.db import DatabaseError, connections

        from liaison.directory.matching import warm_cache

        started = time.perf_counter()
        try:
            needs = warm_cache()
        except DatabaseError as exc:
            self.stderr.write(
                f"Directory matching not read ahead ({exc}); each need is read when first asked"
            )
        else:
            self.stdout.write(
                f"Directory matching read ahead: {needs} needs in {time.perf_counter() - started:.1f} s"
            )
        finally:
            connections.close_all()  # never share a connection with the forked workers
