"""The referrals API: an episode's referrals to services, moving them through their statuses, booking
appointments and recording attendance, and the caller's own appointments.

Referrals and appointments are reached only through the access helpers (404 for "missing" and "not
yours" alike, audited), and every write calls referrals.services, the same rules the pages use: the
state machine (states.py), consent before an active referral is sent, the person's eligibility, and the
follow-up rules that make and close tasks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as HttpStatus
from pydantic import ConfigDict

from liaison.api.common import ERROR_CODES, Id, actor, text
from liaison.api.idempotency import idempotent
from liaison.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, paginate
from liaison.api.problems import TYPE_FORBIDDEN, ApiProblem, Problem, service_errors
from liaison.assessment.codes import codes
from liaison.core.access import get_episode_for_user
from liaison.core.audit import audit
from liaison.core.permissions import can, roles_by_team
from liaison.directory.models import Service
from liaison.referrals import presenters, states
from liaison.referrals.models import Appointment, Attendance, Consent, Kind, Outcome, Referral, Status
from liaison.referrals.queries import (
    get_appointment_for_user,
    get_referral_for_user,
    referrals_of,
    user_appointments,
)
from liaison.referrals.services import (
    appointment_attendance,
    appointment_book,
    referral_consent,
    referral_create,
    referral_move,
)

router = Router(tags=["referrals"])


def _codes(values: Any, description: str) -> dict[str, Any]:
    return {"json_schema_extra": {"enum": list(values), "description": description}}


def _field(name: str) -> str | None:
    """Whole-record problems belong to no field."""
    return None if name in {"episode", "referral"} else name


class ServiceReferralStatusOut(Schema):
    status: str
    label: str
    at: dt.datetime
    by_id: int
    note: str


class AppointmentOut(Schema):
    id: int
    version: int
    episode_id: int
    service_referral_id: int | None
    service_id: str | None
    service_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    location_id: str | None
    place: str = Field(description="Where, in words: the directory location's address or the place typed")
    accompanied_by_id: int | None
    travel_needs: str
    attendance: str = Field(description="upcoming, attended, missed or cancelled")
    attendance_recorded_at: dt.datetime | None
    note: str


class ServiceReferralOut(Schema):
    id: int
    version: int
    episode_id: int
    person_id: int
    need_key: str
    need_label: str
    service_id: str
    service_name: str
    kind: str = Field(description="active or signposting")
    consent: str = Field(description="given, refused or not_asked")
    consent_note: str
    reason: str
    status: str
    status_label: str
    status_at: dt.datetime
    next_moves: list[str] = Field(
        description="The statuses it may be moved to by hand now (appointments make the others)"
    )
    outcome: str
    outcome_note: str
    created_at: dt.datetime
    created_by_id: int
    history: list[ServiceReferralStatusOut] = Field(description="Every status it has had, oldest first")
    appointments: list[AppointmentOut] = Field(description="Newest first")


def _appointment(appointment: Appointment) -> dict[str, Any]:
    return {
        "id": appointment.pk,
        "version": appointment.version,
        "episode_id": appointment.episode_id,
        "service_referral_id": appointment.referral_id,
        "service_id": appointment.service_id,
        "service_name": appointment.service.name if appointment.service is not None else "",
        "starts_at": appointment.starts_at,
        "ends_at": appointment.ends_at,
        "location_id": appointment.location_id,
        "place": presenters.place(appointment),
        "accompanied_by_id": appointment.accompanied_by_id,
        "travel_needs": appointment.travel_needs,
        "attendance": appointment.attendance,
        "attendance_recorded_at": appointment.attendance_recorded_at,
        "note": appointment.note,
    }


def _load(referrals: list[Referral]) -> list[Referral]:
    """Two queries for every referral's history and appointments (with their places)."""
    prefetch_related_objects(
        referrals, "statuses", "appointments", "appointments__location", "appointments__service"
    )
    return referrals


