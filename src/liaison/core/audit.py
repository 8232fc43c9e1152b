"""The audit log: one append-only, hash-chained table of every read and write of personal data.

Each event's hash covers its own fields and the previous event's hash, so changing or removing
any row breaks the chain from that point on; `liaison audit-verify` walks it. On PostgreSQL a
trigger also refuses UPDATE and DELETE outright (migration 0002).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from liaison.core.models import AuditChainHead, AuditEvent, AuditEventPerson, User

GENESIS_HASH = "0" * 64


def canonical_body(event: AuditEvent) -> str:
    """The canonical text of the event's fields between its id and the previous hash: what the chain
    hash covers beside those two. A bulk loader may work it out ahead, before the ids are known."""
    at = event.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields = [
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
    ]
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)[1:-1]


def chain_key() -> bytes:
    # Keyed with a secret that is not in the database: someone who can write to the database but
    # does not hold the key cannot recompute a chain that verifies after they have changed it.
    return hashlib.sha256(b"liaison-audit-chain:" + settings.AUDIT_KEY.encode()).digest()


def chained_hash(event_id: int, body: str, prev_hash: str, key: bytes | None = None) -> str:
    """The chain hash of an event from its id, its canonical body and the previous event's hash
    (`key`: chain_key(), for a caller hashing many)."""
    text = f"[{event_id},{body},{json.dumps(prev_hash)}]"
    return hmac.new(key or chain_key(), text.encode(), hashlib.sha256).hexdigest()


def event_hash(event: AuditEvent) -> str:
    return chained_hash(event.id, canonical_body(event), event.prev_hash)


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
    person_ids: list[int] | None = None,
) -> AuditEvent:
    """Append one event, holding the chain head lock briefly. Inside `audit_batch()` the event
    waits for the end of the batch and joins the chain then, with the batch's other events.

    `person_ids` names every person a list, search or page showed, so that "who viewed this record"
    finds bulk reads too; the ids are covered by the chain hash (in `detail`) and indexed per person.
    """
    detail = dict(detail or {})
    if person_ids:
        detail["person_ids"] = sorted({int(pid) for pid in person_ids})
    event = AuditEvent(
        actor_id=actor.pk if actor is not None else None,
        actor_username=actor.get_username() if actor is not None else "system",
        role=role,
        team_id=team_id,
        person_id=person_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id != "" else "",
        reason=reason,
        detail=detail,
    )
    pending = getattr(_batch, "events", None)
    if pending is not None:
        pending.append(event)
    else:
        _chain([event])
    return event


_batch = threading.local()


@contextmanager
def audit_batch() -> Iterator[None]:
    """One transaction whose audit events join the chain together at its end, just before it commits.

    The chain head's row lock is then held for three statements and the commit (not from the first
    event to the commit), and n events cost three statements, not 3n: what lets concurrent intake
    proceed in parallel (docs/performance.md). Nothing is lost: if the block fails, its writes and
    its events are rolled back together. A batch inside a batch joins the outer one.
    """
    if getattr(_batch, "events", None) is not None:
        yield
        return
    _batch.events = []
    try:
        with transaction.atomic():
            yield
            events, _batch.events = _batch.events, None
            if events:
                _chain(events)
    finally:
        _batch.events = None


def _chain(events: list[AuditEvent]) -> None:
    """Give the events the next ids, the time and their place in the chain, and save them."""
    with transaction.atomic(savepoint=False):
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        at = timezone.now()
        for event in events:
            event.id = head.last_event_id + 1
            event.at = at
            event.prev_hash = head.last_hash
            event.hash = event_hash(event)
            head.last_event_id, head.last_hash = event.id, event.hash
        AuditEvent.objects.bulk_create(events)
        people = [
            AuditEventPerson(event_id=event.id, person_id=pid)
            for event in events
            for pid in event.detail.get("person_ids", ())
        ]
        if people:
            AuditEventPerson.objects.bulk_create(people)
        head.save(update_fields=["last_event_id", "last_hash"])


@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    problem: str


def chain_head() -> tuple[int, str]:
    """The newest event's id and hash: record it somewhere else as a checkpoint for later checks."""
    head = AuditChainHead.objects.filter(id=1).first()
    return (head.last_event_id, head.last_hash) if head is not None else (0, GENESIS_HASH)


def verify_chain(
    *, chunk_size: int = 5000, checkpoint: tuple[int, str] | None = None
) -> Iterator[ChainProblem]:
    """Yield every break in the chain: an edited row, a removed row, or a removed tail.

    A `checkpoint` (id, hash) recorded earlier outside the database must still be in the chain:
    that catches the one change the chain cannot see by itself, the newest events removed together
    with the head moved back.
    """
    expected_prev = GENESIS_HASH
    expected_id = 1
    checkpoint_seen = False
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=chunk_size):
        if checkpoint is not None and event.id == checkpoint[0]:
            checkpoint_seen = True
            if event.hash != checkpoint[1]:
                yield ChainProblem(event.id, "does not match the checkpoint recorded for it")
        if event.id != expected_id:
            yield ChainProblem(expected_id, f"events {expected_id} to {event.id - 1} are missing")
        if event.prev_hash != expected_prev:
            yield ChainProblem(event.id, "does not follow the event before it (a row was removed or changed)")
        if event_hash(event) != event.hash:
            yield ChainProblem(event.id, "its contents were changed after it was written")
        expected_prev = event.hash
        expected_id = event.id + 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is None:
        if expected_id > 1:
            yield ChainProblem(expected_id - 1, "the chain head is missing (it was deleted)")
    elif head.last_event_id != expected_id - 1 or head.last_hash != expected_prev:
        yield ChainProblem(head.last_event_id, "the newest events were removed (the chain ends early)")
    if checkpoint is not None and not checkpoint_seen:
        yield ChainProblem(checkpoint[0], "the checkpoint event is gone: events up to it were removed")
