"""Writes to advice records: allocate (the same day), reallocate, the duty to refer, actions, outcomes
and closing. Each is checked (role in the episode's team), validated with errors keyed by field,
version-locked where it edits the record, and audited.

Allocating makes a task due today for the adviser (a rule task, so closing the record or recording the
first action can close it again without a second one ever being made).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from liaison.advice.models import (
    AdviceAction,
    AdviceOutcome,
    AdviceRecord,
    AdviceStatus,
    AdviceType,
    Benefit,
    DutyToReferResponse,
    Frequency,
    OutcomeKind,
)
from liaison.assessment.codes import codes
from liaison.core.audit import audit
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.models import Membership, Role, User
from liaison.core.permissions import can, role_in
from liaison.episodes.models import Episode, Stage, Task
from liaison.episodes.services import rule_task_ensure, rule_tasks_close

# Who advice work may be given to: the team's advisers, and its team leads (who cover for them).
ADVISER_ROLES = frozenset({Role.ADVISER, Role.TEAM_LEAD})
SAME_DAY_RULE = "advice.same_day"
TEXT_MAX = 5000
AUTHORITY_MAX = 200
AMOUNT_MAX = Decimal("1000000")
EARLIEST = dt.date(2000, 1, 1)

# The outcomes that make sense for each type of advice; "no outcome" fits every one.
OUTCOMES_BY_TYPE: dict[str, tuple[str, ...]] = {
    AdviceType.HOUSING: (
        OutcomeKind.TENANCY_SECURED,
        OutcomeKind.TEMPORARY_ACCOMMODATION,
        OutcomeKind.DUTY_TO_REFER_ACCEPTED,
        OutcomeKind.CLAIM_MADE,
        OutcomeKind.AWARD_MADE,
        OutcomeKind.GRANT_AWARDED,
    ),
    AdviceType.BENEFITS: (OutcomeKind.CLAIM_MADE, OutcomeKind.AWARD_MADE),
    AdviceType.ID_DOCUMENTS: (OutcomeKind.ID_OBTAINED,),
    AdviceType.BANK_ACCOUNT: (OutcomeKind.BANK_ACCOUNT_OPENED,),
    AdviceType.DEBT: (OutcomeKind.DEBT_PLAN_AGREED, OutcomeKind.GRANT_AWARDED),
    AdviceType.GRANTS: (OutcomeKind.CLAIM_MADE, OutcomeKind.GRANT_AWARDED),
}
# Outcomes that are money paid to the person: they need an amount (and an award, how often).
AMOUNT_OUTCOMES = frozenset({OutcomeKind.AWARD_MADE, OutcomeKind.GRANT_AWARDED})

# The need an advice type usually answers, both ways round: a need key suggests the type.
TYPE_FOR_NEED: dict[str, str] = {
    "housing": AdviceType.HOUSING,
    "basic:sleep_tonight": AdviceType.HOUSING,
    "money": AdviceType.BENEFITS,
    "basic:money_today": AdviceType.GRANTS,
    "basic:id": AdviceType.ID_DOCUMENTS,
    "basic:bank_account": AdviceType.BANK_ACCOUNT,
}


def outcomes_for(advice_type: str) -> tuple[str, ...]:
    return (*OUTCOMES_BY_TYPE.get(advice_type, ()), OutcomeKind.NO_OUTCOME)


def same_day_key(record: AdviceRecord | int) -> str:
    pk = record if isinstance(record, int) else record.pk
    return f"advice:{pk}:same-day"


def _require(actor: User, operation: str, team_id: int) -> str:
    if not can(actor, operation, team_id):
        raise NotPermitted(f"Your role cannot do this ({operation}) for this team")
    return role_in(actor, team_id) or ""


def _audit(actor: User, role: str, action: str, record: AdviceRecord, **detail: Any) -> None:
    episode = record.episode
    audit(
        actor=actor,
        action=action,
        person_id=episode.person_id,
        team_id=episode.team_id,
        role=role,
        object_type="advice_record",
        object_id=record.pk,
        detail=detail or None,
    )


def is_adviser(user_id: int, team_id: int) -> bool:
    return Membership.objects.filter(
        user_id=user_id, team_id=team_id, role__in=ADVISER_ROLES, user__is_active=True
    ).exists()


def _check_adviser(errors: dict[str, str], adviser_id: int | None, episode: Episode) -> None:
    if adviser_id and not is_adviser(adviser_id, episode.team_id):
        errors["adviser"] = "Allocate the work to an adviser or team lead in the episode's team"


def _check_day(errors: dict[str, str], name: str, day: dt.date | None, label: str) -> None:
    if day is None:
        errors[name] = f"Enter the date {label}"
    elif day > timezone.localdate():
        errors[name] = f"The date {label} cannot be in the future"
    elif day < EARLIEST:
        errors[name] = f"The date {label} must be in 2000 or later"


def _check_text(errors: dict[str, str], name: str, value: str, label: str, limit: int = TEXT_MAX) -> None:
    if len(value) > limit:
        errors[name] = f"{label} must be {limit:,} characters or fewer"


def _locked(record: AdviceRecord, version: int | None) -> AdviceRecord:
    """The record's row, locked for this transaction; a stale version is refused before anything."""
    current = AdviceRecord.objects.select_for_update().filter(pk=record.pk).first()
    if current is None or (version is not None and current.version != version):
        raise StaleWrite(
            object_type="advice record",
            object_id=record.pk,
            expected=version or 0,
            current=current.version if current else None,
        )
    current.episode = record.episode
    return current


