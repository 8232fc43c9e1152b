"""Reads for drop-in pages, scoped to the user's team."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from liaison.core.access import MAX_ID, deny, record_id
from liaison.core.models import CLINICAL_ROLES, User
from liaison.core.permissions import roles_by_team
from liaison.episodes.models import Episode, Stage
from liaison.outreach.models import DropInAttendance, DropInSession

REGISTER_SEARCH_LIMIT = 10


def team_sessions(team_id: int) -> QuerySet[DropInSession]:
    return (
        DropInSession.objects.filter(team_id=team_id)
        .select_related("site")
        .annotate(known=Count("attendances"))
        .order_by("-starts_at", "-pk")
    )


def get_session_for_user(user: User, pk: object) -> DropInSession:
    """The session when the user holds a clinical role in its team; else an audited 404."""
    session_id = record_id(pk)
    teams = [team for team, role in roles_by_team(user).items() if role in CLINICAL_ROLES]
    session = (
        DropInSession.objects.filter(pk=session_id, team_id__in=teams).select_related("team", "site").first()
        if session_id is not None
        else None
    )
    if session is None:
        raise deny(user, object_type="drop_in", object_id=str(pk)[:40])
    return session


def team_episode(session: DropInSession, pk: int) -> Episode | None:
    """One of the session's team's episodes, for its register (anyone else's is None)."""
    if not 0 < pk <= MAX_ID:
        return None
    return Episode.objects.filter(pk=pk, team_id=session.team_id).select_related("person").first()


def register(session: DropInSession) -> list[DropInAttendance]:
    return list(
        session.attendances.select_related("episode__person", "contact", "recorded_by").order_by(
            "recorded_at", "pk"
        )
    )


def register_candidates(session: DropInSession, name: str) -> list[Episode]:
    """The team's open episodes whose person's names start with each word typed (bounded)."""
    words = name.lower().split()
    if not words:
        return []
    episodes = Episode.objects.filter(team_id=session.team_id).exclude(stage=Stage.CLOSED)
    for word in words[:4]:
        episodes = episodes.filter(
            Q(person__given_name_search__startswith=word) | Q(person__family_name_search__startswith=word)
        )
    already = DropInAttendance.objects.filter(session=session, episode=OuterRef("pk"))
    return list(
        episodes.select_related("person", "site")
        .annotate(on_register=Exists(already))
        .order_by("person__family_name_search", "person__given_name_search", "-arrival_at")[
            :REGISTER_SEARCH_LIMIT
        ]
    )
