"""Who is calling: a browser session (with CSRF on writes) or a per-user bearer token, stored hashed."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from liaison.core.api_auth import api_token_create, api_token_revoke
from liaison.core.errors import NotPermitted
from liaison.core.models import ApiToken, AuditEvent
from liaison.people.models import Person
from tests.api.conftest import get, person_body, post, problem


def _bearer(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_no_credentials_gets_401_problem_not_a_login_redirect(client, person_a):
    body = problem(get(client, f"/people/{person_a.pk}"), 401)
    assert body["title"] == "Not signed in"
    response = get(client, "/people")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_bearer_token_authenticates_reads_and_writes(practitioner, person_a):
    token, plaintext = api_token_create(actor=practitioner, user=practitioner, name="Custody system")
    client = _bearer(plaintext)
    response = get(client, f"/people/{person_a.pk}")
    assert response.status_code == 200
    assert AuditEvent.objects.get(action="person.view").actor_id == practitioner.pk
    # No session and no CSRF token: a bearer token is not sent automatically, so it needs none.
    csrf_client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {plaintext}"})
    assert post(csrf_client, "/people", person_body()).status_code == 201
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_wrong_token_gets_401(practitioner, person_a):
    api_token_create(actor=practitioner, user=practitioner, name="Custody system")
    body = problem(get(_bearer("lia_not-a-real-token"), f"/people/{person_a.pk}"), 401)
    assert "token" in body["detail"]
    problem(get(_bearer("something-else"), "/people"), 401)


def test_revoked_token_gets_401(practitioner, person_a):
    token, plaintext = api_token_create(actor=practitioner, user=practitioner, name="Old integration")
    assert get(_bearer(plaintext), "/people").status_code == 200
    api_token_revoke(actor=practitioner, token=token)
    problem(get(_bearer(plaintext), "/people"), 401)
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(token.pk)).exists()


def test_a_deactivated_users_token_gets_401(practitioner):
    _, plaintext = api_token_create(actor=practitioner, user=practitioner, name="Custody system")
    practitioner.is_active = False
    practitioner.save()
    problem(get(_bearer(plaintext), "/people"), 401)


def test_a_bad_token_is_refused_even_with_a_session(practitioner_client):
    practitioner_client.defaults["HTTP_AUTHORIZATION"] = "Bearer lia_wrong"
    problem(get(practitioner_client, "/people"), 401)


def test_tokens_are_stored_hashed_and_shown_once(practitioner):
    token, plaintext = api_token_create(actor=practitioner, user=practitioner, name="Custody system")
    row = ApiToken.objects.values().get(pk=token.pk)
    assert plaintext not in {str(v) for v in row.values()}
    assert row["digest"] == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext.startswith(row["prefix"]) and len(row["prefix"]) < len(plaintext)
    event = AuditEvent.objects.get(action="api_token.create")
    assert plaintext not in str(event.detail)
    assert event.detail["user_id"] == practitioner.pk


def test_each_token_is_different(practitioner):
    first = api_token_create(actor=practitioner, user=practitioner, name="one")[1]
    second = api_token_create(actor=practitioner, user=practitioner, name="two")[1]
    assert first != second


def test_only_the_owner_or_an_administrator_creates_a_users_token(practitioner, team_lead):
    with pytest.raises(NotPermitted):
        api_token_create(actor=team_lead, user=practitioner, name="Sneaky")
    team_lead.is_superuser = True
    team_lead.save()
    token, _ = api_token_create(actor=team_lead, user=practitioner, name="Service account")
    assert token.user == practitioner


def test_a_token_needs_a_name(practitioner):
    with pytest.raises(ValidationError) as exc:
        api_token_create(actor=practitioner, user=practitioner, name="  ")
    assert "name" in exc.value.message_dict
    assert not ApiToken.objects.exists()


def test_last_used_is_not_rewritten_on_every_call(practitioner):
    token, plaintext = api_token_create(actor=practitioner, user=practitioner, name="Custody system")
    earlier = timezone.now() - dt.timedelta(seconds=10)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    get(_bearer(plaintext), "/people")
    token.refresh_from_db()
    assert token.last_used_at == earlier
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier - dt.timedelta(minutes=5))
    get(_bearer(plaintext), "/people")
    token.refresh_from_db()
    assert token.last_used_at > earlier


def test_session_writes_need_the_csrf_token(practitioner):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(practitioner)  # both factors (tests/conftest.py)
    body = problem(post(browser, "/people", person_body()), 403)
    assert "CSRF" in body["detail"]
    assert not Person.objects.exists()
    # Reads are safe without it; with the cookie's value echoed in the header, writes work.
    assert get(browser, "/people").status_code == 200
    secret = "k7Qz3RmX9pLw2VnB8cTy4HsJ6dFg1AeU"  # a CSRF secret is 32 letters and digits
    browser.cookies[settings.CSRF_COOKIE_NAME] = secret
    response = post(browser, "/people", person_body(), **{"X-CSRFToken": secret})
    assert response.status_code == 201, response.content
