"""Comparison levels as tables: names (nicknames, spelling, sound, double-barrelled), dates of birth
(swapped day and month, one digit), identifiers (NHS number disagreement) and postcodes."""

from __future__ import annotations

import datetime as dt

import pytest

from liaison.matching.features import (
    LEVELS,
    Name,
    Record,
    compare_dob,
    compare_family,
    compare_given,
    compare_other,
    compare_postcode,
    dob_variants,
    fold,
    name_keys,
    nickname_groups,
    prepare,
)

D = dt.date


def _name(given: str, family: str = "Rivers"):
    return prepare(Record(names=(Name(given, family),))).names[0]


def _dob(day: dt.date | None):
    return prepare(Record(names=(Name("A", "B"),), date_of_birth=day))


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("William", "William", "exact"),
        ("Bill", "William", "nickname"),
        ("William", "Billy", "nickname"),
        ("Liam", "William", "nickname"),
        ("Bob", "Robert", "nickname"),
        ("Kate", "Katherine", "nickname"),
        ("Katie", "Catherine", "nickname"),
        ("Alex", "Alexandra", "nickname"),
        ("Alex", "Alexander", "nickname"),
        ("Kasia", "Katarzyna", "nickname"),
        ("Mo", "Mohammed", "nickname"),
        ("Emeka", "Chukwuemeka", "nickname"),
        ("Mary Ann", "Ann", "part"),
        ("Katherine", "Catherine", "close"),
        ("Jonathon", "Jonathan", "close"),
        ("Stephen", "Steven", "sounds"),
        ("Mohammed", "Muhammad", "sounds"),
        ("Siobhán", "Siobhan", "exact"),
        ("Bill", "Robert", "different"),
        ("Alexander", "Alexandra", "close"),
        ("Sarah", "Ayesha", "different"),
        ("", "William", None),
    ],
)
def test_given_name_levels(a, b, level):
    assert compare_given(_name(a), _name(b)) == level
    assert compare_given(_name(b), _name(a)) == level  # the same either way round


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("Smith", "Smith", "exact"),
        ("O'Brien", "OBrien", "exact"),
        ("Wiśniewski", "Wisniewski", "exact"),
        ("Łukasz", "Lukasz", "exact"),
        ("Smith-Jones", "Smith", "part"),
        ("Hughes Davies", "Davies", "part"),
        ("Smith", "Smyth", "close"),
        ("Thompson", "Thomson", "close"),
        ("Featherstone", "Featherstnoe", "close"),
        ("Philips", "Fillips", "sounds"),
        ("Smith", "Okafor", "different"),
    ],
)
def test_family_name_levels(a, b, level):
    assert compare_family(_name("Alex", a), _name("Alex", b)) == level


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        (D(1990, 5, 17), D(1990, 5, 17), "exact"),
        (D(1990, 3, 4), D(1990, 4, 3), "swapped"),
        (D(1990, 12, 1), D(1990, 1, 12), "swapped"),
        (D(1990, 5, 17), D(1990, 5, 18), "one_digit"),
        (D(1990, 5, 17), D(1991, 5, 17), "one_digit"),
        (D(1990, 5, 17), D(1980, 5, 17), "one_digit"),
        (D(1985, 5, 17), D(1958, 5, 17), "one_digit"),  # two neighbouring digits typed the wrong way round
        (D(1990, 5, 17), D(1990, 8, 2), "same_year"),
        (D(1990, 5, 17), D(1984, 11, 30), "different"),
        (D(1990, 5, 17), D(2000, 2, 3), "different"),  # ten years apart: still within a generation
        (D(1990, 5, 17), D(1975, 11, 30), "far"),  # a parent or child of the same name
        (D(1990, 5, 17), D(1962, 5, 17), "far"),
        (D(1990, 5, 17), None, None),
        (None, None, None),
    ],
)
def test_date_of_birth_levels(a, b, level):
    assert compare_dob(_dob(a), _dob(b)) == level
    assert compare_dob(_dob(b), _dob(a)) == level


NHS_1 = "9434765919"  # valid test numbers (modulus 11)
NHS_2 = "9434765870"


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        (NHS_1, NHS_1, "same"),
        (NHS_1, "943 476 5919", "same"),
        (NHS_1, NHS_2, "different"),
        (NHS_1, "", None),
        (NHS_1, "9434765918", None),  # an invalid number is no evidence either way
    ],
)
def test_nhs_number_levels(a, b, level):
    x = prepare(Record(names=(Name("A", "B"),), nhs_number=a))
    y = prepare(Record(names=(Name("A", "B"),), nhs_number=b))
    assert compare_other(x, y)["nhs_number"] == level


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("05/123456R", "05/123456R", "same"),
        ("2005/0123456R", "05/123456R", "same"),
        ("05/123456R", "06/123456G", "different"),
        ("05/123456R", "not a pnc", None),
    ],
)
def test_pnc_id_levels(a, b, level):
    x = prepare(Record(names=(Name("A", "B"),), pnc_id=a))
    y = prepare(Record(names=(Name("A", "B"),), pnc_id=b))
    assert compare_other(x, y)["pnc_id"] == level


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("KX4 7RT", "kx47rt", "full"),
        ("KX4 7RT", "KX4 7AB", "sector"),
        ("KX4 7RT", "KX4 2AB", "district"),
        ("KX4 7RT", "KX12 2AB", "area"),
        ("KX4 7RT", "QZ1 1AA", "different"),
        ("KX4 7RT", "", None),
        ("KX4 7RT", "no fixed abode", None),
    ],
)
def test_postcode_levels(a, b, level):
    x = prepare(Record(names=(Name("A", "B"),), postcode=a))
    y = prepare(Record(names=(Name("A", "B"),), postcode=b))
    assert compare_postcode(x, y) == level


def test_every_comparison_has_levels_from_agreement_to_disagreement():
    for name, levels in LEVELS.items():
        codes = [code for code, _ in levels]
        assert len(codes) == len(set(codes)) >= 2, name
        # The last level disagrees: "different", or for dates of birth another generation ("far").
        assert codes[-1] == ("far" if name == "date_of_birth" else "different"), name
        assert "different" in codes, name


def test_fold_keeps_letters_only_and_splits_parts():
    assert fold("  O'Brien-Ó Sé ") == "obrien o se"
    assert fold("Zieliński") == "zielinski"


def test_a_short_form_of_two_names_belongs_to_both():
    assert nickname_groups("alex") >= {"alexander", "alexandra"}
    assert nickname_groups("william") == {"william"}
    assert nickname_groups("zebedee") == frozenset()


def test_swapped_date_blocks_with_the_true_date_and_is_searched_for():
    true = prepare(Record(names=(Name("Alex", "Rivers"),), date_of_birth=D(1990, 3, 4)))
    swapped = prepare(Record(names=(Name("Alx", "Rivers"),), date_of_birth=D(1990, 4, 3)))
    assert ("fmd", next(v for k, v in name_keys(true) if k == "fmd")) in name_keys(swapped)
    assert dob_variants(D(1990, 3, 4)) == [D(1990, 3, 4), D(1990, 4, 3)]
    assert dob_variants(D(1990, 3, 3)) == [D(1990, 3, 3)]
    assert dob_variants(D(1990, 3, 14)) == [D(1990, 3, 14)]


def test_a_nickname_shares_the_first_name_key_with_the_full_name():
    bill = {v for k, v in name_keys(prepare(Record(names=(Name("Bill", "Rivers"),)))) if k == "gf"}
    william = {v for k, v in name_keys(prepare(Record(names=(Name("William", "Rivers"),)))) if k == "gf"}
    assert bill & william
