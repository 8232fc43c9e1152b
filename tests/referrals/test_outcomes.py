"""Engagement outcomes: a referral counts at every stage it reached, only for its own team, per need."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from liaison.referrals.models import Appointment, Attendance, Kind, Outcome, Status
from liaison.referrals.outcomes import Outcomes, attendance_by_service, service_outcomes_by_need
from liaison.referrals.services import appointment_attendance
from tests.factories import EpisodeFactory
from tests.referrals.conftest import booked, draft, make_service, moved


def attended(actor, episode, service, need_key="housing"):
    referral = moved(actor, draft(actor, episode, service, need_key=need_key), Status.SENT, Status.ACCEPTED)
    appointment = booked(actor, referral)
    Appointment.objects.filter(pk=appointment.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    appointment.refresh_from_db()
    appointment_attendance(actor=actor, appointment=appointment, version=1, attendance=Attendance.ATTENDED)
    referral.refresh_from_db()
    return referral


def test_a_referral_attended_then_closed_still_counts_as_attended(practitioner, episode_a, service):
    referral = attended(practitioner, episode_a, service)
    moved(practitioner, referral, Status.CLOSED, outcome=Outcome.SUPPORT_RECEIVED)
    counts = attendance_by_service(episode_a.team_id, [service.pk])[service.pk]
    assert counts == Outcomes(sent=1, accepted=1, attended=1, engaged=0)
    assert counts.attended_share == 1.0


def test_drafts_are_not_sent_and_declined_are_not_accepted(practitioner, episode_a, service):
    draft(practitioner, episode_a, service)
    moved(practitioner, draft(practitioner, episode_a, service), Status.SENT, Status.DECLINED)
    moved(practitioner, draft(practitioner, episode_a, service), Status.SENT, Status.ACCEPTED, Status.ENGAGED)
    counts = attendance_by_service(episode_a.team_id, [service.pk])[service.pk]
    # Engaged counts as attended too: the person got to the service.
    assert counts == Outcomes(sent=2, accepted=1, attended=1, engaged=1)
    assert counts.attended_share == 0.5


def test_other_teams_referrals_do_not_count(practitioner, outsider, episode_a, site_b, service):
    attended(practitioner, episode_a, service)
    theirs = EpisodeFactory(site=site_b, allocated_worker=outsider)
    moved(outsider, draft(outsider, theirs, service), Status.SENT, Status.DECLINED)
    ours = attendance_by_service(episode_a.team_id, [service.pk])[service.pk]
    assert ours == Outcomes(sent=1, accepted=1, attended=1, engaged=0)
    others = attendance_by_service(theirs.team_id, [service.pk])[service.pk]
    assert others == Outcomes(sent=1, accepted=0, attended=0, engaged=0)


def test_outcomes_per_need_and_per_service(practitioner, episode_a, service):
    other_service = make_service("Quayside Mental Health Team")
    attended(practitioner, episode_a, service, need_key="housing")
    moved(practitioner, draft(practitioner, episode_a, service, need_key="basic:sleep_tonight"), Status.SENT)
    moved(
        practitioner,
        draft(practitioner, episode_a, other_service, need_key="mental_health", kind=Kind.SIGNPOSTING),
        Status.SENT,
        Status.ATTENDED,
    )
    by_need = service_outcomes_by_need(episode_a.team_id, service.pk)
    assert by_need == {
        "housing": Outcomes(sent=1, accepted=1, attended=1, engaged=0),
        "basic:sleep_tonight": Outcomes(sent=1, accepted=0, attended=0, engaged=0),
    }
    by_service = attendance_by_service(episode_a.team_id, [service.pk, other_service.pk])
    assert by_service[other_service.pk] == Outcomes(sent=1, accepted=0, attended=1, engaged=0)
    assert attendance_by_service(episode_a.team_id, ["svc-none"]) == {}
    assert Outcomes(0, 0, 0, 0).attended_share is None
