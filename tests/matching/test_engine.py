"""The model: loaded from the versioned file, weights ordered by level, probability monotonic in the
evidence, the prior following the population, and training that reproduces from a seed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from liaison.matching.engine import MODEL_PATH, Model, default_model, probability_from_weight
from liaison.matching.features import COMPARISONS, LEVELS, Name, Record, prepare
from liaison.matching.synthetic import SyntheticPopulation
from liaison.matching.training import estimate

BASE = Record(
    names=(Name("Kieran", "Featherstone"),),
    date_of_birth=dt.date(1988, 3, 11),
    sex="1",
    nhs_number="9434765919",
    pnc_id="05/123456R",
    postcode="KX4 7RT",
)


def test_the_model_in_the_repository_matches_the_code():
    data = json.loads(MODEL_PATH.read_text())
    model = Model(data)
    assert model.version == data["version"]
    assert 0 < model.threshold < 1
    assert set(model.weights) == set(COMPARISONS)


@pytest.mark.parametrize("comparison", COMPARISONS)
def test_a_better_level_is_never_weaker_evidence(comparison):
    weights = [default_model().weights[comparison][code] for code, _ in LEVELS[comparison]]
    assert weights == sorted(weights, reverse=True)
    assert weights[0] > 0 > weights[-1]  # agreement is for, disagreement against, missing is neither


# Each step makes the arrival agree better with the person; the probability must never fall.
STEPS = [
    Record(names=(Name("Dean", "Okafor"),), date_of_birth=dt.date(1960, 1, 1), sex="2", postcode="QZ1 1AA"),
    Record(
        names=(Name("Dean", "Featherstone"),), date_of_birth=dt.date(1960, 1, 1), sex="2", postcode="QZ1 1AA"
    ),
    Record(
        names=(Name("Kian", "Featherstone"),), date_of_birth=dt.date(1960, 1, 1), sex="2", postcode="QZ1 1AA"
    ),
    Record(
        names=(Name("Kian", "Featherstone"),), date_of_birth=dt.date(1988, 8, 2), sex="2", postcode="QZ1 1AA"
    ),
    Record(
        names=(Name("Kian", "Featherstone"),), date_of_birth=dt.date(1988, 3, 12), sex="2", postcode="QZ1 1AA"
    ),
    Record(
        names=(Name("Kian", "Featherstone"),), date_of_birth=dt.date(1988, 11, 3), sex="2", postcode="QZ1 1AA"
    ),
    Record(
        names=(Name("Kieron", "Featherstone"),),
        date_of_birth=dt.date(1988, 11, 3),
        sex="",
        postcode="QZ1 1AA",
    ),
    Record(
        names=(Name("Kieran", "Featherstone"),),
        date_of_birth=dt.date(1988, 3, 11),
        sex="1",
        postcode="QZ1 1AA",
    ),
    Record(
        names=(Name("Kieran", "Featherstone"),),
        date_of_birth=dt.date(1988, 3, 11),
        sex="1",
        postcode="KX4 2AB",
    ),
    Record(
        names=(Name("Kieran", "Featherstone"),),
        date_of_birth=dt.date(1988, 3, 11),
        sex="1",
        postcode="KX4 7RT",
    ),
    dataclasses.replace(BASE, nhs_number=""),
    BASE,
]


def test_probability_rises_with_every_step_of_agreement():
    model = default_model()
    person = prepare(BASE)
    scores = [model.score(prepare(step), person, population=20000) for step in STEPS]
    probabilities = [s.probability for s in scores]
    assert probabilities == sorted(probabilities)
    weights = [s.match_weight for s in scores]
    assert weights == sorted(weights) and weights[0] < weights[-1]
    assert probabilities[0] < 0.01 and probabilities[-1] > 0.999


@pytest.mark.parametrize("field", ["nhs_number", "pnc_id"])
def test_two_different_valid_identifiers_count_strongly_against(field):
    model = default_model()
    other = {"nhs_number": "9434765870", "pnc_id": "06/123456G"}[field]
    same = model.score(prepare(BASE), prepare(dataclasses.replace(BASE, **{field: ""})), population=20000)
    different = model.score(
        prepare(BASE), prepare(dataclasses.replace(BASE, **{field: other})), population=20000
    )
    assert different.match_weight < same.match_weight - 8
    level = next(e for e in different.evidence if e.field == field)
    assert level.level == "different"


def test_the_same_evidence_is_weaker_among_more_people():
    model = default_model()
    arrival = prepare(Record(names=(Name("Kieran", "Featherstone"),), date_of_birth=dt.date(1988, 3, 12)))
    small = model.score(arrival, prepare(BASE), population=2_000).probability
    large = model.score(arrival, prepare(BASE), population=600_000).probability
    assert small > large


def test_probability_from_weight_is_bounded_and_even_at_zero():
    assert probability_from_weight(0) == 0.5
    assert probability_from_weight(1000) == 1.0
    assert probability_from_weight(-1000) == 0.0


def test_the_ground_truth_and_training_reproduce_from_a_seed():
    a = SyntheticPopulation(people=300, seed=5).build()
    b = SyntheticPopulation(people=300, seed=5).build()
    assert a.records == b.records
    assert SyntheticPopulation(people=300, seed=6).build().records != a.records
    first = estimate(a, seed=5, random_pair_count=2000, version="t")
    second = estimate(b, seed=5, random_pair_count=2000, version="t")
    first["trained"].pop("on"), second["trained"].pop("on")
    assert first == second


def test_a_model_whose_levels_do_not_match_the_code_is_refused():
    data = json.loads(MODEL_PATH.read_text())
    data["comparisons"]["date_of_birth"]["levels"].pop(1)
    with pytest.raises(ValueError, match="date_of_birth"):
        Model(data)
