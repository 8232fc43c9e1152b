"""`liaison seed --scale national`: the demo generator at national size, loaded through bulk paths.

The demo set (services.demo_seed) builds every row as a model instance and inserts it with
bulk_create in one transaction. At 600,000 people and about a million episodes that would take hours
and tens of gigabytes, so the national load:

- runs the same generator (generator.Generator, timeline, assessments, referrals: the same rules, so
  the same consistency between stages, key times, contacts, tasks, needs and referrals) in chunks of
  people, each chunk from a random stream of its own (``national:{seed}:{chunk}``), so the data
  depends only on --seed, --people and --as-of, never on how many worker processes built it;
- spreads the chunks over worker processes (forked after the teams and the directory are saved;
  workers never write to the database) and writes each finished chunk in one transaction: COPY on
  PostgreSQL (psycopg's ``cursor.copy``, the data already in COPY's text format, made by the
  workers: each opens a connection of its own for that, so a load uses one connection more than
  it has workers), ``executemany`` with relaxed PRAGMAs on SQLite;
- runs its hot loops without the cyclic garbage collector (a chunk is millions of objects, which
  every collection would rescan): a worker collects once between chunks, the writer (whose reading
  back makes no cycles) only when the load ends;
- gives rows their primary keys itself: chunk k of a table owns the ids ``base + k * stride`` up to
  ``base + (k + 1) * stride - 1`` (people: exactly one id per person, so person ids are dense), and
  the sequences are moved past the largest id at the end;
- on PostgreSQL, drops the loaded tables' plain indexes and foreign keys first and makes them again
  after the last chunk (held.py: one sort per index and one check per key instead of an update and
  a trigger per row; a stopped load keeps their definitions for --resume);
- writes audit events in bulk as a valid hash chain: one ``episode.create`` per episode and one
  ``episode.stage`` per later stage change, by the worker the status row names, at its time. Ids
  are contiguous and each event's hash covers the one before, so ``verify_chain`` passes; within a
  chunk events are in time order, but across chunks the chain is in load order, not time order (a
  real service writes them in time order; nothing reads the chain by id expecting time order).

Differences from the demo set, on purpose: five years of history instead of three; a little more
repeat contact (people return more often over five years); 0.1% of people arrive in the last day
instead of 1.5% (at national size 1.5% would be 9,000 arrivals a day, 16 times the real rate);
NHS numbers and PNC IDs drawn without replacement across the whole set (chunks draw apart); no
custody-list import (today's list goes through the identification services, one site at a time).
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import json
import multiprocessing
import operator
import os
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, TextIO

from django.db import connection, models, transaction
from django.utils import timezone
from psycopg.copy import Copy, FileWriter

from liaison.assessment.models import Assessment, Need, PlanAction, PlanOrder
from liaison.core.audit import audit, canonical_body, chain_key, chained_hash
from liaison.core.models import AuditChainHead, AuditEvent, Site, Team, User
from liaison.demo import generator as generator_module
from liaison.demo import held
from liaison.demo.directory import DirectoryResult, directory_again, generate_directory
from liaison.demo.generator import Generator
from liaison.demo.models import SyntheticProfile
from liaison.demo.referrals import ReferralMaker, ServicesByNeed, services_by_need
from liaison.demo.rows import sync_keys
from liaison.demo.services import DemoDataExists, SeedSummary, demo_data_present, demo_reset
from liaison.demo.staff import Roster, RosterSite, RosterTeam, national_teams, roster_create
from liaison.episodes.models import Contact, Episode, EpisodeStatus, Stage, Task
from liaison.matching.engine import Frequencies
from liaison.matching.features import prepare
from liaison.matching.models import MatchKey, TermFrequency
from liaison.matching.records import record_for_person
from liaison.matching.services.keys import key_values, match_keys_rebuild, term_frequencies_save, tidy
from liaison.people.identifiers import pnc_check_letter
from liaison.people.models import Alias, Person, PersonContact
from liaison.referrals.models import Appointment, Referral, ReferralStatus

NATIONAL_PEOPLE = 600_000
NATIONAL_SERVICES = 10_000
NATIONAL_TEAMS = 100  # the three demo teams and 97 more, each about 1% of the country
HISTORY_DAYS = 5 * 365
CHUNK = 4_000  # people per chunk: about 7,000 episodes and 200,000 rows
RECENT_SHARE = 0.001  # people whose (last) arrival is in the last day
# Ids a chunk may use in a table, per person in the chunk. Far above the largest mean (needs: about 9
# a person); a chunk that would overflow stops the load with an error rather than reuse an id.
STRIDE_PER_PERSON = 64

# Tables in the order a chunk writes them (parents first; PostgreSQL checks keys at commit anyway).
TABLES: tuple[tuple[str, type[models.Model]], ...] = (
    ("people", Person),
    ("aliases", Alias),
    ("person contacts", PersonContact),
    ("synthetic profiles", SyntheticProfile),
    ("episodes", Episode),
    ("episode statuses", EpisodeStatus),
    ("contacts", Contact),
    ("tasks", Task),
    ("assessments", Assessment),
    ("needs", Need),
    ("plan orders", PlanOrder),
    ("plan actions", PlanAction),
    ("referrals", Referral),
    ("referral statuses", ReferralStatus),
    ("appointments", Appointment),
    ("match keys", MatchKey),
)
AUDIT_LABEL = "audit events"


# --- the generator at national scale --------------------------------------------------------------


class NationalGenerator(Generator):
    """The demo generator with national proportions (see the module docstring)."""

    def __init__(self, *, offset: int, extra_rng: random.Random, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.offset = offset
        self.extra_rng = extra_rng

    def recent_count(self) -> int:
        return min(self.n, round(self.n * RECENT_SHARE))

    def _person(self, index: int, recent: bool) -> Any:
        draft = super()._person(index, recent)
        # Over five years people come back more often than over three (drawn apart from the main
        # stream, so the person's own details are the demo generator's).
        roll = self.extra_rng.random()
        if draft.age + 6 <= generator_module.MAX_AGE and roll < 0.25:
            draft.visits += 2 if roll < 0.05 else 1
        draft.person.local_id = f"NAT-{self.offset + index + 1:07d}"
        return draft


@contextmanager
def _history(days: int) -> Iterator[None]:
    """The generator spreads first arrivals over HISTORY_DAYS: five years here, for this run only."""
    before = generator_module.HISTORY_DAYS
    generator_module.HISTORY_DAYS = days
    try:
        yield
    finally:
        generator_module.HISTORY_DAYS = before


def nhs_pool(seed: int) -> list[str]:
    """Every valid NHS number in the never-issued 999 range, in a seeded order: person i takes the
    i-th, so no two people share one however the chunks are spread."""
    numbers = []
    prefix = 9 * 10 + 9 * 9 + 9 * 8  # the weighted sum of "999"
    for n in range(1_000_000):
        total, rest = prefix, n
        for weight in (2, 3, 4, 5, 6, 7):  # the last of the six digits first
            rest, digit = divmod(rest, 10)
            total += digit * weight
        check = (11 - total % 11) % 11
        if check != 10:  # a remainder giving 10 is a number that is never issued
            numbers.append(f"999{n:06d}{check}")
    random.Random(f"nhs:{seed}").shuffle(numbers)
    return numbers


def _pnc(old: str, index: int) -> str:
    """Keep the year first recorded; make the serial unique per person (7919 is prime to 999,999)."""
    year = old.split("/", 1)[0]
    serial = str((index * 7919) % 999_999 + 1)
    return f"{year}/{serial}{pnc_check_letter(year, serial)}"


# --- one chunk, in a worker -------------------------------------------------------------------------


@dataclass
class _Context:
    seed: int
    people: int
    chunk: int
    now: dt.datetime
    roster: Roster
    directory: DirectoryResult
    by_need: ServicesByNeed
    bases: dict[str, int]
    nhs: list[str]
    vendor: str
    roles: dict[tuple[int, int], str]


_CONTEXT: _Context | None = None  # set before the workers fork; read-only in them


@dataclass
class TableRows:
    """A chunk's rows of one table: tuples, or on PostgreSQL COPY's text format, made in the worker
    (with the same adapters the writer's connection has) so that the writer only passes bytes on, and
    a chunk goes from worker to writer as a few strings instead of a million pickled values."""

    label: str
    columns: list[str]
    count: int
    rows: list[tuple[Any, ...]] | bytes


@dataclass
class ChunkResult:
    index: int
    tables: list[TableRows] = field(default_factory=list)
    # (at, actor id, username, role, team id, person id, action, object id, detail), in time order
    audit: list[tuple[Any, ...]] = field(default_factory=list)
    stages: Counter[str] = field(default_factory=Counter)
    episodes: int = 0
    # How many of the chunk's people carry each name and postcode value (matching's term frequencies).
    frequencies: Counter[tuple[str, str]] = field(default_factory=Counter)


def _auto_pk(model: type[models.Model]) -> bool:
    return isinstance(model._meta.pk, models.AutoField)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection in the block. A chunk makes and reads millions of objects, and
    the collector, which runs every few hundred new ones, rescans them again and again: building a
    chunk took a third longer with it, and reading one back from a worker four times as long. What
    the block leaves in cycles is freed by the next collection after it (a caller's gc.collect)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


_IN_WORKER = False  # set in the pool's processes


def _worker_start() -> None:
    """A pool process runs without the collector; _chunk_job collects once between chunks."""
    global _IN_WORKER
    _IN_WORKER = True
    gc.disable()


def _chunk_job(index: int) -> ChunkResult:
    """One chunk, built with the collector off (a pool process runs without it, and the writer's
    loop, which makes chunks itself when there is no pool, pauses it): first free the last chunk's
    cycles (its model instances point at one another). A worker opens a connection to format COPY
    data (never to write) and closes it after each chunk, so none is left open when the pool ends
    (one stopped mid-chunk, when the load stops, is dropped with its process instead)."""
    gc.collect()
    try:
        return _make_chunk(index)
    finally:
        if _IN_WORKER:
            connection.close()


def _make_chunk(index: int) -> ChunkResult:
    ctx = _CONTEXT
    assert ctx is not None  # noqa: S101 - set by national_seed before any chunk runs
    offset = index * ctx.chunk
    n = min(ctx.chunk, ctx.people - offset)
    stride = ctx.chunk * STRIDE_PER_PERSON
    gen = NationalGenerator(
        people=n,
        seed=ctx.seed,
        now=ctx.now,
        roster=ctx.roster,
        offset=offset,
        extra_rng=random.Random(f"national-visits:{ctx.seed}:{index}"),
    )
    # Each chunk its own streams, so chunks can run anywhere in any order.
    gen.rng.seed(f"national:{ctx.seed}:{index}")
    gen.assessments.rng.seed(f"national-assessments:{ctx.seed}:{index}")
    with _history(HISTORY_DAYS):
        plan = gen.build()
    records = plan.records
    for i, person in enumerate(plan.people):
        if person.nhs_number:
            person.nhs_number = ctx.nhs[offset + i]
        if person.pnc_id:
            person.pnc_id = _pnc(person.pnc_id, offset + i)

    def number(label: str, model: type[models.Model], objs: Sequence[Any], start: int = 0) -> None:
        if not _auto_pk(model):
            return
        first = ctx.bases[label] + (offset if label == "people" else index * stride)
        limit = ctx.chunk if label == "people" else stride
        if start + len(objs) > limit:
            raise RuntimeError(f"chunk {index} made {start + len(objs)} {label}, more than its {limit} ids")
        for i, obj in enumerate(objs, start=start):
            obj.pk = first + i

    generated = plan.batches()
    for label, model, objs in generated:
        number(label, model, objs)
    for _label, _model, objs in generated:
        sync_keys(objs)
    # Referrals from the assessed episodes' needs, as the demo makes them (they read ids, now set).
    maker = ReferralMaker(
        rng=random.Random(f"national-referrals:{ctx.seed}:{index}"),
        now=ctx.now,
        roster=ctx.roster,
        directory=ctx.directory,
        by_need=ctx.by_need,
    )
    made = maker.make(records.assessments, records.needs)
    number("referrals", Referral, made.referrals)
    sync_keys(made.referrals)
    number("appointments", Appointment, made.appointments)
    sync_keys(made.appointments)
    statuses = made.status_rows()
    rule_tasks = maker.tasks()
    for i, row in enumerate(statuses):
        row["id"] = ctx.bases["referral statuses"] + index * stride + i
    start = len(records.tasks)
    if start + len(rule_tasks) > stride:
        raise RuntimeError(f"chunk {index} made too many tasks for its ids")
    for i, row in enumerate(rule_tasks, start=start):
        row["id"] = ctx.bases["tasks"] + index * stride + i

    result = ChunkResult(index=index, episodes=len(records.episodes))
    objects: dict[str, Sequence[Any]] = {label: objs for label, _m, objs in generated}
    key_rows = _match_keys(
        plan.people, objects["aliases"], result.frequencies, ctx.bases["match keys"] + index * stride
    )
    if len(key_rows) > stride:
        raise RuntimeError(f"chunk {index} made too many match keys for its ids")
    objects["referrals"] = made.referrals
    objects["appointments"] = made.appointments
    for label, model in TABLES:
        fields = _fields(model)
        rows = _object_rows(objects.get(label, ()), fields, ctx.vendor)
        if label == "tasks":
            rows += [_dict_row(row, fields, ctx.vendor) for row in rule_tasks]
        elif label == "referral statuses":
            rows = [_dict_row(row, fields, ctx.vendor) for row in statuses]
        elif label == "match keys":
            rows = [_dict_row(row, fields, ctx.vendor) for row in key_rows]
        result.tables.append(_table_rows(label, [f.column for f in fields], rows, ctx.vendor))
    result.stages = Counter(e.stage for e in records.episodes)
    result.audit = _audit_rows(records.statuses, ctx.roles)
    return result


def _table_rows(label: str, columns: list[str], rows: list[tuple[Any, ...]], vendor: str) -> TableRows:
    if vendor != "postgresql" or not rows:
        return TableRows(label, columns, len(rows), rows)
    out = io.BytesIO()
    connection.ensure_connection()
    # A Copy with a writer of its own sends nothing to the server (psycopg's documented way to write
    # COPY data to a file); it takes the connection's adapters and encoding.
    with connection.connection.cursor() as cursor, Copy(cursor, binary=False, writer=FileWriter(out)) as copy:
        for row in rows:
            copy.write_row(row)
    return TableRows(label, columns, len(rows), out.getvalue())


def _match_keys(
    people: Sequence[Person], aliases: Sequence[Alias], frequencies: Counter[tuple[str, str]], first_id: int
) -> list[dict[str, Any]]:
    """The chunk's person-matching keys, as `match_keys_rebuild` would make them from the saved rows
    (same records, same keys), numbered from `first_id`; each person's values added to `frequencies`.
    Made here, in the workers, so the load needs no pass over every person at the end."""
    others: dict[int, list[Alias]] = {}
    for alias in aliases:
        others.setdefault(alias.person_id, []).append(alias)
    rows: list[dict[str, Any]] = []
    for person in people:
        prepared = prepare(record_for_person(person, others.get(person.pk, ())))
        Frequencies.tally(frequencies, prepared)
        start = first_id + len(rows)
        rows.extend(
            {"id": start + i, "person_id": person.pk, "kind": kind, "value": value}
            for i, (kind, value) in enumerate(key_values(prepared))
        )
    return rows


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return list(model._meta.concrete_fields)


def _prepare(f: models.Field[Any, Any], value: Any, vendor: str) -> Any:
    if value is None:
        return None
    if isinstance(f, models.JSONField):
        return json.dumps(value, cls=f.encoder)
    if vendor == "sqlite":
        # What Django's SQLite adapters give, without their per-value overhead: UTC text.
        if isinstance(value, dt.datetime):
            return str(value.astimezone(dt.UTC).replace(tzinfo=None))
        if isinstance(value, (dt.date, dt.time)):
            return value.isoformat()
        if isinstance(f, models.DecimalField):
            return f.get_db_prep_save(value, connection)
    return value


def _object_rows(
    objs: Sequence[models.Model], fields: list[models.Field[Any, Any]], vendor: str
) -> list[tuple[Any, ...]]:
    """Each object's column values in `fields` order, as the database takes them. One C-level
    attribute fetch per row for the plain columns; only timestamps that set themselves (auto_now)
    and values the adapter cannot take as they are (JSON; dates and decimals on SQLite) go through
    Python per value."""
    if not objs:
        return []
    get = operator.attrgetter(*(f.attname for f in fields))
    stamped = [
        (i, f)
        for i, f in enumerate(fields)
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    convert = [
        (i, f)
        for i, f in enumerate(fields)
        if isinstance(f, models.JSONField)
        or (vendor == "sqlite" and isinstance(f, (models.DateField, models.TimeField, models.DecimalField)))
    ]
    if len(fields) == 1:
        plain: list[tuple[Any, ...]] = [(get(obj),) for obj in objs]
    else:
        plain = [get(obj) for obj in objs]
    if not stamped and not convert:
        return plain
    rows = []
    for obj, values in zip(objs, plain, strict=True):
        row = list(values)
        for i, f in stamped:
            row[i] = f.pre_save(obj, True)
        for i, f in convert:
            row[i] = _prepare(f, row[i], vendor)
        rows.append(tuple(row))
    return rows


def _dict_row(row: dict[str, Any], fields: list[models.Field[Any, Any]], vendor: str) -> tuple[Any, ...]:
    return tuple(_prepare(f, row[f.attname] if f.attname in row else f.get_default(), vendor) for f in fields)


def _audit_rows(
    statuses: Sequence[EpisodeStatus], roles: dict[tuple[int, int], str]
) -> list[tuple[Any, ...]]:
    """One event per status row, in time order, each with its canonical body (core.audit) worked out
    here, in the worker: the writer then only numbers and hashes them into the chain."""
    rows = []
    previous: dict[int, str] = {}
    for status in statuses:  # per episode in stage order, as the timeline wrote them
        episode = status.episode
        by = status.by
        if status.stage == Stage.IDENTIFIED:
            action, detail = "episode.create", {}
        else:
            action, detail = "episode.stage", {"from": previous.get(episode.pk, ""), "to": status.stage}
        previous[episode.pk] = status.stage
        event = SimpleNamespace(
            at=status.at,
            actor_id=by.pk,
            actor_username=by.username,
            role=roles.get((episode.team_id, by.pk), ""),
            team_id=episode.team_id,
            person_id=episode.person_id,
            action=action,
            object_type="episode",
            object_id=str(episode.pk),
            reason="",
            detail=detail,
        )
        rows.append(
            (
                event.at,
                event.actor_id,
                event.actor_username,
                event.role,
                event.team_id,
                event.person_id,
                action,
                event.object_id,
                detail,
                canonical_body(event),  # type: ignore[arg-type]
            )
        )
    rows.sort(key=lambda r: r[0])
    return rows


# --- writing ------------------------------------------------------------------------------------------


class Meter:
    """Progress on stderr: rows written per table and rows a second; one line a few seconds apart."""

    def __init__(self, stream: TextIO | None, total_people: int) -> None:
        self.stream = stream
        self.total = total_people
        self.started = time.perf_counter()
        self.rows: Counter[str] = Counter()
        self.seconds: dict[str, float] = {}
        self.people = 0
        self.last = 0.0
        self.tty = bool(stream is not None and stream.isatty())

    def add(self, label: str, rows: int, seconds: float) -> None:
        self.rows[label] += rows
        self.seconds[label] = self.seconds.get(label, 0.0) + seconds

    def show(self, *, force: bool = False) -> None:
        if self.stream is None:
            return
        now = time.perf_counter()
        if not force and now - self.last < (1.0 if self.tty else 15.0):
            return
        self.last = now
        elapsed = now - self.started
        share = self.people / self.total if self.total else 1.0
        bar = "#" * int(share * 30)
        total = sum(self.rows.values())
        line = (
            f"[{bar:<30}] {self.people:,}/{self.total:,} people, {total:,} rows "
            f"({total / elapsed if elapsed else 0:,.0f} rows/s, {elapsed:,.0f}s)"
        )
        if self.tty:
            self.stream.write("\r" + line.ljust(100))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def table(self) -> None:
        if self.stream is None:
            return
        if self.tty:
            self.stream.write("\n")
        self.stream.write("  table                      rows      write rows/s\n")
        for label, rows in self.rows.items():
            secs = self.seconds.get(label, 0.0)
            self.stream.write(f"  {label:<22} {rows:>12,} {rows / secs if secs else 0:>14,.0f}\n")
        self.stream.flush()


def _write(table: str, columns: list[str], rows: list[tuple[Any, ...]] | bytes) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    cols = ", ".join(quote(c) for c in columns)
    if connection.vendor == "postgresql":
        raw = connection.connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {quote(table)} ({cols}) FROM STDIN") as copy:
            if isinstance(rows, bytes):
                copy.write(rows)  # already in COPY's text format (_table_rows)
            else:
                for row in rows:
                    copy.write_row(row)
    else:
        if isinstance(rows, bytes):
            raise TypeError("COPY data is for PostgreSQL; SQLite takes rows")
        marks = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {quote(table)} ({cols}) VALUES ({marks})", rows)  # noqa: S608


def _write_audit(rows: list[tuple[Any, ...]], meter: Meter) -> int:
    """Append the chunk's events to the chain under the head's lock: contiguous ids, linked hashes."""
    started = time.perf_counter()
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    event_id, prev = head.last_event_id, head.last_hash
    out = []
    vendor = connection.vendor
    key = chain_key()
    for at, actor_id, username, role, team_id, person_id, action, object_id, detail, body in rows:
        event_id += 1
        digest = chained_hash(event_id, body, prev, key)
        stored_at = (
            at
            if vendor == "postgresql"
            else AuditEvent._meta.get_field("at").get_db_prep_save(at, connection)
        )
        out.append(
            (
                event_id,
                stored_at,
                actor_id,
                username,
                role,
                team_id,
                person_id,
                action,
                "episode",
                object_id,
                "",
                json.dumps(detail),
                prev,
                digest,
            )
        )
        prev = digest
    columns = [f.column for f in AuditEvent._meta.concrete_fields]
    _write(AuditEvent._meta.db_table, columns, out)
    head.last_event_id = event_id
    head.last_hash = prev
    head.save(update_fields=["last_event_id", "last_hash"])
    meter.add(AUDIT_LABEL, len(out), time.perf_counter() - started)
    return len(out)


def _write_chunk(result: ChunkResult, meter: Meter, models_by_label: dict[str, type[models.Model]]) -> int:
    with transaction.atomic():
        for table in result.tables:
            started = time.perf_counter()
            _write(models_by_label[table.label]._meta.db_table, table.columns, table.rows)
            meter.add(table.label, table.count, time.perf_counter() - started)
        return _write_audit(result.audit, meter)


@contextmanager
def _bulk_session() -> Iterator[None]:
    """Cheaper commits for the load: nothing is lost that a rerun would not rebuild."""
    if connection.in_atomic_block:  # inside someone's transaction (a test): leave the settings be
        yield
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit = off")
        else:
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -200000")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET synchronous_commit = on")
            else:
                cursor.execute("PRAGMA synchronous = NORMAL")


def _bases() -> dict[str, int]:
    """Chunk k of a table owns fixed ids from 1 (so a stopped load can resume): the tables start empty."""
    busy = [label for label, model in TABLES if model._base_manager.exists()]
    if busy:
        raise DemoDataExists(
            f"The national load needs empty tables, and these have rows: {', '.join(busy)}. "
            "Load into a new database (createdb, then liaison migrate)."
        )
    return {label: 1 for label, model in TABLES if _auto_pk(model)}


def roster_load() -> Roster:
    """The teams, sites and staff already saved (to resume a load), in roster_create's order."""
    roster = Roster(teams=[])
    for spec in national_teams(Team.objects.count()):
        team = Team.objects.get(code=spec.code)
        rt = RosterTeam(spec=spec, team=team)
        sites = {site.name: site for site in Site.objects.filter(team=team)}
        rt.sites = [RosterSite(site=sites[site_spec.name], spec=site_spec) for site_spec in spec.sites]
        users = {
            user.username: user for user in User.objects.filter(username__in=[s.username for s in spec.staff])
        }
        for staff in spec.staff:
            rt.staff.setdefault(staff.role, []).append(users[staff.username])
        roster.teams.append(rt)
    return roster


def _reserve_ids(people: int, chunk: int) -> None:
    """Move each sequence past every id the whole load may give (PostgreSQL), so that records made
    while a long load runs or while it is stopped (someone using the system, the benchmark) never take
    an id a chunk still to come owns. At the end _reset_sequences moves them to just past the largest."""
    if connection.vendor != "postgresql":
        return  # SQLite: nobody else writes during a load
    chunks = (people + chunk - 1) // chunk
    with connection.cursor() as cursor:
        for label, model in TABLES:
            if not _auto_pk(model):
                continue
            last = people if label == "people" else chunks * chunk * STRIDE_PER_PERSON
            table, column = model._meta.db_table, model._meta.pk.column
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), GREATEST(COALESCE((SELECT MAX("  # noqa: S608
                + connection.ops.quote_name(column)
                + ") FROM "
                + connection.ops.quote_name(table)
                + "), 0), %s) + 1, false)",
                [table, column, last],
            )


def _reset_sequences() -> None:
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT-free rowids follow the largest id by themselves
    with connection.cursor() as cursor:
        for model in [m for _l, m in TABLES] + [AuditEvent]:
            if not _auto_pk(model):
                continue
            table, column = model._meta.db_table, model._meta.pk.column
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE((SELECT MAX("  # noqa: S608 - quoted names
                + connection.ops.quote_name(column)
                + ") FROM "
                + connection.ops.quote_name(table)
                + "), 0) + 1, false)",
                [table, column],
            )


def national_seed(
    *,
    people: int = NATIONAL_PEOPLE,
    seed: int = 42,
    now: dt.datetime | None = None,
    reset: bool = False,
    services: int | None = None,
    teams: int = NATIONAL_TEAMS,
    workers: int | None = None,
    resume: bool = False,
    stream: TextIO | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> SeedSummary:
    """Load the national data set (see the module docstring). Same people, seed and now: same rows."""
    global _CONTEXT
    started = time.perf_counter()
    if people < 1:
        raise ValueError("--people must be at least 1")
    removed: dict[str, int] = {}
    if reset:
        removed = demo_reset()
    elif resume:
        if now is None:
            raise ValueError("--resume needs the first run's --as-of (and the same --seed and --people)")
    elif demo_data_present():
        raise DemoDataExists(
            "Demo data is already in this database. Run with --reset to replace it, or (at national size, "
            "much faster) load into a new, empty database."
        )
    now = now or timezone.now().replace(second=0, microsecond=0)
    if timezone.is_naive(now):
        raise ValueError("the reference time must include a time zone")
    chunk = min(CHUNK, people)
    chunks = (people + chunk - 1) // chunk
    if workers is None:
        workers = 0 if chunks == 1 else min(2, os.cpu_count() or 1)
    n_services = NATIONAL_SERVICES if services is None else services
    first = 0
    if resume:
        # Chunks commit one by one: carry on after the last whole one, with the same streams.
        loaded = Person.objects.filter(local_id__startswith="NAT-").count()
        if loaded % chunk and loaded != people:
            raise ValueError(f"{loaded} people loaded: not a whole number of chunks of {chunk}")
        first = chunks if loaded == people else loaded // chunk  # all in: only what follows is left
        roster = roster_load()
        sites = [rs.site for rt in roster.teams for rs in rt.sites]
        directory = directory_again(n_services=n_services, seed=seed, sites=sites, now=now)
        bases = {label: 1 for label, model in TABLES if _auto_pk(model)}
    else:
        bases = _bases()
        with transaction.atomic():
            roster = roster_create(national_teams(teams))
            sites = [rs.site for rt in roster.teams for rs in rt.sites]
            directory = generate_directory(
                n_services=n_services, seed=seed, sites=sites, now=now, progress=progress
            )
    roles = {
        (rt.team.pk, user.pk): str(role)
        for rt in roster.teams
        for role, users in rt.staff.items()
        for user in users
    }
    _CONTEXT = _Context(
        seed=seed,
        people=people,
        chunk=chunk,
        now=now,
        roster=roster,
        directory=directory,
        by_need=services_by_need(directory, roster),
        bases=bases,
        nhs=nhs_pool(seed),
        vendor=connection.vendor,
        roles=roles,
    )
    if people > len(_CONTEXT.nhs):
        raise ValueError(f"at most {len(_CONTEXT.nhs):,} people: one never-issued NHS number each")
    _reserve_ids(people, chunk)
    if first < chunks:
        # Load without the secondary indexes and foreign keys, then make them once (held.py).
        held.hold([m for _l, m in TABLES] + [AuditEvent])
    meter = Meter(stream, people)
    meter.people = first * chunk
    models_by_label = dict(TABLES)
    stages: Counter[str] = Counter()
    audit_events = 0
    rows_made: Counter[str] = Counter()
    frequencies: Counter[tuple[str, str]] = Counter()
    pool = None
    # What is made so far (the directory, the NHS numbers) stays as it is to the end: the collector
    # leaves it out of every pass from now on, here and in the forked workers.
    gc.collect()
    gc.freeze()
    try:
        if workers:
            connection.close()  # the workers fork: none may share this connection
            pool = multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start)
            results: Iterator[ChunkResult] = pool.imap(_chunk_job, range(first, chunks))
        else:
            results = (_chunk_job(index) for index in range(first, chunks))
        # Chunks are read back from the pool here (or, with no pool, made here): without the collector.
        with _bulk_session(), _gc_paused():
            for result in results:
                audit_events += _write_chunk(result, meter, models_by_label)
                _tally(result, stages, rows_made, meter)
                frequencies.update(result.frequencies)
        _reset_sequences()
    finally:
        _CONTEXT = None
        gc.unfreeze()  # the whole process's: the CLI and the tests freeze nothing else
        if pool is not None:
            pool.terminate()  # every result is in by now, or the load stopped: no chunk is wanted
            pool.join()
    meter.show(force=True)
    meter.table()
    restoring = time.perf_counter()
    made = held.restore(progress)
    if made and stream is not None:
        stream.write(
            f"  made {made} indexes and foreign keys again in {time.perf_counter() - restoring:,.1f}s\n"
        )
    if first == 0 and Person.objects.count() == people:
        # Every person is this run's, and every chunk's keys are in: the frequencies are the
        # chunks' counts added up.
        term_frequencies_save(Frequencies(population=people, counts=frequencies))
        tidy(MatchKey, TermFrequency)
        match_keys = rows_made["match keys"]
    else:
        # A resumed load has only this run's chunks' counts, and someone may have recorded a person
        # while the load ran or was stopped (PostgreSQL keeps their ids free): count everyone again.
        _, match_keys = match_keys_rebuild()
    rows: dict[str, int] = {
        "teams": len(roster.teams),
        "sites": sum(len(rt.sites) for rt in roster.teams),
        "users": len(roster.users),
        **directory.rows,
        **rows_made,
        AUDIT_LABEL: audit_events,
    }
    audit(
        actor=None,
        action="demo.seed",
        object_type="demo",
        detail={
            "people": people,
            "seed": seed,
            "as_of": now.isoformat(),
            "reset": reset,
            "scale": "national",
        },
    )
    return SeedSummary(
        people=people,
        seed=seed,
        as_of=now,
        rows=rows,
        stages=dict(sorted(stages.items())),
        removed=removed,
        seconds=time.perf_counter() - started,
        match_keys=match_keys,
    )


def _tally(result: ChunkResult, stages: Counter[str], rows_made: Counter[str], meter: Meter) -> None:
    stages.update(result.stages)
    for table in result.tables:
        rows_made[table.label] += table.count
    meter.people += next(table.count for table in result.tables if table.label == "people")
    meter.show()
