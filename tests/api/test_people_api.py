"""People over the API: create, read, correct, find; every read audited; stale edits refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from liaison.core.models import AuditEvent
from liaison.people.models import Person
from tests.api.conftest import fields, get, nhs_number, patch, person_body, pnc_id, post, problem
from tests.factories import ACCESS_GROUNDS, EpisodeFactory, PersonFactory, person_on_ground

PERSON_OUTPUT = {
    "id",
    "version",
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "gender_identity",
    "ethnicity",
    "nhs_number",
    "pnc_id",
    "local_id",
    "postcode",
    "no_fixed_abode",
    "language",
    "interpreter_needed",
    "communication_needs",
    "easy_read",
    "veteran",
    "care_leaver",
}


def test_create_person_returns_the_normalised_record_and_audits_it(practitioner_client, practitioner, team_a):
    number = nhs_number(40)
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    response = post(practitioner_client, "/people", person_body(nhs_number=spaced, postcode="ab1  2cd"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == PERSON_OUTPUT
    assert body["version"] == 1
    assert body["nhs_number"] == number
    assert body["postcode"] == "AB1 2CD"
    assert body["date_of_birth"] == "1988-02-29"
    person = Person.objects.get(pk=body["id"])
    assert person.family_name_search == "okafor"
    event = AuditEvent.objects.get(action="person.create")
    assert (event.actor_id, event.person_id, event.team_id) == (practitioner.pk, person.pk, team_a.pk)


def test_get_person_returns_every_output_field_and_audits_the_read(
    practitioner_client, practitioner, person_a
):
    response = get(practitioner_client, f"/people/{person_a.pk}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == PERSON_OUTPUT
    assert (body["id"], body["given_name"], body["family_name"]) == (person_a.pk, "Alex", "Rivers")
    assert body["version"] == person_a.version
    view = AuditEvent.objects.get(action="person.view")
    assert (view.actor_id, view.person_id) == (practitioner.pk, person_a.pk)


def test_patch_person_changes_only_the_fields_sent_and_bumps_the_version(practitioner_client, person_a):
    response = patch(
        practitioner_client,
        f"/people/{person_a.pk}",
        {"version": 1, "preferred_name": "Al", "veteran": True, "pnc_id": pnc_id().lower()},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == 2
    assert (body["preferred_name"], body["veteran"], body["pnc_id"]) == ("Al", True, pnc_id())
    person_a.refresh_from_db()
    assert (person_a.preferred_name, person_a.given_name, person_a.version) == ("Al", "Alex", 2)
    assert AuditEvent.objects.get(action="person.update").detail == {
        "fields": ["pnc_id", "preferred_name", "veteran"]
    }


def test_patch_can_clear_a_nullable_field_but_not_send_null_for_a_required_one(practitioner_client, person_a):
    cleared = patch(practitioner_client, f"/people/{person_a.pk}", {"version": 1, "date_of_birth": None})
    assert cleared.status_code == 200
    assert cleared.json()["date_of_birth"] is None
    refused = patch(practitioner_client, f"/people/{person_a.pk}", {"version": 2, "given_name": None})
    assert fields(problem(refused, 422)) == {"given_name"}
    person_a.refresh_from_db()
    assert person_a.given_name == "Alex"


def test_patch_without_a_version_is_refused_naming_it(practitioner_client, person_a):
    body = problem(patch(practitioner_client, f"/people/{person_a.pk}", {"preferred_name": "Al"}), 422)
    assert fields(body) == {"version"}


def test_stale_version_gets_409_with_the_current_version_and_changes_nothing(practitioner_client, person_a):
    assert (
        patch(
            practitioner_client, f"/people/{person_a.pk}", {"version": 1, "preferred_name": "Al"}
        ).status_code
        == 200
    )
    body = problem(
        patch(practitioner_client, f"/people/{person_a.pk}", {"version": 1, "given_name": "Alexa"}), 409
    )
    assert body["current_version"] == 2
    assert body["your_version"] == 1
    person_a.refresh_from_db()
    assert (person_a.given_name, person_a.version) == ("Alex", 2)


def test_support_worker_may_read_but_not_correct_a_person(support_worker, person_a):
    client = Client()
    client.force_login(support_worker)
    assert get(client, f"/people/{person_a.pk}").status_code == 200
    problem(patch(client, f"/people/{person_a.pk}", {"version": 1, "given_name": "Al"}), 403)
    person_a.refresh_from_db()
    assert person_a.version == 1


# --- the list ----------------------------------------------------------------------------------------


def test_people_list_shows_only_visible_people_and_is_audited_as_one_event(
    practitioner_client, practitioner, person_a, site_b
):
    EpisodeFactory(site=site_b, person=PersonFactory(family_name="Elsewhere"))
    response = get(practitioner_client, "/people")
    assert response.status_code == 200
    body = response.json()
    assert [p["id"] for p in body["items"]] == [person_a.pk]
    assert body["next_cursor"] is None
    event = AuditEvent.objects.get(action="person.list")
    assert event.actor_id == practitioner.pk
    assert event.detail["person_ids"] == [person_a.pk]
    assert not AuditEvent.objects.filter(action="person.view").exists()


def test_people_list_and_search_leave_out_records_merged_into_another(
    practitioner_client, team_lead, person_a, site_a
):
    from liaison.matching.services import person_merge

    duplicate = EpisodeFactory(site=site_a, person=PersonFactory(date_of_birth=person_a.date_of_birth)).person
    person_merge(actor=team_lead, survivor=person_a, duplicate=duplicate, reason="Same person")
    assert [p["id"] for p in get(practitioner_client, "/people").json()["items"]] == [person_a.pk]
    found = post(practitioner_client, "/people/search", {"date_of_birth": str(person_a.date_of_birth)})
    assert [p["id"] for p in found.json()["items"]] == [person_a.pk]


@pytest.fixture
def searchable(site_a):
    people = {
        "rivers": PersonFactory(given_name="Alex", family_name="Rivers", nhs_number=nhs_number(100)),
        "riviera": PersonFactory(given_name="Jo", family_name="Riviera", date_of_birth=dt.date(2001, 1, 2)),
        "alexander": PersonFactory(given_name="Morgan", family_name="Alexander", pnc_id=pnc_id("99", "4567")),
    }
    for person in people.values():
        EpisodeFactory(site=site_a, person=person)
    return people


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "riv"}, {"rivers", "riviera"}),
        ({"q": "RIV"}, {"rivers", "riviera"}),
        ({"q": "alex"}, {"rivers", "alexander"}),  # a given name or a family name
        ({"q": "alex riv"}, {"rivers"}),  # every word must match
        ({"date_of_birth": "2001-01-02"}, {"riviera"}),
        (
            {"nhs_number": " ".join([nhs_number(100)[:3], nhs_number(100)[3:6], nhs_number(100)[6:]])},
            {"rivers"},
        ),
        ({"pnc_id": "1999/0004567" + pnc_id("99", "4567")[-1].lower()}, {"alexander"}),  # normalised
    ],
)
def test_people_search_in_the_body(practitioner_client, searchable, query, expected):
    response = post(practitioner_client, "/people/search", query)
    assert response.status_code == 200, response.content
    found = {p["id"] for p in response.json()["items"]}
    assert found == {searchable[name].pk for name in expected}


@pytest.mark.parametrize(("ground", "found"), ACCESS_GROUNDS)
def test_people_search_by_name_finds_everyone_the_user_may_see_and_no_one_else(
    practitioner, practitioner_client, site_a, site_b, ground, found
):
    """The name filter intersects the people so named with core.access.visible_person_ids: on every
    ground of the access policy, the policy's answer."""
    person = PersonFactory(given_name="Rowan", family_name="Quillfeather")
    PersonFactory(given_name="Quill", family_name="Nobody")  # so named, seen by no one
    person_on_ground(ground, person, user=practitioner, own_site=site_a, other_site=site_b)
    response = post(practitioner_client, "/people/search", {"q": "quill"})
    assert response.status_code == 200, response.content
    assert [p["id"] for p in response.json()["items"]] == ([person.pk] if found else [])


