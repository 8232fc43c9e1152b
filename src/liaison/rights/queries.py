"""Reads for the rights pages, scoped to what the user may see and audited where they show a person."""

from __future__ import annotations

from django.db.models import F, QuerySet

from liaison.core.access import MAX_ID, Access, deny, person_access, record_id
from liaison.core.audit import audit
from liaison.core.models import User
from liaison.core.permissions import can, role_in
from liaison.people.models import Person
from liaison.rights.models import (
    DestructionProposal,
    FieldChange,
    FieldDispute,
    LegalHold,
    ProposalStatus,
    SubjectAccessRequest,
)
from liaison.rights.services import SUBJECT_ACCESS


def team_open_requests(team_id: int) -> QuerySet[SubjectAccessRequest]:
    """The team's unanswered requests, soonest due first: so the overdue ones come first."""
    return (
        SubjectAccessRequest.objects.filter(team_id=team_id, fulfilled_at__isnull=True)
        .select_related("person")
        .order_by("due_on", "pk")
    )


def person_requests(person: Person, team_id: int) -> list[SubjectAccessRequest]:
    """The team's requests for this person, newest first (for the team lead on the person page)."""
    return list(
        SubjectAccessRequest.objects.filter(person=person, team_id=team_id).order_by("-received_on", "-pk")
    )


def get_request_for_user(
    user: User, pk: object, *, action: str = "rights.sar_view"
) -> tuple[SubjectAccessRequest, Access]:
    """A subject access request for a team lead of the team that took it, whose team works with the
    person (not through breaking the glass); 404, audited, for anyone else and for a missing one."""
    request_id = record_id(pk)
    if request_id is None:
        raise deny(user, object_type="subject_access_request", object_id=str(pk)[:40])
    sar = (
        SubjectAccessRequest.objects.filter(pk=request_id)
        .select_related("person", "team", "created_by", "extended_by", "fulfilled_by")
        .first()
    )
    access = person_access(user, sar.person_id) if sar is not None else None
    if (
        sar is None
        or access is None
        or access.via != "relationship"
        or not can(user, SUBJECT_ACCESS, sar.team_id)
    ):
        raise deny(
            user,
            object_type="subject_access_request",
            object_id=request_id,
            person_id=sar.person_id if sar is not None else None,
        )
    audit(
        actor=user,
        action=action,
        person_id=sar.person_id,
        team_id=sar.team_id,
        role=role_in(user, sar.team_id) or "",
        object_type="subject_access_request",
        object_id=sar.pk,
        detail={"via": access.via},
    )
    return sar, access


def field_changes_for(person: Person) -> QuerySet[FieldChange]:
    """Every change to the person's details, newest first."""
    return (
        FieldChange.objects.filter(person=person).select_related("changed_by").order_by("-changed_at", "-pk")
    )


def disputes_for(person: Person) -> list[FieldDispute]:
    """Every dispute the person raised, newest first, open or resolved."""
    return list(
        FieldDispute.objects.filter(person=person)
        .select_related("raised_by", "resolved_by")
        .order_by("-raised_at", "-pk")
    )


def standing_disputes(person: Person) -> list[FieldDispute]:
    """Disputes that may still show beside the details: open ones and those kept (not corrected)."""
    return list(
        FieldDispute.objects.filter(person=person, outcome__in=["", "kept"])
        .select_related("raised_by")
        .order_by("-raised_at", "-pk")
    )


def dispute_of(person: Person, pk: int) -> FieldDispute | None:
    """One of this person's disputes, or None (another person's dispute is None too)."""
    return (
        FieldDispute.objects.filter(person=person, pk=pk).select_related("raised_by").first()
        if 0 < pk <= MAX_ID
        else None
    )


# --- retention ------------------------------------------------------------------------------------------


def get_proposal_for_user(
    user: User, pk: object, *, action: str = "rights.destruction_view"
) -> DestructionProposal:
    """A destruction proposal for a team lead or administrator of the team that made it; 404, audited,
    for anyone else and for a missing one. The page shows no personal details, only the Liaison ID, so
    an administrator (who sees no person records) can decide it."""
    proposal_id = record_id(pk)
    if proposal_id is None:
        raise deny(user, object_type="destruction_proposal", object_id=str(pk)[:40])
    proposal = (
        DestructionProposal.objects.filter(pk=proposal_id)
        .select_related("team", "proposed_by", "decided_by")
        .first()
    )
    if proposal is None or not (
        can(user, "rights.retention_approve", proposal.team_id)
        or can(user, "rights.retention_propose", proposal.team_id)
    ):
        raise deny(
            user,
            object_type="destruction_proposal",
            object_id=proposal_id,
            person_id=proposal.person_id if proposal is not None else None,
        )
    audit(
        actor=user,
        action=action,
        person_id=proposal.person_id,
        team_id=proposal.team_id,
        role=role_in(user, proposal.team_id) or "",
        object_type="destruction_proposal",
        object_id=proposal.pk,
    )
    return proposal


def holds_for(person: Person) -> list[LegalHold]:
    """Every hold on the person's record, the ones still on first."""
    return list(
        LegalHold.objects.filter(person=person)
        .select_related("placed_by", "lifted_by")
        .order_by(F("lifted_at").desc(nulls_first=True), "-placed_at", "-pk")
    )


def hold_of(person: Person, pk: int) -> LegalHold | None:
    return LegalHold.objects.filter(person=person, pk=pk).first() if 0 < pk <= MAX_ID else None


def open_proposal(person: Person) -> DestructionProposal | None:
    return DestructionProposal.objects.filter(person=person, status=ProposalStatus.PROPOSED).first()


def team_open_proposals(team_id: int) -> list[DestructionProposal]:
    return list(
        DestructionProposal.objects.filter(team_id=team_id, status=ProposalStatus.PROPOSED)
        .select_related("proposed_by")
        .order_by("proposed_at", "pk")
    )
