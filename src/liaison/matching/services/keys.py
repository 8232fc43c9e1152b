"""The MatchKey index: name-based blocking keys for each person, rebuilt from their names and birthday,
and the values (names, postcode) that intake counts to weigh an exact agreement by how common it is.

Call `match_keys_refresh(person_ids=[...])` (or `match_keys_add(people)` for people just created)
in the same transaction as any write that changes a person's names, preferred name or date of birth,
or adds or removes another name they are known by (person create and update, alias add and remove,
merge and unmerge). `liaison match-keys` rebuilds the whole index (after a bulk load such as the
demo seed, or to recover from a missed refresh).
Keys are derived data, never audited: they reveal nothing the person's row does not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from django.db import connection, models, transaction

from liaison.matching.engine import Frequencies
from liaison.matching.features import VALUE_KEY_KINDS, Prepared, name_keys, prepare
from liaison.matching.models import MatchKey, TermFrequency
from liaison.matching.records import active_people, iter_records, record_for_person
from liaison.people.models import Person


def key_values(record: Prepared) -> list[tuple[str, str]]:
    """A person's keys as (kind, value), as stored: what a bulk loader writes for them."""
    return [(kind, value[:80]) for kind, value in sorted(name_keys(record))]


def _rows(person_id: int, record: Prepared) -> list[MatchKey]:
    return [MatchKey(person_id=person_id, kind=kind, value=value) for kind, value in key_values(record)]


POPULATION_KIND = "*"


@transaction.atomic
def term_frequencies_save(frequencies: Frequencies) -> int:
    """Replace the stored term frequencies (for intake) with these. Returns the values stored."""
    TermFrequency.objects.all().delete()
    rows = [TermFrequency(kind=POPULATION_KIND, value="", count=frequencies.population)]
    rows.extend(
        TermFrequency(kind=VALUE_KEY_KINDS[comparison], value=value[:80], count=count)
        for (comparison, value), count in sorted(frequencies.counts.items())
        if len(value) <= 80
    )
    TermFrequency.objects.bulk_create(rows, batch_size=5000)
    return len(rows) - 1


@transaction.atomic
def match_keys_refresh(*, person_ids: Iterable[int]) -> int:
    """Replace the keys of these people; a person merged into another gets none. Returns keys written."""
    ids = sorted(set(person_ids))
    if not ids:
        return 0
    MatchKey.objects.filter(person_id__in=ids).delete()
    rows: list[MatchKey] = []
    for pk, record in iter_records(active_people().filter(pk__in=ids)):
        rows.extend(_rows(pk, prepare(record)))
    MatchKey.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def match_keys_add(people: Sequence[Person]) -> int:
    """Write the keys of people just created (no other names yet, no keys to replace): from the
    saved instances, with no reads, in one statement. Returns keys written."""
    rows = [row for person in people for row in _rows(person.pk, prepare(record_for_person(person, ())))]
    MatchKey.objects.bulk_create(rows)
    return len(rows)


def match_keys_rebuild(
    *, chunk_size: int = 5000, dry_run: bool = False, progress: Callable[[int, int], None] | None = None
) -> tuple[int, int]:
    """Rebuild every key, one transaction per chunk of people (so searches keep working meanwhile),
    then the term frequencies.

    Returns (people, keys). With `dry_run`, counts the keys it would write and changes nothing.
    """
    total = Person.objects.count()
    people = keys = 0
    low = 0
    counts: Counter[tuple[str, str]] = Counter()
    while True:
        high = (
            Person.objects.filter(pk__gt=low)
            .order_by("pk")
            .values_list("pk", flat=True)[chunk_size - 1 : chunk_size]
        ).first()
        rows: list[MatchKey] = []
        in_chunk = active_people().filter(pk__gt=low, **({"pk__lte": high} if high is not None else {}))
        for pk, record in iter_records(in_chunk, chunk_size=chunk_size):
            prepared = prepare(record)
            rows.extend(_rows(pk, prepared))
            Frequencies.tally(counts, prepared)
            people += 1
        if not dry_run:
            with transaction.atomic():
                stale = MatchKey.objects.filter(person_id__gt=low)
                if high is not None:
                    stale = stale.filter(person_id__lte=high)
                stale.delete()
                MatchKey.objects.bulk_create(rows, batch_size=2000)
        keys += len(rows)
        if progress is not None:
            progress(people, total)
        if high is None:
            if not dry_run:
                term_frequencies_save(Frequencies(population=people, counts=counts))
                tidy(MatchKey, TermFrequency)
            return people, keys
        low = high


def tidy(*tables: type[models.Model]) -> None:
    """After a table is rewritten whole: reclaim the dead rows and refresh the planner's statistics, so
    intake's look-ups stay fast (on PostgreSQL, a million dead rows in the term frequencies doubled the
    intake p95 until autovacuum came). Only outside a transaction, where VACUUM may run."""
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in tables:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(
                f"VACUUM ANALYZE {table}" if connection.vendor == "postgresql" else f"ANALYZE {table}"
            )
