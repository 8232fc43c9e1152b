"""`liaison matching-bench --username U [--queries N]`: time intake candidate searches on this database.

Each search is a real one, through the access policy and the audit log: a person the user's teams
may see, re-typed as another custody desk might (a typo, a nickname, day and month swapped, no NHS
number...), looked for. Reports the latency percentiles and how often the person came first.
"""

from __future__ import annotations

import dataclasses
import random
import statistics
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.core.models import User
from liaison.matching.queries import candidate_scope, match_candidates, population
from liaison.matching.synthetic import Entity, SyntheticPopulation


class Command(BaseCommand):
    help = (
        "Time N intake candidate searches as the given user, each for a corrupted copy of a person their "
        "teams may see. Writes the audit events a real search writes, so it refuses to run on a production "
        "configuration without --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True, help="search as this user (a clinical role)")
        parser.add_argument("--queries", type=int, default=200, help="searches to time (default 200)")
        parser.add_argument("--seed", type=int, default=1, help="which people and corruptions (default 1)")
        parser.add_argument("--force", action="store_true", help="run even on a production configuration")

    def handle(self, *args: Any, **options: Any) -> None:
        safe = settings.DEBUG or getattr(settings, "DEMO", False) or getattr(settings, "TESTING", False)
        if not safe and not options["force"]:
            raise CommandError(
                "Refusing to run: each search writes audit events. Add --force if you mean it."
            )
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        rng = random.Random(options["seed"])  # noqa: S311 - a reproducible sample, not a secret
        ids = list(candidate_scope(user).values_list("pk", flat=True))
        if not ids:
            raise CommandError(f"{user.username} may see nobody: choose a user in a team with people.")
        sample = rng.sample(ids, min(options["queries"], len(ids)))
        corrupt = SyntheticPopulation(people=2, seed=options["seed"])
        size = population()
        timings: list[float] = []
        first = 0
        for person in candidate_scope(user).filter(pk__in=sample).order_by("pk"):
            entity = Entity(
                given=person.given_name,
                family=person.family_name,
                sex=person.sex,
                ethnicity="A",
                date_of_birth=person.date_of_birth or corrupt.today,
                nhs_number=person.nhs_number,
                pnc_id=person.pnc_id,
                postcode=person.postcode,
            )
            record, _ = corrupt.duplicate_of(entity)
            if person.date_of_birth is None:
                record = dataclasses.replace(record, date_of_birth=None)
            user = User.objects.get(pk=user.pk)  # a fresh user: no memberships cached between searches
            started = time.perf_counter()
            found = match_candidates(user=user, record=record)
            timings.append((time.perf_counter() - started) * 1000)
            first += bool(found) and found[0].person.pk == person.pk
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        self.stdout.write(
            f"{len(timings)} intake searches as {user.username} among {size:,} people "
            f"({len(ids):,} visible to their teams): p50 {statistics.median(timings):.1f} ms, "
            f"p95 {p95:.1f} ms, max {timings[-1]:.1f} ms; "
            f"the person came first in {first / len(timings):.3f}."
        )
