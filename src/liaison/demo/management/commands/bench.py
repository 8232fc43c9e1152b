"""`liaison bench [--database URL] [--scale demo|national]`: the benchmark suite (docs/performance.md)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Time the worklist, person page, search, episode page, directory match and KPI page beside raw "
        "SQL and DuckDB, and API intake through gunicorn, on the seeded database. Writes bench/results.json."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--database",
            default=None,
            help="a database address (postgres://... or sqlite:///path) instead of the configured one",
        )
        parser.add_argument(
            "--scale", choices=("demo", "national"), default="demo", help="the label the results go under"
        )
        parser.add_argument("--requests", type=int, default=40, help="timed requests per page (default 40)")
        parser.add_argument("--intake-seconds", type=float, default=20.0, help="length of the intake run")
        parser.add_argument("--clients", type=int, default=8, help="concurrent intake clients (threads)")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers for the intake run")
        parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
        parser.add_argument(
            "--skip",
            action="append",
            default=[],
            choices=("pages", "kpis", "intake"),
            help="leave a part out",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        url = options["database"]
        if url:
            # Settings are read once at start-up: run again with the address in the environment.
            env = dict(os.environ)
            if url.startswith("sqlite:///"):
                env.pop("DATABASE_URL", None)
                env["LIAISON_SQLITE_PATH"] = url.removeprefix("sqlite:///")
            else:
                env["DATABASE_URL"] = url
            argv = [a for a in sys.argv if not a.startswith("--database")]
            if "--database" in sys.argv:
                i = sys.argv.index("--database")
                argv = sys.argv[:i] + sys.argv[i + 2 :]
            os.execve(sys.argv[0], argv, env)  # noqa: S606 - our own command, its own arguments
        from liaison.demo import bench

        try:
            result = bench.run(
                scale=options["scale"],
                n=options["requests"],
                intake_seconds=options["intake_seconds"],
                clients=options["clients"],
                workers=options["workers"],
                threads=options["threads"],
                skip=tuple(options["skip"]),
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(bench.table(result))
        self.stdout.write(f"Results in {bench.RESULTS}")
