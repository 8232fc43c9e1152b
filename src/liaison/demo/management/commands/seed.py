"""`liaison seed --people N --seed S [--reset]`: load the deterministic synthetic demo data set."""

from __future__ import annotations

import datetime as dt
from typing import Any, TextIO, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.db import connection
from django.utils import timezone

from liaison.demo.held import NotRestored
from liaison.demo.national import NATIONAL_PEOPLE, NATIONAL_TEAMS, national_seed
from liaison.demo.services import DemoDataExists, demo_seed
from liaison.matching.services.keys import match_keys_rebuild


def _as_of(raw: str | dt.datetime) -> dt.datetime:
    try:
        moment = raw if isinstance(raw, dt.datetime) else dt.datetime.fromisoformat(raw)
    except ValueError as exc:
        raise CommandError(
            f"--as-of must be an ISO 8601 date and time, like 2026-03-01T09:30, not {raw!r}"
        ) from exc
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now():
        raise CommandError("--as-of cannot be in the future: the data set must not hold future events")
    return moment


class Command(BaseCommand):
    help = (
        "Create the demo teams, sites and logins and N synthetic people with three years of episodes. "
        "The same --people, --seed and --as-of always give the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--people",
            type=int,
            default=None,
            help=f"how many synthetic people (default 2000; {NATIONAL_PEOPLE:,} with --scale national)",
        )
        parser.add_argument(
            "--scale",
            choices=("demo", "national"),
            default="demo",
            help="demo: three years, bulk_create, today's custody list (default); national: five years "
            "through COPY/executemany in chunks on worker processes (docs/performance.md)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="--scale national: processes generating chunks (default 2; 0 generates in this process)",
        )
        parser.add_argument(
            "--teams",
            type=int,
            default=NATIONAL_TEAMS,
            help=f"--scale national: how many teams share the country (default {NATIONAL_TEAMS}: "
            "the three demo teams and more like them)",
        )
        parser.add_argument(
            "--resume",
            action="store_true",
            help="--scale national: carry on a stopped load (same --people, --seed and --as-of)",
        )
        parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
        parser.add_argument(
            "--services",
            type=int,
            default=None,
            help="how many services in the synthetic directory (default: 15 per 100 people, at least 100)",
        )
        parser.add_argument("--reset", action="store_true", help="delete existing demo data first")
        parser.add_argument(
            "--as-of",
            default=None,
            help="when the three years of history end (default: now, to the minute); pin it to repeat a run",
        )
        parser.add_argument(
            "--force", action="store_true", help="run even though DEBUG, DEMO and TESTING are all off"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        safe = settings.DEBUG or getattr(settings, "DEMO", False) or getattr(settings, "TESTING", False)
        if not safe and not options["force"]:
            raise CommandError(
                "Refusing to seed: this looks like a production configuration (LIAISON_DEBUG, LIAISON_DEMO "
                "and LIAISON_TESTING are all off). The seed adds synthetic people and demo logins with a "
                "published password. Set LIAISON_DEMO=1 for a demo database, or add --force if you mean it."
            )
        national = options["scale"] == "national"
        if options["people"] is None:
            options["people"] = NATIONAL_PEOPLE if national else 2000
        if options["people"] < 1:
            raise CommandError("--people must be at least 1")
        if options["services"] is not None and not 0 <= options["services"] <= 100_000:
            raise CommandError("--services must be a whole number from 0 to 100000")
        if not 0 <= options["seed"] < 2**63:
            raise CommandError("--seed must be a whole number from 0 to 2**63 - 1")
        progress = _Progress(self.stderr)
        try:
            if national:
                summary = national_seed(
                    people=options["people"],
                    seed=options["seed"],
                    now=_as_of(options["as_of"]) if options["as_of"] else None,
                    reset=options["reset"],
                    services=options["services"],
                    teams=options["teams"],
                    workers=options["workers"],
                    resume=options["resume"],
                    stream=cast(TextIO, self.stderr._out),
                    progress=progress,
                )
            else:
                summary = demo_seed(
                    people=options["people"],
                    seed=options["seed"],
                    now=_as_of(options["as_of"]) if options["as_of"] else None,
                    reset=options["reset"],
                    progress=progress,
                    services=options["services"],
                )
        except (DemoDataExists, NotRestored) as exc:
            progress.done()
            raise CommandError(str(exc)) from exc
        progress.done()
        # The seed writes people in bulk, past the services that keep the matching keys: build them all
        # (the national load makes its own, in its workers), then give the query planner fresh
        # statistics for the new tables (both engines plan badly without them). On PostgreSQL, VACUUM
        # too: it marks the new pages all-visible, without which every index-only scan (person search
        # is built on them) reads the table as well: the national set's search floor was 34 ms, 9 ms
        # after a VACUUM (28 s there); autovacuum had not come seven minutes after the load.
        keys = summary.match_keys
        if keys is None:
            _, keys = match_keys_rebuild()
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
        if summary.removed:
            removed = ", ".join(f"{n} {label}" for label, n in summary.removed.items() if n)
            self.stdout.write(f"Removed the previous demo data: {removed or 'nothing'}.")
        rows = ", ".join(f"{n} {label}" for label, n in summary.rows.items())
        stages = ", ".join(f"{n} {stage}" for stage, n in summary.stages.items())
        as_of = timezone.localtime(summary.as_of).isoformat(timespec="minutes")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {summary.people} synthetic people (seed {summary.seed}, as of {as_of}) "
                f"in {summary.seconds:.1f}s."
            )
        )
        self.stdout.write(f"  rows: {rows}")
        self.stdout.write(f"  episodes by stage: {stages}")
        for site, count in summary.to_review.items():
            self.stdout.write(
                f"  today's custody list at {site}: {count} arrivals to review (/arrivals/review)"
            )
        self.stdout.write(f"  person-matching keys: {keys}")
        self.stdout.write("  logins: liaison demo-logins")


class _Progress:
    """One self-overwriting line on a terminal; one line per finished step otherwise."""

    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.shown = False

    def __call__(self, label: str, done: int, total: int) -> None:
        if self.tty:
            self.stream.write(f"\r  {label}: {done}/{total}".ljust(60), ending="")
            self.shown = True
        elif done == total:
            self.stream.write(f"  {label}: {total}")
        self.stream.flush()

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 60 + "\r", ending="")
            self.stream.flush()
