"""Reads for finding people, always scoped to the user's teams.

Arrival rows hold names and dates of birth, so they are personal data: they are read only through
these helpers, which keep them to the teams the user works in (and the sites of those teams), and
the single-record helpers audit the read, answering 404 (audited) for missing and not-yours alike.
Each list query costs a fixed number of SQL queries however many rows there are.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from liaison.core.access import MAX_ID, deny, record_id_or_deny
from liaison.core.audit import audit
from liaison.core.models import Team, User
from liaison.core.permissions import can, role_in, teams_for
from liaison.episodes.models import Episode
from liaison.identification.models import (
    OUTSTANDING,
    Arrival,
    ArrivalFlag,
    EpisodeFlag,
    ImportBatch,
    VulnerabilityFlag,
)
from liaison.matching.features import Record
from liaison.matching.queries import Candidate, candidate_scope, intake_record, match_candidates
from liaison.people.models import Person

VIEW = "identification.view_arrivals"


def _team_id(team: Team | int) -> int:
    return team if isinstance(team, int) else team.pk


def _flag_prefetch() -> Prefetch:
    return Prefetch(
        "flags", queryset=ArrivalFlag.objects.select_related("flag", "raised_by").order_by("flag__position")
    )


def review_worklist(
    *, user: User, team: Team | int, site_id: int | None = None, status: str | None = None
) -> QuerySet[Arrival]:
    """The team's arrivals at its own sites, newest first: by default those still needing a
    practitioner (not yet reviewed, or flagged with no episode yet). Empty for other roles."""
    team_id = _team_id(team)
    if not can(user, VIEW, team_id):
        return Arrival.objects.none()
    arrivals = Arrival.objects.filter(team_id=team_id, site__team_id=team_id)
    arrivals = arrivals.filter(status=status) if status else arrivals.filter(status__in=OUTSTANDING)
    if site_id:
        arrivals = arrivals.filter(site_id=site_id)
    return arrivals.select_related("site").prefetch_related(_flag_prefetch()).order_by("-arrival_at", "-pk")


def get_arrival_for_user(user: User, pk: object, *, action: str = "arrival.view") -> Arrival:
    """One arrival of a team the user may review lists for, with its flags; audited.

    404 (audited as access.denied) for a missing arrival and another team's alike.
    """
    arrival_id = record_id_or_deny(user, pk, "arrival")
    arrival = (
        Arrival.objects.filter(pk=arrival_id, team_id__in=teams_for(user, VIEW))
        .select_related("site", "team", "batch", "reviewed_by", "episode")
        .prefetch_related(_flag_prefetch())
        .first()
    )
    if arrival is None or arrival.site.team_id != arrival.team_id:
        raise deny(user, object_type="arrival", object_id=arrival_id)
    audit(
        actor=user,
        action=action,
        team_id=arrival.team_id,
        role=role_in(user, arrival.team_id) or "",
        object_type="arrival",
        object_id=arrival.pk,
    )
    return arrival


def get_batch_for_user(user: User, pk: object) -> ImportBatch:
    """One import batch of the user's teams (counts and problems by line: no personal data)."""
    batch_id = record_id_or_deny(user, pk, "import_batch")
    batch = (
        ImportBatch.objects.filter(pk=batch_id, team_id__in=teams_for(user, VIEW))
        .select_related("site", "imported_by")
        .first()
    )
    if batch is None:
        raise deny(user, object_type="import_batch", object_id=batch_id)
    return batch


def recent_batches(team: Team | int, *, limit: int = 5) -> list[ImportBatch]:
    return list(
        ImportBatch.objects.filter(team_id=_team_id(team))
        .select_related("site", "imported_by")
        .order_by("-imported_at", "-pk")[:limit]
    )


def arrival_record(arrival: Arrival) -> Record:
    """The arrival as the list gave it, as a record to match."""
    return intake_record(
        given_name=arrival.given_name,
        family_name=arrival.family_name,
        date_of_birth=arrival.date_of_birth,
        nhs_number=arrival.nhs_number,
        pnc_id=arrival.pnc_id,
    )


def arrival_candidates(user: User, arrival: Arrival) -> list[Candidate]:
    """People the user's teams may see who could be this arrival, most likely first, with the
    evidence (the matching engine: misspelt names, nicknames, swapped dates, other names). The
    engine audits the people offered ("match.candidates"), indexed per person."""
    return match_candidates(user=user, record=arrival_record(arrival))


def candidate_people(user: User, arrival: Arrival) -> list[Person]:
    """The people `arrival_candidates` offers, best first, without the evidence."""
    return [c.person for c in arrival_candidates(user, arrival)]


def offered_person(user: User, pk: int) -> Person:
    """A person chosen at intake as the one in front of us: only someone the user's teams may see who
    is not merged into another record (the people candidates are drawn from). Anyone else is the
    audited 404 every other person page gives, whatever id was posted."""
    if not 0 < pk <= MAX_ID:
        raise deny(user, object_type="person", object_id=str(pk)[:40])
    person = candidate_scope(user).filter(pk=pk).first()
    if person is None:
        raise deny(user, object_type="person", object_id=pk, person_id=pk)
    return person


def flag_choices() -> list[VulnerabilityFlag]:
    """The code list as offered in forms: active flags in their order."""
    return list(VulnerabilityFlag.objects.filter(active=True).order_by("position", "code"))


def episode_flags(episode: Episode) -> list[EpisodeFlag]:
    """The flags on an episode already fetched through core.access (one query)."""
    return list(
        EpisodeFlag.objects.filter(episode=episode)
        .select_related("flag", "raised_by")
        .order_by("flag__position", "pk")
    )
