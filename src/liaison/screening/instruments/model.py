"""The shapes of an instrument definition and of a scored result. Plain, frozen data: no Django here.

A definition is data: its items and answer values, how it is scored (a named rule the engine knows),
its cut-off profiles and bands, the special rules that raise flags whatever the total, its age range,
its licence, and its LOINC codes where they exist. Each definition carries a version; a stored result
keeps the version it was scored with, so changing a definition never changes an old result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

# ---- items and answers ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Option:
    """One printed response option: the value a client sends, and the points it scores.

    `points` differs from `value` only for reverse-scored items (DAST-10 item 3: "No" scores 1)
    and for items scored by direction (AQ-10: agree or disagree scores 1).
    """

    value: int
    label: str
    points: int | None = None
    loinc: str = ""  # LOINC answer code (LA...), where the reference gives one

    @property
    def score(self) -> int:
        return self.value if self.points is None else self.points


@dataclass(frozen=True, slots=True)
class Item:
    """One question, by its published number (`key`), as the practitioner answers it.

    `label` is ours ("Item 3", "Part B: C") and may always be shown. `text` is the instrument's
    own wording, present only where the licence lets it be shown; `topic` is a summary in the
    reference's words, shown where the wording may be shown but is not held here.
    A choice item has `options`; an integer item has `minimum` (and `maximum`, None = no limit).
    """

    key: str
    label: str
    options: tuple[Option, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    unit: str = ""
    text: str = ""
    topic: str = ""
    hint: str = ""
    required: bool = True
    scored: bool = True
    loinc: str = ""
    # Asked only when any of these items has a non-zero answer (CRAFFT Part B, ASQ item 5).
    asked_when_any_nonzero: tuple[str, ...] = ()
    # May be left out when this earlier item has its lowest answer; it then scores its lowest
    # option (the K10 interview form's skip rule for items 3 and 6).
    skippable_after: str = ""

    @property
    def kind(self) -> str:
        return "choice" if self.options else "integer"


@dataclass(frozen=True, slots=True)
class Band:
    low: int
    high: int
    code: str
    label: str


@dataclass(frozen=True, slots=True)
class Subscore:
    """A named part-score: the sum of some items' points, optionally rescored so each starts at 0."""

    code: str
    label: str
    items: tuple[str, ...]
    from_zero: bool = False


@dataclass(frozen=True, slots=True)
class FlagInfo:
    """A flag an instrument may raise. `suicide_risk` flags put the alert on the person's record and
    make an urgent task; `urgent` flags are shown as urgent on the result."""

    code: str
    label: str
    suicide_risk: bool = False
    urgent: bool = False


@dataclass(frozen=True, slots=True)
class SpecialRule:
    """A rule that raises a flag whatever the total.

    kinds: "item_at_least" (params: item, value), "positive" (when the screen is positive),
    "subscore_at_least" (params: subscore, value), or "custom" (params: name, a rule in the engine).
    """

    kind: str
    flag: str
    params: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True, slots=True)
class Profile:
    """A named set of cut-offs (and, for K10, answer values) where the published sources differ."""

    code: str
    label: str
    bands: tuple[Band, ...] = ()
    positive_at: int | None = None  # total at or above this is positive; None: no cut-off
    source: str = ""
    # Answer options that replace the definition's for every item (K10's 0-4 US convention).
    options: tuple[Option, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True, slots=True)
class Licence:
    holder: str
    summary: str
    permitted_use: str
    wording_may_be_shown: bool
    confirmed: bool  # False where the reference says the terms are still to be confirmed


@dataclass(frozen=True, slots=True)
class Definition:
    code: str
    version: str
    title: str
    short_title: str
    domain: str
    items: tuple[Item, ...]
    rule: str  # "sum", or a named rule in the engine: "bjmhs", "asq", "osu_tbi", "capture"
    scoring: str  # the rule in words
    profiles: tuple[Profile, ...]
    licence: Licence
    min_age: int | None = None
    max_age: int | None = None
    youth: bool = False  # meant for under-18s (offered on the youth pathway)
    special_rules: tuple[SpecialRule, ...] = ()
    flags: tuple[FlagInfo, ...] = ()
    subscores: tuple[Subscore, ...] = ()
    loinc_panel: str = ""
    loinc_total: str = ""
    result_capture: bool = False  # the practitioner enters a result produced elsewhere
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    rule_params: Mapping[str, Any] = field(default_factory=dict)
    stem: str = ""  # the instruction that opens the items, where the wording may be shown

    @property
    def wording_may_be_shown(self) -> bool:
        return self.licence.wording_may_be_shown

    @property
    def default_profile(self) -> Profile:
        return self.profiles[0]

    def profile(self, code: str | None) -> Profile | None:
        if code is None or code == "":
            return self.profiles[0]
        return next((p for p in self.profiles if p.code == code), None)

    def item(self, key: str) -> Item | None:
        return next((i for i in self.items if i.key == key), None)

    def flag(self, code: str) -> FlagInfo | None:
        return next((f for f in self.flags if f.code == code), None)

    def options_for(self, item: Item, profile: Profile) -> tuple[Option, ...]:
        if item.options and profile.options:
            return profile.options
        return item.options

    def suits_age(self, age: int | None) -> bool:
        """Whether the instrument is meant for someone this old; an unknown age suits every one."""
        if age is None:
            return True
        if self.min_age is not None and age < self.min_age:
            return False
        return not (self.max_age is not None and age > self.max_age)

    @property
    def age_range(self) -> str:
        if self.min_age is not None and self.max_age is not None:
            return f"{self.min_age} to {self.max_age}"
        if self.min_age is not None:
            return f"{self.min_age} and over"
        if self.max_age is not None:
            return f"up to {self.max_age}"
        return "any age"


# ---- results and errors ---------------------------------------------------------------------------


class Result(NamedTuple):
    """A scored result. A named tuple: immutable, and cheap to make tens of thousands of times a second."""

    instrument: str
    version: str
    profile: str
    total: int | None
    band: str | None
    band_label: str | None
    positive: bool | None
    flags: tuple[str, ...]
    subscores: Mapping[str, int]
    prorated: bool = False
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "version": self.version,
            "profile": self.profile,
            "total": self.total,
            "band": self.band,
            "band_label": self.band_label,
            "positive": self.positive,
            "flags": list(self.flags),
            "subscores": dict(self.subscores),
            "prorated": self.prorated,
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class AnswerProblem:
    """One thing wrong with the answers. `field` is where it belongs: "answers.9" or "profile"."""

    field: str
    message: str
    item: str | None = None


class ScoringError(ValueError):
    """The answers cannot be scored; each problem names the item (or the profile) it is about."""

    def __init__(self, problems: list[AnswerProblem] | tuple[AnswerProblem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(p.message for p in self.problems))


class UnknownInstrument(LookupError):
    def __init__(self, code: str, version: str | None = None) -> None:
        self.code = code
        self.version = version
        where = f" version {version}" if version else ""
        super().__init__(f"There is no instrument {code!r}{where}")
