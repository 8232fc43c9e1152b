"""Writes to screenings: start one, save answers as they come, complete it. Each checked and audited.

The score is never typed in: the pure engine computes it from the answers at completion, and the
result is stored with the instrument's version. Completing a screening moves an episode still at
"identified" to "screened" (setting screened_at), and a suicide-risk flag creates an urgent task
due today in the same transaction, so the alert and the task can never be missed apart.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from liaison.core.access import person_access
from liaison.core.audit import audit
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.models import User
from liaison.core.permissions import can, role_in
from liaison.episodes.models import Episode, Stage, Task
from liaison.episodes.services import episode_move, task_add
from liaison.screening import instruments
from liaison.screening.instruments import Definition, Result, ScoringError
from liaison.screening.models import AlertAction, Screening, ScreeningStatus

NOTE_MAX = 5000
BREAK_GLASS_READ_ONLY = (
    "This record was opened by breaking the glass, which gives read-only access: "
    "the person's own team acknowledges the alert."
)


def _require(actor: User, team_id: int) -> str:
    if not can(actor, "screening.record", team_id):
        raise NotPermitted("Your role cannot record screenings for this team")
    return role_in(actor, team_id) or ""


def _problems(error: ScoringError) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for problem in error.problems:
        found.setdefault(problem.field, []).append(problem.message)
    return found


def age_problem(definition: Definition, episode: Episode, day: dt.date) -> str | None:
    """Why the instrument does not suit the person on that day, or None when it does."""
    age = episode.person.age_on(day)
    if definition.suits_age(age):
        return None
    return (
        f"{definition.short_title} is for people aged {definition.age_range}: "
        f"this person is {age} on {day.day} {day:%B %Y}"
    )


def _definition(screening: Screening) -> Definition:
    return instruments.get(screening.instrument_code, screening.instrument_version)


def _clean_answers(
    definition: Definition, answers: dict[str, Any], profile: str
) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Keys as strings; the engine checks each value (unknown items, out of range), not completeness."""
    cleaned = {str(key): value for key, value in answers.items()}
    problems = instruments.check(definition.code, cleaned, profile, version=definition.version)
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.field, []).append(problem.message)
    return cleaned, errors


def _check_open(errors: dict[str, Any], episode: Episode) -> None:
    if episode.stage == Stage.CLOSED:
        errors["episode"] = "This episode is closed: open a new episode to screen the person"


@transaction.atomic
def screening_start(
    *,
    actor: User,
    episode: Episode,
    instrument: str,
    profile: str = "",
    answers: dict[str, Any] | None = None,
    note: str = "",
) -> Screening:
    """Start a screening with an instrument suited to the person's age today; answers may come later."""
    role = _require(actor, episode.team_id)
    errors: dict[str, Any] = {}
    _check_open(errors, episode)
    try:
        definition = instruments.get(instrument)
    except instruments.UnknownInstrument:
        raise ValidationError({"instrument": "Select an instrument from the list"}) from None
    chosen = definition.profile(profile)
    if chosen is None:
        errors["profile"] = f"{definition.short_title} has no profile {profile!r}"
    now = timezone.now()
    if problem := age_problem(definition, episode, timezone.localdate(now)):
        errors["instrument"] = problem
    cleaned: dict[str, int] = {}
    if chosen is not None:
        cleaned, answer_errors = _clean_answers(definition, answers or {}, chosen.code)
        errors.update(answer_errors)
    if len(note) > NOTE_MAX:
        errors["note"] = f"Note must be {NOTE_MAX:,} characters or fewer"
    if errors or chosen is None:
        raise ValidationError(errors)
    screening = Screening.objects.create(
        episode=episode,
        instrument_code=definition.code,
        instrument_version=definition.version,
        profile=chosen.code,
        answers=cleaned,
        note=note.strip(),
        by=actor,
        started_at=now,
        updated_at=now,
    )
    audit(
        actor=actor,
        action="screening.create",
        person_id=episode.person_id,
        team_id=episode.team_id,
        role=role,
        object_type="screening",
        object_id=screening.pk,
        detail={"instrument": definition.code, "version": definition.version},
    )
    return screening


def _locked_update(screening: Screening, version: int, **values: Any) -> None:
    updated = Screening.objects.filter(pk=screening.pk, version=version).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        current = Screening.objects.filter(pk=screening.pk).values_list("version", flat=True).first()
        raise StaleWrite(object_type="screening", object_id=screening.pk, expected=version, current=current)


def _check_draft(screening: Screening) -> None:
    if screening.status == ScreeningStatus.COMPLETE:
        raise ValidationError({"screening": "This screening is complete: its answers cannot be changed"})


@transaction.atomic
def screening_save_answers(
    *,
    actor: User,
    screening: Screening,
    version: int,
    answers: dict[str, Any],
    profile: str | None = None,
    note: str | None = None,
) -> Screening:
    """Replace a draft's answers with these (partial answers are fine). Stale versions are refused."""
    episode = screening.episode
    role = _require(actor, episode.team_id)
    _check_draft(screening)
    definition = _definition(screening)
    profile_code = screening.profile if profile is None else profile
    errors: dict[str, Any] = {}
    chosen = definition.profile(profile_code)
    if chosen is None:
        raise ValidationError({"profile": f"{definition.short_title} has no profile {profile_code!r}"})
    cleaned, answer_errors = _clean_answers(definition, answers, chosen.code)
    errors.update(answer_errors)
    if note is not None and len(note) > NOTE_MAX:
        errors["note"] = f"Note must be {NOTE_MAX:,} characters or fewer"
    if errors:
        raise ValidationError(errors)
    values: dict[str, Any] = {"answers": cleaned, "profile": chosen.code}
    if note is not None:
        values["note"] = note.strip()
    _locked_update(screening, version, **values)
    audit(
        actor=actor,
        action="screening.update",
        person_id=episode.person_id,
        team_id=episode.team_id,
        role=role,
        object_type="screening",
        object_id=screening.pk,
        detail={"answered": len(cleaned)},
    )
    screening.refresh_from_db()
    return screening


