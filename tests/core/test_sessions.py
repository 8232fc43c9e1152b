"""Sessions: a new id at sign-in, sign-out and deactivation end them on the server, idle and absolute
timeouts, the session clock behind the "Stay signed in" warning, and the cookie's flags."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from liaison.core.errors import NotPermitted
from liaison.core.models import AuditEvent, Membership, Role, UserSession
from liaison.core.services import user_deactivate
from tests.factories import PASSWORD, member
from tests.secondfactor import sign_in

START = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def _sign_in(user, client: Client | None = None) -> Client:
    client = client or Client()
    sign_in(client, user, PASSWORD)
    return client


def _key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _exists(key: str) -> bool:
    return Session.objects.filter(session_key=key).exists()


# --- the session id ---------------------------------------------------------------------------------


def test_signing_in_gives_a_new_session_id_and_deletes_the_old_one(practitioner):
    client = Client()
    before = client.session  # an anonymous session with something in it, as a visitor might have
    before["seen"] = True
    before.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = before.session_key
    _sign_in(practitioner, client)
    after = _key(client)
    assert after != before.session_key
    assert not _exists(before.session_key)
    assert _exists(after)


def test_sign_out_deletes_the_session_on_the_server(practitioner):
    client = _sign_in(practitioner)
    key = _key(client)
    assert client.get("/").status_code == 200
    assert client.post("/sign-out").status_code == 302
    assert not _exists(key)
    # Replaying the old cookie gets nowhere.
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert replay.get("/").status_code == 302


def test_session_cookie_is_secure_httponly_and_samesite_lax(practitioner):
    response = Client().post("/sign-in", {"username": practitioner.username, "password": PASSWORD})
    # __Host-: only over https, only from this host, for the whole site (no subdomain can set it).
    assert settings.SESSION_COOKIE_NAME == "__Host-liaison-session"
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["path"] == "/" and not cookie["domain"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    # A session cookie: gone when the browser closes (a shared custody-suite computer).
    assert cookie["max-age"] == "" and cookie["expires"] == ""


def test_csrf_cookie_is_secure_and_httponly(client, db):
    response = client.get("/sign-in")
    assert settings.CSRF_COOKIE_NAME == "__Host-liaison-csrf"
    cookie = response.cookies[settings.CSRF_COOKIE_NAME]
    assert cookie["secure"] is True and cookie["httponly"] is True and cookie["samesite"] == "Lax"


# --- idle and absolute timeouts -------------------------------------------------------------------


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_a_session_used_within_the_idle_limit_stays_open(practitioner, clock):
    client = _sign_in(practitioner)
    for _ in range(8):  # two hours of steady work, a request every 14 minutes
        clock.shift(dt.timedelta(minutes=14))
        assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("quiet", "signed_out"),
    [
        (dt.timedelta(minutes=14, seconds=59), False),
        (dt.timedelta(minutes=15, seconds=1), True),
        (dt.timedelta(hours=3), True),
    ],
)
def test_idle_timeout_is_fifteen_minutes(practitioner, clock, quiet, signed_out):
    client = _sign_in(practitioner)
    key = _key(client)
    clock.shift(quiet)
    response = client.get("/people/search")
    assert (response.status_code == 302) is signed_out
    assert _exists(key) is not signed_out


def test_an_idle_session_ends_with_a_message_on_the_sign_in_page_and_an_audit_event(practitioner, clock):
    client = _sign_in(practitioner)
    clock.shift(dt.timedelta(minutes=16))
    response = client.get("/people/search")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in?next=/people/search"
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out because you had not used Liaison for 15 minutes" in page
    event = AuditEvent.objects.get(action="session.expired")
    assert event.actor_id == practitioner.pk
    assert event.detail == {"why": "idle"}


def test_absolute_timeout_is_twelve_hours_however_busy(practitioner, clock):
    client = _sign_in(practitioner)
    key = _key(client)
    for _ in range(12 * 6):  # a request every 10 minutes for 12 hours
        clock.shift(dt.timedelta(minutes=10))
        assert client.get("/").status_code == 200
    clock.shift(dt.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302
    assert not _exists(key)
    assert "signed in for 12 hours" in client.get(response["Location"]).content.decode()
    assert AuditEvent.objects.get(action="session.expired").detail == {"why": "absolute"}


def test_an_expired_session_answers_the_api_with_401(practitioner, clock):
    client = _sign_in(practitioner)
    clock.shift(dt.timedelta(minutes=16))
    assert client.get("/api/v1/people").status_code == 401


def test_an_expired_htmx_request_sends_the_whole_page_to_sign_in(practitioner, clock):
    client = _sign_in(practitioner)
    clock.shift(dt.timedelta(minutes=16))
    response = client.get("/?stage=identified", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/sign-in?next=%2F"


def test_sessions_signed_in_by_other_paths_get_the_limits_too(practitioner, clock):
    """force_login (as the tests and any future single sign-on use) starts the same clocks."""
    client = Client()
    client.force_login(practitioner)
    assert client.get("/").status_code == 200
    clock.shift(dt.timedelta(minutes=16))
    assert client.get("/").status_code == 302


# --- the session clock behind "Stay signed in" -----------------------------------------------------


def test_the_clock_reports_time_left_without_counting_as_activity(practitioner, clock):
    client = _sign_in(practitioner)
    clock.shift(dt.timedelta(minutes=10))
    assert client.get("/session").json() == {
        "idle_seconds_left": 5 * 60,
        "absolute_seconds_left": 12 * 3600 - 10 * 60,
    }
    clock.shift(dt.timedelta(minutes=4))
    assert client.get("/session").json()["idle_seconds_left"] == 60
    clock.shift(dt.timedelta(minutes=2))
    assert client.get("/session").status_code == 302  # checking did not keep it alive


def test_stay_signed_in_restarts_the_idle_clock(practitioner, clock):
    client = Client(enforce_csrf_checks=True)
    sign_in(client, practitioner, PASSWORD, csrf=True)
    # The script reads the token from the page's own sign-out form, as here (the cookie is HttpOnly).
    page = client.get("/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    clock.shift(dt.timedelta(minutes=14))
    # Without the CSRF token the extension is refused (it is a write).
    assert client.post("/session").status_code == 403
    response = client.post("/session", headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert response.json()["idle_seconds_left"] == 15 * 60
    clock.shift(dt.timedelta(minutes=14))
    assert client.get("/").status_code == 200


def test_signed_in_pages_carry_the_warning_and_its_script(practitioner_client):
    html = practitioner_client.get("/").content.decode()
    assert 'role="alertdialog"' in html
    assert 'data-clock-url="/session"' in html
    assert 'data-warning-seconds="120"' in html
    assert "Stay signed in" in html
    assert 'src="/static/core/session-timeout.js"' in html
    assert 'aria-live="polite"' in html


def test_the_sign_in_page_has_no_warning(client, db):
    html = client.get("/sign-in").content.decode()
    assert "session-timeout" not in html


# --- deactivation ---------------------------------------------------------------------------------


@pytest.fixture
def admin(team_a):
    return member(team_a, Role.ADMIN, "admin")


def test_deactivating_a_user_ends_every_session_at_once(practitioner, admin):
    phone, desktop = _sign_in(practitioner), _sign_in(practitioner)
    keys = {_key(phone), _key(desktop)}
    assert phone.get("/").status_code == 200
    ended = user_deactivate(actor=admin, user=practitioner)
    assert ended == 2
    assert not any(_exists(key) for key in keys)
    assert not UserSession.objects.filter(user=practitioner).exists()
    assert phone.get("/").status_code == 302
    assert desktop.get("/api/v1/people").status_code == 401
    practitioner.refresh_from_db()
    assert practitioner.is_active is False
    event = AuditEvent.objects.get(action="user.deactivate")
    assert (event.actor_id, event.object_id, event.detail) == (
        admin.pk,
        str(practitioner.pk),
        {"sessions_ended": 2},
    )


def test_a_deactivated_user_cannot_sign_in_again(practitioner, admin):
    user_deactivate(actor=admin, user=practitioner)
    response = Client().post("/sign-in", {"username": practitioner.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()


def test_a_session_of_an_inactive_user_is_ended_even_when_it_was_not_tracked(practitioner, settings):
    """Belt and braces: the middleware refuses any session whose user is inactive, even with a backend
    that would let inactive users through, and deletes it from the store."""
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.AllowAllUsersModelBackend"]
    client = Client()
    client.force_login(practitioner)
    key = _key(client)
    UserSession.objects.all().delete()  # as if it began before sessions were tracked
    practitioner.is_active = False
    practitioner.save()
    assert client.get("/").status_code == 302
    assert not _exists(key)
    assert AuditEvent.objects.filter(action="session.refused", object_id=str(practitioner.pk)).exists()


@pytest.mark.parametrize(
    ("actor_role", "same_team", "superuser", "allowed"),
    [
        (Role.ADMIN, True, False, True),
        (Role.TEAM_LEAD, True, False, True),
        (Role.PRACTITIONER, True, False, False),
        (Role.COMMISSIONER, True, False, False),
        (Role.ADMIN, False, False, False),
        (Role.TEAM_LEAD, False, False, False),
        (Role.PRACTITIONER, False, True, True),
    ],
)
def test_who_may_deactivate_an_account(
    practitioner, team_a, team_b, actor_role, same_team, superuser, allowed
):
    actor = member(team_a if same_team else team_b, actor_role)
    actor.is_superuser = superuser
    actor.save()
    _sign_in(practitioner)
    if allowed:
        user_deactivate(actor=actor, user=practitioner)
    else:
        with pytest.raises(NotPermitted):
            user_deactivate(actor=actor, user=practitioner)
    practitioner.refresh_from_db()
    assert practitioner.is_active is not allowed
    assert UserSession.objects.filter(user=practitioner).exists() is not allowed


def test_a_team_lead_cannot_deactivate_a_superuser(team_a, team_lead):
    boss = member(team_a, Role.PRACTITIONER, "boss")
    boss.is_superuser = True
    boss.save()
    with pytest.raises(NotPermitted):
        user_deactivate(actor=team_lead, user=boss)


def test_stale_session_rows_are_pruned_at_sign_in(practitioner, team_lead, clock):
    _sign_in(practitioner)
    clock.shift(dt.timedelta(hours=12, minutes=1))
    _sign_in(team_lead)
    assert list(UserSession.objects.values_list("user_id", flat=True)) == [team_lead.pk]
    assert Membership.objects.exists() and timezone.now() == START + dt.timedelta(hours=12, minutes=1)


def test_sign_out_everywhere_else_ends_the_other_sessions_and_keeps_this_one(practitioner, support_worker):
    here = _sign_in(practitioner)
    there = _sign_in(practitioner)
    someone_else = _sign_in(support_worker)
    page = here.get("/account/sessions").content.decode()
    assert page.count('class="nhsuk-table__row"') == 3  # the header row and two sessions
    assert "This session" in page
    response = here.post("/account/sessions")
    assert response.status_code == 302
    assert "Signed out everywhere else" in here.get(response["Location"]).content.decode()
    assert here.get("/").status_code == 200
    assert there.get("/").status_code == 302  # ended on the server
    assert someone_else.get("/").status_code == 200  # nobody else's
    assert list(UserSession.objects.filter(user=practitioner).values_list("session_key", flat=True)) == [
        _key(here)
    ]
    event = AuditEvent.objects.get(action="session.signed_out_elsewhere")
    assert (event.actor_id, event.detail) == (practitioner.pk, {"sessions_ended": 1})


def test_the_sessions_page_needs_both_factors(practitioner):
    client = Client()
    client.password_only_login(practitioner)
    assert client.get("/account/sessions").status_code == 302
    assert client.post("/account/sessions").status_code == 302
    assert not AuditEvent.objects.filter(action="session.signed_out_elsewhere").exists()
