"""Writes for the demo data set: seed it, reset it. One transaction per run.

Generated rows are bulk-inserted under one `demo.seed` audit event. Today's custody list goes through
the identification services instead (import, then a few reviews), which audit it as any import is.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import ForeignObjectRel, Q
from django.utils import timezone

from liaison.core.audit import audit
from liaison.core.models import Team, User
from liaison.demo.custody import CustodyList
from liaison.demo.directory import directory_clear, generate_directory, synthetic_directory_present
from liaison.demo.generator import Generator
from liaison.demo.models import SyntheticProfile
from liaison.demo.partnership import seed_partnership
from liaison.demo.referrals import ReferralMaker, ReferralRecords
from liaison.demo.rows import Progress, insert_objects, insert_rows
from liaison.demo.staff import DEMO_TEAM_CODES, DEMO_USERNAMES, Roster, roster_create
from liaison.demo.staying import seed_staying
from liaison.demo.timeline import EpisodeRecords
from liaison.episodes.models import Task
from liaison.identification.models import OUTSTANDING, Arrival
from liaison.identification.services import arrival_flags_set, arrival_mark_reviewed, arrivals_import
from liaison.people.models import Person
from liaison.referrals.models import Appointment, Referral, ReferralStatus

T = TypeVar("T")
PURGE_CHUNK = 500


def chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class DemoDataExists(Exception):
    """Demo teams, users or synthetic people are already in the database."""


@dataclass
class SeedSummary:
    people: int
    seed: int
    as_of: dt.datetime
    rows: dict[str, int]
    stages: dict[str, int]
    removed: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    # Site name -> arrivals on today's custody list still needing review or an episode.
    to_review: dict[str, int] = field(default_factory=dict)
    # Person-matching keys the load wrote itself, with the term frequencies (the national load);
    # None: the caller builds them (match_keys_rebuild).
    match_keys: int | None = None


def demo_data_present() -> bool:
    return (
        Team.objects.filter(code__in=DEMO_TEAM_CODES).exists()
        or User.objects.filter(username__in=DEMO_USERNAMES).exists()
        or SyntheticProfile.objects.exists()
        or synthetic_directory_present()
    )


@transaction.atomic
def demo_reset() -> dict[str, int]:
    """Delete the demo data set: synthetic people and everything recorded about them, the demo
    teams with their sites and memberships, and the demo users. Audit events are never deleted
    (the table is append-only); the next run's events simply follow them in the chain.

    A person counts as demo data when the generator made them or when they have an episode with a
    demo team (someone added while trying the demo). Rows that other apps hang off these records are
    found through the model graph, so new apps need no change here.
    """
    people = list(
        Person.objects.filter(
            Q(synthetic_profile__isnull=False) | Q(episodes__team__code__in=DEMO_TEAM_CODES)
        )
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")
    )
    teams = list(Team.objects.filter(code__in=DEMO_TEAM_CODES).values_list("pk", flat=True))
    users = list(User.objects.filter(username__in=DEMO_USERNAMES).values_list("pk", flat=True))
    removed: Counter[str] = Counter()
    _purge(Person, people, removed)
    _purge(Team, teams, removed)
    _purge(User, users, removed)
    # The synthetic directory (with any referral someone made to it from another team).
    removed.update(directory_clear())
    return dict(sorted(removed.items()))


def _purge(model: type[models.Model], pks: Sequence[Any], removed: Counter[str]) -> None:
    """Delete rows and, first, every row that points at them (nulling SET_NULL links instead)."""
    # Every reverse relation, hidden ones included (a foreign key with related_name="+" still protects).
    relations = [
        f
        for f in model._meta.get_fields(include_hidden=True)
        if isinstance(f, ForeignObjectRel) and (f.one_to_many or f.one_to_one)
    ]
    for chunk in chunks(pks, PURGE_CHUNK):
        for rel in relations:
            related: type[models.Model] = rel.related_model  # type: ignore[assignment]
            name = rel.field.name
            linked = related._base_manager.filter(**{f"{name}__in": chunk})
            if rel.on_delete is models.SET_NULL:
                linked.update(**{name: None})
            elif rel.on_delete is not models.DO_NOTHING:
                children = list(linked.values_list("pk", flat=True))
                if children:
                    _purge(related, children, removed)
        count = model._base_manager.filter(pk__in=chunk).delete()[1].get(model._meta.label, 0)
        removed[model._meta.label] += count


@transaction.atomic
def demo_seed(
    *,
    people: int,
    seed: int,
    now: dt.datetime | None = None,
    reset: bool = False,
    progress: Progress | None = None,
    services: int | None = None,
) -> SeedSummary:
    """Create the demo teams and logins and `people` synthetic people with their episodes, a
    synthetic service directory (`services` services; default scaled to the people) and referrals.

    Same `people`, `seed`, `services` and `now` give identical rows. `now` defaults to the current minute.
    """
    started = time.perf_counter()
    if people < 1:
        raise ValueError("--people must be at least 1")
    removed: dict[str, int] = {}
    if reset:
        removed = demo_reset()
    elif demo_data_present():
        raise DemoDataExists(
            "Demo data is already in this database. Run with --reset to replace it "
            "(audit events are kept; they are append-only)."
        )
    now = now or timezone.now().replace(second=0, microsecond=0)
    if timezone.is_naive(now):
        raise ValueError("the reference time must include a time zone")
    roster = roster_create()
    generator = Generator(people=people, seed=seed, now=now, roster=roster, progress=progress)
    plan = generator.build()
    records = plan.records
    rows: dict[str, int] = {
        "teams": len(roster.teams),
        "sites": sum(len(rt.sites) for rt in roster.teams),
        "users": len(roster.users),
    }
    for label, model, objs in plan.batches():
        insert_objects(label, model, objs, progress)
        rows[label] = len(objs)
    made = _directory_and_referrals(
        roster=roster,
        records=records,
        services=default_services(people) if services is None else services,
        seed=seed,
        now=now,
        rows=rows,
        progress=progress,
    )
    # Screenings, crisis plans, advice and drop-ins (liaison.demo.staying).
    rows.update(
        seed_staying(
            roster=roster,
            episodes=records.episodes,
            profiles=plan.profiles,
            needs=records.needs,
            seed=seed,
            now=now,
            progress=progress,
        )
    )
    # Advice allocations are tasks, drop-in visits contacts, like the rest.
    rows["tasks"] += rows.pop("advice tasks")
    rows["contacts"] += rows.pop("drop-in contacts")
    # Flags, consent and disclosures, reports to justice partners, training (liaison.demo.partnership).
    rows.update(
        seed_partnership(
            roster=roster,
            episodes=records.episodes,
            profiles=plan.profiles,
            referrals=made.referrals,
            statuses=made.statuses,
            seed=seed,
            now=now,
            progress=progress,
        )
    )
    to_review = {}
    for custody_list in generator.custody_lists():
        to_review[custody_list.site.site.name] = _load_custody_list(custody_list)
        rows["custody list arrivals"] = rows.get("custody list arrivals", 0) + len(custody_list.arrivals)
        if progress:
            progress("importing today's custody list", len(custody_list.arrivals), len(custody_list.arrivals))
    stages = dict(sorted(Counter(e.stage for e in records.episodes).items()))
    audit(
        actor=None,
        action="demo.seed",
        object_type="demo",
        detail={"people": people, "seed": seed, "as_of": now.isoformat(), "reset": reset, "rows": rows},
    )
    return SeedSummary(
        people=people,
        seed=seed,
        as_of=now,
        rows=rows,
        stages=stages,
        removed=removed,
        seconds=time.perf_counter() - started,
        to_review=to_review,
    )


def default_services(people: int) -> int:
    """A few hundred services for the usual 2,000 people; never fewer than every kind in every area."""
    return max(100, round(people * 0.15))


def _directory_and_referrals(
    *,
    roster: Roster,
    records: EpisodeRecords,
    services: int,
    seed: int,
    now: dt.datetime,
    rows: dict[str, int],
    progress: Progress | None,
) -> ReferralRecords:
    """The synthetic directory around the demo sites, then referrals from the assessed episodes'
    needs to its services, with status rows, appointments and the rule-made follow-up tasks."""
    sites = [rs.site for rt in roster.teams for rs in rt.sites]
    directory = generate_directory(n_services=services, seed=seed, sites=sites, now=now, progress=progress)
    rows.update(directory.rows)
    maker = ReferralMaker(rng=random.Random(f"referrals:{seed}"), now=now, roster=roster, directory=directory)
    made = maker.make(records.assessments, records.needs)
    # Referrals and appointments are read back by id (bulk_create sets it); the rest are plain rows.
    insert_objects("referrals", Referral, made.referrals, progress)
    insert_rows(ReferralStatus, made.status_rows(), label="referral statuses", progress=progress)
    insert_objects("appointments", Appointment, made.appointments, progress)
    tasks = maker.tasks()
    insert_rows(Task, tasks, label="follow-up tasks", progress=progress)
    rows.update(
        {
            "referrals": len(made.referrals),
            "referral statuses": len(made.statuses),
            "appointments": len(made.appointments),
        }
    )
    rows["tasks"] = rows.get("tasks", 0) + len(tasks)  # the rules' follow-ups are tasks like the rest
    return made


def _load_custody_list(custody_list: CustodyList) -> int:
    """Import the list as the night nurse would (the import service: mapping, officer's flags, audit),
    then record their reviews through the review services. Returns how many arrivals are outstanding."""
    nurse = custody_list.imported_by
    result = arrivals_import(
        actor=nurse,
        site=custody_list.site.site,
        file_name=custody_list.file_name,
        data=custody_list.csv_bytes(),
        via="command",
    )
    if result.batch is None or result.rejected or result.created != len(custody_list.arrivals):
        # The generator wrote a list its own import refuses: a bug here, never something to hide.
        raise RuntimeError(f"the demo custody list did not load cleanly: {result.problems[:5]}")
    arrivals = {
        a.custody_number: a for a in Arrival.objects.filter(batch=result.batch).prefetch_related("flags")
    }
    for number in custody_list.no_concerns:
        arrival_mark_reviewed(actor=nurse, arrival=arrivals[number], version=arrivals[number].version)
    for number, (codes, note) in custody_list.flagged.items():
        arrival = arrivals[number]
        # The officer's markers already ticked stay ticked; the practitioner adds what they saw.
        ticked = [f.flag_id for f in arrival.flags.all()]
        arrival_flags_set(
            actor=nurse, arrival=arrival, version=arrival.version, codes=[*ticked, *codes], note=note
        )
    return Arrival.objects.filter(batch=result.batch, status__in=OUTSTANDING).count()
