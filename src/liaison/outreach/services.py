"""Drop-in sessions: create, count the anonymous visitors, and register a known person (which is
also a successful contact on their open episode)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from liaison.core.audit import audit
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.models import CLINICAL_ROLES, Membership, Team, User
from liaison.core.permissions import can, role_in
from liaison.episodes.models import Channel, Episode, Stage
from liaison.episodes.services import contact_log
from liaison.outreach.models import DropInAttendance, DropInSession

OPERATION = "outreach.drop_in"
LONGEST_SESSION = dt.timedelta(hours=12)
NOTE_MAX = 2000


def _require(actor: User, team_id: int) -> str:
    if not can(actor, OPERATION, team_id):
        raise NotPermitted(OPERATION)
    return role_in(actor, team_id) or ""


@transaction.atomic
def session_create(
    *,
    actor: User,
    team: Team,
    place: str,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    staff_ids: list[int],
    site_id: int | None = None,
    notes: str = "",
) -> DropInSession:
    role = _require(actor, team.pk)
    errors: dict[str, str] = {}
    place = (place or "").strip()
    if not place:
        errors["place"] = "Enter where the drop-in is"
    elif len(place) > 200:
        errors["place"] = "Place must be 200 characters or fewer"
    if starts_at is None:
        errors["starts_at"] = "Enter when the drop-in starts"
    if ends_at is None:
        errors["ends_at"] = "Enter when the drop-in ends"
    if starts_at and ends_at:
        if ends_at <= starts_at:
            errors["ends_at"] = "The drop-in must end after it starts"
        elif ends_at - starts_at > LONGEST_SESSION:
            errors["ends_at"] = "A drop-in session is 12 hours at most: record a longer one as two"
    if starts_at and abs(starts_at - timezone.now()) > dt.timedelta(days=366):
        errors["starts_at"] = "The drop-in must be within a year of today"
    staff_ids = sorted(set(staff_ids))
    members = set(
        Membership.objects.filter(team=team, user_id__in=staff_ids, role__in=CLINICAL_ROLES).values_list(
            "user_id", flat=True
        )
    )
    if set(staff_ids) - members:
        errors["staff"] = "Choose staff from your team"
    if site_id is not None and not team.sites.filter(pk=site_id).exists():
        errors["site"] = "Choose one of your team's sites"
    if len(notes) > NOTE_MAX:
        errors["notes"] = "Notes must be 2,000 characters or fewer"
    if errors:
        raise ValidationError(errors)
    assert starts_at is not None and ends_at is not None  # noqa: S101 - checked above
    session = DropInSession.objects.create(
        team=team,
        site_id=site_id,
        place=place,
        starts_at=starts_at,
        ends_at=ends_at,
        notes=notes.strip(),
        created_by=actor,
    )
    session.staff.set(staff_ids)
    audit(
        actor=actor,
        action="drop_in.create",
        team_id=team.pk,
        role=role,
        object_type="drop_in",
        object_id=session.pk,
    )
    return session


@transaction.atomic
def session_update(
    *, actor: User, session: DropInSession, version: int, anonymous_count: int | None, notes: str
) -> DropInSession:
    role = _require(actor, session.team_id)
    errors: dict[str, str] = {}
    if anonymous_count is None or anonymous_count < 0:
        errors["anonymous_count"] = (
            "Enter how many people came without giving a name, as a number (0 or more)"
        )
    elif anonymous_count > 500:
        errors["anonymous_count"] = "That is more people than a drop-in holds: check the number"
    if len(notes) > NOTE_MAX:
        errors["notes"] = "Notes must be 2,000 characters or fewer"
    if errors:
        raise ValidationError(errors)
    changed = DropInSession.objects.filter(pk=session.pk, version=version).update(
        anonymous_count=anonymous_count, notes=notes.strip(), version=version + 1
    )
    if not changed:
        raise StaleWrite(
            object_type="drop-in session",
            object_id=session.pk,
            expected=version,
            current=_current_version(session),
        )
    audit(
        actor=actor,
        action="drop_in.update",
        team_id=session.team_id,
        role=role,
        object_type="drop_in",
        object_id=session.pk,
        detail={"anonymous_count": anonymous_count},
    )
    session.refresh_from_db()
    return session


def _current_version(session: DropInSession) -> int | None:
    return DropInSession.objects.filter(pk=session.pk).values_list("version", flat=True).first()


@transaction.atomic
def attendance_add(
    *, actor: User, session: DropInSession, episode: Episode, note: str = ""
) -> DropInAttendance:
    """Register a known person at the session; their open episode gets a successful drop-in contact."""
    role = _require(actor, session.team_id)
    if episode.team_id != session.team_id:
        # Only the team's own people: anyone else is counted anonymously.
        raise ValidationError({"episode": "Choose someone your team is working with"})
    if episode.stage == Stage.CLOSED:
        raise ValidationError(
            {"episode": "Their episode is closed: reopen it to record the visit, or count them anonymously"}
        )
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": "Note must be 2,000 characters or fewer"})
    if DropInAttendance.objects.filter(session=session, episode=episode).exists():
        raise ValidationError({"episode": "They are already on this session's register"})
    now = timezone.now()
    at = min(max(now, session.starts_at), session.ends_at)
    contact = contact_log(
        actor=actor,
        episode=episode,
        channel=Channel.DROP_IN,
        successful=True,
        at=at,
        note=(f"Came to the drop-in at {session.place}. " + note.strip()).strip(),
    )
    try:
        with transaction.atomic():
            attendance = DropInAttendance.objects.create(
                session=session, episode=episode, contact=contact, recorded_by=actor
            )
    except IntegrityError:
        raise ValidationError({"episode": "They are already on this session's register"}) from None
    audit(
        actor=actor,
        action="drop_in.attend",
        person_id=episode.person_id,
        team_id=session.team_id,
        role=role,
        object_type="drop_in",
        object_id=session.pk,
    )
    return attendance
