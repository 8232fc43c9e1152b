"""Writes to episodes: a new arrival, stage moves, contacts and tasks. Each validated and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from liaison.core.access import person_access
from liaison.core.audit import audit, audit_batch
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.group_commit import GroupCommit
from liaison.core.models import CLINICAL_ROLES, Membership, Site, Team, User
from liaison.core.permissions import can, role_in
from liaison.episodes.models import (
    AgeGroup,
    Channel,
    ClosureReason,
    Contact,
    Episode,
    EpisodeStatus,
    JusticeOutcome,
    OffenceCategory,
    PathwayPoint,
    ReferralSource,
    Stage,
    Task,
)
from liaison.episodes.signals import task_completed
from liaison.people.models import Person
from liaison.people.services import people_insert, person_prepared

# The stage machine. Any open episode may be closed (with a reason); otherwise one step forward.
TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.IDENTIFIED: frozenset({Stage.SCREENED, Stage.CLOSED}),
    Stage.SCREENED: frozenset({Stage.ASSESSED, Stage.CLOSED}),
    Stage.ASSESSED: frozenset({Stage.SUPPORT, Stage.CLOSED}),
    Stage.SUPPORT: frozenset({Stage.CLOSED}),
    Stage.CLOSED: frozenset(),
}
STAGE_TIME_FIELD: dict[str, str] = {
    Stage.SCREENED: "screened_at",
    Stage.ASSESSED: "assessed_at",
    Stage.SUPPORT: "support_at",
    Stage.CLOSED: "closed_at",
}
YOUTH_MIN_AGE = 10  # the age of criminal responsibility in England and Wales
ADULT_AGE = 18


def age_group_on(person: Person, day: dt.date) -> str:
    age = person.age_on(day)
    if age is None:
        return AgeGroup.UNKNOWN
    return AgeGroup.ADULT if age >= ADULT_AGE else AgeGroup.YOUTH


EARLIEST_ARRIVAL = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # older records belong to a data migration
TASK_DUE_WINDOW = (dt.timedelta(days=366), dt.timedelta(days=5 * 366))  # past, future


def _is_clinical_member(user_id: int, team_id: int) -> bool:
    """Work is allocated only to people who may open the record: not commissioners, partners or admins."""
    return Membership.objects.filter(user_id=user_id, team_id=team_id, role__in=CLINICAL_ROLES).exists()


def _require(actor: User, operation: str, team: Team | int) -> str:
    if not can(actor, operation, team):
        raise NotPermitted(f"Your role cannot do this ({operation}) for this team")
    return role_in(actor, team) or ""


def _check_choice(errors: dict[str, str], name: str, value: str, choices: Any, message: str) -> None:
    if value not in choices.values:
        errors[name] = message


def _clean_moment(errors: dict[str, str], name: str, value: dt.datetime | None, label: str) -> None:
    if value is None:
        return
    if timezone.is_naive(value):
        errors[name] = f"{label} must include a time zone"
    elif value > timezone.now() + dt.timedelta(minutes=5):
        errors[name] = f"{label} cannot be in the future"


def episode_prepared(
    *,
    actor: User,
    team: Team,
    person: Person,
    site_id: int,
    pathway_point: str,
    referral_source: str,
    arrival_at: dt.datetime,
    offence_category: str = OffenceCategory.NOT_KNOWN,
    custody_number: str = "",
    allocated_worker_id: int | None = None,
    operation: str = "episodes.create",
    new_person: bool = False,
) -> tuple[str, Episode]:
    """Every check of episode_open, and (the actor's role, the unsaved episode it would save).
    The person may be unsaved too: an arrival's, checked by people.services.person_prepared.

    `operation` is the permission the actor's role needs: a justice partner's referral opens the
    episode under "partners.refer" (partners.services), everyone else under "episodes.create".
    `new_person`: the person was registered by this actor for this team in the same transaction
    (arrival_create), so no other team's grant can apply and their access is not looked up.
    """
    role = _require(actor, operation, team)
    errors: dict[str, str] = {}
    site = Site.objects.filter(pk=site_id, team=team, active=True).first() if site_id else None
    if site is None:
        errors["site"] = "Select one of your team's sites"
    _check_choice(errors, "pathway_point", pathway_point, PathwayPoint, "Select where on the justice pathway")
    _check_choice(
        errors, "referral_source", referral_source, ReferralSource, "Select who referred the person"
    )
    _check_choice(errors, "offence_category", offence_category, OffenceCategory, "Select an offence category")
    _clean_moment(errors, "arrival_at", arrival_at, "Arrival time")
    if "arrival_at" not in errors and arrival_at is not None and arrival_at < EARLIEST_ARRIVAL:
        errors["arrival_at"] = "Arrival time must be in 2000 or later"
    if not new_person and person.pk is not None and person_access(actor, person.pk).via == "break_glass":
        # Breaking the glass lets a practitioner read a record, never take it on: an episode would
        # turn a time-limited, reviewed grant into a permanent relationship.
        raise NotPermitted(
            "This record was opened by breaking the glass, which gives read-only access. "
            "Ask the person's own team, or your team lead, to arrange a transfer."
        )
    if arrival_at is None:
        errors["arrival_at"] = "Enter the arrival date and time"
    if len(custody_number) > 40:
        errors["custody_number"] = "Custody or case number must be 40 characters or fewer"
    if allocated_worker_id and not _is_clinical_member(allocated_worker_id, team.pk):
        errors["allocated_worker"] = "Allocate the episode to a member of your team"
    age_group: str = AgeGroup.UNKNOWN
    if arrival_at is not None and "arrival_at" not in errors:
        arrival_day = timezone.localtime(arrival_at).date()
        if person.date_of_birth and person.date_of_birth > arrival_day:
            errors["arrival_at"] = "Arrival cannot be before the person's date of birth"
        else:
            age = person.age_on(arrival_day)
            if age is not None and age < YOUTH_MIN_AGE:
                errors["date_of_birth"] = "The person would be under 10 on arrival: check the date of birth"
            age_group = age_group_on(person, arrival_day)
    if errors or site is None:
        raise ValidationError(errors)
    episode = Episode(
        person=person,
        team=team,
        site=site,
        pathway_point=pathway_point,
        referral_source=referral_source,
        offence_category=offence_category,
        custody_number=custody_number.strip(),
        arrival_at=arrival_at,
        allocated_worker_id=allocated_worker_id,
        stage=Stage.IDENTIFIED,
        age_group=age_group,
    )
    return role, episode


def episodes_insert(episodes: Sequence[Episode], actors: Sequence[User]) -> None:
    """Save episodes checked by episode_prepared (their people saved first), each with its first
    status row by its actor: two statements however many. The caller audits, in the same transaction."""
    now = timezone.now()
    for episode in episodes:
        episode.identified_at = episode.created_at = episode.updated_at = now
    Episode.objects.bulk_create(episodes)
    EpisodeStatus.objects.bulk_create(
        EpisodeStatus(episode=episode, stage=Stage.IDENTIFIED, at=now, by=actor)
        for episode, actor in zip(episodes, actors, strict=True)
    )


def episode_open(*, actor: User, team: Team, person: Person, **fields: Any) -> Episode:
    """Open an episode for a person at one of the team's sites, at the identified stage.

    `fields` are episode_prepared's (the site, pathway point, referral source, arrival time and the
    rest; `operation` and `new_person`), which makes every check before the first write.
    """
    role, episode = episode_prepared(actor=actor, team=team, person=person, **fields)
    with transaction.atomic(savepoint=False):
        episodes_insert([episode], [actor])
        audit(
            actor=actor,
            action="episode.create",
            person_id=person.pk,
            team_id=team.pk,
            role=role,
            object_type="episode",
            object_id=episode.pk,
        )
    return episode


@dataclass
class Arrival:
    """A new person and their first episode, every check passed, not yet saved."""

    actor: User
    role: str
    team_id: int
    person: Person
    episode: Episode


def arrival_prepared(
    *, actor: User, team: Team, person_fields: dict[str, Any], episode_fields: dict[str, Any]
) -> Arrival:
    """Every check of an arrival, both parts, so the practitioner sees every problem at once."""
    role = _require(actor, "episodes.create", team)
    errors: dict[str, Any] = {}
    person = None
    try:
        person = person_prepared(team_id=team.pk, **person_fields)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    checked = person or Person(
        given_name="-", family_name="-", date_of_birth=person_fields.get("date_of_birth")
    )
    episode = None
    try:
        _, episode = episode_prepared(
            actor=actor, team=team, person=checked, new_person=True, **episode_fields
        )
    except ValidationError as exc:
        errors.update({k: v for k, v in exc.message_dict.items() if k not in errors})
    if errors or person is None or episode is None:
        raise ValidationError({k: v[0] if isinstance(v, list) else v for k, v in errors.items()})
    return Arrival(actor=actor, role=role, team_id=team.pk, person=person, episode=episode)


def arrivals_write(arrivals: Sequence[Arrival]) -> None:
    """Save checked arrivals in one transaction: the people, their match keys, the episodes and
    their status rows in four statements, and every audit event chained together at the end.
    May be called again with the same arrivals after a failure (group commit tries each alone)."""
    for a in arrivals:  # ids from a rolled-back try are not theirs
        a.person.pk = a.episode.pk = None
    with audit_batch():
        people_insert([a.person for a in arrivals])
        for a in arrivals:
            a.episode.person = a.person  # its id, now there is one
        episodes_insert([a.episode for a in arrivals], [a.actor for a in arrivals])
        for a in arrivals:
            for object_type, object_id in (("person", a.person.pk), ("episode", a.episode.pk)):
                audit(
                    actor=a.actor,
                    action=f"{object_type}.create",
                    person_id=a.person.pk,
                    team_id=a.team_id,
                    role=a.role,
                    object_type=object_type,
                    object_id=object_id,
                )


# Concurrent arrivals in one process share a transaction (docs/adr/0013-intake-group-commit.md):
# each request still returns only after its own arrival has committed.
# Only a failure of the arrivals themselves is worth trying again one by one; a lost connection
# (which may have committed) or a lock timeout is every arrival's answer.
_ARRIVALS: GroupCommit[Arrival] = GroupCommit(arrivals_write, retry_alone=(IntegrityError, DataError))


def arrival_create(
    *, actor: User, team: Team, person_fields: dict[str, Any], episode_fields: dict[str, Any]
) -> Episode:
    """Record a new custody (or court) arrival: a new person and their first episode, all or nothing.

    Every check comes first (arrival_prepared). Called inside a transaction, the arrival joins it;
    otherwise it is written with whatever other arrivals this process is writing at the same moment
    (group commit), and this returns once that transaction has committed.
    """
    arrival = arrival_prepared(
        actor=actor, team=team, person_fields=person_fields, episode_fields=episode_fields
    )
    connection = transaction.get_connection()
    if connection.in_atomic_block or not connection.get_autocommit():
        arrivals_write([arrival])
    else:
        _ARRIVALS.submit(arrival)
    return arrival.episode


def _locked_update(model: type, *, pk: int, version: int, object_type: str, **values: Any) -> None:
    updated = model.objects.filter(pk=pk, version=version).update(  # type: ignore[attr-defined]
        **values, version=F("version") + 1
    )
    if not updated:
        current = model.objects.filter(pk=pk).values_list("version", flat=True).first()  # type: ignore[attr-defined]
        raise StaleWrite(object_type=object_type, object_id=pk, expected=version, current=current)


@transaction.atomic
def episode_move(
    *,
    actor: User,
    episode: Episode,
    version: int,
    to_stage: str,
    at: dt.datetime | None = None,
    note: str = "",
    closure_reason: str = "",
    justice_outcome: str = "",
) -> Episode:
    """Move an episode to its next stage, or close it with a reason. Adds an immutable status row."""
    role = _require(actor, "episodes.change_stage", episode.team_id)
    at = at or timezone.now()
    errors: dict[str, str] = {}
    if to_stage not in Stage.values:
        errors["stage"] = "Select a stage"
    elif to_stage not in TRANSITIONS[episode.stage]:
        current = Stage(episode.stage).label
        allowed = ", ".join(Stage(s).label.lower() for s in sorted(TRANSITIONS[episode.stage])) or "nothing"
        errors["stage"] = (
            f"An episode at {current.lower()} can move to {allowed}, not {Stage(to_stage).label.lower()}"
        )
    _clean_moment(errors, "at", at, "The time of the change")
    if "at" not in errors and at < episode.arrival_at:
        errors["at"] = "The time of the change cannot be before the person arrived"
    elif "at" not in errors:
        latest = episode.statuses.order_by("-at").values_list("at", flat=True).first()
        if latest is not None and at < latest:
            when = timezone.localtime(latest).strftime("%d %B %Y at %H:%M")
            errors["at"] = f"The time of the change cannot be before the last change ({when})"
    if len(note) > 500:
        errors["note"] = "Note must be 500 characters or fewer"
    if to_stage == Stage.CLOSED:
        if not closure_reason:
            errors["closure_reason"] = "Select why the episode is being closed"
        elif closure_reason not in ClosureReason.values:
            errors["closure_reason"] = "Select a closure reason from the list"
    if justice_outcome and justice_outcome not in JusticeOutcome.values:
        errors["justice_outcome"] = "Select a justice outcome from the list"
    if errors:
        raise ValidationError(errors)
    values: dict[str, Any] = {"stage": to_stage, "updated_at": timezone.now(), STAGE_TIME_FIELD[to_stage]: at}
    if to_stage == Stage.CLOSED:
        values["closure_reason"] = closure_reason
    if justice_outcome:
        values["justice_outcome"] = justice_outcome
    _locked_update(Episode, pk=episode.pk, version=version, object_type="episode", **values)
    EpisodeStatus.objects.create(episode=episode, stage=to_stage, at=at, by=actor, note=note.strip())
    audit(
        actor=actor,
        action="episode.stage",
        person_id=episode.person_id,
        team_id=episode.team_id,
        role=role,
        object_type="episode",
        object_id=episode.pk,
        detail={"from": episode.stage, "to": to_stage},
    )
    episode.refresh_from_db()
    return episode


REOPEN_REASON_MIN = 10


@transaction.atomic
def episode_reopen(*, actor: User, episode: Episode, version: int, reason: str) -> Episode:
    """Reopen a closed episode at the stage it was closed from (support is indefinite: a person who
    comes back, or a closure that was too soon). Nothing is removed: the closing row stays in the
    history, and the reopening row says what the closure was and why it was reopened."""
    role = _require(actor, "episodes.change_stage", episode.team_id)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if episode.stage != Stage.CLOSED:
        errors["stage"] = "Only a closed episode can be reopened"
    if len(reason) < REOPEN_REASON_MIN:
        errors["reason"] = "Say why the episode is being reopened (at least 10 characters)"
    elif len(reason) > 400:
        errors["reason"] = "Reason must be 400 characters or fewer"
    if errors:
        raise ValidationError(errors)
    before_closing = (
        episode.statuses.exclude(stage=Stage.CLOSED)
        .order_by("-at", "-pk")
        .values_list("stage", flat=True)
        .first()
    ) or Stage.IDENTIFIED
    was = ClosureReason(episode.closure_reason).label if episode.closure_reason else "no reason recorded"
    now = timezone.now()
    _locked_update(
        Episode,
        pk=episode.pk,
        version=version,
        object_type="episode",
        stage=before_closing,
        closed_at=None,
        closure_reason="",
        updated_at=now,
    )
    EpisodeStatus.objects.create(
        episode=episode,
        stage=before_closing,
        at=now,
        by=actor,
        note=f"Reopened (closed: {was}). {reason}"[:500],
    )
    audit(
        actor=actor,
        action="episode.reopen",
        person_id=episode.person_id,
        team_id=episode.team_id,
        role=role,
        object_type="episode",
        object_id=episode.pk,
        detail={"to": before_closing, "closure_reason": episode.closure_reason},
    )
    episode.refresh_from_db()
    return episode


@transaction.atomic
def episode_update(*, actor: User, episode: Episode, version: int, **fields: Any) -> Episode:
    """Edit an episode's details (not its stage). Stale versions are refused."""
    role = _require(actor, "episodes.edit", episode.team_id)
    errors: dict[str, str] = {}
    allowed = {"offence_category", "custody_number", "allocated_worker_id", "justice_outcome"}
    for name in set(fields) - allowed:
        errors[name] = f"{name} cannot be changed here"
    if "offence_category" in fields:
        _check_choice(
            errors,
            "offence_category",
            fields["offence_category"],
            OffenceCategory,
            "Select an offence category",
        )
    if "justice_outcome" in fields:
        _check_choice(
            errors,
            "justice_outcome",
            fields["justice_outcome"],
            JusticeOutcome,
            "Select a justice outcome from the list",
        )
    if len(fields.get("custody_number") or "") > 40:
        errors["custody_number"] = "Custody or case number must be 40 characters or fewer"
    worker = fields.get("allocated_worker_id")
    if worker and not _is_clinical_member(worker, episode.team_id):
        errors["allocated_worker"] = "Allocate the episode to a member of the episode's team"
    if errors:
        raise ValidationError(errors)
    _locked_update(
        Episode, pk=episode.pk, version=version, object_type="episode", updated_at=timezone.now(), **fields
    )
    audit(
        actor=actor,
        action="episode.update",
        person_id=episode.person_id,
        team_id=episode.team_id,
        role=role,
        object_type="episode",
        object_id=episode.pk,
        detail={"fields": sorted(fields)},
    )
    episode.refresh_from_db()
    return episode


