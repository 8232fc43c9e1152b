"""`liaison export-directory [--out FILE] [--published-only]`: write the directory as ORUK 3.0 JSON.

The document shape is in docs/directory.md; `liaison import-directory` reads it back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.directory.exporter import directory_export


class Command(BaseCommand):
    help = "Export the service directory as an Open Referral UK 3.0 JSON document."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", help="the file to write (default: standard output)")
        parser.add_argument(
            "--published-only", action="store_true", help="only services marked public, and not defunct"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        document = directory_export(published_only=options["published_only"])
        text = json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False)
        if not options["out"]:
            self.stdout.write(text)
            return
        path = Path(options["out"])
        try:
            path.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}") from exc
        self.stderr.write(f"Wrote {len(document['services'])} services to {path}")
