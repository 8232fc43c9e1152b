"""`liaison export-dataset --period YYYY-MM --out FILE.csv --user USERNAME [--team CODE] [--identifiable]`.

A thin wrapper over outcomes.dataset.dataset_export: the columns are in docs/dataset.md. The file is
written beside its final name and moved into place only when complete, so a failed export never
leaves half a file behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.utils import timezone

from liaison.core.errors import NotPermitted
from liaison.core.models import User
from liaison.outcomes.dataset import DatasetError, dataset_export, parse_period


class Command(BaseCommand):
    help = (
        "Export the national dataset for one month: one CSV record per episode open at any time in it, "
        "aligned to MHSDS with a local justice extension (docs/dataset.md). Pseudonymised unless "
        "--identifiable is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="the month, written YYYY-MM (e.g. 2026-10)")
        parser.add_argument("--out", required=True, help="the CSV file to write")
        parser.add_argument(
            "--user", required=True, help="username of the team lead exporting it (checked and audited)"
        )
        parser.add_argument("--team", help="one team's code (default: every team the user leads)")
        parser.add_argument(
            "--identifiable",
            action="store_true",
            help="include NHS numbers (for a submission that needs them); recorded in the audit log",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = parse_period(options["period"])
        except DatasetError as exc:
            raise CommandError(str(exc)) from exc
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"There is no active user {options['user']!r}")
        path = Path(options["out"])
        if path.is_dir():
            raise CommandError(f"{path} is a folder: give a file name for --out")
        progress = _Progress(self.stderr)
        try:
            handle, temp_name = tempfile.mkstemp(prefix=".dataset-", suffix=".csv", dir=path.parent or ".")
        except OSError as exc:
            raise CommandError(f"Cannot write in {path.parent}: {exc.strerror}") from exc
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                result = dataset_export(
                    actor=user,
                    period=period,
                    out=out,
                    team_code=options["team"],
                    identifiable=options["identifiable"],
                    progress=progress if progress.tty else None,  # off a terminal, no count to make
                )
            os.replace(temp_name, path)
        except (NotPermitted, DatasetError) as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}") from exc
        finally:
            progress.done()
            if os.path.exists(temp_name):
                os.unlink(temp_name)
        teams = ", ".join(team.code for team in result.teams)
        if result.rows == 0:
            self.stderr.write(
                self.style.WARNING(
                    f"No episodes were open in {period.label} for {teams}: wrote the header only to {path}."
                )
            )
        else:
            kind = "identifiable (with NHS numbers)" if options["identifiable"] else "pseudonymised"
            self.stderr.write(
                self.style.SUCCESS(
                    f"Wrote {result.rows} records for {period.label} ({teams}, {kind}) to {path}."
                )
            )
        if period.next_first_day > timezone.localdate():
            self.stderr.write(
                self.style.WARNING(f"{period.label} is not over yet: the figures are as of today.")
            )


class _Progress:
    """One self-overwriting line on a terminal; nothing when stderr is no terminal or the export is small."""

    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.tty or total < 1000:
            return
        width = 30
        filled = width * done // max(total, 1)
        self.stream.write(f"\r  exporting [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 70 + "\r", ending="")
            self.stream.flush()
