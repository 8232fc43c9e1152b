"""`liaison retention-report`: how many records are past their retention date, per team. No names."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from liaison.core.models import Team
from liaison.rights.models import DestructionProposal, ProposalStatus
from liaison.rights.retention import team_past_retention


class Command(BaseCommand):
    help = (
        "Count, per team, the records past their retention date and not held, and the proposals to "
        "destroy one that are waiting for approval. Prints counts only: no names or ids."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        self.stdout.write(f"Records past retention on {today.isoformat()}")
        total = 0
        for team in Team.objects.order_by("code"):
            past = len(team_past_retention(team.pk, today))
            waiting = DestructionProposal.objects.filter(team=team, status=ProposalStatus.PROPOSED).count()
            total += past
            self.stdout.write(
                f"{team.code}\t{team.name}\t{past} past retention\t{waiting} waiting for approval"
            )
        self.stdout.write(f"Total\t{total} past retention")
