"""Reads of screenings, always reached through the access policy (core.access): 404 for "missing" and
"not yours" alike, and every read audited. Every list is bounded."""

from __future__ import annotations

from django.db.models import F, QuerySet

from liaison.core.access import Access, _get_child_for_user
from liaison.core.models import User
from liaison.episodes.models import Episode
from liaison.people.models import Person
from liaison.screening.models import Screening, ScreeningStatus

EPISODE_LIMIT = 50
ALERT_LIMIT = 5


def get_screening_for_user(
    user: User, pk: object, *, action: str = "screening.view"
) -> tuple[Screening, Access]:
    """A screening with its episode and person; 404 (audited) when missing or not the user's to see."""
    queryset = Screening.objects.select_related(
        "episode", "episode__person", "episode__team", "by", "completed_by", "urgent_task", "acknowledged_by"
    )
    return _get_child_for_user(user, queryset, pk, "screening", action)


def screenings_of_episode(episode: Episode) -> QuerySet[Screening]:
    """An episode already fetched through the access policy: its screenings, newest first."""
    return (
        Screening.objects.filter(episode=episode)
        .select_related("by", "completed_by")
        .order_by("-started_at", "-pk")
    )


def screenings_for_episode_page(episode: Episode) -> list[Screening]:
    return list(screenings_of_episode(episode)[:EPISODE_LIMIT])


def suicide_risk_alerts(person: Person) -> list[Screening]:
    """A person already fetched through the access policy: their completed screenings that flagged
    suicide risk, in any episode (the alert on their record). Alerts not yet acknowledged come first,
    newest first; then acknowledged ones, most recently acknowledged first. One query, who
    acknowledged included."""
    return list(
        Screening.objects.filter(episode__person=person, suicide_risk=True, status=ScreeningStatus.COMPLETE)
        .select_related("episode", "episode__site", "urgent_task", "acknowledged_by")
        .order_by(F("acknowledged_at").desc(nulls_first=True), "-completed_at", "-pk")[:ALERT_LIMIT]
    )
