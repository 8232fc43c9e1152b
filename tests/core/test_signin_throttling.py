"""Sign-in throttling and lockout, as a table of attempt sequences; and what is audited and logged.

Defaults: 5 failures for one username within 15 minutes lock it for 15 minutes (even the right
password is refused), 50 failures from one address lock the address. Unknown usernames behave exactly
like real ones, so the answers never tell whether an account exists.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.conf import settings
from django.test import Client, RequestFactory

from liaison.core.models import AuditEvent, SignInThrottle
from liaison.core.signin import SignInAttempt, client_address
from tests.factories import PASSWORD

START = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)
LOCKED = "There have been too many attempts to sign in"
WRONG = "Enter a correct username and password"

# (what the sequence shows, [steps]); a step is ("wrong", n), ("wait", minutes) or ("right", outcome)
# where the outcome is "in" (signed in) or "locked" (refused with the lockout message).
CASES = [
    ("four failures, then the right password signs in", [("wrong", 4), ("right", "in")]),
    ("five failures lock even the right password out", [("wrong", 5), ("right", "locked")]),
    ("still locked after 14 minutes", [("wrong", 5), ("wait", 14), ("right", "locked")]),
    ("unlocked after 15 minutes", [("wrong", 5), ("wait", 15.1), ("right", "in")]),
    (
        "failures outside the window do not add up",
        [("wrong", 4), ("wait", 16), ("wrong", 1), ("right", "in")],
    ),
    (
        "attempts while locked do not extend the lock",
        [("wrong", 5), ("wait", 10), ("wrong", 3), ("wait", 5.1), ("right", "in")],
    ),
    ("a lock that ended starts a fresh count", [("wrong", 5), ("wait", 16), ("wrong", 4), ("right", "in")]),
    ("a fresh count can lock again", [("wrong", 5), ("wait", 16), ("wrong", 5), ("right", "locked")]),
    (
        "signing in resets the username's count",
        [("wrong", 4), ("right", "in"), ("wrong", 4), ("right", "in")],
    ),
]


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _try(client: Client, username: str, password: str, address: str = "192.0.2.10"):
    return client.post("/sign-in", {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.parametrize(("name", "steps"), CASES, ids=[c[0] for c in CASES])
def test_lockout_table(practitioner, clock, name, steps):
    for step, value in steps:
        if step == "wait":
            clock.shift(dt.timedelta(minutes=value))
        elif step == "wrong":
            for _ in range(value):
                assert _try(Client(), practitioner.username, "not the password").status_code == 200
        else:
            response = _try(Client(), practitioner.username, PASSWORD)
            if value == "in":
                assert response.status_code == 302, response.content.decode()
            else:
                assert response.status_code == 200
                assert LOCKED in response.content.decode()


def test_the_failure_that_locks_says_so_at_once(practitioner, clock):
    for _ in range(4):
        assert WRONG in _try(Client(), practitioner.username, "nope").content.decode()
    html = _try(Client(), practitioner.username, "nope").content.decode()
    assert LOCKED in html and WRONG not in html
    assert "paused for 15 minutes" in html


def test_the_message_counts_down_the_minutes_left(practitioner, clock):
    for _ in range(5):
        _try(Client(), practitioner.username, "nope")
    clock.shift(dt.timedelta(minutes=11, seconds=30))
    assert "paused for 4 minutes" in _try(Client(), practitioner.username, PASSWORD).content.decode()


def test_an_unknown_username_is_answered_exactly_like_a_real_one(practitioner, clock):
    real = [_try(Client(), practitioner.username, "nope").content.decode() for _ in range(6)]
    unknown = [_try(Client(), "nobody.here", "nope").content.decode() for _ in range(6)]

    def messages(pages):
        return [(WRONG in page, LOCKED in page) for page in pages]

    assert messages(real) == messages(unknown)
    assert messages(unknown)[-1] == (False, True)


def test_usernames_are_counted_whatever_their_case(practitioner, clock):
    for typed in ["PRAC", "Prac", " prac", "prac ", "pRaC"]:
        _try(Client(), typed, "nope")
    assert LOCKED in _try(Client(), "prac", PASSWORD).content.decode()


def test_one_address_is_locked_after_many_failures_on_any_usernames(practitioner, team_lead, clock):
    for n in range(settings.SIGNIN_IP_LIMIT):
        _try(Client(), f"guess{n}", "password123", address="198.51.100.7")
    # Every account is refused from that address, even with the right password...
    assert LOCKED in _try(Client(), team_lead.username, PASSWORD, address="198.51.100.7").content.decode()
    # ...and signs in from anywhere else.
    assert _try(Client(), team_lead.username, PASSWORD, address="192.0.2.99").status_code == 302
    clock.shift(dt.timedelta(minutes=15, seconds=1))
    assert _try(Client(), practitioner.username, PASSWORD, address="198.51.100.7").status_code == 302


def test_a_good_sign_in_does_not_reset_the_address_count(practitioner, team_lead, clock, settings):
    settings.SIGNIN_IP_LIMIT = 6
    for n in range(5):
        _try(Client(), f"guess{n}", "nope", address="198.51.100.7")
    assert _try(Client(), practitioner.username, PASSWORD, address="198.51.100.7").status_code == 302
    _try(Client(), "guess9", "nope", address="198.51.100.7")
    assert LOCKED in _try(Client(), team_lead.username, PASSWORD, address="198.51.100.7").content.decode()


@pytest.mark.parametrize("limit", [3, 10])
def test_the_limit_is_a_setting(practitioner, clock, settings, limit):
    settings.SIGNIN_USERNAME_LIMIT = limit
    for _ in range(limit - 1):
        _try(Client(), practitioner.username, "nope")
    assert _try(Client(), practitioner.username, PASSWORD).status_code == 302
    for _ in range(limit):
        _try(Client(), practitioner.username, "nope")
    assert LOCKED in _try(Client(), practitioner.username, PASSWORD).content.decode()


def test_an_empty_form_is_not_counted_as_a_failure(practitioner, clock):
    for _ in range(10):
        _try(Client(), practitioner.username, "")
    assert _try(Client(), practitioner.username, PASSWORD).status_code == 302
    assert not AuditEvent.objects.filter(action="signin.failed").exists()


# --- audit and logs -----------------------------------------------------------------------------------


def test_failures_lockout_and_refusals_are_audited_without_the_password(practitioner, clock):
    for _ in range(5):
        _try(Client(), practitioner.username, "canary-Wrong-Password-1")
    _try(Client(), practitioner.username, PASSWORD)
    failed = AuditEvent.objects.filter(action="signin.failed").order_by("id")
    assert [e.detail["why"] for e in failed] == ["wrong username or password"] * 5 + ["locked"]
    assert {(e.object_type, e.object_id) for e in failed} == {("user", str(practitioner.pk))}
    assert {e.detail["address"] for e in failed} == {"192.0.2.10"}
    locked = AuditEvent.objects.get(action="signin.locked")
    assert locked.detail["scope"] == "username" and locked.detail["failures"] == 5
    everything = str(list(AuditEvent.objects.values()))
    assert "canary-Wrong-Password-1" not in everything and PASSWORD not in everything


def test_a_successful_sign_in_is_audited(practitioner):
    _try(Client(), practitioner.username, PASSWORD)
    event = AuditEvent.objects.get(action="signin.succeeded")
    assert event.actor_id == practitioner.pk and event.detail == {"address": "192.0.2.10"}


def test_an_unknown_username_is_never_stored_or_logged_as_typed(db, caplog):
    """People type their password into the username box: an unknown username may be one."""
    caplog.set_level(logging.DEBUG)
    typed = "my-Secret-Passphrase-typed-in-the-wrong-box"
    for _ in range(6):
        _try(Client(), typed, "nope")
    stored = str(list(AuditEvent.objects.values())) + str(list(SignInThrottle.objects.values()))
    assert typed not in stored and typed.casefold() not in stored
    assert all(typed not in record.getMessage() for record in caplog.records)
    assert any("Sign-in failed for an unknown username" in r.getMessage() for r in caplog.records)
    assert any("Sign-in locked" in r.getMessage() for r in caplog.records)


def test_failures_are_logged_as_warnings_without_the_password(practitioner, caplog):
    caplog.set_level(logging.DEBUG)
    _try(Client(), practitioner.username, "canary-Wrong-Password-2")
    warnings = [r for r in caplog.records if r.name == "liaison.security"]
    assert [r.levelname for r in warnings] == ["WARNING"]
    assert f"user {practitioner.pk}" in warnings[0].getMessage()
    assert all("canary-Wrong-Password-2" not in r.getMessage() for r in caplog.records)


# --- the client's address -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "", "203.0.113.5"),
        (0, "198.51.100.1", "203.0.113.5"),  # no proxy is trusted: the header is anyone's to forge
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "10.9.9.9, 198.51.100.1", "198.51.100.1"),  # the leftmost was sent by the client itself
        (2, "10.9.9.9, 198.51.100.1, 192.0.2.1", "198.51.100.1"),
        (2, "198.51.100.1", "203.0.113.5"),  # fewer hops than proxies: not trusted
    ],
)
def test_client_address_trusts_only_the_configured_proxies(settings, proxies, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().post("/sign-in", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_address(request) == expected


def test_the_username_key_is_keyed_and_case_folded(settings):
    key = SignInAttempt("Sam.Nurse", "x").username_key
    assert key == SignInAttempt("sam.nurse ", "x").username_key
    assert "sam" not in key
    settings.SECRET_KEY = "another key entirely, at least fifty characters long for the test"
    assert SignInAttempt("Sam.Nurse", "x").username_key != key


def test_stale_counters_are_pruned(practitioner, clock):
    for n in range(3):
        _try(Client(), f"made-up-{n}", "nope")
    assert SignInThrottle.objects.count() == 4  # three usernames and one address
    clock.shift(dt.timedelta(hours=1))
    _try(Client(), practitioner.username, "nope")
    assert SignInThrottle.objects.count() == 2  # only this attempt's username and address