def urgent_task_title(definition: Definition) -> str:
    return f"Urgent: suicide risk flagged by {definition.short_title}. See the person today"


@transaction.atomic
def screening_complete(*, actor: User, screening: Screening, version: int) -> Screening:
    """Score the saved answers and store the result with the instrument version.

    Refused (nothing changes) when an item is missing or out of range, or the instrument no longer
    suits the person's age today. Moves an episode at "identified" to "screened"; a suicide-risk
    flag creates an urgent task due today.
    """
    episode = screening.episode
    role = _require(actor, episode.team_id)
    _check_draft(screening)
    if screening.version != version:
        raise StaleWrite(
            object_type="screening", object_id=screening.pk, expected=version, current=screening.version
        )
    definition = _definition(screening)
    errors: dict[str, Any] = {}
    _check_open(errors, episode)
    now = timezone.now()
    if problem := age_problem(definition, episode, timezone.localdate(now)):
        errors["instrument"] = problem
    result: Result | None = None
    try:
        result = instruments.score(
            definition.code, screening.answers, screening.profile, version=definition.version
        )
    except ScoringError as exc:
        errors.update(_problems(exc))
    if errors or result is None:
        raise ValidationError(errors)
    suicide_risk = any(
        (info := definition.flag(flag)) is not None and info.suicide_risk for flag in result.flags
    )
    task: Task | None = None
    if suicide_risk:
        task = task_add(
            actor=actor,
            episode=episode,
            title=urgent_task_title(definition),
            due=timezone.localdate(now),
            detail=f"{definition.short_title} screening {screening.pk}: "
            + "; ".join(f.label for code in result.flags if (f := definition.flag(code)) is not None),
        )
    _locked_update(
        screening,
        version,
        status=ScreeningStatus.COMPLETE,
        total=result.total,
        band=result.band or "",
        positive=result.positive,
        flags=list(result.flags),
        subscores=dict(result.subscores),
        result_notes=list(result.notes),
        suicide_risk=suicide_risk,
        urgent_task=task,
        completed_at=now,
        completed_by=actor,
    )
    audit(
        actor=actor,
        action="screening.complete",
        person_id=episode.person_id,
        team_id=episode.team_id,
        role=role,
        object_type="screening",
        object_id=screening.pk,
        detail={
            "instrument": definition.code,
            "version": definition.version,
            "profile": screening.profile,
            "total": result.total,
            "band": result.band,
            "flags": list(result.flags),
        },
    )
    # Lock the episode row so a concurrent stage move cannot slip between reading and moving it.
    current = Episode.objects.select_for_update().select_related("person").get(pk=episode.pk)
    if current.stage == Stage.IDENTIFIED:
        episode_move(
            actor=actor,
            episode=current,
            version=current.version,
            to_stage=Stage.SCREENED,
            at=now,
            note=f"{definition.short_title} completed",
        )
    screening.refresh_from_db()
    return screening


@transaction.atomic
def screening_acknowledge(
    *, actor: User, screening: Screening, version: int, action: str, note: str
) -> Screening:
    """Record that the suicide-risk alert was seen and what was done about it.

    The alert stays on the person's record (as a quieter summary); the urgent task is NOT completed:
    it stays open until someone marks it done. Stale versions are refused; so is a second
    acknowledgement, an alert-free screening, and a break-glass (read-only) reader.
    """
    episode = screening.episode
    role = _require(actor, episode.team_id)
    if person_access(actor, episode.person_id).via == "break_glass":
        raise NotPermitted(BREAK_GLASS_READ_ONLY)
    if screening.version != version:
        raise StaleWrite(
            object_type="screening", object_id=screening.pk, expected=version, current=screening.version
        )
    if not (screening.is_complete and screening.suicide_risk):
        raise ValidationError({"screening": "This screening raised no suicide-risk alert to acknowledge"})
    if screening.is_acknowledged:
        raise ValidationError({"screening": "This alert has already been acknowledged"})
    errors: dict[str, str] = {}
    if action not in AlertAction.values:
        errors["action"] = "Select what was done"
    note = note.strip()
    if not note:
        errors["note"] = "Enter a note of what was done"
    elif len(note) > NOTE_MAX:
        errors["note"] = f"Note must be {NOTE_MAX:,} characters or fewer"
    if errors:
        raise ValidationError(errors)
    _locked_update(
        screening,
        version,
        acknowledged_at=timezone.now(),
        acknowledged_by=actor,
        acknowledged_action=action,
        acknowledged_note=note,
    )
    audit(
        actor=actor,
        action="screening.alert_acknowledged",
        person_id=episode.person_id,
        team_id=episode.team_id,
        role=role,
        object_type="screening",
        object_id=screening.pk,
        detail={"action": action},
    )
    screening.refresh_from_db()
    return screening
