"""Reads of episodes for the pages, always scoped to what the user may see.

Each query loads everything its page shows in a fixed number of SQL queries (select_related,
prefetches and subqueries), so a page costs the same with 3 episodes or 3,000.
"""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    Case,
    DateField,
    Exists,
    Min,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.query import prefetch_related_objects
from django.utils import timezone

from liaison.core.access import visible_people
from liaison.core.models import CLINICAL_ROLES, Membership, Site, Team, User
from liaison.core.permissions import role_in
from liaison.episodes.models import Contact, Episode, EpisodeStatus, Stage, Task

OPEN_STAGES = [stage for stage in Stage if stage != Stage.CLOSED]
# partners.models.Urgency.URGENT: named here, not imported, so episodes does not depend on partners.
URGENT_REFERRAL = "urgent"


def visible_episodes(user: User) -> QuerySet[Episode]:
    """Every episode of the people the user may see (core.access.visible_people), for the API's list."""
    return Episode.objects.filter(person__in=visible_people(user))


def worklist_for(
    *, user: User, team: Team | int, site_id: int | None = None, stage: str | None = None
) -> QuerySet[Episode]:
    """The team's open episodes at its own sites: any with an overdue task first, then urgent partner
    referrals, then newest arrivals (within each group, urgent referrals first, then newest).

    Empty unless the user holds a clinical role in the team. Each row carries `has_overdue`,
    `urgent_referral`, `next_task_due` and `next_task_title` from subqueries and the referral join,
    so the page never asks per row.
    """
    team_id = team if isinstance(team, int) else team.pk
    if role_in(user, team_id) not in CLINICAL_ROLES:
        return Episode.objects.none()
    today = timezone.localdate()
    open_tasks = Task.objects.filter(episode=OuterRef("pk"), done_at__isnull=True)
    next_due = open_tasks.order_by().values("episode").annotate(first=Min("due")).values("first")
    next_title = open_tasks.order_by("due", "pk").values("title")[:1]
    # The open stages by name, not "not closed": an equality list can use (team, stage, arrival).
    episodes = Episode.objects.filter(team_id=team_id, site__team_id=team_id, stage__in=OPEN_STAGES)
    if site_id:
        episodes = episodes.filter(site_id=site_id)
    if stage:
        episodes = episodes.filter(stage=stage)
    return (
        # partner_referral: the partners app's one-to-one, for the urgency and source of a referral.
        episodes.select_related("person", "site", "allocated_worker", "partner_referral")
        .annotate(
            has_overdue=Exists(open_tasks.filter(due__lt=today)),
            next_task_due=Subquery(next_due, output_field=DateField()),
            next_task_title=Subquery(next_title),
            # The same join as select_related above: no extra query.
            urgent_referral=Case(
                When(partner_referral__urgency=URGENT_REFERRAL, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by("-has_overdue", "-urgent_referral", "-arrival_at", "-pk")
    )


def team_sites(team: Team | int) -> list[Site]:
    team_id = team if isinstance(team, int) else team.pk
    return list(Site.objects.filter(team_id=team_id, active=True).order_by("name"))


def team_members(team: Team | int) -> list[User]:
    """People in the team who can own work: the clinical roles, by name."""
    team_id = team if isinstance(team, int) else team.pk
    memberships = (
        Membership.objects.filter(team_id=team_id, role__in=CLINICAL_ROLES)
        .select_related("user")
        .filter(user__is_active=True)
    )
    return sorted((m.user for m in memberships), key=lambda u: str(u).lower())


def episode_prefetches() -> list[Prefetch]:
    """What an episode's timeline needs, each relation with the users it names."""
    return [
        Prefetch("statuses", queryset=EpisodeStatus.objects.select_related("by").order_by("at", "pk")),
        Prefetch("contacts", queryset=Contact.objects.select_related("by").order_by("-at", "-pk")),
        Prefetch(
            "tasks",
            queryset=Task.objects.select_related("owner", "done_by", "created_by").order_by("due", "pk"),
        ),
    ]


def load_episode_timeline(episode: Episode) -> Episode:
    """Load an episode's stages, contacts and tasks (3 queries) onto an episode already fetched
    through the access policy (core.access.get_episode_for_user)."""
    prefetch_related_objects([episode], *episode_prefetches())
    return episode
