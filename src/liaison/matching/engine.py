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
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from liaison.matching.features import (
    COMPARISONS,
    DATA_DIR,
    FIELD_LABELS,
    LEVELS,
    Prepared,
    compare_names,
    compare_other,
    level_codes,
)

MODEL_PATH = DATA_DIR / "model.json"
NAME_COMPARISONS = ("given_name", "family_name")


@dataclass(frozen=True, slots=True)
class Evidence:
    field: str  # comparison name, e.g. "date_of_birth"
    level: str  # level code, e.g. "swapped"
    label: str  # what a practitioner reads, e.g. "Date of birth with day and month swapped"
    weight: float  # log2(m / u): positive is evidence for, negative against

    @property
    def field_label(self) -> str:
        return FIELD_LABELS[self.field]

    def as_list(self) -> list[Any]:
        return [self.field, self.level, round(self.weight, 2)]


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
        self.labels = {name: dict(LEVELS[name]) for name in COMPARISONS}
        self.digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> Model:
        return cls(json.loads(path.read_text(encoding="utf-8")))

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
        best: tuple[float, int, int, str | None, str | None] = (-math.inf, 0, 0, None, None)
        for i, j, given, family in compare_names(a, b):
            w = (wg[given] if given else 0.0) + (wf[family] if family else 0.0)
            if w > best[0]:
                best = (w, i, j, given, family)
        if best[0] == -math.inf:
            return (0.0, 0, 0, None, None)
        return best

    def match_weight(self, a: Prepared, b: Prepared) -> float:
        """The evidence weight only: the fast path for the duplicate batch."""
        total = self._names(a, b)[0]
        for name, level in compare_other(a, b).items():
            if level is not None:
                total += self.weights[name][level]
        return total

    def score(self, a: Prepared, b: Prepared, *, population: int) -> Score:
        """The weight, probability and field-by-field evidence for a pair, in display order."""
        name_weight, i, j, given, family = self._names(a, b)
        levels: dict[str, str | None] = {"given_name": given, "family_name": family, **compare_other(a, b)}
        other_name = i > 0 or j > 0
        evidence = []
        for name in COMPARISONS:
            level = levels[name]
            if level is None:
                continue
            label = self.labels[name][level]
            if other_name and name in NAME_COMPARISONS:
                label += " (another name they are known by)"
            evidence.append(Evidence(name, level, label, self.weights[name][level]))
        weight = sum(e.weight for e in evidence)
        probability = probability_from_weight(weight + self.prior_weight(population))
        return Score(match_weight=weight, probability=probability, evidence=tuple(evidence))


@functools.cache
def default_model() -> Model:
    """The model in the repository (matching/data/model.json), loaded once per process."""
    return Model.load()