@transaction.atomic
def contact_log(
    *,
    actor: User,
    episode: Episode,
    channel: str,
    successful: bool,
    at: dt.datetime | None = None,
    note: str = "",
) -> Contact:
    """Record an interaction or an attempt at one. Failed attempts count: they drive outreach."""
    role = _require(actor, "episodes.log_contact", episode.team_id)
    at = at or timezone.now()
    errors: dict[str, str] = {}
    _check_choice(errors, "channel", channel, Channel, "Select how the contact was made")
    _clean_moment(errors, "at", at, "Contact time")
    if "at" not in errors and at < episode.arrival_at - dt.timedelta(days=1):
        errors["at"] = "Contact time cannot be before the episode began"
    if len(note) > 10_000:
        errors["note"] = "Note must be 10,000 characters or fewer"
    if errors:
        raise ValidationError(errors)
    contact = Contact.objects.create(
        episode=episode, at=at, channel=channel, successful=successful, note=note.strip(), by=actor
    )
    audit(
        actor=actor,
        action="contact.create",
        person_id=episode.person_id,
        team_id=episode.team_id,
        role=role,
        object_type="contact",
        object_id=contact.pk,
    )
    return contact


@transaction.atomic
def task_add(
    *, actor: User, episode: Episode, title: str, due: dt.date, owner_id: int | None = None, detail: str = ""
) -> Task:
    role = _require(actor, "episodes.add_task", episode.team_id)
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = "Enter what needs doing"
    elif len(title) > 200:
        errors["title"] = "Task must be 200 characters or fewer"
    if due is None:
        errors["due"] = "Enter the date the task is due"
    elif not (timezone.localdate() - TASK_DUE_WINDOW[0] <= due <= timezone.localdate() + TASK_DUE_WINDOW[1]):
        errors["due"] = "Due date must be within a year before today and five years after"
    if owner_id and not _is_clinical_member(owner_id, episode.team_id):
        errors["owner"] = "Give the task to a member of the episode's team"
    if len(detail) > 5000:
        errors["detail"] = "Detail must be 5,000 characters or fewer"
    if errors:
        raise ValidationError(errors)
    task = Task.objects.create(
        episode=episode,
        title=title,
        due=due,
        owner_id=owner_id or actor.pk,
        detail=detail.strip(),
        created_by=actor,
    )
    audit(
        actor=actor,
        action="task.create",
        person_id=episode.person_id,
        team_id=episode.team_id,
        role=role,
        object_type="task",
        object_id=task.pk,
    )
    return task


