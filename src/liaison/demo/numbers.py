"""Identifiers and phone numbers for synthetic people that are well-formed but can never be real.

Pure functions of a seeded `random.Random`; each draws from a range set aside so that no generated
value can belong to a real person.
"""

from __future__ import annotations

import random

from liaison.people.identifiers import nhs_number_problem, pnc_check_letter

# Postcode inward codes never use C, I, K, M, O or V.
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def nhs_number(rng: random.Random, taken: set[str]) -> str:
    """A valid (modulus 11), unused NHS number from the 999 range: reserved for testing, never issued."""
    while True:
        digits = f"999{rng.randint(0, 999_999):06d}"
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        number = digits + str(check)
        # A remainder giving 10 is a number that is never issued: draw again.
        if check != 10 and number not in taken and nhs_number_problem(number) is None:
            taken.add(number)
            return number


def pnc_id(rng: random.Random, taken: set[str], *, earliest_year: int, latest_year: int) -> str:
    """A well-formed, unused PNC ID: two-digit year first recorded, serial number, check letter."""
    while True:
        year = f"{rng.randint(min(earliest_year, latest_year), latest_year) % 100:02d}"
        serial = str(rng.randint(1, 999_999))
        pnc = f"{year}/{serial}{pnc_check_letter(year, serial)}"
        if pnc not in taken:
            taken.add(pnc)
            return pnc


def postcode(rng: random.Random, area: str) -> str:
    """A postcode in a fictional area (the demo teams' areas are letters no UK postcode area uses)."""
    letters = "".join(rng.choice(INWARD_LETTERS) for _ in range(2))
    return f"{area}{rng.randint(1, 12)} {rng.randint(1, 9)}{letters}"


def mobile(rng: random.Random) -> str:
    """Ofcom keeps 07700 900000 to 900999 for drama: never a real mobile number."""
    return f"07700 900{rng.randint(0, 999):03d}"


def landline(rng: random.Random) -> str:
    """Ofcom keeps 01632 960000 to 960999 for drama: never a real landline."""
    return f"01632 960{rng.randint(0, 999):03d}"
