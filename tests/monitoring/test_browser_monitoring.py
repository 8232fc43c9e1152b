"""The team lead's privacy alerts and team accounts in real Chromium: the open count in the header, the
list, one alert with its numbers, the Liaison IDs behind it, closing it (after one mistake), then
deactivating a leaver's account.

Every page is checked with axe-core (no serious or critical WCAG problems), for JavaScript errors
and Content Security Policy violations; full-page screenshots go to /tmp/monitor-*.png.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from liaison.core.models import Role, User
from liaison.monitoring.models import PrivacyAlert
from liaison.monitoring.services import privacy_scan
from tests.browser import test_journey as journey
from tests.factories import PASSWORD, PersonFactory, SiteFactory, TeamFactory, member
from tests.monitoring.conftest import append_events, grant, local, viewing_history
from tests.secondfactor import browser_sign_in

browser_page = journey.browser_page
javascript = journey.javascript

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp")  # noqa: S108 - screenshots for people to look at, as the brief for these pages asks


def check(page, name: str) -> None:
    journey.check_accessibility(page, f"monitor-{name}")
    page.screenshot(path=str(SHOTS / f"monitor-{name}.png"), full_page=True)


def _named(team, role, username: str, name: str) -> User:
    user = member(team, role, username)
    user.display_name = name
    user.save()
    return user


@pytest.fixture
def team(transactional_db):
    team = TeamFactory(code="monitor", name="Northtown L&D")
    SiteFactory(team=team, name="Northtown Custody Suite")
    lead = _named(team, Role.TEAM_LEAD, "morgan.lead", "Morgan Lead")
    busy = _named(team, Role.PRACTITIONER, "sam.night", "Sam Night")
    usual = _named(team, Role.PRACTITIONER, "alex.day", "Alex Day")
    leaver = _named(team, Role.SUPPORT_WORKER, "jo.leaver", "Jo Leaver")
    _named(team, Role.ADMIN, "pat.admin", "Pat Admin")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    # Sam: 65 people in a night; Alex: usually 8 a day, 30 yesterday; Jo broke the glass three times.
    append_events(user=busy, team=team, at=local(yesterday, 1), person_ids=range(2001, 2066))
    viewing_history(usual, team, per_day=[8, 7, 9, 8, 8, 6, 10], before=yesterday, start=3000)
    append_events(user=usual, team=team, at=local(yesterday, 14), person_ids=range(3001, 3031))
    for hour, reason in (
        (2, "Sergeant phoned from Eastgate custody"),
        (3, "Court duty asked"),
        (4, "Probation"),
    ):
        grant(leaver, team, local(yesterday, hour), person=PersonFactory(), reason=reason)
    privacy_scan(day=yesterday)
    return {"lead": lead, "busy": busy, "leaver": leaver}


def test_the_team_lead_reviews_privacy_alerts_and_deactivates_a_leaver(live_server, browser_page, team):
    page, base = browser_page, live_server.url
    browser_sign_in(page, base, "morgan.lead", PASSWORD)
    open_count = PrivacyAlert.objects.filter(closed_at__isnull=True).count()
    assert open_count == 6  # three grants, repeated break-glass, the ceiling, far above usual

    header = page.get_by_role("link", name=f"Privacy alerts ({open_count} open)")
    header.click()
    page.wait_for_url("**/privacy-alerts")
    assert "Viewed the records of 65 people (ceiling 60)" in page.inner_text("main")
    check(page, "1-alerts")

    page.get_by_role("link", name="Viewed the records of 65 people").click()
    page.wait_for_url("**/privacy-alerts/*/")
    assert "Different people's records viewed" in page.inner_text("main")
    check(page, "2-alert")

    page.get_by_role("link", name="See the Liaison IDs").click()
    page.wait_for_url("**/access")
    assert "2001" in page.inner_text("main")
    check(page, "3-ids-viewed")
    page.get_by_role("link", name="Back to the alert").click()

    # A mistake first: no outcome chosen.
    page.get_by_label("Note").fill("Sam covered both custody suites overnight: the rota confirms it.")
    page.get_by_role("button", name="Close the alert").click()
    assert "Select the outcome of your review" in page.inner_text(".nhsuk-error-summary")
    check(page, "4-close-error")
    page.get_by_label("No concern").check()
    page.get_by_role("button", name="Close the alert").click()
    page.wait_for_url("**/privacy-alerts")
    assert "Alert closed" in page.inner_text("main")
    assert page.get_by_role("link", name=f"Privacy alerts ({open_count - 1} open)").is_visible()
    check(page, "5-closed")

    page.get_by_role("link", name="Team accounts").click()
    page.wait_for_url("**/team/accounts")
    check(page, "6-accounts")
    page.get_by_role("link", name="Deactivate Jo Leaver").click()
    page.wait_for_url("**/deactivate")
    check(page, "7-deactivate")
    page.get_by_label("Why are you deactivating this account?").fill("Left the team on 31 March")
    page.get_by_role("button", name="Deactivate the account").click()
    page.wait_for_url("**/team/accounts")
    assert "Jo Leaver's account is deactivated" in page.inner_text("main")
    check(page, "8-deactivated")
    team["leaver"].refresh_from_db()
    assert not team["leaver"].is_active
