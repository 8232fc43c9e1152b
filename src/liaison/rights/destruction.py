"""Legal holds and the destruction of records past their retention date (Records Management Code of
Practice 2021; UK GDPR Art. 5(1)(e), storage limitation).

- A team lead places a legal hold (reason, reference) and lifts it (who, when, why): while one is on,
  the record is never destroyed; an open subject access request blocks destruction the same way.
- A team lead proposes destroying a record past its retention date; a DIFFERENT person with
  `rights.retention_approve` (another team lead, or the team's administrator) approves or rejects.
- Approval destroys in one transaction: every row found by walking the models' relations from the
  person (`rights.export.relation_plan`, the walk the subject access export uses, so a model added
  tomorrow is destroyed tomorrow) is deleted, deepest first; the person row is kept as a stub with every
  identifying field blanked, beside a `DestructionRecord` (what was removed, by kind and count, the
  classes and dates that applied, proposer and approver). The audit log is not touched: it is the
  record of who accessed the record, and it names the person by id only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, ProtectedError, Q
from django.utils import timezone

from liaison.core.access import person_access
from liaison.core.audit import audit
from liaison.core.errors import NotPermitted
from liaison.core.models import User
from liaison.core.permissions import can, role_in
from liaison.people.models import Person
from liaison.rights.export import Node, relation_plan
from liaison.rights.models import (
    DestructionProposal,
    DestructionRecord,
    HoldReason,
    LegalHold,
    ProposalStatus,
)
from liaison.rights.retention import Retention, retention_of

PROPOSE = "rights.retention_propose"
APPROVE = "rights.retention_approve"
NOT_A_LEAD = "Only team leads can place legal holds and propose destroying records for their team."
NOT_AN_APPROVER = "Only a team lead or the team's administrator can approve or reject destroying a record."
OWN_PROPOSAL = "You proposed destroying this record: someone else must approve or reject it."
TEXT_LIMIT = 2000

# Models that refer to a person but are kept when the record is destroyed, with the reason. The
# audit log (core.AuditEvent) holds the person's id as a number, not a relation, so it is never
# walked: it is the append-only record of access and is kept.
KEPT_AFTER_DESTRUCTION: dict[str, str] = {
    "rights.destructionproposal": "the proposal and its approval: who decided to destroy the record",
    "rights.destructionrecord": "the log entry left in the record's place",
}
# Person columns the stub keeps: its id (the Liaison ID), the team that can still see the stub, and
# bookkeeping. Every other column goes back to its default (blank, not known, or null).
STUB_KEEPS = frozenset({"id", "registered_by_team", "created_at", "updated_at", "version"})


def destruction_plan() -> Node:
    return relation_plan(frozenset(KEPT_AFTER_DESTRUCTION))


def _nodes(root: Node) -> Iterator[Node]:
    """The plan's models, breadth first (parents before children)."""
    level = [root]
    while level:
        yield from level
        level = [child for node in level for child in node.children]


def destruction_rows(person: Person) -> list[tuple[Node, list[Any]]]:
    """Every model in the plan below Person with the ids of this person's rows (one query per kind)."""
    found: dict[str, list[Any]] = {"people.person": [person.pk]}
    parents: dict[int, str] = {}
    out: list[tuple[Node, list[Any]]] = []
    for node in _nodes(destruction_plan()):
        for child in node.children:
            parents[id(child)] = node.label
        if node.model is Person:
            continue
        parent_ids = found.get(parents[id(node)], [])
        ids: list[Any] = []
        if parent_ids:
            query = Q()
            for link in node.links:
                query |= Q(**{f"{link}__in": parent_ids})
            ids = list(node.model._default_manager.filter(query).order_by("pk").values_list("pk", flat=True))
        found[node.label] = ids
        out.append((node, ids))
    return out


def destruction_counts(person: Person) -> dict[str, int]:
    """What destroying the record would remove now, by model, with how many rows (none left out)."""
    return {node.label: len(ids) for node, ids in destruction_rows(person) if ids}


