"""`liaison import-arrivals FILE --site SITE_ID --user USERNAME [--dry-run]`: load a custody or court list.

A thin wrapper over identification.services.arrivals_import, the same service the upload page calls,
so the same checks, duplicates rule and audit apply. The column mapping is in docs/arrivals-import.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from liaison.core.errors import NotPermitted
from liaison.core.models import Site, User
from liaison.identification.presenters import field_label
from liaison.identification.services import arrivals_import

SHOWN_PROBLEMS = 50


class Command(BaseCommand):
    help = (
        "Import a custody or court list (CSV) into a site's arrivals to review. Rows already imported "
        "are not added again; rows with problems are reported by line and the rest still load."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV file")
        parser.add_argument("--site", type=int, required=True, help="the site's id (Liaison site number)")
        parser.add_argument(
            "--user",
            required=True,
            help="username of the practitioner or team lead importing it (recorded and audited)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check the file and report; save nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        site = Site.objects.select_related("team").filter(pk=options["site"]).first()
        if site is None:
            raise CommandError(f"There is no site {options['site']}")
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"There is no active user {options['user']!r}")
        progress = _Progress(self.stderr)
        try:
            result = arrivals_import(
                actor=user,
                site=site,
                file_name=path.name,
                data=data,
                via="command",
                dry_run=options["dry_run"],
                progress=progress,
            )
        except NotPermitted as exc:
            raise CommandError(f"{user.username} cannot import lists for {site.team.name}: {exc}") from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        finally:
            progress.done()
        verb = "Checked (dry run, nothing saved)" if result.dry_run else "Imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {path.name} for {site.name}: {result.rows_read} rows, {result.created} new, "
                f"{result.duplicates} already imported, {result.rejected} with problems."
            )
        )
        if result.ignored_columns:
            self.stdout.write(f"  columns not used: {', '.join(result.ignored_columns)}")
        for problem in result.problems[:SHOWN_PROBLEMS]:
            column = f" ('{problem['column']}')" if problem["column"] else ""
            self.stdout.write(
                f"  line {problem['line']}: {field_label(problem['field'])}{column}: {problem['message']}"
            )
        if len(result.problems) > SHOWN_PROBLEMS:
            self.stdout.write(f"  ... and {len(result.problems) - SHOWN_PROBLEMS} more problems")
        if result.batch is not None:
            self.stdout.write(f"  batch {result.batch.pk}")


class _Progress:
    """One self-overwriting line on a terminal; nothing when the output is not a terminal."""

    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.tty or total < 500:
            return
        width = 30
        filled = width * done // total
        self.stream.write(
            f"\r  reading rows [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=""
        )
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 70 + "\r", ending="")
            self.stream.flush()
