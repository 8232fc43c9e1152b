"""The log canary: passwords, tokens, names and clinical free text never reach a log record.

One run of the things most likely to leak: sign-in failures (with the password typed into the
username box too) and a good sign-in, a person and a contact note created through the API with a
bearer token, validation errors echoing that text back, and 404s. Every logger is captured at DEBUG,
and each request is also written to gunicorn's access log exactly as `liaison serve` writes it (its
own Logger, its default format), because an address or a header is where secrets usually escape.
"""

from __future__ import annotations

import datetime as dt
import logging
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client
from gunicorn.config import Config

from liaison.core.api_auth import api_token_create
from liaison.core.management.commands.serve import gunicorn_settings
from tests.api.conftest import episode_body, person_body
from tests.secondfactor import authenticator, current_code

CANARY_PASSWORD = "canary-Passphrase-otter-lantern-4417"
CANARY_GIVEN = "Canarygivenqx"
CANARY_FAMILY = "Canaryfamilyzv"
CANARY_NOTE = "canary-clinical: hears voices at night, low mood, took 14 paracetamol on Friday"


def _gunicorn_access_log():
    """Gunicorn's logger configured exactly as `liaison serve` configures it."""
    config = Config()
    for name, value in gunicorn_settings(bind="127.0.0.1:8841", workers=1, threads=1).items():
        config.set(name, value)
    return config.logger_class(config)


class GunicornLoggedClient(Client):
    """A test client that also writes each request to gunicorn's access log, as gunicorn would."""

    access_log = _gunicorn_access_log()

    def request(self, **request):  # type: ignore[no-untyped-def]
        response = super().request(**request)
        wsgi_request = response.wsgi_request
        environ = dict(wsgi_request.META)
        environ["RAW_URI"] = wsgi_request.get_full_path()
        headers = [(k[5:].replace("_", "-"), v) for k, v in environ.items() if k.startswith("HTTP_")]
        self.access_log.access(
            SimpleNamespace(
                status=f"{response.status_code} {response.reason_phrase}",
                sent=len(response.content),
                headers=list(response.items()),
            ),
            SimpleNamespace(headers=headers),
            environ,
            dt.timedelta(milliseconds=5),
        )
        return response


@pytest.fixture
def logs(caplog):
    """Every record from every logger, at DEBUG, gunicorn's (which does not propagate) included."""
    caplog.set_level(logging.DEBUG)
    for name in (
        "django",
        "django.request",
        "django.security",
        "liaison",
        "gunicorn.access",
        "gunicorn.error",
    ):
        caplog.set_level(logging.DEBUG, logger=name)
    gunicorn_access = logging.getLogger("gunicorn.access")
    gunicorn_access.addHandler(caplog.handler)
    yield caplog
    gunicorn_access.removeHandler(caplog.handler)


def _everything_logged(caplog) -> str:
    parts = []
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        parts.append(repr(getattr(record, "request", "")))
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(parts)


def test_no_secret_or_clinical_text_reaches_any_log(logs, practitioner, site_a):
    practitioner.set_password(CANARY_PASSWORD)
    practitioner.save()

    # Sign-in: a near miss, the password typed into the username box, then the right one.
    browser = GunicornLoggedClient()
    browser.post("/sign-in", {"username": practitioner.username, "password": CANARY_PASSWORD + "!"})
    browser.post("/sign-in", {"username": CANARY_PASSWORD, "password": CANARY_PASSWORD})
    assert (
        browser.post("/sign-in", {"username": practitioner.username, "password": CANARY_PASSWORD}).status_code
        == 302
    )
    # The second factor: a wrong code, then the right one. Neither may be logged.
    device = authenticator(practitioner)
    code = current_code(device)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert browser.post("/sign-in/code", {"code": wrong}).status_code == 400
    device.throttle_reset()  # a wrong code makes the next wait a second; the test does not wait
    assert browser.post("/sign-in/code", {"code": code}).status_code == 302
    session_id = browser.cookies[settings.SESSION_COOKIE_NAME].value

    # The API with a bearer token: a person with the canary name, an episode, a contact note.
    _, token = api_token_create(actor=practitioner, user=practitioner, name="canary integration")
    api = GunicornLoggedClient(headers={"Authorization": f"Bearer {token}"})

    def post(path, body):
        return api.post("/api/v1" + path, data=body, content_type="application/json")

    person = post("/people", person_body(given_name=CANARY_GIVEN, family_name=CANARY_FAMILY))
    assert person.status_code == 201, person.content
    person_id = person.json()["id"]
    episode = post("/episodes", {"person_id": person_id, **episode_body(site_a)})
    assert episode.status_code == 201, episode.content
    episode_id = episode.json()["id"]
    contact = post(
        f"/episodes/{episode_id}/contacts", {"channel": "in_person", "successful": True, "note": CANARY_NOTE}
    )
    assert contact.status_code == 201, contact.content

    # Validation errors that carry the canary text back in the request.
    bad_person = post(
        "/people", person_body(given_name=CANARY_GIVEN, family_name=CANARY_FAMILY, date_of_birth="1990-02-30")
    )
    assert bad_person.status_code == 422
    bad_contact = post(
        f"/episodes/{episode_id}/contacts", {"channel": "telepathy", "successful": True, "note": CANARY_NOTE}
    )
    assert bad_contact.status_code == 422
    # A wrong token, which is itself secret-looking.
    assert (
        GunicornLoggedClient(headers={"Authorization": f"Bearer {token}x"}).get("/api/v1/people").status_code
        == 401
    )

    # 404s: through the API and through a page, and the person's own page and search through the browser.
    assert api.get("/api/v1/people/999999").status_code == 404
    assert browser.get("/people/999999/").status_code == 404
    assert browser.get(f"/people/{person_id}/").status_code == 200
    assert browser.post("/people/search", {"name": CANARY_FAMILY}).status_code == 200

    logged = _everything_logged(logs)
    assert "Sign-in failed" in logged and "/api/v1/people" in logged  # the capture itself works
    assert any(r.name == "gunicorn.access" for r in logs.records)
    assert any(r.name == "django.request" for r in logs.records)
    secrets = (
        CANARY_PASSWORD,
        token,
        session_id,
        code,
        wrong,
        CANARY_GIVEN,
        CANARY_FAMILY,
        CANARY_NOTE,
        "paracetamol",
    )
    for canary in secrets:
        assert canary not in logged, f"{canary!r} reached the logs"
        assert canary.casefold() not in logged.casefold(), f"{canary!r} reached the logs"
