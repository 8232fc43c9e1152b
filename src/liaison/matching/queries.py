"""Reads for person matching: the real-time candidates at intake, merges, and the review queue.

Candidates are fetched by blocking keys with a fixed number of queries whatever the size of the
database (one for the name keys, one for the people with their identifiers and date of birth, one
for their other names, one for the population size), scored in Python, and only ever drawn from the
people the user's teams may know exist (the access policy's `visible_people`). The people shown are
audited, like any search result.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet

from liaison.core.access import first_clinical_membership, visible_people
from liaison.core.audit import audit
from liaison.core.models import User
from liaison.episodes.models import Episode
from liaison.matching.engine import COMPARISON_OF_KIND, Evidence, Frequencies, Model, default_model
from liaison.matching.features import (
    Prepared,
    Record,
    dob_variants,
    name_keys,
    names_from,
    prepare,
    value_keys,
)
from liaison.matching.models import (
    DuplicatePair,
    DuplicatePairStatus,
    MatchKey,
    MergeRecord,
    PairStatus,
    TermFrequency,
)
from liaison.matching.permissions import lead_teams
from liaison.matching.records import merged_away, record_for_person
from liaison.matching.services.keys import POPULATION_KIND
from liaison.matching.services.merge import person_relations
from liaison.people.models import Alias, Person

# More people than this sharing a key with one arrival means the keys say little (a very common
# name and no date of birth): score the first ones found rather than slow the intake page down.
MAX_FETCH = 1000
DEFAULT_LIMIT = 10
# Below this a candidate is not worth a practitioner's attention.
MIN_PROBABILITY = 0.01


@dataclass(frozen=True)
class Candidate:
    person: Person
    probability: float
    match_weight: float
    evidence: tuple[Evidence, ...]

    @property
    def likely(self) -> bool:
        return self.probability >= default_model().threshold


def intake_record(
    *,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date | None = None,
    sex: str = "",
    nhs_number: str = "",
    pnc_id: str = "",
    postcode: str = "",
    other_names: list[tuple[str, str]] | None = None,
) -> Record:
    """An arrival, referral or new-person form as a record to match."""
    return Record(
        names=names_from(given_name, family_name, other_names or []),
        date_of_birth=date_of_birth,
        sex=sex,
        nhs_number=nhs_number,
        pnc_id=pnc_id,
        postcode=postcode,
    )


def candidate_scope(user: User) -> QuerySet[Person]:
    """The people whose existence the user's teams may know: the access policy, nothing wider."""
    return visible_people(user).filter(~merged_away())


def population() -> int:
    """How many records there are, for the prior. The highest id: one index look-up, never smaller."""
    return Person.objects.aggregate(top=Max("pk"))["top"] or 0


def frequencies_for(records: Sequence[Prepared]) -> Frequencies:
    """How many people share each name and postcode of these records, from the term frequencies the
    last `liaison match-keys` or duplicate run stored: one query. Empty when none are stored yet."""
    keys: set[tuple[str, str]] = set()
    for record in records:
        keys |= {(kind, value) for kind, value in value_keys(record) if len(value) <= 80}  # as stored
    rows = TermFrequency.objects.filter(_key_filter(keys) | Q(kind=POPULATION_KIND)).values_list(
        "kind", "value", "count"
    )
    population = 0
    counts: dict[tuple[str, str], int] = {}
    for kind, value, count in rows:
        if kind == POPULATION_KIND:
            population = count
        else:
            counts[(COMPARISON_OF_KIND[kind], value)] = count
    return Frequencies(population=population, counts=counts if population else {})


def _key_filter(keys: set[tuple[str, str]]) -> Q:
    by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, value in sorted(keys):
        by_kind[kind].append(value[:80])
    condition = Q()
    for kind, values in by_kind.items():
        condition |= Q(kind=kind, value__in=values)
    return condition