def _out(referral: Referral) -> dict[str, Any]:
    return {
        "id": referral.pk,
        "version": referral.version,
        "episode_id": referral.episode_id,
        "person_id": referral.episode.person_id,
        "need_key": referral.need_key,
        "need_label": codes().label(referral.need_key),
        "service_id": referral.service_id,
        "service_name": referral.service.name,
        "kind": referral.kind,
        "consent": referral.consent,
        "consent_note": referral.consent_note,
        "reason": referral.reason,
        "status": referral.status,
        "status_label": states.status_label(referral.kind, referral.status),
        "status_at": referral.status_at,
        "next_moves": states.manual_moves(referral.kind, referral.status),
        "outcome": referral.outcome,
        "outcome_note": referral.outcome_note,
        "created_at": referral.created_at,
        "created_by_id": referral.created_by_id,
        "history": [
            {
                "status": row.status,
                "label": states.status_label(referral.kind, row.status),
                "at": row.at,
                "by_id": row.by_id,
                "note": row.note,
            }
            for row in sorted(referral.statuses.all(), key=lambda r: (r.at, r.pk))
        ],
        "appointments": [
            _appointment(a)
            for a in sorted(referral.appointments.all(), key=lambda a: (a.starts_at, a.pk), reverse=True)
        ],
    }


def _fresh(user: Any, service_referral_id: int) -> dict[str, Any]:
    referral, _ = get_referral_for_user(user, service_referral_id)
    return _out(_load([referral])[0])


# --- referrals -------------------------------------------------------------------------------------


class ServiceReferralIn(Schema):
    model_config = ConfigDict(extra="forbid")

    need_key: str = text(40, description='A domain code, or "basic:" and a basic need\'s code')
    service_id: str = text(64, description="A service in the directory")
    kind: str = text(12, **_codes(Kind.values, "An active referral, or signposting"))
    consent: str = text(
        10,
        Consent.NOT_ASKED,
        **_codes(Consent.values, "Whether the person agreed to their details being shared"),
    )
    consent_note: str = text(500, "")
    reason: str = text(5000, "", description="What is asked of the service")


class ServiceReferralMoveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int
    status: str = text(20, **_codes(Status.values, "The status to move to: one of the referral's next_moves"))
    note: str = text(500, "")
    outcome: str = text(20, "", **_codes(["", *Outcome.values], "Required when the status is closed"))
    outcome_note: str = text(2000, "", description='Required when the outcome is "other"')


class ServiceReferralConsentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int
    consent: str = text(10, **_codes(Consent.values, "What the person said about sharing their details"))
    consent_note: str = text(500, "")


class AppointmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(description="The referral's version")
    starts_at: dt.datetime = Field(description="With a time zone; not in the past")
    ends_at: dt.datetime | None = None
    location_id: str | None = Field(None, max_length=64, description="One of the service's locations")
    place: str = text(300, "", description="Where, in words, when not one of the service's locations")
    accompanied_by_id: Id | None = Field(None, description="A member of the episode's team going with them")
    travel_needs: str = text(2000, "")
    note: str = text(2000, "")


class AttendanceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(description="The appointment's version")
    attendance: str = text(10, **_codes(["attended", "missed", "cancelled"], "Whether the person went"))
    note: str = text(2000, "")


