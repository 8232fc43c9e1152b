"""The service directory in real Chromium: a team lead finds a service, mistypes an opening time and
fixes it, then records the team's notes; every page is checked with axe-core and for CSP violations.
"""

from __future__ import annotations

import pytest

from liaison.core.models import Role
from liaison.directory.importer import directory_import
from tests.browser import test_journey as journey
from tests.browser.test_assessment_journey import sign_in
from tests.directory.samples import dumps
from tests.directory.samples import service as oruk_service
from tests.factories import TeamFactory, member

browser_page = journey.browser_page
javascript = journey.javascript

pytestmark = pytest.mark.browser


def test_a_team_lead_finds_edits_and_annotates_a_service(live_server, transactional_db, browser_page):
    page, base = browser_page, live_server.url
    lead = member(TeamFactory(code="dir", name="Northtown L&D"), Role.TEAM_LEAD, "dir.lead")
    directory_import(data=dumps([oruk_service(1), oruk_service(2, name="Advice Line", attributes=[])]))

    sign_in(page, base, lead)
    page.get_by_role("link", name="Directory").first.click()
    page.get_by_label("Search by name, organisation or what the service does").fill("shelter")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Night Shelter 1").click()
    assert "Every day, 8pm to 8am (overnight)" in page.inner_text("#opening-times")
    journey.check_accessibility(page, "directory-1-service")

    page.get_by_role("link", name="Edit the service").click()
    page.get_by_label("Row 1: opens at").fill("25:00")
    page.get_by_role("button", name="Save service").click()
    page.wait_for_load_state()
    summary = page.locator(".nhsuk-error-summary").inner_text()
    assert 'the opening time "25:00" is not a time of day' in summary
    journey.check_accessibility(page, "directory-2-bad-time")
    page.get_by_label("Row 1: opens at").fill("19:00")
    page.get_by_role("button", name="Save service").click()
    page.wait_for_url("**/directory/services/svc-1/")
    assert "Every day, 7pm to 8am (overnight)" in page.inner_text("#opening-times")

    page.get_by_role("link", name="Add your team's notes").click()
    page.get_by_label("Phone").check()
    page.get_by_label("How to refer").fill("Ring the duty desk after 7pm")
    page.get_by_role("group", name="Takes people straight from custody").get_by_label("Yes").check()
    journey.check_accessibility(page, "directory-3-notes")
    page.get_by_role("button", name="Save notes").click()
    page.wait_for_url("**/directory/services/svc-1/")
    assert "Ring the duty desk after 7pm" in page.content()
