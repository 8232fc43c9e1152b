"""Writes to assessments and plans: start, save a draft, complete, reorder, and plan actions.

Each is checked (role and record), validated with errors keyed by field, version-locked and audited.
A draft may be incomplete; completing checks the whole assessment, keeps only the domains that were
considered, and moves the episode on to "assessed" (through "screened" when no screening came first),
setting assessed_at on the first completion only: a review keeps the date of the first assessment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.dispatch import receiver
from django.utils import timezone

from liaison.assessment.codes import BASIC_PREFIX, LEVEL_LABELS, LEVEL_RANK, RAISED_BY_LABELS, codes
from liaison.assessment.models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    Assessment,
    AssessmentStatus,
    EducationStatus,
    Finding,
    Fitness,
    GuardianInvolvement,
    Need,
    PlanAction,
    PlanOrder,
)
from liaison.assessment.ordering import NeedItem, rule_order
from liaison.core.audit import audit
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.models import User
from liaison.core.permissions import can, role_in
from liaison.episodes.models import AgeGroup, Episode, Stage, Task
from liaison.episodes.services import (
    TASK_DUE_WINDOW,
    _is_clinical_member,
    episode_move,
    task_add,
    task_complete,
)
from liaison.episodes.signals import task_completed
from liaison.screening import instruments
from liaison.screening.models import Screening, ScreeningStatus

TEXT_MAX = 5000
REASON_MAX = 2000
PRIORITIES_MAX = 5

PERSON_VIEW_FIELDS = (
    "own_words",
    "help_first",
    "helped_before",
    "not_helped_before",
    "goals",
    "contact_preference",
)
# Each custody finding, its choices, and the answers that need a reason.
FINDINGS: dict[str, tuple[Any, frozenset[str]]] = {
    "fitness_for_interview": (Fitness, frozenset({Fitness.NOT_FIT, Fitness.FIT_WITH_ADJUSTMENTS})),
    "fitness_for_detention": (Fitness, frozenset({Fitness.NOT_FIT, Fitness.FIT_WITH_ADJUSTMENTS})),
    "appropriate_adult": (Finding, frozenset({Finding.YES})),
    "capacity_concerns": (Finding, frozenset({Finding.YES})),
    "communication_support": (Finding, frozenset({Finding.YES})),
}
FINDING_LABELS = {
    "fitness_for_interview": "fitness for interview",
    "fitness_for_detention": "fitness for detention",
    "appropriate_adult": "the need for an appropriate adult",
    "capacity_concerns": "the capacity concern",
    "communication_support": "the communication support needed",
}
YOUTH_CHOICES: dict[str, Any] = {
    "guardian_involvement": GuardianInvolvement,
    "education_status": EducationStatus,
}
YOUTH_TEXT = ("guardian_detail", "education_detail")
EDITABLE = frozenset(
    {
        *PERSON_VIEW_FIELDS,
        *FINDINGS,
        *(f"{name}_reason" for name in FINDINGS),
        *YOUTH_CHOICES,
        *YOUTH_TEXT,
        "youth_justice_contact",
        "person_priorities",
        "needs",
    }
)
COPIED_FIELDS = tuple(sorted(EDITABLE - {"needs"}))


def _require(actor: User, operation: str, team_id: int) -> str:
    if not can(actor, operation, team_id):
        raise NotPermitted(f"Your role cannot do this ({operation}) for this team")
    return role_in(actor, team_id) or ""


def _check_open(episode: Episode) -> None:
    if episode.stage == Stage.CLOSED:
        raise ValidationError({"episode": "This episode is closed: open a new episode to assess the person"})


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


# --- what the episode's screenings suggest -------------------------------------------------------


def screening_suggestions(episode: Episode) -> dict[str, tuple[str, str]]:
    """{domain: (level, where it came from)} from the newest complete screening of each instrument.

    Where two screenings suggest levels for one domain, the higher level wins and both are named.
    """
    newest: dict[str, Screening] = {}
    for screening in Screening.objects.filter(episode=episode, status=ScreeningStatus.COMPLETE).order_by(
        "-completed_at", "-id"
    ):
        newest.setdefault(screening.instrument_code, screening)
    found: dict[str, list[tuple[str, str]]] = {}
    for rule in codes().suggestions:
        given = newest.get(rule.instrument)
        if given is None:
            continue
        level = rule.bands.get(given.band)
        flagged = [rule.flags[f] for f in given.flags if f in rule.flags]
        if flagged:
            level = max([level or "none", *flagged], key=LEVEL_RANK.__getitem__)
        if level is None:
            continue
        found.setdefault(rule.domain, []).append((level, _screening_source(given)))
    return {
        domain: (max((lvl for lvl, _ in items), key=LEVEL_RANK.__getitem__), "; ".join(s for _, s in items))
        for domain, items in found.items()
    }


def _screening_source(screening: Screening) -> str:
    definition = instruments.get(screening.instrument_code, screening.instrument_version)
    profile = definition.profile(screening.profile)
    band = (
        next((b.label for b in profile.bands if b.code == screening.band), screening.band) if profile else ""
    )
    result = f"{screening.total}, {band}" if screening.total is not None else band
    day = timezone.localtime(screening.completed_at).date() if screening.completed_at else None
    when = f" on {day.day} {day:%b %Y}" if day else ""
    if "suicide_risk" in screening.flags:
        result += ", suicide risk flagged"
    return f"{definition.short_title} {result}{when}"[:300]


# --- start, save, complete ------------------------------------------------------------------------


@transaction.atomic
def assessment_start(*, actor: User, episode: Episode) -> Assessment:
    """A new draft: a copy of the last complete version (a review), or a first one with suggestions."""
    role = _require(actor, "assessment.record", episode.team_id)
    # Lock the episode so two practitioners starting at once get one draft and a clear error.
    episode = Episode.objects.select_for_update().select_related("person").get(pk=episode.pk)
    _check_open(episode)
    if Assessment.objects.filter(episode=episode, status=AssessmentStatus.DRAFT).exists():
        raise ValidationError(
            {"assessment": "This episode already has a draft assessment: continue that one"}
        )
    previous = current_assessment(episode)
    number = (Assessment.objects.filter(episode=episode).aggregate(n=Max("number"))["n"] or 0) + 1
    now = timezone.now()
    copied = {name: getattr(previous, name) for name in COPIED_FIELDS} if previous else {}
    assessment = Assessment.objects.create(
        episode=episode, number=number, by=actor, started_at=now, updated_at=now, **copied
    )
    rows: dict[str, Need] = {}
    if previous is not None:
        for need in previous.needs.all():
            need.pk = None
            need.assessment = assessment
            rows[need.key] = need
    for domain, (level, source) in screening_suggestions(episode).items():
        suggested = rows.get(domain)
        if suggested is None:
            # First seen now: the suggestion is filled in for the practitioner to confirm or change.
            suggested = rows[domain] = Need(
                assessment=assessment, key=domain, level=level, raised_by="screening", evidence=source
            )
        suggested.suggested_level, suggested.suggested_from = level, source
    Need.objects.bulk_create(rows.values())
    _audit(actor, role, "assessment.create", episode, "assessment", assessment.pk, number=number)
    return assessment


def _clean_text(errors: dict[str, Any], name: str, value: Any, limit: int = TEXT_MAX) -> str:
    text = "" if value is None else str(value)
    if len(text) > limit:
        errors[name] = f"Must be {limit:,} characters or fewer"
    return text.strip()


def _clean_needs(errors: dict[str, Any], raw: Any) -> dict[str, dict[str, str]]:
    """{key: {level, evidence, raised_by}} from a list of dicts or a dict keyed by need key."""
    if isinstance(raw, Mapping):
        raw = [{"key": key, **(value or {})} for key, value in raw.items()]
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        errors["needs"] = "Needs must be a list"
        return {}
    known = set(codes().keys)
    cleaned: dict[str, dict[str, str]] = {}
    for item in raw:
        key = str(item.get("key", "")) if isinstance(item, Mapping) else ""
        field = f"needs.{key}" if key else "needs"
        if key not in known:
            errors[field] = f"Unknown need {key!r}: choose a domain or basic need from the list"
            continue
        if key in cleaned:
            errors[field] = f"{codes().label(key)} is listed twice"
            continue
        level = str(item.get("level") or "")
        raised_by = str(item.get("raised_by") or "")
        if level and level not in LEVEL_RANK:
            errors[f"{field}.level"] = "Choose a level: no need, low, moderate, high or urgent"
        if raised_by and raised_by not in RAISED_BY_LABELS:
            errors[f"{field}.raised_by"] = (
                "Choose who raised it: practitioner, the person, screening or partner"
            )
        evidence = _clean_text(errors, f"{field}.evidence", item.get("evidence"))
        if level and not raised_by:
            raised_by = "practitioner"
        cleaned[key] = {"level": level, "evidence": evidence, "raised_by": raised_by}
    return cleaned


def _clean_fields(errors: dict[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in set(data) - EDITABLE:
        errors[name] = f"{name} cannot be set here"
    for name in PERSON_VIEW_FIELDS + YOUTH_TEXT + tuple(f"{n}_reason" for n in FINDINGS):
        if name in data:
            values[name] = _clean_text(errors, name, data[name])
    if "youth_justice_contact" in data:
        values["youth_justice_contact"] = _clean_text(
            errors, "youth_justice_contact", data["youth_justice_contact"], 200
        )
    for name, (choices, _needs_reason) in FINDINGS.items():
        if name in data:
            value = str(data[name] or "")
            if value not in choices.values:
                errors[name] = "Choose one of the answers listed"
            values[name] = value
    for name, choices in YOUTH_CHOICES.items():
        if name in data:
            value = str(data[name] or "")
            if value not in choices.values:
                errors[name] = "Choose one of the answers listed"
            values[name] = value
    if "person_priorities" in data:
        raw = data["person_priorities"] or []
        if not isinstance(raw, Sequence) or isinstance(raw, str):
            errors["person_priorities"] = "Priorities must be a list of needs"
        else:
            keys = [str(key) for key in raw if key]
            known = set(codes().keys)
            if unknown := [k for k in keys if k not in known]:
                errors["person_priorities"] = f"Unknown need {unknown[0]!r}: choose from the list"
            elif len(set(keys)) != len(keys):
                errors["person_priorities"] = "Each need can be one of the person's priorities only once"
            elif len(keys) > PRIORITIES_MAX:
                errors["person_priorities"] = f"Record up to {PRIORITIES_MAX} priorities"
            values["person_priorities"] = keys
    return values


def _write_needs(assessment: Assessment, needs: dict[str, dict[str, str]]) -> None:
    """Replace the draft's needs with these. A screening's suggestion is never lost: a need left out
    that carries one stays as an unrated row, so the suggestion is still shown. Only rows that change
    are written (an autosave every few seconds must stay cheap)."""
    fields = ("level", "evidence", "raised_by")
    existing = {need.key: need for need in assessment.needs.all()}
    before = {key: tuple(getattr(need, f) for f in fields) for key, need in existing.items()}
    for key, need in existing.items():
        if key not in needs:
            need.level, need.evidence, need.raised_by = "", "", ""
    for key, values in needs.items():
        need = existing.setdefault(key, Need(assessment=assessment, key=key))
        need.level, need.evidence, need.raised_by = values["level"], values["evidence"], values["raised_by"]

    def kept(need: Need) -> bool:
        return bool(need.level or need.evidence or need.suggested_level)

    Need.objects.filter(pk__in=[n.pk for n in existing.values() if n.pk and not kept(n)]).delete()
    Need.objects.bulk_create([n for n in existing.values() if n.pk is None and kept(n)])
    changed = [
        n
        for key, n in existing.items()
        if n.pk and kept(n) and key in before and before[key] != tuple(getattr(n, f) for f in fields)
    ]
    if changed:
        Need.objects.bulk_update(changed, fields)


def _locked_update(assessment: Assessment, version: int, **values: Any) -> None:
    updated = Assessment.objects.filter(pk=assessment.pk, version=version).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        current = Assessment.objects.filter(pk=assessment.pk).values_list("version", flat=True).first()
        raise StaleWrite(object_type="assessment", object_id=assessment.pk, expected=version, current=current)


def _check_draft(assessment: Assessment) -> None:
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError(
            {"assessment": "This assessment is complete and kept as it was: start a review to change it"}
        )


@transaction.atomic
def assessment_save(
    *, actor: User, assessment: Assessment, version: int, data: Mapping[str, Any]
) -> Assessment:
    """Save a draft as it stands. Incomplete is fine; a value outside its list, or too long, is not.

    `needs`, when given, is the whole set: a need left out is removed from the draft.
    """
    episode = assessment.episode
    role = _require(actor, "assessment.record", episode.team_id)
    _check_draft(assessment)
    _check_open(episode)
    errors: dict[str, Any] = {}
    values = _clean_fields(errors, data)
    needs = _clean_needs(errors, data["needs"]) if "needs" in data else None
    if errors:
        raise ValidationError(errors)
    _locked_update(assessment, version, **values)
    if needs is not None:
        _write_needs(assessment, needs)
    _audit(actor, role, "assessment.update", episode, "assessment", assessment.pk)
    assessment.refresh_from_db()
    return assessment


def completion_problems(assessment: Assessment) -> dict[str, str]:
    """What stops this draft being completed, by field: empty when it can be."""
    errors: dict[str, str] = {}
    needs = {need.key: need for need in assessment.needs.all() if need.level}
    considered = [key for key in needs if not key.startswith(BASIC_PREFIX)]
    if not considered:
        errors["needs"] = "Consider at least one domain: choose a level for each domain you assessed"
    for key, need in needs.items():
        if not key.startswith(BASIC_PREFIX) and need.level in {"high", "urgent"} and not need.evidence:
            errors[f"needs.{key}.evidence"] = (
                f"Say what shows a {LEVEL_LABELS[need.level].split(':')[0].lower()} need "
                f"for {codes().label(key).lower()}"
            )
    for key in assessment.person_priorities:
        if key not in needs or needs[key].level == "none":
            errors["person_priorities"] = (
                f"The person asked for help with {codes().label(key).lower()}: "
                "rate it as a need, or take it out of their priorities"
            )
            break
    for name, (_choices, needs_reason) in FINDINGS.items():
        if getattr(assessment, name) in needs_reason and not getattr(assessment, f"{name}_reason").strip():
            errors[f"{name}_reason"] = f"Give the reasons for {FINDING_LABELS[name]}"
    if assessment.episode.age_group == AgeGroup.YOUTH:
        if not assessment.guardian_involvement:
            errors["guardian_involvement"] = "Record whether a parent or guardian is involved"
        elif (
            assessment.guardian_involvement == GuardianInvolvement.NOT_APPROPRIATE
            and not assessment.guardian_detail.strip()
        ):
            errors["guardian_detail"] = "Say why involving a parent or guardian is not appropriate"
        if not assessment.education_status:
            errors["education_status"] = "Record the young person's education status"
        if "safeguarding" not in needs:
            errors["needs.safeguarding.level"] = "For a young person, safeguarding must be assessed"
    return errors


@transaction.atomic
def assessment_complete(*, actor: User, assessment: Assessment, version: int) -> Assessment:
    """Complete a draft: everything checked, unconsidered domains dropped, the episode moved on."""
    episode = assessment.episode
    role = _require(actor, "assessment.record", episode.team_id)
    _check_draft(assessment)
    _check_open(episode)
    if assessment.version != version:
        raise StaleWrite(
            object_type="assessment", object_id=assessment.pk, expected=version, current=assessment.version
        )
    if errors := completion_problems(assessment):
        raise ValidationError(errors)
    now = timezone.now()
    assessment.needs.filter(level="").delete()
    _locked_update(
        assessment, version, status=AssessmentStatus.COMPLETE, completed_at=now, completed_by=actor
    )
    levels = dict(assessment.needs.values_list("key", "level"))
    _audit(
        actor, role, "assessment.complete", episode, "assessment", assessment.pk,
        number=assessment.number, needs={k: v for k, v in levels.items() if v != "none"},
    )  # fmt: skip
    current = Episode.objects.select_for_update().get(pk=episode.pk)
    if current.stage == Stage.IDENTIFIED:
        current = episode_move(
            actor=actor,
            episode=current,
            version=current.version,
            to_stage=Stage.SCREENED,
            at=now,
            note="Screened as part of the assessment",
        )
    if current.stage == Stage.SCREENED:
        episode_move(
            actor=actor,
            episode=current,
            version=current.version,
            to_stage=Stage.ASSESSED,
            at=now,
            note=f"Assessment {assessment.number} completed",
        )
    assessment.refresh_from_db()
    return assessment


# --- the plan: order and actions ------------------------------------------------------------------


def current_assessment(episode: Episode) -> Assessment | None:
    return (
        Assessment.objects.filter(episode=episode, status=AssessmentStatus.COMPLETE)
        .order_by("-number")
        .first()
    )


def plan_needs(assessment: Assessment) -> list[NeedItem]:
    """The assessment's needs in the rule's order (before any override)."""
    items = [NeedItem(need.key, need.level) for need in assessment.needs.all() if need.level]
    return rule_order(items, assessment.person_priorities)


@transaction.atomic
def plan_reorder(*, actor: User, assessment: Assessment, keys: Sequence[str], reason: str) -> PlanOrder:
    """Override the rule's order with a reason. The order must name every need in the plan once."""
    episode = assessment.episode
    role = _require(actor, "assessment.record", episode.team_id)
    _check_open(episode)
    errors: dict[str, str] = {}
    latest = current_assessment(episode)
    if latest is None or latest.pk != assessment.pk:
        raise ValidationError({"assessment": "Only the current, complete assessment's plan can be reordered"})
    expected = {item.key for item in plan_needs(assessment)}
    keys = [str(key) for key in keys]
    if len(set(keys)) != len(keys):
        errors["keys"] = "Each need can appear in the order only once"
    elif set(keys) != expected:
        errors["keys"] = "The new order must list every need in the plan, and nothing else"
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Give the reason for changing the order"
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"Reason must be {REASON_MAX:,} characters or fewer"
    if errors:
        raise ValidationError(errors)
    order = PlanOrder.objects.create(assessment=assessment, keys=keys, reason=reason, by=actor)
    _audit(actor, role, "plan.reorder", episode, "assessment", assessment.pk, keys=keys)
    return order


