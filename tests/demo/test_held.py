"""The national load drops its tables' secondary indexes and foreign keys and makes them again after:
the schema after a load (whole, stopped and resumed, or failed) is the schema before it."""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError
from django.db import connection

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


def _need_to_assessment_key() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'assessment_need'::regclass "
            "AND pg_get_constraintdef(oid) LIKE 'FOREIGN KEY (assessment_id) %%'"
        )
        (name,) = cursor.fetchone()
    return name


def test_a_row_without_its_parent_keeps_only_its_key_held_until_mended_and_resumed(db, monkeypatch):
    monkeypatch.setattr(national, "CHUNK", 120)  # 120 + 120 + 60: the last chunk is a short one
    before = _schema()
    key = _need_to_assessment_key()
    real_restore = held.restore
    orphan = {}

    def orphan_first(progress=None):
        # After the last chunk, while the keys are held: a need now points at no assessment.
        need = Need.objects.order_by("pk").first()
        orphan.update(pk=need.pk, assessment_id=need.assessment_id)
        Need.objects.filter(pk=need.pk).update(assessment_id=10**9)
        return real_restore(progress)

    monkeypatch.setattr(held, "restore", orphan_first)
    with pytest.raises(CommandError) as stopped:
        _seed()
    message = str(stopped.value)
    assert message.startswith("Every row is loaded, but 1 of ")
    assert key in message and "is not present in table" in message and "--resume" in message
    # Only that key is held; every other index and key was made again.
    assert [h.name for h in HeldDefinition.objects.all()] == [key]
    after = _schema()
    assert after["index"] == before["index"]
    assert {name for name, _sql in before["constraint f"] - after["constraint f"]} == {key}

    monkeypatch.setattr(held, "restore", real_restore)
    Need.objects.filter(pk=orphan["pk"]).update(assessment_id=orphan["assessment_id"])  # mended
    assert "Seeded 300 synthetic people" in _seed("--resume")  # makes the key; loads nothing again
    assert Person.objects.count() == PEOPLE
    assert _schema() == before
    assert held.held() == 0


def test_a_held_row_that_is_not_a_held_definition_is_never_run(db):
    HeldDefinition.objects.create(
        name="sneaky", table="people_person", kind="index", definition="DROP TABLE people_person"
    )
    with pytest.raises(held.NotRestored, match="sneaky on people_person: not a definition the load held"):
        held.restore()
    assert Person.objects.count() == 0 and held.held() == 1


def test_holding_is_idempotent_and_restore_with_nothing_held_does_nothing(db):
    count = held.hold(LOADED)
    assert count == held.held() > 0
    assert held.hold(LOADED) == 0  # nothing left to drop; what was held stays held
    assert held.held() == count
    assert held.restore() == count
    assert held.restore() == 0
