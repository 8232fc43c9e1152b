"""API test helpers: JSON requests, problem+json checks, bearer tokens and synthetic identifiers."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from liaison.core.api_auth import api_token_create
from liaison.episodes.services import contact_log, task_add
from liaison.people.identifiers import pnc_check_letter

API = "/api/v1"
PROBLEM = "application/problem+json"


def send(client: Client, method: str, path: str, body: Any = None, **headers: str):
    """A JSON request to the API. `body` may be raw text, to send malformed JSON."""
    data = body if isinstance(body, str | bytes) else json.dumps(body, default=str)
    call = getattr(client, method.lower())
    if body is None and method.upper() in {"GET", "DELETE"}:
        return call(API + path, headers=headers)
    return call(API + path, data=data, content_type="application/json", headers=headers)


def get(client: Client, path: str, **headers: str):
    return send(client, "GET", path, **headers)


def post(client: Client, path: str, body: Any = None, **headers: str):
    return send(client, "POST", path, {} if body is None else body, **headers)


def patch(client: Client, path: str, body: Any, **headers: str):
    return send(client, "PATCH", path, body, **headers)


def problem(response, status: int) -> dict[str, Any]:
    """Assert an RFC 9457 problem with this status and return its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["type"] and body["title"] and body["detail"]
    assert isinstance(body["errors"], list)
    return body


def fields(body: dict[str, Any]) -> set[str]:
    return {e["field"] for e in body["errors"]}


def nhs_number(serial: int) -> str:
    """A synthetic NHS number with a valid check digit, in the 999 range kept for testing."""
    for n in range(serial, serial + 20):
        first9 = f"999{n:06d}"
        total = sum(int(d) * w for d, w in zip(first9, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        check = 0 if check == 11 else check
        if check != 10:
            return f"{first9}{check}"
    raise AssertionError("no valid NHS number near that serial")


def pnc_id(year: str = "05", serial: str = "123456") -> str:
    return f"{year}/{serial}{pnc_check_letter(year, serial)}"


def person_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "given_name": "Sam",
        "family_name": "Okafor",
        "date_of_birth": "1988-02-29",
        "sex": "1",
        "ethnicity": "N",
        "nhs_number": nhs_number(1),
    }
    body.update(overrides)
    return body


def episode_body(site, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "site_id": site.pk,
        "pathway_point": "police_custody",
        "referral_source": "X1",
        "arrival_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
    }
    body.update(overrides)
    return body


def token_client(user) -> Client:
    """A client with no session that authenticates by a fresh bearer token."""
    _, plaintext = api_token_create(actor=user, user=user, name="test integration")
    return Client(headers={"Authorization": f"Bearer {plaintext}"})


@pytest.fixture
def contact_a(episode_a, practitioner):
    return contact_log(
        actor=practitioner, episode=episode_a, channel="in_person", successful=True, note="Seen"
    )


@pytest.fixture
def task_a(episode_a, practitioner):
    return task_add(
        actor=practitioner,
        episode=episode_a,
        title="Phone the GP",
        due=timezone.localdate() + dt.timedelta(days=2),
    )
