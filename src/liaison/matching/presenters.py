"""How intake candidates are shown: the probability in words and numbers, and the evidence field by
field, the value entered beside the person's own. One presenter for every intake page (new arrival,
arrivals review), shown through one include, matching/includes/candidates.html.

The candidates come from `matching.queries.match_candidates`, which only offers people the access
policy lets the user's teams see; this shows nothing of them that their record page would not.
Nothing here queries the database: the engine has already fetched each person's other names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from liaison.core.presenters import Tag, long_date, nhs_number
from liaison.matching.engine import MIN_TERM_FREQUENCY, Evidence, default_model
from liaison.matching.features import Name, Record, compare_names, fold, prepare
from liaison.matching.queries import Candidate
from liaison.matching.records import record_for_person
from liaison.people.models import Person, Sex

NEW_PERSON = "new"

# The probability in words, strongest first: (at least, words, tag colour). The model's own
# threshold (chosen in training) separates "likely" from "possibly".
VERY_LIKELY = 0.95
POSSIBLY = 0.2

# What each comparison level says, after the values: "Jon ↔ John, a known short form".
LEVEL_WORDS: dict[str, dict[str, str]] = {
    "family_name": {
        "exact": "the same",
        "part": "one part of a double-barrelled name the same",
        "close": "spelt nearly the same",
        "sounds": "sounds the same",
        "similar": "spelt similarly",
        "different": "different",
    },
    "given_name": {
        "exact": "the same",
        "part": "a first or middle name in common",
        "nickname": "a known short form",
        "close": "spelt nearly the same",
        "sounds": "sounds the same",
        "similar": "spelt similarly",
        "different": "different",
    },
    "date_of_birth": {
        "exact": "the same",
        "swapped": "day and month swapped",
        "one_digit": "one digit different",
        "same_year": "same year only",
        "different": "different",
        "far": "more than 10 years apart",
    },
    "sex": {"same": "the same", "different": "different"},
    "nhs_number": {"same": "the same", "different": "different"},
    "pnc_id": {"same": "the same", "different": "different"},
    "postcode": {
        "full": "the same",
        "sector": "same sector",
        "district": "same district",
        "area": "same area",
        "different": "different",
    },
}
# Levels where both sides read the same, so the value is shown once.
SAME_LEVELS = frozenset({"exact", "same", "full"})
# The order a person reads a record in: first name before last name, then the rest as the engine has it.
SHOWN_IN_ORDER = ("given_name", "family_name", "date_of_birth", "sex", "nhs_number", "pnc_id", "postcode")
SEX_LABELS = dict(Sex.choices)


@dataclass(frozen=True)
class EvidenceLine:
    field: str  # "First name"
    entered: str  # the value at intake, "" when it is shown once (the same on both sides)
    theirs: str  # the person's own
    words: str  # "a known short form", "the same"
    supports: bool  # points to the same person (True) or away from it

    @property
    def text(self) -> str:
        """The line as plain text, for tests and logs of what a page said."""
        pair = f"{self.entered} ↔ {self.theirs}" if self.entered else self.theirs
        return f"{self.field}: {pair}, {self.words}"


@dataclass(frozen=True)
class CandidateRow:
    person: Person
    value: str  # the radio's value: the person's id
    id: str  # the radio's id (the first one is the field's own, for the error summary)
    checked: bool
    name: str
    likelihood: Tag  # "Very likely the same person (97%)"
    details: list[tuple[str, str]]  # what identifies them on their record: (label, value)
    supporting: list[EvidenceLine]
    against: list[EvidenceLine]


@dataclass(frozen=True)
class CandidateChoices:
    """The radios for "who is this?": each candidate, best first, then a new person."""

    name: str  # the field's name in the form
    rows: list[CandidateRow]
    new_id: str
    new_checked: bool

    def __bool__(self) -> bool:
        return bool(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def percent(probability: float) -> str:
    """97%; never "100%" or "0%", which would claim a certainty the model does not have."""
    if probability >= 0.995:
        return "over 99%"
    if probability < 0.01:
        return "under 1%"
    return f"{round(probability * 100)}%"


def likelihood(probability: float) -> Tag:
    """The probability in words and numbers, as a tag: "Very likely the same person (97%)"."""
    if probability >= VERY_LIKELY:
        words, colour = "Very likely the same person", "green"
    elif probability >= default_model().threshold:
        words, colour = "Likely the same person", "blue"
    elif probability >= POSSIBLY:
        words, colour = "Possibly the same person", "yellow"
    else:
        words, colour = "Unlikely to be the same person", "grey"
    return Tag(f"{words} ({percent(probability)})", colour)


def _names(record: Record) -> list[Name]:
    """The names as `prepare` keeps them (a name with neither part is dropped), for their indexes."""
    return [n for n in record.names if fold(n.given) or fold(n.family)]


def _date(value: dt.date | None) -> str:
    # Digits, not words: a swapped day and month or a mistyped digit is only visible this way.
    return f"{value:%d/%m/%Y}" if value else ""


def _postcode(value: str) -> str:
    compact = "".join(value.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def share_note(share: float | None) -> str:
    """How common an exactly shared name or postcode is, which is why it counts for more or less."""
    if share is None:
        return ""
    one_in = round(1 / share)
    if one_in < 2:
        return " (most people here have it)"
    if share <= MIN_TERM_FREQUENCY:
        return f" (1 in {one_in:,} people here have it, or fewer)"
    return f" (1 in {one_in:,} people here have it)"


def _line(evidence: Evidence, entered: str, theirs: str, *, note: str = "") -> EvidenceLine:
    return EvidenceLine(
        field=evidence.field_label,
        entered="" if evidence.level in SAME_LEVELS else entered,
        theirs=theirs,
        words=LEVEL_WORDS[evidence.field][evidence.level] + note + share_note(evidence.share),
        supports=evidence.weight > 0,
    )


def evidence_lines(candidate: Candidate, record: Record) -> list[EvidenceLine]:
    """The candidate's evidence, field by field in reading order, with the two values compared."""
    person = candidate.person
    theirs_record = record_for_person(person, person.aliases.all())
    ours, theirs = _names(record), _names(theirs_record)
    levels = {e.field: e.level for e in candidate.evidence}
    # Which pair of names the engine counted: the first pairing with the levels it reported (any
    # pairing with the same levels has the same weight, so it explains the score as well).
    i = j = 0
    for a, b, given, family in compare_names(prepare(record), prepare(theirs_record)):
        if (given, family) == (levels.get("given_name"), levels.get("family_name")):
            i, j = a, b
            break
    other = " (another name they are known by)" if j > 0 else ""
    values: dict[str, tuple[str, str]] = {
        "given_name": (ours[i].given if ours else "", theirs[j].given if theirs else ""),
        "family_name": (ours[i].family if ours else "", theirs[j].family if theirs else ""),
        "date_of_birth": (_date(record.date_of_birth), _date(person.date_of_birth)),
        "sex": (str(SEX_LABELS.get(record.sex, "")), str(SEX_LABELS.get(person.sex, ""))),
        "nhs_number": (nhs_number(record.nhs_number), nhs_number(person.nhs_number)),
        "pnc_id": (record.pnc_id.upper(), person.pnc_id),
        "postcode": (_postcode(record.postcode), _postcode(person.postcode)),
    }
    lines = []
    for evidence in sorted(candidate.evidence, key=lambda e: SHOWN_IN_ORDER.index(e.field)):
        entered, own = values[evidence.field]
        note = other if evidence.field in ("given_name", "family_name") else ""
        lines.append(_line(evidence, entered, own, note=note))
    return lines


