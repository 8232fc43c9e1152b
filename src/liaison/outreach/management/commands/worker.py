"""`liaison worker`: enqueue the periodic work every few minutes and run whatever is queued.

The database queue is the default (nothing else to run); with LIAISON_TASK_QUEUE=redis the queue is
in Redis and this runs an RQ worker in burst mode between schedules. Several workers may run at
once: the periodic tasks are idempotent, so a doubled run creates nothing twice.
"""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone
from django.utils.crypto import get_random_string

from liaison.outreach.tasks import PERIODIC


def run_queued() -> None:
    """Run every task that is ready now, then return."""
    if settings.TASK_QUEUE == "redis":
        call_command("rqworker", "default", burst=True, job_class="django_tasks_rq.Job", verbosity=0)
        return
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"liaison-{get_random_string(8)}",
    ).run()


class Command(BaseCommand):
    help = "Run background work: outreach rules on a schedule, and queued tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Enqueue the periodic work, run it, and exit."
        )
        parser.add_argument(
            "--every",
            type=int,
            default=settings.WORKER_EVERY_MINUTES,
            help="Minutes between runs of the periodic work (default %(default)s).",
        )
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between looks at the queue.")

    def handle(self, *args: Any, once: bool, every: int, interval: float, **options: Any) -> None:
        if every < 1:
            self.stderr.write("--every must be at least 1 minute")
            raise SystemExit(2)
        self.running = True
        if not once:
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
        next_run = time.monotonic()
        while self.running:
            if time.monotonic() >= next_run:
                for periodic in PERIODIC:
                    periodic.enqueue()
                next_run = time.monotonic() + every * 60
                self.stdout.write(f"{timezone.localtime():%Y-%m-%d %H:%M} queued the periodic work")
            run_queued()
            close_old_connections()
            if once:
                break
            time.sleep(interval)
        self.stdout.write("Worker stopped.")

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.running = False
