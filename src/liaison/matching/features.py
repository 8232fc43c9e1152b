"""Pure comparison of two person records, field by field, into Fellegi–Sunter comparison levels.

No Django imports: a record is a plain `Record`, prepared once (`prepare`) into normalised names,
phonetic keys, nickname groups, date digits and postcode parts, so that comparing two prepared
records is a handful of dictionary look-ups and a few string distances. The same code scores the
real-time candidates, the duplicate batch, the training and the evaluation.

Each comparison returns a level code (the first entry of `LEVELS[name]` whose test passes) or None
when either side is missing the field: a missing field is no evidence either way (weight 0).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import jellyfish

from liaison.people.identifiers import (
    nhs_number_problem,
    normalise_nhs_number,
    normalise_pnc_id,
    pnc_id_problem,
)

DATA_DIR = Path(__file__).parent / "data"

# The comparisons, in the order evidence is shown, each with its levels from strongest agreement to
# disagreement. (code, label): the label is what a practitioner reads beside the candidate.
LEVELS: dict[str, tuple[tuple[str, str], ...]] = {
    "family_name": (
        ("exact", "Same last name"),
        ("part", "One part of a double-barrelled last name the same"),
        ("close", "Last name spelt nearly the same (one letter different)"),
        ("sounds", "Last name sounds the same"),
        ("similar", "Last name similar"),
        ("different", "Different last name"),
    ),
    "given_name": (
        ("exact", "Same first name"),
        ("part", "A first or middle name in common"),
        ("nickname", "First name is a known short form or nickname of the other"),
        ("close", "First name spelt nearly the same (one letter different)"),
        ("sounds", "First name sounds the same"),
        ("similar", "First name similar"),
        ("different", "Different first name"),
    ),
    "date_of_birth": (
        ("exact", "Same date of birth"),
        ("swapped", "Date of birth with day and month swapped"),
        ("one_digit", "Date of birth one digit different"),
        ("same_year", "Same year of birth only"),
        ("different", "Different date of birth"),
        ("far", "Dates of birth more than 10 years apart (a parent or child of the same name?)"),
    ),
    "sex": (
        ("same", "Same sex"),
        ("different", "Different sex"),
    ),
    "nhs_number": (
        ("same", "Same NHS number"),
        ("different", "Different NHS numbers (both valid)"),
    ),
    "pnc_id": (
        ("same", "Same PNC ID"),
        ("different", "Different PNC IDs"),
    ),
    "postcode": (
        ("full", "Same postcode"),
        ("sector", "Same postcode sector"),
        ("district", "Same postcode district"),
        ("area", "Same postcode area"),
        ("different", "Different postcode"),
    ),
}
COMPARISONS: tuple[str, ...] = tuple(LEVELS)
FIELD_LABELS = {
    "family_name": "Last name",
    "given_name": "First name",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "nhs_number": "NHS number",
    "pnc_id": "PNC ID",
    "postcode": "Postcode",
}

# Letters that NFKD does not take apart into a base letter and an accent.
_FOLD = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th"})
_NOT_LETTER = re.compile(r"[^a-z]+")
CLOSE_JARO_WINKLER = 0.93
SIMILAR_JARO_WINKLER = 0.84


def fold(raw: str) -> str:
    """Lower case, accents off, every run of non-letters a single space: "O'Brien-Ó Sé" -> "obrien o se"."""
    text = unicodedata.normalize("NFKD", (raw or "").lower().translate(_FOLD))
    text = "".join(c for c in text if not unicodedata.combining(c))
    # Apostrophes join (O'Brien is one name); hyphens and spaces separate parts.
    text = text.replace("'", "").replace("\u2019", "")
    return " ".join(_NOT_LETTER.sub(" ", text).split())


@functools.cache
def sound(token: str) -> str:
    """A phonetic key (Metaphone): Smith and Smyth, Katherine and Catherine share one."""
    return jellyfish.metaphone(token) if token else ""


@functools.cache
def _nicknames() -> dict[str, frozenset[str]]:
    data = json.loads((DATA_DIR / "nicknames.json").read_text(encoding="utf-8"))
    groups: dict[str, set[str]] = {}
    for full, short_forms in data["groups"].items():
        for name in (full, *short_forms):
            groups.setdefault(fold(name).replace(" ", ""), set()).add(fold(full).replace(" ", ""))
    return {name: frozenset(g) for name, g in groups.items()}


def nickname_groups(token: str) -> frozenset[str]:
    """The full names a first name is, or is short for: bill -> {william}; alex -> {alexander, alexandra}."""
    return _nicknames().get(token, frozenset())


@dataclass(frozen=True, slots=True)
class Name:
    given: str  # as typed; either may be blank for an alias
    family: str


@dataclass(frozen=True, slots=True)
class Record:
    """What is known about a person, from the database or an intake form. Names: the main name first."""

    names: tuple[Name, ...]
    date_of_birth: dt.date | None = None
    sex: str = ""  # NHS Data Dictionary code: "1" male, "2" female; anything else is not known
    nhs_number: str = ""
    pnc_id: str = ""
    postcode: str = ""


@dataclass(frozen=True, slots=True)
class PreparedName:
    given: str  # folded, parts joined: "jean paul" -> "jeanpaul"
    given_parts: frozenset[str]
    given_sound: str
    given_groups: frozenset[str]  # nickname groups of every part
    family: str
    family_parts: frozenset[str]
    family_sound: str


@dataclass(frozen=True, slots=True)
class Prepared:
    names: tuple[PreparedName, ...]
    date_of_birth: dt.date | None
    dob_digits: str  # ddmmyyyy
    sex: str  # "1", "2" or ""
    nhs_number: str  # only a valid number, else ""
    pnc_id: str  # only a well-formed ID, else ""
    postcode: tuple[str, str, str, str] | None  # full, sector, district, area
    extra: dict[str, object] = field(default_factory=dict, compare=False)


def _prepare_name(name: Name) -> PreparedName | None:
    given_parts = fold(name.given).split()
    family_parts = fold(name.family).split()
    if not family_parts and not given_parts:
        return None
    given = "".join(given_parts)
    family = "".join(family_parts)
    groups: set[str] = set()
    for part in given_parts:
        groups |= nickname_groups(part)
    return PreparedName(
        given=given,
        given_parts=frozenset(given_parts),
        given_sound=sound(given_parts[0]) if given_parts else "",
        given_groups=frozenset(groups),
        family=family,
        family_parts=frozenset(p for p in family_parts if len(p) > 1),
        family_sound=sound(family),
    )


def postcode_parts(raw: str) -> tuple[str, str, str, str] | None:
    """(full, sector, district, area) of a UK-shaped postcode: "KX4 7RT" -> KX47RT, KX47, KX4, KX."""
    compact = re.sub(r"[^A-Z0-9]", "", (raw or "").upper())
    if not 5 <= len(compact) <= 7 or not compact[-3].isdigit():
        return None
    outward, inward = compact[:-3], compact[-3:]
    area = re.match(r"[A-Z]+", outward)
    if area is None:
        return None
    return compact, outward + inward[0], outward, area.group(0)


def prepare(record: Record) -> Prepared:
    names = tuple(n for n in (_prepare_name(name) for name in record.names) if n is not None)
    dob = record.date_of_birth
    nhs = normalise_nhs_number(record.nhs_number or "")
    pnc = normalise_pnc_id(record.pnc_id or "")
    return Prepared(
        names=names,
        date_of_birth=dob,
        dob_digits=f"{dob.day:02d}{dob.month:02d}{dob.year:04d}" if dob else "",
        sex=record.sex if record.sex in ("1", "2") else "",
        nhs_number=nhs if nhs and nhs_number_problem(nhs) is None else "",
        pnc_id=pnc if pnc and pnc_id_problem(pnc) is None else "",
        postcode=postcode_parts(record.postcode),
    )


# --- comparisons: each returns a level code, or None when either side is missing ------------------


@functools.cache
def _distance(a: str, b: str) -> tuple[float, int]:
    return jellyfish.jaro_winkler_similarity(a, b), jellyfish.damerau_levenshtein_distance(a, b)


def _spelling(a: str, b: str) -> str | None:
    """'close', 'similar' or None for two different folded strings."""
    jw, edits = _distance(a, b) if a < b else _distance(b, a)
    if jw >= CLOSE_JARO_WINKLER or (edits == 1 and min(len(a), len(b)) >= 4):
        return "close"
    return "similar" if jw >= SIMILAR_JARO_WINKLER else None


def compare_family(a: PreparedName, b: PreparedName) -> str | None:
    if not a.family or not b.family:
        return None
    if a.family == b.family:
        return "exact"
    if a.family_parts & b.family_parts:
        return "part"
    spelling = _spelling(a.family, b.family)
    if spelling == "close":
        return "close"
    if a.family_sound and a.family_sound == b.family_sound:
        return "sounds"
    return spelling or "different"


def compare_given(a: PreparedName, b: PreparedName) -> str | None:
    if not a.given or not b.given:
        return None
    if a.given == b.given:
        return "exact"
    if a.given_parts & b.given_parts:
        return "part"
    if a.given_groups & (b.given_groups | b.given_parts) or b.given_groups & a.given_parts:
        return "nickname"
    spelling = _spelling(a.given, b.given)
    if spelling == "close":
        return "close"
    if a.given_sound and a.given_sound == b.given_sound:
        return "sounds"
    return spelling or "different"


# Years of birth further apart than this are another generation, not a mistyped date.
FAR_YEARS = 10


def _one_digit_apart(p: str, q: str) -> bool:
    """Two different strings of digits: one digit mistyped, or two neighbours typed the wrong way round."""
    differ = [i for i in range(len(p)) if p[i] != q[i]]
    return len(differ) == 1 or (
        len(differ) == 2
        and differ[1] == differ[0] + 1
        and p[differ[0]] == q[differ[1]]
        and p[differ[1]] == q[differ[0]]
    )


def compare_dob(a: Prepared, b: Prepared) -> str | None:
    x, y = a.dob_digits, b.dob_digits
    if not x or not y:
        return None
    if x == y:
        return "exact"
    # ddmmyyyy: a mistyped digit or swapped pair lies wholly in the day and month or in the year.
    if x[4:] == y[4:]:
        if x[:2] == y[2:4] and x[2:4] == y[:2]:
            return "swapped"
        return "one_digit" if _one_digit_apart(x[:4], y[:4]) else "same_year"
    if x[:4] == y[:4] and _one_digit_apart(x[4:], y[4:]):
        return "one_digit"
    if x[3] != y[3] and x[4] != y[4] and x[:3] == y[:3] and x[5:] == y[5:] and x[3] == y[4] and x[4] == y[3]:
        return "one_digit"  # the month's last digit and the year's first typed the wrong way round
    return "far" if abs(int(x[4:]) - int(y[4:])) > FAR_YEARS else "different"


def _same_or_different(a: str, b: str) -> str | None:
    if not a or not b:
        return None
    return "same" if a == b else "different"


def compare_postcode(a: Prepared, b: Prepared) -> str | None:
    x, y = a.postcode, b.postcode
    if x is None or y is None:
        return None
    if x[0] == y[0]:
        return "full"
    if x[1] == y[1]:
        return "sector"
    if x[2] == y[2]:
        return "district"
    return "area" if x[3] == y[3] else "different"


def compare_names(a: Prepared, b: Prepared) -> list[tuple[int, int, str | None, str | None]]:
    """Every pairing of a name of `a` with one of `b`: (index in a, index in b, given level, family level)."""
    return [
        (i, j, compare_given(na, nb), compare_family(na, nb))
        for i, na in enumerate(a.names)
        for j, nb in enumerate(b.names)
    ]


def compare_other(a: Prepared, b: Prepared) -> dict[str, str | None]:
    """The comparisons that do not depend on which name is used."""
    return {
        "date_of_birth": compare_dob(a, b),
        "sex": _same_or_different(a.sex, b.sex),
        "nhs_number": _same_or_different(a.nhs_number, b.nhs_number),
        "pnc_id": _same_or_different(a.pnc_id, b.pnc_id),
        "postcode": compare_postcode(a, b),
    }


# --- blocking keys ----------------------------------------------------------------------------------


def _dob_unordered(dob: dt.date) -> str:
    """Day and month in either order give one key, so a swapped date blocks with the true one."""
    low, high = sorted((dob.day, dob.month))
    return f"{low:02d}{high:02d}"


def given_keys(name: PreparedName) -> set[str]:
    """A first name's sound, and the sound of every full name it is a short form of."""
    keys = {name.given_sound} if name.given_sound else set()
    keys |= {sound(g) for g in name.given_groups}
    return keys


