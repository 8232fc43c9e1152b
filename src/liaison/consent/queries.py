"""Reads for consent and information sharing, scoped to one person and team (the caller has already
reached the person through liaison.core.access) or to a team lead's own team.

The consent grid decides every (recipient kind, content kind) pair with the same rules as `may_share`
(rules.decide) on records loaded in three queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from liaison.consent.models import (
    BasisStatus,
    Consent,
    ConsentScope,
    ContentKind,
    Decision,
    Disclosure,
    Purpose,
    RecipientKind,
    SharingBasis,
)
from liaison.consent.rules import ShareDecision, decide
from liaison.core.access import record_id
from liaison.people.models import Person

# How each rule outcome reads in the grid.
STATE_LABELS = {
    "consent": "Allowed",
    "lawful_basis": "Lawful basis",
    "refused": "Not agreed",
    "capacity": "Not agreed",
    "guardian": "Not agreed",
    "withdrawn": "Withdrawn",
    "not_asked": "Not asked",
}
STATE_TAGS = {
    "consent": "nhsuk-tag nhsuk-tag--green",
    "lawful_basis": "nhsuk-tag nhsuk-tag--blue",
    "refused": "nhsuk-tag nhsuk-tag--red",
    "capacity": "nhsuk-tag nhsuk-tag--red",
    "guardian": "nhsuk-tag nhsuk-tag--orange",
    "withdrawn": "nhsuk-tag nhsuk-tag--grey",
    "not_asked": "nhsuk-tag nhsuk-tag--white",
}


@dataclass(frozen=True)
class Cell:
    content_kind: str
    decision: ShareDecision

    @property
    def label(self) -> str:
        return STATE_LABELS.get(self.decision.state, "")

    @property
    def css_class(self) -> str:
        return STATE_TAGS.get(self.decision.state, "nhsuk-tag")


@dataclass(frozen=True)
class GridRow:
    recipient_kind: str
    label: str
    cells: list[Cell]


def consent_history(person: Person, team_id: int) -> list[Consent]:
    """Every consent the team recorded for the person, newest first, withdrawn ones included."""
    return list(
        Consent.objects.filter(person=person, team_id=team_id)
        .select_related("recorded_by", "withdrawn_by")
        .prefetch_related(
            Prefetch("scopes", queryset=ConsentScope.objects.order_by("recipient_kind", "content_kind"))
        )
        .order_by("-recorded_at", "-id")
    )


def sharing_bases(person: Person, team_id: int) -> list[SharingBasis]:
    """Every request to share without consent for the person, newest first, whatever its status."""
    return list(
        SharingBasis.objects.filter(person=person, team_id=team_id)
        .select_related("requested_by", "decided_by")
        .order_by("-requested_at", "-id")
    )


def consent_grid(
    person: Person, *, history: list[Consent], bases: list[SharingBasis], at: dt.datetime | None = None
) -> list[GridRow]:
    """Recipient kinds × content kinds, each decided by the rules on the loaded history and bases."""
    at = at or timezone.now()
    sharing = [c for c in history if c.purpose == Purpose.SHARING]
    naming: dict[tuple[str, str], list[Consent]] = {}
    for consent in sharing:
        for scope in consent.scopes.all():
            naming.setdefault((scope.recipient_kind, scope.content_kind), []).append(consent)
    approved = [b for b in bases if b.status == BasisStatus.APPROVED]
    rows = []
    for recipient_kind, label in RecipientKind.choices:
        cells = [
            Cell(
                content_kind,
                decide(
                    person,
                    recipient_kind=recipient_kind,
                    content_kind=content_kind,
                    at=at,
                    bases=approved,
                    consents=naming.get((recipient_kind, content_kind), []),
                ),
            )
            for content_kind in ContentKind.values
        ]
        rows.append(GridRow(recipient_kind, str(label), cells))
    return rows


def assessment_consent(history: list[Consent]) -> Consent | None:
    """The newest consent to assessment that has not been withdrawn."""
    return next(
        (c for c in history if c.purpose == Purpose.ASSESSMENT and c.withdrawn_at is None),
        None,
    )


def consent_summary(person: Person, team_id: int) -> dict[str, list[str]]:
    """For the person page, in one query: what the person currently agreed to share, by recipient.

    The newest unwithdrawn consent for each pair that is an agreement. It is a summary: capacity, age
    and lawful bases are weighed on the full consent page (and by the rules whenever anything is sent).
    """
    rows = (
        ConsentScope.objects.filter(
            consent__person=person,
            consent__team_id=team_id,
            consent__purpose=Purpose.SHARING,
            consent__withdrawn_at__isnull=True,
        )
        .order_by("-consent__recorded_at", "-consent__id")
        .values_list("recipient_kind", "content_kind", "consent__decision")
    )
    newest: dict[tuple[str, str], str] = {}
    for recipient_kind, content_kind, decision in rows:
        newest.setdefault((recipient_kind, content_kind), decision)
    summary: dict[str, list[str]] = {}
    for recipient_kind, recipient_label in RecipientKind.choices:
        agreed = [
            str(content_label).lower()
            for content_kind, content_label in ContentKind.choices
            if newest.get((recipient_kind, content_kind)) == Decision.GIVEN
        ]
        if agreed:
            summary[str(recipient_label)] = agreed
    return summary


def disclosures_for_person(person: Person) -> QuerySet[Disclosure]:
    """Every disclosure about the person, by any team, newest first (the person's full log)."""
    return (
        Disclosure.objects.filter(person=person)
        .select_related("by", "team", "sharing_basis")
        .order_by("-at", "-id")
    )


def newest_disclosures(person: Person, limit: int = 5) -> list[Disclosure]:
    """The newest disclosures for the person page: one query."""
    return list(disclosures_for_person(person)[: limit + 1])


def basis_queue(team_id: int) -> QuerySet[SharingBasis]:
    """The team's requests to share without consent waiting for a team lead, oldest first."""
    return (
        SharingBasis.objects.filter(team_id=team_id, status=BasisStatus.REQUESTED)
        .select_related("person", "requested_by")
        .order_by("requested_at", "id")
    )


def recently_decided(team_id: int, limit: int = 10) -> list[SharingBasis]:
    return list(
        SharingBasis.objects.filter(team_id=team_id)
        .exclude(status=BasisStatus.REQUESTED)
        .select_related("person", "requested_by", "decided_by")
        .order_by("-decided_at", "-id")[:limit]
    )


def team_consent(person: Person, team_id: int, pk: object) -> Consent | None:
    """One of the team's consents for the person (for withdrawing), or None."""
    consent_id = record_id(pk)
    if consent_id is None:
        return None
    return Consent.objects.filter(pk=consent_id, person=person, team_id=team_id).first()


def team_basis(team_id: int, pk: object) -> SharingBasis | None:
    """One of the team's lawful basis requests, or None (a team lead decides only their own team's)."""
    basis_id = record_id(pk)
    if basis_id is None:
        return None
    return SharingBasis.objects.filter(pk=basis_id, team_id=team_id).select_related("person").first()
