"""Engagement outcomes of a team's referrals, per service and per need domain, in SQL.

A referral counts at each stage it ever reached (its status rows), not only where it is now: a
referral that was attended and is now closed still counts as attended. "Sent" counts every
referral that left draft.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from liaison.referrals.models import Referral, ReferralStatus, Status

REACHED = {
    "sent": (Status.SENT,),
    "accepted": (Status.ACCEPTED,),
    "attended": (Status.ATTENDED, Status.ENGAGED),
    "engaged": (Status.ENGAGED,),
}


@dataclass(frozen=True)
class Outcomes:
    sent: int
    accepted: int
    attended: int
    engaged: int

    @property
    def attended_share(self) -> float | None:
        """Share of sent referrals that led to an attended appointment; None before any was sent."""
        return self.attended / self.sent if self.sent else None


def _with_reached(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    return referrals.annotate(
        **{
            f"reached_{name}": Exists(
                ReferralStatus.objects.filter(referral=OuterRef("pk"), status__in=statuses)
            )
            for name, statuses in REACHED.items()
        }
    )


def _counts(referrals: QuerySet[Referral], *group_by: str) -> list[dict]:
    return list(
        _with_reached(referrals)
        .values(*group_by)
        .annotate(**{name: Count("pk", filter=Q(**{f"reached_{name}": True})) for name in REACHED})
        .order_by(*group_by)
    )


def attendance_by_service(team_id: int, service_ids: list[str]) -> dict[str, Outcomes]:
    """The team's outcomes with each of these services: one query, whatever the number of services."""
    rows = _counts(Referral.objects.filter(team_id=team_id, service_id__in=service_ids), "service_id")
    return {row["service_id"]: Outcomes(*(row[name] for name in REACHED)) for row in rows}


def service_outcomes_by_need(team_id: int, service_id: str) -> dict[str, Outcomes]:
    """The team's outcomes with one service, per need (domain code or "basic:..." key)."""
    rows = _counts(Referral.objects.filter(team_id=team_id, service_id=service_id), "need_key")
    return {row["need_key"]: Outcomes(*(row[name] for name in REACHED)) for row in rows}
