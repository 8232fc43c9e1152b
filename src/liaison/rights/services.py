"""Writes for the person's rights: subject access requests (record, extend, export), corrections with
a reason, and disputes (raise, resolve). Each checks who may, validates, and audits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from liaison.core.access import Access, person_access
from liaison.core.audit import audit
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.models import User
from liaison.core.permissions import can, role_in
from liaison.people.models import Person
from liaison.people.services import BREAK_GLASS_READ_ONLY, person_update
from liaison.rights import deadlines
from liaison.rights.history import TRACKED_FIELDS, as_json, correction_reason
from liaison.rights.models import (
    DisputeOutcome,
    ExtensionReason,
    FieldDispute,
    Requester,
    SubjectAccessRequest,
)

SUBJECT_ACCESS = "rights.subject_access"
CORRECT = "rights.correct"
NOT_A_LEAD = "Only team leads can take and answer subject access requests for their team."
NOT_A_CORRECTOR = "Only practitioners and team leads can correct a person's details or record a dispute."
REASON_MIN = 10
TEXT_LIMIT = 2000


def refusal_for(actor: User, access: Access, operation: str) -> str | None:
    """Why `actor` may not do `operation` for a person reached through `access`, or None when they may.

    Both need the team's own relationship with the person: breaking the glass opens a record to
    read, never to change it or to hand a copy of it to someone.
    """
    message = NOT_A_LEAD if operation == SUBJECT_ACCESS else NOT_A_CORRECTOR
    if access.via == "break_glass":
        return BREAK_GLASS_READ_ONLY if operation == CORRECT else message
    if access.via != "relationship" or not can(actor, operation, access.team_id):
        return message
    return None


def _require(actor: User, person_id: int, operation: str, team_id: int | None) -> None:
    # The views check this too; the services refuse on their own so no edge can forget.
    refusal = refusal_for(actor, person_access(actor, person_id), operation)
    if refusal is None and not can(actor, operation, team_id):
        refusal = NOT_A_LEAD if operation == SUBJECT_ACCESS else NOT_A_CORRECTOR
    if refusal is not None:
        raise NotPermitted(refusal)


def _text(value: str | None, *, limit: int = TEXT_LIMIT) -> str:
    return (value or "").strip()[: limit + 1]


def _too_long(label: str, limit: int) -> str:
    return f"{label} must be {limit:,} characters or fewer"


# --- subject access requests -----------------------------------------------------------------------


@transaction.atomic
def subject_access_request_record(
    *,
    actor: User,
    person: Person,
    team_id: int,
    received_on: dt.date | None,
    identity_verified: str,
    requester: str,
    requester_name: str = "",
    authority: str = "",
    today: dt.date | None = None,
) -> SubjectAccessRequest:
    """Record a request for a copy of the person's record; its due date is one month from receipt."""
    _require(actor, person.pk, SUBJECT_ACCESS, team_id)
    today = today or timezone.localdate()
    identity_verified, requester_name, authority = (
        " ".join(_text(identity_verified).split()),
        " ".join(_text(requester_name).split()),
        _text(authority),
    )
    errors: dict[str, str] = {}
    if received_on is None:
        errors["received_on"] = "Enter the date the request was received"
    elif received_on > today:
        errors["received_on"] = "The date the request was received must be today or in the past"
    if not identity_verified:
        errors["identity_verified"] = "Enter how you checked the requester's identity"
    elif len(identity_verified) > 500:
        errors["identity_verified"] = _too_long("How identity was checked", 500)
    if requester not in Requester.values:
        errors["requester"] = "Select who made the request"
    elif requester == Requester.REPRESENTATIVE:
        if not requester_name:
            errors["requester_name"] = "Enter the name of the person acting for them"
        if not authority:
            errors["authority"] = "Enter what gives them the right to act for the person"
    else:
        requester_name, authority = "", ""
    if len(requester_name) > 150:
        errors["requester_name"] = _too_long("Name", 150)
    if len(authority) > 500:
        errors["authority"] = _too_long("Authority", 500)
    if errors:
        raise ValidationError(errors)
    assert received_on is not None  # noqa: S101 - refused above otherwise
    due = deadlines.statutory_due(received_on)
    sar = SubjectAccessRequest.objects.create(
        person=person,
        team_id=team_id,
        received_on=received_on,
        identity_verified=identity_verified,
        requester=requester,
        requester_name=requester_name,
        authority=authority,
        statutory_due_on=due,
        due_on=due,
        created_by=actor,
    )
    audit(
        actor=actor,
        action="rights.sar_record",
        person_id=person.pk,
        team_id=team_id,
        role=role_in(actor, team_id) or "",
        object_type="subject_access_request",
        object_id=sar.pk,
        detail={"received_on": received_on.isoformat(), "due_on": due.isoformat(), "requester": requester},
    )
    return sar


