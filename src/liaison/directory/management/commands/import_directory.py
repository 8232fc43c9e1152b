"""`liaison import-directory FILE [--format auto|v3|v1] [--dry-run]`: load an Open Referral UK file.

A thin wrapper over directory.importer; the file shapes are in docs/directory.md. Bad services are
reported with their position, id and JSON path, the rest still load, and the exit code is 1 if any
record failed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.directory.importer import FORMATS, MalformedFile, directory_import
from liaison.matching.management.progress import Progress

SHOWN_PROBLEMS = 200


class Command(BaseCommand):
    help = (
        "Import an Open Referral UK directory (ORUK 3.0 JSON, or the older v1 shape). Services already "
        "imported are updated by id; bad records are reported and skipped, the rest still load."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the JSON file")
        parser.add_argument("--format", choices=FORMATS, default="auto", help="auto (default), v3 or v1")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report; save nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        progress = Progress(self.stderr)
        try:
            result = directory_import(
                data=data,
                format=options["format"],
                dry_run=options["dry_run"],
                progress=progress,
                source=path.name,
            )
        except MalformedFile as exc:
            raise CommandError(f"{path.name}: {exc}. Nothing was imported.") from exc
        finally:
            progress.done()
        for problem in result.problems[:SHOWN_PROBLEMS]:
            self.stdout.write(f"  {problem}")
        if len(result.problems) > SHOWN_PROBLEMS:
            self.stdout.write(f"  ... and {len(result.problems) - SHOWN_PROBLEMS} more problems")
        verb = "Checked (dry run, nothing saved)" if result.dry_run else "Imported"
        summary = (
            f"{verb} {path.name} (ORUK {result.format}): {result.services_read} services read, "
            f"{result.created} created, {result.updated} updated, {result.skipped} skipped."
        )
        style = self.style.WARNING if result.problems else self.style.SUCCESS
        self.stdout.write(style(summary))
        if result.centroids_refreshed is None and not result.dry_run:
            self.stdout.write(
                "  postcode centroids not refreshed: directory.geo.refresh_centroids is not available"
            )
        if result.problems:
            sys.exit(1)