def _details(person: Person) -> list[tuple[str, str]]:
    details = [("Date of birth", long_date(person.date_of_birth) or "Not known")]
    if person.nhs_number:
        details.append(("NHS number", nhs_number(person.nhs_number)))
    if person.pnc_id:
        details.append(("PNC ID", person.pnc_id))
    details.append(("Liaison ID", str(person.pk)))
    return details


def candidate_choices(candidates: Sequence[Candidate], *, record: Record, bound: Any) -> CandidateChoices:
    """The radios for a "who is this?" field (`bound`, a form's bound field): one per candidate, with
    its likelihood and evidence against what was entered (`record`), then "none of these".

    Radio ids follow NHS.UK: the first is the field's own id, so the error summary lands on it.
    """
    field_id = str(bound.auto_id)
    current = "" if bound.value() is None else str(bound.value())
    rows = []
    for index, candidate in enumerate(candidates):
        person = candidate.person
        lines = evidence_lines(candidate, record)
        rows.append(
            CandidateRow(
                person=person,
                value=str(person.pk),
                id=field_id if index == 0 else f"{field_id}-{index + 1}",
                checked=current == str(person.pk),
                name=f"{person.given_name} {person.family_name}",
                likelihood=likelihood(candidate.probability),
                details=_details(person),
                supporting=[line for line in lines if line.supports],
                against=[line for line in lines if not line.supports],
            )
        )
    return CandidateChoices(
        name=bound.html_name,
        rows=rows,
        new_id=f"{field_id}-{len(rows) + 1}" if rows else field_id,
        new_checked=current == NEW_PERSON,
    )