def family_sounds(name: PreparedName) -> set[str]:
    """The last name's sound, and each part's of a double-barrelled one (Smith-Jones also as Smith, Jones)."""
    sounds = {name.family_sound} if name.family_sound else set()
    if len(name.family_parts) > 1:
        sounds |= {sound(p) for p in name.family_parts}
    return sounds


# Blocking keys held in the MatchKey table. The identifiers and the exact date of birth are
# blocked on the person's own indexed columns instead, so they are never stale.
NAME_KEY_KINDS = ("fy", "fmd", "gf", "gly", "glmd", "gp")


def name_keys(p: Prepared) -> set[tuple[str, str]]:
    """Name-based blocking keys: last-name sound with year of birth ("fy"), and with day and month of
    birth ("fmd"); first-name key with last-name sound ("gf", which finds a match whose date of birth
    was mistyped). For a mistyped last name *and* date of birth, which none of those bring together:
    first-name key with the last name's first letter (people rarely get the first letter wrong) and the
    year ("gly"), or day and month ("glmd"); and first-name key with the postcode ("gp")."""
    keys: set[tuple[str, str]] = set()
    dob = p.date_of_birth
    postcode = p.postcode[0] if p.postcode is not None else ""
    for name in p.names:
        given = given_keys(name)
        for fs in family_sounds(name):
            if dob is not None:
                keys.add(("fy", f"{fs}|{dob.year}"))
                keys.add(("fmd", f"{fs}|{_dob_unordered(dob)}"))
            for gk in given:
                keys.add(("gf", f"{gk}|{fs}"))
        initial = name.family[:1]
        for gk in given:
            if initial and dob is not None:
                keys.add(("gly", f"{gk}|{initial}|{dob.year}"))
                keys.add(("glmd", f"{gk}|{initial}|{_dob_unordered(dob)}"))
            if postcode:
                keys.add(("gp", f"{gk}|{postcode}"))
    return keys


