"""How the rights pages show things: detail names and values from the history, due dates, disputes.

Nothing here queries the database: callers pass records already loaded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from liaison.core.presenters import PERSON_FIELD_LABELS, Tag, long_date, nhs_number, yes_no
from liaison.people.models import Ethnicity, Sex
from liaison.rights import deadlines
from liaison.rights.history import TRACKED_FIELDS, as_json
from liaison.rights.models import DisputeOutcome, FieldDispute, SubjectAccessRequest

CHOICES: dict[str, Any] = {"sex": Sex, "ethnicity": Ethnicity}


def field_label(name: str) -> str:
    return PERSON_FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def field_choices() -> list[tuple[str, str]]:
    """The person's details, for "which detail?" questions, in the order the record shows them."""
    return [(name, field_label(name)) for name in TRACKED_FIELDS]


def value_label(name: str, value: Any) -> str:
    """A value as kept in the history (text, true/false, null, YYYY-MM-DD), as the person page shows it."""
    if value is None:
        return "Not known"
    if name in CHOICES:
        try:
            return str(CHOICES[name](value).label)
        except ValueError:
            return str(value)
    if isinstance(value, bool):
        return yes_no(value)
    if name == "date_of_birth":
        try:
            return long_date(dt.date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if name == "nhs_number" and value:
        return nhs_number(str(value))
    return str(value) if value != "" else "Not recorded"


def due_tag(sar: SubjectAccessRequest, today: dt.date | None = None) -> Tag:
    """Answered, overdue (red), due within a week (orange) or due (blue)."""
    if sar.fulfilled_at is not None:
        return Tag("Answered", "green")
    today = today or timezone.localdate()
    late = deadlines.days_overdue(sar.due_on, today)
    if late:
        return Tag(f"Overdue by {late} day{'s' if late != 1 else ''}", "red")
    left = (sar.due_on - today).days
    if left == 0:
        return Tag("Due today", "orange")
    if left <= 7:
        return Tag(f"Due in {left} day{'s' if left != 1 else ''}", "orange")
    return Tag("Open", "blue")


def is_overdue(sar: SubjectAccessRequest, today: dt.date | None = None) -> bool:
    return sar.fulfilled_at is None and sar.due_on < (today or timezone.localdate())


@dataclass(frozen=True)
class DisputeMark:
    """A detail the person disagrees with, as the person page shows it beside their details."""

    field: str
    label: str
    recorded: str
    person_says: str
    tag: Tag
    dispute: FieldDispute


OPEN_TAG = Tag("Disputed", "orange")
KEPT_TAG = Tag("The person disagrees", "grey")


def dispute_marks(person: Any, disputes: list[FieldDispute]) -> list[DisputeMark]:
    """Open disputes, and kept ones while the record still says what was disputed, one per detail.

    `disputes` newest first (rights.queries.standing_disputes).
    """
    marks: dict[str, DisputeMark] = {}
    for dispute in disputes:
        if dispute.field in marks or dispute.field not in TRACKED_FIELDS:
            continue
        if dispute.is_open:
            tag = OPEN_TAG
        elif dispute.outcome == DisputeOutcome.KEPT and as_json(getattr(person, dispute.field)) == (
            dispute.recorded_value
        ):
            tag = KEPT_TAG
        else:
            continue
        marks[dispute.field] = DisputeMark(
            field=dispute.field,
            label=field_label(dispute.field),
            recorded=value_label(dispute.field, dispute.recorded_value),
            person_says=dispute.person_says,
            tag=tag,
            dispute=dispute,
        )
    order = {name: index for index, name in enumerate(TRACKED_FIELDS)}
    return sorted(marks.values(), key=lambda mark: order[mark.field])
