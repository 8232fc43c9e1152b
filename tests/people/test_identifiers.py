"""NHS number (modulus 11) and PNC ID (check letter) validation, as tables of cases."""

from __future__ import annotations

import pytest

from liaison.people.identifiers import (
    format_nhs_number,
    nhs_number_problem,
    normalise_pnc_id,
    pnc_check_letter,
    pnc_id_problem,
)


@pytest.mark.parametrize(
    ("raw", "valid"),
    [
        ("9434765919", True),  # the NHS's published example
        ("943 476 5919", True),  # spaces as people type them
        ("943-476-5919", True),
        ("9434765918", False),  # last digit mistyped
        ("9434765991", False),  # two digits transposed
        ("4010232137", True),
        ("4010232138", False),
        ("0000000060", False),  # weighted sum leaves remainder 1: the check digit would be 10, never issued
        ("1000000001", True),
        ("0000000000", True),  # remainder 0 -> check digit 0 (format-valid; never issued, but passes mod 11)
        ("943476591", False),  # nine digits
        ("94347659190", False),  # eleven digits
        ("94347659AB", False),
        ("", False),
    ],
)
def test_nhs_number_modulus_11(raw, valid):
    assert (nhs_number_problem(raw) is None) is valid


def test_nhs_number_is_shown_3_3_4():
    assert format_nhs_number("9434765919") == "943 476 5919"


@pytest.mark.parametrize(
    ("year", "serial"),
    [("05", "123456"), ("99", "1"), ("00", "9999999"), ("2012", "0004567")],
)
def test_pnc_check_letter_round_trip(year, serial):
    letter = pnc_check_letter(year, serial)
    assert letter not in "IOS"
    assert pnc_id_problem(f"{year}/{serial}{letter}") is None
    wrong = "A" if letter != "A" else "B"
    assert pnc_id_problem(f"{year}/{serial}{wrong}") is not None


@pytest.mark.parametrize(
    ("raw", "valid"),
    [
        ("05/123456R", True),
        ("05/123456r", True),  # lower case is accepted and normalised
        ("2005/123456R", True),  # four-digit year
        ("05/123456P", False),  # wrong check letter
        ("05123456R", False),  # no slash
        ("5/123456R", False),  # one-digit year
        ("05/12345678R", False),  # serial too long
        ("05/123456", False),  # no check letter
        ("٠٥/١٢٣٤٥٦R", False),  # digits of another script: never stored as an identifier
        ("", False),
    ],
)
def test_pnc_id_format_and_check_letter(raw, valid):
    assert (pnc_id_problem(raw) is None) is valid


def test_pnc_id_is_normalised_to_two_digit_year_without_leading_zeros():
    assert normalise_pnc_id(" 2005/0123456r ") == "05/123456R"