@transaction.atomic
def subject_access_request_extend(
    *,
    actor: User,
    sar: SubjectAccessRequest,
    version: int,
    months: int,
    reason: str,
    detail: str,
    today: dt.date | None = None,
) -> SubjectAccessRequest:
    """Extend the time to answer, once, by one or two months, for a complex or numerous request.

    The person must be told within the first month why it will take longer, so an extension is
    decided on or before the statutory due date.
    """
    _require(actor, sar.person_id, SUBJECT_ACCESS, sar.team_id)
    today = today or timezone.localdate()
    detail = _text(detail)
    errors: dict[str, str] = {}
    if sar.fulfilled_at is not None:
        errors["__all__"] = "This request has been answered: it cannot be extended"
    elif sar.extension_months is not None:
        errors["__all__"] = "This request has been extended once already: it can be extended only once"
    elif today > sar.statutory_due_on:
        errors["__all__"] = (
            "An extension must be decided, and the person told, within one month of the request: "
            "the month ended on " + f"{sar.statutory_due_on.day} {sar.statutory_due_on:%B %Y}"
        )
    if months not in (1, deadlines.MAX_EXTENSION_MONTHS):
        errors["months"] = "Select how many more months are needed: 1 or 2"
    if reason not in ExtensionReason.values:
        errors["reason"] = "Select why more time is needed"
    if len(detail) < REASON_MIN:
        errors["detail"] = "Say what makes the request complex or numerous, and when the person was told"
    elif len(detail) > TEXT_LIMIT:
        errors["detail"] = _too_long("Explanation", TEXT_LIMIT)
    if errors:
        raise ValidationError(errors)
    due = deadlines.extended_due(sar.received_on, months)
    updated = SubjectAccessRequest.objects.filter(
        pk=sar.pk, version=version, extension_months__isnull=True, fulfilled_at__isnull=True
    ).update(
        due_on=due,
        extension_months=months,
        extension_reason=reason,
        extension_detail=detail,
        extended_at=timezone.now(),
        extended_by=actor,
        version=F("version") + 1,
    )
    if not updated:
        current = SubjectAccessRequest.objects.filter(pk=sar.pk).values_list("version", flat=True).first()
        raise StaleWrite(
            object_type="subject access request", object_id=sar.pk, expected=version, current=current
        )
    audit(
        actor=actor,
        action="rights.sar_extend",
        person_id=sar.person_id,
        team_id=sar.team_id,
        role=role_in(actor, sar.team_id) or "",
        object_type="subject_access_request",
        object_id=sar.pk,
        reason=detail,
        detail={"months": months, "reason": reason, "due_on": due.isoformat()},
    )
    sar.refresh_from_db()
    return sar


@transaction.atomic
def subject_access_export(*, actor: User, sar: SubjectAccessRequest) -> bytes:
    """The ZIP for the request: the export is audited first, so the access log in it ends with it.

    Built whole in memory inside the transaction: if building fails, neither the audit event nor
    "answered" is kept, and nothing was handed over. The first export marks the request answered.
    The view asks for a fresh authenticator code before calling this.
    """
    from liaison.rights.export import build_export  # the export reads every app's models

    _require(actor, sar.person_id, SUBJECT_ACCESS, sar.team_id)
    audit(
        actor=actor,
        action="rights.sar_export",
        person_id=sar.person_id,
        team_id=sar.team_id,
        role=role_in(actor, sar.team_id) or "",
        object_type="subject_access_request",
        object_id=sar.pk,
        detail={"request_id": sar.pk, "first": sar.fulfilled_at is None},
    )
    SubjectAccessRequest.objects.filter(pk=sar.pk, fulfilled_at__isnull=True).update(
        fulfilled_at=timezone.now(), fulfilled_by=actor, version=F("version") + 1
    )
    sar.refresh_from_db()
    return build_export(sar)


# --- corrections and disputes ----------------------------------------------------------------------


def _clean_reason(reason: str, *, field: str, missing: str) -> str:
    text = _text(reason)
    if not text:
        raise ValidationError({field: missing})
    if len(text) < REASON_MIN:
        raise ValidationError({field: f"{missing}: at least {REASON_MIN} characters"})
    if len(text) > TEXT_LIMIT:
        raise ValidationError({field: _too_long("Reason", TEXT_LIMIT)})
    return text


