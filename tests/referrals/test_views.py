"""The referral pages: make a referral from a need, move it on, book and record appointments, the calendar
and its feed. What a practitioner would notice: the page, the error beside the field, nothing saved."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from icalendar import Calendar

from liaison.core.models import AuditEvent, Role
from liaison.episodes.models import Task
from liaison.referrals.models import Appointment, Attendance, CalendarFeed, Consent, Kind, Referral, Status
from liaison.referrals.services import feed_digest
from tests.factories import EpisodeFactory, member
from tests.referrals.conftest import booked, draft, make_service, moved


def html_of(response) -> str:
    return response.content.decode()


def new_url(episode, service, need="housing"):
    return f"/episodes/{episode.pk}/referrals/new?service={service.pk}&need={need}"


# --- making a referral ------------------------------------------------------------------------------


def test_the_new_referral_page_shows_the_service_and_the_need(practitioner_client, episode_a, service):
    response = practitioner_client.get(new_url(episode_a, service, "basic:sleep_tonight"))
    html = html_of(response)
    assert response.status_code == 200
    assert "Refer to Harbour Housing Advice" in html
    assert "a safe place to sleep tonight" in html.lower()
    assert "Has the person agreed to their details being shared" in html
    assert 'value="basic:sleep_tonight" selected' in html


def test_the_page_warns_before_saving_when_the_person_is_not_eligible(practitioner_client, episode_a):
    service = make_service(maximum_age=25)
    html = html_of(practitioner_client.get(new_url(episode_a, service)))
    assert "does not meet this service" in html and "takes people aged up to 25" in html


def test_making_a_referral_saves_a_draft_and_shows_it(practitioner_client, episode_a, service):
    response = practitioner_client.post(
        f"/episodes/{episode_a.pk}/referrals/new",
        {
            "service": service.pk,
            "need_key": "housing",
            "kind": "active",
            "consent": "given",
            "reason": "A bed",
        },
    )
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/service-referrals/{referral.pk}/"
    assert (referral.kind, referral.consent, referral.status) == (Kind.ACTIVE, Consent.GIVEN, Status.DRAFT)
    page = html_of(practitioner_client.get(f"/service-referrals/{referral.pk}/"))
    assert "Harbour Housing Advice" in page and "Draft" in page and "Sent to the service" in page


def test_an_ineligible_referral_shows_the_reason_and_saves_nothing(practitioner_client, episode_a):
    service = make_service(minimum_age=18)
    person = episode_a.person
    today = timezone.localdate()
    person.date_of_birth = today.replace(year=today.year - 17)
    person.save()
    response = practitioner_client.post(
        f"/episodes/{episode_a.pk}/referrals/new",
        {
            "service": service.pk,
            "need_key": "housing",
            "kind": "active",
            "consent": "given",
            "reason": "Typed",
        },
    )
    html = html_of(response)
    assert response.status_code == 200
    assert "Harbour Housing Advice takes people aged 18 and over; this person is 17" in html
    assert "Typed" in html  # what they typed is kept
    assert "<title>Error:" in html
    assert not Referral.objects.exists()


def test_a_commissioner_cannot_refer(commissioner_client, episode_a, service):
    response = commissioner_client.get(new_url(episode_a, service))
    assert response.status_code in (403, 404)


# --- moving it on -----------------------------------------------------------------------------------


def test_sending_without_consent_says_why_and_saves_nothing(
    practitioner_client, practitioner, episode_a, service
):
    referral = draft(practitioner, episode_a, service, consent=Consent.NOT_ASKED)
    response = practitioner_client.post(
        f"/service-referrals/{referral.pk}/move", {"move-version": 1, "move-to_status": "sent"}
    )
    assert response.status_code == 200
    assert (
        "cannot be sent to Harbour Housing Advice: the person has not been asked about sharing a summary of "
        "needs with: Other services" in html_of(response)
    )
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT


def test_recording_consent_then_sending_makes_the_chase_task(
    practitioner_client, practitioner, episode_a, service
):
    referral = draft(practitioner, episode_a, service, consent=Consent.NOT_ASKED)
    practitioner_client.post(
        f"/service-referrals/{referral.pk}/consent", {"consent-version": 1, "consent-consent": "given"}
    )
    response = practitioner_client.post(
        f"/service-referrals/{referral.pk}/move", {"move-version": 2, "move-to_status": "sent"}
    )
    assert response.status_code == 302
    page = html_of(practitioner_client.get(f"/service-referrals/{referral.pk}/"))
    assert "Chase Harbour Housing Advice: no acknowledgement" in page
    assert "Sent" in page


def test_a_stale_move_is_a_conflict_and_changes_nothing(
    practitioner_client, practitioner, episode_a, service
):
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT)
    response = practitioner_client.post(
        f"/service-referrals/{referral.pk}/move", {"move-version": 1, "move-to_status": "accepted"}
    )
    assert response.status_code == 409
    assert "Someone else changed this referral" in html_of(response)
    assert Referral.objects.get().status == Status.SENT


def test_closing_without_an_outcome_is_refused_beside_the_field(
    practitioner_client, practitioner, episode_a, service
):
    referral = draft(practitioner, episode_a, service)
    response = practitioner_client.post(
        f"/service-referrals/{referral.pk}/move", {"move-version": 1, "move-to_status": "closed"}
    )
    assert "Choose the outcome" in html_of(response)
    assert Referral.objects.get().status == Status.DRAFT


# --- appointments -----------------------------------------------------------------------------------


def test_booking_an_appointment_with_a_support_worker(
    practitioner_client, practitioner, support_worker, episode_a, service
):
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT, Status.ACCEPTED)
    assert "Book the appointment" in html_of(
        practitioner_client.get(f"/service-referrals/{referral.pk}/appointments/new")
    )
    when = timezone.localtime() + dt.timedelta(days=2)
    response = practitioner_client.post(
        f"/service-referrals/{referral.pk}/appointments/new",
        {
            "version": referral.version,
            "starts_at-day": when.day,
            "starts_at-month": when.month,
            "starts_at-year": when.year,
            "starts_at-hour": "10",
            "starts_at-minute": "30",
            "location": service.service_at_locations.get().location_id,
            "accompanied_by": support_worker.pk,
            "travel_needs": "Bus fare",
        },
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.accompanied_by == support_worker
    page = html_of(practitioner_client.get(f"/service-referrals/{referral.pk}/"))
    assert "Appointment booked" in page and "1 Quay Street" in page and "Bus fare" in page


def test_booking_in_the_past_is_refused_and_keeps_what_was_typed(
    practitioner_client, practitioner, episode_a, service
):
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT, Status.ACCEPTED)
    response = practitioner_client.post(
        f"/service-referrals/{referral.pk}/appointments/new",
        {
            "version": referral.version,
            "starts_at-day": "1",
            "starts_at-month": "1",
            "starts_at-year": "2026",
            "starts_at-hour": "10",
            "starts_at-minute": "00",
            "place": "Town hall, room 4",
        },
    )
    html = html_of(response)
    assert "cannot be booked as upcoming" in html and "Town hall, room 4" in html
    assert not Appointment.objects.exists()


def test_a_missed_appointment_shows_the_outreach_task_on_the_episode(
    practitioner_client, practitioner, episode_a, service
):
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT, Status.ACCEPTED)
    appointment = booked(practitioner, referral)
    Appointment.objects.filter(pk=appointment.pk).update(starts_at=timezone.now() - dt.timedelta(hours=2))
    response = practitioner_client.post(
        f"/appointments/{appointment.pk}/attendance",
        {f"attendance-{appointment.pk}-version": 1, f"attendance-{appointment.pk}-attendance": "missed"},
    )
    assert response.status_code == 302
    assert Appointment.objects.get().attendance == Attendance.MISSED
    episode_page = html_of(practitioner_client.get(f"/episodes/{episode_a.pk}/"))
    assert "Outreach: Alex R. missed the appointment at Harbour Housing Advice" in episode_page
    assert "Did not attend" in episode_page  # the referral's status in the episode's list


def test_the_episode_and_person_pages_list_referrals(practitioner_client, practitioner, episode_a, service):
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT, Status.ACCEPTED)
    appointment = booked(practitioner, referral)
    episode_page = html_of(practitioner_client.get(f"/episodes/{episode_a.pk}/"))
    assert (
        "Referrals and appointments" in episode_page
        and f'href="/service-referrals/{referral.pk}/"' in episode_page
    )
    assert appointment.starts_at.isoformat()[:10] in episode_page
    person_page = html_of(practitioner_client.get(f"/people/{episode_a.person_id}/"))
    assert "Latest referrals" in person_page and "Harbour Housing Advice" in person_page


def test_the_episode_page_costs_the_same_with_more_referrals(
    practitioner_client, practitioner, episode_a, service, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert practitioner_client.get(f"/episodes/{episode_a.pk}/").status_code == 200
        return len(queries)

    booked(
        practitioner,
        moved(practitioner, draft(practitioner, episode_a, service), Status.SENT, Status.ACCEPTED),
    )
    practitioner_client.get(f"/episodes/{episode_a.pk}/")
    one = count()
    for _ in range(4):
        booked(
            practitioner,
            moved(practitioner, draft(practitioner, episode_a, service), Status.SENT, Status.ACCEPTED),
        )
    assert count() == one


def test_the_outsider_gets_404_on_the_referral_and_it_is_audited(
    outsider_client, outsider, practitioner, episode_a, service
):
    referral = draft(practitioner, episode_a, service)
    response = outsider_client.get(f"/service-referrals/{referral.pk}/")
    assert response.status_code == 404 and b"Rivers" not in response.content
    assert AuditEvent.objects.filter(
        action="access.denied", actor_id=outsider.pk, object_type="service_referral"
    ).exists()


# --- the calendar and its feed -------------------------------------------------------------------------


def _appointment_for(practitioner, support_worker, episode, service, days=1):
    referral = moved(practitioner, draft(practitioner, episode, service), Status.SENT, Status.ACCEPTED)
    location = service.service_at_locations.get().location_id
    return booked(
        practitioner,
        referral,
        starts_in=dt.timedelta(days=days),
        accompanied_by_id=support_worker.pk,
        place="",
        location_id=location,
    )


def test_the_support_workers_calendar_shows_the_appointments_they_go_to(
    team_a, practitioner, support_worker, episode_a, service, client
):
    appointment = _appointment_for(practitioner, support_worker, episode_a, service)
    client.force_login(support_worker)
    week = timezone.localtime(appointment.starts_at).date().isoformat()
    html = html_of(client.get(f"/calendar/?week={week}"))
    assert "Alex Rivers" in html and "Harbour Housing Advice" in html
    start = timezone.localtime(appointment.starts_at).date()
    next_week = (start - dt.timedelta(days=start.weekday()) + dt.timedelta(days=7)).isoformat()
    assert f"?week={next_week}" in html
    assert "Alex Rivers" not in html_of(client.get(f"/calendar/?week={next_week}"))
    assert AuditEvent.objects.filter(action="calendar.view", actor_id=support_worker.pk).exists()


def test_someone_elses_appointments_are_not_on_my_calendar(
    practitioner, support_worker, team_a, episode_a, service, client
):
    _appointment_for(practitioner, support_worker, episode_a, service)
    client.force_login(member(team_a, Role.SUPPORT_WORKER))
    assert "Alex Rivers" not in html_of(client.get("/calendar/"))


def test_the_calendar_is_paginated_and_bounded(
    practitioner, support_worker, site_a, service, client, settings, django_assert_max_num_queries
):
    settings.PAGE_SIZE = 3
    monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
    for n in range(5):
        episode = EpisodeFactory(site=site_a, allocated_worker=practitioner)
        referral = moved(practitioner, draft(practitioner, episode, service), Status.SENT, Status.ACCEPTED)
        booked(
            practitioner,
            referral,
            starts_in=dt.datetime.combine(monday, dt.time(9 + n), tzinfo=timezone.get_current_timezone())
            - timezone.now(),
            accompanied_by_id=support_worker.pk,
        )
    client.force_login(support_worker)
    client.get("/calendar/")
    with django_assert_max_num_queries(16):
        html = html_of(client.get(f"/calendar/?week={monday.isoformat()}"))
    assert html.count('<tr class="nhsuk-table__row">') == 1 + 3
    assert "page=2" in html


def test_the_feed_address_is_shown_once_and_only_its_digest_is_kept(support_worker, client):
    client.force_login(support_worker)
    html = html_of(client.post("/calendar/feed"))
    url = re.search(r"http://testserver/calendar/feed/([A-Za-z0-9_-]+)\.ics", html)
    assert url is not None
    token = url.group(1)
    feed = CalendarFeed.objects.get(user=support_worker)
    assert feed.digest == feed_digest(token) and token not in feed.digest
    assert token not in html_of(client.get("/calendar/"))
    # Making a new address stops the old one working.
    client.post("/calendar/feed")
    assert client.get(f"/calendar/feed/{token}.ics").status_code == 404


def test_the_feed_says_as_little_as_it_can(practitioner, support_worker, episode_a, service, client):
    appointment = _appointment_for(practitioner, support_worker, episode_a, service)
    Appointment.objects.filter(pk=appointment.pk).update(
        travel_needs="Anxious on buses", note="Bring the letter"
    )
    client.force_login(support_worker)
    token = re.search(r"/calendar/feed/([A-Za-z0-9_-]+)\.ics", html_of(client.post("/calendar/feed"))).group(
        1
    )
    anonymous = type(client)()
    response = anonymous.get(f"/calendar/feed/{token}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    events = list(Calendar.from_ical(response.content).walk("VEVENT"))
    assert len(events) == 1
    assert str(events[0]["summary"]) == "Harbour Housing Advice (A.R.)"
    assert "1 Quay Street" in str(events[0]["location"])
    for secret in ("Alex", "Rivers", "housing", "Housing need", "Anxious", "letter", "Needs somewhere"):
        assert secret not in body
    assert AuditEvent.objects.filter(action="calendar_feed.fetch", actor_id=support_worker.pk).exists()
    assert CalendarFeed.objects.get().last_used_at is not None


@pytest.mark.parametrize("token", ["nonsense", "x" * 43])
def test_an_unknown_feed_address_is_404(client, db, token):
    assert client.get(f"/calendar/feed/{token}.ics").status_code == 404


def test_a_leavers_feed_stops(practitioner, support_worker, episode_a, service, client):
    _appointment_for(practitioner, support_worker, episode_a, service)
    client.force_login(support_worker)
    token = re.search(r"/calendar/feed/([A-Za-z0-9_-]+)\.ics", html_of(client.post("/calendar/feed"))).group(
        1
    )
    support_worker.is_active = False
    support_worker.save()
    assert type(client)().get(f"/calendar/feed/{token}.ics").status_code == 404


def test_rule_tasks_are_listed_on_the_referral(practitioner_client, practitioner, episode_a, service):
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT)
    assert Task.objects.filter(rule="referral.no_acknowledgement").exists()
    assert "Chase Harbour Housing Advice" in html_of(
        practitioner_client.get(f"/service-referrals/{referral.pk}/")
    )
