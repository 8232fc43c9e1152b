"""The episodes API: arrivals, episodes and their stages, the contacts log and tasks.

Every read goes through the access helpers in core.access (404 for "missing" and "not yours"
alike, audited); every write calls episodes.services, which checks the role and audits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import AwareDatetime, ConfigDict

from liaison.api.common import ERROR_CODES, Id, actor, patch_field, resolve_team, text
from liaison.api.idempotency import idempotent
from liaison.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, paginate
from liaison.api.problems import Problem, field_problem, service_errors
from liaison.core.access import (
    MAX_ID,
    first_clinical_membership,
    get_contact_for_user,
    get_episode_for_user,
    get_person_for_user,
    get_task_for_user,
)
from liaison.core.audit import audit
from liaison.episodes.models import (
    Channel,
    ClosureReason,
    Contact,
    Episode,
    JusticeOutcome,
    OffenceCategory,
    PathwayPoint,
    ReferralSource,
    Stage,
    Task,
)
from liaison.episodes.queries import visible_episodes
from liaison.episodes.services import (
    arrival_create,
    contact_log,
    episode_move,
    episode_open,
    episode_update,
    task_add,
    task_complete,
)
from liaison.people.api import PersonFields, PersonOut, identifiers_normalised
from liaison.people.services import EDITABLE_FIELDS as PERSON_FIELDS

router = Router(tags=["episodes"])


def _codes(choices: Any, description: str) -> dict[str, Any]:
    return {"json_schema_extra": {"enum": list(choices.values), "description": description}}


PATHWAY_DOC = _codes(PathwayPoint, "Point on the justice pathway")
REFERRAL_DOC = _codes(ReferralSource, "MHSDS source of referral code (X1: the team's own list review)")
OFFENCE_DOC = _codes(OffenceCategory, "Alleged offence category")
OUTCOME_DOC = _codes(JusticeOutcome, "Justice outcome, empty when not known yet")
# The services name a few fields by the thing; the API's inputs carry ids.
EPISODE_RENAMES = {"site": "site_id", "allocated_worker": "allocated_worker_id"}


# --- episodes -------------------------------------------------------------------------------------


class EpisodeOut(Schema):
    id: int
    version: int
    person_id: int
    team_id: int
    site_id: int
    pathway_point: str
    referral_source: str
    offence_category: str
    custody_number: str
    arrival_at: dt.datetime
    identified_at: dt.datetime
    screened_at: dt.datetime | None
    assessed_at: dt.datetime | None
    support_at: dt.datetime | None
    closed_at: dt.datetime | None
    allocated_worker_id: int | None
    stage: str
    closure_reason: str
    justice_outcome: str
    age_group: str


class EpisodeFields(Schema):
    model_config = ConfigDict(extra="forbid")

    site_id: Id
    pathway_point: str = text(30, **PATHWAY_DOC)
    referral_source: str = text(2, **REFERRAL_DOC)
    arrival_at: AwareDatetime
    offence_category: str = text(20, OffenceCategory.NOT_KNOWN.value, **OFFENCE_DOC)
    custody_number: str = text(40, "")
    allocated_worker_id: Id | None = None


class EpisodeCreateIn(EpisodeFields):
    person_id: Id
    team_id: Id | None = None


class EpisodePatchIn(Schema):
    """Send `version` (from your last read) and only the fields to change.

    The stage moves by POST /episodes/{id}/stage, which keeps its history.
    """

    model_config = ConfigDict(extra="forbid")

    version: int
    offence_category: str = patch_field(20, **OFFENCE_DOC)
    custody_number: str = patch_field(40)
    allocated_worker_id: Id | None = Field(None, description="null to unallocate")
    justice_outcome: str = patch_field(30, **OUTCOME_DOC)


class StageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int
    stage: str = text(12, **_codes(Stage, "The stage to move to: the next one, or closed"))
    at: AwareDatetime | None = None
    note: str = text(500, "")
    closure_reason: str = text(20, "", **_codes(ClosureReason, "Required when closing"))
    justice_outcome: str = text(30, "", **OUTCOME_DOC)


class ArrivalIn(Schema):
    model_config = ConfigDict(extra="forbid")

    team_id: Id | None = None
    person: PersonFields
    episode: EpisodeFields


class ArrivalOut(Schema):
    person: PersonOut
    episode: EpisodeOut


@router.get("/episodes", response={200: Page[EpisodeOut], ERROR_CODES: Problem})
def list_episodes(
    request: HttpRequest,
    person_id: int | None = Query(None, ge=1, le=MAX_ID),
    team_id: int | None = Query(None, ge=1, le=MAX_ID),
    stage: str | None = Query(None, max_length=12),
    allocated_worker_id: int | None = Query(None, ge=1, le=MAX_ID),
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """Episodes of the people you may see, newest arrival first. The list read is audited."""
    user = actor(request)
    episodes = visible_episodes(user)
    filters: dict[str, Any] = {}
    for name, value in (
        ("person_id", person_id),
        ("team_id", team_id),
        ("stage", stage),
        ("allocated_worker_id", allocated_worker_id),
    ):
        if value is not None:
            episodes = episodes.filter(**{name: value})
            filters[name] = value
    rows, next_cursor = paginate(
        episodes, kind="episodes", order=("-arrival_at", "-id"), cursor=cursor, limit=limit
    )
    membership = first_clinical_membership(user)
    audit(
        actor=user,
        action="episode.list",
        team_id=membership[0] if membership else None,
        role=membership[1] if membership else "",
        object_type="episode",
        detail={"episode_ids": [e.pk for e in rows], "filters": filters},
        person_ids=[e.person_id for e in rows],
    )
    return {"items": rows, "next_cursor": next_cursor}


@router.post("/episodes", response={201: EpisodeOut, ERROR_CODES: Problem})
@idempotent
def create_episode(request: HttpRequest, payload: EpisodeCreateIn) -> Status:
    """Open a new episode for a person your team already knows."""
    user = actor(request)
    team = resolve_team(user, payload.team_id, "episodes.create")
    person, _ = get_person_for_user(user, payload.person_id)
    fields = payload.model_dump(exclude={"person_id", "team_id"})
    with service_errors(EPISODE_RENAMES):
        episode = episode_open(actor=user, team=team, person=person, **fields)
    return Status(201, episode)


def _arrival_field(name: str) -> str:
    if name in PERSON_FIELDS:
        return f"person.{name}"
    return f"episode.{EPISODE_RENAMES.get(name, name)}"


@router.post("/arrivals", response={201: ArrivalOut, ERROR_CODES: Problem})
@idempotent
def create_arrival(request: HttpRequest, payload: ArrivalIn) -> Status:
    """Record a new arrival: a person not yet known and their first episode, all or nothing."""
    user = actor(request)
    team = resolve_team(user, payload.team_id, "episodes.create")
    with service_errors(_arrival_field):
        episode = arrival_create(
            actor=user,
            team=team,
            person_fields=identifiers_normalised(payload.person.model_dump()),
            episode_fields=payload.episode.model_dump(),
        )
    return Status(201, {"person": episode.person, "episode": episode})


@router.get("/episodes/{episode_id}", response={200: EpisodeOut, ERROR_CODES: Problem})
def get_episode(request: HttpRequest, episode_id: int) -> Episode:
    episode, _ = get_episode_for_user(actor(request), episode_id)
    return episode


@router.patch("/episodes/{episode_id}", response={200: EpisodeOut, ERROR_CODES: Problem})
def update_episode(request: HttpRequest, episode_id: int, payload: EpisodePatchIn) -> Episode:
    """Change an episode's details. A stale `version` is refused with 409 and nothing changes."""
    user = actor(request)
    episode, _ = get_episode_for_user(user, episode_id)
    fields = payload.model_dump(exclude_unset=True)
    version = fields.pop("version")
    if not fields:
        raise field_problem("body", "Send at least one field to change, with the version")
    with service_errors(EPISODE_RENAMES):
        return episode_update(actor=user, episode=episode, version=version, **fields)