# --- a likely duplicate pair, for the team lead's review ------------------------------------------


@dataclass(frozen=True)
class PairEvidence:
    """A pair's evidence, as the intake candidates show it: the first record's value beside the second's."""

    likelihood: Tag
    supporting: list[EvidenceLine]
    against: list[EvidenceLine]


def stored_evidence(rows: Sequence[Sequence[Any]]) -> tuple[Evidence, ...]:
    """A DuplicatePair's stored [[comparison, level, weight(, share)], ...] as the engine's evidence again."""
    labels = default_model().labels
    return tuple(
        Evidence(
            str(field),
            str(level),
            labels.get(str(field), {}).get(str(level), str(level)),
            float(weight),
            float(rest[0]) if rest and rest[0] is not None else None,
        )
        for field, level, weight, *rest in rows
        if field in LEVEL_WORDS and level in LEVEL_WORDS[field]
    )


def pair_evidence(*, first: Person, second: Person, probability: float, match_weight: float,
                  evidence: Sequence[Sequence[Any]]) -> PairEvidence:  # fmt: skip
    """The evidence a pair was found on, field by field (`first` and `second` with aliases prefetched)."""
    candidate = Candidate(second, probability, match_weight, stored_evidence(evidence))
    lines = evidence_lines(candidate, record_for_person(first, first.aliases.all()))
    return PairEvidence(
        likelihood=likelihood(probability),
        supporting=[line for line in lines if line.supports],
        against=[line for line in lines if not line.supports],
    )


def person_details(person: Person) -> list[tuple[str, str]]:
    """What identifies a record, side by side with the other one of a pair: (label, value)."""
    names = ", ".join(f"{a.given_name} {a.family_name}".strip() for a in person.aliases.all())
    return [
        ("Name", f"{person.given_name} {person.family_name}"),
        ("Preferred name", person.preferred_name or "None"),
        ("Other names", names or "None"),
        ("Date of birth", _date(person.date_of_birth) or "Not known"),
        ("Sex", str(SEX_LABELS.get(person.sex, "")) or "Not known"),
        ("NHS number", nhs_number(person.nhs_number) or "Not known"),
        ("PNC ID", person.pnc_id or "Not known"),
        ("Postcode", _postcode(person.postcode) or "Not known"),
        ("Recorded", long_date(person.created_at)),
    ]
