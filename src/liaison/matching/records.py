"""From the database to the engine's plain records: a person and every name they are known by."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from django.db.models import Exists, OuterRef, QuerySet

from liaison.matching.features import Record, names_from
from liaison.matching.models import MergeRecord
from liaison.people.models import Alias, Person

PERSON_FIELDS = (
    "pk",
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "nhs_number",
    "pnc_id",
    "postcode",
)


def merged_away() -> Exists:
    """True for a person merged into another record (while that merge stands)."""
    return Exists(MergeRecord.objects.filter(duplicate=OuterRef("pk"), unmerged_at__isnull=True))


def is_merged_away(person_id: int) -> bool:
    return MergeRecord.objects.filter(duplicate_id=person_id, unmerged_at__isnull=True).exists()


def active_people() -> QuerySet[Person]:
    """Every person who is not merged into another record: the people matching considers."""
    return Person.objects.filter(~merged_away(), destruction_record__isnull=True)


def record_for_person(person: Person, aliases: Iterable[Alias]) -> Record:
    return _record(
        person.given_name,
        person.family_name,
        person.preferred_name,
        person.date_of_birth,
        person.sex,
        person.nhs_number,
        person.pnc_id,
        person.postcode,
        [(a.given_name, a.family_name) for a in aliases],
    )


def _record(
    given: str,
    family: str,
    preferred: str,
    dob: dt.date | None,
    sex: str,
    nhs: str,
    pnc: str,
    postcode: str,
    others: list[tuple[str, str]],
) -> Record:
    return Record(
        names=names_from(given, family, others, preferred),
        date_of_birth=dob,
        sex=sex,
        nhs_number=nhs,
        pnc_id=pnc,
        postcode=postcode,
    )


def iter_records(people: QuerySet[Person], *, chunk_size: int = 5000) -> Iterator[tuple[int, Record]]:
    """(id, record) for every person in `people`, in id order, two queries per chunk."""
    last = 0
    while True:
        rows = list(people.filter(pk__gt=last).order_by("pk").values_list(*PERSON_FIELDS)[:chunk_size])
        if not rows:
            return
        ids = [row[0] for row in rows]
        others: dict[int, list[tuple[str, str]]] = {}
        # A range, not a list of ids: the same plan whatever the chunk size.
        in_chunk = Alias.objects.filter(person_id__gte=ids[0], person_id__lte=ids[-1])
        for person_id, given, family in in_chunk.values_list("person_id", "given_name", "family_name"):
            others.setdefault(person_id, []).append((given, family))
        for pk, given, family, preferred, dob, sex, nhs, pnc, postcode in rows:
            yield pk, _record(given, family, preferred, dob, sex, nhs, pnc, postcode, others.get(pk, []))
        last = ids[-1]
