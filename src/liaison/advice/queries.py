"""Reads of advice records, always scoped: one record through the access policy (404 and audited for
anyone else), lists only within the user's team and only for a role that keeps advice records.

Each list loads what its page shows in a fixed number of queries, however many rows there are.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.query import prefetch_related_objects
from django.utils import timezone

from liaison.advice.models import AdviceAction, AdviceOutcome, AdviceRecord, AdviceStatus
from liaison.advice.services import ADVISER_ROLES
from liaison.core.access import Access, _get_child_for_user
from liaison.core.models import Membership, User
from liaison.core.permissions import can
from liaison.episodes.models import Episode

MINE = "mine"
TEAM = "team"


def get_advice_record_for_user(
    user: User, pk: object, *, action: str = "advice.view"
) -> tuple[AdviceRecord, Access]:
    queryset: QuerySet[AdviceRecord] = AdviceRecord.objects.select_related(
        "episode", "episode__person", "episode__team", "episode__site", "adviser", "allocated_by", "closed_by"
    )
    return _get_child_for_user(user, queryset, pk, "advice_record", action)


def load_record_history(record: AdviceRecord) -> AdviceRecord:
    """The record's actions and outcomes, each with who recorded it (2 queries)."""
    prefetch_related_objects(
        [record],
        Prefetch("actions", queryset=AdviceAction.objects.select_related("by").order_by("-done_on", "-pk")),
        Prefetch(
            "outcomes", queryset=AdviceOutcome.objects.select_related("by").order_by("-achieved_on", "-pk")
        ),
    )
    return record


def advice_worklist(
    *, user: User, team_id: int, scope: str = MINE, today: dt.date | None = None
) -> QuerySet[AdviceRecord]:
    """The adviser's worklist: records allocated to them and the team's unallocated ones (or, with
    `scope="team"`, every record of the team); open first, then the oldest allocation first.

    Each row carries `overdue`: open, not acted on yet, and the day it was due has passed. Empty
    unless the user keeps advice records in the team.
    """
    if not can(user, "advice.record", team_id):
        return AdviceRecord.objects.none()
    today = today or timezone.localdate()
    records = AdviceRecord.objects.filter(episode__team_id=team_id)
    if scope != TEAM:
        records = records.filter(Q(adviser=user) | Q(adviser__isnull=True))
    acted = AdviceAction.objects.filter(record=OuterRef("pk"))
    return (
        records.select_related("episode", "episode__person", "episode__site", "adviser")
        .annotate(
            open_first=Case(
                When(status=AdviceStatus.OPEN, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            acted=Exists(acted),
            since=Coalesce("allocated_at", "created_at", output_field=DateTimeField()),
        )
        .annotate(
            overdue=Case(
                When(Q(status=AdviceStatus.OPEN, acted=False, due_on__lt=today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-open_first", "since", "pk")
    )


def episode_advice(episode: Episode) -> list[AdviceRecord]:
    """The episode's advice records for its page, open first then newest (1 query)."""
    return list(
        AdviceRecord.objects.filter(episode=episode)
        .select_related("adviser")
        .order_by("-status", "-created_at", "-pk")  # "open" after "closed" in the alphabet
    )


def advisers_for(team_id: int) -> list[User]:
    """The team's advisers and team leads who can be given advice work, by name."""
    memberships = Membership.objects.filter(
        team_id=team_id, role__in=ADVISER_ROLES, user__is_active=True
    ).select_related("user")
    return sorted((m.user for m in memberships), key=lambda u: str(u).lower())
