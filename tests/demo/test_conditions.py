"""The prevalence model behind the synthetic people: targets, the joint fit and whole-number allocation."""

from __future__ import annotations

import random

import pytest

from liaison.demo.conditions import allocate, apportion, joint_distribution
from liaison.demo.generator import (
    CONDITION_COUNT,
    CUSTODY_SCALE,
    PRISON_PREVALENCE,
    SPECIFIC,
    TARGETS,
    condition_distribution,
)

ANY = "any_diagnosable_mental_health_problem"
TWO = "two_or_more_mental_health_problems"


def test_targets_are_the_prison_figures_scaled_down_for_custody():
    assert set(TARGETS) == set(PRISON_PREVALENCE) == set(CUSTODY_SCALE)
    for name, target in TARGETS.items():
        assert 0 < CUSTODY_SCALE[name] < 1, name
        assert target == pytest.approx(PRISON_PREVALENCE[name] * CUSTODY_SCALE[name])
        assert target < PRISON_PREVALENCE[name]


def test_targets_are_coherent_any_covers_each_condition_and_two_or_more():
    assert all(TARGETS[name] <= TARGETS[ANY] for name in SPECIFIC)
    assert TARGETS[TWO] <= TARGETS[ANY]
    assert sum(CONDITION_COUNT.values()) == pytest.approx(1)
    assert CONDITION_COUNT[0] == pytest.approx(1 - TARGETS[ANY])
    assert sum(p for k, p in CONDITION_COUNT.items() if k >= 2) == pytest.approx(TARGETS[TWO])


def test_joint_distribution_hits_every_target():
    joint = condition_distribution()
    assert sum(joint.values()) == pytest.approx(1)
    for i, name in enumerate(SPECIFIC):
        assert sum(p for combo, p in joint.items() if combo[i]) == pytest.approx(TARGETS[name], abs=1e-9)
    assert sum(p for combo, p in joint.items() if any(combo)) == pytest.approx(TARGETS[ANY], abs=1e-9)
    assert sum(p for combo, p in joint.items() if sum(combo) >= 2) == pytest.approx(TARGETS[TWO], abs=1e-9)


def test_conditions_cluster_as_comorbidity_does():
    # Someone with a severe mental illness is more likely than average to have a second problem.
    joint = condition_distribution()
    smi = sum(p for combo, p in joint.items() if combo[0])
    smi_and_more = sum(p for combo, p in joint.items() if combo[0] and sum(combo) >= 2)
    assert smi_and_more / smi > TARGETS[TWO]


def test_impossible_targets_are_refused():
    with pytest.raises(ValueError):
        # Nobody holds two or more conditions, yet two conditions each held by 60% of people.
        joint_distribution([0.6, 0.6], {0: 0.2, 1: 0.8}, extra=0)


@pytest.mark.parametrize("n", [1, 7, 100, 2001])
def test_apportion_gives_whole_counts_summing_to_n(n):
    counts = apportion(n, condition_distribution())
    assert sum(counts.values()) == n
    for combo, p in condition_distribution().items():
        assert abs(counts[combo] - n * p) < 1


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_allocation_lands_within_half_a_point_for_any_seed(seed):
    n = 2000
    combos = allocate(n, condition_distribution(), random.Random(seed))
    for i, name in enumerate(SPECIFIC):
        assert abs(sum(c[i] for c in combos) / n - TARGETS[name]) < 0.005, name
    assert abs(sum(any(c) for c in combos) / n - TARGETS[ANY]) < 0.005
    assert abs(sum(sum(c) >= 2 for c in combos) / n - TARGETS[TWO]) < 0.005


def test_children_are_never_given_a_personality_disorder_and_totals_hold():
    n = 500
    rng = random.Random(9)
    children = [rng.random() < 0.15 for _ in range(n)]
    pd = SPECIFIC.index("personality_disorder")
    combos = allocate(n, condition_distribution(), random.Random(9), not_for=children, excluded_index=pd)
    assert not any(c[pd] for c, child in zip(combos, children, strict=True) if child)
    assert sorted(combos) == sorted(allocate(n, condition_distribution(), random.Random(9)))
