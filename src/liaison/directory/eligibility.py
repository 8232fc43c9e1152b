"""Whether a person meets a service's eligibility: age, sex and area served. Pure: no queries.

Each rule answers with a Check: met, not met (with the reason a practitioner would give), or not
known (the person's age, sex or postcode is not recorded, or the service sets no limit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from liaison.directory.models import EligibleSex

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"

# PERSON STATED SEX codes (people.models.Sex) to the directory's local eligibility values.
_SEX = {"1": EligibleSex.MALE, "2": EligibleSex.FEMALE}

_OUTWARD = re.compile(r"^([A-Z]{1,2})(\d[A-Z\d]?)")


@dataclass(frozen=True)
class Check:
    rule: str  # "age", "sex" or "area"
    state: str  # MET, NOT_MET or UNKNOWN
    reason: str


def outward_code(postcode: str) -> str:
    """ "LS1 4AP" -> "LS1"; "ls14ap" -> "LS1"; a part postcode "LS1" -> "LS1"; nonsense -> ""."""
    text = re.sub(r"\s+", "", (postcode or "").upper())
    if len(text) >= 5 and re.match(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$", text):
        return text[:-3]
    match = _OUTWARD.match(text)
    return match.group(0) if match and len(text) <= 4 else ""


def postcode_area(code: str) -> str:
    """ "LS1" -> "LS"; "B15" -> "B"."""
    match = re.match(r"^[A-Z]{1,2}", code or "")
    return match.group(0) if match else ""


def check_age(minimum: int | None, maximum: int | None, age: int | None) -> Check:
    if minimum is None and maximum is None:
        return Check("age", MET, "No age limit")
    limits = _age_limits(minimum, maximum)
    if age is None:
        return Check("age", UNKNOWN, f"Age not known; the service takes {limits}")
    if minimum is not None and age < minimum:
        return Check("age", NOT_MET, f"Aged {age}; the service takes {limits}")
    if maximum is not None and age > maximum:
        return Check("age", NOT_MET, f"Aged {age}; the service takes {limits}")
    return Check("age", MET, f"Aged {age}; the service takes {limits}")


def _age_limits(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f"people aged {minimum} to {maximum}"
    if minimum is not None:
        return f"people aged {minimum} and over"
    return f"people aged up to {maximum}"


def check_sex(eligible_sex: str, person_sex: str) -> Check:
    if not eligible_sex:
        return Check("sex", MET, "Open to anyone")
    label = EligibleSex(eligible_sex).label
    person = _SEX.get(person_sex)
    if person is None:
        return Check("sex", UNKNOWN, f"{label}; the person's sex is not recorded")
    if person != eligible_sex:
        return Check("sex", NOT_MET, f"{label}")
    return Check("sex", MET, f"{label}")


def check_area(prefixes: list[str], postcode: str) -> Check:
    """`prefixes` are the areas and districts served ("LS", "WF1"); empty means anywhere."""
    wanted = [p.upper() for p in prefixes if p.strip()]
    if not wanted:
        return Check("area", MET, "No area restriction")
    code = outward_code(postcode)
    served = ", ".join(wanted)
    if not code:
        return Check("area", UNKNOWN, f"Postcode not known; the service covers {served}")
    if any(code == p or postcode_area(code) == p for p in wanted):
        return Check("area", MET, f"{code} is in the area served ({served})")
    return Check("area", NOT_MET, f"{code} is outside the area served ({served})")


def not_met(checks: list[Check]) -> list[Check]:
    return [check for check in checks if check.state == NOT_MET]
