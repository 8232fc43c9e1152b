"""The access policy: the one place that decides whether a user may see a person.

A user may see a person when they hold a clinical role in a team that has a legitimate
relationship with the person (an episode with that team, or the team recorded the person and no
episode exists yet), or while a "break the glass"
grant they made with a reason is in force. Everything else is answered with 404 — "missing"
and "not yours" look the same — and the attempt is audited.

Every fetch of person data in views and the API goes through the `get_*_for_user` helpers
here; they audit the read as they return it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from liaison.core.audit import audit
from liaison.core.models import CLINICAL_ROLES, BreakGlass, User
from liaison.core.permissions import roles_by_team
from liaison.episodes.models import Contact, Episode, Task
from liaison.people.models import Person


@dataclass(frozen=True)
class Access:
    allowed: bool
    via: str = ""  # "relationship" or "break_glass"
    team_id: int | None = None
    role: str = ""


DENIED = Access(allowed=False)


def clinical_team_ids(user: User) -> list[int]:
    if not user.is_authenticated or not user.is_active:
        return []
    return sorted(team_id for team_id, role in roles_by_team(user).items() if role in CLINICAL_ROLES)


def first_clinical_membership(user: User) -> tuple[int, str] | None:
    """(team id, role) to record on list and search events that span the user's teams."""
    team_ids = clinical_team_ids(user)
    return (team_ids[0], roles_by_team(user)[team_ids[0]]) if team_ids else None


def person_access(user: User, person_id: int) -> Access:
    """Decide whether `user` may see person `person_id`, and through which team."""
    team_ids = clinical_team_ids(user)
    if not team_ids:
        return DENIED
    roles = roles_by_team(user)
    related = (
        Episode.objects.filter(person_id=person_id, team_id__in=team_ids)
        .order_by("-arrival_at")
        .values_list("team_id", flat=True)
        .first()
    )
    if related is not None:
        return Access(True, "relationship", related, roles[related])
    registered = Person.objects.filter(pk=person_id, registered_by_team_id__in=team_ids).values_list(
        "registered_by_team_id", flat=True
    )
    registered_team = registered.first()
    if registered_team is not None:
        return Access(True, "relationship", registered_team, roles[registered_team])
    grant = (
        BreakGlass.objects.filter(
            user=user, person_id=person_id, team_id__in=team_ids, expires_at__gt=timezone.now()
        )
        .order_by("-expires_at")
        .first()
    )
    if grant is not None:
        return Access(True, "break_glass", grant.team_id, roles[grant.team_id])
    return DENIED


def visible_people(user: User) -> QuerySet[Person]:
    """People the user may see, as a query for searches and lists."""
    team_ids = clinical_team_ids(user)
    if not team_ids:
        return Person.objects.none()
    related = Episode.objects.filter(person=OuterRef("pk"), team_id__in=team_ids)
    glass = BreakGlass.objects.filter(
        person=OuterRef("pk"), user=user, team_id__in=team_ids, expires_at__gt=timezone.now()
    )
    return Person.objects.filter(Exists(related) | Exists(glass) | Q(registered_by_team_id__in=team_ids))


def visible_person_ids(user: User) -> QuerySet[Any]:
    """The ids of visible_people(user), as a union of index-only reads: a search intersects them with
    the ids of the people so named, so it reads only the people it lists. The same three grounds as
    visible_people, which a search still applies to what it lists; a test holds the two to the same
    people."""
    team_ids = clinical_team_ids(user)
    if not team_ids:
        return Person.objects.none().values_list("pk", flat=True)
    return (
        Episode.objects.filter(team_id__in=team_ids)
        .order_by()
        .values_list("person_id", flat=True)
        .union(
            Person.objects.filter(registered_by_team_id__in=team_ids).order_by().values_list("pk", flat=True),
            BreakGlass.objects.filter(user=user, team_id__in=team_ids, expires_at__gt=timezone.now())
            .order_by()
            .values_list("person_id", flat=True),
            all=True,
        )
    )


def deny(user: User, *, object_type: str, object_id: object, person_id: int | None = None) -> Http404:
    audit(
        actor=user if user.is_authenticated else None,
        action="access.denied",
        person_id=person_id,
        object_type=object_type,
        object_id=object_id,
    )
    return Http404("Not found")


MAX_ID = 2**63 - 1  # the largest id either database can hold


def record_id(pk: object) -> int | None:
    """The id as a number the databases can compare, or None (a denial, never a 500)."""
    try:
        value = int(str(pk))
    except ValueError:
        return None
    return value if 0 < value <= MAX_ID else None


def record_id_or_deny(user: User, pk: object, object_type: str) -> int:
    """The id as a number both databases can compare; anything else is an audited 404, never a 500."""
    value = record_id(pk)
    if value is None:
        raise deny(user, object_type=object_type, object_id=str(pk)[:40])
    return value


def get_person_for_user(user: User, pk: object, *, action: str = "person.view") -> tuple[Person, Access]:
    """The person and how the user reached them; 404 (audited) for missing and not-yours alike."""
    person_id = record_id(pk)
    if person_id is None:
        raise deny(user, object_type="person", object_id=str(pk)[:40])
    access = person_access(user, person_id)
    person = Person.objects.filter(pk=person_id).first() if access.allowed else None
    if person is None:
        raise deny(user, object_type="person", object_id=person_id, person_id=person_id)
    audit(
        actor=user,
        action=action,
        person_id=person.pk,
        team_id=access.team_id,
        role=access.role,
        object_type="person",
        object_id=person.pk,
        detail={"via": access.via},
    )
    return person, access


def _get_child_for_user(
    user: User, queryset: QuerySet, pk: object, object_type: str, action: str
) -> tuple[Any, Access]:
    obj_id = record_id(pk)
    if obj_id is None:
        raise deny(user, object_type=object_type, object_id=str(pk)[:40])
    obj = queryset.filter(pk=obj_id).first()
    person_id = obj.person_id if obj is not None and hasattr(obj, "person_id") else None
    if obj is not None and person_id is None:
        person_id = obj.episode.person_id
    access = person_access(user, person_id) if person_id is not None else DENIED
    if obj is None or not access.allowed:
        raise deny(user, object_type=object_type, object_id=obj_id, person_id=person_id)
    audit(
        actor=user,
        action=action,
        person_id=person_id,
        team_id=access.team_id,
        role=access.role,
        object_type=object_type,
        object_id=obj_id,
        detail={"via": access.via},
    )
    return obj, access


def get_episode_for_user(user: User, pk: object, *, action: str = "episode.view") -> tuple[Episode, Access]:
    qs = Episode.objects.select_related("person", "site", "team", "allocated_worker")
    return _get_child_for_user(user, qs, pk, "episode", action)


def get_contact_for_user(user: User, pk: object, *, action: str = "contact.view") -> tuple[Contact, Access]:
    qs = Contact.objects.select_related("episode", "by")
    return _get_child_for_user(user, qs, pk, "contact", action)


def get_task_for_user(user: User, pk: object, *, action: str = "task.view") -> tuple[Task, Access]:
    qs = Task.objects.select_related("episode", "owner")
    return _get_child_for_user(user, qs, pk, "task", action)