def _due_in_window(due: dt.date) -> bool:
    today = timezone.localdate()
    return today - TASK_DUE_WINDOW[0] <= due <= today + TASK_DUE_WINDOW[1]


def plan_task_title(need_key: str, description: str) -> str:
    """The task an action makes, as the worklist shows it: "ID: Apply for a replacement birth certificate"."""
    return f"{codes().label(need_key)}: {description}"[:200]


@transaction.atomic
def plan_action_add(
    *,
    actor: User,
    episode: Episode,
    need_key: str,
    description: str,
    owner_id: int | None,
    due: dt.date | None,
) -> PlanAction:
    """An action against one of the current plan's needs. It makes a task for its owner, due that day."""
    role = _require(actor, "assessment.plan", episode.team_id)
    _check_open(episode)
    errors: dict[str, str] = {}
    assessment = current_assessment(episode)
    if assessment is None:
        raise ValidationError({"need_key": "Complete an assessment first: actions belong to its needs"})
    if need_key not in {item.key for item in plan_needs(assessment)}:
        errors["need_key"] = "Choose one of the needs in the plan"
    description = (description or "").strip()
    if not description:
        errors["description"] = "Say what will be done"
    elif len(description) > 300:
        errors["description"] = "Action must be 300 characters or fewer"
    if not owner_id:
        errors["owner"] = "Choose who will do this"
    elif not _is_clinical_member(owner_id, episode.team_id):
        errors["owner"] = "Give the action to a member of the episode's team"
    if due is None:
        errors["due"] = "Enter the date it is due"
    elif not _due_in_window(due):
        errors["due"] = "Due date must be within a year before today and five years after"
    if errors or due is None or owner_id is None:
        raise ValidationError(errors)
    task = task_add(
        actor=actor,
        episode=episode,
        title=plan_task_title(need_key, description),
        due=due,
        owner_id=owner_id,
        detail="From the plan",
    )
    action = PlanAction.objects.create(
        episode=episode,
        need_key=need_key,
        description=description,
        owner_id=owner_id,
        due=due,
        task=task,
        created_by=actor,
    )
    _audit(actor, role, "plan.action_add", episode, "plan_action", action.pk, need=need_key)
    return action


