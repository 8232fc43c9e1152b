"""Generator ground truth for the synthetic demo data set. Never clinical information.

The seed gives every synthetic person a hidden set of conditions drawn to match documented
prevalence targets (docs/seed.md). Nothing in the product reads these rows: they exist so tests
and dashboards can be calibrated against what the generator meant to produce.
"""

from __future__ import annotations

from itertools import combinations

from django.db import models
from django.db.models import Q

# The specific conditions a profile records; "any" and "two or more" are derived from these.
CONDITION_FIELDS = (
    "severe_mental_illness",
    "depression_or_anxiety",
    "alcohol_or_drug_dependence",
    "personality_disorder",
    "other_mental_health_problem",
)


def _none_of(fields: tuple[str, ...]) -> Q:
    return Q(**dict.fromkeys(fields, False))


def _at_least_two() -> Q:
    q = Q()
    for a, b in combinations(CONDITION_FIELDS, 2):
        q |= Q(**{a: True, b: True})
    return q


class SyntheticProfile(models.Model):
    """SYNTHETIC: the conditions the demo generator assigned to a synthetic person."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, primary_key=True, related_name="synthetic_profile"
    )
    seed = models.BigIntegerField(help_text="The --seed of the run that generated this person.")
    severe_mental_illness = models.BooleanField()
    depression_or_anxiety = models.BooleanField()
    alcohol_or_drug_dependence = models.BooleanField()
    personality_disorder = models.BooleanField()
    # Everything else that counts as a diagnosable mental health problem (PTSD, ADHD, eating
    # disorders...): recorded so that "any" and "two or more" can be checked from the set.
    other_mental_health_problem = models.BooleanField()
    any_diagnosable_mental_health_problem = models.BooleanField()
    two_or_more_mental_health_problems = models.BooleanField()

    class Meta:
        constraints = [
            # "any" is exactly "at least one of the specific conditions".
            models.CheckConstraint(
                condition=(Q(any_diagnosable_mental_health_problem=True) & ~_none_of(CONDITION_FIELDS))
                | (Q(any_diagnosable_mental_health_problem=False) & _none_of(CONDITION_FIELDS)),
                name="syntheticprofile_any_matches_conditions",
            ),
            # "two or more" is exactly "some pair of the specific conditions".
            models.CheckConstraint(
                condition=(Q(two_or_more_mental_health_problems=True) & _at_least_two())
                | (Q(two_or_more_mental_health_problems=False) & ~_at_least_two()),
                name="syntheticprofile_two_or_more_matches_conditions",
            ),
        ]

    def __str__(self) -> str:
        held = [name.replace("_", " ") for name in CONDITION_FIELDS if getattr(self, name)]
        return f"Synthetic profile: {', '.join(held) or 'no condition'}"


class HeldDefinition(models.Model):
    """An index or foreign key the national load dropped from a table it fills, to put back after it.

    Building an index once over the loaded rows is several times cheaper than updating it for every
    row, and a foreign key checked once over the table is cheaper than a trigger per row (measured:
    docs/performance.md, "Load speed"; docs/adr/0014-national-load-holds-indexes.md). The definition
    is kept here, in the same database, so a load that stops keeps it: `liaison seed --scale national
    --resume` puts everything held back. PostgreSQL only.
    """

    class Kind(models.TextChoices):
        INDEX = "index"
        FOREIGN_KEY = "foreign key"

    name = models.CharField(max_length=63)  # PostgreSQL's longest identifier
    table = models.CharField(max_length=63)
    kind = models.CharField(max_length=11, choices=Kind)
    definition = models.TextField(help_text="pg_get_indexdef or pg_get_constraintdef, as it was.")
    held_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            # An index's name is its schema's; a constraint's only its table's.
            models.UniqueConstraint(fields=["table", "name"], name="helddefinition_one_per_table_and_name")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.name} on {self.table}"
