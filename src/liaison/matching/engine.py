"""Fellegi–Sunter scoring: comparison levels -> match weights -> match probability. No Django imports.

For each comparison level the model holds m = P(level | same person) and u = P(level | different
people); the level's match weight is log2(m / u). A pair's match weight is the sum over its
comparisons (a missing field adds 0), plus the prior: log2 of the odds that two records drawn at
random are the same person. That prior depends on how many people there are, so the model stores
`matches_per_record` (how many other records the average record is the same person as) and the
prior is computed for the population being searched: a name-and-birthday agreement is weaker
evidence among 600,000 people than among 2,000.

Names are compared pairwise across every name each record is known by (main name, preferred first
name, aliases); the pairing with the highest name weight counts.

Term frequencies: an exact agreement on a last name, first name or postcode is stronger evidence for
a rare value than a common one (two records of "Zielinski" agree by chance far less often than two of
"Smith"), and a postcode shared by ten people is stronger evidence among 600,000 than among 2,000.
Given how many records carry each value (`Frequencies`), `Model.with_frequencies` replaces those
exact levels' u by the value's own share of the records, as Splink's term-frequency adjustment does.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from liaison.matching.features import (
    COMPARISONS,
    DATA_DIR,
    FIELD_LABELS,
    LEVELS,
    VALUE_KEY_KINDS,
    Prepared,
    compare_dob,
    compare_family,
    compare_given,
    compare_other,
    compare_postcode,
    level_codes,
    value_keys,
)

MODEL_PATH = DATA_DIR / "model.json"
NAME_COMPARISONS = ("given_name", "family_name")
# The comparisons whose values are counted, so their agreement is weighed by how common the value is.
FREQUENCY_COMPARISONS = tuple(VALUE_KEY_KINDS)
COMPARISON_OF_KIND = {kind: comparison for comparison, kind in VALUE_KEY_KINDS.items()}
# Two records with the same last name and postcode but different first names may be one household:
# twins share a birthday, a parent and child a name. Among such pairs a shared date of birth is far
# weaker evidence than the model's average (which assumes birthdays agree by chance), so their dates
# of birth are weighed by levels estimated over household pairs. Only here may more agreement (the
# same postcode) lower the probability: that is the twin's pattern.
HOUSEHOLD_FAMILY_LEVELS = frozenset({"exact", "part"})
HOUSEHOLD_GIVEN_LEVELS = frozenset({"similar", "different"})
HOUSEHOLD_NOTE = " (a different first name at the same address with the same last name: a twin?)"
# The levels whose weight follows how common the values are (spelt the same or nearly), and the level
# under which an adjusted weight never falls.
ADJUSTED_LEVELS = {
    "family_name": ("exact", "part", "close"),
    "given_name": ("exact", "part", "close"),
    "postcode": ("full",),
}
SPELT_ALIKE = frozenset(ADJUSTED_LEVELS["family_name"]) | frozenset(ADJUSTED_LEVELS["given_name"])
ADJUSTMENT_FLOOR = {"family_name": "sounds", "given_name": "sounds", "postcode": "sector"}
# A value held by fewer records than this share counts as this share: a spelling seen once or twice
# may be anyone's typo, and no name or address should outweigh a shared NHS number.
MIN_TERM_FREQUENCY = 1e-5


@dataclass(frozen=True)
class Frequencies:
    """How many of `population` records carry each value: {(comparison, value): count}.

    Values are as prepared (folded names with their parts joined, the compact postcode); a record
    counts each of its values once, over every name it is known by."""

    population: int
    counts: Mapping[tuple[str, str], int]

    @classmethod
    def count(cls, prepared: Iterable[Prepared]) -> Frequencies:
        """Frequencies over a whole set of records in memory (each record counts a value once)."""
        counts: Counter[tuple[str, str]] = Counter()
        population = 0
        for p in prepared:
            population += 1
            cls.tally(counts, p)
        return cls(population=population, counts=dict(counts))

    @staticmethod
    def tally(counts: Counter[tuple[str, str]], p: Prepared) -> None:
        """Add one record's values (every name it is known by, its postcode) to running counts."""
        counts.update((COMPARISON_OF_KIND[kind], value) for kind, value in value_keys(p))

    def share(self, comparison: str, value: str) -> float | None:
        """The share of records carrying the value, or None when it was not counted (a value seen for
        the first time, or frequencies kept before it was written): then the model's average applies."""
        count = self.counts.get((comparison, value), 0)
        if count < 1:
            return None
        return max(count / max(self.population, count), MIN_TERM_FREQUENCY)


