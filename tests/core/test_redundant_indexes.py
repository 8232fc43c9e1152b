"""The tables that grow by millions keep no index another index already serves.

Django gives every foreign key its own index. Where a composite index starts with the same column
(Task's (episode, done_at, due) for Task.episode, say), the single-column one answers no query the
composite cannot, and costs a write on every insert: 3.65 million status rows, 5.9 million needs
at national scale. Those foreign keys say db_index=False; this holds them to it, on both engines.
"""

from __future__ import annotations

import pytest
from django.db import connection

from liaison.assessment.models import Assessment, Need, PlanAction, PlanOrder
from liaison.episodes.models import Contact, Episode, EpisodeStatus, Task
from liaison.matching.models import MatchKey
from liaison.referrals.models import Appointment, Referral, ReferralStatus

pytestmark = pytest.mark.django_db

VOLUME_MODELS = [
    Episode,
    EpisodeStatus,
    Contact,
    Task,
    Assessment,
    Need,
    PlanOrder,
    PlanAction,
    Referral,
    ReferralStatus,
    Appointment,
    MatchKey,
]


def _indexes(table: str) -> dict[str, tuple[list[str], bool]]:
    """Each index on the table: its columns in order, and whether it enforces uniqueness."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        name: (list(c["columns"]), bool(c["unique"] or c["primary_key"]))
        for name, c in constraints.items()
        if c["index"] or c["unique"] or c["primary_key"]
        if c["columns"]
    }


def _redundant(table: str) -> list[str]:
    """Non-unique indexes whose columns lead another index on the same table."""
    found = _indexes(table)
    out = []
    for name, (columns, unique) in found.items():
        if unique:
            continue
        for other, (other_columns, _) in found.items():
            longer = len(other_columns) > len(columns)
            if other != name and longer and other_columns[: len(columns)] == columns:
                out.append(f"{name} ({', '.join(columns)}) is served by {other} ({', '.join(other_columns)})")
                break
    return out


@pytest.mark.parametrize("model", VOLUME_MODELS, ids=lambda m: m.__name__)
def test_no_index_another_index_already_serves(model):
    assert _redundant(model._meta.db_table) == []


def test_the_composite_still_serves_each_foreign_key():
    # Dropping the single-column index must not leave a foreign key with no index at all: deleting
    # or protecting a parent looks rows up by it.
    for model, field in [
        (Episode, "person"),
        (Episode, "team"),
        (Episode, "site"),
        (Episode, "allocated_worker"),
        (EpisodeStatus, "episode"),
        (Contact, "episode"),
        (Task, "episode"),
        (Task, "owner"),
        (Assessment, "episode"),
        (Need, "assessment"),
        (PlanOrder, "assessment"),
        (PlanAction, "episode"),
        (Referral, "episode"),
        (Referral, "team"),
        (Referral, "service"),
        (ReferralStatus, "referral"),
        (Appointment, "episode"),
        (MatchKey, "person"),
    ]:
        column = model._meta.get_field(field).column
        leading = {columns[0] for columns, _ in _indexes(model._meta.db_table).values()}
        assert column in leading, f"{model.__name__}.{field} has no index that starts with it"
