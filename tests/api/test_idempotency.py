"""`Idempotency-Key` on POST: a retried request returns the first answer and creates nothing new."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from liaison.api.main import api
from liaison.core.models import AuditEvent, IdempotencyRecord
from liaison.episodes.models import Contact, Episode
from liaison.people.models import Person
from tests.api.conftest import episode_body, fields, person_body, post, problem, send

KEY = {"Idempotency-Key": "5f0c6a1e-4d7b-4f43-9b4e-6c1f7e3a2d10"}


def test_replay_returns_the_same_status_and_body_and_creates_one_record(practitioner_client):
    first = post(practitioner_client, "/people", person_body(), **KEY)
    assert first.status_code == 201
    again = post(practitioner_client, "/people", person_body(), **KEY)
    assert again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Person.objects.count() == 1
    assert AuditEvent.objects.filter(action="person.create").count() == 1


def test_replay_matches_the_body_by_meaning_not_by_spacing(practitioner_client):
    body = person_body()
    first = post(practitioner_client, "/people", body, **KEY)
    reordered = "{" + ", ".join(f'"{k}":  "{v}"' for k, v in reversed(list(body.items()))) + "}"
    again = post(practitioner_client, "/people", reordered, **KEY)
    assert again.content == first.content
    assert Person.objects.count() == 1


def test_arrival_replay_creates_one_person_and_one_episode(practitioner_client, site_a):
    body = {"person": person_body(), "episode": episode_body(site_a)}
    first = post(practitioner_client, "/arrivals", body, **KEY)
    second = post(practitioner_client, "/arrivals", body, **KEY)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert (Person.objects.count(), Episode.objects.count()) == (1, 1)


def test_same_key_with_a_different_body_is_422_and_creates_nothing(practitioner_client):
    assert post(practitioner_client, "/people", person_body(), **KEY).status_code == 201
    body = problem(post(practitioner_client, "/people", person_body(given_name="Different"), **KEY), 422)
    assert body["type"] == "urn:liaison:problem:idempotency-key"
    assert fields(body) == {"Idempotency-Key"}
    assert list(Person.objects.values_list("given_name", flat=True)) == ["Sam"]


def test_same_key_on_a_different_route_is_422(practitioner_client, episode_a):
    assert (
        post(
            practitioner_client,
            f"/episodes/{episode_a.pk}/contacts",
            {"channel": "phone", "successful": True},
            **KEY,
        ).status_code
        == 201
    )
    problem(
        post(
            practitioner_client,
            f"/episodes/{episode_a.pk}/tasks",
            {"title": "Call", "due": "2030-01-01"},
            **KEY,
        ),
        422,
    )
    assert Contact.objects.count() == 1


def test_keys_belong_to_one_user(practitioner_client, lead_client):
    first = post(practitioner_client, "/people", person_body(), **KEY)
    other = post(lead_client, "/people", person_body(given_name="Another"), **KEY)
    assert first.status_code == other.status_code == 201
    assert first.json()["id"] != other.json()["id"]
    assert Person.objects.count() == 2


def test_an_error_is_not_kept_so_the_corrected_request_may_reuse_the_key(practitioner_client):
    problem(post(practitioner_client, "/people", person_body(nhs_number="1234567890"), **KEY), 422)
    assert not IdempotencyRecord.objects.exists()
    fixed = post(practitioner_client, "/people", person_body(), **KEY)
    assert fixed.status_code == 201
    assert Person.objects.count() == 1


def test_a_key_still_in_progress_gets_409(practitioner_client):
    assert post(practitioner_client, "/people", person_body(), **KEY).status_code == 201
    # As if the first request had claimed the key and not finished yet.
    IdempotencyRecord.objects.update(status_code=0, body="")
    body = problem(post(practitioner_client, "/people", person_body(), **KEY), 409)
    assert "still being processed" in body["detail"]
    assert Person.objects.count() == 1


def test_an_expired_key_is_free_again(practitioner_client):
    post(practitioner_client, "/people", person_body(), **KEY)
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(days=2))
    again = post(practitioner_client, "/people", person_body(), **KEY)
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert Person.objects.count() == 2


@pytest.mark.parametrize("key", ["", "x" * 201, "naïve-key"])
def test_an_unusable_key_is_refused_naming_the_header(practitioner_client, key):
    body = problem(post(practitioner_client, "/people", person_body(), **{"Idempotency-Key": key}), 422)
    assert fields(body) == {"Idempotency-Key"}
    assert not Person.objects.exists()


def test_without_a_key_each_post_creates(practitioner_client):
    post(practitioner_client, "/people", person_body())
    post(practitioner_client, "/people", person_body())
    assert Person.objects.count() == 2


# POSTs that change nothing (a search carries its terms in the body to keep them out of addresses).
READ_ONLY_POSTS = {"/api/v1/people/search", "/api/v1/instruments/{code}/score"}


def test_every_post_route_honours_the_key():
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    posts = {
        path: item["post"]
        for path, item in schema["paths"].items()
        if "post" in item and path not in READ_ONLY_POSTS
    }
    assert len(posts) >= 7
    for path, operation in posts.items():
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert "Idempotency-Key" in headers, path


def test_anonymous_posts_are_refused_before_the_key_is_looked_at(client, db):
    problem(send(client, "POST", "/people", person_body(), **KEY), 401)
    assert not IdempotencyRecord.objects.exists()
