"""Who may see and change what: another team's records answer 404 (audited), other roles 403."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from liaison.core.models import AuditEvent, BreakGlass
from liaison.episodes.models import Contact, Episode, EpisodeStatus, Task
from tests.api.conftest import episode_body, get, patch, person_body, post, problem, send


def _routes(person, episode, contact, task, site) -> list[tuple[str, str, dict | None]]:
    today = timezone.localdate().isoformat()
    return [
        ("GET", f"/people/{person.pk}", None),
        ("PATCH", f"/people/{person.pk}", {"version": 1, "given_name": "Changed"}),
        ("POST", "/episodes", {"person_id": person.pk, **episode_body(site)}),
        ("GET", f"/episodes/{episode.pk}", None),
        ("PATCH", f"/episodes/{episode.pk}", {"version": 1, "custody_number": "X1"}),
        ("POST", f"/episodes/{episode.pk}/stage", {"version": 1, "stage": "screened"}),
        ("GET", f"/episodes/{episode.pk}/contacts", None),
        ("POST", f"/episodes/{episode.pk}/contacts", {"channel": "phone", "successful": True}),
        ("GET", f"/contacts/{contact.pk}", None),
        ("GET", f"/episodes/{episode.pk}/tasks", None),
        ("POST", f"/episodes/{episode.pk}/tasks", {"title": "Snoop", "due": today}),
        ("GET", f"/tasks/{task.pk}", None),
        ("POST", f"/tasks/{task.pk}/complete", {"version": 1}),
    ]


ROUTE_NAMES = [
    "get person",
    "patch person",
    "open episode for person",
    "get episode",
    "patch episode",
    "move stage",
    "list contacts",
    "log contact",
    "get contact",
    "list tasks",
    "add task",
    "get task",
    "complete task",
]


def _snapshot(person, episode, task) -> tuple:
    person.refresh_from_db()
    episode.refresh_from_db()
    task.refresh_from_db()
    return (
        person.version,
        episode.version,
        task.version,
        Episode.objects.count(),
        EpisodeStatus.objects.count(),
        Contact.objects.count(),
        Task.objects.count(),
    )


@pytest.mark.parametrize("index", range(len(ROUTE_NAMES)), ids=ROUTE_NAMES)
def test_outsider_gets_404_on_every_route_and_is_audited(
    outsider_client, outsider, person_a, episode_a, contact_a, task_a, site_b, index
):
    method, path, body = _routes(person_a, episode_a, contact_a, task_a, site_b)[index]
    before = _snapshot(person_a, episode_a, task_a)
    response = send(outsider_client, method, path, body)
    problem(response, 404)
    denied = AuditEvent.objects.filter(action="access.denied", actor_id=outsider.pk)
    assert denied.count() == 1
    assert denied.get().person_id == person_a.pk
    assert not AuditEvent.objects.filter(actor_id=outsider.pk).exclude(action="access.denied").exists()
    assert _snapshot(person_a, episode_a, task_a) == before


def test_not_yours_and_missing_read_the_same(outsider_client, person_a):
    theirs = get(outsider_client, f"/people/{person_a.pk}")
    missing = get(outsider_client, f"/people/{person_a.pk + 1000}")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()


def test_outsider_lists_show_nothing_of_team_a(outsider_client, person_a):
    assert get(outsider_client, "/people").json()["items"] == []
    assert get(outsider_client, "/episodes").json()["items"] == []
    assert post(outsider_client, "/people/search", {"q": "riv"}).json()["items"] == []


@pytest.mark.parametrize(
    "index",
    [i for i, name in enumerate(ROUTE_NAMES) if name != "open episode for person"],
    ids=[name for name in ROUTE_NAMES if name != "open episode for person"],
)
def test_commissioner_never_sees_a_person_record(
    commissioner_client, person_a, episode_a, contact_a, task_a, site_a, index
):
    method, path, body = _routes(person_a, episode_a, contact_a, task_a, site_a)[index]
    problem(send(commissioner_client, method, path, body), 404)


def test_commissioner_cannot_create_records(commissioner_client, person_a, site_a):
    problem(post(commissioner_client, "/people", person_body()), 403)
    problem(
        post(commissioner_client, "/arrivals", {"person": person_body(), "episode": episode_body(site_a)}),
        403,
    )
    problem(post(commissioner_client, "/episodes", {"person_id": person_a.pk, **episode_body(site_a)}), 403)
    assert Episode.objects.count() == 1


def test_commissioner_lists_are_empty(commissioner_client, person_a):
    assert get(commissioner_client, "/people").json() == {"items": [], "next_cursor": None}
    assert get(commissioner_client, "/episodes").json() == {"items": [], "next_cursor": None}


def test_break_glass_opens_the_record_to_an_outsider_until_it_expires(
    outsider_client, outsider, person_a, team_b
):
    grant = BreakGlass.objects.create(
        user=outsider,
        team=team_b,
        person=person_a,
        reason="Arrived at our suite unconscious; need history",
        expires_at=timezone.now() + dt.timedelta(minutes=30),
    )
    assert get(outsider_client, f"/people/{person_a.pk}").status_code == 200
    assert AuditEvent.objects.get(action="person.view").detail == {"via": "break_glass"}
    grant.expires_at = timezone.now() - dt.timedelta(seconds=1)
    grant.save()
    problem(get(outsider_client, f"/people/{person_a.pk}"), 404)


def test_patch_by_outsider_does_not_reveal_the_current_version(outsider_client, person_a):
    body = problem(patch(outsider_client, f"/people/{person_a.pk}", {"version": 99, "given_name": "X"}), 404)
    assert "current_version" not in body
