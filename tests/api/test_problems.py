"""Bad input gets an RFC 9457 problem naming each bad field, and nothing is saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from liaison.episodes.models import Episode
from liaison.people.models import Person
from tests.api.conftest import episode_body, fields, get, patch, person_body, post, problem


def test_bad_nhs_number_names_the_field_with_the_reason(practitioner_client):
    body = problem(post(practitioner_client, "/people", person_body(nhs_number="943 476 5918")), 422)
    assert body["type"] == "urn:liaison:problem:validation"
    assert body["errors"] == [
        {
            "field": "nhs_number",
            "message": "Enter a valid NHS number: the check digit does not match (look for a mistyped digit)",
        }
    ]
    assert body["detail"] == body["errors"][0]["message"]
    assert not Person.objects.exists()


def test_future_date_of_birth_is_refused(practitioner_client):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    body = problem(post(practitioner_client, "/people", person_body(date_of_birth=tomorrow)), 422)
    assert body["errors"] == [{"field": "date_of_birth", "message": "Date of birth must be in the past"}]


def test_empty_names_are_each_named(practitioner_client):
    body = problem(post(practitioner_client, "/people", person_body(given_name="", family_name="   ")), 422)
    assert fields(body) == {"given_name", "family_name"}
    assert "given_name" in body["detail"] and "family_name" in body["detail"]


def test_missing_names_are_each_named(practitioner_client):
    body = problem(post(practitioner_client, "/people", {"date_of_birth": "1990-01-01"}), 422)
    assert fields(body) == {"given_name", "family_name"}


def test_unknown_site_is_named(practitioner_client, person_a, site_b):
    for site_id in (site_b.pk, 999_999):  # another team's site, and none at all
        body = {"person_id": person_a.pk, **episode_body(site_b, site_id=site_id)}
        assert problem(post(practitioner_client, "/episodes", body), 422)["errors"] == [
            {"field": "site_id", "message": "Select one of your team's sites"}
        ]
    assert person_a.episodes.count() == 1


@pytest.mark.parametrize("raw", ['{"given_name": "Sam",', "not json at all", '{"given_name": "Sam"}}'])
def test_malformed_json_is_400_with_a_clear_detail(practitioner_client, raw):
    body = problem(post(practitioner_client, "/people", raw), 400)
    assert body["detail"].startswith("The request body is not valid JSON")
    assert "line 1" in body["detail"]
    assert not Person.objects.exists()


def test_a_json_array_instead_of_an_object_is_422(practitioner_client):
    problem(post(practitioner_client, "/people", "[1, 2]"), 422)


def test_oversized_field_is_named(practitioner_client, person_a):
    body = problem(post(practitioner_client, "/people", person_body(family_name="x" * 101)), 422)
    assert body["errors"] == [{"field": "family_name", "message": "Must be 100 characters or fewer"}]
    body = problem(
        patch(practitioner_client, f"/people/{person_a.pk}", {"version": 1, "postcode": "SW1A 1AAXX"}), 422
    )
    assert fields(body) == {"postcode"}


def test_oversized_field_inside_an_arrival_is_named_with_its_part(practitioner_client, site_a):
    body = problem(
        post(
            practitioner_client,
            "/arrivals",
            {"person": person_body(), "episode": episode_body(site_a, custody_number="9" * 41)},
        ),
        422,
    )
    assert fields(body) == {"episode.custody_number"}
    assert not Person.objects.exists()


def test_naive_datetime_is_refused_naming_the_field(practitioner_client, person_a, site_a):
    naive = (timezone.now() - dt.timedelta(hours=1)).replace(tzinfo=None).isoformat()
    body = problem(
        post(
            practitioner_client,
            "/episodes",
            {"person_id": person_a.pk, **episode_body(site_a, arrival_at=naive)},
        ),
        422,
    )
    assert fields(body) == {"arrival_at"}
    assert "time zone" in body["errors"][0]["message"]
    assert Episode.objects.count() == 1


def test_future_arrival_is_refused(practitioner_client, person_a, site_a):
    later = (timezone.now() + dt.timedelta(days=1)).isoformat()
    body = problem(
        post(
            practitioner_client,
            "/episodes",
            {"person_id": person_a.pk, **episode_body(site_a, arrival_at=later)},
        ),
        422,
    )
    assert fields(body) == {"arrival_at"}


def test_a_field_the_resource_does_not_have_is_named(practitioner_client, person_a):
    body = problem(
        patch(practitioner_client, f"/people/{person_a.pk}", {"version": 1, "favourite_colour": "red"}), 422
    )
    assert fields(body) == {"favourite_colour"}


def test_a_date_in_the_wrong_format_is_named(practitioner_client):
    body = problem(post(practitioner_client, "/people", person_body(date_of_birth="17/05/1990")), 422)
    assert body["errors"] == [{"field": "date_of_birth", "message": "Enter a date as YYYY-MM-DD"}]


def test_a_non_numeric_id_in_the_path_is_named(practitioner_client):
    assert fields(problem(get(practitioner_client, "/people/abc"), 422)) == {"person_id"}


def test_a_missing_record_is_a_404_problem(practitioner_client):
    body = problem(get(practitioner_client, "/episodes/987654"), 404)
    assert body["errors"] == []


def test_an_unknown_api_path_is_a_404_problem(client, db):
    body = problem(client.get("/api/v1/no-such-thing"), 404)
    assert "/api/v1/no-such-thing" in body["detail"]


@pytest.mark.parametrize("path", ["/no-such-route", "/people/1/no-such-part", "/worklist"])
def test_an_unknown_api_path_is_a_problem_not_a_page(practitioner_client, path):
    """The API's paths are matched before the pages' (config/urls.py): a path that exists only as a
    page (/worklist) or nowhere answers 404 as problem+json, never the HTML page or its 404."""
    body = problem(get(practitioner_client, path), 404)
    assert body["detail"] == f"There is no API route at /api/v1{path}"


def test_pages_still_answer_beside_the_api(practitioner_client):
    response = practitioner_client.get("/openreferral/services")
    assert response.status_code == 200, response.content
    response = practitioner_client.get("/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
