"""The assessment API: an episode's needs assessments (numbered versions, draft then complete), the plan
that orders the current assessment's needs, and the plan's actions.

Assessments, plans and actions are reached only through the access helpers (404 for "missing" and
"not yours" alike, audited), and every write calls assessment.services, which checks the role
(recording an assessment is clinical work; support workers may carry out the plan's actions) and
audits. Field errors name what the client sent: a need's level is "needs.mental_health.level".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from liaison.api.common import ERROR_CODES, Id, actor, patch_field, text
from liaison.api.idempotency import idempotent
from liaison.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, paginate
from liaison.api.problems import (
    ApiProblem,
    Problem,
    errors_from_django,
    field_problem,
    service_errors,
    validation_problem,
)
from liaison.assessment.codes import LEVELS, RAISED_BY, codes
from liaison.assessment.models import (
    ActionStatus,
    Assessment,
    AssessmentStatus,
    EducationStatus,
    Finding,
    Fitness,
    GuardianInvolvement,
    Need,
    PlanAction,
)
from liaison.assessment.presenters import build_plan, plan_as_dict
from liaison.assessment.queries import get_assessment_for_user, get_plan_action_for_user
from liaison.assessment.services import (
    COPIED_FIELDS,
    TEXT_MAX,
    assessment_complete,
    assessment_save,
    assessment_start,
    completion_problems,
    current_assessment,
    plan_action_add,
    plan_action_update,
    plan_reorder,
)
from liaison.core.access import get_episode_for_user
from liaison.episodes.models import AgeGroup, Episode

router = Router(tags=["assessment"])

# A client can switch on this: the episode already has a draft, whose id the problem gives.
TYPE_DRAFT_EXISTS = "urn:liaison:problem:draft-exists"


def _codes(values: Any, description: str) -> dict[str, Any]:
    """Documents the accepted codes; the service checks them, so its message names the field."""
    return {"json_schema_extra": {"enum": list(values), "description": description}}


FITNESS_DOC = _codes(Fitness.values, '"" while not assessed')
FINDING_DOC = _codes(Finding.values, '"" while not assessed')
LEVEL_DOC = _codes(["", *(code for code, _ in LEVELS)], '"" while the domain has not been considered')
RAISED_BY_DOC = _codes(["", *(code for code, _ in RAISED_BY)], "Who raised it; practitioner when left out")


def _field(name: str) -> str | None:
    """The services name the record itself for whole-record problems: those belong to no field."""
    return None if name in {"assessment", "episode"} else name


def _need_order() -> dict[str, int]:
    return {key: index for index, key in enumerate(codes().keys)}


# --- assessments -----------------------------------------------------------------------------------


class NeedOut(Schema):
    key: str = Field(description='A domain code, or "basic:" and a basic need\'s code')
    label: str
    level: str = Field(description='"" while a draft has not considered the domain yet')
    evidence: str
    raised_by: str
    suggested_level: str = Field(description="What a screening suggested, if one did")
    suggested_from: str = Field(description="Which screening suggested it, with its result and date")


class AssessmentOut(Schema):
    id: int
    version: int
    episode_id: int
    person_id: int
    number: int = Field(
        description="1 for the first assessment in the episode, then one more for each review"
    )
    status: str = Field(description="draft or complete")
    youth: bool = Field(description="The episode is on the youth pathway: the youth fields apply")
    own_words: str
    help_first: str
    helped_before: str
    not_helped_before: str
    goals: str
    contact_preference: str
    person_priorities: list[str] = Field(description="Need keys, in the person's own order")
    fitness_for_interview: str
    fitness_for_interview_reason: str
    fitness_for_detention: str
    fitness_for_detention_reason: str
    appropriate_adult: str
    appropriate_adult_reason: str
    capacity_concerns: str
    capacity_concerns_reason: str
    communication_support: str
    communication_support_reason: str
    guardian_involvement: str
    guardian_detail: str
    youth_justice_contact: str
    education_status: str
    education_detail: str
    needs: list[NeedOut] = Field(description="In code-list order: domains, then basic needs")
    completion_problems: dict[str, str] | None = Field(
        description=(
            "A draft: what stops it being completed, by field (empty when it can be); null once complete"
        )
    )
    started_at: dt.datetime
    started_by_id: int
    updated_at: dt.datetime
    completed_at: dt.datetime | None
    completed_by_id: int | None


def _need(need: Need) -> dict[str, Any]:
    return {
        "key": need.key,
        "label": codes().label(need.key),
        "level": need.level,
        "evidence": need.evidence,
        "raised_by": need.raised_by,
        "suggested_level": need.suggested_level,
        "suggested_from": need.suggested_from,
    }


def _out(assessment: Assessment) -> dict[str, Any]:
    """Expects the needs prefetched (see _with_needs): the draft's problems read them again."""
    order = _need_order()
    needs = sorted(assessment.needs.all(), key=lambda n: order.get(n.key, len(order)))
    return {
        "id": assessment.pk,
        "version": assessment.version,
        "episode_id": assessment.episode_id,
        "person_id": assessment.episode.person_id,
        "number": assessment.number,
        "status": assessment.status,
        "youth": assessment.episode.age_group == AgeGroup.YOUTH,
        # Every editable field as stored (the services name them); priorities as a fresh list.
        **{name: getattr(assessment, name) for name in COPIED_FIELDS},
        "person_priorities": list(assessment.person_priorities),
        "needs": [_need(n) for n in needs],
        "completion_problems": None if assessment.is_complete else completion_problems(assessment),
        "started_at": assessment.started_at,
        "started_by_id": assessment.by_id,
        "updated_at": assessment.updated_at,
        "completed_at": assessment.completed_at,
        "completed_by_id": assessment.completed_by_id,
    }


