"""A crisis plan in real Chromium: write it with the person in the six parts, choosing a crisis line
from the directory; complete it (after one mistake); download the pocket card and check it is a PDF
with their words; log a crisis; start a review and see that crisis on the review's form.

Every page on the way is checked with axe-core (no serious or critical WCAG problems), for JavaScript
errors and for Content Security Policy violations; full-page screenshots go to /tmp/crisis-*.png.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from liaison.support.models import CrisisPlan, CrisisPlanStatus
from tests.browser import test_journey as journey
from tests.browser.test_assessment_journey import sign_in
from tests.factories import EpisodeFactory, PersonFactory
from tests.support.conftest import make_service

browser_page = journey.browser_page
javascript = journey.javascript
service = journey.service

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp")  # noqa: S108 - screenshots for people to look at
WARNING_SIGNS = "I stop answering my phone and walk about all night"


def check(page, name: str) -> None:
    journey.check_accessibility(page, f"crisis-{name}")
    page.screenshot(path=str(SHOTS / f"crisis-{name}.png"), full_page=True)


def test_a_crisis_plan_written_with_the_person_printed_and_reviewed(live_server, service, browser_page):
    from liaison.directory.taxonomy import ensure_needs_taxonomy

    page, base, user = browser_page, live_server.url, service["user"]
    ensure_needs_taxonomy()
    make_service("svc-line", "Northside Crisis Line", number="0800 123 4567", need="risk_to_self")
    person = PersonFactory(given_name="Rowan", family_name="Testbridge", date_of_birth=dt.date(1994, 2, 9))
    episode = EpisodeFactory(site=service["site"], person=person, allocated_worker=user)

    sign_in(page, base, user)
    page.goto(f"{base}/episodes/{episode.pk}/")
    page.locator("#crisis-plan").get_by_role("button", name="Start a crisis plan").click()
    page.wait_for_url("**/crisis-plans/*/")
    check(page, "1-draft")

    # Their words, in the six parts; completing without a way to get help is refused, words kept.
    page.get_by_label("What matters to me").fill("My daughter Maya")
    page.get_by_label("1. My warning signs").fill(WARNING_SIGNS)
    page.get_by_label("2. Things I can do myself").fill("Headphones on and walk the dog")
    page.get_by_label("This plan was written with the person").check()
    page.get_by_role("button", name="Complete the plan").click()
    page.wait_for_load_state()
    assert (
        "Add at least one person they can ask for help" in page.locator(".nhsuk-error-summary").inner_text()
    )
    assert page.get_by_label("1. My warning signs").input_value() == WARNING_SIGNS
    check(page, "2-missing-help")

    page.get_by_role("group", name="Person 1").get_by_label("Name").fill("Jo, my sister")
    page.get_by_role("group", name="Person 1").get_by_label("How to reach them").fill("07700 900123")
    page.get_by_label("Northside Crisis Line").check()
    page.get_by_label("6. Making my situation safer").fill("Jo keeps my spare tablets")
    page.get_by_role("button", name="Complete the plan").click()
    page.wait_for_url(f"**/episodes/{episode.pk}/crisis-plan")
    assert "Crisis plan complete" in page.content()
    assert "0800 123 4567" in page.inner_text("#crisis-plan-parts")
    check(page, "3-complete")

    # The pocket card downloads as a PDF.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the pocket card (PDF)").click()
    card = Path(download_info.value.path())
    assert card.read_bytes().startswith(b"%PDF")
    (SHOTS / "crisis-card.pdf").write_bytes(card.read_bytes())

    # A crisis, logged with what helped.
    page.get_by_role("link", name="Log a crisis, or see them all").click()
    when = timezone.localtime() - dt.timedelta(hours=3)
    happened = page.get_by_role("group", name="When it happened")
    for part, value in (
        ("Day", when.day),
        ("Month", when.month),
        ("Year", when.year),
        ("Hour", f"{when.hour:02d}"),
        ("Minute", f"{when.minute:02d}"),
    ):
        happened.get_by_label(part, exact=True).fill(str(value))
    page.get_by_label("What happened").fill("Panic on the bus home")
    page.get_by_label("What helped", exact=True).fill("Ringing Jo")
    check(page, "4-log")
    page.get_by_role("button", name="Log the crisis").click()
    journey.shows(page, "Crisis logged")

    # The review starts from the plan in force and shows the crisis.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Crisis plan").click()
    page.get_by_role("button", name="Start a review").click()
    page.wait_for_url("**/crisis-plans/*/")
    crises = page.locator("#crises-since").inner_text()
    assert "Panic on the bus home" in crises and "Ringing Jo" in crises
    assert page.get_by_label("1. My warning signs").input_value() == WARNING_SIGNS
    check(page, "5-review")
    numbers = list(
        CrisisPlan.objects.filter(episode=episode).values_list("number", "status").order_by("number")
    )
    assert numbers == [(1, CrisisPlanStatus.COMPLETE), (2, CrisisPlanStatus.DRAFT)]


def test_a_missed_appointment_the_worker_and_a_drop_in_visit(live_server, service, browser_page):
    """Issue 7's journey after the plan: record a missed appointment (an outreach task at once), run the
    worker (it raises the silence since the last contact), then log the person's drop-in visit."""
    from django.core.management import call_command

    from liaison.episodes.models import Stage
    from liaison.referrals.models import Appointment, Kind
    from liaison.referrals.services import appointment_book
    from tests.referrals.conftest import draft, moved
    from tests.referrals.conftest import make_service as make_referral_service

    page, base, user = browser_page, live_server.url, service["user"]
    now = timezone.now()
    person = PersonFactory(given_name="Rowan", family_name="Testbridge", date_of_birth=dt.date(1994, 2, 9))
    episode = EpisodeFactory(
        site=service["site"],
        person=person,
        allocated_worker=user,
        stage=Stage.SUPPORT,
        arrival_at=now - dt.timedelta(days=20),
        identified_at=now - dt.timedelta(days=20),
        support_at=now - dt.timedelta(days=12),
    )
    shelter = make_referral_service("Quayside Night Shelter")
    referral = moved(user, draft(user, episode, shelter, kind=Kind.ACTIVE), "sent")
    appointment_book(
        actor=user,
        referral=referral,
        version=referral.version,
        starts_at=now + dt.timedelta(hours=1),
        place="Quay",
    )

    Appointment.objects.update(starts_at=now - dt.timedelta(hours=2))  # the time has come and gone

    sign_in(page, base, user)
    page.goto(f"{base}/service-referrals/{referral.pk}/")
    page.get_by_label("No, they missed it").check()
    page.get_by_role("button", name="Record attendance").click()
    journey.shows(page, "An outreach task has been added")

    # The worker runs (as `liaison worker` does every 15 minutes): twelve days in support with no contact.
    call_command("worker", "--once")
    page.goto(f"{base}/episodes/{episode.pk}/")
    tasks = page.locator("#tasks + table").inner_text()
    assert "missed the appointment at Quayside Night Shelter" in tasks
    assert "Reach out: no successful contact for 12 days" in tasks
    check(page, "6-outreach-tasks")

    # A drop-in that afternoon: they come, and the visit is a successful contact on the episode.
    page.goto(f"{base}/drop-in/")
    page.get_by_label("Where is the drop-in?").fill("Harbour Café, back room")
    start, end = timezone.localtime() - dt.timedelta(hours=1), timezone.localtime() + dt.timedelta(hours=1)
    for group, moment in (("Starts", start), ("Ends", end)):
        fields = page.get_by_role("group", name=group)
        for part, value in (
            ("Day", moment.day),
            ("Month", moment.month),
            ("Year", moment.year),
            ("Hour", f"{moment.hour:02d}"),
            ("Minute", f"{moment.minute:02d}"),
        ):
            fields.get_by_label(part, exact=True).fill(str(value))
    page.get_by_role("button", name="Add session").click()
    page.wait_for_url("**/drop-in/*/")
    page.get_by_label("Their name").fill("rowan test")
    page.get_by_role("button", name="Find").click()
    page.get_by_label("Quick note (optional)").fill("Came for a coffee and asked about the shelter")
    page.get_by_role("button", name="Add Rowan to the register").click()
    journey.shows(page, "Rowan Testbridge is on the register")
    check(page, "7-drop-in")
    page.goto(f"{base}/episodes/{episode.pk}/")
    assert "Came to the drop-in at Harbour Café" in page.content()
    call_command("worker", "--once")  # contact made: no new outreach task
    assert episode.tasks.filter(rule="outreach.no_successful_contact").count() == 1
