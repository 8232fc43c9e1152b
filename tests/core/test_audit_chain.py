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


def test_removed_tail_with_head_moved_back_is_caught_by_a_checkpoint(chain):
    """The chain alone cannot see its newest events removed together with the head moved back;
    a checkpoint recorded outside the database can."""
    checkpoint = (chain[-1].id, chain[-1].hash)
    _raw("DELETE FROM core_auditevent WHERE id >= %s", [chain[3].id])
    _raw("UPDATE core_auditchainhead SET last_event_id = %s, last_hash = %s", [chain[2].id, chain[2].hash])
    assert list(verify_chain()) == []  # the limit of a chain with no outside anchor
    problems = list(verify_chain(checkpoint=checkpoint))
    assert [p.event_id for p in problems] == [chain[-1].id]
    with pytest.raises(CommandError, match="FAILED"):
        call_command("audit_verify", checkpoint=[f"{checkpoint[0]}:{checkpoint[1]}"])


def test_checkpoint_printed_by_a_run_verifies_on_the_next(chain, capsys):
    call_command("audit_verify")
    line = [x for x in capsys.readouterr().out.splitlines() if x.startswith("checkpoint: ")][0]
    call_command("audit_verify", checkpoint=[line.removeprefix("checkpoint: ")])


def test_deleted_chain_head_is_detected(chain):
    _raw("DELETE FROM core_auditchainhead", [])
    assert [p.problem for p in verify_chain()] == ["the chain head is missing (it was deleted)"]


def test_chain_recomputed_without_the_key_does_not_verify(chain, settings):
    """Someone who rewrites events and recomputes every hash without the audit key is caught."""
    from liaison.core.audit import event_hash

    settings.AUDIT_KEY = "a key the attacker guessed"
    prev = "0" * 64
    rows = []
    for event in chain:
        event.prev_hash = prev
        event.reason = "rewritten"
        event.hash = event_hash(event)
        prev = event.hash
        rows.append(event)
    for event in rows:
        _raw(
            "UPDATE core_auditevent SET reason = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [event.reason, event.prev_hash, event.hash, event.id],
        )
    _raw("UPDATE core_auditchainhead SET last_hash = %s", [prev])
    settings.AUDIT_KEY = "the real key"
    assert list(verify_chain())


def test_people_shown_in_a_list_are_indexed_for_who_viewed(practitioner, person_a):
    from liaison.core.models import AuditEventPerson

    event = audit(actor=practitioner, action="worklist.view", person_ids=[person_a.pk, person_a.pk, 999])
    assert event.detail["person_ids"] == sorted({person_a.pk, 999})
    assert set(AuditEventPerson.objects.filter(event_id=event.id).values_list("person_id", flat=True)) == {
        person_a.pk,
        999,
    }
    assert list(verify_chain()) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the audit guards are PostgreSQL triggers")
@pytest.mark.parametrize(
    "sql",
    [
        "TRUNCATE core_auditevent",
        "TRUNCATE core_auditeventperson",
        "TRUNCATE core_auditchainhead",
        "DELETE FROM core_auditchainhead",
        "UPDATE core_auditchainhead SET last_event_id = last_event_id - 1",
        "DELETE FROM core_auditeventperson",
    ],
)
def test_postgresql_refuses_truncate_and_moving_the_head_back(chain, practitioner, sql):
    audit(actor=practitioner, action="worklist.view", person_ids=[1])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL liaison.audit_maintenance = 'off'")
        cursor.execute(sql)
    assert AuditEvent.objects.count() == len(chain) + 1
