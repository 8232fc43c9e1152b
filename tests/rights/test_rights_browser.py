"""Subject access and disputes in real Chromium: a team lead's list of requests (one overdue), the
request page, the export downloaded after a fresh code, its index.html opened from the ZIP, and a
disputed detail on the person's record and its history page.

Every page is checked with axe-core (no serious or critical WCAG problems), for JavaScript errors and
for Content Security Policy violations; screenshots go to /tmp/rights-*.png for people to look at.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone

from liaison.core.models import Role
from liaison.people.models import Ethnicity
from liaison.rights.services import field_dispute_raise, person_correct, subject_access_request_record
from tests.browser import test_journey as journey
from tests.factories import PASSWORD, EpisodeFactory, PersonFactory, SiteFactory, TeamFactory, member
from tests.secondfactor import authenticator, browser_sign_in, current_code

browser_page = journey.browser_page
javascript = journey.javascript

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp")  # noqa: S108 - screenshots for people to look at, as the brief for these pages asks


def check(page, name: str) -> None:
    journey.check_accessibility(page, f"rights-{name}")
    page.screenshot(path=str(SHOTS / f"rights-{name}.png"), full_page=True)


@pytest.fixture
def team(transactional_db):
    team = TeamFactory(code="rights", name="Northtown L&D")
    site = SiteFactory(team=team, name="Northtown Custody Suite")
    lead = member(team, Role.TEAM_LEAD, "team.lead")
    lead.display_name = "Morgan Lead"
    lead.save()
    nurse = member(team, Role.PRACTITIONER, "night.nurse")
    nurse.display_name = "Sam Night"
    nurse.save()
    person = EpisodeFactory(
        site=site,
        person=PersonFactory(given_name="Rowan", family_name="Testbridge", date_of_birth=dt.date(1994, 2, 9)),
        allocated_worker=nurse,
    ).person
    other = EpisodeFactory(
        site=site, person=PersonFactory(given_name="Casey", family_name="Samplesby")
    ).person
    today = timezone.localdate()
    overdue = subject_access_request_record(
        actor=lead,
        person=other,
        team_id=team.pk,
        received_on=today - dt.timedelta(days=40),
        identity_verified="Known to the team",
        requester="person",
    )
    sar = subject_access_request_record(
        actor=lead,
        person=person,
        team_id=team.pk,
        received_on=today - dt.timedelta(days=2),
        identity_verified="Photo driving licence seen at the court",
        requester="representative",
        requester_name="Jo Advocate",
        authority="Signed consent from Rowan",
    )
    person = person_correct(
        actor=nurse,
        person=person,
        version=person.version,
        team_id=team.pk,
        role=Role.PRACTITIONER,
        reason="Rowan showed a passport at the court",
        date_of_birth=dt.date(1994, 2, 19),
    )
    field_dispute_raise(
        actor=nurse,
        person=person,
        team_id=team.pk,
        role=Role.PRACTITIONER,
        field="ethnicity",
        person_says="I am White Irish",
    )
    assert person.ethnicity == Ethnicity.NOT_KNOWN
    return {"lead": lead, "person": person, "sar": sar, "overdue": overdue}


def test_a_team_lead_answers_a_subject_access_request(live_server, team, browser_page, tmp_path):
    page, base = browser_page, live_server.url
    lead, person, sar, overdue = team["lead"], team["person"], team["sar"], team["overdue"]
    browser_sign_in(page, base, lead.username, PASSWORD)

    # The team's open requests: the overdue one first, marked.
    page.goto(f"{base}/subject-access")
    rows = page.locator("tbody tr")
    assert rows.count() == 2
    assert f"Request {overdue.pk}" in rows.first.inner_text() and "Overdue by" in rows.first.inner_text()
    check(page, "1-requests")

    # The request: its due date, and the export behind a fresh code.
    page.get_by_role("link", name=f"Request {sar.pk}").click()
    page.wait_for_url(f"**/subject-access/{sar.pk}")
    assert page.get_by_role("heading", name=f"Subject access request {sar.pk}").is_visible()
    check(page, "2-request")
    page.get_by_label("Enter a new code from your authenticator app to confirm it is you").fill("000000")
    page.get_by_role("button", name="Download the export (ZIP)").click()
    assert page.locator(".nhsuk-error-summary").is_visible()
    check(page, "3-request-wrong-code")
    authenticator(lead).__class__.objects.filter(pk=authenticator(lead).pk).update(throttling_failure_count=0)
    page.get_by_label("Enter a new code from your authenticator app to confirm it is you").fill(
        current_code(authenticator(lead))
    )
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the export (ZIP)").click()
    assert download.value.suggested_filename == f"subject-access-request-{sar.pk}.zip"
    archive = tmp_path / "export.zip"
    download.value.save_as(archive)
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(tmp_path / "export")

    # The export's summary page, opened from the ZIP as the person would.
    page.goto((tmp_path / "export" / "index.html").as_uri())
    assert page.get_by_role("heading", name="The record held about Rowan Testbridge").is_visible()
    assert "I am White Irish" in page.content()
    check(page, "4-export-index")

    # The disputed detail beside the personal details, and the history page.
    page.goto(f"{base}/people/{person.pk}/")
    disputes = page.locator("#disputed-details")
    assert "Ethnic category" in disputes.inner_text() and "I am White Irish" in disputes.inner_text()
    check(page, "5-person")
    page.get_by_role("link", name="Details, changes and disputes").click()
    page.wait_for_url(f"**/people/{person.pk}/history")
    assert "Rowan showed a passport at the court" in page.content()
    check(page, "6-history")
