"""Writes for consent and information sharing: record and withdraw consent, ask for and decide a lawful
basis for sharing without consent, and log every disclosure.

Each is checked (role in the team), validated with errors keyed by form field, version-locked where a
record changes, and audited. Nothing is deleted: a withdrawn consent stays in the history; a decided
basis keeps who asked and who decided.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from liaison.consent.models import (
    BasisStatus,
    Capacity,
    Consent,
    ConsentScope,
    ContentKind,
    Decision,
    Disclosure,
    DisclosureMethod,
    Guardian,
    LawfulBasis,
    Purpose,
    RecipientKind,
    SharingBasis,
)
from liaison.consent.rules import ShareDecision
from liaison.core.audit import audit
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.models import Team, User
from liaison.core.permissions import can, role_in
from liaison.episodes.models import Episode
from liaison.people.models import Person

TEXT_MAX = 2000
NAME_MAX = 200
WHAT_MAX = 200


def _team_id(team: Team | int) -> int:
    return team if isinstance(team, int) else team.pk


def _require(actor: User, operation: str, team_id: int) -> str:
    if not can(actor, operation, team_id):
        raise NotPermitted(f"Your role cannot do this ({operation}) for this team")
    return role_in(actor, team_id) or ""


def _text(errors: dict[str, str], name: str, value: Any, limit: int = TEXT_MAX) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > limit:
        errors[name] = f"Must be {limit:,} characters or fewer"
    return text


def _check_episode(errors: dict[str, str], episode: Episode | None, person: Person, team_id: int) -> None:
    if episode is not None and (episode.person_id != person.pk or episode.team_id != team_id):
        errors["episode"] = "That episode is not this person's with this team"


# --- disclosures ------------------------------------------------------------------------------------


@transaction.atomic
def record_disclosure(
    *,
    actor: User,
    person: Person,
    team: Team | int,
    episode: Episode | None,
    recipient_kind: str,
    recipient_name: str,
    content_kinds: list[str],
    what: str,
    method: str,
    decision: ShareDecision,
    source_type: str = "",
    source_id: int | None = None,
    at: dt.datetime | None = None,
) -> Disclosure:
    """Log one disclosure outside the team. Refuses one that `may_share` did not allow.

    The caller has already checked its own operation (reports.share, referrals.make) and asked
    `may_share` for every content kind it sends; `decision` is the answer that allowed it (for several
    content kinds, any one of the allowing decisions: the log keeps the basis it names).
    """
    if not decision.allowed:
        raise ValueError(f"Not allowed to share: {decision.reason}")
    if decision.basis not in ("consent", "lawful_basis"):
        raise ValueError("An allowing decision names its basis: consent or lawful_basis")
    if recipient_kind not in RecipientKind.values:
        raise ValueError(f"unknown recipient kind {recipient_kind!r}")
    kinds = list(dict.fromkeys(content_kinds))
    if not kinds:
        raise ValueError("A disclosure shares at least one kind of content")
    unknown = [kind for kind in kinds if kind not in ContentKind.values]
    if unknown:
        raise ValueError(f"unknown content kinds {unknown!r}")
    if method not in DisclosureMethod.values:
        raise ValueError(f"unknown method {method!r}")
    recipient_name = (recipient_name or "").strip()[:NAME_MAX]
    what = (what or "").strip()[:WHAT_MAX]
    if not recipient_name or not what:
        raise ValueError("A disclosure names its recipient and what was shared")
    team_id = _team_id(team)
    if episode is not None and (episode.person_id != person.pk or episode.team_id != team_id):
        raise ValueError("That episode is not this person's with this team")
    disclosure = Disclosure.objects.create(
        person=person,
        team_id=team_id,
        episode=episode,
        recipient_kind=recipient_kind,
        recipient_name=recipient_name,
        content_kinds=kinds,
        what=what,
        method=method,
        basis=decision.basis,
        consent_id=decision.consent_id if decision.basis == "consent" else None,
        sharing_basis_id=decision.sharing_basis_id if decision.basis == "lawful_basis" else None,
        by=actor,
        at=at or timezone.now(),
        source_type=source_type[:30],
        source_id=source_id,
    )
    audit(
        actor=actor,
        action="disclosure.record",
        person_id=person.pk,
        team_id=team_id,
        role=role_in(actor, team_id) or "",
        object_type="disclosure",
        object_id=disclosure.pk,
        detail={
            "recipient_kind": recipient_kind,
            "content_kinds": kinds,
            "method": method,
            "basis": decision.basis,
            "source": f"{source_type}:{source_id}" if source_type else "",
        },
    )
    return disclosure


# --- consent ----------------------------------------------------------------------------------------


def _pairs(errors: dict[str, str], pairs: Iterable[Any]) -> list[tuple[str, str]]:
    cleaned: list[tuple[str, str]] = []
    for item in pairs:
        try:
            recipient_kind, content_kind = item
        except (TypeError, ValueError):
            errors["pairs"] = "Each choice names a kind of recipient and a kind of information"
            continue
        if recipient_kind not in RecipientKind.values or content_kind not in ContentKind.values:
            errors["pairs"] = "Choose recipients and kinds of information from the list"
            continue
        if (recipient_kind, content_kind) not in cleaned:
            cleaned.append((recipient_kind, content_kind))
    return cleaned


def is_under_18(person: Person, day: dt.date) -> bool:
    age = person.age_on(day)
    return age is not None and age < 18


@transaction.atomic
def record_consent(
    *,
    actor: User,
    person: Person,
    team: Team | int,
    episode: Episode | None = None,
    purpose: str,
    decision: str,
    pairs: Iterable[Any] = (),
    capacity: str = Capacity.NOT_ASSESSED,
    capacity_note: str = "",
    guardian: str = "",
    guardian_name: str = "",
    guardian_note: str = "",
    note: str = "",
    at: dt.datetime | None = None,
    guardian_required: bool = True,
) -> Consent:
    """Record what the person decided: to be assessed, or to share the named (recipient, content) pairs.

    A newer consent for a pair replaces the older one in the rules; the older one stays in the history.
    For a person under 18 on the day the form asks how a parent or guardian was involved; only the
    referral form's short question (guardian_required=False) may leave it unrecorded, and then the
    rules do not count the agreement until it is recorded here.
    """
    team_id = _team_id(team)
    role = _require(actor, "consent.record", team_id)
    at = at or timezone.now()
    errors: dict[str, str] = {}
    if purpose not in Purpose.values:
        errors["purpose"] = "Choose what the consent is for"
    if decision not in Decision.values:
        errors["decision"] = "Choose whether the person agreed"
    cleaned = _pairs(errors, pairs)
    if purpose == Purpose.SHARING and not cleaned and "pairs" not in errors:
        errors["pairs"] = "Choose at least one kind of information and who it may go to"
    if purpose == Purpose.ASSESSMENT and cleaned:
        errors["pairs"] = "A consent to assessment does not name recipients: record sharing separately"
    if capacity not in Capacity.values:
        errors["capacity"] = "Choose whether the person had capacity to decide"
    capacity_note = _text(errors, "capacity_note", capacity_note)
    if capacity == Capacity.LACKS_CAPACITY and not capacity_note and "capacity_note" not in errors:
        errors["capacity_note"] = "Say why the person lacked capacity to decide"
    if at > timezone.now() + dt.timedelta(minutes=5):
        errors["at"] = "The date of the consent must be today or in the past"
    under_18 = is_under_18(person, timezone.localdate(at))
    guardian_name = _text(errors, "guardian_name", guardian_name, NAME_MAX)
    guardian_note = _text(errors, "guardian_note", guardian_note)
    if under_18:
        if not guardian and not guardian_required:
            guardian = Guardian.NOT_RECORDED
        elif guardian not in Guardian.values or (guardian == Guardian.NOT_RECORDED and guardian_required):
            errors["guardian"] = "The person is under 18: say how a parent or guardian was involved"
        elif guardian in (Guardian.AGREED, Guardian.DISAGREED) and not guardian_name:
            errors["guardian_name"] = "Give the name of the parent or guardian"
    else:
        # For an adult the question does not arise; a stray answer is not kept.
        guardian, guardian_name, guardian_note = Guardian.NOT_RECORDED, "", ""
    note = _text(errors, "note", note)
    _check_episode(errors, episode, person, team_id)
    if errors:
        raise ValidationError(errors)
    consent = Consent.objects.create(
        person=person,
        team_id=team_id,
        episode=episode,
        purpose=purpose,
        decision=decision,
        capacity=capacity,
        capacity_note=capacity_note,
        guardian=guardian,
        guardian_name=guardian_name,
        guardian_note=guardian_note,
        note=note,
        recorded_by=actor,
        recorded_at=at,
    )
    ConsentScope.objects.bulk_create(
        ConsentScope(consent=consent, recipient_kind=r, content_kind=c) for r, c in cleaned
    )
    audit(
        actor=actor,
        action="consent.record",
        person_id=person.pk,
        team_id=team_id,
        role=role,
        object_type="consent",
        object_id=consent.pk,
        detail={
            "purpose": purpose,
            "decision": decision,
            "capacity": capacity,
            "pairs": [f"{r}:{c}" for r, c in cleaned],
        },
    )
    return consent


@transaction.atomic
def withdraw_consent(
    *, actor: User, consent: Consent, version: int, note: str = "", at: dt.datetime | None = None
) -> Consent:
    """The person withdrew their agreement: it stops future sharing and stays in the history."""
    role = _require(actor, "consent.record", consent.team_id)
    locked = Consent.objects.select_for_update().get(pk=consent.pk)
    if locked.version != version:
        raise StaleWrite(object_type="consent", object_id=locked.pk, expected=version, current=locked.version)
    errors: dict[str, str] = {}
    if locked.withdrawn_at is not None:
        errors["consent"] = "This consent was already withdrawn"
    elif locked.decision != Decision.GIVEN:
        errors["consent"] = "The person did not agree, so there is nothing to withdraw"
    note = _text(errors, "withdrawal_note", note)
    if errors:
        raise ValidationError(errors)
    at = at or timezone.now()
    Consent.objects.filter(pk=locked.pk).update(
        withdrawn_at=at, withdrawn_by=actor, withdrawal_note=note, version=F("version") + 1
    )
    locked.refresh_from_db()
    audit(
        actor=actor,
        action="consent.withdraw",
        person_id=locked.person_id,
        team_id=locked.team_id,
        role=role,
        object_type="consent",
        object_id=locked.pk,
        detail={"purpose": locked.purpose},
    )
    return locked


# --- sharing without consent: a lawful basis --------------------------------------------------------


@transaction.atomic
def request_basis(
    *,
    actor: User,
    person: Person,
    team: Team | int,
    episode: Episode | None = None,
    recipient_kind: str,
    content_kinds: Iterable[str],
    basis: str,
    reason: str,
    expires_at: dt.datetime | None = None,
) -> SharingBasis:
    """Ask a team lead to approve sharing without consent, for one recipient kind and named contents."""
    team_id = _team_id(team)
    role = _require(actor, "consent.request_basis", team_id)
    errors: dict[str, str] = {}
    if recipient_kind not in RecipientKind.values:
        errors["recipient_kind"] = "Choose who the information would go to"
    kinds = list(dict.fromkeys(content_kinds))
    if not kinds:
        errors["content_kinds"] = "Choose at least one kind of information"
    elif any(kind not in ContentKind.values for kind in kinds):
        errors["content_kinds"] = "Choose kinds of information from the list"
    if basis not in LawfulBasis.values:
        errors["basis"] = "Choose the lawful basis"
    reason = _text(errors, "reason", reason)
    if not reason and "reason" not in errors:
        errors["reason"] = "Say why the information must be shared without consent"
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = "The end date must be in the future"
    _check_episode(errors, episode, person, team_id)
    if errors:
        raise ValidationError(errors)
    request = SharingBasis.objects.create(
        person=person,
        team_id=team_id,
        episode=episode,
        recipient_kind=recipient_kind,
        content_kinds=[k for k in ContentKind.values if k in kinds],
        basis=basis,
        reason=reason,
        requested_by=actor,
        expires_at=expires_at,
    )
    audit(
        actor=actor,
        action="consent.basis_request",
        person_id=person.pk,
        team_id=team_id,
        role=role,
        object_type="sharing_basis",
        object_id=request.pk,
        detail={"recipient_kind": recipient_kind, "content_kinds": request.content_kinds, "basis": basis},
    )
    return request


@transaction.atomic
def decide_basis(
    *,
    actor: User,
    sharing_basis: SharingBasis,
    version: int,
    approve: bool,
    note: str = "",
    at: dt.datetime | None = None,
) -> SharingBasis:
    """A team lead other than the one who asked approves or refuses a request to share without consent."""
    role = _require(actor, "consent.approve_basis", sharing_basis.team_id)
    locked = SharingBasis.objects.select_for_update().get(pk=sharing_basis.pk)
    if locked.version != version:
        raise StaleWrite(
            object_type="lawful basis request", object_id=locked.pk, expected=version, current=locked.version
        )
    if locked.requested_by_id == actor.pk:
        raise NotPermitted("Another team lead must decide a request you made")
    errors: dict[str, str] = {}
    if locked.status != BasisStatus.REQUESTED:
        errors["decision"] = f"This request was already decided: {locked.get_status_display().lower()}"
    note = _text(errors, "note", note)
    if not approve and not note and "note" not in errors:
        errors["note"] = "Say why the request is refused"
    at = at or timezone.now()
    if approve and locked.expires_at is not None and locked.expires_at <= at:
        errors["decision"] = "This request's end date has passed: ask again"
    if errors:
        raise ValidationError(errors)
    status = BasisStatus.APPROVED if approve else BasisStatus.REFUSED
    SharingBasis.objects.filter(pk=locked.pk).update(
        status=status, decided_by=actor, decided_at=at, decision_note=note, version=F("version") + 1
    )
    locked.refresh_from_db()
    audit(
        actor=actor,
        action="consent.basis_approve" if approve else "consent.basis_refuse",
        person_id=locked.person_id,
        team_id=locked.team_id,
        role=role,
        object_type="sharing_basis",
        object_id=locked.pk,
        detail={"recipient_kind": locked.recipient_kind, "content_kinds": locked.content_kinds},
    )
    return locked
