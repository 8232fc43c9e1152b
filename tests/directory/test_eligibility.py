import pytest

from liaison.directory.eligibility import (
    MET,
    NOT_MET,
    UNKNOWN,
    check_age,
    check_area,
    check_sex,
    outward_code,
)


@pytest.mark.parametrize(
    ("postcode", "expected"),
    [
        ("LS1 4AP", "LS1"),
        ("ls14ap", "LS1"),
        ("B15 2TT", "B15"),
        ("EC1A 1BB", "EC1A"),
        ("LS1", "LS1"),
        ("", ""),
        ("not a postcode", ""),
    ],
)
def test_outward_code(postcode, expected):
    assert outward_code(postcode) == expected


@pytest.mark.parametrize(
    ("minimum", "maximum", "age", "state"),
    [
        (None, None, None, MET),
        (18, None, 17, NOT_MET),  # the under-18 at an adult service
        (18, None, 18, MET),
        (None, 25, 26, NOT_MET),
        (16, 25, 16, MET),
        (18, None, None, UNKNOWN),
    ],
)
def test_age(minimum, maximum, age, state):
    assert check_age(minimum, maximum, age).state == state


@pytest.mark.parametrize(
    ("eligible", "person", "state"),
    [
        ("", "1", MET),
        ("female", "2", MET),
        ("female", "1", NOT_MET),
        ("male", "0", UNKNOWN),
        ("male", "9", UNKNOWN),
    ],
)
def test_sex(eligible, person, state):
    assert check_sex(eligible, person).state == state


@pytest.mark.parametrize(
    ("prefixes", "postcode", "state"),
    [
        ([], "LS1 4AP", MET),
        (["LS"], "LS1 4AP", MET),
        (["WF1"], "WF1 2AB", MET),
        (["WF1"], "WF10 2AB", NOT_MET),  # a district is not a prefix of a longer one
        (["L"], "LS1 4AP", NOT_MET),  # area L (Liverpool) is not LS (Leeds)
        (["LS"], "", UNKNOWN),
    ],
)
def test_area(prefixes, postcode, state):
    assert check_area(prefixes, postcode).state == state
