"""Audit events written in a batch (the intake path): chained together at the end of the transaction,
in the order they were raised, under one hold of the chain-head lock — and never lost or half-kept."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaison.core.audit import audit, audit_batch, verify_chain
from liaison.core.models import AuditEvent, AuditEventPerson
from liaison.people.models import Person
from tests.factories import PersonFactory


def _view(actor, n: int, **extra):
    return audit(actor=actor, action="person.view", object_type="person", object_id=n, **extra)


def test_a_batch_chains_its_events_at_the_end_in_the_order_raised(practitioner, person_a):
    _view(practitioner, 0)
    with audit_batch():
        _view(practitioner, 1)
        _view(practitioner, 2, person_ids=[person_a.pk])
        # Not in the log yet: they join the chain when the batch ends.
        assert AuditEvent.objects.count() == 1
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.object_id for e in events] == ["0", "1", "2"]
    assert [e.id for e in events] == [events[0].id, events[0].id + 1, events[0].id + 2]
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    assert events[1].at == events[2].at >= events[0].at
    assert list(AuditEventPerson.objects.values_list("event_id", "person_id")) == [
        (events[2].id, person_a.pk)
    ]
    assert list(verify_chain()) == []


def test_a_batch_costs_three_statements_however_many_events(practitioner):
    _view(practitioner, 0)  # the chain head exists from the first event on
    with CaptureQueriesContext(connection) as queries, audit_batch():
        for n in range(5):
            _view(practitioner, n)
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 3, statements  # lock the head, insert the events, move the head
    assert AuditEvent.objects.count() == 6


def test_a_failed_batch_keeps_neither_its_writes_nor_its_events(practitioner):
    with pytest.raises(RuntimeError), audit_batch():
        person = PersonFactory()
        audit(actor=practitioner, action="person.create", person_id=person.pk, object_type="person")
        raise RuntimeError("the write after the audit failed")
    assert not AuditEvent.objects.exists()
    assert not Person.objects.exists()
    # The next event chains on as if the batch had never been.
    _view(practitioner, 1)
    assert AuditEvent.objects.count() == 1 and list(verify_chain()) == []


def test_a_batch_inside_a_batch_joins_the_outer_one(practitioner):
    with audit_batch():
        _view(practitioner, 1)
        with audit_batch():
            _view(practitioner, 2)
        assert not AuditEvent.objects.exists()
        _view(practitioner, 3)
    assert list(AuditEvent.objects.order_by("id").values_list("object_id", flat=True)) == ["1", "2", "3"]


def test_after_a_batch_events_are_written_at_once_again(practitioner):
    with audit_batch():
        _view(practitioner, 1)
    _view(practitioner, 2)
    assert AuditEvent.objects.count() == 2
    with pytest.raises(ValueError), audit_batch():
        raise ValueError("nothing audited")
    _view(practitioner, 3)
    assert AuditEvent.objects.count() == 3 and list(verify_chain()) == []