def test_people_search_is_audited_with_ids_and_kinds_of_criteria_never_the_terms(
    practitioner_client, searchable
):
    post(practitioner_client, "/people/search", {"q": "riv", "date_of_birth": "2001-01-02"})
    event = AuditEvent.objects.get(action="person.search")
    assert event.detail["criteria"] == ["name", "date_of_birth"]
    assert event.detail["person_ids"] == [searchable["riviera"].pk]
    assert "riv" not in str(event.detail) and "2001" not in str(event.detail)
    assert event.team_id is not None and event.role == "practitioner"


def test_people_search_refuses_an_invalid_nhs_number(practitioner_client):
    assert fields(
        problem(post(practitioner_client, "/people/search", {"nhs_number": "1234567890"}), 422)
    ) == {"nhs_number"}


def test_search_terms_are_not_accepted_in_the_address(practitioner_client, searchable):
    """The list ignores nothing silently: it has no filters, so a name in a URL finds nothing new."""
    everyone = get(practitioner_client, "/people?limit=100").json()["items"]
    assert len(everyone) == len(searchable)


def test_cursor_pagination_walks_every_page_without_duplicates(practitioner_client, site_a):
    names = ["Adams", "Baker", "Baker", "Baker", "Clark", "Davis", "Evans", "Baker", "Adams", "Ford", "Green"]
    created = {EpisodeFactory(site=site_a, person=PersonFactory(family_name=n)).person_id for n in names}
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        response = get(practitioner_client, "/people?limit=3" + (f"&cursor={cursor}" if cursor else ""))
        assert response.status_code == 200, response.content
        body = response.json()
        assert len(body["items"]) <= 3
        seen.extend(p["id"] for p in body["items"])
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 4
    assert len(seen) == len(set(seen)) == len(created)
    assert set(seen) == created
    family = [Person.objects.get(pk=pk).family_name for pk in seen]
    assert family == sorted(family)


def test_a_garbled_or_foreign_cursor_is_refused_naming_it(practitioner_client, episode_a, site_a):
    EpisodeFactory(site=site_a)
    assert fields(problem(get(practitioner_client, "/people?cursor=not-a-cursor"), 422)) == {"cursor"}
    episodes_cursor = get(practitioner_client, "/episodes?limit=1").json()["next_cursor"]
    assert fields(problem(get(practitioner_client, f"/people?cursor={episodes_cursor}"), 422)) == {"cursor"}


@pytest.mark.parametrize("limit", ["0", "101", "ten"])
def test_limit_outside_1_to_100_is_refused_naming_it(practitioner_client, limit):
    assert fields(problem(get(practitioner_client, f"/people?limit={limit}"), 422)) == {"limit"}


@pytest.mark.parametrize("count", [5, 30])
def test_people_list_runs_a_bounded_number_of_queries(
    practitioner_client, site_a, count, django_assert_max_num_queries
):
    for _ in range(count):
        EpisodeFactory(site=site_a)
    with django_assert_max_num_queries(14):
        response = get(practitioner_client, "/people?limit=100")
    assert len(response.json()["items"]) == count