@dataclass(frozen=True, slots=True)
class Evidence:
    field: str  # comparison name, e.g. "date_of_birth"
    level: str  # level code, e.g. "swapped"
    label: str  # what a practitioner reads, e.g. "Date of birth with day and month swapped"
    weight: float  # log2(m / u): positive is evidence for, negative against
    share: float | None = None  # for an exact name or postcode: the share of records that have it

    @property
    def field_label(self) -> str:
        return FIELD_LABELS[self.field]

    def as_list(self) -> list[Any]:
        stored: list[Any] = [self.field, self.level, round(self.weight, 2)]
        if self.share is not None:
            stored.append(float(f"{self.share:.3g}"))
        return stored


@dataclass(frozen=True, slots=True)
class Score:
    match_weight: float  # the evidence only, without the prior
    probability: float
    evidence: tuple[Evidence, ...]


def probability_from_weight(weight: float) -> float:
    if weight > 60:
        return 1.0
    if weight < -60:
        return 0.0
    odds = 2.0**weight
    return odds / (1.0 + odds)


class Model:
    """The trained m and u probabilities for every comparison level, and the default threshold."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.version: str = str(data["version"])
        self.matches_per_record: float = float(data["matches_per_record"])
        self.threshold: float = float(data["threshold"])
        self.weights: dict[str, dict[str, float]] = {}
        for name in COMPARISONS:
            levels = data["comparisons"][name]["levels"]
            codes = [level["code"] for level in levels]
            expected = level_codes(name)
            if codes != expected:
                raise ValueError(
                    f"model {self.version}: {name} has levels {codes}, the code expects {expected}"
                )
            self.weights[name] = {level["code"]: math.log2(level["m"] / level["u"]) for level in levels}
        household = data.get("household", {}).get("date_of_birth")
        # Date-of-birth weights for two records with the same last name at the same postcode.
        self.household_dob: dict[str, float] | None = None
        if household is not None:
            codes = [level["code"] for level in household["levels"]]
            if codes != level_codes("date_of_birth"):
                raise ValueError(f"model {self.version}: household date_of_birth has levels {codes}")
            # The household explains agreement away, never disagreement: no level counts for more.
            self.household_dob = {
                level["code"]: min(
                    math.log2(level["m"] / level["u"]), self.weights["date_of_birth"][level["code"]]
                )
                for level in household["levels"]
            }
        self.labels = {name: dict(LEVELS[name]) for name in COMPARISONS}
        self.digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]
        self.u_exact = {
            name: float(data["comparisons"][name]["levels"][0]["u"]) for name in FREQUENCY_COMPARISONS
        }
        self.floor = {name: self.weights[name][level] for name, level in ADJUSTMENT_FLOOR.items()}
        self.frequencies: Frequencies | None = None
        # comparison -> value -> the adjustment for that value, filled as values are met.
        self._adjustments: dict[str, dict[str, float]] = {name: {} for name in FREQUENCY_COMPARISONS}

    def with_frequencies(self, frequencies: Frequencies) -> Model:
        """This model with names and postcodes weighed by how common each value is."""
        adjusted = copy.copy(self)
        adjusted.frequencies = frequencies
        adjusted._adjustments = {name: {} for name in FREQUENCY_COMPARISONS}
        return adjusted

    def adjustment(self, comparison: str, value: str) -> float:
        """How much more (or less) an agreement on `value` says than an agreement on the average value:
        log2(the exact level's average u / the value's share of the records); 0 when not counted."""
        cache = self._adjustments[comparison]
        found = cache.get(value)
        if found is None:
            share = self.frequencies.share(comparison, value) if self.frequencies is not None else None
            found = 0.0 if share is None else math.log2(self.u_exact[comparison] / share)
            cache[value] = found
        return found

    def level_weight(self, comparison: str, level: str, x: str, y: str) -> float:
        """The weight of `level` between the values x and y, adjusted for how common they are.

        An exact agreement takes the value's own frequency; a near one (one letter different, a part
        of a double-barrelled name) the commoner of the two spellings, so a typo of "Smith", which
        looks rare, counts as Smith. Never under the floor level (a name that sounds the same)."""
        weight = self.weights[comparison][level]
        if self.frequencies is None or level not in ADJUSTED_LEVELS[comparison]:
            return weight
        adjust = self.adjustment(comparison, x)
        if x != y:
            adjust = min(adjust, self.adjustment(comparison, y))
        return max(weight + adjust, self.floor[comparison])

    @classmethod
    def load(cls, path: Path | str = MODEL_PATH) -> Model:
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def prior_weight(self, population: int) -> float:
        """log2 prior odds that two records drawn at random from `population` are the same person."""
        others = max(population - 1, 1)
        probability = min(self.matches_per_record / others, 0.5)
        return math.log2(probability / (1.0 - probability))

    def threshold_weight(self, population: int, threshold: float | None = None) -> float:
        """The evidence weight a pair needs to reach the probability threshold in `population`."""
        t = self.threshold if threshold is None else threshold
        return math.log2(t / (1.0 - t)) - self.prior_weight(population)

    def _names(self, a: Prepared, b: Prepared) -> tuple[float, int, int, str | None, str | None]:
        wg, wf = self.weights["given_name"], self.weights["family_name"]
        adjusted = self.level_weight if self.frequencies is not None else None
        best_weight = -math.inf
        best: tuple[int, int, str | None, str | None] = (0, 0, None, None)
        for i, na in enumerate(a.names):
            for j, nb in enumerate(b.names):
                given, family = compare_given(na, nb), compare_family(na, nb)
                w = 0.0
                if given is not None:
                    if adjusted is not None and given in SPELT_ALIKE:
                        w += adjusted("given_name", given, na.given, nb.given)
                    else:
                        w += wg[given]
                if family is not None:
                    if adjusted is not None and family in SPELT_ALIKE:
                        w += adjusted("family_name", family, na.family, nb.family)
                    else:
                        w += wf[family]
                if w > best_weight:
                    best_weight, best = w, (i, j, given, family)
        if best_weight == -math.inf:
            return (0.0, 0, 0, None, None)
        return (best_weight, *best)

    def same_household(self, a: Prepared, b: Prepared, given: str | None, family: str | None) -> bool:
        """The same last name but different first names (as the names were paired), one full postcode."""
        return (
            family in HOUSEHOLD_FAMILY_LEVELS
            and given in HOUSEHOLD_GIVEN_LEVELS
            and a.postcode is not None
            and b.postcode is not None
            and a.postcode[0] == b.postcode[0]
        )

    def _dob_weights(
        self, a: Prepared, b: Prepared, given: str | None, family: str | None
    ) -> dict[str, float]:
        if self.household_dob is not None and self.same_household(a, b, given, family):
            return self.household_dob
        return self.weights["date_of_birth"]

    def match_weight(self, a: Prepared, b: Prepared) -> float:
        """The evidence weight only: the fast path for the duplicate batch (the same sum as `score`,
        without building the evidence)."""
        names = self._names(a, b)
        total = names[0]
        weights = self.weights
        if a.dob_digits and b.dob_digits:
            total += self._dob_weights(a, b, names[3], names[4])[compare_dob(a, b)]  # type: ignore[index]
        if a.sex and b.sex:
            total += weights["sex"]["same" if a.sex == b.sex else "different"]
        if a.nhs_number and b.nhs_number:
            total += weights["nhs_number"]["same" if a.nhs_number == b.nhs_number else "different"]
        if a.pnc_id and b.pnc_id:
            total += weights["pnc_id"]["same" if a.pnc_id == b.pnc_id else "different"]
        pa, pb = a.postcode, b.postcode
        if pa is not None and pb is not None:
            if pa[0] == pb[0]:
                total += self.level_weight("postcode", "full", pa[0], pa[0])
            else:
                total += weights["postcode"][compare_postcode(a, b)]  # type: ignore[index]
        return total

    def score(self, a: Prepared, b: Prepared, *, population: int) -> Score:
        """The weight, probability and field-by-field evidence for a pair, in display order."""
        name_weight, i, j, given, family = self._names(a, b)
        levels: dict[str, str | None] = {"given_name": given, "family_name": family, **compare_other(a, b)}
        other_name = i > 0 or j > 0
        values = {  # the two values each adjusted level compares
            "given_name": (a.names[i].given, b.names[j].given) if a.names and b.names else ("", ""),
            "family_name": (a.names[i].family, b.names[j].family) if a.names and b.names else ("", ""),
            "postcode": (a.postcode[0], b.postcode[0]) if a.postcode and b.postcode else ("", ""),
        }
        evidence = []
        for name in COMPARISONS:
            level = levels[name]
            if level is None:
                continue
            label = self.labels[name][level]
            if other_name and name in NAME_COMPARISONS:
                label += " (another name they are known by)"
            weight, share = self.weights[name][level], None
            if name == "date_of_birth":
                dob_weights = self._dob_weights(a, b, given, family)
                weight = dob_weights[level]
                if dob_weights is self.household_dob:
                    label += HOUSEHOLD_NOTE
            if name in FREQUENCY_COMPARISONS:
                weight = self.level_weight(name, level, *values[name])
                if self.frequencies is not None and level in ("exact", "full"):
                    share = self.frequencies.share(name, values[name][0])
            evidence.append(Evidence(name, level, label, weight, share))
        weight = sum(e.weight for e in evidence)
        probability = probability_from_weight(weight + self.prior_weight(population))
        return Score(match_weight=weight, probability=probability, evidence=tuple(evidence))


@functools.cache
def default_model() -> Model:
    """The model in the repository (matching/data/model.json), loaded once per process."""
    return Model.load()
