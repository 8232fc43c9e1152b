"""Follow-up rules for referrals and appointments, read from data/follow_up_rules.json.

Each rule says when its task is due after the event that sets it off, and what the task is called.
Defaults apply to every team; a team's entry (keyed by team code) overrides only the fields it names,
so a team can chase sooner, later, or not at all. The services make each task at the moment of its
event with `rule_task_ensure` (a dedupe key per referral or appointment makes that idempotent) and close
it with `rule_tasks_close` when what it chases has happened.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from liaison.core.workdays import add_working_days

DATA = Path(__file__).with_name("data") / "follow_up_rules.json"

NO_ACKNOWLEDGEMENT = "no_acknowledgement"
CHECK_ATTENDANCE = "check_attendance"
SIGNPOSTING_FOLLOW_UP = "signposting_follow_up"
MISSED_APPOINTMENT = "missed_appointment"
RULES = (NO_ACKNOWLEDGEMENT, CHECK_ATTENDANCE, SIGNPOSTING_FOLLOW_UP, MISSED_APPOINTMENT)
# The name each rule's tasks carry (episodes.Task.rule).
RULE_NAMES = {
    NO_ACKNOWLEDGEMENT: "referral.no_acknowledgement",
    CHECK_ATTENDANCE: "appointment.check_attendance",
    SIGNPOSTING_FOLLOW_UP: "referral.signposting_follow_up",
    MISSED_APPOINTMENT: "appointment.outreach",
}
_FIELDS = {"enabled", "days", "working_days", "title"}
_PLACEHOLDERS = {"service": "", "person": "", "when": ""}


@dataclass(frozen=True)
class Rule:
    name: str
    enabled: bool
    title: str
    days: int | None = None  # calendar days
    working_days: int | None = None

    def due(self, day: dt.date) -> dt.date:
        """The due date counted from the day of the event. A count in calendar days that lands on a
        weekend or bank holiday moves on to the next working day: nobody reads tasks on a Sunday."""
        if self.working_days is not None:
            return add_working_days(day, self.working_days)
        return add_working_days(day + dt.timedelta(days=self.days or 0), 0)

    def task_title(self, **values: str) -> str:
        return self.title.format_map({**_PLACEHOLDERS, **values})[:200]


def _rule(name: str, raw: dict[str, Any], where: str) -> Rule:
    unknown = set(raw) - _FIELDS
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    days, working_days = raw.get("days"), raw.get("working_days")
    if (days is None) == (working_days is None):
        raise ValueError(f"{where}: give either days or working_days")
    count = days if days is not None else working_days
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 60:
        raise ValueError(f"{where}: the number of days must be a whole number from 0 to 60")
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"{where}: a title is needed")
    try:
        title.format_map(_PLACEHOLDERS)
    except (KeyError, ValueError) as exc:
        raise ValueError(f"{where}: the title may only use {{service}}, {{person}} and {{when}}") from exc
    return Rule(name, bool(raw.get("enabled", True)), title, days, working_days)


@dataclass(frozen=True)
class RuleBook:
    defaults: dict[str, Rule]
    teams: dict[str, dict[str, Rule]]

    def rule(self, team_code: str, name: str) -> Rule:
        return self.teams.get(team_code, {}).get(name) or self.defaults[name]


def parse(raw: dict[str, Any]) -> RuleBook:
    """Check a rules document and resolve each team's overrides onto the defaults. Fails loudly."""
    raw_defaults = raw.get("defaults") or {}
    missing = [name for name in RULES if name not in raw_defaults]
    if missing:
        raise ValueError(f"defaults: missing rule(s) {', '.join(missing)}")
    unknown = set(raw_defaults) - set(RULES)
    if unknown:
        raise ValueError(f"defaults: unknown rule(s) {', '.join(sorted(unknown))}")
    defaults = {name: _rule(name, raw_defaults[name], f"defaults.{name}") for name in RULES}
    teams: dict[str, dict[str, Rule]] = {}
    for code, overrides in (raw.get("teams") or {}).items():
        unknown = set(overrides) - set(RULES)
        if unknown:
            raise ValueError(f"teams.{code}: unknown rule(s) {', '.join(sorted(unknown))}")
        teams[code] = {}
        for name, fields in overrides.items():
            merged = {**raw_defaults[name], **fields}
            if "days" in fields:
                merged.pop("working_days", None)
            if "working_days" in fields:
                merged.pop("days", None)
            teams[code][name] = _rule(name, merged, f"teams.{code}.{name}")
    return RuleBook(defaults, teams)


def rule_book_raw() -> dict[str, Any]:
    return dict(json.loads(DATA.read_text(encoding="utf-8")))


@cache
def rule_book() -> RuleBook:
    return parse(rule_book_raw())


def rule_for(team_code: str, name: str) -> Rule:
    return rule_book().rule(team_code, name)


# Dedupe keys: one task per rule per referral or appointment, however often its event is replayed.
def no_ack_key(referral_id: int) -> str:
    return f"referral:{referral_id}:no_ack"


def signposting_key(referral_id: int) -> str:
    return f"referral:{referral_id}:signposting"


def check_attendance_key(appointment_id: int) -> str:
    return f"appointment:{appointment_id}:check_attendance"


def outreach_key(appointment_id: int) -> str:
    return f"appointment:{appointment_id}:outreach"
