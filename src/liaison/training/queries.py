"""Reads for awareness training: the team's sessions and a summary, computed in the database.

The change in scores is the mean of (after − before) over attendees who gave both, so people who
missed one side do not skew it; the mean before and mean after use every score given.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q, QuerySet, Sum

from liaison.training.models import AgencyKind, KnowledgeScore, TrainingSession


@dataclass(frozen=True)
class SummaryRow:
    agency_kind: str
    label: str
    sessions: int
    reached: int
    mean_pre: float | None
    mean_post: float | None
    change: float | None


BOTH = Q(pre__isnull=False, post__isnull=False)


def sessions_for_team(team_id: int) -> QuerySet[TrainingSession]:
    """The team's sessions, newest first, each with its mean scores (one query per page)."""
    return (
        TrainingSession.objects.filter(team_id=team_id)
        .annotate(
            scored=Count("scores"),
            mean_pre=Avg("scores__pre"),
            mean_post=Avg("scores__post"),
        )
        .order_by("-delivered_on", "-id")
    )


def training_summary(team_id: int) -> tuple[list[SummaryRow], SummaryRow]:
    """Per agency kind (those with sessions) and in total: sessions, people reached, mean scores, change.

    Two grouped queries, sessions (count, attendees) and scores (means), so joining scores cannot
    multiply the attendee sums; and one for the mean scores over all agencies.
    """
    reach = {
        row["agency_kind"]: row
        for row in TrainingSession.objects.filter(team_id=team_id)
        .values("agency_kind")
        .annotate(sessions=Count("id"), reached=Sum("attendees"))
        .order_by()
    }
    scores = {
        row["session__agency_kind"]: row
        for row in KnowledgeScore.objects.filter(session__team_id=team_id)
        .values("session__agency_kind")
        .annotate(
            mean_pre=Avg("pre"),
            mean_post=Avg("post"),
            change=Avg(F("post") - F("pre"), filter=BOTH),
        )
        .order_by()
    }
    totals = KnowledgeScore.objects.filter(session__team_id=team_id).aggregate(
        mean_pre=Avg("pre"), mean_post=Avg("post"), change=Avg(F("post") - F("pre"), filter=BOTH)
    )
    rows = []
    for kind, label in AgencyKind.choices:
        if kind not in reach:
            continue
        s = scores.get(kind, {})
        rows.append(
            SummaryRow(
                kind,
                str(label),
                reach[kind]["sessions"],
                reach[kind]["reached"] or 0,
                _f(s.get("mean_pre")),
                _f(s.get("mean_post")),
                _f(s.get("change")),
            )
        )
    total = SummaryRow(
        "",
        "All agencies",
        sum(r.sessions for r in rows),
        sum(r.reached for r in rows),
        _f(totals["mean_pre"]),
        _f(totals["mean_post"]),
        _f(totals["change"]),
    )
    return rows, total


def _f(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
