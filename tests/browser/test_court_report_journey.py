"""A court report in real Chromium: the practitioner records consent to share recommendations with the
court, drafts the court report from the assessment (everything else left out, with the reason), a team
lead signs it off and shares it with a named court officer, who opens the link without an account (a
fresh browser), downloads the PDF and leaves feedback; the disclosure is then on the person's record.

Every page on the way is checked with axe-core, for JavaScript errors and for Content Security Policy
violations; full-page screenshots go to /tmp/court-report-*.png.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from liaison.consent.models import Disclosure
from liaison.core.models import Role
from liaison.reports.models import PartnerFeedback, ReportVersion
from tests.browser import test_journey as journey
from tests.browser.test_assessment_journey import sign_in
from tests.factories import EpisodeFactory, PersonFactory, member
from tests.reports.conftest import PLANTED_EVIDENCE, PLANTED_GOALS, RECOMMENDATION, assess

browser_page = journey.browser_page
javascript = journey.javascript
service = journey.service

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp")  # noqa: S108 - screenshots for people to look at
BAIL = "He has a bed at Millbrook Nightstop from tonight, so bail with a condition of residence is workable."


def check(page, name: str) -> None:
    journey.check_accessibility(page, f"court-report-{name}")
    page.screenshot(path=str(SHOTS / f"court-report-{name}.png"), full_page=True)


def _fresh_page(page):
    """A new browser context (no cookies: nobody signed in), watched like the fixture's page."""
    context = page.context.browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    fresh = context.new_page()
    fresh.js_errors = []
    fresh.on("pageerror", lambda exc: fresh.js_errors.append(str(exc)))
    fresh.csp_violations = []
    fresh.on(
        "console",
        lambda message: (
            fresh.csp_violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return fresh


def test_a_court_report_drafted_signed_off_shared_opened_and_rated(live_server, service, browser_page):
    page, base, user = browser_page, live_server.url, service["user"]
    lead = member(service["team"], Role.TEAM_LEAD, "duty.lead")
    person = PersonFactory(
        given_name="Rowan",
        family_name="Testbridge",
        date_of_birth=dt.date(1994, 2, 9),
        nhs_number="9434765919",
    )
    episode = EpisodeFactory(site=service["site"], person=person, allocated_worker=user)
    assess(episode, user)

    # 1. Consent: the person agrees to the court having recommendations only.
    sign_in(page, base, user)
    page.goto(f"{base}/people/{person.pk}/consent/")
    form = page.locator("#record-consent")
    form.get_by_label("Sharing information").check()
    form.get_by_label("They agreed").check()
    form.get_by_label("Court: recommendations only").check()
    form.get_by_label("Has capacity to decide").check()
    form.get_by_role("button", name="Record consent").click()
    page.wait_for_load_state()
    check(page, "1-consent")

    # 2. The draft, from the assessment: recommendations in, everything else left out with the reason.
    page.goto(f"{base}/episodes/{episode.pk}/")
    page.locator("#reports").get_by_role("button", name="Write or view reports").click()
    page.wait_for_url(f"**/episodes/{episode.pk}/reports")
    page.get_by_label("Court report").check()
    page.get_by_role("button", name="Write the draft").click()
    page.wait_for_url("**/reports/*/")
    assert "Draft written from the assessment" in page.content()
    assert RECOMMENDATION in page.get_by_label("Recommendations", exact=True).input_value()
    assert "Needs in brief: The person has not been asked about sharing a summary of needs" in page.content()
    for planted in (PLANTED_EVIDENCE, PLANTED_GOALS):
        assert planted not in page.content()
    check(page, "2-draft")
    page.get_by_label("Bail and remand considerations").fill(BAIL)
    page.get_by_label("Suitability for treatment requirements").fill(
        "Mental health treatment requirement: suitable; he agrees to it.\n"
        "Drug rehabilitation requirement: not indicated.\nAlcohol treatment requirement: not indicated."
    )
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_url("**/reports/*/")
    assert "Draft saved" in page.content()
    report_url = page.url

    # 3. A team lead reads it, signs it off, and makes a link for the court's legal adviser.
    lead_page = _fresh_page(page)
    sign_in(lead_page, base, lead)
    lead_page.goto(report_url)
    lead_page.get_by_role("button", name="Sign off version 1").click()
    lead_page.wait_for_url(report_url)
    assert "Version 1 signed off" in lead_page.content()
    assert BAIL in lead_page.inner_text(".liaison-report")
    check(lead_page, "3-signed-off")
    share = lead_page.locator("#share-form")
    share.get_by_label("Their name").fill("Jo Clerk")
    share.get_by_label("Their organisation").fill("Northtown Magistrates' Court")
    share.get_by_label("Their work email address").fill("jo.clerk@justice.example")
    share.get_by_label("What kind of organisation is it?").select_option("court")
    share.get_by_label("7 days").check()
    share.get_by_role("button", name="Make the link").click()
    lead_page.wait_for_load_state()
    link = lead_page.get_by_label("Link to the report").input_value()
    assert "/shared/" in link
    check(lead_page, "4-link")

    # 4. The recipient opens it with no account, downloads the PDF and says how useful it was.
    recipient = _fresh_page(page)
    recipient.goto(link)
    assert recipient.inner_text("h1") == "Court report from Northtown L&D"
    assert BAIL in recipient.inner_text(".liaison-report")
    assert PLANTED_EVIDENCE not in recipient.content()
    # The court learns which parts are left out, never why (a refusal is itself information).
    assert "consent does not cover" in recipient.content() and "has not been asked" not in recipient.content()
    check(recipient, "5-recipient")
    with recipient.expect_download() as download_info:
        recipient.get_by_role("button", name="Download the report (PDF)").click()
    assert Path(download_info.value.path()).read_bytes().startswith(b"%PDF")
    recipient.get_by_label("4: useful").check()
    recipient.get_by_label("What else did you need from us?").fill("His medication, for the cells")
    recipient.get_by_role("button", name="Send feedback").click()
    recipient.wait_for_load_state()
    assert "Thank you for your feedback" in recipient.content()
    check(recipient, "6-thanks")
    assert list(PartnerFeedback.objects.values_list("usefulness", flat=True)) == [4]
    assert Disclosure.objects.filter(person=person, method="link").count() == 1
    assert Disclosure.objects.filter(person=person, method="download").count() == 1
    assert ReportVersion.objects.get().is_signed_off

    # 5. The disclosure is on the person's record.
    page.goto(f"{base}/people/{person.pk}/")
    assert "Court report, version 1" in page.content()
    check(page, "7-person")
    # The feedback reaches the team's summary.
    lead_page.goto(f"{base}/reports/feedback")
    assert "His medication, for the cells" in lead_page.content()
    check(lead_page, "8-feedback")
