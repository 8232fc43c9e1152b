"""Follow-up rules: each made at its event with the right due date (working days, bank holidays),
once however often the event is replayed, closed when what it chases happens, and per team."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from liaison.episodes.models import Task
from liaison.referrals import rules
from liaison.referrals.models import Appointment, Attendance, Kind, Outcome, Status
from liaison.referrals.services import _after_move, appointment_attendance
from tests.referrals.conftest import booked, draft, moved

LONDON = ZoneInfo("Europe/London")


def at(*args):
    return dt.datetime(*args, tzinfo=LONDON)


def open_rule_tasks(rule):
    return list(Task.objects.filter(rule=rule, done_at__isnull=True))


def test_sending_an_active_referral_makes_a_chase_task_due_in_two_working_days(
    practitioner, episode_a, service
):
    with time_machine.travel(at(2026, 12, 1, 10, 0)):  # a Tuesday
        referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT)
    task = Task.objects.get(rule="referral.no_acknowledgement")
    assert task.title == "Chase Harbour Housing Advice: no acknowledgement"
    assert task.due == dt.date(2026, 12, 3)
    assert task.dedupe_key == f"referral:{referral.pk}:no_ack"
    assert task.owner == practitioner and task.episode == episode_a


def test_bank_holidays_do_not_count(practitioner, episode_a, service):
    # Christmas Eve 2026 is a Thursday: Christmas Day (Fri) and Boxing Day's substitute (Mon 28th)
    # are bank holidays, so two working days later is Wednesday 30 December.
    with time_machine.travel(at(2026, 12, 24, 16, 0)):
        moved(practitioner, draft(practitioner, episode_a, service), Status.SENT)
    assert Task.objects.get(rule="referral.no_acknowledgement").due == dt.date(2026, 12, 30)


@pytest.mark.parametrize("answer", [Status.ACKNOWLEDGED, Status.ACCEPTED, Status.DECLINED])
def test_the_chase_closes_when_the_service_answers(practitioner, episode_a, service, answer):
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT)
    assert len(open_rule_tasks("referral.no_acknowledgement")) == 1
    moved(practitioner, referral, answer)
    task = Task.objects.get(rule="referral.no_acknowledgement")
    assert task.done_at is not None and task.done_by == practitioner


def test_the_same_event_twice_makes_one_task(practitioner, episode_a, service):
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT)
    _after_move(practitioner, referral, Status.SENT, timezone.now())  # replayed (a retry, a second worker)
    assert Task.objects.filter(rule="referral.no_acknowledgement").count() == 1


def test_an_appointment_makes_a_check_attendance_task_for_the_next_working_day(
    practitioner, support_worker, episode_a, service
):
    with time_machine.travel(at(2026, 12, 2, 9, 0)):
        referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT, Status.ACCEPTED)
        # Friday 4 December at 14:00: the check is due on Monday 7th.
        appointment = booked(
            practitioner,
            referral,
            starts_in=at(2026, 12, 4, 14, 0) - timezone.now(),
            accompanied_by_id=support_worker.pk,
        )
    task = Task.objects.get(rule="appointment.check_attendance")
    assert task.due == dt.date(2026, 12, 7)
    assert task.title == "Check whether Alex R. attended Harbour Housing Advice"
    assert task.owner == support_worker  # the one who went with them knows
    assert task.dedupe_key == f"appointment:{appointment.pk}:check_attendance"


def test_recording_attendance_closes_the_check(practitioner, episode_a, service):
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT, Status.ACCEPTED)
    appointment = booked(practitioner, referral)
    Appointment.objects.filter(pk=appointment.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    appointment.refresh_from_db()
    appointment_attendance(
        actor=practitioner, appointment=appointment, version=1, attendance=Attendance.ATTENDED
    )
    assert not open_rule_tasks("appointment.check_attendance")
    assert not Task.objects.filter(rule="appointment.outreach").exists()


def test_a_missed_appointment_makes_an_outreach_task_within_two_working_days(
    practitioner, episode_a, service
):
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT, Status.ACCEPTED)
    appointment = booked(practitioner, referral)
    Appointment.objects.filter(pk=appointment.pk).update(starts_at=at(2026, 12, 24, 10, 0))
    appointment.refresh_from_db()
    with time_machine.travel(at(2026, 12, 24, 15, 0)):
        appointment_attendance(
            actor=practitioner, appointment=appointment, version=1, attendance=Attendance.MISSED
        )
    task = Task.objects.get(rule="appointment.outreach")
    assert task.due == dt.date(2026, 12, 30)
    assert task.title == "Outreach: Alex R. missed the appointment at Harbour Housing Advice"
    assert task.dedupe_key == f"appointment:{appointment.pk}:outreach"
    # Rebooking means the person is back in touch: the outreach is done.
    referral.refresh_from_db()
    booked(practitioner, referral)
    assert Task.objects.get(pk=task.pk).done_at is not None


def test_signposting_is_followed_up_after_seven_days(practitioner, episode_a, service):
    with time_machine.travel(at(2026, 12, 1, 10, 0)):  # Tuesday: 7 days later is Tuesday 8th
        referral = moved(
            practitioner, draft(practitioner, episode_a, service, kind=Kind.SIGNPOSTING), Status.SENT
        )
    task = Task.objects.get(rule="referral.signposting_follow_up")
    assert task.due == dt.date(2026, 12, 8)
    assert task.title == "Ask whether Alex R. contacted Harbour Housing Advice"
    assert not Task.objects.filter(rule="referral.no_acknowledgement").exists()
    moved(practitioner, referral, Status.ATTENDED)
    assert Task.objects.get(pk=task.pk).done_at is not None


def test_seven_days_landing_on_a_bank_holiday_moves_to_the_next_working_day(practitioner, episode_a, service):
    with time_machine.travel(at(2026, 12, 18, 10, 0)):  # Friday: 7 days later is Christmas Day
        moved(practitioner, draft(practitioner, episode_a, service, kind=Kind.SIGNPOSTING), Status.SENT)
    assert Task.objects.get(rule="referral.signposting_follow_up").due == dt.date(2026, 12, 29)


def test_closing_a_referral_closes_every_task_it_left_open(practitioner, episode_a, service):
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT)
    moved(practitioner, referral, Status.CLOSED, outcome=Outcome.PERSON_DECLINED)
    assert not open_rule_tasks("referral.no_acknowledgement")


def test_a_team_override_changes_only_that_team(practitioner, outsider, episode_a, service, monkeypatch):
    book = rules.parse(
        {
            "defaults": rules.rule_book_raw()["defaults"],
            "teams": {
                episode_a.team.code: {
                    "no_acknowledgement": {"working_days": 1, "title": "Ring {service} (sent {when})"}
                }
            },
        }
    )
    monkeypatch.setattr(rules, "rule_book", lambda: book)
    with time_machine.travel(at(2026, 12, 1, 10, 0)):
        moved(practitioner, draft(practitioner, episode_a, service), Status.SENT)
    task = Task.objects.get(rule="referral.no_acknowledgement")
    assert (task.title, task.due) == ("Ring Harbour Housing Advice (sent 1 December)", dt.date(2026, 12, 2))
    assert book.rule("some-other-team", "no_acknowledgement").working_days == 2


def test_a_team_can_switch_a_rule_off(practitioner, episode_a, service, monkeypatch):
    raw = rules.rule_book_raw()
    book = rules.parse({**raw, "teams": {episode_a.team.code: {"no_acknowledgement": {"enabled": False}}}})
    monkeypatch.setattr(rules, "rule_book", lambda: book)
    moved(practitioner, draft(practitioner, episode_a, service), Status.SENT)
    assert not Task.objects.filter(rule="referral.no_acknowledgement").exists()


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"teams": {"x": {"no_acknowledgement": {"weeks": 1}}}}, "unknown field"),
        ({"teams": {"x": {"chase_the_moon": {}}}}, "unknown rule"),
        ({"teams": {"x": {"no_acknowledgement": {"working_days": -1}}}}, "whole number from 0 to 60"),
        ({"teams": {"x": {"no_acknowledgement": {"title": "Chase {nobody}"}}}}, "may only use"),
    ],
)
def test_a_bad_rules_file_fails_loudly(change, says):
    with pytest.raises(ValueError, match=says):
        rules.parse({**rules.rule_book_raw(), **change})


def test_the_shipped_rules_file_is_valid():
    book = rules.parse(rules.rule_book_raw())
    assert book.defaults["no_acknowledgement"].working_days == 2
    assert book.defaults["signposting_follow_up"].days == 7
