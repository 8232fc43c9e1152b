"""Finding a person: a POST (no names in addresses), scoped to the team, audited without the terms."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from liaison.core.models import AuditEvent, Role
from liaison.people.models import Alias
from tests.factories import ACCESS_GROUNDS, EpisodeFactory, PersonFactory, member, person_on_ground


@pytest.fixture
def people(site_a, site_b):
    """Three people known to team A and one known only to team B."""
    made = {
        "sam": PersonFactory(
            given_name="Samira", family_name="Okafor", nhs_number="9434765919", pnc_id="05/123456R"
        ),
        "sammy": PersonFactory(given_name="Sammy", family_name="Jones", date_of_birth=dt.date(1985, 1, 2)),
        "dan": PersonFactory(given_name="Daniel", family_name="Samson"),
        "hidden": PersonFactory(given_name="Samuel", family_name="Elsewhere"),
    }
    for key in ("sam", "sammy", "dan"):
        EpisodeFactory(site=site_a, person=made[key])
    EpisodeFactory(site=site_b, person=made["hidden"])
    return made


def _found(response) -> str:
    return response.content.decode()


def test_the_search_form_posts_and_has_labels(practitioner_client):
    html = practitioner_client.get("/people/search").content.decode()
    assert '<form method="post" action="/people/search"' in html
    assert '<label class="nhsuk-label" for="id_name">Name</label>' in html
    assert '<legend class="nhsuk-fieldset__legend">Date of birth</legend>' in html
    assert "<title>Find a person – Liaison</title>" in html


def test_name_search_matches_the_start_of_first_or_last_name_in_any_case(practitioner_client, people):
    html = _found(practitioner_client.post("/people/search", {"name": "SAM"}))
    assert "OKAFOR, Samira" in html and "JONES, Sammy" in html and "SAMSON, Daniel" in html
    assert "ELSEWHERE" not in html
    assert "3 people found" in html


def test_two_words_must_both_match(practitioner_client, people):
    html = _found(practitioner_client.post("/people/search", {"name": "sam jo"}))
    assert "JONES, Sammy" in html
    assert "OKAFOR" not in html and "SAMSON" not in html


def test_an_alias_family_name_finds_the_person(practitioner_client, people):
    Alias.objects.create(
        person=people["dan"], given_name="Danny", family_name="Knownas", family_name_search="knownas"
    )
    html = _found(practitioner_client.post("/people/search", {"name": "known"}))
    # Listed, and the list says why: a practitioner searching "known" would otherwise wonder.
    assert "SAMSON, Daniel" in html
    assert "Also known as KNOWNAS, Danny" in html


def test_the_other_name_is_said_only_where_it_is_why_the_person_is_listed(practitioner_client, people):
    Alias.objects.create(
        person=people["sam"], given_name="Sam", family_name="Samuels", family_name_search="samuels"
    )
    html = _found(practitioner_client.post("/people/search", {"name": "sam"}))
    # Samira matches "sam" by her own first name: her other name is not the reason, so it is not shown.
    assert "OKAFOR, Samira" in html
    assert "Also known as" not in html
    html = _found(practitioner_client.post("/people/search", {"name": "samuels"}))
    assert "OKAFOR, Samira" in html and "Also known as SAMUELS, Sam" in html


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"date_of_birth-day": "2", "date_of_birth-month": "1", "date_of_birth-year": "1985"},
            "JONES, Sammy",
        ),
        ({"nhs_number": "943 476 5919"}, "OKAFOR, Samira"),
        ({"pnc_id": "05/0123456r"}, "OKAFOR, Samira"),
    ],
)
def test_search_by_date_of_birth_nhs_number_or_pnc_id(practitioner_client, people, data, expected):
    html = _found(practitioner_client.post("/people/search", data))
    assert expected in html
    assert "1 person found" in html


def test_people_of_another_team_never_appear(practitioner_client, people):
    html = _found(practitioner_client.post("/people/search", {"name": "samuel"}))
    assert "No one found" in html
    assert "Elsewhere" not in html and "ELSEWHERE" not in html


def test_search_is_audited_with_the_results_but_not_the_terms(
    practitioner_client, practitioner, people, team_a
):
    practitioner_client.post("/people/search", {"name": "okaf", "nhs_number": "9434765919"})
    event = AuditEvent.objects.get(action="person.search")
    assert event.actor_id == practitioner.pk and event.team_id == team_a.pk
    assert event.detail["person_ids"] == [people["sam"].pk]
    assert event.detail["criteria"] == ["name", "nhs_number"]
    stored = json.dumps(event.detail) + event.reason + event.object_id
    assert "okaf" not in stored and "9434765919" not in stored


def test_an_empty_search_asks_for_something_to_search_for(practitioner_client):
    html = _found(practitioner_client.post("/people/search", {"name": "  "}))
    assert '<a href="#id_name">Enter a name, date of birth, NHS number or PNC ID to search for</a>' in html
    assert not AuditEvent.objects.filter(action="person.search").exists()


def test_bad_identifiers_are_explained_and_kept(practitioner_client):
    html = _found(practitioner_client.post("/people/search", {"nhs_number": "12345", "name": "al"}))
    assert '<a href="#id_nhs_number">Enter a 10-digit NHS number' in html
    assert 'value="12345"' in html and 'value="al"' in html


def test_commissioners_cannot_search(team_a, people, client):
    client.force_login(member(team_a, Role.COMMISSIONER))
    response = client.post("/people/search", {"name": "sam"})
    assert response.status_code == 403
    assert "OKAFOR" not in response.content.decode()


@pytest.mark.parametrize(("ground", "found"), ACCESS_GROUNDS)
def test_a_name_search_finds_everyone_the_user_may_see_and_no_one_else(
    practitioner, practitioner_client, site_a, site_b, ground, found
):
    """A search intersects the people so named with the ids the user may see (core.access
    visible_person_ids): on every ground of the access policy, the same answer as the policy."""
    person = PersonFactory(given_name="Rowan", family_name="Quillfeather")
    PersonFactory(given_name="Rowan", family_name="Quillman")  # so named, seen by no one
    person_on_ground(ground, person, user=practitioner, own_site=site_a, other_site=site_b)
    html = _found(practitioner_client.post("/people/search", {"name": "quill"}))
    assert ("QUILLFEATHER, Rowan" in html) is found, html
    assert "QUILLMAN" not in html