@transaction.atomic
def plan_action_update(
    *,
    actor: User,
    action: PlanAction,
    version: int,
    status: str | None = None,
    owner_id: int | None = None,
    due: dt.date | None = None,
) -> PlanAction:
    """Move an action on, or give it to someone else or a new date; its task follows."""
    episode = action.episode
    role = _require(actor, "assessment.plan", episode.team_id)
    errors: dict[str, str] = {}
    if status is not None and status not in ActionStatus.values:
        errors["status"] = "Choose a status: planned, in progress, done or no longer needed"
    elif status is not None and action.status not in OPEN_ACTION_STATUSES and status != action.status:
        errors["status"] = "This action is finished: add a new action instead of reopening it"
    if owner_id is not None and not _is_clinical_member(owner_id, episode.team_id):
        errors["owner"] = "Give the action to a member of the episode's team"
    if due is not None and not _due_in_window(due):
        errors["due"] = "Due date must be within a year before today and five years after"
    if errors:
        raise ValidationError(errors)
    values: dict[str, Any] = {}
    if status is not None:
        values["status"] = status
    if owner_id is not None:
        values["owner_id"] = owner_id
    if due is not None:
        values["due"] = due
    updated = PlanAction.objects.filter(pk=action.pk, version=version).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        current = PlanAction.objects.filter(pk=action.pk).values_list("version", flat=True).first()
        raise StaleWrite(object_type="plan action", object_id=action.pk, expected=version, current=current)
    task_values: dict[str, Any] = {}
    if owner_id is not None:
        task_values["owner_id"] = owner_id
    if due is not None:
        task_values["due"] = due
    if task_values:
        Task.objects.filter(pk=action.task_id, done_at__isnull=True).update(
            **task_values, version=F("version") + 1
        )
    if status in {ActionStatus.DONE, ActionStatus.NOT_NEEDED}:
        task = Task.objects.select_related("episode").get(pk=action.task_id)
        if task.done_at is None:
            # Through the task service, so the task's own audit event is written too.
            task_complete(actor=actor, task=task, version=task.version)
    _audit(
        actor, role, "plan.action_update", episode, "plan_action", action.pk,
        **{name: str(value) for name, value in values.items()},
    )  # fmt: skip
    action.refresh_from_db()
    return action


@receiver(task_completed, dispatch_uid="assessment.plan_action_done")
def _action_done_with_its_task(sender: type, task: Task, actor: User, **kwargs: Any) -> None:
    """Marking an action's task done on the episode page marks the action done too."""
    PlanAction.objects.filter(task=task, status__in=OPEN_ACTION_STATUSES).update(
        status=ActionStatus.DONE, version=F("version") + 1, updated_at=timezone.now()
    )
