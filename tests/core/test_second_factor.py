"""The second factor: a password alone reaches nothing but the code pages; set-up, codes, replays,
throttling and where each answer sends the user. Each control is a table of cases."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison.core.models import AuditEvent
from tests.factories import PASSWORD
from tests.secondfactor import authenticator, code_for_secret, current_code


def password_only(user) -> Client:
    client = Client()
    client.password_only_login(user)
    return client


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/arrivals/new",
        "/people/search",
        "/break-glass",
        "/team/switch",
        "/team/break-glass",
        "/people/1/",
        "/episodes/1/",
        "/arrivals/review",
    ],
)
def test_a_password_alone_reaches_no_page(practitioner, person_a, path):
    client = password_only(practitioner)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/set-up-authenticator")
    authenticator(practitioner)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/code")


def test_a_password_alone_gets_nothing_from_the_api(practitioner, person_a):
    client = password_only(practitioner)
    authenticator(practitioner)
    for path in ("/api/v1/people", f"/api/v1/people/{person_a.pk}", "/api/v1/episodes"):
        assert client.get(path).status_code == 401, path
    assert Client().get("/api/v1/openapi.json").status_code == 200  # the description is public


def test_htmx_requests_are_sent_to_the_code_page_whole(practitioner):
    client = password_only(practitioner)
    authenticator(practitioner)
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/sign-in/code")


@pytest.mark.parametrize("path", ["/sign-in/code", "/sign-in/set-up-authenticator", "/session", "/healthz"])
def test_the_pages_before_the_second_factor_answer(practitioner, path):
    assert password_only(practitioner).get(path).status_code in {200, 302}


def test_sign_out_works_before_the_second_factor(practitioner):
    client = password_only(practitioner)
    assert client.post("/sign-out").status_code == 302
    assert client.get("/sign-in/code").status_code == 302  # signed out: to the sign-in page


def test_first_sign_in_sets_up_the_app_and_goes_where_it_was_going(practitioner):
    client = Client()
    response = client.post(
        "/sign-in?next=/people/search", {"username": practitioner.username, "password": PASSWORD}
    )
    assert response["Location"] == "/sign-in/set-up-authenticator?next=/people/search"
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and "QR code for your authenticator app" in page
    secret = page.split('class="liaison-secret">')[1].split("<")[0]
    assert len(secret.replace(" ", "")) == 32  # 160 bits, base32
    device = TOTPDevice.objects.get(user=practitioner)
    assert not device.confirmed
    # A wrong code: nothing confirmed, the error beside the box, the same key shown again.
    response = client.post(
        "/sign-in/set-up-authenticator", {"code": wrong(code_for_secret(secret)), "next": "/people/search"}
    )
    assert response.status_code == 400
    assert "not right" in response.content.decode() and secret in response.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    TOTPDevice.objects.get(pk=device.pk).throttle_reset()
    # The right one: confirmed, signed in, and on to where they were going.
    response = client.post(
        "/sign-in/set-up-authenticator", {"code": code_for_secret(secret), "next": "/people/search"}
    )
    assert response.status_code == 302 and response["Location"] == "/people/search"
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get("/people/search").status_code == 200
    assert AuditEvent.objects.filter(
        action="signin.second_factor_enrolled", actor_id=practitioner.pk
    ).exists()


def test_a_set_up_app_cannot_be_replaced_with_a_password_alone(practitioner):
    device = authenticator(practitioner)
    client = password_only(practitioner)
    response = client.get("/sign-in/set-up-authenticator")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/code")
    assert client.post("/sign-in/set-up-authenticator", {"code": "123456"}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=practitioner)) == [device]


def test_the_code_signs_in_with_a_new_session_id(practitioner):
    device = authenticator(practitioner)
    client = Client()
    client.post("/sign-in", {"username": practitioner.username, "password": PASSWORD})
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = client.post("/sign-in/code", {"code": current_code(device)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="signin.second_factor", actor_id=practitioner.pk).exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the 6-digit code"),
        ("12345", "Enter the 6 digits"),
        ("12345a", "Enter the 6 digits"),
        ("1234567", "Enter the 6 digits"),
        ("¹²³⁴⁵⁶", "Enter the 6 digits"),
        ("wrong", "not right"),
        ("replayed", "not right"),
    ],
)
def test_a_bad_code_is_refused_audited_and_reaches_nothing(practitioner, typed, message):
    device = authenticator(practitioner)
    client = password_only(practitioner)
    if typed == "wrong":
        typed = wrong(current_code(device))
    elif typed == "replayed":
        typed = current_code(device)
        assert device.verify_token(typed)  # used once already (to sign in somewhere else, say)
    response = client.post("/sign-in/code", {"code": typed})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="signin.second_factor_failed", actor_id=practitioner.pk).exists()


def test_wrong_codes_are_throttled_even_the_right_one_next(practitioner):
    device = authenticator(practitioner)
    client = password_only(practitioner)
    good = current_code(device)
    assert client.post("/sign-in/code", {"code": wrong(good)}).status_code == 400
    response = client.post("/sign-in/code", {"code": good})
    assert response.status_code == 400
    assert "Too many wrong codes" in response.content.decode()
    device.throttle_reset()
    assert client.post("/sign-in/code", {"code": good}).status_code == 302


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_the_code_page_never_sends_anyone_off_site(practitioner, next_url):
    device = authenticator(practitioner)
    client = password_only(practitioner)
    response = client.post("/sign-in/code", {"code": current_code(device), "next": next_url})
    assert response["Location"] == reverse("worklist")


@pytest.mark.parametrize(
    ("manager", "allowed"),
    [("team_lead", True), ("admin", True), ("practitioner", False), ("outsider_lead", False)],
)
def test_a_lost_phone_is_reset_by_the_team_lead_or_administrator(
    team_a, team_b, practitioner, team_lead, support_worker, manager, allowed
):
    from django.core.management import CommandError, call_command

    from liaison.core.models import Role
    from tests.factories import member

    managers = {
        "team_lead": team_lead,
        "admin": member(team_a, Role.ADMIN),
        "practitioner": practitioner,
        "outsider_lead": member(team_b, Role.TEAM_LEAD),
    }
    authenticator(support_worker)
    client = Client()
    client.force_login(support_worker)
    assert client.get("/").status_code == 200
    if not allowed:
        with pytest.raises(CommandError, match="Only a superuser"):
            call_command("reset_authenticator", support_worker.username, by=managers[manager].username)
        assert TOTPDevice.objects.filter(user=support_worker).exists()
        return
    call_command("reset_authenticator", support_worker.username, by=managers[manager].username)
    assert not TOTPDevice.objects.filter(user=support_worker).exists()
    assert client.get("/").status_code == 302  # their session ended at once
    event = AuditEvent.objects.get(action="signin.second_factor_reset")
    assert (event.actor_id, event.object_id) == (managers[manager].pk, str(support_worker.pk))
    # Next sign-in: set up a new app.
    response = Client().post("/sign-in", {"username": support_worker.username, "password": PASSWORD})
    assert response["Location"].startswith("/sign-in/set-up-authenticator")
