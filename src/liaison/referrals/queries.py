"""Reads of referrals and appointments, each scoped through the access policy (core.access).

A referral or appointment is reached only through the episode it belongs to: "missing" and "not
yours" answer 404 alike and are audited. Lists load what their page shows in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import DateTimeField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.query import prefetch_related_objects

from liaison.core.access import Access, _get_child_for_user, visible_people
from liaison.core.models import User
from liaison.episodes.models import Episode, Task
from liaison.people.models import Person
from liaison.referrals.models import Appointment, Attendance, Referral, ReferralStatus

EPISODE_REFERRALS_SHOWN = 50
PERSON_REFERRALS_SHOWN = 5


def get_referral_for_user(
    user: User, pk: object, *, action: str = "service_referral.view"
) -> tuple[Referral, Access]:
    queryset: QuerySet[Referral] = Referral.objects.select_related(
        "episode", "episode__person", "episode__team", "episode__site", "service", "created_by"
    )
    return _get_child_for_user(user, queryset, pk, "service_referral", action)


def get_appointment_for_user(
    user: User, pk: object, *, action: str = "appointment.view"
) -> tuple[Appointment, Access]:
    queryset: QuerySet[Appointment] = Appointment.objects.select_related(
        "episode",
        "episode__person",
        "episode__team",
        "referral",
        "referral__service",
        "service",
        "location",
        "accompanied_by",
    )
    return _get_child_for_user(user, queryset, pk, "appointment", action)


def referrals_of(episode: Episode) -> QuerySet[Referral]:
    """An episode already fetched through the access policy: its referrals, with their services."""
    return Referral.objects.filter(episode=episode).select_related("service")


def _next_appointment() -> Subquery:
    return Subquery(
        Appointment.objects.filter(referral=OuterRef("pk"), attendance=Attendance.UPCOMING)
        .order_by("starts_at", "pk")
        .values("starts_at")[:1],
        output_field=DateTimeField(),
    )


def with_next_appointment(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    return referrals.select_related("service").annotate(next_appointment_at=_next_appointment())


def episode_referrals(episode: Episode) -> list[Referral]:
    """The episode's referrals, newest first, each with its service and next appointment: one query."""
    return list(with_next_appointment(Referral.objects.filter(episode=episode))[:EPISODE_REFERRALS_SHOWN])


def person_referrals(person: Person, episodes: list[Episode]) -> list[Referral]:
    """The newest referrals across the episodes the person page shows (already access-checked): one query."""
    ids = [episode.pk for episode in episodes]
    if not ids:
        return []
    rows = with_next_appointment(Referral.objects.filter(episode_id__in=ids)).select_related("episode__site")
    return list(rows[:PERSON_REFERRALS_SHOWN])


def load_referral(referral: Referral) -> Referral:
    """The referral's status history (with who), appointments (with place and companion): 2 queries."""
    prefetch_related_objects(
        [referral],
        Prefetch("statuses", queryset=ReferralStatus.objects.select_related("by").order_by("at", "pk")),
        Prefetch(
            "appointments",
            queryset=Appointment.objects.select_related("location", "accompanied_by").order_by(
                "-starts_at", "-pk"
            ),
        ),
    )
    return referral


def referral_rule_tasks(referral: Referral, appointment_ids: list[int]) -> list[Task]:
    """The tasks the follow-up rules made for this referral and its appointments: one query."""
    keys = Q(dedupe_key__startswith=f"referral:{referral.pk}:")
    for pk in appointment_ids:
        keys |= Q(dedupe_key__startswith=f"appointment:{pk}:")
    return list(
        Task.objects.filter(keys, episode_id=referral.episode_id)
        .select_related("owner")
        .order_by("due", "pk")
    )


def calendar_appointments(user: User, start: dt.datetime, end: dt.datetime) -> QuerySet[Appointment]:
    """The worker's appointments (going with the person, or booked by them) between two moments, of
    people they may still see: a leaver's old bookings drop off their calendar."""
    return (
        Appointment.objects.filter(Q(accompanied_by=user) | Q(created_by=user))
        .filter(starts_at__gte=start, starts_at__lt=end, episode__person__in=visible_people(user))
        .select_related("episode", "episode__person", "service", "location", "accompanied_by", "referral")
        .order_by("starts_at", "pk")
    )


def user_appointments(user: User) -> QuerySet[Appointment]:
    """Every appointment the user goes to or booked, of people they may see (the API's list)."""
    return (
        Appointment.objects.filter(Q(accompanied_by=user) | Q(created_by=user))
        .filter(episode__person__in=visible_people(user))
        .select_related("service", "location", "episode")
    )
