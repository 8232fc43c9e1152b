"""Real concurrent requests, each on its own thread and database connection.

These run with transaction=True: the threads must see each other's committed rows, as two
app servers would. They pass on SQLite (IMMEDIATE transactions queue the writers) and on
PostgreSQL (the second UPDATE waits for the first row lock, then finds the version moved on).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from liaison.core.audit import verify_chain
from liaison.core.models import AuditEvent, IdempotencyRecord
from liaison.episodes.models import Episode
from liaison.matching.models import MatchKey
from liaison.people.models import Person
from tests.api.conftest import episode_body, nhs_number, patch, person_body, post


def _in_memory_sqlite() -> bool:
    database = settings.DATABASES["default"]
    name = str((database.get("TEST") or {}).get("NAME") or ":memory:")
    return database["ENGINE"].endswith("sqlite3") and (name == ":memory:" or "mode=memory" in name)


# An in-memory SQLite database shared between threads uses table locks that fail at once
# ("database table is locked") instead of waiting, so it cannot stand in for two app servers.
# The settings must give SQLite a file-based test database: DATABASES["default"]["TEST"]["NAME"].
pytestmark = pytest.mark.skipif(
    _in_memory_sqlite(),
    reason="concurrent requests need a file-based SQLite test database (DATABASES TEST NAME) or PostgreSQL",
)


def _together(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at the same moment on separate threads; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection; leave none open

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db(transaction=True)
def test_two_editors_with_the_same_version_one_saves_and_the_other_gets_409(
    practitioner, team_lead, person_a
):
    first, second = _logged_in(practitioner), _logged_in(team_lead)
    path = f"/people/{person_a.pk}"
    responses = _together(
        lambda: patch(first, path, {"version": 1, "preferred_name": "Al"}),
        lambda: patch(second, path, {"version": 1, "preferred_name": "Lex"}),
    )
    assert sorted(r.status_code for r in responses) == [200, 409]
    winner = next(r for r in responses if r.status_code == 200).json()
    loser = next(r for r in responses if r.status_code == 409).json()
    assert loser["current_version"] == 2
    person_a.refresh_from_db()
    assert person_a.version == 2
    assert person_a.preferred_name == winner["preferred_name"]
    assert AuditEvent.objects.filter(action="person.update").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_post_sent_twice_at_once_creates_one_person(practitioner):
    one, two = _logged_in(practitioner), _logged_in(practitioner)
    key = {"Idempotency-Key": "c0ffee00-0000-4000-8000-000000000001"}
    responses = _together(
        lambda: post(one, "/people", person_body(), **key),
        lambda: post(two, "/people", person_body(), **key),
    )
    statuses = sorted(r.status_code for r in responses)
    # The loser either waited and replayed the stored answer, or was told the first is in progress.
    assert statuses in ([201, 201], [201, 409])
    assert Person.objects.count() == 1
    assert IdempotencyRecord.objects.get().status_code == 201
    if statuses == [201, 201]:
        assert responses[0].content == responses[1].content


@pytest.mark.django_db(transaction=True)
def test_arrivals_at_the_same_moment_all_land_with_the_audit_chain_whole(practitioner, site_a):
    clients = [_logged_in(practitioner) for _ in range(6)]

    def arrive(index: int) -> Any:
        body = {
            "person": person_body(family_name=f"Concurrent{index}", nhs_number=nhs_number(100 + 30 * index)),
            "episode": episode_body(site_a),
        }
        return lambda: post(clients[index], "/arrivals", body)

    responses = _together(*(arrive(i) for i in range(6)))
    assert [r.status_code for r in responses] == [201] * 6, [r.content for r in responses]
    assert Episode.objects.count() == 6
    events = list(AuditEvent.objects.filter(action__in=["person.create", "episode.create"]).order_by("id"))
    assert len(events) == 12
    # Each arrival's two events are next to each other in the chain (one batch each).
    for first, second in zip(events[::2], events[1::2], strict=True):
        assert (first.action, second.action) == ("person.create", "episode.create")
        assert second.id == first.id + 1 and first.person_id == second.person_id
    assert list(verify_chain()) == []


def _held_group_commit(monkeypatch, *, queued: int, spoil: str = "") -> dict[str, Any]:
    """Hold the first arrival's transaction open until `queued` more arrivals wait behind it, so
    they are written together next. `spoil`: the family name of one arrival whose episode then
    points at a site that does not exist — a failure the database finds only at commit."""
    from liaison.episodes import services

    group_commit = services._ARRIVALS
    real_write = group_commit._write
    seen: dict[str, Any] = {"groups": [], "writing": threading.Event()}

    def write(arrivals):
        seen["groups"].append(sorted(a.person.family_name for a in arrivals))
        seen["writing"].set()
        for arrival in arrivals:
            if arrival.person.family_name == spoil:
                arrival.episode.site_id = 2**31 - 1
        if len(seen["groups"]) == 1:
            deadline = time.monotonic() + 10
            while len(group_commit._queue) < queued and time.monotonic() < deadline:
                time.sleep(0.005)
        real_write(arrivals)

    monkeypatch.setattr(group_commit, "_write", write)
    return seen


def _arrivals_in_turn(practitioner, site_a, names: list[str], writing: threading.Event) -> list[Any]:
    """The first arrival starts alone; the others are sent once it is being written."""
    clients = [Client(raise_request_exception=False) for _ in names]
    for client in clients:
        client.force_login(practitioner)
    results: list[Any] = [None] * len(names)

    def arrive(index: int) -> None:
        try:
            body = {
                "person": person_body(family_name=names[index], nhs_number=nhs_number(300 + 30 * index)),
                "episode": episode_body(site_a),
            }
            results[index] = post(clients[index], "/arrivals", body)
        finally:
            connection.close()

    first = threading.Thread(target=arrive, args=(0,), daemon=True)
    first.start()
    assert writing.wait(30)  # the first is inside its write (held there until the rest queue)
    rest = [threading.Thread(target=arrive, args=(i,), daemon=True) for i in range(1, len(names))]
    for thread in rest:
        thread.start()
    for thread in [first, *rest]:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in [first, *rest]), "an arrival never returned"
    return results


@pytest.mark.django_db(transaction=True)
def test_arrivals_that_queue_behind_a_write_share_one_transaction_and_each_gets_its_own_record(
    monkeypatch, practitioner, site_a
):
    names = ["Grouped0", "Grouped1", "Grouped2", "Grouped3", "Grouped4"]
    seen = _held_group_commit(monkeypatch, queued=4)
    responses = _arrivals_in_turn(practitioner, site_a, names, seen["writing"])
    assert seen["groups"] == [["Grouped0"], ["Grouped1", "Grouped2", "Grouped3", "Grouped4"]]
    assert [r.status_code for r in responses] == [201] * 5, [r.content for r in responses]
    for name, response in zip(names, responses, strict=True):
        body = response.json()
        person = Person.objects.get(pk=body["person"]["id"])
        assert person.family_name == name == body["person"]["family_name"]
        episode = Episode.objects.get(pk=body["episode"]["id"])
        assert episode.person_id == person.pk and episode.statuses.count() == 1
        assert MatchKey.objects.filter(person=person).exists()
    events = list(AuditEvent.objects.filter(action__in=["person.create", "episode.create"]).order_by("id"))
    assert len(events) == 10
    for first, second in zip(events[::2], events[1::2], strict=True):
        assert (first.action, second.action) == ("person.create", "episode.create")
        assert first.person_id == second.person_id
        assert second.object_id == str(Episode.objects.get(person_id=first.person_id).pk)
    assert list(verify_chain()) == []


@pytest.mark.django_db(transaction=True)
def test_an_arrival_that_fails_at_commit_fails_alone_and_leaves_nothing_behind(
    monkeypatch, practitioner, site_a
):
    names = ["Fine0", "Fine1", "Broken", "Fine3"]
    seen = _held_group_commit(monkeypatch, queued=3, spoil="Broken")
    responses = _arrivals_in_turn(practitioner, site_a, names, seen["writing"])
    # The group of three failed at commit (the bad site), then each was written alone.
    assert seen["groups"][:2] == [["Fine0"], ["Broken", "Fine1", "Fine3"]]
    assert sorted(map(tuple, seen["groups"][2:])) == [("Broken",), ("Fine1",), ("Fine3",)]
    assert [r.status_code for r in responses] == [201, 201, 500, 201]
    for name, response in zip(names, responses, strict=True):
        if response.status_code == 201:  # each told the ids its own records have
            body = response.json()
            assert Person.objects.get(pk=body["person"]["id"]).family_name == name
            assert Episode.objects.get(pk=body["episode"]["id"]).person_id == body["person"]["id"]
    assert sorted(Person.objects.values_list("family_name", flat=True)) == ["Fine0", "Fine1", "Fine3"]
    assert Episode.objects.count() == 3
    assert not MatchKey.objects.exclude(person__in=Person.objects.all()).exists()
    assert AuditEvent.objects.filter(action__in=["person.create", "episode.create"]).count() == 6
    assert list(verify_chain()) == []
