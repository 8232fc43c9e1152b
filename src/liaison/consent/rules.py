"""May this team share this kind of content about this person with this kind of recipient, now?

One function decides, for referrals and for reports alike: `may_share`. The rules, in order:

1. An approved, unexpired lawful basis (SharingBasis) for the recipient kind that names the content kind
   allows it, whatever the consent says: that is what the basis is for.
2. Otherwise the newest sharing consent of the team's that names the pair and has not been withdrawn
   decides. None: not allowed ("not asked").
3. That consent counts only if it was given, the person did not lack capacity, and, for a person under
   18 on the day, a parent or guardian was involved and agreed or the young person was judged competent
   to decide alone. A person with no date of birth is taken as an adult, and the reason says so.

The answer carries a plain reason for the practitioner and what allowed it, for the disclosure log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from liaison.consent.models import (
    BasisStatus,
    Capacity,
    Consent,
    ContentKind,
    Decision,
    Guardian,
    Purpose,
    RecipientKind,
    SharingBasis,
)
from liaison.people.models import Person


@dataclass(frozen=True)
class ShareDecision:
    allowed: bool
    reason: str  # in words, for the practitioner
    basis: str = ""  # "consent" or "lawful_basis" when allowed
    consent_id: int | None = None
    sharing_basis_id: int | None = None


def _team_id(team: object) -> int:
    return team if isinstance(team, int) else team.pk  # type: ignore[attr-defined, return-value]


def may_share(
    person: Person,
    *,
    team: object,
    recipient_kind: str,
    content_kind: str,
    at: dt.datetime | None = None,
) -> ShareDecision:
    if recipient_kind not in RecipientKind.values:
        raise ValueError(f"unknown recipient kind {recipient_kind!r}")
    if content_kind not in ContentKind.values:
        raise ValueError(f"unknown content kind {content_kind!r}")
    at = at or timezone.now()
    team_id = _team_id(team)
    recipient = RecipientKind(recipient_kind).label
    content = ContentKind(content_kind).label.lower()

    for basis in SharingBasis.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=at),
        person=person,
        team_id=team_id,
        recipient_kind=recipient_kind,
        status=BasisStatus.APPROVED,
        decided_at__lte=at,
    ).order_by("-decided_at", "-id"):
        if content_kind in basis.content_kinds:
            return ShareDecision(
                True,
                f"Allowed without consent: {basis.get_basis_display().lower()}, approved by a team lead",
                basis="lawful_basis",
                sharing_basis_id=basis.pk,
            )

    consent = (
        Consent.objects.filter(
            person=person,
            team_id=team_id,
            purpose=Purpose.SHARING,
            recorded_at__lte=at,
            scopes__recipient_kind=recipient_kind,
            scopes__content_kind=content_kind,
        )
        .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=at))
        .order_by("-recorded_at", "-id")
        .first()
    )
    if consent is None:
        withdrawn = Consent.objects.filter(
            person=person,
            team_id=team_id,
            purpose=Purpose.SHARING,
            withdrawn_at__lte=at,
            scopes__recipient_kind=recipient_kind,
            scopes__content_kind=content_kind,
        ).exists()
        if withdrawn:
            said = f"The person withdrew their consent to share {content} with: {recipient}"
            return ShareDecision(False, said)
        said = f"The person has not been asked about sharing {content} with: {recipient}"
        return ShareDecision(False, said)
    if consent.decision != Decision.GIVEN:
        return ShareDecision(False, f"The person did not agree to share {content} with: {recipient}")
    if consent.capacity == Capacity.LACKS_CAPACITY:
        return ShareDecision(
            False,
            "The person lacked capacity when asked: their agreement is not consent. "
            "Share only under a lawful basis approved by a team lead",
        )
    age = person.age_on(timezone.localdate(at))
    if age is not None and age < 18 and consent.guardian not in (Guardian.AGREED, Guardian.COMPETENT_ALONE):
        return ShareDecision(
            False,
            "The person is under 18: record that a parent or guardian agreed, "
            "or that the young person is competent to decide alone",
        )
    reason = f"The person agreed to share {content} with: {recipient}"
    if age is None:
        reason += " (no date of birth recorded: taken as an adult)"
    return ShareDecision(True, reason, basis="consent", consent_id=consent.pk)


def allowed_contents(
    person: Person, *, team: object, recipient_kind: str, at: dt.datetime | None = None
) -> dict[str, ShareDecision]:
    """Every content kind's decision for one recipient kind, in ContentKind order."""
    return {
        kind: may_share(person, team=team, recipient_kind=recipient_kind, content_kind=kind, at=at)
        for kind in ContentKind.values
    }


def has_assessment_consent(person: Person, *, team: object) -> bool | None:
    """True or False from the newest unwithdrawn consent to assessment; None if never asked."""
    consent = (
        Consent.objects.filter(
            person=person, team_id=_team_id(team), purpose=Purpose.ASSESSMENT, withdrawn_at__isnull=True
        )
        .order_by("-recorded_at", "-id")
        .first()
    )
    return None if consent is None else consent.decision == Decision.GIVEN