def _delete(rows: list[tuple[Node, list[Any]]]) -> None:
    """Delete the rows, deepest kinds first. A kind still protected by another (a record pointing
    across the tree) is tried again after the rest; each attempt runs in a savepoint."""
    pending = [(node.model, ids) for node, ids in reversed(rows) if ids]
    while pending:
        waiting: list[tuple[type[models.Model], list[Any]]] = []
        for model, ids in pending:
            try:
                with transaction.atomic():
                    model._default_manager.filter(pk__in=ids).delete()
            except ProtectedError:
                waiting.append((model, ids))
        if len(waiting) == len(pending):
            raise ProtectedError(
                "Rows outside the record protect it: " + ", ".join(m._meta.label_lower for m, _ in waiting),
                set(),
            )
        pending = waiting


def _stub_values() -> dict[str, Any]:
    values: dict[str, Any] = {}
    for f in Person._meta.concrete_fields:
        if f.name in STUB_KEEPS:
            continue
        values[f.attname] = None if f.null else f.get_default()
    return values


# --- who may ------------------------------------------------------------------------------------------


def _require_lead(actor: User, person_id: int) -> int:
    """The team through which a team lead works with the person, or NotPermitted. Breaking the glass
    opens a record to read, never to hold or destroy it."""
    access = person_access(actor, person_id)
    if access.via != "relationship" or access.team_id is None or not can(actor, PROPOSE, access.team_id):
        raise NotPermitted(NOT_A_LEAD)
    return access.team_id


def may_propose(actor: User, team_id: int | None) -> bool:
    return team_id is not None and can(actor, PROPOSE, team_id)


def may_decide(actor: User, proposal: DestructionProposal) -> str | None:
    """Why `actor` may not approve or reject the proposal, or None when they may."""
    if not can(actor, APPROVE, proposal.team_id):
        return NOT_AN_APPROVER
    if actor.pk == proposal.proposed_by_id:
        return OWN_PROPOSAL
    return None


def _text(value: str | None) -> str:
    return (value or "").strip()[: TEXT_LIMIT + 1]


def _audit(actor: User, action: str, person_id: int, team_id: int, obj: models.Model, **detail: Any) -> None:
    audit(
        actor=actor,
        action=action,
        person_id=person_id,
        team_id=team_id,
        role=role_in(actor, team_id) or "",
        object_type=obj._meta.model_name or "",
        object_id=obj.pk,
        detail=detail,
    )


# --- legal holds --------------------------------------------------------------------------------------


@transaction.atomic
def legal_hold_place(
    *, actor: User, person: Person, reason: str, reference: str, detail: str = ""
) -> LegalHold:
    team_id = _require_lead(actor, person.pk)
    errors: dict[str, str] = {}
    if reason not in HoldReason.values:
        errors["reason"] = "Select why the record must be kept"
    reference = _text(reference)
    if not reference:
        errors["reference"] = "Enter a reference: the claim, inquiry or request it is kept for"
    elif len(reference) > 120:
        errors["reference"] = "Reference must be 120 characters or fewer"
    detail = _text(detail)
    if len(detail) > TEXT_LIMIT:
        errors["detail"] = f"Details must be {TEXT_LIMIT:,} characters or fewer"
    if errors:
        raise ValidationError(errors)
    hold = LegalHold.objects.create(
        person=person, team_id=team_id, reason=reason, reference=reference, detail=detail, placed_by=actor
    )
    _audit(actor, "rights.hold_place", person.pk, team_id, hold, reason=reason)
    return hold


@transaction.atomic
def legal_hold_lift(*, actor: User, hold: LegalHold, reason: str) -> LegalHold:
    team_id = _require_lead(actor, hold.person_id)
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": "Enter why the hold can be lifted"})
    if len(reason) > TEXT_LIMIT:
        raise ValidationError({"reason": f"The reason must be {TEXT_LIMIT:,} characters or fewer"})
    updated = LegalHold.objects.filter(pk=hold.pk, lifted_at__isnull=True).update(
        lifted_at=timezone.now(), lifted_by=actor, lift_reason=reason
    )
    if not updated:
        raise ValidationError("This hold has already been lifted.")
    hold.refresh_from_db()
    _audit(actor, "rights.hold_lift", hold.person_id, team_id, hold)
    return hold


# --- proposing and deciding ---------------------------------------------------------------------------


def not_due_reason(retention: Retention, today: Any) -> str | None:
    """Why the record may not be destroyed now, in plain words, or None when it may."""
    if retention.blocked_by:
        return (
            "The record cannot be destroyed while it is kept as a "
            + " and as a ".join(name[0].lower() + name[1:] for name in retention.blocked_by)
            + "."
        )
    if retention.date is None:
        return "No retention class gives this record a date, so it is kept."
    if not retention.due(today):
        return f"The record is kept until {retention.date:%-d %B %Y}: it is not past its retention date."
    return None


