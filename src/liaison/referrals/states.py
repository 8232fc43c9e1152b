"""The referral state machine, as tables. Pure: no database, no Django models beyond the choices.

An active referral is one the team makes on the person's behalf (their details are shared with the
service); signposting is telling the person about a service and following up whether they went.
Each kind has its own table: the statuses a referral at one status may move to next. Any open status
may be closed (with an outcome); a closed referral is finished and never moves again.

Some moves are made only through an appointment, never by hand: "appointment booked" (booking one),
and for an active referral "attended" and "did not attend" (recording the appointment's attendance),
so the calendar and the referral never disagree. `MANUAL` lists what a practitioner may choose
directly. The table itself (docs/referrals.md shows it) is the one place these rules are written.
"""

from __future__ import annotations

from liaison.referrals.models import Kind, Status

D, S, ACK, ACC, DEC = Status.DRAFT, Status.SENT, Status.ACKNOWLEDGED, Status.ACCEPTED, Status.DECLINED
BOOKED, ATT, DNA, ENG, CLOSED = (
    Status.APPOINTMENT_BOOKED,
    Status.ATTENDED,
    Status.DID_NOT_ATTEND,
    Status.ENGAGED,
    Status.CLOSED,
)

ACTIVE: dict[str, frozenset[str]] = {
    D: frozenset({S, CLOSED}),
    # A service that takes the person on at once skips "acknowledged"; one that offers a date at once
    # is accepted and booked in one go (appointment_book records both).
    S: frozenset({ACK, ACC, DEC, CLOSED}),
    ACK: frozenset({ACC, DEC, CLOSED}),
    # Some services take people on without a booked appointment (a drop-in, an allocated key worker).
    ACC: frozenset({BOOKED, ENG, CLOSED}),
    DEC: frozenset({CLOSED}),
    # Back to accepted when the appointment is cancelled (by the service or the person).
    BOOKED: frozenset({ATT, DNA, ACC, CLOSED}),
    # A first appointment often leads to a second one.
    ATT: frozenset({ENG, BOOKED, CLOSED}),
    DNA: frozenset({BOOKED, CLOSED}),
    ENG: frozenset({BOOKED, CLOSED}),
    CLOSED: frozenset(),
}

SIGNPOSTING: dict[str, frozenset[str]] = {
    D: frozenset({S, CLOSED}),
    # Sent means signposted: the person has the service's details. Attended or engaged when they went.
    S: frozenset({ATT, ENG, CLOSED}),
    ATT: frozenset({ENG, CLOSED}),
    ENG: frozenset({CLOSED}),
    CLOSED: frozenset(),
}

TABLES: dict[str, dict[str, frozenset[str]]] = {Kind.ACTIVE: ACTIVE, Kind.SIGNPOSTING: SIGNPOSTING}

# Moves only an appointment makes, per kind.
THROUGH_APPOINTMENT: dict[str, frozenset[str]] = {
    Kind.ACTIVE: frozenset({BOOKED, ATT, DNA}),
    Kind.SIGNPOSTING: frozenset(),
}
OPEN_STATUSES = frozenset(s for s in Status if s != CLOSED)
# Where a referral is still waiting on the service to answer.
AWAITING_SERVICE = frozenset({S, ACK})

# What each status is called in a sentence, per kind where it differs.
_WORDS: dict[str, str] = {
    D: "a draft",
    S: "sent",
    ACK: "acknowledged",
    ACC: "accepted",
    DEC: "declined by the service",
    BOOKED: "booked in for an appointment",
    ATT: "attended",
    DNA: "a missed appointment",
    ENG: "engaged",
    CLOSED: "closed",
}
_SIGNPOSTING_WORDS: dict[str, str] = {S: "signposted", ATT: "the person went", ENG: "engaged"}

# The button (or radio) a practitioner chooses to make each manual move.
MOVE_LABELS: dict[str, str] = {
    S: "Sent to the service",
    ACK: "The service acknowledged it",
    ACC: "The service accepted the person",
    DEC: "The service declined",
    ATT: "The person went to the service",
    ENG: "The person is engaging with the service",
    CLOSED: "Close the referral",
}
_SIGNPOSTING_MOVE_LABELS: dict[str, str] = {S: "The person has the service's details (signposted)"}


def status_label(kind: str, status: str) -> str:
    if kind == Kind.SIGNPOSTING and status == S:
        return "Signposted"
    return str(Status(status).label) if status in Status.values else status


def _words(kind: str, status: str) -> str:
    if kind == Kind.SIGNPOSTING and status in _SIGNPOSTING_WORDS:
        return _SIGNPOSTING_WORDS[status]
    return _WORDS.get(status, status)


def move_label(kind: str, status: str) -> str:
    if kind == Kind.SIGNPOSTING and status in _SIGNPOSTING_MOVE_LABELS:
        return _SIGNPOSTING_MOVE_LABELS[status]
    return MOVE_LABELS.get(status, status_label(kind, status))


def next_statuses(kind: str, status: str) -> frozenset[str]:
    return TABLES.get(kind, {}).get(status, frozenset())


def manual_moves(kind: str, status: str) -> list[str]:
    """What a practitioner may choose by hand from here, in the order of the story (closing last)."""
    allowed = next_statuses(kind, status) - THROUGH_APPOINTMENT.get(kind, frozenset())
    if status == BOOKED:
        allowed -= {ACC}  # back to accepted only by cancelling the appointment
    order = list(Status.values)
    return sorted(allowed, key=order.index)


def refusal(kind: str, current: str, wanted: str) -> str | None:
    """None when `current` -> `wanted` is a legal move; otherwise the sentence a practitioner reads."""
    if kind not in TABLES:
        return "Choose whether this is an active referral or signposting"
    if wanted not in Status.values:
        return "Choose what has happened from the list"
    if wanted in next_statuses(kind, current):
        return None
    if current == CLOSED:
        return (
            "This referral is closed and cannot change: make a new referral if the person needs the "
            "service again"
        )
    if current == wanted:
        return f"This referral is already {_words(kind, current)}"
    if kind == Kind.ACTIVE and wanted in {ATT, DNA} and current != BOOKED:
        return (
            "Book an appointment first: a referral cannot be marked attended or missed before an "
            "appointment is booked"
        )
    if kind == Kind.SIGNPOSTING and wanted in {BOOKED, DNA, ACK, ACC, DEC}:
        return (
            "Signposting is followed up by asking whether the person went: to book appointments or hear "
            "back from the service, make an active referral"
        )
    if current == D:
        return "Send the referral first: nothing can happen with the service before it is sent"
    if kind == Kind.ACTIVE and current in AWAITING_SERVICE and wanted in {ENG, BOOKED}:
        return "The service has to accept the person first"
    if current == DEC:
        return "The service declined this referral: close it with an outcome, or make a new referral"
    allowed = ", ".join(_words(kind, s) for s in manual_moves(kind, current)) or "nothing"
    return (
        f"A referral that is {_words(kind, current)} cannot become {_words(kind, wanted)}: "
        f"from here it can be {allowed}"
    )


def is_open(status: str) -> bool:
    return status != CLOSED
