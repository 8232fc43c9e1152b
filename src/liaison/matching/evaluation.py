"""Evaluating the matcher on a synthetic ground truth. No Django imports.

Pairwise, as the duplicate batch sees it: every blocked pair is scored, pairs at or over the
threshold are predicted matches, and precision and recall are counted against every true pair
(a true pair that blocking never brought together counts as missed). Then as intake sees it: each
duplicate record is searched for among all the others and the best candidate is checked.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from liaison.matching.batch import build_index, candidate_pairs
from liaison.matching.engine import Frequencies, Model
from liaison.matching.features import Prepared, all_keys, prepare
from liaison.matching.synthetic import GroundTruth
from liaison.matching.training import metrics


@dataclass
class Evaluation:
    records: int
    true_pairs: int
    blocked_pairs: int
    blocked_true_pairs: int
    threshold: float
    result: dict[str, float]
    seconds: dict[str, float] = field(default_factory=dict)
    by_threshold: dict[float, dict[str, float]] = field(default_factory=dict)
    intake: dict[str, float] = field(default_factory=dict)
    missed_by_corruption: dict[str, int] = field(default_factory=dict)

    @property
    def pairs_per_second(self) -> float:
        return self.blocked_pairs / self.seconds["score"] if self.seconds.get("score") else 0.0


def evaluate(
    truth: GroundTruth,
    model: Model,
    *,
    threshold: float | None = None,
    intake_queries: int = 1000,
    seed: int = 0,
    term_frequencies: bool = True,
) -> Evaluation:
    """With `term_frequencies` (as the duplicate batch and intake score), exact names and postcodes
    are weighed by how many of these records share them."""
    threshold = model.threshold if threshold is None else threshold
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    prepared = [prepare(r.record) for r in truth.records]
    if term_frequencies:
        model = model.with_frequencies(Frequencies.count(prepared))
    seconds["prepare"] = time.perf_counter() - clock
    clock = time.perf_counter()
    index = build_index(prepared)
    seconds["block"] = time.perf_counter() - clock
    true_pairs = truth.true_pairs()
    clock = time.perf_counter()
    scored: list[tuple[float, bool]] = []
    missed_pairs: list[tuple[int, int]] = []
    blocked_true_set: set[tuple[int, int]] = set()
    weight = model.match_weight
    population = len(prepared)
    cut = model.threshold_weight(population, threshold)
    for i, j in candidate_pairs(index):
        w = weight(prepared[i], prepared[j])
        is_true = (i, j) in true_pairs
        scored.append((w, is_true))
        if is_true:
            blocked_true_set.add((i, j))
            if w < cut:
                missed_pairs.append((i, j))
    seconds["score"] = time.perf_counter() - clock
    blocked_true = len(blocked_true_set)
    result = metrics(
        scored, true_total=len(true_pairs), model=model, population=population, threshold=threshold
    )
    by_threshold = {
        t: metrics(scored, true_total=len(true_pairs), model=model, population=population, threshold=t)
        for t in (0.5, 0.8, 0.9, 0.95, 0.99)
    }
    # What the missed true pairs (never blocked together, or scored under the threshold) had changed.
    missed: dict[str, int] = {}
    for i, j in sorted(true_pairs - blocked_true_set) + missed_pairs:
        for what in set(truth.records[i].corruption + truth.records[j].corruption) or {"none"}:
            missed[what] = missed.get(what, 0) + 1
    evaluation = Evaluation(
        records=population,
        true_pairs=len(true_pairs),
        blocked_pairs=len(scored),
        blocked_true_pairs=blocked_true,
        threshold=threshold,
        result=result,
        seconds=seconds,
        by_threshold=by_threshold,
        missed_by_corruption=dict(sorted(missed.items(), key=lambda kv: -kv[1])),
    )
    evaluation.intake = _intake(truth, prepared, index.blocks, model, intake_queries, seed)
    return evaluation


def _intake(
    truth: GroundTruth,
    prepared: list[Prepared],
    blocks: dict[tuple[str, str], list[int]],
    model: Model,
    queries: int,
    seed: int,
) -> dict[str, float]:
    """Search for each sampled duplicate among all other records; is the best candidate the person?"""
    duplicates = [i for i, r in enumerate(truth.records) if r.duplicate]
    rng = random.Random(f"matching-intake:{seed}")  # noqa: S311 - a reproducible sample, not a secret
    sample = rng.sample(duplicates, min(queries, len(duplicates)))
    population = len(prepared)
    correct = candidates = 0
    clock = time.perf_counter()
    for q in sample:
        found: set[int] = set()
        for key in all_keys(prepared[q]):
            found.update(blocks.get(key, ()))
        found.discard(q)
        candidates += len(found)
        best = max(found, key=lambda c: model.match_weight(prepared[q], prepared[c]), default=None)
        if best is not None and truth.records[best].entity == truth.records[q].entity:
            correct += 1
    elapsed = time.perf_counter() - clock
    return {
        "queries": len(sample),
        "top_candidate_correct": correct / len(sample) if sample else 0.0,
        "candidates_per_query": candidates / len(sample) if sample else 0.0,
        "ms_per_query": 1000 * elapsed / len(sample) if sample else 0.0,
        "candidates_per_second": candidates / elapsed if elapsed else 0.0,
        "population": population,
    }
