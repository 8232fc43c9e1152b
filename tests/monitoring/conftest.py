"""Audit history for the privacy monitoring tests, written straight into the hash chain.

Building 28 days of someone's viewing through the real pages would take thousands of requests; these
helpers append the same events `core.audit.audit()` would (ids, hashes and the chain head included,
so `liaison audit-verify` still passes), many in one insert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pytest
from django.db import transaction
from django.utils import timezone

from liaison.core.audit import event_hash
from liaison.core.models import AuditChainHead, AuditEvent, BreakGlass, Role, Team, User
from liaison.monitoring.rules import PrivacyRules, load_rules
from tests.factories import PersonFactory, member

DAY = dt.date(2026, 3, 24)  # a Tuesday, clear of the clock changes (29 March 2026)


def local(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def append_events(
    *,
    user: User,
    team: Team | None,
    at: dt.datetime,
    person_ids: Iterable[int],
    action: str = "person.view",
    via: str = "relationship",
) -> None:
    """One event per person id, a second apart from `at`, as a read through the access helpers."""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        prev, next_id, events = head.last_hash, head.last_event_id + 1, []
        for offset, person_id in enumerate(person_ids):
            event = AuditEvent(
                id=next_id + offset,
                at=at + dt.timedelta(seconds=offset),
                actor_id=user.pk,
                actor_username=user.username,
                role=Role.PRACTITIONER,
                team_id=team.pk if team is not None else None,
                person_id=person_id,
                action=action,
                object_type="person",
                object_id=str(person_id),
                detail={"via": via},
                prev_hash=prev,
            )
            event.hash = prev = event_hash(event)
            events.append(event)
        if not events:
            return
        AuditEvent.objects.bulk_create(events)
        head.last_event_id, head.last_hash = events[-1].id, prev
        head.save(update_fields=["last_event_id", "last_hash"])


def viewing_history(
    user: User, team: Team, *, per_day: list[int], before: dt.date = DAY, start: int = 10_000
):
    """`per_day[0]` different people viewed the day before `before`, `per_day[1]` the day before that..."""
    for back, people in enumerate(per_day, start=1):
        day = before - dt.timedelta(days=back)
        append_events(user=user, team=team, at=local(day), person_ids=range(start, start + people))


def grant(
    user: User, team: Team, at: dt.datetime, person=None, reason: str = "Custody sergeant phoned"
) -> BreakGlass:
    """A break-glass grant as core.services.break_glass_grant leaves it (without its hook)."""
    return BreakGlass.objects.create(
        user=user,
        team=team,
        person=person or PersonFactory(),
        reason=reason,
        granted_at=at,
        expires_at=at + dt.timedelta(hours=1),
    )


@pytest.fixture
def rules() -> PrivacyRules:
    return load_rules()


@pytest.fixture
def viewer(team_a) -> User:
    return member(team_a, Role.PRACTITIONER, "viewer")
