"""The model: loaded from the versioned file, weights ordered by level, probability monotonic in the
evidence, the prior following the population, and training that reproduces from a seed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math

import pytest

from liaison.matching.engine import (
    MIN_TERM_FREQUENCY,
    MODEL_PATH,
    Frequencies,
    Model,
    default_model,
    probability_from_weight,
)
from liaison.matching.features import COMPARISONS, LEVELS, Name, Record, fold, prepare
from liaison.matching.presenters import stored_evidence
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


# --- term frequencies: an exact agreement on a rare value counts for more than on a common one -----


def _frequencies(**counts: int) -> Frequencies:
    """10,000 records: `smith=400` means 400 of them have the last name Smith."""
    table = {("family_name", name): n for name, n in counts.items()}
    return Frequencies(population=10_000, counts=table)


def _person(family: str, *, postcode: str = "") -> Record:
    return Record(names=(Name("Kieran", family),), date_of_birth=dt.date(1988, 3, 11), postcode=postcode)


def test_a_shared_rare_last_name_is_stronger_evidence_than_a_shared_common_one():
    model = default_model().with_frequencies(_frequencies(smith=400, featherstone=2))
    common = model.score(prepare(_person("Smith")), prepare(_person("Smith")), population=10_000)
    rare = model.score(prepare(_person("Featherstone")), prepare(_person("Featherstone")), population=10_000)
    assert rare.match_weight > common.match_weight + 5  # log2(400 / 2) = 7.6 bits
    assert rare.probability > common.probability
    shares = {e.field: e.share for e in rare.evidence}
    assert shares["family_name"] == pytest.approx(2 / 10_000)


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        # (records with the name, weight of the exact level relative to the model's average)
        (None, "average"),  # not counted (a name seen for the first time): no adjustment either way
        (0, "average"),
        (10_000, "floor"),  # everyone has it: never weaker than a name that only sounds the same
        (1, "share"),  # 1 in 10,000: log2(m / 0.0001)
    ],
)
def test_the_exact_level_falls_back_and_is_bounded(count, expected):
    base = default_model()
    counts = {} if count is None else {"featherstone": count}
    model = base.with_frequencies(_frequencies(**counts))
    weight = model.level_weight("family_name", "exact", "featherstone", "featherstone")
    levels = base.weights["family_name"]
    m_exact = 2 ** levels["exact"] * base.u_exact["family_name"]
    if expected == "average":
        assert weight == levels["exact"]
    elif expected == "floor":
        assert weight == levels["sounds"]
    else:
        assert weight == pytest.approx(math.log2(m_exact / 1e-4))


def test_no_value_counts_as_rarer_than_one_in_100000():
    base = default_model()
    tiny = base.with_frequencies(Frequencies(population=10_000_000, counts={("family_name", "x"): 1}))
    m_exact = 2 ** base.weights["family_name"]["exact"] * base.u_exact["family_name"]
    assert tiny.level_weight("family_name", "exact", "x", "x") == pytest.approx(
        math.log2(m_exact / MIN_TERM_FREQUENCY)
    )


def test_a_near_spelling_counts_as_the_commoner_of_the_two():
    """Smiht looks rare (one record) but is a typo of Smith: the pair counts as common as Smith."""
    base = default_model()
    model = base.with_frequencies(_frequencies(smith=400, smiht=1, featherstone=2, fetherstone=1))
    common = model.level_weight("family_name", "close", "smiht", "smith")
    rare = model.level_weight("family_name", "close", "featherstone", "fetherstone")
    assert common == model.level_weight("family_name", "close", "smith", "smiht")
    assert common < base.weights["family_name"]["close"] < rare
    assert common >= base.weights["family_name"]["sounds"]
    # One side not counted (new since the frequencies were kept): no boost, only a reduction.
    unknown = model.level_weight("family_name", "close", "featherstone", "featherstonr")
    assert unknown == base.weights["family_name"]["close"]


def test_a_postcode_shared_by_few_among_many_counts_for_more():
    arrival = prepare(_person("Featherstone", postcode="KX4 7RT"))
    busy = Frequencies(population=2_000, counts={("postcode", "KX47RT"): 10})
    national = Frequencies(population=600_000, counts={("postcode", "KX47RT"): 10})
    weights = [
        default_model().with_frequencies(f).score(arrival, arrival, population=f.population).match_weight
        for f in (busy, national)
    ]
    assert weights[1] == pytest.approx(weights[0] + math.log2(600_000 / 2_000))


def test_frequencies_count_each_value_once_per_record_over_every_name():
    records = [
        prepare(Record(names=(Name("Kieran", "Smith"), Name("Kez", "Smith"), Name("Kieran", "Jones")))),
        prepare(Record(names=(Name("Amy", "Smith"),), postcode="KX4 7RT")),
    ]
    counted = Frequencies.count(records)
    assert counted.population == 2
    assert counted.counts[("family_name", "smith")] == 2
    assert counted.counts[("family_name", "jones")] == 1
    assert counted.counts[("given_name", "kieran")] == 1
    assert counted.counts[("postcode", "KX47RT")] == 1


def test_the_share_is_stored_with_a_pairs_evidence_and_read_back():
    model = default_model().with_frequencies(_frequencies(featherstone=3))
    score = model.score(prepare(_person("Featherstone")), prepare(_person("Featherstone")), population=10_000)
    stored = [e.as_list() for e in score.evidence]
    assert ["family_name", "exact", round(score.evidence[0].weight, 2), 0.0003] in stored
    assert stored_evidence(stored) == tuple(
        dataclasses.replace(e, weight=round(e.weight, 2), label=e.label) for e in score.evidence
    )
    # Pairs stored before shares were kept read back with none.
    assert stored_evidence([["family_name", "exact", 7.3]])[0].share is None


# --- households: twins and a parent of the same name are different people --------------------------

KIERAN = Record(
    names=(Name("Kieran", "Featherstone"),), date_of_birth=dt.date(1988, 3, 11), sex="1", postcode="KX4 7RT"
)


@pytest.mark.parametrize(
    ("other", "likely"),
    [
        (KIERAN, True),
        # The same person, first name mistyped: still likely.
        (dataclasses.replace(KIERAN, names=(Name("Keiran", "Featherstone"),)), True),
        # A twin: same last name, birthday and address, another first name.
        (dataclasses.replace(KIERAN, names=(Name("Declan", "Featherstone"),)), False),
        # A twin sister.
        (dataclasses.replace(KIERAN, names=(Name("Aoife", "Featherstone"),), sex="2"), False),
        # A father of the same name at the same address.
        (dataclasses.replace(KIERAN, date_of_birth=dt.date(1961, 7, 2)), False),
    ],
)
def test_household_look_alikes_are_not_likely_matches(other, likely):
    for population in (2_000, 600_000):
        # Ten people to a postcode; each name held by 1 in 200 people.
        counts = {("postcode", "KX47RT"): 10}
        for record in (KIERAN, other):
            for name in record.names:
                counts[("family_name", fold(name.family))] = population // 200
                counts[("given_name", fold(name.given))] = population // 200
        model = default_model().with_frequencies(Frequencies(population=population, counts=counts))
        found = model.score(prepare(KIERAN), prepare(other), population=population)
        assert (found.probability >= model.threshold) is likely, (population, found)


def test_the_twins_evidence_says_why_the_birthday_counts_for_less():
    model = default_model()
    twin = dataclasses.replace(KIERAN, names=(Name("Declan", "Featherstone"),))
    alone = model.score(prepare(KIERAN), prepare(dataclasses.replace(twin, postcode="")), population=20_000)
    home = model.score(prepare(KIERAN), prepare(twin), population=20_000)
    dob = {e.field: e for e in home.evidence}["date_of_birth"]
    assert dob.level == "exact" and "twin" in dob.label
    assert dob.weight < {e.field: e for e in alone.evidence}["date_of_birth"].weight