@transaction.atomic
def person_correct(
    *,
    actor: User,
    person: Person,
    version: int,
    team_id: int | None,
    role: str = "",
    reason: str,
    **fields: Any,
) -> Person:
    """Correct some of a person's details, with the reason: person_update (validated, version-locked,
    audited) keeps each old value, the new one and this reason in the field history."""
    _require(actor, person.pk, CORRECT, team_id)
    unknown = sorted(set(fields) - set(TRACKED_FIELDS))
    if unknown:
        raise ValidationError({name: f"{name} is not one of the person's details" for name in unknown})
    if not fields:
        raise ValidationError({"field": "Select the detail that is wrong"})
    reason = _clean_reason(reason, field="reason", missing="Enter why the record was wrong and how you know")
    if all(getattr(person, name) == value for name, value in fields.items()):
        raise ValidationError({next(iter(fields)): "This is what the record says already"})
    with correction_reason(reason):
        corrected = person_update(
            actor=actor, person=person, version=version, team_id=team_id, role=role, **fields
        )
    audit(
        actor=actor,
        action="rights.correct",
        person_id=person.pk,
        team_id=team_id,
        role=role,
        object_type="person",
        object_id=person.pk,
        reason=reason,
        detail={"fields": sorted(fields)},
    )
    return corrected


@transaction.atomic
def field_dispute_raise(
    *, actor: User, person: Person, team_id: int, role: str = "", field: str, person_says: str
) -> FieldDispute:
    """Record that the person disagrees with one of their details, and what they say is right."""
    _require(actor, person.pk, CORRECT, team_id)
    errors: dict[str, str] = {}
    statement = _text(person_says)
    if field not in TRACKED_FIELDS:
        errors["field"] = "Select the detail the person disagrees with"
    elif FieldDispute.objects.filter(person=person, field=field, resolved_at__isnull=True).exists():
        errors["field"] = "This detail is disputed already: resolve that dispute first"
    if not statement:
        errors["person_says"] = "Enter what the person says is right, in their words"
    elif len(statement) > TEXT_LIMIT:
        errors["person_says"] = _too_long("What the person says", TEXT_LIMIT)
    if errors:
        raise ValidationError(errors)
    dispute = FieldDispute.objects.create(
        person=person,
        field=field,
        recorded_value=as_json(getattr(person, field)),
        person_says=statement,
        team_id=team_id,
        raised_by=actor,
    )
    audit(
        actor=actor,
        action="rights.dispute_raise",
        person_id=person.pk,
        team_id=team_id,
        role=role,
        object_type="field_dispute",
        object_id=dispute.pk,
        detail={"field": field},
    )
    return dispute


@transaction.atomic
def field_dispute_resolve(
    *, actor: User, dispute: FieldDispute, team_id: int, role: str = "", outcome: str, note: str
) -> FieldDispute:
    """Close a dispute with its outcome. "Corrected" needs the record to have been corrected first."""
    _require(actor, dispute.person_id, CORRECT, team_id)
    errors: dict[str, str] = {}
    note = _text(note)
    if dispute.resolved_at is not None:
        errors["__all__"] = "This dispute has been resolved already"
    if outcome not in DisputeOutcome.values:
        errors["outcome"] = "Select the outcome"
    elif outcome == DisputeOutcome.CORRECTED:
        current = Person.objects.filter(pk=dispute.person_id).values_list(dispute.field, flat=True).first()
        if as_json(current) == dispute.recorded_value:
            errors["outcome"] = (
                "The record still says what the person disputed: correct it first, then resolve the "
                "dispute as corrected"
            )
    if not note:
        errors["note"] = "Enter what was decided and why"
    elif len(note) > TEXT_LIMIT:
        errors["note"] = _too_long("What was decided", TEXT_LIMIT)
    if errors:
        raise ValidationError(errors)
    updated = FieldDispute.objects.filter(pk=dispute.pk, resolved_at__isnull=True).update(
        outcome=outcome, outcome_note=note, resolved_by=actor, resolved_at=timezone.now()
    )
    if not updated:
        raise ValidationError({"__all__": "This dispute has been resolved already"})
    audit(
        actor=actor,
        action="rights.dispute_resolve",
        person_id=dispute.person_id,
        team_id=team_id,
        role=role,
        object_type="field_dispute",
        object_id=dispute.pk,
        detail={"field": dispute.field, "outcome": outcome},
    )
    dispute.refresh_from_db()
    return dispute
