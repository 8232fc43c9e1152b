"""`liaison audit-verify`: walk the audit hash chain and report any changed or removed event."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from liaison.core.audit import verify_chain
from liaison.core.models import AuditEvent


class Command(BaseCommand):
    help = "Check the audit log's hash chain; exits non-zero when an event was changed or removed."

    def handle(self, *args: Any, **options: Any) -> None:
        total = AuditEvent.objects.count()
        problems = list(verify_chain())
        if problems:
            for problem in problems[:50]:
                self.stderr.write(f"event {problem.event_id}: {problem.problem}")
            if len(problems) > 50:
                self.stderr.write(f"... and {len(problems) - 50} more")
            raise CommandError(f"audit log FAILED verification: {len(problems)} problem(s) in {total} events")
        self.stdout.write(f"audit log verified: {total} events, chain intact")
