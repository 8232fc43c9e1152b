"""Writes to referrals and appointments: make a referral, move it on, record consent, book an
appointment, record whether the person went. Each is checked (role and record), validated with errors
keyed by field, version-locked and audited; the follow-up rules (rules.py) make and close their tasks
at the moment of the event that sets them off.

Status rows (ReferralStatus) are only ever added; Referral.status and status_at follow the newest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from liaison.assessment.codes import codes
from liaison.consent import rules as consent_rules
from liaison.consent import services as consent_services
from liaison.consent.models import ContentKind, Decision, Purpose, RecipientKind
from liaison.core.audit import audit
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.models import User
from liaison.core.permissions import can, role_in, roles_by_team
from liaison.directory import eligibility
from liaison.directory.eligibility import _age_limits
from liaison.directory.models import Location, Service, ServiceStatus
from liaison.episodes.models import Episode, Stage
from liaison.episodes.services import _is_clinical_member, rule_task_ensure, rule_tasks_close
from liaison.people.models import Person
from liaison.referrals import rules, states
from liaison.referrals.models import (
    Appointment,
    Attendance,
    CalendarFeed,
    Consent,
    Kind,
    Outcome,
    Referral,
    ReferralStatus,
    Status,
)

REASON_MAX = 5000
NOTE_MAX = 500
OUTCOME_NOTE_MAX = 2000
PLACE_MAX = 300
TRAVEL_MAX = 2000
# A booking a few minutes late (typed as the appointment starts) is still upcoming.
BOOKING_GRACE = dt.timedelta(minutes=5)
BOOKING_HORIZON = dt.timedelta(days=2 * 366)
LONGEST_APPOINTMENT = dt.timedelta(hours=12)


def _require(actor: User, operation: str, team_id: int) -> str:
    if not can(actor, operation, team_id):
        raise NotPermitted(f"Your role cannot do this ({operation}) for this team")
    return role_in(actor, team_id) or ""


def _audit(
    actor: User, role: str, action: str, episode: Episode, object_type: str, pk: int, **detail: Any
) -> None:
    audit(
        actor=actor,
        action=action,
        person_id=episode.person_id,
        team_id=episode.team_id,
        role=role,
        object_type=object_type,
        object_id=pk,
        detail=detail or None,
    )


def person_short_name(person: Person) -> str:
    """ "Alex R.": enough for a task title on the team's own lists, no more."""
    initial = f" {person.family_name[:1]}." if person.family_name else ""
    return f"{person.given_name}{initial}".strip()


def _day(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B}"


def _text(errors: dict[str, str], name: str, value: str | None, limit: int, label: str) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        errors[name] = f"{label} must be {limit:,} characters or fewer"
    return text


# --- eligibility ----------------------------------------------------------------------------------


def eligibility_problems(service: Service, person: Person, today: dt.date | None = None) -> list[str]:
    """Why the person cannot be referred to the service: age, sex and area that are not met.

    Unknown (no date of birth, sex or postcode recorded) is allowed: the practitioner checks with the
    service. Expects the service's areas prefetched or fetches them (one query).
    """
    today = today or timezone.localdate()
    problems: list[str] = []
    age = person.age_on(today)
    if eligibility.check_age(service.minimum_age, service.maximum_age, age).state == eligibility.NOT_MET:
        limits = _age_limits(service.minimum_age, service.maximum_age)
        problems.append(f"{service.name} takes {limits}; this person is {age}")
    sex = eligibility.check_sex(service.eligible_sex, person.sex)
    if sex.state == eligibility.NOT_MET:
        problems.append(
            f"{service.name} is for {sex.reason.lower()}; this person's sex is recorded as "
            f"{person.get_sex_display().lower()}"
        )
    prefixes = [p for area in service.service_areas.all() for p in area.postcode_prefixes.split()]
    area = eligibility.check_area(prefixes, "" if person.no_fixed_abode else person.postcode)
    if area.state == eligibility.NOT_MET:
        problems.append(f"{service.name} covers {', '.join(p.upper() for p in prefixes)}; {area.reason}")
    return problems