def match_candidates(
    *,
    user: User,
    record: Record,
    limit: int = DEFAULT_LIMIT,
    min_probability: float = MIN_PROBABILITY,
    exclude: tuple[int, ...] = (),
    model: Model | None = None,
    people: int | None = None,
) -> list[Candidate]:
    """The people most likely to be the person in `record`, best first, with the evidence for each."""
    model = model or default_model()
    wanted = prepare(record)
    condition = Q()
    if wanted.nhs_number:
        condition |= Q(nhs_number=wanted.nhs_number)
    if wanted.pnc_id:
        condition |= Q(pnc_id=wanted.pnc_id)
    if wanted.date_of_birth is not None:
        condition |= Q(date_of_birth__in=dob_variants(wanted.date_of_birth))
    keys = name_keys(wanted)
    if keys:
        # Ids first, then people by id: an OR of indexed columns and a list of ids uses the indexes
        # on both databases, where an OR with a subquery can make PostgreSQL read the whole table.
        key_ids = list(
            MatchKey.objects.filter(_key_filter(keys))
            .values_list("person_id", flat=True)
            .distinct()[:MAX_FETCH]
        )
        if key_ids:
            condition |= Q(pk__in=key_ids)
    if not condition:
        return []
    found = list(
        candidate_scope(user)
        .filter(condition)
        .exclude(pk__in=exclude)
        .prefetch_related(Prefetch("aliases", queryset=Alias.objects.order_by("pk")))
        .order_by("pk")[:MAX_FETCH]
    )
    if not found:
        return []
    size = people if people is not None else population()
    theirs = [prepare(record_for_person(person, person.aliases.all())) for person in found]
    model = model.with_frequencies(frequencies_for([wanted, *theirs]))
    scored = []
    for person, their_record in zip(found, theirs, strict=True):
        score = model.score(wanted, their_record, population=size)
        if score.probability >= min_probability:
            scored.append(Candidate(person, score.probability, score.match_weight, score.evidence))
    scored.sort(key=lambda c: (-c.match_weight, c.person.pk))
    shown = scored[:limit]
    if shown:
        membership = first_clinical_membership(user)
        audit(
            actor=user,
            action="match.candidates",
            team_id=membership[0] if membership else None,
            role=membership[1] if membership else "",
            object_type="person",
            person_ids=[c.person.pk for c in shown],
            # Never the names searched for: the audit log holds who saw whom, not the intake form.
            detail={"shown": len(shown), "model": model.version},
        )
    return shown


def merged_into(person: Person) -> MergeRecord | None:
    """The standing merge of this record into another, if it has been merged away."""
    return (
        MergeRecord.objects.filter(duplicate=person, unmerged_at__isnull=True)
        .select_related("survivor")
        .first()
    )


def works_with(team_ids: Sequence[int]) -> QuerySet[Person]:
    """People these teams work with: an episode with one of them, or recorded by one and no episode yet.

    The access policy's relationship without break-the-glass, as `permissions.lead_team_for` asks it."""
    if not team_ids:
        return Person.objects.none()
    episodes = Episode.objects.filter(person=OuterRef("pk"), team_id__in=team_ids)
    return Person.objects.filter(Exists(episodes) | Q(registered_by_team_id__in=team_ids))


def duplicate_queue(*, user: User) -> QuerySet[DuplicatePair]:
    """Open pairs for the user to review: both people worked with by a team in which the user may merge
    records (break-the-glass never counts), neither merged away; most likely first."""
    scope = works_with(lead_teams(user)).filter(~merged_away()).values("pk")
    return (
        DuplicatePair.objects.filter(status=PairStatus.OPEN, person_a__in=scope, person_b__in=scope)
        .select_related("person_a", "person_b")
        .order_by("-probability", "pk")
    )


def pair_with_records(pk: int) -> DuplicatePair | None:
    """A pair with both people, their other names, and their episodes (team and site) for the pair page.

    Unscoped: the caller decides with `permissions.lead_team_for` whether the user may see it."""
    episodes = Episode.objects.select_related("team", "site").order_by("-arrival_at", "-pk")
    people = Person.objects.prefetch_related(
        Prefetch("aliases", queryset=Alias.objects.order_by("pk")), Prefetch("episodes", queryset=episodes)
    )
    return (
        DuplicatePair.objects.filter(pk=pk)
        .prefetch_related(Prefetch("person_a", queryset=people), Prefetch("person_b", queryset=people))
        .first()
    )


def pair_statuses(pair: DuplicatePair) -> list[DuplicatePairStatus]:
    return list(pair.statuses.select_related("by").order_by("at", "pk"))


def merges_into(person: Person) -> list[MergeRecord]:
    """The merges into this record, standing and undone, newest first."""
    return list(
        MergeRecord.objects.filter(survivor=person)
        .select_related("duplicate", "merged_by", "unmerged_by")
        .order_by("-merged_at", "-pk")
    )


@dataclass(frozen=True)
class Moving:
    kind: str  # "episodes", "other names"
    count: int
    stays_because: str | None  # why these stay with the merged-away record, None when they move


def merge_preview(person: Person) -> list[Moving]:
    """What a merge would do with this record's rows, kind by kind, from the merge service's own
    discovery of every relation to a person (one count per relation that has rows; empty kinds left out)."""
    found: list[Moving] = []
    for relation in person_relations():
        count = relation.model._base_manager.filter(**{relation.field.attname: person.pk}).count()
        if count:
            meta = relation.model._meta
            kind = str(meta.verbose_name if count == 1 else meta.verbose_name_plural)
            found.append(Moving(kind, count, relation.stays_because))
    return found