@transaction.atomic
def destruction_propose(*, actor: User, person: Person, reason: str = "") -> DestructionProposal:
    team_id = _require_lead(actor, person.pk)
    Person.objects.select_for_update().filter(pk=person.pk).first()
    if DestructionRecord.objects.filter(person=person).exists():
        raise ValidationError("This record has already been destroyed.")
    if DestructionProposal.objects.filter(person=person, status=ProposalStatus.PROPOSED).exists():
        raise ValidationError("Destroying this record has already been proposed and is waiting for approval.")
    retention = retention_of(person)
    refusal = not_due_reason(retention, timezone.localdate())
    if refusal:
        raise ValidationError(refusal)
    assert retention.date is not None  # noqa: S101 - not_due_reason checked it
    reason = _text(reason)
    if len(reason) > TEXT_LIMIT:
        raise ValidationError({"reason": f"The note must be {TEXT_LIMIT:,} characters or fewer"})
    proposal = DestructionProposal.objects.create(
        person=person,
        team_id=team_id,
        reason=reason,
        classes=[a.as_json() for a in retention.applied],
        retention_date=retention.date,
        proposed_by=actor,
    )
    _audit(actor, "rights.destruction_propose", person.pk, team_id, proposal)
    return proposal


def _lock_open(proposal: DestructionProposal) -> DestructionProposal:
    locked = DestructionProposal.objects.select_for_update().filter(pk=proposal.pk).first()
    if locked is None or locked.status != ProposalStatus.PROPOSED:
        raise ValidationError("This proposal has already been decided.")
    return locked


@transaction.atomic
def destruction_reject(*, actor: User, proposal: DestructionProposal, note: str) -> DestructionProposal:
    if refusal := may_decide(actor, proposal):
        raise NotPermitted(refusal)
    note = _text(note)
    if not note:
        raise ValidationError({"note": "Enter why the record should be kept"})
    if len(note) > TEXT_LIMIT:
        raise ValidationError({"note": f"The reason must be {TEXT_LIMIT:,} characters or fewer"})
    locked = _lock_open(proposal)
    locked.status = ProposalStatus.REJECTED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = note
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _audit(actor, "rights.destruction_reject", locked.person_id, locked.team_id, locked)
    return locked


@transaction.atomic
def destruction_approve(*, actor: User, proposal: DestructionProposal, note: str = "") -> DestructionRecord:
    """Approve and destroy, in one transaction: all of it happens, or none of it."""
    if refusal := may_decide(actor, proposal):
        raise NotPermitted(refusal)
    locked = _lock_open(proposal)
    person = Person.objects.select_for_update().get(pk=locked.person_id)
    # Checked again now: a hold or a subject access request may have arrived since the proposal.
    retention = retention_of(person)
    refusal_text = not_due_reason(retention, timezone.localdate())
    if refusal_text:
        raise ValidationError(refusal_text)
    assert retention.date is not None  # noqa: S101 - not_due_reason checked it
    rows = destruction_rows(person)
    removed = {node.label: len(ids) for node, ids in rows if ids}
    _delete(rows)
    now = timezone.now()
    stub = _stub_values()
    stub["updated_at"] = now
    if person.registered_by_team_id is None:
        stub["registered_by_team_id"] = locked.team_id  # so the team still finds the stub
    Person.objects.filter(pk=person.pk).update(version=F("version") + 1, **stub)
    locked.status = ProposalStatus.APPROVED
    locked.decided_by = actor
    locked.decided_at = now
    locked.decision_note = _text(note)[:TEXT_LIMIT]
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record = DestructionRecord.objects.create(
        person=person,
        proposal=locked,
        team_id=locked.team_id,
        destroyed_at=now,
        reference="pending",
        retention_date=retention.date,
        classes=[a.as_json() for a in retention.applied],
        removed=removed,
        proposed_by_id=locked.proposed_by_id,
        approved_by=actor,
    )
    record.reference = f"DR-{record.pk}"
    record.save(update_fields=["reference"])
    _audit(
        actor,
        "rights.destruction_approve",
        person.pk,
        locked.team_id,
        locked,
        reference=record.reference,
        removed=removed,
        retention_date=retention.date.isoformat(),
        classes=[a.code for a in retention.applied],
    )
    return record