# --- status moves ---------------------------------------------------------------------------------


def _add_status(referral: Referral, status: str, actor: User, at: dt.datetime, note: str = "") -> None:
    ReferralStatus.objects.create(referral=referral, status=status, at=at, by=actor, note=note[:NOTE_MAX])


def _locked_update(referral: Referral, version: int, **values: Any) -> None:
    updated = Referral.objects.filter(pk=referral.pk, version=version).update(
        **values, updated_at=timezone.now(), version=F("version") + 1
    )
    if not updated:
        current = Referral.objects.filter(pk=referral.pk).values_list("version", flat=True).first()
        raise StaleWrite(object_type="referral", object_id=referral.pk, expected=version, current=current)


def _open_rule_keys(referral: Referral) -> list[str]:
    keys = [rules.no_ack_key(referral.pk), rules.signposting_key(referral.pk)]
    for appointment_id in referral.appointments.values_list("pk", flat=True):
        keys += [rules.check_attendance_key(appointment_id), rules.outreach_key(appointment_id)]
    return keys


def _after_move(actor: User, referral: Referral, to_status: str, at: dt.datetime) -> None:
    """The follow-up rules each move sets off or settles."""
    episode, service = referral.episode, referral.service
    team_code = episode.team.code
    short = person_short_name(episode.person)
    if to_status == Status.SENT:
        if referral.kind == Kind.ACTIVE:
            rule = rules.rule_for(team_code, rules.NO_ACKNOWLEDGEMENT)
            key = rules.no_ack_key(referral.pk)
        else:
            rule = rules.rule_for(team_code, rules.SIGNPOSTING_FOLLOW_UP)
            key = rules.signposting_key(referral.pk)
        if rule.enabled:
            rule_task_ensure(
                episode=episode,
                rule=rules.RULE_NAMES[rule.name],
                dedupe_key=key,
                title=rule.task_title(service=service.name, person=short, when=_day(at)),
                due=rule.due(timezone.localtime(at).date()),
                created_by=actor,
                owner_id=referral.created_by_id,
                detail=f"Referral {referral.pk}: {states.status_label(referral.kind, to_status).lower()} "
                f"on {timezone.localtime(at):%d %B %Y}.",
            )
        return
    settled: list[str] = []
    if to_status != Status.SENT and referral.kind == Kind.ACTIVE:
        settled.append(rules.no_ack_key(referral.pk))
    if referral.kind == Kind.SIGNPOSTING and to_status in {Status.ATTENDED, Status.ENGAGED, Status.CLOSED}:
        settled.append(rules.signposting_key(referral.pk))
    if to_status == Status.CLOSED:
        settled = _open_rule_keys(referral)
    if settled:
        rule_tasks_close(dedupe_keys=settled, by=actor)


def _move(
    *,
    actor: User,
    role: str,
    referral: Referral,
    version: int,
    to_status: str,
    at: dt.datetime,
    note: str = "",
    outcome: str = "",
    outcome_note: str = "",
) -> None:
    """Add the status row, keep the referral in step, audit, and run the rules. No permission check:
    the callers have checked what their own action needs."""
    values: dict[str, Any] = {"status": to_status, "status_at": at}
    if to_status == Status.CLOSED:
        values.update(outcome=outcome, outcome_note=outcome_note)
    _locked_update(referral, version, **values)
    _add_status(referral, to_status, actor, at, note)
    _audit(
        actor,
        role,
        "service_referral.move",
        referral.episode,
        "service_referral",
        referral.pk,
        **{"from": referral.status, "to": to_status, **({"outcome": outcome} if outcome else {})},
    )
    _after_move(actor, referral, to_status, at)
    referral.status, referral.status_at = to_status, at
    referral.version += 1
    if to_status == Status.CLOSED:
        referral.outcome, referral.outcome_note = outcome, outcome_note


