"""Writes for awareness training: record a session with its anonymous knowledge scores.

Checked (training.record in the team), validated with errors keyed by form field, audited. A session
is recorded once; the scores are entered with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from liaison.core.audit import audit
from liaison.core.errors import NotPermitted
from liaison.core.models import Team, User
from liaison.core.permissions import can, role_in
from liaison.training.models import SCORE_MAX, SCORE_MIN, AgencyKind, KnowledgeScore, TrainingSession

TEXT_MAX = 200
ATTENDEES_MAX = 1000
OLDEST = dt.timedelta(days=5 * 366)

Score = tuple[int | None, int | None]


def _text(errors: dict[str, str], name: str, value: str | None, label: str) -> str:
    text = (value or "").strip()
    if not text:
        errors[name] = f"Enter {label}"
    elif len(text) > TEXT_MAX:
        errors[name] = f"{label[:1].upper()}{label[1:]} must be {TEXT_MAX} characters or fewer"
    return text


def parse_scores(text: str) -> tuple[list[Score], list[str]]:
    """Lines of "before, after" ("4, 7"; "4," or ", 8" when one side is missing) -> rows and problems."""
    rows: list[Score] = []
    problems: list[str] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(",")]
        if len(parts) != 2:
            problems.append(f"Line {number}: write the score before, a comma, then the score after")
            continue
        values: list[int | None] = []
        for part in parts:
            if part == "":
                values.append(None)
            elif part.isdigit():
                values.append(int(part))
            else:
                problems.append(
                    f"Line {number}: scores must be whole numbers from {SCORE_MIN} to {SCORE_MAX}"
                )
                break
        else:
            rows.append((values[0], values[1]))
    return rows, problems


def _check_scores(errors: dict[str, str], scores: Iterable[Score], attendees: int | None) -> list[Score]:
    rows = list(scores)
    problems = []
    for number, (pre, post) in enumerate(rows, start=1):
        if pre is None and post is None:
            problems.append(f"Line {number}: give a score before, after, or both")
        elif any(v is not None and not SCORE_MIN <= v <= SCORE_MAX for v in (pre, post)):
            problems.append(f"Line {number}: scores must be whole numbers from {SCORE_MIN} to {SCORE_MAX}")
    if problems:
        errors["scores"] = ". ".join(problems[:3]) + (
            f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        )
    elif attendees is not None and len(rows) > attendees:
        errors["scores"] = (
            f"There are {len(rows)} rows of scores but {attendees} attendee{'s' if attendees != 1 else ''}: "
            "each attendee gives at most one row"
        )
    return rows


@transaction.atomic
def record_session(
    *,
    actor: User,
    team: Team | int,
    agency_kind: str,
    agency_name: str,
    audience: str,
    topic: str,
    delivered_on: dt.date | None,
    attendees: int | None,
    facilitator: str,
    scores: Iterable[Score] = (),
) -> TrainingSession:
    team_id = team if isinstance(team, int) else team.pk
    if not can(actor, "training.record", team_id):
        raise NotPermitted("Your role cannot record training in this team")
    errors: dict[str, str] = {}
    if agency_kind not in AgencyKind.values:
        errors["agency_kind"] = "Choose the kind of agency"
    agency_name = _text(errors, "agency_name", agency_name, "the agency's name")
    audience = _text(errors, "audience", audience, "who attended (their roles)")
    topic = _text(errors, "topic", topic, "the topic")
    facilitator = _text(errors, "facilitator", facilitator, "who ran the session")
    today = timezone.localdate()
    if delivered_on is None:
        errors["delivered_on"] = "Enter the date of the session"
    elif delivered_on > today:
        errors["delivered_on"] = "The date of the session must be today or in the past"
    elif delivered_on < today - OLDEST:
        errors["delivered_on"] = "The date of the session must be within the last 5 years"
    if attendees is None:
        errors["attendees"] = "Enter the number of attendees"
    elif not 1 <= attendees <= ATTENDEES_MAX:
        errors["attendees"] = f"The number of attendees must be between 1 and {ATTENDEES_MAX:,}"
        attendees = None
    rows = _check_scores(errors, scores, attendees)
    if errors or delivered_on is None or attendees is None:
        raise ValidationError(errors)
    session = TrainingSession.objects.create(
        team_id=team_id,
        agency_kind=agency_kind,
        agency_name=agency_name,
        audience=audience,
        topic=topic,
        delivered_on=delivered_on,
        attendees=attendees,
        facilitator=facilitator,
        recorded_by=actor,
    )
    KnowledgeScore.objects.bulk_create(
        KnowledgeScore(session=session, pre=pre, post=post) for pre, post in rows
    )
    audit(
        actor=actor,
        action="training.record",
        team_id=team_id,
        role=role_in(actor, team_id) or "",
        object_type="training_session",
        object_id=session.pk,
        detail={"agency_kind": agency_kind, "attendees": attendees, "scores": len(rows)},
    )
    return session