@router.post("/episodes/{episode_id}/stage", response={200: EpisodeOut, ERROR_CODES: Problem})
@idempotent
def move_episode(request: HttpRequest, episode_id: int, payload: StageIn) -> Episode:
    """Move the episode to its next stage, or close it with a reason. Each move is kept in its history."""
    user = actor(request)
    episode, _ = get_episode_for_user(user, episode_id)
    with service_errors():
        return episode_move(
            actor=user,
            episode=episode,
            version=payload.version,
            to_stage=payload.stage,
            at=payload.at,
            note=payload.note,
            closure_reason=payload.closure_reason,
            justice_outcome=payload.justice_outcome,
        )


# --- contacts ---------------------------------------------------------------------------------------


class ContactOut(Schema):
    id: int
    version: int
    episode_id: int
    at: dt.datetime
    channel: str
    successful: bool
    note: str
    by_id: int


class ContactIn(Schema):
    model_config = ConfigDict(extra="forbid")

    channel: str = text(12, **_codes(Channel, "How the contact was made or attempted"))
    successful: bool
    at: AwareDatetime | None = None
    note: str = text(10_000, "")


@router.get("/episodes/{episode_id}/contacts", response={200: Page[ContactOut], ERROR_CODES: Problem})
def list_contacts(
    request: HttpRequest,
    episode_id: int,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """The episode's contacts and attempts, newest first."""
    episode, _ = get_episode_for_user(actor(request), episode_id, action="contact.list")
    rows, next_cursor = paginate(
        episode.contacts.all(), kind="contacts", order=("-at", "-id"), cursor=cursor, limit=limit
    )
    return {"items": rows, "next_cursor": next_cursor}


@router.post("/episodes/{episode_id}/contacts", response={201: ContactOut, ERROR_CODES: Problem})
@idempotent
def create_contact(request: HttpRequest, episode_id: int, payload: ContactIn) -> Status:
    """Log a contact with the person, or an attempt at one."""
    user = actor(request)
    episode, _ = get_episode_for_user(user, episode_id)
    with service_errors():
        contact = contact_log(
            actor=user,
            episode=episode,
            channel=payload.channel,
            successful=payload.successful,
            at=payload.at,
            note=payload.note,
        )
    return Status(201, contact)


@router.get("/contacts/{contact_id}", response={200: ContactOut, ERROR_CODES: Problem})
def get_contact(request: HttpRequest, contact_id: int) -> Contact:
    contact, _ = get_contact_for_user(actor(request), contact_id)
    return contact


# --- tasks ------------------------------------------------------------------------------------------


class TaskOut(Schema):
    id: int
    version: int
    episode_id: int
    title: str
    detail: str
    due: dt.date
    owner_id: int | None
    done_at: dt.datetime | None
    done_by_id: int | None
    created_by_id: int


class TaskIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = text(200)
    due: dt.date
    owner_id: Id | None = None
    detail: str = text(5000, "")


class TaskCompleteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int


@router.get("/episodes/{episode_id}/tasks", response={200: Page[TaskOut], ERROR_CODES: Problem})
def list_tasks(
    request: HttpRequest,
    episode_id: int,
    done: bool | None = Query(None, description="true: only done tasks; false: only open ones"),
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """The episode's tasks, soonest due first."""
    episode, _ = get_episode_for_user(actor(request), episode_id, action="task.list")
    tasks = episode.tasks.all()
    if done is not None:
        tasks = tasks.filter(done_at__isnull=not done)
    rows, next_cursor = paginate(tasks, kind="tasks", order=("due", "id"), cursor=cursor, limit=limit)
    return {"items": rows, "next_cursor": next_cursor}


@router.post("/episodes/{episode_id}/tasks", response={201: TaskOut, ERROR_CODES: Problem})
@idempotent
def create_task(request: HttpRequest, episode_id: int, payload: TaskIn) -> Status:
    """Add a follow-up task to the episode; it is yours unless you give an owner."""
    user = actor(request)
    episode, _ = get_episode_for_user(user, episode_id)
    with service_errors({"owner": "owner_id"}):
        task = task_add(
            actor=user,
            episode=episode,
            title=payload.title,
            due=payload.due,
            owner_id=payload.owner_id,
            detail=payload.detail,
        )
    return Status(201, task)


@router.get("/tasks/{task_id}", response={200: TaskOut, ERROR_CODES: Problem})
def get_task(request: HttpRequest, task_id: int) -> Task:
    task, _ = get_task_for_user(actor(request), task_id)
    return task


@router.post("/tasks/{task_id}/complete", response={200: TaskOut, ERROR_CODES: Problem})
@idempotent
def complete_task(request: HttpRequest, task_id: int, payload: TaskCompleteIn) -> Task:
    """Mark the task done. A stale `version` is refused with 409."""
    user = actor(request)
    task, _ = get_task_for_user(user, task_id)
    with service_errors({"task": None}):
        return task_complete(actor=user, task=task, version=payload.version)
