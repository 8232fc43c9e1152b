"""Advice in real Chromium: the adviser allocates a need from the episode page the same day, records a
duty-to-refer (refused without the person's consent, then made), what was done and an outcome, closes
the record, and finds it on the worklist.

Every page on the way is checked with axe-core (no serious or critical WCAG problems), for JavaScript
errors and Content Security Policy violations (the journey fixtures fail on those).
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from liaison.advice.models import AdviceRecord, AdviceStatus
from liaison.core.models import Role
from tests.browser import test_journey as journey
from tests.browser.test_assessment_journey import sign_in
from tests.factories import EpisodeFactory, PersonFactory, member

browser_page = journey.browser_page
javascript = journey.javascript
service = journey.service

pytestmark = pytest.mark.browser


def fill_date(group, day) -> None:
    group.get_by_label("Day", exact=True).fill(str(day.day))
    group.get_by_label("Month", exact=True).fill(str(day.month))
    group.get_by_label("Year", exact=True).fill(str(day.year))


def test_same_day_housing_advice_from_allocation_to_closing(live_server, service, browser_page):
    page, base = browser_page, live_server.url
    adviser = member(service["site"].team, Role.ADVISER, "day.adviser")
    adviser.display_name = "Dee Adviser"
    adviser.save()
    person = PersonFactory(given_name="Rowan", family_name="Testbridge")
    episode = EpisodeFactory(site=service["site"], person=person, allocated_worker=service["user"])
    today = timezone.localdate()

    sign_in(page, base, adviser)
    page.goto(f"{base}/episodes/{episode.pk}/")
    page.locator("#advice").get_by_role("button", name="Allocate to an adviser").click()
    page.wait_for_url(f"**/episodes/{episode.pk}/advice/new")
    journey.check_accessibility(page, "advice-1-allocate")
    page.get_by_label("Housing options and homelessness").check()
    page.get_by_label("What do they need help with?").fill("Released today, nowhere to sleep tonight")
    page.get_by_role("button", name="Allocate").click()
    page.wait_for_url("**/advice/*/")
    assert "Advice work allocated to Dee Adviser, with a task due today." in page.content()
    journey.check_accessibility(page, "advice-2-record")

    # A duty to refer without the person's agreement is refused, and what was typed is kept.
    page.get_by_text("Record a duty-to-refer referral").click()
    page.get_by_label("Which local housing authority?").fill("Northtown City Council housing options")
    fill_date(page.get_by_role("group", name="Date the referral was made"), today)
    page.get_by_role("group", name="Did the person agree to the referral?").get_by_label("No").check()
    page.get_by_role("button", name="Save the referral").click()
    page.wait_for_load_state()
    assert "needs the person's consent" in page.locator(".nhsuk-error-summary").inner_text()
    assert page.get_by_label("Which local housing authority?").input_value().startswith("Northtown City")
    journey.check_accessibility(page, "advice-3-no-consent")
    page.get_by_role("group", name="Did the person agree to the referral?").get_by_label("Yes").check()
    page.get_by_role("button", name="Save the referral").click()
    page.wait_for_load_state()
    assert "Duty-to-refer referral saved." in page.content()

    fill_date(page.get_by_role("group", name="When was it done?"), today)
    page.get_by_label("What was done?").fill("Rang housing options with them; night shelter place found")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    page.get_by_label("What was the outcome?").select_option("temporary_accommodation")
    fill_date(page.get_by_role("group", name="Date of the outcome"), today)
    page.get_by_role("button", name="Save the outcome").click()
    page.wait_for_load_state()
    page.get_by_label("What does the record close with?").select_option("temporary_accommodation")
    page.get_by_role("button", name="Close the record").click()
    page.wait_for_load_state()
    assert "Advice record closed." in page.content()
    journey.check_accessibility(page, "advice-4-closed")

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Advice").click()
    page.wait_for_url(f"{base}/advice/")
    assert "Rowan Testbridge" in page.inner_text("table")
    journey.check_accessibility(page, "advice-5-worklist")
    record = AdviceRecord.objects.get()
    assert (record.status, record.closing_outcome, record.dtr_consent) == (
        AdviceStatus.CLOSED,
        "temporary_accommodation",
        True,
    )