@transaction.atomic
def rule_task_ensure(
    *,
    episode: Episode,
    rule: str,
    dedupe_key: str,
    title: str,
    due: dt.date,
    created_by: User,
    owner_id: int | None = None,
    detail: str = "",
) -> tuple[Task, bool]:
    """The task a rule asks for, made once: a second call with the same `dedupe_key` returns the
    first task and False. `created_by` is the user whose action set the rule off (or the worker's
    service account); the task names the rule that made it."""
    existing = Task.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            task = Task.objects.create(
                episode=episode,
                title=title[:200],
                due=due,
                owner_id=owner_id,
                detail=detail,
                created_by=created_by,
                rule=rule,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:  # another process made it between the check and the insert
        return Task.objects.get(dedupe_key=dedupe_key), False
    audit(
        actor=created_by,
        action="task.create_by_rule",
        person_id=episode.person_id,
        team_id=episode.team_id,
        object_type="task",
        object_id=task.pk,
        detail={"rule": rule},
    )
    return task, True


@transaction.atomic
def rule_tasks_close(*, dedupe_keys: list[str], by: User) -> int:
    """Mark done the open rule tasks with these keys (the thing they chased has happened)."""
    tasks = list(
        Task.objects.filter(dedupe_key__in=dedupe_keys, done_at__isnull=True).select_related("episode")
    )
    now = timezone.now()
    for task in tasks:
        Task.objects.filter(pk=task.pk).update(done_at=now, done_by_id=by.pk, version=task.version + 1)
        audit(
            actor=by,
            action="task.close_by_rule",
            person_id=task.episode.person_id,
            team_id=task.episode.team_id,
            object_type="task",
            object_id=task.pk,
            detail={"rule": task.rule},
        )
    return len(tasks)


@transaction.atomic
def task_complete(*, actor: User, task: Task, version: int) -> Task:
    role = _require(actor, "episodes.complete_task", task.episode.team_id)
    if task.done_at is not None:
        raise ValidationError({"task": "This task is already done"})
    _locked_update(
        Task, pk=task.pk, version=version, object_type="task", done_at=timezone.now(), done_by_id=actor.pk
    )
    audit(
        actor=actor,
        action="task.complete",
        person_id=task.episode.person_id,
        team_id=task.episode.team_id,
        role=role,
        object_type="task",
        object_id=task.pk,
    )
    task.refresh_from_db()
    task_completed.send(sender=Task, task=task, actor=actor)
    return task
