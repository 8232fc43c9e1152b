"""Reads of people for the pages, always scoped through the access policy (core.access)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.query import prefetch_related_objects
from django.utils import timezone

from liaison.core.access import MAX_ID, visible_people, visible_person_ids
from liaison.core.models import AuditEvent, AuditEventPerson, BreakGlass, Team, User
from liaison.episodes.models import Episode
from liaison.episodes.queries import episode_prefetches
from liaison.matching.records import merged_away
from liaison.people.identifiers import normalise_nhs_number, normalise_pnc_id
from liaison.people.models import Alias, Person, PersonContact

SEARCH_LIMIT = 50


def search_people(
    *,
    user: User,
    name: str = "",
    date_of_birth: dt.date | None = None,
    nhs_number: str = "",
    pnc_id: str = "",
) -> QuerySet[Person]:
    """People the user may see who match every criterion given.

    Each word of `name` must start the person's first or last name, or a last name they are
    also known by (case-insensitive, on the indexed lower-case copies). A record merged into
    another is never listed: the surviving record holds everything, including this name.
    """
    people = visible_people(user).filter(~merged_away(), destruction_record__isnull=True)
    if name.split():
        people = _seen_and_named(people, name, user, other_names=True)
    if date_of_birth is not None:
        people = people.filter(date_of_birth=date_of_birth)
    if nhs_number:
        people = people.filter(nhs_number=normalise_nhs_number(nhs_number))
    if pnc_id:
        people = people.filter(pnc_id=normalise_pnc_id(pnc_id))
    return people.order_by("family_name_search", "given_name_search", "pk")


def first_or_last_named(people: QuerySet[Person], q: str, user: User) -> QuerySet[Person]:
    """The API's name filter: each word must start the given or the family name ("al riv" finds Alex
    Rivers); names the person is also known by are not searched here."""
    return _seen_and_named(people, q, user, other_names=False)


def _seen_and_named(
    people: QuerySet[Person], name: str, user: User, *, other_names: bool
) -> QuerySet[Person]:
    """`people` narrowed to those every word of `name` names (_named) and whom the user may see. The
    two id sets are intersected from the indexes alone before any person is read: a common surname
    is thousands of people nationally, of whom a team sees a few dozen."""
    visible = visible_person_ids(user)
    for word in name.lower().split():
        people = people.filter(pk__in=_named(word, other_names=other_names).intersection(visible))
    return people


def other_names_found(people: list[Person], name: str) -> dict[int, Alias]:
    """For each person a name search found only by another name they are known by: that name, so the
    results can say why someone called Baker is listed for "smith". One query, for those people only."""
    words = name.lower().split()

    def own(person: Person, word: str) -> bool:
        return person.given_name_search.startswith(word) or person.family_name_search.startswith(word)

    wanted = [p.pk for p in people if words and not all(own(p, w) for w in words)]
    found: dict[int, Alias] = {}
    if wanted:
        for alias in Alias.objects.filter(person_id__in=wanted).order_by("pk"):
            if alias.person_id not in found and any(alias.family_name_search.startswith(w) for w in words):
                found[alias.person_id] = alias
    return found


def _named(word: str, *, other_names: bool) -> QuerySet[Any]:
    """Ids of people whose first or last name, or (with `other_names`) a last name they are also known
    by, starts with `word`: indexed prefix scans in one UNION. (An OR over the three, with the access
    policy and the name order, made PostgreSQL walk all 600,000 people in name order: 690 ms against
    135. Then the access policy checked each person so named, thousands for a common surname: 30 ms;
    now the ids are intersected with the ids the user may see first, about 6 ms.)"""
    scans: list[QuerySet[Any, int]] = [
        Person.objects.filter(family_name_search__startswith=word).values_list("pk", flat=True),
    ]
    if other_names:
        scans.append(
            Alias.objects.filter(family_name_search__startswith=word).values_list("person_id", flat=True)
        )
    return (
        Person.objects.filter(given_name_search__startswith=word)
        .values_list("pk", flat=True)
        .union(*scans, all=True)
    )


def load_person_record(person: Person) -> Person:
    """Load what the person page shows onto a person fetched through core.access.get_person_for_user:
    aliases, contacts, and every episode (newest first) with its timeline. A fixed number of queries,
    however many episodes, contacts and tasks there are."""
    episodes = Episode.objects.select_related("site", "team", "allocated_worker").order_by(
        "-arrival_at", "-pk"
    )
    prefetch_related_objects(
        [person],
        # In the order they were recorded, so the list does not reshuffle between visits.
        Prefetch("aliases", queryset=Alias.objects.order_by("pk")),
        Prefetch("contacts", queryset=PersonContact.objects.order_by("pk")),
        Prefetch("episodes", queryset=episodes.prefetch_related(*episode_prefetches())),
    )
    return person


def contact_of(person: Person, pk: int) -> PersonContact | None:
    """One of this person's contacts, or None (another person's contact is None too)."""
    # An id past what the databases hold would raise instead of simply matching nothing.
    return person.contacts.filter(pk=pk).first() if 0 < pk <= MAX_ID else None


def alias_of(person: Person, pk: int) -> Alias | None:
    """One of this person's other names, or None (another person's is None too)."""
    return person.aliases.filter(pk=pk).first() if 0 < pk <= MAX_ID else None


def audit_events_for_person(person: Person) -> QuerySet[AuditEvent]:
    """Everything the audit log holds about one person, newest first (for team leads)."""
    # Single-record events name the person; lists, searches and worklists index every person they
    # showed in AuditEventPerson. Both count as viewing the record.
    shown_in = AuditEventPerson.objects.filter(person_id=person.pk).values("event_id")
    return AuditEvent.objects.filter(Q(person_id=person.pk) | Q(id__in=shown_in)).order_by("-at", "-id")


def team_names(team_ids: set[int]) -> dict[int, str]:
    return dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name"))


def break_glass_grants_for_team(team: Team | int) -> QuerySet[BreakGlass]:
    """A team's break-glass grants, newest first, for its team lead's review."""
    team_id = team if isinstance(team, int) else team.pk
    return BreakGlass.objects.filter(team_id=team_id).select_related("user").order_by("-granted_at", "-pk")


def active_break_glass(user: User, person: Person) -> BreakGlass | None:
    """The user's break-glass grant for this person that is still in force, if any."""
    return (
        BreakGlass.objects.filter(user=user, person=person, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


def user_names(user_ids: set[int]) -> dict[int, str]:
    """Display names for the audit page (the event keeps the username even if the user is renamed)."""
    return {user.pk: str(user) for user in User.objects.filter(pk__in=user_ids)}
