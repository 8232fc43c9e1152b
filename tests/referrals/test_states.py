"""The referral state machine as a table: every legal move passes, illegal ones explain themselves."""

from __future__ import annotations

import pytest

from liaison.referrals import states
from liaison.referrals.models import Kind, Status

A, SG = Kind.ACTIVE, Kind.SIGNPOSTING


@pytest.mark.parametrize(
    ("kind", "current", "wanted"),
    [
        (A, Status.DRAFT, Status.SENT),
        (A, Status.SENT, Status.ACKNOWLEDGED),
        (A, Status.SENT, Status.ACCEPTED),  # the service takes the person on at once
        (A, Status.ACKNOWLEDGED, Status.DECLINED),
        (A, Status.ACCEPTED, Status.APPOINTMENT_BOOKED),
        (A, Status.APPOINTMENT_BOOKED, Status.ATTENDED),
        (A, Status.APPOINTMENT_BOOKED, Status.DID_NOT_ATTEND),
        (A, Status.DID_NOT_ATTEND, Status.APPOINTMENT_BOOKED),  # rebooked
        (A, Status.ATTENDED, Status.ENGAGED),
        (A, Status.DECLINED, Status.CLOSED),
        (A, Status.ENGAGED, Status.CLOSED),
        (SG, Status.DRAFT, Status.SENT),
        (SG, Status.SENT, Status.ATTENDED),
        (SG, Status.SENT, Status.ENGAGED),
        (SG, Status.SENT, Status.CLOSED),
    ],
)
def test_legal_moves_pass(kind, current, wanted):
    assert states.refusal(kind, current, wanted) is None


@pytest.mark.parametrize("status", [s for s in Status if s != Status.CLOSED])
def test_every_open_active_status_can_be_closed(status):
    assert states.refusal(A, status, Status.CLOSED) is None


@pytest.mark.parametrize(
    ("kind", "current", "wanted", "says"),
    [
        (A, Status.SENT, Status.ATTENDED, "Book an appointment first"),
        (A, Status.ACCEPTED, Status.DID_NOT_ATTEND, "Book an appointment first"),
        (A, Status.DRAFT, Status.ACCEPTED, "Send the referral first"),
        (A, Status.SENT, Status.ENGAGED, "has to accept the person first"),
        (A, Status.DECLINED, Status.ACCEPTED, "declined this referral"),
        (A, Status.CLOSED, Status.SENT, "closed and cannot change"),
        (A, Status.SENT, Status.SENT, "already sent"),
        (SG, Status.SENT, Status.APPOINTMENT_BOOKED, "make an active referral"),
        (SG, Status.SENT, Status.ACCEPTED, "make an active referral"),
        (SG, Status.ENGAGED, Status.ATTENDED, "cannot become the person went"),
    ],
)
def test_illegal_moves_are_refused_in_words(kind, current, wanted, says):
    message = states.refusal(kind, current, wanted)
    assert message is not None and says in message


def test_the_tables_name_every_status_and_closed_ends_the_story():
    for table in states.TABLES.values():
        assert table[Status.CLOSED] == frozenset()
        for targets in table.values():
            assert targets <= set(Status.values)
    assert set(states.ACTIVE) == set(Status.values)


def test_manual_moves_leave_appointment_moves_to_appointments():
    assert states.manual_moves(A, Status.ACCEPTED) == [Status.ENGAGED, Status.CLOSED]
    assert states.manual_moves(A, Status.APPOINTMENT_BOOKED) == [Status.CLOSED]
    assert states.manual_moves(SG, Status.SENT) == [Status.ATTENDED, Status.ENGAGED, Status.CLOSED]


def test_signposting_reads_as_signposted():
    assert states.status_label(SG, Status.SENT) == "Signposted"
    assert states.status_label(A, Status.SENT) == "Sent"