def _with_needs(assessments: list[Assessment], episode: Episode) -> list[Assessment]:
    """One query for every assessment's needs, and the episode (already fetched) set on each."""
    for assessment in assessments:
        assessment.episode = episode
    prefetch_related_objects(assessments, "needs")
    return assessments


class NeedIn(Schema):
    model_config = ConfigDict(extra="forbid")

    key: str = text(40, description='A domain code, or "basic:" and a basic need\'s code')
    level: str = text(10, "", **LEVEL_DOC)
    evidence: str = text(TEXT_MAX, "")
    raised_by: str = text(14, "", **RAISED_BY_DOC)


class AssessmentPatchIn(Schema):
    """Send `version` (from your last read) and only the fields to change; a draft may be incomplete.

    `needs` is the draft's whole set: a need left out is removed (what a screening suggested for it
    stays, with its level cleared).
    """

    model_config = ConfigDict(extra="forbid")

    version: int
    own_words: str = patch_field(TEXT_MAX, description="What is going on for them, in their own words")
    help_first: str = patch_field(TEXT_MAX, description="What they want help with first")
    helped_before: str = patch_field(TEXT_MAX)
    not_helped_before: str = patch_field(TEXT_MAX)
    goals: str = patch_field(TEXT_MAX)
    contact_preference: str = patch_field(TEXT_MAX)
    person_priorities: list[str] = patch_field(description="Up to 5 need keys, in the person's order")
    fitness_for_interview: str = patch_field(24, **FITNESS_DOC)
    fitness_for_interview_reason: str = patch_field(
        TEXT_MAX, description="Required when not fit or fit with adjustments"
    )
    fitness_for_detention: str = patch_field(24, **FITNESS_DOC)
    fitness_for_detention_reason: str = patch_field(
        TEXT_MAX, description="Required when not fit or fit with adjustments"
    )
    appropriate_adult: str = patch_field(4, **FINDING_DOC)
    appropriate_adult_reason: str = patch_field(TEXT_MAX, description="Required when yes")
    capacity_concerns: str = patch_field(4, **FINDING_DOC)
    capacity_concerns_reason: str = patch_field(TEXT_MAX, description="Required when yes")
    communication_support: str = patch_field(4, **FINDING_DOC)
    communication_support_reason: str = patch_field(TEXT_MAX, description="Required when yes")
    guardian_involvement: str = patch_field(20, **_codes(GuardianInvolvement.values, "Youth pathway"))
    guardian_detail: str = patch_field(TEXT_MAX)
    youth_justice_contact: str = patch_field(200)
    education_status: str = patch_field(20, **_codes(EducationStatus.values, "Youth pathway"))
    education_detail: str = patch_field(TEXT_MAX)
    needs: list[NeedIn] = patch_field(description="The draft's whole set of needs, each key once")


class VersionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int


