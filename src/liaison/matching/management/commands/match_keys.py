"""`liaison match-keys [--dry-run]`: rebuild the blocking keys of every person (the backfill)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from liaison.matching.management.progress import Progress
from liaison.matching.services import match_keys_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the name-based blocking keys that intake matching searches, for every person. Run after "
        "a bulk load (the demo seed, an import) or to repair the index; safe to run while the service is "
        "in use."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count the keys, change nothing")
        parser.add_argument(
            "--chunk-size", type=int, default=5000, help="people per transaction (default 5000)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        progress = Progress(self.stderr)
        people, keys = match_keys_rebuild(
            chunk_size=max(100, options["chunk_size"]),
            dry_run=options["dry_run"],
            progress=lambda done, total: progress("people", done, total),
        )
        progress.done()
        verb = "Would write" if options["dry_run"] else "Wrote"
        self.stdout.write(
            f"{verb} {keys:,} matching keys for {people:,} people in {time.perf_counter() - started:.1f}s."
        )
