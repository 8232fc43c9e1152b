"""`liaison find-duplicates [--threshold P] [--dry-run]`: find likely duplicate people for review."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.matching.engine import default_model
from liaison.matching.management.progress import Progress
from liaison.matching.services import duplicates_find


class Command(BaseCommand):
    help = (
        "Compare every person with every other who shares a blocking key and record each pair at or over the "
        "match probability threshold as a possible duplicate for a team lead to review."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--threshold",
            type=float,
            default=None,
            help=f"match probability from 0 to 1 (default: the model's, {default_model().threshold})",
        )
        parser.add_argument("--dry-run", action="store_true", help="count the pairs, record nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        threshold = options["threshold"]
        if threshold is not None and not 0 < threshold < 1:
            raise CommandError("--threshold must be a probability between 0 and 1, like 0.9")
        progress = Progress(self.stderr)
        run = duplicates_find(threshold=threshold, dry_run=options["dry_run"], progress=progress)
        progress.done()
        took = sum(run.seconds.values())
        self.stdout.write(
            f"Compared {run.compared:,} pairs among {run.people:,} people in {took:.1f}s "
            f"(load {run.seconds['load']:.1f}s, block {run.seconds['block']:.1f}s, "
            f"score {run.seconds['score']:.1f}s, "
            f"save {run.seconds['save']:.1f}s) with model {run.model_version} at threshold {run.threshold}."
        )
        if options["dry_run"]:
            self.stdout.write(
                f"Would record {run.found:,} possible duplicate pairs (dry run: nothing saved)."
            )
        else:
            self.stdout.write(
                f"Found {run.found:,} possible duplicate pairs: {run.created:,} new, "
                f"{run.updated:,} rescored, "
                f"{run.kept_decided:,} already decided (left as they were)."
            )
