"""The outcomes dashboard in real Chromium: a team lead and a commissioner each see October 2026's figures,
every page checked with axe-core (no serious or critical problems), for JavaScript errors and for Content
Security Policy violations (the charts are inline SVG with no styles or scripts). Screenshots go to
/tmp/outcomes-*.png.
"""

from __future__ import annotations

import pytest

from liaison.core.models import Role
from tests.browser import test_journey as journey
from tests.browser.test_assessment_journey import sign_in
from tests.factories import TeamFactory, member
from tests.outcomes.test_kpis import build_world

browser_page = journey.browser_page
javascript = journey.javascript

pytestmark = pytest.mark.browser


def check(page, name: str) -> None:
    journey.check_accessibility(page, f"outcomes-{name}")
    page.screenshot(path=f"/tmp/outcomes-{name}.png", full_page=True)  # noqa: S108 - for people to look at
    assert page.js_errors == []
    assert page.csp_violations == []


def test_lead_and_commissioner_read_the_dashboard(live_server, transactional_db, browser_page):
    team_a = TeamFactory(code="team-a", name="Northtown L&D")
    team_b = TeamFactory(code="team-b", name="Southport L&D")
    world = build_world(team_a, team_b)
    commissioner = member(team_a, Role.COMMISSIONER, "commish")
    page, base = browser_page, live_server.url

    sign_in(page, base, world["lead"])
    page.goto(f"{base}/outcomes/?period=2026-10")
    assert page.get_by_role("heading", name="Outcomes: October 2026").is_visible()
    check(page, "1-lead")
    page.locator("#funnel").get_by_role("link").filter(has_text="4").first.click()
    page.wait_for_url("**/outcomes/episodes?**")
    assert "4 episodes" in page.content()
    check(page, "2-drill-down")

    page.context.clear_cookies()
    sign_in(page, base, commissioner)
    page.goto(f"{base}/outcomes/?period=2026-10")
    assert "Small numbers are hidden" in page.content()
    check(page, "3-commissioner")
    page.goto(f"{base}/outcomes/?period=2099-Q1")
    assert "The period is in the future" in page.locator(".nhsuk-error-summary").inner_text()
    check(page, "4-future")
