"""The audit log: one append-only, hash-chained table of every read and write of personal data.

Each event's hash covers its own fields and the previous event's hash, so changing or removing
any row breaks the chain from that point on; `liaison audit-verify` walks it. On PostgreSQL a
trigger also refuses UPDATE and DELETE outright (migration 0002).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from liaison.core.models import AuditChainHead, AuditEvent, User

GENESIS_HASH = "0" * 64


def _canonical(event: AuditEvent) -> str:
    at = event.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields = [
        event.id,
        at,
        event.actor_id,
        event.actor_username,
        event.role,
        event.team_id,
        event.person_id,
        event.action,
        event.object_type,
        event.object_id,
        event.reason,
        event.detail,
        event.prev_hash,
    ]
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event).encode()).hexdigest()


def audit(
    *,
    actor: User | None,
    action: str,
    person_id: int | None = None,
    team_id: int | None = None,
    role: str = "",
    object_type: str = "",
    object_id: object = "",
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Runs in its own (nested) transaction holding the chain head lock briefly."""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        event = AuditEvent(
            id=head.last_event_id + 1,
            at=timezone.now(),
            actor_id=actor.pk if actor is not None else None,
            actor_username=actor.get_username() if actor is not None else "system",
            role=role,
            team_id=team_id,
            person_id=person_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id) if object_id != "" else "",
            reason=reason,
            detail=detail or {},
            prev_hash=head.last_hash,
        )
        event.hash = event_hash(event)
        event.save(force_insert=True)
        head.last_event_id = event.id
        head.last_hash = event.hash
        head.save(update_fields=["last_event_id", "last_hash"])
    return event


@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    problem: str


def verify_chain(*, chunk_size: int = 5000) -> Iterator[ChainProblem]:
    """Yield every break in the chain: an edited row, a removed row, or a removed tail."""
    expected_prev = GENESIS_HASH
    expected_id = 1
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=chunk_size):
        if event.id != expected_id:
            yield ChainProblem(expected_id, f"events {expected_id} to {event.id - 1} are missing")
        if event.prev_hash != expected_prev:
            yield ChainProblem(event.id, "does not follow the event before it (a row was removed or changed)")
        if event_hash(event) != event.hash:
            yield ChainProblem(event.id, "its contents were changed after it was written")
        expected_prev = event.hash
        expected_id = event.id + 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_event_id != expected_id - 1 or head.last_hash != expected_prev):
        yield ChainProblem(head.last_event_id, "the newest events were removed (the chain ends early)")
