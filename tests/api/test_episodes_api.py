"""Episodes, arrivals, stage moves, contacts and tasks over the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from liaison.core.models import AuditEvent, Membership, Role
from liaison.episodes.models import Contact, Episode, EpisodeStatus, Task
from liaison.people.models import Person
from tests.api.conftest import (
    episode_body,
    fields,
    get,
    nhs_number,
    patch,
    person_body,
    post,
    problem,
    token_client,
)
from tests.factories import EpisodeFactory, PersonFactory, SiteFactory, TeamFactory, member

EPISODE_OUTPUT = {
    "id",
    "version",
    "person_id",
    "team_id",
    "site_id",
    "pathway_point",
    "referral_source",
    "offence_category",
    "custody_number",
    "arrival_at",
    "identified_at",
    "screened_at",
    "assessed_at",
    "support_at",
    "closed_at",
    "allocated_worker_id",
    "stage",
    "closure_reason",
    "justice_outcome",
    "age_group",
}


def test_arrival_creates_the_person_and_their_first_episode(
    practitioner_client, practitioner, site_a, team_a
):
    arrival_at = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0)
    today = timezone.localdate()
    seventeen = dt.date(today.year - 17, today.month, min(today.day, 28)) - dt.timedelta(days=30)
    response = post(
        practitioner_client,
        "/arrivals",
        {
            "person": person_body(date_of_birth=seventeen.isoformat()),
            "episode": episode_body(site_a, arrival_at=arrival_at.isoformat(), custody_number="NT/123/25"),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["person"]["family_name"] == "Okafor"
    assert set(body["episode"]) == EPISODE_OUTPUT
    episode = Episode.objects.get(pk=body["episode"]["id"])
    assert episode.person_id == body["person"]["id"]
    assert (episode.team_id, episode.site_id, episode.stage) == (team_a.pk, site_a.pk, "identified")
    assert body["episode"]["age_group"] == "youth"  # 17 on the day of arrival
    assert dt.datetime.fromisoformat(body["episode"]["arrival_at"]) == arrival_at
    # The new person is now visible to the team through the episode.
    assert get(practitioner_client, f"/people/{body['person']['id']}").status_code == 200


def test_an_arrival_is_a_dozen_statements_with_no_savepoints(practitioner, site_a):
    """The intake path: one transaction, its checks before its writes, its two events chained
    together at the end (docs/performance.md)."""
    client = token_client(practitioner)
    for serial in (1, 31):  # the second after any per-process cache is warm
        body = {"person": person_body(nhs_number=nhs_number(serial)), "episode": episode_body(site_a)}
        with CaptureQueriesContext(connection) as queries:
            response = post(client, "/arrivals", body)
        assert response.status_code == 201, response.content
    statements = [q["sql"] for q in queries.captured_queries]
    # The test's own transaction turns the outermost BEGIN/COMMIT into one savepoint and its release.
    assert sum("SAVEPOINT" in sql for sql in statements) == 2, statements
    # The token (with its user), the memberships (with their teams), the site; the writes.
    assert len(statements) <= 12, statements
    assert AuditEvent.objects.filter(action__in=["person.create", "episode.create"]).count() == 4


def test_arrival_names_every_bad_field_in_both_parts_and_saves_nothing(practitioner_client, site_b):
    response = post(
        practitioner_client,
        "/arrivals",
        {
            "person": person_body(given_name="  ", nhs_number="9434765918"),
            "episode": episode_body(site_b, referral_source="ZZ"),
        },
    )
    body = problem(response, 422)
    assert fields(body) == {
        "person.given_name",
        "person.nhs_number",
        "episode.site_id",
        "episode.referral_source",
    }
    assert not Person.objects.exists()
    assert not Episode.objects.exists()


def test_create_episode_for_a_person_the_team_already_knows(practitioner_client, person_a, site_a):
    response = post(practitioner_client, "/episodes", {"person_id": person_a.pk, **episode_body(site_a)})
    assert response.status_code == 201, response.content
    assert response.json()["person_id"] == person_a.pk
    assert person_a.episodes.count() == 2


def test_a_user_in_two_teams_must_say_which_team(practitioner, person_a, site_a):
    other = TeamFactory(code="team-c")
    SiteFactory(team=other)
    Membership.objects.create(user=practitioner, team=other, role=Role.PRACTITIONER)
    client = Client()
    client.force_login(practitioner)
    body = {"person_id": person_a.pk, **episode_body(site_a)}
    assert fields(problem(post(client, "/episodes", body), 422)) == {"team_id"}
    assert post(client, "/episodes", {**body, "team_id": site_a.team_id}).status_code == 201


def test_asking_for_a_team_where_your_role_cannot_create_is_403(practitioner, person_a, site_a, team_b):
    Membership.objects.create(user=practitioner, team=team_b, role=Role.COMMISSIONER)
    client = Client()
    client.force_login(practitioner)
    body = {"person_id": person_a.pk, "team_id": team_b.pk, **episode_body(site_a)}
    problem(post(client, "/episodes", body), 403)


def test_get_episode_returns_every_output_field(practitioner_client, episode_a):
    response = get(practitioner_client, f"/episodes/{episode_a.pk}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == EPISODE_OUTPUT
    assert (body["id"], body["person_id"], body["stage"]) == (episode_a.pk, episode_a.person_id, "identified")
    assert AuditEvent.objects.filter(action="episode.view", object_id=str(episode_a.pk)).exists()


def test_patch_episode_updates_details_and_refuses_a_stale_version(practitioner_client, episode_a, team_lead):
    response = patch(
        practitioner_client,
        f"/episodes/{episode_a.pk}",
        {"version": 1, "offence_category": "theft", "allocated_worker_id": team_lead.pk},
    )
    assert response.status_code == 200, response.content
    assert (response.json()["offence_category"], response.json()["version"]) == ("theft", 2)
    stale = problem(
        patch(practitioner_client, f"/episodes/{episode_a.pk}", {"version": 1, "custody_number": "X"}), 409
    )
    assert stale["current_version"] == 2
    episode_a.refresh_from_db()
    assert (episode_a.custody_number, episode_a.allocated_worker_id) == ("", team_lead.pk)


def test_patch_episode_cannot_allocate_to_someone_outside_the_team(practitioner_client, episode_a, outsider):
    body = problem(
        patch(
            practitioner_client,
            f"/episodes/{episode_a.pk}",
            {"version": 1, "allocated_worker_id": outsider.pk},
        ),
        422,
    )
    assert fields(body) == {"allocated_worker_id"}


def test_stage_moves_forward_and_closing_needs_a_reason(practitioner_client, episode_a):
    moved = post(practitioner_client, f"/episodes/{episode_a.pk}/stage", {"version": 1, "stage": "screened"})
    assert moved.status_code == 200, moved.content
    assert (moved.json()["stage"], moved.json()["version"]) == ("screened", 2)
    assert moved.json()["screened_at"] is not None
    skipped = post(practitioner_client, f"/episodes/{episode_a.pk}/stage", {"version": 2, "stage": "support"})
    assert fields(problem(skipped, 422)) == {"stage"}
    no_reason = post(
        practitioner_client, f"/episodes/{episode_a.pk}/stage", {"version": 2, "stage": "closed"}
    )
    assert fields(problem(no_reason, 422)) == {"closure_reason"}
    closed = post(
        practitioner_client,
        f"/episodes/{episode_a.pk}/stage",
        {"version": 2, "stage": "closed", "closure_reason": "connected", "justice_outcome": "nfa"},
    )
    assert closed.status_code == 200
    assert [s.stage for s in EpisodeStatus.objects.filter(episode=episode_a)] == [
        "identified",
        "screened",
        "closed",
    ]


def test_stage_move_with_a_stale_version_is_409(practitioner_client, episode_a):
    problem(
        post(practitioner_client, f"/episodes/{episode_a.pk}/stage", {"version": 7, "stage": "screened"}), 409
    )
    episode_a.refresh_from_db()
    assert episode_a.stage == "identified"


def test_support_worker_cannot_move_a_stage(support_worker, episode_a):
    client = Client()
    client.force_login(support_worker)
    problem(post(client, f"/episodes/{episode_a.pk}/stage", {"version": 1, "stage": "screened"}), 403)


def test_episode_list_is_scoped_newest_first_and_audited(practitioner_client, practitioner, site_a, site_b):
    now = timezone.now()
    older = EpisodeFactory(site=site_a, arrival_at=now - dt.timedelta(days=2))
    newer = EpisodeFactory(site=site_a, arrival_at=now - dt.timedelta(hours=1))
    EpisodeFactory(site=site_b)  # another team's person
    response = get(practitioner_client, "/episodes")
    assert [e["id"] for e in response.json()["items"]] == [newer.pk, older.pk]
    event = AuditEvent.objects.get(action="episode.list")
    assert event.detail["episode_ids"] == [newer.pk, older.pk]
    assert event.detail["person_ids"] == sorted([newer.person_id, older.person_id])


def test_episode_list_filters_by_stage_and_person(practitioner_client, site_a):
    screened = EpisodeFactory(site=site_a, stage="screened")
    EpisodeFactory(site=site_a)
    assert [e["id"] for e in get(practitioner_client, "/episodes?stage=screened").json()["items"]] == [
        screened.pk
    ]
    by_person = get(practitioner_client, f"/episodes?person_id={screened.person_id}").json()["items"]
    assert [e["id"] for e in by_person] == [screened.pk]


def test_episode_list_pages_do_not_repeat_when_arrivals_share_a_time(practitioner_client, site_a):
    same_time = timezone.now() - dt.timedelta(hours=5)
    created = {EpisodeFactory(site=site_a, arrival_at=same_time).pk for _ in range(7)}
    seen, cursor = [], None
    while True:
        body = get(practitioner_client, "/episodes?limit=2" + (f"&cursor={cursor}" if cursor else "")).json()
        seen += [e["id"] for e in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == created


@pytest.mark.parametrize("count", [5, 30])
def test_episode_list_runs_a_bounded_number_of_queries(
    practitioner_client, site_a, count, django_assert_max_num_queries
):
    for _ in range(count):
        EpisodeFactory(site=site_a, person=PersonFactory())
    with django_assert_max_num_queries(14):  # one is the session's second-factor device, fixed
        response = get(practitioner_client, "/episodes?limit=100")
    assert len(response.json()["items"]) == count


# --- contacts ---------------------------------------------------------------------------------------


def test_log_a_contact_then_read_it_alone_and_in_the_list(practitioner_client, practitioner, episode_a):
    at = (timezone.now() - dt.timedelta(minutes=30)).isoformat()
    created = post(
        practitioner_client,
        f"/episodes/{episode_a.pk}/contacts",
        {"channel": "phone", "successful": False, "at": at, "note": "No answer"},
    )
    assert created.status_code == 201, created.content
    contact = created.json()
    assert (contact["channel"], contact["successful"], contact["by_id"], contact["version"]) == (
        "phone",
        False,
        practitioner.pk,
        1,
    )
    assert get(practitioner_client, f"/contacts/{contact['id']}").json() == contact
    listed = get(practitioner_client, f"/episodes/{episode_a.pk}/contacts").json()
    assert [c["id"] for c in listed["items"]] == [contact["id"]]
    assert AuditEvent.objects.filter(action="contact.list").count() == 1


def test_contact_needs_a_known_channel(practitioner_client, episode_a):
    response = post(
        practitioner_client,
        f"/episodes/{episode_a.pk}/contacts",
        {"channel": "carrier pigeon", "successful": True},
    )
    assert fields(problem(response, 422)) == {"channel"}
    assert not Contact.objects.exists()


# --- tasks ------------------------------------------------------------------------------------------


def test_add_a_task_list_it_and_complete_it(practitioner_client, practitioner, episode_a):
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    created = post(
        practitioner_client, f"/episodes/{episode_a.pk}/tasks", {"title": "Phone the GP", "due": due}
    )
    assert created.status_code == 201, created.content
    task = created.json()
    assert (task["title"], task["due"], task["owner_id"], task["done_at"]) == (
        "Phone the GP",
        due,
        practitioner.pk,
        None,
    )
    assert get(practitioner_client, f"/tasks/{task['id']}").json() == task
    assert [
        t["id"]
        for t in get(practitioner_client, f"/episodes/{episode_a.pk}/tasks?done=false").json()["items"]
    ] == [task["id"]]
    done = post(practitioner_client, f"/tasks/{task['id']}/complete", {"version": 1})
    assert done.status_code == 200, done.content
    assert done.json()["done_by_id"] == practitioner.pk
    assert done.json()["version"] == 2
    assert get(practitioner_client, f"/episodes/{episode_a.pk}/tasks?done=false").json()["items"] == []


def test_completing_with_a_stale_version_is_409_and_leaves_the_task_open(practitioner_client, task_a):
    body = problem(post(practitioner_client, f"/tasks/{task_a.pk}/complete", {"version": 3}), 409)
    assert body["current_version"] == 1
    task_a.refresh_from_db()
    assert task_a.done_at is None


def test_a_task_owner_must_be_in_the_episode_team(practitioner_client, episode_a, outsider):
    due = timezone.localdate().isoformat()
    body = {"title": "Chase referral", "due": due, "owner_id": outsider.pk}
    assert fields(problem(post(practitioner_client, f"/episodes/{episode_a.pk}/tasks", body), 422)) == {
        "owner_id"
    }
    assert not Task.objects.exists()


def test_any_clinical_role_may_log_contacts_and_tasks(episode_a, team_a):
    adviser = member(team_a, Role.ADVISER)
    client = Client()
    client.force_login(adviser)
    contact = post(client, f"/episodes/{episode_a.pk}/contacts", {"channel": "in_person", "successful": True})
    assert contact.status_code == 201
