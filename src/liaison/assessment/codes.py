"""The needs code list (data/needs.json): domains, basic needs, levels, and what screenings suggest.

Loaded once and kept as frozen tuples. Pure Python: the ordering rule and the tests use it without
a database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "needs.json"

# The scale, lowest first. "urgent" means it needs action today.
LEVELS: tuple[tuple[str, str], ...] = (
    ("none", "No need"),
    ("low", "Low"),
    ("moderate", "Moderate"),
    ("high", "High"),
    ("urgent", "Urgent: needs action today"),
)
LEVEL_RANK = {code: rank for rank, (code, _label) in enumerate(LEVELS)}
LEVEL_LABELS = dict(LEVELS)

RAISED_BY: tuple[tuple[str, str], ...] = (
    ("practitioner", "Practitioner"),
    ("person", "The person"),
    ("screening", "Screening"),
    ("partner", "Partner agency"),
)
RAISED_BY_LABELS = dict(RAISED_BY)

BASIC_PREFIX = "basic:"


@dataclass(frozen=True, slots=True)
class Domain:
    code: str
    label: str
    hint: str
    safety: bool


@dataclass(frozen=True, slots=True)
class BasicNeed:
    code: str
    label: str
    domain: str

    @property
    def key(self) -> str:
        return BASIC_PREFIX + self.code


@dataclass(frozen=True, slots=True)
class Suggestion:
    instrument: str
    domain: str
    bands: dict[str, str]
    flags: dict[str, str]


@dataclass(frozen=True, slots=True)
class CodeList:
    version: str
    domains: tuple[Domain, ...]
    basic_needs: tuple[BasicNeed, ...]
    suggestions: tuple[Suggestion, ...]

    def domain(self, code: str) -> Domain | None:
        return next((d for d in self.domains if d.code == code), None)

    def basic(self, code: str) -> BasicNeed | None:
        return next((b for b in self.basic_needs if b.code == code), None)

    @property
    def keys(self) -> tuple[str, ...]:
        """Every need key: a domain's code, or "basic:" and a basic need's code."""
        return tuple(d.code for d in self.domains) + tuple(b.key for b in self.basic_needs)

    def label(self, key: str) -> str:
        if key.startswith(BASIC_PREFIX):
            basic = self.basic(key.removeprefix(BASIC_PREFIX))
            return basic.label if basic else key
        domain = self.domain(key)
        return domain.label if domain else key

    def domain_of(self, key: str) -> str:
        if key.startswith(BASIC_PREFIX):
            basic = self.basic(key.removeprefix(BASIC_PREFIX))
            return basic.domain if basic else ""
        return key


def _load(path: Path) -> CodeList:
    raw = json.loads(path.read_text(encoding="utf-8"))
    domains = tuple(
        Domain(d["code"], d["label"], d.get("hint", ""), bool(d["safety"])) for d in raw["domains"]
    )
    domain_codes = {d.code for d in domains}
    basic = tuple(BasicNeed(b["code"], b["label"], b["domain"]) for b in raw["basic_needs"])
    suggestions = tuple(
        Suggestion(s["instrument"], s["domain"], dict(s.get("bands", {})), dict(s.get("flags", {})))
        for s in raw["screening_suggestions"]
    )
    for item in basic:
        if item.domain not in domain_codes:
            raise ValueError(f"basic need {item.code} names unknown domain {item.domain}")
    for suggestion in suggestions:
        if suggestion.domain not in domain_codes:
            raise ValueError(
                f"suggestion for {suggestion.instrument} names unknown domain {suggestion.domain}"
            )
        for level in (*suggestion.bands.values(), *suggestion.flags.values()):
            if level not in LEVEL_RANK:
                raise ValueError(f"suggestion for {suggestion.instrument} names unknown level {level}")
    return CodeList(raw["version"], domains, basic, suggestions)


@cache
def codes() -> CodeList:
    return _load(DATA)
