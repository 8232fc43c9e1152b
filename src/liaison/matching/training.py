"""Estimating the model's m and u probabilities from a labelled synthetic set. No Django imports.

u = P(level | different people): counted over pairs of records drawn at random (almost all of which
are different people; pairs of the same person are left out).
m = P(level | same person): counted over every true pair in the labelled set.
Counts get a small pseudo-count so that a level never seen (two different valid NHS numbers for the
same person) has a small, finite m rather than zero: it is then very strong evidence against.

Within each comparison the weights are made non-increasing down the level order (a better level is
never weaker evidence than a worse one), by pooling adjacent levels that break the order, so the
probability only ever rises with better evidence.
The names are paired as at run time (the pairing with the highest name weight), using a first pass
in which the weight is simply the level's rank.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from collections.abc import Sequence
from typing import Any

from liaison.matching.engine import Model, probability_from_weight
from liaison.matching.features import (
    COMPARISONS,
    LEVELS,
    Prepared,
    compare_dob,
    compare_other,
    level_codes,
    prepare,
)
from liaison.matching.synthetic import GroundTruth

PSEUDO_COUNT = 0.5
FLOOR = 1e-6


def _rank_model() -> Model:
    comparisons = {
        name: {
            "levels": [
                {"code": code, "label": label, "m": 2.0 ** (-rank), "u": 1.0}
                for rank, (code, label) in enumerate(LEVELS[name])
            ]
        }
        for name in COMPARISONS
    }
    return Model({"version": "rank", "matches_per_record": 1.0, "threshold": 0.5, "comparisons": comparisons})


def _levels(model: Model, a: Prepared, b: Prepared) -> dict[str, str | None]:
    _, _, _, given, family = model._names(a, b)
    return {"given_name": given, "family_name": family, **compare_other(a, b)}


def _count(
    model: Model, prepared: Sequence[Prepared], pairs: Sequence[tuple[int, int]]
) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {name: Counter() for name in COMPARISONS}
    for i, j in pairs:
        for name, level in _levels(model, prepared[i], prepared[j]).items():
            if level is not None:
                counts[name][level] += 1
    return counts


def _probabilities(counts: Counter[str], codes: list[str]) -> dict[str, float]:
    total = sum(counts[c] for c in codes) + PSEUDO_COUNT * len(codes)
    return {c: max((counts[c] + PSEUDO_COUNT) / total, FLOOR) for c in codes}


def _monotone(levels: list[dict[str, Any]], m_total: float, u_total: float) -> None:
    """Pool adjacent levels (weighted by their counts) wherever a worse level would outweigh a better one.

    Pool-adjacent-violators: a sparse level (a middle name in common, seen once) is pooled with its
    neighbours rather than dragging them down. Each pooled level keeps its own u and gets the m that
    gives it the pooled weight.
    """
    blocks: list[tuple[float, float, list[int]]] = []  # (m count, u count, level indexes)

    def weight(block: tuple[float, float, list[int]]) -> float:
        return math.log2((block[0] / m_total) / (block[1] / u_total))

    for index, level in enumerate(levels):
        blocks.append((level["m_count"] + PSEUDO_COUNT, level["u_count"] + PSEUDO_COUNT, [index]))
        while len(blocks) > 1 and weight(blocks[-2]) < weight(blocks[-1]):
            (m2, u2, i2), (m1, u1, i1) = blocks.pop(), blocks.pop()
            blocks.append((m1 + m2, u1 + u2, i1 + i2))
    for block in blocks:
        if len(block[2]) == 1:
            continue
        pooled = weight(block)
        for index in block[2]:
            levels[index]["m"] = levels[index]["u"] * 2.0**pooled
            levels[index]["pooled"] = True


def _levels_for(name: str, m_counts: Counter[str], u_counts: Counter[str]) -> dict[str, Any]:
    """One comparison's levels with m, u, the counts behind them and the weight, made monotone."""
    codes = level_codes(name)
    m = _probabilities(m_counts, codes)
    u = _probabilities(u_counts, codes)
    levels: list[dict[str, Any]] = [
        {
            "code": code,
            "label": label,
            "m": m[code],
            "u": u[code],
            "m_count": m_counts[code],
            "u_count": u_counts[code],
        }
        for code, label in LEVELS[name]
    ]
    _monotone(
        levels,
        m_total=sum(m_counts[c] for c in codes) + PSEUDO_COUNT * len(codes),
        u_total=sum(u_counts[c] for c in codes) + PSEUDO_COUNT * len(codes),
    )
    for level in levels:
        level["weight"] = round(math.log2(level["m"] / level["u"]), 3)
    return {"levels": levels}


