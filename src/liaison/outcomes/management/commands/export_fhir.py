"""`liaison export-fhir --person ID --user USERNAME [--out FILE]`: a person's record as a FHIR R4 Bundle.

The same service as GET /api/v1/people/{id}/fhir (outcomes.fhir.person_fhir_export): the same access
check, permission and audit. docs/fhir.md describes the bundle.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404

from liaison.core.errors import NotPermitted
from liaison.core.models import User
from liaison.outcomes.fhir import person_fhir_export


class Command(BaseCommand):
    help = "Export one person's record as a FHIR R4 Bundle (JSON), for a practitioner or team lead."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--person", required=True, help="the person's Liaison ID")
        parser.add_argument(
            "--user", required=True, help="username of the practitioner or team lead (checked and audited)"
        )
        parser.add_argument("--out", help="the file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"There is no active user {options['user']!r}")
        try:
            bundle = person_fhir_export(actor=user, person_id=options["person"])
        except Http404:
            raise CommandError(
                f"There is no person {options['person']} that {user.get_username()} may see "
                "(the attempt is recorded in the audit log)"
            ) from None
        except NotPermitted as exc:
            raise CommandError(f"{user.get_username()} may not export this record: {exc}") from exc
        text = json.dumps(bundle, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder)
        if not options["out"]:
            self.stdout.write(text)
            return
        path = Path(options["out"])
        try:
            path.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}") from exc
        self.stderr.write(f"Wrote a bundle of {len(bundle['entry'])} resources to {path}")
