"""The history of a person's details: every change keeps the old value, the new, who, when and why.

`field_history_record` is called once from people.services.person_update, inside its transaction and
before its version-locked UPDATE, so every route that changes a person (the personal details page,
the API, a correction here) keeps history the same way and none can forget to. A correction
(rights.services.person_correct) wraps person_update and supplies its reason through
`correction_reason`: person_update's signature, shared with the API, stays as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.utils import timezone

from liaison.core.models import User
from liaison.people.models import PERSON_EDITABLE_FIELDS, Person
from liaison.rights.models import ChangeVia, FieldChange

TRACKED_FIELDS = PERSON_EDITABLE_FIELDS

# Set by person_correct for the person_update call it wraps; empty for every other change.
_correction_reason: ContextVar[str] = ContextVar("liaison_correction_reason", default="")


@contextmanager
def correction_reason(reason: str) -> Iterator[None]:
    token = _correction_reason.set(reason)
    try:
        yield
    finally:
        _correction_reason.reset(token)


def as_json(value: Any) -> Any:
    """A field's value as kept in the history: dates as YYYY-MM-DD, everything else as it is."""
    return value.isoformat() if isinstance(value, dt.date) else value


def field_history_record(
    *,
    actor: User,
    person_id: int,
    version: int,
    changes: Mapping[str, Any],
    team_id: int | None,
    role: str = "",
) -> list[FieldChange]:
    """Keep a row for each of `changes` that differs from what the record holds at `version`.

    Reads the row locked, so the old values are the ones being replaced. When the version is stale
    nothing is kept: person_update then raises StaleWrite and the transaction ends.
    """
    fields = [name for name in TRACKED_FIELDS if name in changes]
    if not fields:
        return []
    current = Person.objects.select_for_update().filter(pk=person_id, version=version).values(*fields).first()
    if current is None:
        return []
    reason = _correction_reason.get()
    now = timezone.now()
    rows = [
        FieldChange(
            person_id=person_id,
            field=name,
            old_value=as_json(current[name]),
            new_value=as_json(changes[name]),
            from_version=version,
            changed_by=actor,
            changed_at=now,
            team_id=team_id,
            role=role,
            via=ChangeVia.CORRECTION if reason else ChangeVia.EDIT,
            reason=reason,
        )
        for name in fields
        if current[name] != changes[name]
    ]
    return FieldChange.objects.bulk_create(rows)