@router.get("/episodes/{episode_id}/assessments", response={200: Page[AssessmentOut], ERROR_CODES: Problem})
def list_assessments(
    request: HttpRequest,
    episode_id: int,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """The episode's assessments, newest first: its draft, if any, then each complete version."""
    episode, _ = get_episode_for_user(actor(request), episode_id, action="assessment.list")
    rows, next_cursor = paginate(
        episode.assessments.all(), kind="assessments", order=("-number", "-id"), cursor=cursor, limit=limit
    )
    return {"items": [_out(a) for a in _with_needs(rows, episode)], "next_cursor": next_cursor}


@router.post("/episodes/{episode_id}/assessments", response={201: AssessmentOut, ERROR_CODES: Problem})
@idempotent
def create_assessment(request: HttpRequest, episode_id: int) -> Status:
    """Start a draft. The first is filled in with what the episode's screenings suggest; a review starts
    as a copy of the last complete version. An episode has one draft at a time: a second is refused
    with 409 and the problem's `draft_id` names the one to continue. No body is needed."""
    user = actor(request)
    episode, _ = get_episode_for_user(user, episode_id)
    try:
        assessment = assessment_start(actor=user, episode=episode)
    except DjangoValidationError as exc:
        messages = exc.message_dict if hasattr(exc, "error_dict") else {}
        draft = None
        if "assessment" in messages:
            draft = (
                episode.assessments.filter(status=AssessmentStatus.DRAFT).values_list("pk", flat=True).first()
            )
        if draft is None:
            raise validation_problem(errors_from_django(exc, _field)) from exc
        raise ApiProblem(
            409,
            messages["assessment"][0],
            type=TYPE_DRAFT_EXISTS,
            title="There is a draft already",
            errors=[{"field": None, "message": messages["assessment"][0]}],
            extra={"draft_id": draft},
        ) from exc
    return Status(201, _out(_with_needs([assessment], episode)[0]))


@router.get("/assessments/{assessment_id}", response={200: AssessmentOut, ERROR_CODES: Problem})
def get_assessment(request: HttpRequest, assessment_id: int) -> dict[str, Any]:
    """The assessment with its needs; a draft also says what stops it being completed."""
    assessment, _ = get_assessment_for_user(actor(request), assessment_id)
    return _out(_with_needs([assessment], assessment.episode)[0])


@router.patch("/assessments/{assessment_id}", response={200: AssessmentOut, ERROR_CODES: Problem})
def update_assessment(request: HttpRequest, assessment_id: int, payload: AssessmentPatchIn) -> dict[str, Any]:
    """Save a draft as it stands. A value outside its list is refused naming the field (a need's as
    "needs.<key>.level"); a stale `version` is refused with 409. Nothing is saved unless all is well."""
    user = actor(request)
    assessment, _ = get_assessment_for_user(user, assessment_id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    if not data:
        raise field_problem("body", "Send at least one field to change, with the version")
    episode = assessment.episode
    with service_errors(_field):
        saved = assessment_save(actor=user, assessment=assessment, version=version, data=data)
    return _out(_with_needs([saved], episode)[0])


@router.post("/assessments/{assessment_id}/complete", response={200: AssessmentOut, ERROR_CODES: Problem})
@idempotent
def complete_assessment(request: HttpRequest, assessment_id: int, payload: VersionIn) -> dict[str, Any]:
    """Complete a draft: each of its `completion_problems` is refused with 422 naming the field; once
    complete, domains not considered are dropped and the episode moves on to assessed."""
    user = actor(request)
    assessment, _ = get_assessment_for_user(user, assessment_id)
    episode = assessment.episode
    with service_errors(_field):
        done = assessment_complete(actor=user, assessment=assessment, version=payload.version)
    return _out(_with_needs([done], episode)[0])


# --- the plan --------------------------------------------------------------------------------------


class PlanNeedOut(Schema):
    position: int = Field(description="1 first")
    key: str
    label: str
    level: str
    tier: str = Field(description="Why the rule puts it where it is")
    rule_position: int = Field(description="Where the rule alone puts it, before any override")
    person_rank: int | None = Field(description="1 for the person's first priority")
    evidence: str
    raised_by: str
    actions: list[int] = Field(description="The ids of its actions, in `actions`")


class PlanActionOut(Schema):
    id: int
    version: int
    episode_id: int
    need_key: str
    need_label: str
    description: str
    owner_id: int
    owner_name: str
    due: dt.date
    status: str = Field(description="planned, in_progress, done or not_needed")
    task_id: int = Field(description="The task it made, on its owner's worklist")
    created_by_id: int
    created_at: dt.datetime
    updated_at: dt.datetime


class PlanOut(Schema):
    assessment_id: int | None = Field(
        description="The current (newest complete) assessment; null if none yet"
    )
    assessment_number: int | None
    overridden: bool = Field(description="A practitioner's order, with its reason, replaces the rule's")
    override_reason: str | None
    person_priorities: list[str]
    needs: list[PlanNeedOut] = Field(description="The needs (above no need) in the plan's order")
    actions: list[PlanActionOut] = Field(description="Every action in the episode, soonest due first")


def _action(action: PlanAction) -> dict[str, Any]:
    return {
        "id": action.pk,
        "version": action.version,
        "episode_id": action.episode_id,
        "need_key": action.need_key,
        "need_label": codes().label(action.need_key),
        "description": action.description,
        "owner_id": action.owner_id,
        "owner_name": str(action.owner),
        "due": action.due,
        "status": action.status,
        "task_id": action.task_id,
        "created_by_id": action.created_by_id,
        "created_at": action.created_at,
        "updated_at": action.updated_at,
    }


def _plan(episode: Episode) -> dict[str, Any]:
    """Four queries however many needs and actions: the current assessment, its needs, its newest
    override, and the episode's actions with their owners."""
    actions = list(episode.plan_actions.select_related("owner").order_by("due", "id"))
    assessment = current_assessment(episode)
    if assessment is None:
        return {
            "assessment_id": None,
            "assessment_number": None,
            "overridden": False,
            "override_reason": None,
            "person_priorities": [],
            "needs": [],
            "actions": [_action(a) for a in actions],
        }
    # The presenter's own fetch (plan_for) would read the actions a second time: fetch once, here.
    needs = list(assessment.needs.all())
    override = assessment.orders.first()
    plan = build_plan(assessment, needs, override, actions)
    return {**plan_as_dict(plan), "actions": [_action(a) for a in actions]}


class OrderIn(Schema):
    model_config = ConfigDict(extra="forbid")

    keys: list[str] = Field(description="Every need in the plan, each once, in the new order")
    reason: str = text(2000, description="Why the rule's order does not fit this person")


class PlanActionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    need_key: str = text(40, description="One of the plan's needs")
    description: str = text(300, description="What will be done")
    owner_id: Id = Field(description="A member of the episode's team: the task is theirs")
    due: dt.date


class PlanActionPatchIn(Schema):
    """Send `version` (from your last read) and what changes. Done or no longer needed closes the
    action's task; a finished action cannot be reopened."""

    model_config = ConfigDict(extra="forbid")

    version: int
    status: str = patch_field(12, **_codes(ActionStatus.values, "Where the action has got to"))
    owner_id: Id = patch_field(description="Give it (and its task) to another member of the team")
    due: dt.date = patch_field(description="A new date, for the action and its task")


@router.get("/episodes/{episode_id}/plan", response={200: PlanOut, ERROR_CODES: Problem})
def get_plan(request: HttpRequest, episode_id: int) -> dict[str, Any]:
    """The plan: the current (newest complete) assessment's needs in order, by the documented rule
    (immediate risk and safety, basic needs today, the person's own priorities, then by level) or a
    practitioner's override, and the episode's actions.

    An episode with no complete assessment yet has an empty plan (200, `assessment_id` null), not a
    404: a 404 here means only that the episode is missing or not yours.
    """
    episode, _ = get_episode_for_user(actor(request), episode_id, action="plan.view")
    return _plan(episode)


@router.post("/assessments/{assessment_id}/order", response={200: PlanOut, ERROR_CODES: Problem})
@idempotent
def reorder_plan(request: HttpRequest, assessment_id: int, payload: OrderIn) -> dict[str, Any]:
    """Override the rule's order of the current assessment's plan, with the reason; answers with the
    plan. The order must name every need in the plan once. Every override is kept; the newest wins."""
    user = actor(request)
    assessment, _ = get_assessment_for_user(user, assessment_id)
    with service_errors(_field):
        plan_reorder(actor=user, assessment=assessment, keys=payload.keys, reason=payload.reason)
    return _plan(assessment.episode)


@router.post("/episodes/{episode_id}/plan-actions", response={201: PlanActionOut, ERROR_CODES: Problem})
@idempotent
def create_plan_action(request: HttpRequest, episode_id: int, payload: PlanActionIn) -> Status:
    """Add an action against one of the current plan's needs. It makes a task for its owner, due that
    day, which shows on their worklist and the episode page."""
    user = actor(request)
    episode, _ = get_episode_for_user(user, episode_id)
    with service_errors({"owner": "owner_id", "episode": None}):
        action = plan_action_add(
            actor=user,
            episode=episode,
            need_key=payload.need_key,
            description=payload.description,
            owner_id=payload.owner_id,
            due=payload.due,
        )
    return Status(201, _action(action))


@router.patch("/plan-actions/{action_id}", response={200: PlanActionOut, ERROR_CODES: Problem})
def update_plan_action(request: HttpRequest, action_id: int, payload: PlanActionPatchIn) -> dict[str, Any]:
    """Move an action on, or give it to someone else or a new date; its task follows. A stale
    `version` is refused with 409."""
    user = actor(request)
    action, _ = get_plan_action_for_user(user, action_id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    if not data:
        raise field_problem("body", "Send a status, owner or due date to change, with the version")
    with service_errors({"owner": "owner_id", "episode": None}):
        updated = plan_action_update(actor=user, action=action, version=version, **data)
    return _action(updated)
