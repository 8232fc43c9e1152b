"""Pure validation of national identifiers: NHS number (modulus 11) and PNC ID (check letter).

No Django imports, so these can be tested as tables and reused anywhere.
"""

from __future__ import annotations

import re

_NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def normalise_nhs_number(raw: str) -> str:
    """Strip the spaces and hyphens people type ("943 476 5919" -> "9434765919")."""
    return re.sub(r"[\s-]", "", raw or "")


def nhs_number_problem(raw: str) -> str | None:
    """Return why `raw` is not a valid NHS number, or None when it is.

    The tenth digit is a modulus 11 check digit over the first nine, weighted 10..2;
    a remainder giving 10 means the number was never issued.
    """
    number = normalise_nhs_number(raw)
    # ASCII digits only: isdigit() is also true of "¹" (which int() refuses) and of other scripts' digits.
    if not (number.isascii() and number.isdigit()) or len(number) != 10:
        return "Enter a 10-digit NHS number, like 943 476 5919"
    total = sum(int(d) * w for d, w in zip(number[:9], _NHS_WEIGHTS, strict=True))
    check = 11 - (total % 11)
    if check == 11:
        check = 0
    if check == 10 or check != int(number[9]):
        return "Enter a valid NHS number: the check digit does not match (look for a mistyped digit)"
    return None


def format_nhs_number(number: str) -> str:
    n = normalise_nhs_number(number)
    return f"{n[:3]} {n[3:6]} {n[6:]}" if len(n) == 10 else n


# PNC check letters: the remainder mod 23 indexes this alphabet (I, O and S are never used).
_PNC_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
_PNC_RE = re.compile(r"^(?P<year>[0-9]{2}|[0-9]{4})/(?P<serial>[0-9]{1,7})(?P<check>[A-Z])$")


def normalise_pnc_id(raw: str) -> str:
    """Canonical form YY/NNNNNNNC: upper case, two-digit year, serial without leading zeros."""
    value = (raw or "").strip().upper().replace(" ", "")
    match = _PNC_RE.match(value)
    if not match:
        return value
    year = match["year"][-2:]
    return f"{year}/{int(match['serial'])}{match['check']}"


def pnc_check_letter(year: str, serial: str) -> str:
    return _PNC_LETTERS[int(f"{year[-2:]}{int(serial):07d}") % 23]


def pnc_id_problem(raw: str) -> str | None:
    """Return why `raw` is not a well-formed PNC ID (e.g. 05/123456R), or None when it is."""
    value = (raw or "").strip().upper().replace(" ", "")
    match = _PNC_RE.match(value)
    if not match:
        return "Enter a PNC ID as year/number and check letter, like 05/123456R"
    if pnc_check_letter(match["year"], match["serial"]) != match["check"]:
        return "Enter a valid PNC ID: the check letter does not match (look for a mistyped character)"
    return None