def _check_open_episode(episode: Episode) -> None:
    if episode.stage == Stage.CLOSED:
        raise ValidationError({"episode": "This episode is closed: open a new episode to refer the person"})


# --- consent to share (liaison.consent) -------------------------------------------------------------

# An active referral shares a summary of the person's needs with the service.
REFERRAL_CONTENT = ContentKind.NEEDS_SUMMARY


def recipient_kind_for(need_key: str) -> str:
    """Who the service counts as, for consent: a mental health team for a mental health need, else
    another service. (The directory does not say whether a service is a GP practice, so a GP is not
    told apart here; consent to share with a GP is used by reports.)"""
    return (
        RecipientKind.MENTAL_HEALTH
        if codes().domain_of(need_key) == "mental_health"
        else RecipientKind.OTHER_SERVICE
    )


def share_decision(referral: Referral) -> consent_rules.ShareDecision:
    """May the team send this referral (a summary of needs) to its service, now?"""
    return consent_rules.may_share(
        referral.episode.person,
        team=referral.episode.team_id,
        recipient_kind=recipient_kind_for(referral.need_key),
        content_kind=REFERRAL_CONTENT,
    )


def _record_referral_consent(
    actor: User, episode: Episode, need_key: str, service: Service | None, consent: str, note: str
) -> None:
    """What the person said on the referral form becomes a real sharing consent (the referral keeps the
    answer too, as history). "Not asked yet" records nothing. For a child the guardian question is asked
    on the consent page: until it is answered there, the rules keep the referral from being sent."""
    if consent == Consent.NOT_ASKED:
        return
    consent_services.record_consent(
        actor=actor,
        person=episode.person,
        team=episode.team_id,
        episode=episode,
        purpose=Purpose.SHARING,
        decision=Decision.GIVEN if consent == Consent.GIVEN else Decision.REFUSED,
        pairs=[(recipient_kind_for(need_key), REFERRAL_CONTENT)],
        note=note or f"Asked when referring to {service.name if service else 'a service'}",
        guardian_required=False,
    )


# --- make a referral ------------------------------------------------------------------------------


