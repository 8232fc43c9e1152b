"""A referral and an accompanied appointment in real Chromium (issue 5's journey): from the plan's need
for somewhere to sleep tonight, find a service open at 2am (the night shelter, not the nearer day
centre), refer the person to it (after one refusal: no consent to share yet), book an appointment with a
support worker going with them, mark it missed, and find the outreach task on the episode; then the
support worker's calendar.

Every page is checked with axe-core, for JavaScript errors and for Content Security Policy violations.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from liaison.assessment.services import assessment_complete, assessment_save, assessment_start
from liaison.core.models import Role
from liaison.directory.models import Service
from liaison.referrals.models import Appointment, Referral, Status
from tests.browser import test_journey as journey
from tests.directory.test_matching import DAYTIME, NIGHTS, make_service
from tests.factories import PASSWORD, EpisodeFactory, PersonFactory, member
from tests.secondfactor import browser_sign_in

browser_page = journey.browser_page
javascript = journey.javascript
service = journey.service

pytestmark = pytest.mark.browser


def _needs_a_bed_tonight(episode, user):
    draft = assessment_start(actor=user, episode=episode)
    needs = [
        {"key": "basic:sleep_tonight", "level": "urgent", "evidence": "Evicted; nowhere to go"},
        {"key": "housing", "level": "high", "evidence": "No tenancy since March"},
    ]
    draft = assessment_save(actor=user, assessment=draft, version=draft.version, data={"needs": needs})
    assessment_complete(actor=user, assessment=draft, version=draft.version)


def test_refer_book_with_a_support_worker_and_follow_up_a_missed_appointment(
    live_server, service, browser_page
):
    page, base, user = browser_page, live_server.url, service["user"]
    helper = member(service["team"], Role.SUPPORT_WORKER, "day.support")
    helper.display_name = "Jo Support"
    helper.save()
    person = PersonFactory(given_name="Rowan", family_name="Testbridge", date_of_birth=dt.date(1994, 2, 9))
    episode = EpisodeFactory(site=service["site"], person=person, allocated_worker=user)
    _needs_a_bed_tonight(episode, user)
    shelter = make_service(
        "quayside", schedules=NIGHTS, miles_north=3.0, needs=("basic:sleep_tonight", "housing")
    )
    Service.objects.filter(pk=shelter.pk).update(name="Quayside Night Shelter")
    day_centre = make_service("harbour", schedules=DAYTIME, miles_north=0.5)
    Service.objects.filter(pk=day_centre.pk).update(name="Harbour Day Centre")
    browser_sign_in(page, base, user.username, PASSWORD)

    # From the plan: find somewhere to sleep that is open when they are released at 2am.
    page.goto(f"{base}/episodes/{episode.pk}/plan")
    page.get_by_role("link", name="Find a service for a safe place to sleep tonight").click()
    journey.check_accessibility(page, "need-services")
    release = (timezone.localtime() + dt.timedelta(days=1)).replace(hour=2, minute=0)
    page.get_by_label("Release time").fill(release.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Show services for this time").click()
    journey.shows(page, "Open at release until 8am")
    results = page.locator("main").inner_text()
    assert results.index("Quayside Night Shelter") < results.index("Harbour Day Centre")
    assert "Open at release until 8am" in results
    journey.check_accessibility(page, "need-services-2am")
    page.get_by_role("link", name="Refer to Quayside Night Shelter").click()
    page.wait_for_url("**/referrals/new?service=quayside&need=basic*")
    journey.check_accessibility(page, "referral-new")
    page.get_by_label("Active referral").check()
    page.get_by_label("Not asked yet").check()
    page.get_by_label("What are you asking the service to do?").fill("A bed tonight; released at 02:00")
    page.get_by_role("button", name="Save as a draft").click()
    page.wait_for_url("**/service-referrals/*/")
    referral = Referral.objects.get()

    # Sending without the person's agreement is refused, with the reason, and nothing changes.
    page.get_by_label("Sent to the service").check()
    page.locator("#move").get_by_role("button", name="Save").click()
    # Only the refusal says this; the draft's page already warns that the person has not been asked.
    journey.shows(page, "This referral cannot be sent to Quayside Night Shelter")
    assert "the person has not been asked about sharing a summary of needs" in page.content()
    journey.check_accessibility(page, "referral-refused")
    page.locator("#consent").get_by_label("The person agreed to share their details").check()
    page.get_by_role("button", name="Save consent").click()
    page.get_by_label("Sent to the service").check()
    page.locator("#move").get_by_role("button", name="Save").click()
    journey.shows(page, "Chase Quayside Night Shelter: no acknowledgement")

    page.get_by_role("button", name="Book an appointment").click()
    journey.check_accessibility(page, "appointment-new")
    when = timezone.localtime() + dt.timedelta(days=1)
    form = page.locator("#appointment-form")
    form.get_by_label("Day").first.fill(str(when.day))
    form.get_by_label("Month").first.fill(str(when.month))
    form.get_by_label("Year").first.fill(str(when.year))
    form.get_by_label("Hour").first.fill("10")
    form.get_by_label("Minute").first.fill("00")
    page.get_by_label("Who is going with them?").select_option(label="Jo Support")
    page.get_by_label("Travel needs (optional)").fill("Bus fare")
    page.get_by_role("button", name="Book the appointment").click()
    page.wait_for_url(f"**/service-referrals/{referral.pk}/")
    assert Referral.objects.get().status == Status.APPOINTMENT_BOOKED
    journey.check_accessibility(page, "referral-booked")

    # The appointment has happened: the person did not go.
    Appointment.objects.update(starts_at=timezone.now() - dt.timedelta(hours=1))
    page.reload()
    page.get_by_label("No, they missed it").check()
    page.get_by_role("button", name="Record attendance").click()
    journey.shows(page, "An outreach task has been added")

    page.goto(f"{base}/episodes/{episode.pk}/")
    tasks = page.locator("#tasks + table")
    assert "Outreach: Rowan T. missed the appointment at Quayside Night Shelter" in tasks.inner_text()
    assert "Did not attend" in page.locator("#referrals").inner_text()
    journey.check_accessibility(page, "episode-referrals")

    page.goto(f"{base}/calendar/")
    journey.check_accessibility(page, "calendar")
