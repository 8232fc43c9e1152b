"""The duplicate review in real Chromium: a team lead opens the queue, compares a pair side by side,
merges them keeping the older record, and finds the merge (with its undo) on the kept record.

Every page is checked with axe-core, for JavaScript errors and Content Security Policy violations;
full-page screenshots go to /tmp/dup-*.png.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from liaison.core.models import Role
from liaison.episodes.models import Episode
from liaison.matching.models import DuplicatePair, MergeRecord
from tests.browser import test_journey as journey
from tests.factories import PASSWORD, EpisodeFactory, PersonFactory, member
from tests.secondfactor import browser_sign_in

browser_page = journey.browser_page
javascript = journey.javascript
service = journey.service

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp")  # noqa: S108 - screenshots for people to look at, as the brief for these pages asks


def check(page, name: str) -> None:
    journey.check_accessibility(page, f"dup-{name}")
    page.screenshot(path=str(SHOTS / f"dup-{name}.png"), full_page=True)
    assert not page.js_errors and not page.csp_violations


def test_a_lead_reviews_and_merges_a_likely_duplicate(live_server, service, browser_page):
    page, base, site = browser_page, live_server.url, service["site"]
    lead = member(service["team"], Role.TEAM_LEAD, "team.lead")
    dob = dt.date(1988, 3, 11)
    older = EpisodeFactory(
        site=site,
        person=PersonFactory(
            given_name="Kieran",
            family_name="Featherstone",
            date_of_birth=dob,
            sex="1",
            postcode="KX4 7RT",
            created_at=timezone.now() - dt.timedelta(days=400),
        ),
        arrival_at=timezone.now() - dt.timedelta(days=30),
    ).person
    newer = EpisodeFactory(
        site=site,
        person=PersonFactory(
            given_name="Kieron", family_name="Fetherstone", date_of_birth=dob, sex="1", postcode="KX4 9AB"
        ),
    ).person
    pair = DuplicatePair.objects.create(
        person_a=older,
        person_b=newer,
        probability=0.993,
        match_weight=28.4,
        evidence=[
            ["family_name", "close", 6.1],
            ["given_name", "close", 4.2],
            ["date_of_birth", "exact", 14.0],
            ["sex", "same", 1.0],
            ["postcode", "district", 3.1],
        ],
        model_version="test",
    )
    browser_sign_in(page, base, lead.username, PASSWORD)
    page.wait_for_url(f"{base}/")

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Team").click()
    page.get_by_role("link", name="Possible duplicates").first.click()
    page.wait_for_url("**/duplicates")
    check(page, "1-queue")
    page.get_by_role("link", name="Kieran Featherstone and Kieron Fetherstone").click()

    page.wait_for_url(f"**/duplicates/{pair.pk}/")
    text = page.locator("main").inner_text()
    assert "Very likely the same person" in text and "Northtown Custody Suite" in text
    check(page, "2-pair")
    page.get_by_role("button", name="Same person: merge").click()

    page.wait_for_url(f"**/duplicates/{pair.pk}/merge")
    assert page.get_by_label(f"Keep Liaison ID {older.pk}", exact=False).is_checked()
    page.get_by_label("Why are you sure these are the same person?").fill("Same custody photo and birthday")
    check(page, "3-merge-confirmation")
    page.get_by_role("button", name="Merge the records").click()

    page.wait_for_url(f"**/people/{older.pk}/")
    assert "Merged records" in page.locator("main").inner_text()
    check(page, "4-kept-record")
    assert Episode.objects.filter(person=older).count() == 2
    record = MergeRecord.objects.get()
    page.get_by_role("link", name="Undo this merge").click()
    page.wait_for_url(f"**/people/{older.pk}/merges/{record.pk}/undo")
    check(page, "5-undo")
