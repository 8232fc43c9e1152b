"""The audit log is append-only and tamper-evident: a changed, removed or truncated event is detected."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from liaison.core.audit import audit, verify_chain
from liaison.core.models import AuditEvent


@pytest.fixture
def chain(practitioner, person_a):
    for n in range(5):
        audit(
            actor=practitioner, action="person.view", person_id=person_a.pk, object_type="person", object_id=n
        )
    return list(AuditEvent.objects.order_by("id"))


def _raw(sql: str, params: list) -> None:
    """Tamper as someone with database access would: around the app and, on PostgreSQL, the trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


def test_intact_chain_verifies(chain, capsys):
    assert list(verify_chain()) == []
    call_command("audit_verify")
    assert "chain intact" in capsys.readouterr().out


def test_changed_event_is_detected(chain):
    victim = chain[2]
    _raw("UPDATE core_auditevent SET action = %s WHERE id = %s", ["person.nothing", victim.id])
    problems = list(verify_chain())
    assert [p.event_id for p in problems] == [victim.id]
    with pytest.raises(CommandError, match="FAILED"):
        call_command("audit_verify")


def test_removed_event_is_detected(chain):
    victim = chain[1]
    _raw("DELETE FROM core_auditevent WHERE id = %s", [victim.id])
    problems = list(verify_chain())
    assert problems and problems[0].event_id == victim.id


def test_removed_newest_event_is_detected(chain):
    _raw("DELETE FROM core_auditevent WHERE id = %s", [chain[-1].id])
    assert list(verify_chain())


def test_rewritten_hash_still_breaks_the_chain(chain):
    """Recomputing one row's own hash is not enough: the next row still points at the old one."""
    from liaison.core.audit import event_hash

    victim = chain[2]
    victim.reason = "edited"
    victim.hash = event_hash(victim)
    _raw(
        "UPDATE core_auditevent SET reason = %s, hash = %s WHERE id = %s",
        [victim.reason, victim.hash, victim.id],
    )
    assert [p.event_id for p in verify_chain()] == [chain[3].id]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
@pytest.mark.parametrize("sql", ["UPDATE core_auditevent SET action = 'x'", "DELETE FROM core_auditevent"])
def test_postgresql_refuses_update_and_delete(chain, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AuditEvent.objects.count() == len(chain)
