"""Who may review duplicates and merge records: someone with the named permission "people.merge" (the
team lead, core.permissions) in a team that works with every person involved.

"Works with" is the access policy's relationship (an episode with the team, or the team recorded the
person): breaking the glass never counts, because it is a short, read-only grant for one urgent
reason, and a merge changes two records. The services, the review pages and the queue all ask here.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q

from liaison.core.models import User
from liaison.core.permissions import teams_for
from liaison.episodes.models import Episode
from liaison.matching.models import MergeRecord
from liaison.people.models import Person

MERGE = "people.merge"


def lead_teams(user: User) -> list[int]:
    """The teams in which the user may review duplicates and merge records."""
    if not user.is_authenticated or not user.is_active:
        return []
    return sorted(teams_for(user, MERGE))


def _current_record(person_id: int) -> int:
    """The record a merged-away person now lives in (following merges of merges), else the person."""
    seen = {person_id}
    while True:
        survivor = (
            MergeRecord.objects.filter(duplicate_id=person_id, unmerged_at__isnull=True)
            .values_list("survivor_id", flat=True)
            .first()
        )
        if survivor is None or survivor in seen:
            return person_id
        seen.add(survivor)
        person_id = survivor


def lead_team_for(user: User, person_ids: Sequence[int]) -> int | None:
    """The lead's team that works with the first person, if their teams work with every one; else None."""
    teams = lead_teams(user)
    if not teams:
        return None
    first_team: int | None = None
    for person_id in (_current_record(pid) for pid in person_ids):
        episode_team = (
            Episode.objects.filter(person_id=person_id, team_id__in=teams)
            .order_by("-arrival_at")
            .values_list("team_id", flat=True)
            .first()
        )
        team = episode_team
        if team is None:
            team = (
                Person.objects.filter(Q(pk=person_id) & Q(registered_by_team_id__in=teams))
                .values_list("registered_by_team_id", flat=True)
                .first()
            )
        if team is None:
            return None
        first_team = team if first_team is None else first_team
    return first_team