# Keys kept so that intake can count how many people share a value (term frequencies), never for
# blocking: "fn" a folded last name, "gn" a folded first name, "pc" a full postcode.
VALUE_KEY_KINDS = {"family_name": "fn", "given_name": "gn", "postcode": "pc"}


def value_keys(p: Prepared) -> set[tuple[str, str]]:
    """Every last name, first name and the postcode of a record, as (kind, value) keys to count."""
    keys: set[tuple[str, str]] = set()
    for name in p.names:
        if name.family:
            keys.add((VALUE_KEY_KINDS["family_name"], name.family))
        if name.given:
            keys.add((VALUE_KEY_KINDS["given_name"], name.given))
    if p.postcode is not None:
        keys.add((VALUE_KEY_KINDS["postcode"], p.postcode[0]))
    return keys


def identity_keys(p: Prepared) -> set[tuple[str, str]]:
    """The keys that live on the person's own columns in the database, as keys for in-memory blocking."""
    keys: set[tuple[str, str]] = set()
    if p.nhs_number:
        keys.add(("nhs", p.nhs_number))
    if p.pnc_id:
        keys.add(("pnc", p.pnc_id))
    if p.date_of_birth is not None:
        keys.add(("dob", f"{p.date_of_birth.year}{_dob_unordered(p.date_of_birth)}"))
    return keys


def all_keys(p: Prepared) -> set[tuple[str, str]]:
    return name_keys(p) | identity_keys(p)


def dob_variants(dob: dt.date | None) -> list[dt.date]:
    """The date itself and, where it is a real date, the date with day and month swapped."""
    if dob is None:
        return []
    variants = [dob]
    if dob.day <= 12 and dob.day != dob.month:
        # A day of 12 or less is a real month, and a month is always a real day of any month.
        variants.append(dob.replace(month=dob.day, day=dob.month))
    return variants


def names_from(
    given: str, family: str, others: Iterable[tuple[str, str]] = (), preferred: str = ""
) -> tuple[Name, ...]:
    """The main name, the preferred first name with the last name, then every other name."""
    names = [Name(given, family)]
    if preferred and fold(preferred) != fold(given):
        names.append(Name(preferred, family))
    names.extend(Name(g, f) for g, f in others)
    return tuple(names)


def level_label(comparison: str, code: str) -> str:
    return dict(LEVELS[comparison])[code]


def level_codes(comparison: str) -> list[str]:
    return [code for code, _ in LEVELS[comparison]]
