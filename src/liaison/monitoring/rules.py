"""The privacy monitoring rules, as data: which audit actions count as reading a person's record, and
the numbers each rule raises an alert at. Documented in docs/monitoring.md.

The table lives in `data/privacy_rules.json`, in the repository rather than in an environment
variable: the numbers are an information governance decision, so a change goes through review and
the history says who changed them and when. It is parsed strictly: an unknown rule or setting, a
missing one, or a number out of range stops the scan (and the service starting) rather than
silently monitoring less.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

RULES_FILE = Path(__file__).parent / "data" / "privacy_rules.json"


class RulesError(ValueError):
    """The rules file is not what the scan expects."""


@dataclass(frozen=True)
class BreakGlassRule:
    """Every break-glass grant raises an alert."""

    enabled: bool


@dataclass(frozen=True)
class RepeatedBreakGlassRule:
    """Breaking the glass for `people` different people or more within `window_days` (ending on the day)."""

    enabled: bool
    window_days: int
    people: int


@dataclass(frozen=True)
class DailyCeilingRule:
    """More than `ceiling` different people's records read in one day, in one team."""

    enabled: bool
    ceiling: int


@dataclass(frozen=True)
class AboveBaselineRule:
    """More than `multiple` times the user's usual day, and at least `minimum_people`.

    The usual day is the median number of different people read on the days the user read any
    record in the team in the `baseline_days` before; with fewer than `minimum_active_days` such
    days there is no baseline yet (a new starter), and only the ceiling applies.
    """

    enabled: bool
    multiple: float
    baseline_days: int
    minimum_active_days: int
    minimum_people: int


@dataclass(frozen=True)
class PrivacyRules:
    read_actions: tuple[str, ...]
    break_glass: BreakGlassRule
    repeated_break_glass: RepeatedBreakGlassRule
    daily_ceiling: DailyCeilingRule
    above_baseline: AboveBaselineRule

    @property
    def volume_enabled(self) -> bool:
        return self.daily_ceiling.enabled or self.above_baseline.enabled

    def candidate_minimum(self) -> int:
        """The fewest people read in a day that either volume rule could raise an alert for."""
        floors = []
        if self.daily_ceiling.enabled:
            floors.append(self.daily_ceiling.ceiling + 1)
        if self.above_baseline.enabled:
            floors.append(self.above_baseline.minimum_people)
        return min(floors) if floors else 0


_FIELDS: dict[str, dict[str, type]] = {
    "break_glass": {"enabled": bool},
    "repeated_break_glass": {"enabled": bool, "window_days": int, "people": int},
    "daily_ceiling": {"enabled": bool, "ceiling": int},
    "above_baseline": {
        "enabled": bool,
        "multiple": float,
        "baseline_days": int,
        "minimum_active_days": int,
        "minimum_people": int,
    },
}
_CLASSES: dict[str, type] = {
    "break_glass": BreakGlassRule,
    "repeated_break_glass": RepeatedBreakGlassRule,
    "daily_ceiling": DailyCeilingRule,
    "above_baseline": AboveBaselineRule,
}


def _value(rule: str, name: str, raw: Any, kind: type) -> Any:
    where = f"rules.{rule}.{name}"
    if kind is bool:
        if not isinstance(raw, bool):
            raise RulesError(f"{where} must be true or false, not {raw!r}")
        return raw
    # bool is an int in Python: `true` must not pass as 1.
    if (
        isinstance(raw, bool)
        or not isinstance(raw, int | float)
        or (kind is int and not isinstance(raw, int))
    ):
        raise RulesError(f"{where} must be a {'whole ' if kind is int else ''}number, not {raw!r}")
    if raw < 1:
        raise RulesError(f"{where} must be at least 1, not {raw!r}")
    return kind(raw)


def parse_rules(data: Any) -> PrivacyRules:
    """Build the rules from the JSON document's contents; RulesError says what is wrong."""
    if not isinstance(data, dict) or data.get("version") != 1:
        raise RulesError("the rules file must be an object with version 1")
    unknown = set(data) - {"version", "read_actions", "rules"}
    if unknown:
        raise RulesError(f"unknown keys in the rules file: {sorted(unknown)}")
    actions = data.get("read_actions")
    if not isinstance(actions, list) or not actions or not all(isinstance(a, str) and a for a in actions):
        raise RulesError("read_actions must be a non-empty list of audit action names")
    rules = data.get("rules")
    if not isinstance(rules, dict) or set(rules) != set(_FIELDS):
        raise RulesError(f"rules must name exactly {sorted(_FIELDS)}")
    built: dict[str, Any] = {}
    for rule, fields in _FIELDS.items():
        given = rules[rule]
        if not isinstance(given, dict) or set(given) != set(fields):
            raise RulesError(f"rules.{rule} must set exactly {sorted(fields)}")
        built[rule] = _CLASSES[rule](**{n: _value(rule, n, given[n], kind) for n, kind in fields.items()})
    return PrivacyRules(read_actions=tuple(dict.fromkeys(actions)), **built)


@cache
def load_rules(path: Path = RULES_FILE) -> PrivacyRules:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise RulesError(f"cannot read the privacy rules from {path}: {exc}") from exc
    return parse_rules(data)
