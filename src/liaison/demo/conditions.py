"""Hidden conditions for synthetic people, calibrated to prevalence targets. Pure Python, no Django.

A person holds any subset of five conditions (the four the targets name plus "other"), so there
are 32 possible combinations. `joint_distribution` finds probabilities for the 32 combinations that
hit the target for each named condition and a chosen distribution of the number of conditions
held (which fixes "any" and "two or more"), by iterative proportional fitting from independence.
`allocate` then turns probabilities into whole counts for N people (largest remainder) and shuffles
them, so a run of any size and any seed lands within a person or two of every target rather than
wandering by sampling noise.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from itertools import product
from operator import itemgetter

Combo = tuple[bool, ...]


def all_combos(width: int) -> list[Combo]:
    return [tuple(bits) for bits in product((False, True), repeat=width)]


def joint_distribution(
    marginals: Sequence[float],
    count_distribution: Mapping[int, float],
    *,
    extra: int = 1,
    iterations: int = 2000,
    tolerance: float = 1e-12,
) -> dict[Combo, float]:
    """Probabilities over combinations of len(marginals) + `extra` conditions.

    Each of the first conditions has the given marginal; the extra ("other") conditions are free,
    so the fit can also meet `count_distribution` (number of conditions held -> probability).
    """
    width = len(marginals) + extra
    if abs(sum(count_distribution.values()) - 1) > 1e-9:
        raise ValueError("the condition-count distribution must sum to 1")
    combos = all_combos(width)
    # Start from independence (the extra conditions at one half), then rake to each constraint.
    weights: dict[Combo, float] = {}
    for combo in combos:
        w = 1.0
        for i, held in enumerate(combo):
            p = marginals[i] if i < len(marginals) else 0.5
            w *= p if held else 1 - p
        weights[combo] = w
    constraints: list[tuple[Callable[[Combo], int], dict[int, float]]] = [
        (itemgetter(i), {1: p, 0: 1 - p}) for i, p in enumerate(marginals)
    ]
    constraints.append((sum, {k: count_distribution.get(k, 0.0) for k in range(width + 1)}))

    for _ in range(iterations):
        worst = 0.0
        for key, targets in constraints:
            totals: dict[int, float] = {}
            for combo, w in weights.items():
                totals[key(combo)] = totals.get(key(combo), 0.0) + w
            for combo in combos:
                target, total = targets.get(key(combo), 0.0), totals.get(key(combo), 0.0)
                if target > 0 and total <= 0:
                    raise ValueError("the prevalence targets cannot all be met at once")
                worst = max(worst, abs(total - target))
                weights[combo] = weights[combo] * target / total if total > 0 else 0.0
        if worst < tolerance:
            break
    else:
        raise ValueError("the prevalence targets are inconsistent: the fit did not converge")
    return weights


def apportion(n: int, probabilities: Mapping[Combo, float]) -> dict[Combo, int]:
    """Whole counts summing to n, each within one of n * p (largest remainder method)."""
    exact = {combo: n * p for combo, p in probabilities.items()}
    counts = {combo: int(value) for combo, value in exact.items()}
    short = n - sum(counts.values())
    # Ties broken by the combination itself so the result never depends on dict order.
    by_remainder = sorted(exact, key=lambda c: (-(exact[c] - counts[c]), c))
    for combo in by_remainder[:short]:
        counts[combo] += 1
    return counts


def allocate(
    n: int,
    probabilities: Mapping[Combo, float],
    rng: random.Random,
    *,
    not_for: Sequence[bool] = (),
    excluded_index: int | None = None,
) -> list[Combo]:
    """Exactly-apportioned combinations in random order, one per person.

    People flagged in `not_for` (for example children, for whom a personality disorder diagnosis
    is not made) are swapped onto combinations without condition `excluded_index`, taken from
    people who are not flagged, so every total stays exactly as apportioned.
    """
    counts = apportion(n, probabilities)
    pool = [combo for combo in sorted(counts) for _ in range(counts[combo])]
    rng.shuffle(pool)
    if excluded_index is None or not any(not_for):
        return pool
    donors = [i for i in range(n) if not not_for[i] and not pool[i][excluded_index]]
    rng.shuffle(donors)
    for i in range(n):
        if not_for[i] and pool[i][excluded_index] and donors:
            j = donors.pop()
            pool[i], pool[j] = pool[j], pool[i]
    return pool