@transaction.atomic
def referral_create(
    *,
    actor: User,
    episode: Episode,
    need_key: str,
    service: Service | None,
    kind: str,
    consent: str = Consent.NOT_ASKED,
    consent_note: str = "",
    reason: str = "",
) -> Referral:
    """A draft referral (or signposting) from one of the episode's needs to a directory service.

    The person must meet the service's age, sex and area rules where they are known; a need that is
    not on the code list, a service that is not taking referrals, or a closed episode are refused.
    """
    role = _require(actor, "referrals.make", episode.team_id)
    _check_open_episode(episode)
    errors: dict[str, str] = {}
    if need_key not in codes().keys:
        errors["need_key"] = "Choose the need this referral is for"
    if service is None:
        errors["service"] = "Choose a service from the directory"
    elif service.status != ServiceStatus.ACTIVE:
        errors["service"] = f"{service.name} is not taking referrals ({service.get_status_display().lower()})"
    if kind not in Kind.values:
        errors["kind"] = "Choose whether this is an active referral or signposting"
    if consent not in Consent.values:
        errors["consent"] = "Choose whether the person agreed to their details being shared"
    consent_note = _text(errors, "consent_note", consent_note, NOTE_MAX, "The note about consent")
    reason = _text(errors, "reason", reason, REASON_MAX, "The reason")
    if service is not None and "service" not in errors:
        problems = eligibility_problems(service, episode.person)
        if problems:
            errors["service"] = ". ".join(problems)
    if errors or service is None:
        raise ValidationError(errors)
    now = timezone.now()
    referral = Referral.objects.create(
        episode=episode,
        team_id=episode.team_id,
        need_key=need_key,
        service=service,
        kind=kind,
        consent=consent,
        consent_note=consent_note,
        reason=reason,
        status=Status.DRAFT,
        status_at=now,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _add_status(referral, Status.DRAFT, actor, now)
    if kind == Kind.ACTIVE:
        _record_referral_consent(actor, episode, need_key, service, consent, consent_note)
    _audit(
        actor,
        role,
        "service_referral.create",
        episode,
        "service_referral",
        referral.pk,
        kind=kind,
        service_id=service.pk,
        need_key=need_key,
        consent=consent,
    )
    return referral


@transaction.atomic
def referral_consent(
    *, actor: User, referral: Referral, version: int, consent: str, consent_note: str = ""
) -> Referral:
    """Record what the person said about sharing their details (before the referral is sent)."""
    episode = referral.episode
    role = _require(actor, "referrals.update", episode.team_id)
    errors: dict[str, str] = {}
    if consent not in Consent.values:
        errors["consent"] = "Choose whether the person agreed to their details being shared"
    consent_note = _text(errors, "consent_note", consent_note, NOTE_MAX, "The note about consent")
    if referral.status != Status.DRAFT:
        errors["consent"] = "This referral has been sent: consent is recorded as it was when it was sent"
    if errors:
        raise ValidationError(errors)
    _locked_update(referral, version, consent=consent, consent_note=consent_note)
    if referral.kind == Kind.ACTIVE:
        _record_referral_consent(actor, episode, referral.need_key, referral.service, consent, consent_note)
    _audit(actor, role, "service_referral.consent", episode, "service_referral", referral.pk, consent=consent)
    referral.refresh_from_db()
    return referral


# --- move it on -----------------------------------------------------------------------------------


def referral_move(
    *,
    actor: User,
    referral: Referral,
    version: int,
    to_status: str,
    note: str = "",
    outcome: str = "",
    outcome_note: str = "",
) -> Referral:
    """Move a referral on by hand (sent, acknowledged, accepted, declined, engaged, closed...).

    Moves the state machine does not allow are refused with a sentence a practitioner understands,
    and nothing is saved. An active referral cannot be sent unless liaison.consent allows sharing a
    summary of needs with the service (the person's consent, or a lawful basis a team lead approved);
    that refusal is itself audited (outside the refused transaction). A sent referral is logged as a
    disclosure.
    """
    role = _require(actor, "referrals.update", referral.episode.team_id)
    sending = referral.kind == Kind.ACTIVE and to_status == Status.SENT and referral.status == Status.DRAFT
    if not sending:
        return _referral_move(
            actor=actor,
            role=role,
            referral=referral,
            version=version,
            to_status=to_status,
            note=note,
            outcome=outcome,
            outcome_note=outcome_note,
        )
    decision = share_decision(referral)
    if not decision.allowed:
        _audit(
            actor,
            role,
            "service_referral.send_refused",
            referral.episode,
            "service_referral",
            referral.pk,
            consent=referral.consent,
            reason=decision.reason,
        )
        raise ValidationError(
            {
                "to_status": (
                    f"This referral cannot be sent to {referral.service.name}: "
                    f"{decision.reason[:1].lower()}{decision.reason[1:]}. "
                    "Record their consent first, or signpost them instead"
                )
            }
        )
    with transaction.atomic():
        moved = _referral_move(
            actor=actor,
            role=role,
            referral=referral,
            version=version,
            to_status=to_status,
            note=note,
            outcome=outcome,
            outcome_note=outcome_note,
        )
        episode = referral.episode
        consent_services.record_disclosure(
            actor=actor,
            person=episode.person,
            team=episode.team_id,
            episode=episode,
            recipient_kind=recipient_kind_for(referral.need_key),
            recipient_name=referral.service.name,
            content_kinds=[REFERRAL_CONTENT],
            what=f"Referral to {referral.service.name}",
            method="referral",
            decision=decision,
            source_type="service_referral",
            source_id=referral.pk,
        )
    return moved


@transaction.atomic
def _referral_move(
    *,
    actor: User,
    role: str,
    referral: Referral,
    version: int,
    to_status: str,
    note: str,
    outcome: str,
    outcome_note: str,
) -> Referral:
    errors: dict[str, str] = {}
    if version != referral.version:
        current = Referral.objects.filter(pk=referral.pk).values_list("version", flat=True).first()
        raise StaleWrite(object_type="referral", object_id=referral.pk, expected=version, current=current)
    refused = states.refusal(referral.kind, referral.status, to_status)
    if refused is None and to_status in states.THROUGH_APPOINTMENT.get(referral.kind, frozenset()):
        refused = (
            "Book the appointment below: booking it moves the referral on"
            if to_status == Status.APPOINTMENT_BOOKED
            else "Record on the appointment whether the person went: that moves the referral on"
        )
    if refused is None and referral.status == Status.APPOINTMENT_BOOKED and to_status == Status.ACCEPTED:
        refused = "Cancel the appointment instead: that takes the referral back to accepted"
    if refused is not None:
        errors["to_status"] = refused
    note = _text(errors, "note", note, NOTE_MAX, "The note")
    outcome_note = _text(errors, "outcome_note", outcome_note, OUTCOME_NOTE_MAX, "The note about the outcome")
    if to_status == Status.CLOSED and refused is None:
        if not outcome:
            errors["outcome"] = "Choose the outcome: why the referral is being closed"
        elif outcome not in Outcome.values:
            errors["outcome"] = "Choose an outcome from the list"
        elif outcome == Outcome.OTHER and not outcome_note:
            errors["outcome_note"] = "Say what the outcome was"
    elif outcome:
        outcome = ""  # an outcome belongs only to closing
    if errors:
        raise ValidationError(errors)
    # Lock the row: two moves at once must not both pass the table from the same status.
    Referral.objects.select_for_update().filter(pk=referral.pk).first()
    _move(
        actor=actor,
        role=role,
        referral=referral,
        version=version,
        to_status=to_status,
        at=timezone.now(),
        note=note,
        outcome=outcome,
        outcome_note=outcome_note,
    )
    return referral


# --- appointments ---------------------------------------------------------------------------------


@transaction.atomic
def appointment_book(
    *,
    actor: User,
    referral: Referral,
    version: int,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None = None,
    location_id: str | None = None,
    place: str = "",
    accompanied_by_id: int | None = None,
    travel_needs: str = "",
    note: str = "",
) -> Appointment:
    """Book an appointment with the referral's service; the referral moves to appointment booked.

    A referral the service has not answered yet (sent or acknowledged) is recorded as accepted first:
    offering a date is accepting. A check-attendance task is made for the next working day after it,
    and an outreach task left by an earlier missed appointment is closed: the person is back in touch.
    """
    episode = referral.episode
    role = _require(actor, "referrals.appointments", episode.team_id)
    errors: dict[str, str] = {}
    if version != referral.version:
        current = Referral.objects.filter(pk=referral.pk).values_list("version", flat=True).first()
        raise StaleWrite(object_type="referral", object_id=referral.pk, expected=version, current=current)
    if referral.kind != Kind.ACTIVE:
        errors["referral"] = (
            "Appointments are booked for active referrals: for signposting, the person books their own"
        )
    elif referral.status == Status.APPOINTMENT_BOOKED:
        upcoming = referral.appointments.filter(attendance=Attendance.UPCOMING).order_by("starts_at").first()
        when = f" on {timezone.localtime(upcoming.starts_at):%d %B %Y at %H:%M}" if upcoming else ""
        errors["referral"] = (
            f"This referral already has an appointment booked{when}: record whether the person went, "
            "or cancel it, before booking another"
        )
    elif referral.status not in states.AWAITING_SERVICE:
        refused = states.refusal(referral.kind, referral.status, Status.APPOINTMENT_BOOKED)
        if refused:
            errors["referral"] = refused
    now = timezone.now()
    if starts_at is None:
        errors["starts_at"] = "Enter the date and time of the appointment"
    elif timezone.is_naive(starts_at):
        errors["starts_at"] = "The appointment time must include a time zone"
    elif starts_at < now - BOOKING_GRACE:
        errors["starts_at"] = (
            "The appointment time is in the past: an appointment that has happened cannot be booked as "
            "upcoming. Check the date"
        )
    elif starts_at > now + BOOKING_HORIZON:
        errors["starts_at"] = "The appointment must be within the next two years"
    if ends_at is not None and starts_at is not None and "starts_at" not in errors:
        if timezone.is_naive(ends_at) or ends_at <= starts_at:
            errors["ends_at"] = "The end time must be after the start time"
        elif ends_at - starts_at > LONGEST_APPOINTMENT:
            errors["ends_at"] = "An appointment cannot last more than 12 hours: check the end time"
    location = None
    place = _text(errors, "place", place, PLACE_MAX, "The place")
    if location_id:
        location = Location.objects.filter(
            pk=location_id, service_at_locations__service_id=referral.service_id
        ).first()
        if location is None:
            errors["location"] = f"Choose one of {referral.service.name}'s locations, or type where"
    elif not place:
        errors["location"] = "Choose where the appointment is, or type the place"
    if accompanied_by_id and not _is_clinical_member(accompanied_by_id, episode.team_id):
        errors["accompanied_by"] = "Choose a member of the episode's team to go with the person"
    travel_needs = _text(errors, "travel_needs", travel_needs, TRAVEL_MAX, "Travel needs")
    note = _text(errors, "note", note, TRAVEL_MAX, "The note")
    if errors or starts_at is None:
        raise ValidationError(errors)
    Referral.objects.select_for_update().filter(pk=referral.pk).first()
    if referral.status in states.AWAITING_SERVICE:
        _move(
            actor=actor,
            role=role,
            referral=referral,
            version=referral.version,
            to_status=Status.ACCEPTED,
            at=now,
            note="The service offered an appointment",
        )
    appointment = Appointment.objects.create(
        episode=episode,
        referral=referral,
        service_id=referral.service_id,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        place=place,
        accompanied_by_id=accompanied_by_id or None,
        travel_needs=travel_needs,
        note=note,
        created_by=actor,
        created_at=now,
    )
    earlier_missed = list(
        referral.appointments.filter(attendance=Attendance.MISSED).values_list("pk", flat=True)
    )
    _move(
        actor=actor,
        role=role,
        referral=referral,
        version=referral.version,
        to_status=Status.APPOINTMENT_BOOKED,
        at=now,
        note=f"Appointment on {timezone.localtime(starts_at):%d %B %Y at %H:%M}",
    )
    _audit(actor, role, "appointment.book", episode, "appointment", appointment.pk, referral_id=referral.pk)
    if earlier_missed:
        rule_tasks_close(dedupe_keys=[rules.outreach_key(pk) for pk in earlier_missed], by=actor)
    rule = rules.rule_for(episode.team.code, rules.CHECK_ATTENDANCE)
    if rule.enabled:
        rule_task_ensure(
            episode=episode,
            rule=rules.RULE_NAMES[rule.name],
            dedupe_key=rules.check_attendance_key(appointment.pk),
            title=rule.task_title(
                service=referral.service.name, person=person_short_name(episode.person), when=_day(starts_at)
            ),
            due=rule.due(timezone.localtime(starts_at).date()),
            created_by=actor,
            owner_id=accompanied_by_id or episode.allocated_worker_id or actor.pk,
            detail=f"Appointment {appointment.pk} on {timezone.localtime(starts_at):%d %B %Y at %H:%M}.",
        )
    return appointment


ATTENDANCE_MOVES: dict[str, str] = {
    Attendance.ATTENDED: Status.ATTENDED,
    Attendance.MISSED: Status.DID_NOT_ATTEND,
    Attendance.CANCELLED: Status.ACCEPTED,
}
ATTENDANCE_NOTES: dict[str, str] = {
    Attendance.ATTENDED: "The person went to the appointment",
    Attendance.MISSED: "The person missed the appointment",
    Attendance.CANCELLED: "The appointment was cancelled",
}


@transaction.atomic
def appointment_attendance(
    *, actor: User, appointment: Appointment, version: int, attendance: str, note: str = ""
) -> Appointment:
    """Record whether the person went. Attended or missed moves the referral on (missed also makes an
    outreach task); cancelled takes it back to accepted, ready to book again. The check-attendance task
    closes either way."""
    episode = appointment.episode
    role = _require(actor, "referrals.appointments", episode.team_id)
    errors: dict[str, str] = {}
    if attendance not in ATTENDANCE_MOVES:
        errors["attendance"] = "Choose whether the person attended, missed it, or it was cancelled"
    elif appointment.attendance != Attendance.UPCOMING:
        errors["attendance"] = (
            f"This appointment is already recorded as {appointment.get_attendance_display().lower()}"
        )
    elif attendance != Attendance.CANCELLED and appointment.starts_at > timezone.now() + BOOKING_GRACE:
        errors["attendance"] = (
            "This appointment has not happened yet: record attendance once it has, or cancel it"
        )
    note = _text(errors, "note", note, TRAVEL_MAX, "The note")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    note_text = "\n".join(filter(None, [appointment.note, note]))
    updated = Appointment.objects.filter(pk=appointment.pk, version=version).update(
        attendance=attendance,
        attendance_recorded_at=now,
        attendance_recorded_by=actor,
        note=note_text,
        version=F("version") + 1,
    )
    if not updated:
        current = Appointment.objects.filter(pk=appointment.pk).values_list("version", flat=True).first()
        raise StaleWrite(
            object_type="appointment", object_id=appointment.pk, expected=version, current=current
        )
    _audit(
        actor, role, "appointment.attendance", episode, "appointment", appointment.pk, attendance=attendance
    )
    referral = appointment.referral
    if referral is not None:
        referral = (
            Referral.objects.select_for_update()
            .select_related("episode__team", "episode__person", "service")
            .get(pk=referral.pk)
        )
        if referral.status == Status.APPOINTMENT_BOOKED:
            _move(
                actor=actor,
                role=role,
                referral=referral,
                version=referral.version,
                to_status=ATTENDANCE_MOVES[attendance],
                at=now,
                note=ATTENDANCE_NOTES[attendance],
            )
    rule_tasks_close(dedupe_keys=[rules.check_attendance_key(appointment.pk)], by=actor)
    if attendance == Attendance.MISSED:
        rule = rules.rule_for(episode.team.code, rules.MISSED_APPOINTMENT)
        if rule.enabled:
            service_name = appointment.service.name if appointment.service is not None else "the service"
            rule_task_ensure(
                episode=episode,
                rule=rules.RULE_NAMES[rule.name],
                dedupe_key=rules.outreach_key(appointment.pk),
                title=rule.task_title(
                    service=service_name,
                    person=person_short_name(episode.person),
                    when=_day(appointment.starts_at),
                ),
                due=rule.due(timezone.localdate()),
                created_by=actor,
                owner_id=appointment.accompanied_by_id or episode.allocated_worker_id or actor.pk,
                detail=f"Appointment {appointment.pk} on "
                f"{timezone.localtime(appointment.starts_at):%d %B %Y at %H:%M} was missed.",
            )
    appointment.refresh_from_db()
    return appointment


# --- the calendar feed ------------------------------------------------------------------------------


def feed_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_reset(*, actor: User) -> str:
    """A new secret feed address for the user's calendar; the old one stops working at once.

    Only the token's SHA-256 digest is kept: the address is shown once, to its owner.
    """
    if not any(can(actor, "referrals.appointments", team_id) for team_id in roles_by_team(actor)):
        raise NotPermitted("Your role has no appointments calendar")
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=actor,
        defaults={"digest": feed_digest(token), "created_at": timezone.now(), "last_used_at": None},
    )
    audit(actor=actor, action="calendar_feed.create", object_type="calendar_feed", object_id=actor.pk)
    return token
