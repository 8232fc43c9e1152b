"""Core pages: signing in and out, the page frame, switching team, breaking the glass and its log."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

import liaison
from liaison.core.models import AuditEvent, BreakGlass, Membership, Role
from tests.factories import PASSWORD, TeamFactory, member
from tests.secondfactor import authenticator, current_code, sign_in


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- signing in and the page frame --------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in")


def test_sign_in_page_is_an_nhs_page_with_a_csrf_protected_form(client, db):
    response = client.get("/sign-in")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Sign in – Liaison</title>" in html
    assert 'class="nhsuk-header' in html and 'class="nhsuk-footer' in html
    assert 'href="#maincontent"' in html and '<main class="nhsuk-main-wrapper" id="maincontent">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<label class="nhsuk-label" for="id_username">Username</label>' in html


def test_wrong_password_shows_an_error_summary_and_keeps_the_username(client, practitioner):
    response = client.post("/sign-in", {"username": practitioner.username, "password": "not the password"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign in – Liaison</title>" in html
    assert "nhsuk-error-summary" in html
    assert '<a href="#id_username">Enter a correct username and password' in html
    assert f'value="{practitioner.username}"' in html
    assert "not the password" not in html


def test_signing_in_leads_to_the_worklist(client, practitioner):
    assert sign_in(client, practitioner, PASSWORD)["Location"] == "/"


def test_sign_out_is_a_post_form_and_ends_the_session(practitioner_client):
    assert practitioner_client.get("/sign-out").status_code == 405
    page = practitioner_client.get("/").content.decode()
    assert re.search(r'<form class="nhsuk-header__account-form" action="/sign-out" method="post"', page)
    response = practitioner_client.post("/sign-out")
    assert response.status_code == 302
    assert practitioner_client.get("/").status_code == 302  # signed out: back to sign in


def test_header_names_the_user_their_role_and_team(practitioner_client, practitioner, team_a):
    html = practitioner_client.get("/").content.decode()
    # The name links to the user's own sessions ("sign out everywhere else").
    assert (
        'Signed in as </span><a class="nhsuk-header__account-link" href="/account/sessions">'
        f"{practitioner}<" in html
    )
    assert f"Practitioner, {escape(team_a.name)}" in html
    assert 'class="nhsuk-header__service-name">Liaison<' in html


@pytest.mark.parametrize("url", ["/", "/arrivals/new", "/people/search", "/break-glass", "/team/switch"])
def test_pages_load_scripts_from_files_only(practitioner_client, url):
    """A Content Security Policy will block inline scripts: every <script> must have a src."""
    html = practitioner_client.get(url).content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "expected the NHS.UK and htmx scripts"
    assert all("src=" in tag for tag in scripts), scripts
    assert "<script>" not in html
    assert " style=" not in html
    assert " onclick=" not in html


def test_unknown_address_gets_an_nhs_styled_404(practitioner_client):
    response = practitioner_client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found – Liaison" in response.content.decode()


# --- switching team -------------------------------------------------------------------------------


@pytest.fixture
def two_team_user(team_a, team_b, site_a, site_b):
    user = member(team_a, Role.PRACTITIONER, "floater")
    Membership.objects.create(user=user, team=team_b, role=Role.TEAM_LEAD)
    return user


def test_a_user_in_two_teams_can_switch_between_them(two_team_user, team_a, team_b):
    client = _client(two_team_user)
    assert "Switch team" in client.get("/").content.decode()
    page = client.get("/team/switch").content.decode()
    assert escape(team_a.name) in page and escape(team_b.name) in page
    response = client.post("/team/switch", {"team": team_b.pk})
    assert response.status_code == 302
    assert client.session["team_id"] == team_b.pk
    worklist = client.get("/").content.decode()
    assert f"Team lead, {escape(team_b.name)}" in worklist


def test_a_user_cannot_switch_to_a_team_they_are_not_in(practitioner, team_b):
    client = _client(practitioner)
    response = client.post("/team/switch", {"team": team_b.pk})
    assert response.status_code == 200
    assert "Select one of your teams" in response.content.decode()
    assert "team_id" not in client.session


def test_the_switch_link_is_only_for_people_in_several_teams(practitioner_client):
    assert "Switch team" not in practitioner_client.get("/").content.decode()


# --- breaking the glass ---------------------------------------------------------------------------


def code(user) -> str:
    return current_code(authenticator(user))


@pytest.mark.parametrize("given", ["", "12345", "abcdef", "wrong"])
def test_breaking_the_glass_needs_a_fresh_code(outsider_client, outsider, person_a, given):
    good = code(outsider)
    typed = f"{(int(good) + 1) % 1_000_000:06d}" if given == "wrong" else given
    response = outsider_client.post(
        "/break-glass",
        {"person_id": person_a.pk, "reason": "Sergeant phoned about a detainee", "code": typed},
    )
    assert response.status_code == 200
    assert "authenticator app" in response.content.decode()
    assert not BreakGlass.objects.exists()
    assert AuditEvent.objects.filter(action="break_glass.reauth_failed", actor_id=outsider.pk).exists()
    # A code already used to sign in, or to break the glass before, is refused too.
    authenticator(outsider).verify_token(good)
    response = outsider_client.post(
        "/break-glass", {"person_id": person_a.pk, "reason": "Sergeant phoned about a detainee", "code": good}
    )
    assert not BreakGlass.objects.exists()


def test_break_glass_refuses_a_short_reason_without_saying_whether_the_person_exists(
    outsider_client, person_a
):
    answers = []
    for person_id in (person_a.pk, person_a.pk + 999):
        response = outsider_client.post("/break-glass", {"person_id": person_id, "reason": "urgent"})
        html = response.content.decode()
        assert response.status_code == 200
        assert "Reason must be at least 10 characters" in html
        assert 'value="' + str(person_id) + '"' in html  # what they typed is kept
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        answers.append(html.replace(f'value="{person_id}"', 'value="ID"'))
    assert answers[0] == answers[1]
    assert "Rivers" not in answers[0]
    assert not BreakGlass.objects.exists()


def test_break_glass_grants_time_limited_access_and_is_audited(
    outsider_client, outsider, person_a, team_b, settings
):
    settings.BREAK_GLASS_MINUTES = 30
    reason = "Custody sergeant at Southport called: detainee says he is under Northtown CMHT"
    before = timezone.now()
    response = outsider_client.post(
        "/break-glass", {"person_id": person_a.pk, "reason": reason, "code": code(outsider)}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/people/{person_a.pk}/"
    grant = BreakGlass.objects.get()
    assert (grant.user, grant.team, grant.person, grant.reason) == (outsider, team_b, person_a, reason)
    assert before + dt.timedelta(minutes=29) < grant.expires_at < timezone.now() + dt.timedelta(minutes=31)
    event = AuditEvent.objects.get(action="break_glass.grant")
    assert (event.actor_id, event.person_id, event.team_id, event.reason) == (
        outsider.pk,
        person_a.pk,
        team_b.pk,
        reason,
    )
    page = outsider_client.get(response["Location"]).content.decode()
    assert "You are seeing this record because you broke the glass" in page
    assert "Alex Rivers" in page


def test_break_glass_for_an_unknown_id_says_so_only_after_a_reason(outsider_client, outsider, person_a):
    response = outsider_client.post(
        "/break-glass",
        {
            "person_id": person_a.pk + 500,
            "reason": "Probation officer phoned about a client",
            "code": code(outsider),
        },
    )
    assert response.status_code == 200
    assert "No person has this Liaison ID" in response.content.decode()
    assert not BreakGlass.objects.exists()
    assert AuditEvent.objects.filter(action="break_glass.refused", actor_id=outsider.pk).count() == 1


def test_break_glass_from_a_person_address_asks_only_for_the_reason(outsider_client, outsider, person_a):
    page = outsider_client.get(f"/people/{person_a.pk}/break-glass").content.decode()
    assert "Rivers" not in page
    assert 'name="person_id"' not in page
    response = outsider_client.post(
        f"/people/{person_a.pk}/break-glass",
        {"reason": "Court duty solicitor needs advice on fitness", "code": code(outsider)},
    )
    assert response.status_code == 302
    assert BreakGlass.objects.filter(person=person_a).exists()


def test_the_not_found_person_page_offers_break_the_glass(outsider_client, person_a):
    response = outsider_client.get(f"/people/{person_a.pk}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert f"/people/{person_a.pk}/break-glass" in html
    assert "Rivers" not in html


def test_no_need_to_break_the_glass_for_your_own_teams_person(practitioner_client, practitioner, person_a):
    response = practitioner_client.post(
        "/break-glass",
        {"person_id": person_a.pk, "reason": "Checking before the court hearing", "code": code(practitioner)},
    )
    assert response.status_code == 302
    assert not BreakGlass.objects.exists()


@pytest.mark.parametrize("role", [Role.SUPPORT_WORKER, Role.ADVISER, Role.COMMISSIONER, Role.PARTNER])
def test_only_practitioners_and_team_leads_may_break_the_glass(team_b, person_a, role):
    client = _client(member(team_b, role))
    assert client.get("/break-glass").status_code == 403
    response = client.post(
        "/break-glass", {"person_id": person_a.pk, "reason": "Need to see this person now"}
    )
    assert response.status_code == 403
    assert not BreakGlass.objects.exists()


def test_team_lead_reviews_the_teams_break_glass_log(team_b, outsider, person_a):
    BreakGlass.objects.create(
        user=outsider,
        team=team_b,
        person=person_a,
        reason="Sergeant phoned at 2am",
        expires_at=timezone.now() + dt.timedelta(minutes=30),
    )
    other_team = TeamFactory(code="team-c", name="Eastport L&D")
    lead_b, lead_c = member(team_b, Role.TEAM_LEAD), member(other_team, Role.TEAM_LEAD)

    page = _client(lead_b).get("/team/break-glass").content.decode()
    assert "Sergeant phoned at 2am" in page and str(outsider) in page
    assert "Open until" in page
    assert AuditEvent.objects.filter(action="break_glass.review", actor_id=lead_b.pk).exists()

    assert "Sergeant phoned at 2am" not in _client(lead_c).get("/team/break-glass").content.decode()
    assert _client(outsider).get("/team/break-glass").status_code == 404


# --- rules every template keeps -------------------------------------------------------------------

TEMPLATE_DIRS = [Path(liaison.__file__).parent / app / "templates" for app in ("core", "people", "episodes")]


def _templates() -> list[Path]:
    return sorted(p for d in TEMPLATE_DIRS for p in d.rglob("*.html"))


def test_every_post_form_carries_a_csrf_token():
    forms_seen = 0
    for path in _templates():
        text = path.read_text()
        for match in re.finditer(r'<form[^>]*method="post"[^>]*>(.*?)</form>', text, flags=re.S):
            forms_seen += 1
            assert "{% csrf_token %}" in match.group(1), (
                f"{path.name}: a POST form without {{% csrf_token %}}"
            )
    assert forms_seen >= 8


def test_no_template_has_an_inline_script_or_a_get_form_for_personal_data():
    for path in _templates():
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag, f"{path.name}: inline <script>"
        for form in re.findall(r"<form\b[^>]*>", text):
            if 'method="get"' in form:
                # Only the worklist filters (site and stage, not personal data) may use GET.
                assert path.name == "worklist.html", f"{path.name}: a GET form"


def test_a_post_without_the_csrf_token_is_refused(practitioner, episode_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(practitioner)
    response = client.post(f"/episodes/{episode_a.pk}/contacts", {"contact-channel": "phone"})
    assert response.status_code == 403
    assert "This page is out of date" in response.content.decode()
