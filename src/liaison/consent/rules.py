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
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from liaison.consent.models import (
    BasisStatus,
    Capacity,
    Consent,
    ConsentScope,
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
    # What decided, for the consent grid: consent, lawful_basis, refused, withdrawn, not_asked,
    # capacity (agreed while lacking capacity) or guardian (under 18, no guardian agreement recorded).
    state: str = ""


def _team_id(team: object) -> int:
    return team if isinstance(team, int) else team.pk  # type: ignore[attr-defined]


def decide(
    person: Person,
    *,
    recipient_kind: str,
    content_kind: str,
    at: dt.datetime,
    bases: Iterable[SharingBasis],
    consents: Iterable[Consent],
) -> ShareDecision:
    """The rules on records already loaded, so a page can decide a whole grid in a few queries.

    `bases`: the team's approved bases for this person (any recipient kind, any expiry); `consents`:
    the team's sharing consents for this person that name this pair (withdrawn ones included).
    """
    recipient = RecipientKind(recipient_kind).label
    content = ContentKind(content_kind).label.lower()
    usable = [
        basis
        for basis in bases
        if basis.status == BasisStatus.APPROVED
        and basis.recipient_kind == recipient_kind
        and content_kind in basis.content_kinds
        and basis.decided_at is not None
        and basis.decided_at <= at
        and (basis.expires_at is None or basis.expires_at > at)
    ]
    if usable:
        basis = max(usable, key=lambda b: (b.decided_at, b.pk))
        return ShareDecision(
            True,
            f"Allowed without consent: {basis.get_basis_display().lower()}, approved by a team lead",
            basis="lawful_basis",
            sharing_basis_id=basis.pk,
            state="lawful_basis",
        )
    consents = [c for c in consents if c.purpose == Purpose.SHARING and c.recorded_at <= at]
    current = [c for c in consents if c.withdrawn_at is None or c.withdrawn_at > at]
    if not current:
        if consents:
            said = f"The person withdrew their consent to share {content} with: {recipient}"
            return ShareDecision(False, said, state="withdrawn")
        said = f"The person has not been asked about sharing {content} with: {recipient}"
        return ShareDecision(False, said, state="not_asked")
    consent = max(current, key=lambda c: (c.recorded_at, c.pk))
    if consent.decision != Decision.GIVEN:
        said = f"The person did not agree to share {content} with: {recipient}"
        return ShareDecision(False, said, state="refused")
    if consent.capacity == Capacity.LACKS_CAPACITY:
        return ShareDecision(
            False,
            "The person lacked capacity when asked: their agreement is not consent. "
            "Share only under a lawful basis approved by a team lead",
            state="capacity",
        )
    age = person.age_on(timezone.localdate(at))
    if age is not None and age < 18 and consent.guardian not in (Guardian.AGREED, Guardian.COMPETENT_ALONE):
        return ShareDecision(
            False,
            "The person is under 18: record that a parent or guardian agreed, "
            "or that the young person is competent to decide alone",
            state="guardian",
        )
    reason = f"The person agreed to share {content} with: {recipient}"
    if age is None:
        reason += " (no date of birth recorded: taken as an adult)"
    return ShareDecision(True, reason, basis="consent", consent_id=consent.pk, state="consent")


def _decisions(
    person: Person, team: object, recipient_kind: str, content_kinds: list[str], at: dt.datetime | None
) -> dict[str, ShareDecision]:
    """Each content kind's decision for one recipient kind, on records loaded in two queries."""
    if recipient_kind not in RecipientKind.values:
        raise ValueError(f"unknown recipient kind {recipient_kind!r}")
    unknown = [kind for kind in content_kinds if kind not in ContentKind.values]
    if unknown:
        raise ValueError(f"unknown content kind {unknown[0]!r}")
    at = at or timezone.now()
    team_id = _team_id(team)
    bases = list(
        SharingBasis.objects.filter(
            person=person, team_id=team_id, recipient_kind=recipient_kind, status=BasisStatus.APPROVED
        )
    )
    naming: dict[str, list[Consent]] = {}
    for scope in ConsentScope.objects.filter(
        consent__person=person,
        consent__team_id=team_id,
        consent__purpose=Purpose.SHARING,
        recipient_kind=recipient_kind,
        content_kind__in=content_kinds,
    ).select_related("consent"):
        naming.setdefault(scope.content_kind, []).append(scope.consent)
    return {
        kind: decide(
            person,
            recipient_kind=recipient_kind,
            content_kind=kind,
            at=at,
            bases=bases,
            consents=naming.get(kind, []),
        )
        for kind in content_kinds
    }


def may_share(
    person: Person,
    *,
    team: object,
    recipient_kind: str,
    content_kind: str,
    at: dt.datetime | None = None,
) -> ShareDecision:
    return _decisions(person, team, recipient_kind, [content_kind], at)[content_kind]


def allowed_contents(
    person: Person, *, team: object, recipient_kind: str, at: dt.datetime | None = None
) -> dict[str, ShareDecision]:
    """Every content kind's decision for one recipient kind, in ContentKind order (two queries)."""
    return _decisions(person, team, recipient_kind, list(ContentKind.values), at)