def _household_counts(
    model: Model, truth: GroundTruth, prepared: Sequence[Prepared], true_pairs: Sequence[tuple[int, int]]
) -> tuple[Counter[str], Counter[str]]:
    """Date-of-birth levels of household pairs (same last name and full postcode, different first
    names): over true pairs (m) and over every pair of different people in one household (u)."""
    m_counts: Counter[str] = Counter()
    for i, j in true_pairs:
        a, b = prepared[i], prepared[j]
        _, _, _, given, family = model._names(a, b)
        if model.same_household(a, b, given, family):
            level = compare_dob(a, b)
            if level is not None:
                m_counts[level] += 1
    homes: dict[tuple[str, str], list[int]] = {}
    for index, p in enumerate(prepared):
        if p.names and p.names[0].family and p.postcode is not None:
            homes.setdefault((p.names[0].family, p.postcode[0]), []).append(index)
    u_counts: Counter[str] = Counter()
    for members in homes.values():
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                a, b = prepared[i], prepared[j]
                _, _, _, given, family = model._names(a, b)
                if truth.records[i].entity != truth.records[j].entity and model.same_household(
                    a, b, given, family
                ):
                    level = compare_dob(a, b)
                    if level is not None:
                        u_counts[level] += 1
    return m_counts, u_counts


def random_pairs(truth: GroundTruth, count: int, rng: random.Random) -> list[tuple[int, int]]:
    n = len(truth.records)
    pairs: list[tuple[int, int]] = []
    while len(pairs) < count:
        i, j = rng.randrange(n), rng.randrange(n)
        if i != j and truth.records[i].entity != truth.records[j].entity:
            pairs.append((min(i, j), max(i, j)))
    return pairs


def estimate(
    truth: GroundTruth,
    *,
    seed: int,
    random_pair_count: int = 500_000,
    version: str,
    description: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A model (as the JSON-ready dict stored in model.json) estimated from a labelled set."""
    prepared = [prepare(r.record) for r in truth.records]
    true_pairs = sorted(truth.true_pairs())
    rng = random.Random(f"matching-u:{seed}")  # noqa: S311 - a reproducible sample, not a secret
    sample = random_pairs(truth, random_pair_count, rng)
    model = _rank_model()
    data: dict[str, Any] = {}
    for _ in range(2):  # the second pass pairs names by the weights the first pass estimated
        m_counts = _count(model, prepared, true_pairs)
        u_counts = _count(model, prepared, sample)
        comparisons = {name: _levels_for(name, m_counts[name], u_counts[name]) for name in COMPARISONS}
        household = _levels_for("date_of_birth", *_household_counts(model, truth, prepared, true_pairs))
        data = {
            "version": version,
            "trained": {
                "method": "labelled synthetic ground truth (m from true pairs, u from random pairs)",
                "records": len(prepared),
                "true_pairs": len(true_pairs),
                "random_pairs": len(sample),
                "seed": seed,
                "on": dt.date.today().isoformat(),  # noqa: DTZ011 - a date stamp for the file, not a time
                **(description or {}),
            },
            # How many other records the average record is the same person as (sets the prior).
            "matches_per_record": round(2 * len(true_pairs) / len(prepared), 6),
            "threshold": 0.9,
            "comparisons": comparisons,
            # Dates of birth of two records with the same last name at the same postcode: among
            # different people there, twins and relatives make a shared birthday far less rare.
            "household": {"date_of_birth": household},
        }
        model = Model(data)
    return data


THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999)


def choose_threshold(
    weights: Sequence[tuple[float, bool]], *, true_total: int, model: Model, population: int
) -> tuple[float, dict[str, float]]:
    """The probability threshold where the worse of precision and recall is best over scored pairs
    (weight, is a true pair): a wrong match and a missed one both harm, and the service needs both
    high, so neither is traded far below the other (ties go to the higher threshold: fewer wrong)."""
    best: tuple[float, float, dict[str, float]] = (-1.0, 0.9, {})
    for threshold in THRESHOLDS:
        stats = metrics(
            weights, true_total=true_total, model=model, population=population, threshold=threshold
        )
        worse = min(stats["precision"], stats["recall"])
        if worse >= best[0] - 1e-12:
            best = (worse, threshold, stats)
    return best[1], best[2]


def metrics(
    weights: Sequence[tuple[float, bool]], *, true_total: int, model: Model, population: int, threshold: float
) -> dict[str, float]:
    prior = model.prior_weight(population)
    predicted = [(w, truth) for w, truth in weights if probability_from_weight(w + prior) >= threshold]
    tp = sum(1 for _, truth in predicted if truth)
    fp = len(predicted) - tp
    fn = true_total - tp
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}