@router.get(
    "/episodes/{episode_id}/service-referrals", response={200: Page[ServiceReferralOut], ERROR_CODES: Problem}
)
def list_service_referrals(
    request: HttpRequest,
    episode_id: int,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """The episode's referrals to services, newest first, each with its history and appointments."""
    episode, _ = get_episode_for_user(actor(request), episode_id, action="service_referral.list")
    rows, next_cursor = paginate(
        referrals_of(episode),
        kind="referrals",
        order=("-created_at", "-id"),
        cursor=cursor,
        limit=limit,
    )
    for referral in rows:
        referral.episode = episode
    return {"items": [_out(r) for r in _load(rows)], "next_cursor": next_cursor}


@router.post(
    "/episodes/{episode_id}/service-referrals", response={201: ServiceReferralOut, ERROR_CODES: Problem}
)
@idempotent
def create_service_referral(request: HttpRequest, episode_id: int, payload: ServiceReferralIn) -> HttpStatus:
    """Make a draft referral (or signposting) from one of the episode's needs to a directory service.
    A person outside the service's age, sex or area rules is refused (422, naming `service_id`)."""
    user = actor(request)
    episode, _ = get_episode_for_user(user, episode_id)
    service = Service.objects.filter(pk=payload.service_id).prefetch_related("service_areas").first()
    with service_errors({"service": "service_id", "episode": None}):
        referral = referral_create(
            actor=user,
            episode=episode,
            need_key=payload.need_key,
            service=service,
            kind=payload.kind,
            consent=payload.consent,
            consent_note=payload.consent_note,
            reason=payload.reason,
        )
    return HttpStatus(201, _fresh(user, referral.pk))


@router.get(
    "/service-referrals/{service_referral_id}", response={200: ServiceReferralOut, ERROR_CODES: Problem}
)
def get_service_referral(request: HttpRequest, service_referral_id: int) -> dict[str, Any]:
    """The referral with its status history and appointments."""
    return _fresh(actor(request), service_referral_id)


@router.post(
    "/service-referrals/{service_referral_id}/moves", response={200: ServiceReferralOut, ERROR_CODES: Problem}
)
@idempotent
def move_service_referral(
    request: HttpRequest, service_referral_id: int, payload: ServiceReferralMoveIn
) -> dict[str, Any]:
    """Move the referral to one of its `next_moves`. An illegal move (attended before an appointment
    is booked), sending an active referral without consent, or closing without an outcome is refused
    with 422 and nothing changes; a stale `version` is refused with 409."""
    user = actor(request)
    referral, _ = get_referral_for_user(user, service_referral_id)
    with service_errors({"to_status": "status", "referral": None}):
        referral_move(
            actor=user,
            referral=referral,
            version=payload.version,
            to_status=payload.status,
            note=payload.note,
            outcome=payload.outcome,
            outcome_note=payload.outcome_note,
        )
    return _fresh(user, service_referral_id)


@router.post(
    "/service-referrals/{service_referral_id}/consent",
    response={200: ServiceReferralOut, ERROR_CODES: Problem},
)
@idempotent
def record_service_referral_consent(
    request: HttpRequest, service_referral_id: int, payload: ServiceReferralConsentIn
) -> dict[str, Any]:
    """Record what the person said about sharing their details, while the referral is a draft."""
    user = actor(request)
    referral, _ = get_referral_for_user(user, service_referral_id)
    with service_errors():
        referral_consent(
            actor=user,
            referral=referral,
            version=payload.version,
            consent=payload.consent,
            consent_note=payload.consent_note,
        )
    return _fresh(user, service_referral_id)


@router.post(
    "/service-referrals/{service_referral_id}/appointments",
    response={201: AppointmentOut, ERROR_CODES: Problem},
)
@idempotent
def book_appointment(request: HttpRequest, service_referral_id: int, payload: AppointmentIn) -> HttpStatus:
    """Book an appointment with the referral's service: the referral moves to appointment booked, and a
    task to check attendance is made for the next working day after it."""
    user = actor(request)
    referral, _ = get_referral_for_user(user, service_referral_id)
    rename = {"location": "location_id", "accompanied_by": "accompanied_by_id", "referral": None}
    with service_errors(rename):
        appointment = appointment_book(
            actor=user,
            referral=referral,
            version=payload.version,
            starts_at=payload.starts_at,
            ends_at=payload.ends_at,
            location_id=payload.location_id,
            place=payload.place,
            accompanied_by_id=payload.accompanied_by_id,
            travel_needs=payload.travel_needs,
            note=payload.note,
        )
    appointment.service = referral.service
    return HttpStatus(201, _appointment(appointment))


@router.post(
    "/appointments/{appointment_id}/attendance", response={200: AppointmentOut, ERROR_CODES: Problem}
)
@idempotent
def record_attendance(request: HttpRequest, appointment_id: int, payload: AttendanceIn) -> dict[str, Any]:
    """Record whether the person went. Missed makes an outreach task; cancelled takes the referral back
    to accepted, ready to book again."""
    user = actor(request)
    appointment, _ = get_appointment_for_user(user, appointment_id)
    with service_errors():
        done = appointment_attendance(
            actor=user,
            appointment=appointment,
            version=payload.version,
            attendance=payload.attendance,
            note=payload.note,
        )
    done.service, done.location = appointment.service, appointment.location
    return _appointment(done)


@router.get("/appointments", response={200: Page[AppointmentOut], ERROR_CODES: Problem})
def list_my_appointments(
    request: HttpRequest,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    upcoming: bool = Query(False, description="Only appointments whose attendance is not recorded yet"),
) -> dict[str, Any]:
    """The caller's appointments (going with the person, or booked by them), soonest first."""
    user = actor(request)
    if not any(can(user, "referrals.appointments", team_id) for team_id in roles_by_team(user)):
        raise ApiProblem(403, "Your role has no appointments", type=TYPE_FORBIDDEN)
    rows_query = user_appointments(user)
    if upcoming:
        rows_query = rows_query.filter(attendance=Attendance.UPCOMING)
    rows, next_cursor = paginate(
        rows_query, kind="appointments", order=("starts_at", "id"), cursor=cursor, limit=limit
    )
    audit(
        actor=user,
        action="appointment.list",
        detail={"count": len(rows)},
        person_ids=[a.episode.person_id for a in rows],
    )
    return {"items": [_appointment(a) for a in rows], "next_cursor": next_cursor}
