"""The national load drops its tables' secondary indexes and foreign keys and makes them again after:
the schema after a load (whole, stopped and resumed, or failed) is the schema before it."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection

from liaison.assessment.models import Need
from liaison.core.models import AuditEvent
from liaison.demo import held, national
from liaison.demo.models import HeldDefinition
from liaison.people.models import Person
from tests.demo.test_national import PEOPLE, _seed, stopped_load

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="only the PostgreSQL load holds indexes and keys"
)

LOADED = [model for _label, model in national.TABLES] + [AuditEvent]


def _schema() -> dict[str, set[tuple[str, str]]]:
    """Every index and constraint on the loaded tables, by kind: (name, definition)."""
    tables = [m._meta.db_table for m in LOADED]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT CASE WHEN x.indisprimary THEN 'primary' WHEN x.indisunique THEN 'unique'
                        ELSE 'index' END, i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = ANY(%s::regclass[])
            UNION ALL
            SELECT 'constraint ' || c.contype::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c WHERE c.conrelid = ANY(%s::regclass[])
            """,
            [tables, tables],
        )
        schema: dict[str, set[tuple[str, str]]] = {}
        for kind, name, definition in cursor.fetchall():
            schema.setdefault(kind, set()).add((name, definition))
    return schema


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(national, "CHUNK", 100)


def test_the_schema_after_a_load_is_the_schema_before_it(db, small_chunks):
    before = _schema()
    # Something to hold: the loaded tables have plain indexes and foreign keys, every one made again.
    assert len(before["index"]) > 20 and len(before["constraint f"]) > 20
    assert "Seeded 300 synthetic people" in _seed()
    assert _schema() == before
    assert not HeldDefinition.objects.exists()


def test_a_stopped_load_holds_only_plain_indexes_and_keys_and_its_resume_makes_them(
    db, small_chunks, monkeypatch
):
    before = _schema()
    stopped_load(monkeypatch, at=1)
    stopped = _schema()
    assert "index" not in stopped and "constraint f" not in stopped
    # Primary keys, unique indexes and unique and check constraints stay through the load.
    assert {kind: defs for kind, defs in before.items() if kind not in ("index", "constraint f")} == stopped
    held_now = {(h.name, h.definition) for h in HeldDefinition.objects.all()}
    assert held_now == before["index"] | before["constraint f"]
    assert held.held() == len(held_now)

    assert "Seeded 300 synthetic people" in _seed("--resume")
    assert Person.objects.count() == PEOPLE
    assert _schema() == before
    assert held.held() == 0


def test_a_row_without_its_parent_stops_the_key_coming_back_and_stays_held(db, small_chunks, monkeypatch):
    before = _schema()
    stopped_load(monkeypatch, at=1)
    # While the keys are held, a need is pointed at an assessment that does not exist.
    orphan = Need.objects.first()
    Need.objects.filter(pk=orphan.pk).update(assessment_id=10**9)
    with pytest.raises(IntegrityError, match="assessment"):
        _seed("--resume")
    # The failed key is still held, not lost; the indexes made before it are back.
    still = {h.name for h in HeldDefinition.objects.all()}
    need_keys = {name for name, sql in before["constraint f"] if "assessment_assessment" in sql}
    assert still & need_keys
    assert "index" in _schema() and before["index"] <= _schema()["index"]


def test_holding_is_idempotent_and_restore_with_nothing_held_does_nothing(db):
    count = held.hold(LOADED)
    assert count == held.held() > 0
    assert held.hold(LOADED) == 0  # nothing left to drop; what was held stays held
    assert held.held() == count
    assert held.restore() == count
    assert held.restore() == 0
