"""Referral and appointment services: eligibility, consent, the state machine, stale edits, permissions.

Each refusal leaves nothing saved: no referral, no status row, no appointment.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.models import AuditEvent, Role
from liaison.directory.models import ServiceArea, ServiceStatus
from liaison.episodes.models import Stage, Task
from liaison.people.models import Sex
from liaison.referrals.models import (
    Appointment,
    Attendance,
    Consent,
    Kind,
    Outcome,
    Referral,
    ReferralStatus,
    Status,
)
from liaison.referrals.services import (
    appointment_attendance,
    referral_consent,
    referral_create,
)
from tests.factories import member
from tests.referrals.conftest import booked, draft, make_service, moved


def statuses(referral):
    return list(
        ReferralStatus.objects.filter(referral=referral).order_by("at", "pk").values_list("status", flat=True)
    )


def errors(excinfo):
    return excinfo.value.message_dict


# --- who may ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.PRACTITIONER, True),
        (Role.TEAM_LEAD, True),
        (Role.SUPPORT_WORKER, True),
        (Role.COMMISSIONER, False),
        (Role.PARTNER, False),
        (Role.ADMIN, False),
    ],
)
def test_who_may_refer(team_a, episode_a, service, role, allowed):
    user = member(team_a, role)
    if allowed:
        assert draft(user, episode_a, service).status == Status.DRAFT
    else:
        with pytest.raises(NotPermitted):
            draft(user, episode_a, service)
        assert not Referral.objects.exists()


def test_a_member_of_another_team_cannot_move_the_referral(practitioner, outsider, episode_a, service):
    referral = draft(practitioner, episode_a, service)
    with pytest.raises(NotPermitted):
        moved(outsider, referral, Status.SENT)
    assert statuses(referral) == [Status.DRAFT]


# --- making a referral --------------------------------------------------------------------------------


def test_a_draft_records_consent_reason_and_its_first_status_row(practitioner, episode_a, service):
    referral = draft(practitioner, episode_a, service, consent=Consent.REFUSED)
    assert (referral.consent, referral.reason, referral.team_id) == (
        Consent.REFUSED,
        "Needs somewhere to stay",
        episode_a.team_id,
    )
    assert statuses(referral) == [Status.DRAFT]
    event = AuditEvent.objects.get(action="service_referral.create")
    assert event.person_id == episode_a.person_id and event.detail["consent"] == "refused"


@pytest.mark.parametrize(
    ("service_fields", "person_fields", "message"),
    [
        (
            {"minimum_age": 18},
            {"age": 17},
            "Harbour Housing Advice takes people aged 18 and over; this person is 17",
        ),
        ({"maximum_age": 25}, {"age": 30}, "takes people aged up to 25; this person is 30"),
        ({"eligible_sex": "female"}, {"sex": Sex.MALE}, "Harbour Housing Advice is for women only"),
        ({"area": "LS WF1"}, {"postcode": "BD1 1AA"}, "BD1 is outside the area served"),
    ],
)
def test_a_person_outside_the_services_eligibility_is_refused(
    practitioner, episode_a, service_fields, person_fields, message
):
    area = service_fields.pop("area", None)
    service = make_service(**service_fields)
    if area:
        ServiceArea.objects.create(id="area-1", service=service, postcode_prefixes=area)
    person = episode_a.person
    if "age" in person_fields:
        today = timezone.localdate()
        person.date_of_birth = today.replace(year=today.year - person_fields.pop("age"))
    for name, value in person_fields.items():
        setattr(person, name, value)
    person.save()
    with pytest.raises(ValidationError) as excinfo:
        draft(practitioner, episode_a, service)
    assert message in errors(excinfo)["service"][0]
    assert not Referral.objects.exists()


def test_unknown_age_sex_and_postcode_are_allowed(practitioner, episode_a):
    service = make_service(minimum_age=18, eligible_sex="female")
    ServiceArea.objects.create(id="area-1", service=service, postcode_prefixes="LS")
    person = episode_a.person
    person.date_of_birth, person.sex, person.postcode = None, Sex.NOT_KNOWN, ""
    person.save()
    assert draft(practitioner, episode_a, service).pk


def test_eligibility_is_checked_on_todays_date(practitioner, episode_a):
    service = make_service(minimum_age=18)
    person = episode_a.person
    today = timezone.localdate()
    person.date_of_birth = today.replace(year=today.year - 18)  # 18 today
    person.save()
    assert draft(practitioner, episode_a, service).pk


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"need_key": "astrology"}, "need_key", "Choose the need"),
        ({"kind": "gossip"}, "kind", "active referral or signposting"),
        ({"consent": "maybe"}, "consent", "agreed to their details"),
        ({"reason": "x" * 5001}, "reason", "5,000 characters or fewer"),
    ],
)
def test_bad_input_is_refused_by_field(practitioner, episode_a, service, fields, field, message):
    data = {"need_key": "housing", "kind": Kind.ACTIVE, "consent": Consent.GIVEN, "reason": "", **fields}
    with pytest.raises(ValidationError) as excinfo:
        referral_create(actor=practitioner, episode=episode_a, service=service, **data)
    assert message in errors(excinfo)[field][0]


def test_a_service_not_taking_referrals_is_refused(practitioner, episode_a):
    service = make_service(status=ServiceStatus.DEFUNCT)
    with pytest.raises(ValidationError) as excinfo:
        draft(practitioner, episode_a, service)
    assert "not taking referrals" in errors(excinfo)["service"][0]


def test_a_closed_episode_takes_no_referrals(practitioner, episode_a, service):
    episode_a.stage = Stage.CLOSED
    episode_a.save()
    with pytest.raises(ValidationError) as excinfo:
        draft(practitioner, episode_a, service)
    assert "closed" in errors(excinfo)["episode"][0]


# --- consent -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("consent", "says"), [(Consent.REFUSED, "did not agree"), (Consent.NOT_ASKED, "not been asked")]
)
def test_an_active_referral_cannot_be_sent_without_consent_and_the_attempt_is_audited(
    practitioner, episode_a, service, consent, says
):
    referral = draft(practitioner, episode_a, service, consent=consent)
    with pytest.raises(ValidationError) as excinfo:
        moved(practitioner, referral, Status.SENT)
    assert says in errors(excinfo)["to_status"][0]
    referral.refresh_from_db()
    assert (referral.status, referral.version, statuses(referral)) == (Status.DRAFT, 1, [Status.DRAFT])
    assert AuditEvent.objects.filter(
        action="service_referral.send_refused", object_id=str(referral.pk)
    ).exists()


def test_recording_consent_then_sending_works(practitioner, episode_a, service):
    referral = draft(practitioner, episode_a, service, consent=Consent.NOT_ASKED)
    referral = referral_consent(actor=practitioner, referral=referral, version=1, consent=Consent.GIVEN)
    assert moved(practitioner, referral, Status.SENT).status == Status.SENT


def test_signposting_needs_no_consent_to_share(practitioner, episode_a, service):
    referral = draft(practitioner, episode_a, service, kind=Kind.SIGNPOSTING, consent=Consent.NOT_ASKED)
    assert moved(practitioner, referral, Status.SENT).status == Status.SENT


# --- the state machine through the services --------------------------------------------------------


def test_attended_before_booked_is_refused_and_nothing_is_saved(practitioner, episode_a, service):
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT, Status.ACCEPTED)
    with pytest.raises(ValidationError) as excinfo:
        moved(practitioner, referral, Status.ATTENDED)
    assert "Book an appointment first" in errors(excinfo)["to_status"][0]
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    assert statuses(referral) == [Status.DRAFT, Status.SENT, Status.ACCEPTED]


def test_a_stale_move_is_refused(practitioner, team_lead, episode_a, service):
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT)
    stale = Referral.objects.get(pk=referral.pk)
    moved(team_lead, referral, Status.ACKNOWLEDGED)
    with pytest.raises(StaleWrite):
        moved(practitioner, stale, Status.DECLINED)
    assert Referral.objects.get(pk=referral.pk).status == Status.ACKNOWLEDGED
    assert statuses(referral)[-1] == Status.ACKNOWLEDGED


def test_closing_needs_an_outcome(practitioner, episode_a, service):
    referral = draft(practitioner, episode_a, service)
    with pytest.raises(ValidationError) as excinfo:
        moved(practitioner, referral, Status.CLOSED)
    assert "Choose the outcome" in errors(excinfo)["outcome"][0]
    with pytest.raises(ValidationError) as excinfo:
        moved(practitioner, referral, Status.CLOSED, outcome=Outcome.OTHER)
    assert "Say what the outcome was" in errors(excinfo)["outcome_note"][0]
    closed = moved(practitioner, referral, Status.CLOSED, outcome=Outcome.NO_LONGER_NEEDED)
    closed.refresh_from_db()
    assert (closed.status, closed.outcome) == (Status.CLOSED, Outcome.NO_LONGER_NEEDED)
    with pytest.raises(ValidationError) as excinfo:
        moved(practitioner, closed, Status.SENT)
    assert "closed and cannot change" in errors(excinfo)["to_status"][0]


def test_status_rows_are_only_added_and_the_referral_follows_the_newest(practitioner, episode_a, service):
    referral = moved(
        practitioner,
        draft(practitioner, episode_a, service),
        Status.SENT,
        Status.ACKNOWLEDGED,
        Status.ACCEPTED,
    )
    referral.refresh_from_db()
    newest = ReferralStatus.objects.filter(referral=referral).order_by("-at", "-pk").first()
    assert (referral.status, referral.status_at) == (newest.status, newest.at)
    assert statuses(referral) == [Status.DRAFT, Status.SENT, Status.ACKNOWLEDGED, Status.ACCEPTED]
    assert referral.version == 4


def test_appointment_moves_are_not_made_by_hand(practitioner, episode_a, service):
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT, Status.ACCEPTED)
    with pytest.raises(ValidationError) as excinfo:
        moved(practitioner, referral, Status.APPOINTMENT_BOOKED)
    assert "Book the appointment" in errors(excinfo)["to_status"][0]


# --- appointments ----------------------------------------------------------------------------------


def test_booking_from_sent_records_accepted_then_booked(practitioner, support_worker, episode_a, service):
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT)
    appointment = booked(
        practitioner,
        referral,
        accompanied_by_id=support_worker.pk,
        travel_needs="Bus fare; anxious on trains",
    )
    referral.refresh_from_db()
    assert statuses(referral) == [Status.DRAFT, Status.SENT, Status.ACCEPTED, Status.APPOINTMENT_BOOKED]
    assert referral.status == Status.APPOINTMENT_BOOKED
    assert (appointment.accompanied_by_id, appointment.attendance) == (support_worker.pk, Attendance.UPCOMING)
    assert AuditEvent.objects.filter(action="appointment.book", object_id=str(appointment.pk)).exists()


def test_an_appointment_in_the_past_cannot_be_booked_as_upcoming(practitioner, episode_a, service):
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT, Status.ACCEPTED)
    with pytest.raises(ValidationError) as excinfo:
        booked(practitioner, referral, starts_in=-dt.timedelta(hours=2))
    assert "in the past" in errors(excinfo)["starts_at"][0]
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED and not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field", "says"),
    [
        ({"place": "", "location_id": None}, "location", "Choose where"),
        ({"place": "", "location_id": "loc-elsewhere"}, "location", "locations, or type where"),
        ({"ends_at": "before"}, "ends_at", "after the start time"),
        ({"accompanied_by_id": "outsider"}, "accompanied_by", "member of the episode's team"),
    ],
)
def test_booking_checks_place_times_and_companion(
    practitioner, outsider, episode_a, service, kwargs, field, says
):
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT, Status.ACCEPTED)
    if kwargs.get("ends_at") == "before":
        kwargs["ends_at"] = timezone.now() + dt.timedelta(days=2)
    if kwargs.get("accompanied_by_id") == "outsider":
        kwargs["accompanied_by_id"] = outsider.pk
    with pytest.raises(ValidationError) as excinfo:
        booked(practitioner, referral, **kwargs)
    assert says in errors(excinfo)[field][0]
    assert not Appointment.objects.exists()


def test_a_directory_location_of_the_service_can_be_chosen(practitioner, episode_a, service):
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT, Status.ACCEPTED)
    location = service.service_at_locations.get().location
    appointment = booked(practitioner, referral, place="", location_id=location.pk)
    assert appointment.location_id == location.pk


def test_a_second_booking_waits_for_the_first(practitioner, episode_a, service):
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT, Status.ACCEPTED)
    booked(practitioner, referral)
    referral.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        booked(practitioner, referral)
    assert "already has an appointment booked" in errors(excinfo)["referral"][0]


def test_signposting_has_no_booked_appointments(practitioner, episode_a, service):
    referral = moved(
        practitioner, draft(practitioner, episode_a, service, kind=Kind.SIGNPOSTING), Status.SENT
    )
    with pytest.raises(ValidationError) as excinfo:
        booked(practitioner, referral)
    assert "active referrals" in errors(excinfo)["referral"][0]


def _appointment_that_has_happened(practitioner, episode_a, service):
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT, Status.ACCEPTED)
    appointment = booked(practitioner, referral)
    Appointment.objects.filter(pk=appointment.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    appointment.refresh_from_db()
    return referral, appointment


@pytest.mark.parametrize(
    ("attendance", "referral_status"),
    [
        (Attendance.ATTENDED, Status.ATTENDED),
        (Attendance.MISSED, Status.DID_NOT_ATTEND),
        (Attendance.CANCELLED, Status.ACCEPTED),
    ],
)
def test_attendance_moves_the_referral(practitioner, episode_a, service, attendance, referral_status):
    referral, appointment = _appointment_that_has_happened(practitioner, episode_a, service)
    done = appointment_attendance(
        actor=practitioner, appointment=appointment, version=1, attendance=attendance
    )
    referral.refresh_from_db()
    assert (done.attendance, referral.status) == (attendance, referral_status)
    assert done.attendance_recorded_by == practitioner


def test_a_missed_appointment_can_be_rebooked(practitioner, episode_a, service):
    referral, appointment = _appointment_that_has_happened(practitioner, episode_a, service)
    appointment_attendance(
        actor=practitioner, appointment=appointment, version=1, attendance=Attendance.MISSED
    )
    referral.refresh_from_db()
    booked(practitioner, referral)
    referral.refresh_from_db()
    assert statuses(referral)[-2:] == [Status.DID_NOT_ATTEND, Status.APPOINTMENT_BOOKED]


def test_attendance_cannot_be_recorded_before_the_appointment_or_twice(practitioner, episode_a, service):
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT, Status.ACCEPTED)
    appointment = booked(practitioner, referral)
    with pytest.raises(ValidationError) as excinfo:
        appointment_attendance(
            actor=practitioner, appointment=appointment, version=1, attendance=Attendance.ATTENDED
        )
    assert "has not happened yet" in errors(excinfo)["attendance"][0]
    cancelled = appointment_attendance(
        actor=practitioner, appointment=appointment, version=1, attendance=Attendance.CANCELLED
    )
    with pytest.raises(ValidationError) as excinfo:
        appointment_attendance(
            actor=practitioner, appointment=cancelled, version=2, attendance=Attendance.MISSED
        )
    assert "already recorded as cancelled" in errors(excinfo)["attendance"][0]


def test_a_stale_attendance_is_refused(practitioner, episode_a, service):
    referral, appointment = _appointment_that_has_happened(practitioner, episode_a, service)
    with pytest.raises(StaleWrite):
        appointment_attendance(
            actor=practitioner, appointment=appointment, version=7, attendance=Attendance.ATTENDED
        )
    appointment.refresh_from_db()
    referral.refresh_from_db()
    assert (appointment.attendance, referral.status) == (Attendance.UPCOMING, Status.APPOINTMENT_BOOKED)
    assert not Task.objects.filter(rule="appointment.outreach").exists()
