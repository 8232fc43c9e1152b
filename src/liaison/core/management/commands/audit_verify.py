"""`liaison audit-verify`: walk the audit hash chain and report any changed or removed event."""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.core.audit import ChainProblem, chain_head, verify_chain
from liaison.core.models import AuditEvent

CHECKPOINT = re.compile(r"^(?P<id>\d+):(?P<hash>[0-9a-f]{64})$")


class Command(BaseCommand):
    help = (
        "Check the audit log's hash chain; exits non-zero when an event was changed or removed. "
        "Prints the chain head as ID:HASH: keep it outside the database and pass it back with "
        "--checkpoint next time to catch the newest events being removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="ID:HASH",
            help="a chain head printed by an earlier run, which must still be in the chain",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoints: list[tuple[int, str] | None] = []
        for raw in options["checkpoint"]:
            match = CHECKPOINT.match(raw.strip().lower())
            if not match:
                raise CommandError(f"--checkpoint must be ID:HASH as printed by audit-verify, not {raw!r}")
            checkpoints.append((int(match["id"]), match["hash"]))
        total = AuditEvent.objects.count()
        problems: list[ChainProblem] = []
        for checkpoint in checkpoints or [None]:
            problems.extend(p for p in verify_chain(checkpoint=checkpoint) if p not in problems)
        if problems:
            for problem in problems[:50]:
                self.stderr.write(f"event {problem.event_id}: {problem.problem}")
            if len(problems) > 50:
                self.stderr.write(f"... and {len(problems) - 50} more")
            raise CommandError(f"audit log FAILED verification: {len(problems)} problem(s) in {total} events")
        head_id, head_hash = chain_head()
        self.stdout.write(f"audit log verified: {total} events, chain intact")
        self.stdout.write(f"checkpoint: {head_id}:{head_hash}")
