"""The tables that grow by millions keep no index another index already serves.

Django gives every foreign key its own index. Where a composite index starts with the same column
(Task's (episode, done_at, due) for Task.episode, say), the single-column one answers no query the
composite cannot, and costs a write on every insert: 3.65 million status rows, 5.9 million needs
at national scale. Those foreign keys say db_index=False; this holds them to it, on both engines.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, models

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


def _unindexed_foreign_keys() -> list[tuple[type, models.ForeignKey]]:
    return [
        (model, field)
        for model in VOLUME_MODELS
        for field in model._meta.get_fields()
        if isinstance(field, models.ForeignKey) and not field.db_index
    ]


def test_every_foreign_key_without_its_own_index_leads_a_whole_index():
    # Dropping the single-column index must not leave a foreign key with no index at all: deleting
    # or protecting a parent looks rows up by it. A partial index (one with a condition) serves only
    # some rows, so it does not count.
    keys = _unindexed_foreign_keys()
    assert len(keys) == 20
    for model, field in keys:
        leading = {index.fields[0].lstrip("-") for index in model._meta.indexes if index.condition is None}
        leading |= {
            c.fields[0]
            for c in model._meta.constraints
            if isinstance(c, models.UniqueConstraint) and c.condition is None and c.fields
        }
        assert field.name in leading, f"{model.__name__}.{field.name} leads no whole index"


@pytest.mark.parametrize(
    "model",
    [m for m in apps.get_models() if m.__module__.startswith("liaison.")],
    ids=lambda m: m.__name__,
)
def test_every_declared_index_and_constraint_is_in_the_database(model):
    # Migrations that alter a field can drop more than they say: on PostgreSQL, taking db_index off
    # Assessment.episode also dropped the partial unique index behind "one draft per episode".
    with connection.cursor() as cursor:
        present = set(connection.introspection.get_constraints(cursor, model._meta.db_table))
    declared = {c.name for c in model._meta.constraints} | {i.name for i in model._meta.indexes}
    assert declared - present == set()
