"""Consent and sharing in real Chromium: from the person page to the consent page; record consent with the
checkbox grid (after one mistake: no pairs ticked); see it allowed in the grid; withdraw it; ask for a
lawful basis; and another team lead approves it from the queue. Works with JavaScript and without.

Every page is checked with axe-core, for JavaScript errors and Content Security Policy violations;
screenshots go to /tmp/journey-consent-*.png.
"""

from __future__ import annotations

import datetime as dt

import pytest

from liaison.consent.models import BasisStatus, Consent, SharingBasis
from tests.browser import test_journey as journey
from tests.browser.test_assessment_journey import sign_in
from tests.factories import EpisodeFactory, PersonFactory, Role, member

browser_page = journey.browser_page
javascript = journey.javascript
service = journey.service

pytestmark = pytest.mark.browser


def check(page, name: str, javascript: bool) -> None:
    # axe-core runs as JavaScript in the page: with JavaScript off only the journey itself is checked.
    if javascript:
        journey.check_accessibility(page, name)


@pytest.mark.parametrize("javascript", [True, False])
def test_recording_withdrawing_and_a_lawful_basis(live_server, service, browser_page, javascript):
    page, base, user = browser_page, live_server.url, service["user"]
    person = PersonFactory(given_name="Rowan", family_name="Testbridge", date_of_birth=dt.date(1994, 2, 9))
    EpisodeFactory(site=service["site"], person=person, allocated_worker=user)
    shot = f"consent-{'js' if javascript else 'nojs'}"

    sign_in(page, base, user)
    page.goto(f"{base}/people/{person.pk}/")
    assert "No agreement to share recorded by this team." in page.content()
    page.get_by_role("link", name="Consent and sharing in full").click()
    page.wait_for_url(f"**/people/{person.pk}/consent/")
    check(page, f"{shot}-1-page", javascript)

    # No pairs ticked: a clear error linked to the grid.
    form = page.locator("#record-consent")
    form.get_by_label("Sharing information").check()
    form.get_by_label("They agreed").check()
    form.get_by_label("Has capacity to decide").check()
    form.get_by_role("button", name="Record consent").click()
    page.wait_for_load_state()
    summary = page.locator(".nhsuk-error-summary").inner_text()
    assert "Choose at least one kind of information and who it may go to" in summary
    check(page, f"{shot}-2-error", javascript)

    form = page.locator("#record-consent")
    form.get_by_label("Court: recommendations only").check()
    form.get_by_label("What the person said (optional)").fill("Fine for the court to know what helps")
    form.get_by_role("button", name="Record consent").click()
    page.wait_for_url(f"**/people/{person.pk}/consent/")
    grid = page.locator("table", has_text="Sharing today").inner_text()
    assert "The person agreed to share recommendations only with: Court" in grid
    check(page, f"{shot}-3-recorded", javascript)

    page.get_by_label("Why was it withdrawn? (optional)").fill("Rang to say no")
    page.get_by_role("button", name="Withdraw this consent").click()
    page.wait_for_url(f"**/people/{person.pk}/consent/")
    assert "The person withdrew their consent to share recommendations only with: Court" in page.content()
    assert Consent.objects.get().withdrawn_at is not None

    page.get_by_role("link", name="Ask to share without consent").click()
    page.get_by_label("Police").first.check()
    page.get_by_label("Recommendations only").check()
    page.get_by_label("To prevent serious harm to the person or others").check()
    page.get_by_label("Why must it be shared without the person's consent?").fill("Threats to a named person")
    check(page, f"{shot}-4-basis", javascript)
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_url(f"**/people/{person.pk}/consent/")

    lead = member(service["team"], Role.TEAM_LEAD, f"lead.{shot}")
    page.context.clear_cookies()
    sign_in(page, base, lead)
    page.goto(f"{base}/consent/requests/")
    assert "Threats to a named person" in page.content()
    check(page, f"{shot}-5-queue", javascript)
    page.get_by_label("Approve: sharing is allowed on this basis").check()
    page.get_by_role("button", name="Save the decision").click()
    page.wait_for_url("**/consent/requests/")
    assert SharingBasis.objects.get().status == BasisStatus.APPROVED
    page.goto(f"{base}/people/{person.pk}/consent/")
    assert "Allowed without consent: to prevent serious harm" in page.content()