def _check_open(record: AdviceRecord) -> None:
    if record.status != AdviceStatus.OPEN:
        raise ValidationError({"record": "This advice record is closed: start a new one for new work"})


def _touch(record: AdviceRecord, **values: Any) -> None:
    values["updated_at"] = timezone.now()
    AdviceRecord.objects.filter(pk=record.pk).update(**values, version=F("version") + 1)
    episode = record.episode
    record.refresh_from_db()
    record.episode = episode  # refresh_from_db forgets relations; the episode has not changed


def _same_day_task(*, actor: User, record: AdviceRecord, adviser_id: int | None) -> Task:
    label = AdviceType(record.advice_type).label.lower()
    title = f"Advice today: {label}" if adviser_id else f"Advice today, not allocated yet: {label}"
    task, _made = rule_task_ensure(
        episode=record.episode,
        rule=SAME_DAY_RULE,
        dedupe_key=same_day_key(record),
        title=title,
        due=record.due_on,
        created_by=actor,
        owner_id=adviser_id,
        detail="Housing and benefits advice: see the person today and record what was done.",
    )
    return task


@transaction.atomic
def advice_allocate(
    *,
    actor: User,
    episode: Episode,
    advice_type: str,
    adviser_id: int | None,
    need_key: str = "",
    summary: str = "",
    benefit: str = "",
    benefit_other: str = "",
) -> AdviceRecord:
    """A new advice record for the episode, given to an adviser today (or left on the team's list),
    with a task due today for them."""
    role = _require(actor, "advice.allocate", episode.team_id)
    if episode.stage == Stage.CLOSED:
        raise ValidationError({"episode": "This episode is closed: advice work belongs to an open episode"})
    errors: dict[str, str] = {}
    summary, benefit_other = (summary or "").strip(), (benefit_other or "").strip()
    if advice_type not in AdviceType.values:
        errors["advice_type"] = "Choose what kind of advice is needed"
    if need_key and need_key not in codes().keys:
        errors["need_key"] = "Choose one of the assessment's needs, or none"
    if benefit and benefit not in Benefit.values:
        errors["benefit"] = "Choose a benefit from the list"
    elif advice_type == AdviceType.BENEFITS and not benefit:
        errors["benefit"] = "Choose which benefit the claim is for"
    elif advice_type != AdviceType.BENEFITS and benefit:
        errors["benefit"] = "Only a benefit claim names a benefit: choose 'Benefit claim' or no benefit"
    if benefit == Benefit.OTHER and not benefit_other:
        errors["benefit_other"] = "Enter the name of the benefit"
    _check_text(errors, "benefit_other", benefit_other, "Name of the benefit", 120)
    _check_text(errors, "summary", summary, "What they need help with")
    _check_adviser(errors, adviser_id, episode)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    record = AdviceRecord.objects.create(
        episode=episode,
        advice_type=advice_type,
        need_key=need_key,
        summary=summary,
        benefit=benefit,
        benefit_other=benefit_other if benefit == Benefit.OTHER else "",
        adviser_id=adviser_id,
        allocated_at=now if adviser_id else None,
        allocated_by=actor if adviser_id else None,
        due_on=timezone.localdate(),
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    record.task = _same_day_task(actor=actor, record=record, adviser_id=adviser_id)
    record.save(update_fields=["task"])
    _audit(
        actor,
        role,
        "advice.allocate",
        record,
        advice_type=advice_type,
        adviser_id=adviser_id,
        need_key=need_key,
    )
    return record


@transaction.atomic
def advice_reallocate(*, actor: User, record: AdviceRecord, version: int, adviser_id: int) -> AdviceRecord:
    """Give the work to another adviser (or take an unallocated one): they are expected today."""
    role = _require(actor, "advice.allocate", record.episode.team_id)
    record = _locked(record, version)
    _check_open(record)
    errors: dict[str, str] = {}
    if not adviser_id:
        errors["adviser"] = "Choose the adviser or team lead who will do the work"
    _check_adviser(errors, adviser_id, record.episode)
    if not errors and adviser_id == record.adviser_id:
        errors["adviser"] = "The work is already allocated to them"
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    _touch(record, adviser_id=adviser_id, allocated_at=timezone.now(), allocated_by=actor, due_on=today)
    if record.task_id is not None:
        label = AdviceType(record.advice_type).label.lower()
        Task.objects.filter(pk=record.task_id, done_at__isnull=True).update(
            owner_id=adviser_id, due=today, title=f"Advice today: {label}", version=F("version") + 1
        )
    _audit(actor, role, "advice.reallocate", record, adviser_id=adviser_id)
    return record


@transaction.atomic
def duty_to_refer_record(
    *,
    actor: User,
    record: AdviceRecord,
    version: int,
    authority: str,
    referred_on: dt.date | None,
    consent: bool | None,
    response: str = "",
    response_on: dt.date | None = None,
) -> AdviceRecord:
    """Record (or update) the duty-to-refer referral to a local housing authority.

    The Homelessness Reduction Act 2017 lets a referral be made only with the person's consent, so
    a referral without it is refused rather than stored with a "no".
    """
    role = _require(actor, "advice.record", record.episode.team_id)
    record = _locked(record, version)
    _check_open(record)
    if record.advice_type != AdviceType.HOUSING:
        raise ValidationError({"record": "A duty to refer belongs on a housing and homelessness record"})
    errors: dict[str, str] = {}
    authority = (authority or "").strip()
    if not authority:
        errors["authority"] = "Enter the name of the local housing authority the referral went to"
    _check_text(errors, "authority", authority, "Housing authority", AUTHORITY_MAX)
    if consent is None:
        errors["consent"] = "Say whether the person agreed to the referral"
    elif not consent:
        errors["consent"] = (
            "A duty-to-refer referral needs the person's consent. Do not make it until they agree"
        )
    _check_day(errors, "referred_on", referred_on, "the referral was made")
    if response and response not in DutyToReferResponse.values:
        errors["response"] = "Choose the authority's response from the list"
    if response and response_on is None:
        errors["response_on"] = "Enter the date the authority responded"
    elif response_on is not None and not response:
        errors["response"] = "Choose the authority's response, or leave its date blank"
    elif response_on is not None:
        _check_day(errors, "response_on", response_on, "the authority responded")
        if "response_on" not in errors and referred_on is not None and response_on < referred_on:
            errors["response_on"] = "The authority cannot have responded before the referral was made"
    if errors:
        raise ValidationError(errors)
    _touch(
        record,
        dtr_authority=authority,
        dtr_referred_on=referred_on,
        dtr_consent=True,
        dtr_response=response,
        dtr_response_on=response_on if response else None,
    )
    _audit(actor, role, "advice.duty_to_refer", record, response=response)
    return record


@transaction.atomic
def advice_action_add(
    *, actor: User, record: AdviceRecord, done_on: dt.date | None, what: str
) -> AdviceAction:
    """Add what was done. The first action meets the same-day expectation: its task is closed."""
    role = _require(actor, "advice.record", record.episode.team_id)
    record = _locked(record, None)
    _check_open(record)
    errors: dict[str, str] = {}
    what = (what or "").strip()
    if not what:
        errors["what"] = "Say what was done"
    _check_text(errors, "what", what, "What was done")
    _check_day(errors, "done_on", done_on, "it was done")
    if errors or done_on is None:
        raise ValidationError(errors)
    action = AdviceAction.objects.create(record=record, done_on=done_on, what=what, by=actor)
    _touch(record)
    rule_tasks_close(dedupe_keys=[same_day_key(record)], by=actor)
    _audit(actor, role, "advice.action_add", record, action_id=action.pk)
    return action


@transaction.atomic
def advice_outcome_add(
    *,
    actor: User,
    record: AdviceRecord,
    kind: str,
    achieved_on: dt.date | None,
    amount: Decimal | None = None,
    frequency: str = "",
    note: str = "",
) -> AdviceOutcome:
    role = _require(actor, "advice.record", record.episode.team_id)
    record = _locked(record, None)
    _check_open(record)
    errors: dict[str, str] = {}
    note = (note or "").strip()
    type_label = AdviceType(record.advice_type).label.lower()
    if kind not in OutcomeKind.values:
        errors["kind"] = "Choose what the outcome was"
    elif kind not in outcomes_for(record.advice_type):
        errors["kind"] = f"'{OutcomeKind(kind).label}' is not an outcome of {type_label} advice"
    elif kind == OutcomeKind.DUTY_TO_REFER_ACCEPTED and record.dtr_referred_on is None:
        errors["kind"] = "Record the duty-to-refer referral first, then its acceptance"
    _check_day(errors, "achieved_on", achieved_on, "of the outcome")
    if kind in AMOUNT_OUTCOMES:
        if amount is None:
            errors["amount"] = "Enter the amount awarded, in pounds"
        elif amount <= 0:
            errors["amount"] = "The amount awarded must be more than £0"
        elif amount >= AMOUNT_MAX:
            errors["amount"] = "The amount awarded must be less than £1,000,000"
        if kind == OutcomeKind.AWARD_MADE and not frequency:
            errors["frequency"] = "Choose how often the award is paid"
    elif amount is not None:
        errors["amount"] = "Only an award or a grant has an amount: leave it blank"
    if frequency and frequency not in Frequency.values:
        errors["frequency"] = "Choose how often the award is paid, from the list"
    if kind == OutcomeKind.NO_OUTCOME and not note:
        errors["note"] = "Say why there was no outcome"
    _check_text(errors, "note", note, "Note")
    if errors or achieved_on is None:
        raise ValidationError(errors)
    outcome = AdviceOutcome.objects.create(
        record=record,
        kind=kind,
        achieved_on=achieved_on,
        amount=amount if kind in AMOUNT_OUTCOMES else None,
        frequency=(frequency or (Frequency.ONE_OFF if kind == OutcomeKind.GRANT_AWARDED else ""))
        if kind in AMOUNT_OUTCOMES
        else "",
        note=note,
        by=actor,
    )
    _touch(record)
    _audit(actor, role, "advice.outcome_add", record, outcome_id=outcome.pk, kind=kind)
    return outcome


@transaction.atomic
def advice_close(
    *, actor: User, record: AdviceRecord, version: int, closing_outcome: str, note: str = ""
) -> AdviceRecord:
    """Close the record with its main outcome: one already recorded on it, or "no outcome" and why."""
    role = _require(actor, "advice.record", record.episode.team_id)
    record = _locked(record, version)
    _check_open(record)
    errors: dict[str, str] = {}
    note = (note or "").strip()
    if closing_outcome not in OutcomeKind.values:
        errors["closing_outcome"] = "Choose the outcome the record closes with"
    elif closing_outcome == OutcomeKind.NO_OUTCOME:
        if not note:
            errors["note"] = "Say why the record is closing with no outcome"
    elif not record.outcomes.filter(kind=closing_outcome).exists():
        errors["closing_outcome"] = (
            f"'{OutcomeKind(closing_outcome).label}' has not been recorded: record the outcome first"
        )
    _check_text(errors, "note", note, "Note")
    if errors:
        raise ValidationError(errors)
    _touch(
        record,
        status=AdviceStatus.CLOSED,
        closing_outcome=closing_outcome,
        closing_note=note,
        closed_at=timezone.now(),
        closed_by=actor,
    )
    rule_tasks_close(dedupe_keys=[same_day_key(record)], by=actor)
    _audit(actor, role, "advice.close", record, closing_outcome=closing_outcome)
    return record
