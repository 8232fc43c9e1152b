"""Whether a service is open at a given local time, in words a practitioner can act on. Pure: no queries.

Opening times are ORUK schedules (RFC 5545-style rules): freq WEEKLY with byday "MO,TU", opens_at
and closes_at, valid_from/valid_to. Each rule gives one *session* per matching day:

- A session starts on its day at opens_at. A closes_at earlier than opens_at runs past midnight into
  the next day (Friday 22:00-06:00 covers Saturday 02:00, not Saturday 07:00).
- 00:00-23:59 (or opens_at equal to closes_at) means the whole day: 24 hours. A closes_at of 23:59
  means "until midnight".
- valid_from/valid_to bound the day a session *starts* on.
- Bank holidays (England and Wales, `core.workdays`): a service that does not open on bank holidays
  (`Service.open_bank_holidays` false) has no session that STARTS on a bank holiday. A session that
  started the evening before runs on past midnight as usual: a night shelter open Sunday 20:00-08:00
  is still open at 02:00 on Easter Monday, and does not open on Monday evening.
- No rule that can be read (no schedules, or only ones without times) means "opening times not known",
  which is neither open nor closed.

Daylight saving: the published hours are wall-clock hours, so times are compared as Europe/London
wall-clock times. On the night the clocks go back, 01:00-02:00 happens twice and a service open then
is open for both; a session 22:00-06:00 that night lasts nine real hours. On the night they go
forward, 01:00-02:00 does not exist: a session 22:00-06:00 lasts seven real hours, and a session that
would open at 01:30 opens, in effect, at 02:00 (no local time before it exists). We do not shift
sessions to keep their length in real hours: services keep to the clock on the wall.

Supported: WEEKLY (or a blank freq with byday), DAILY, and MONTHLY with bymonthday. `interval` is
ignored (fortnightly sessions are shown as weekly; the service's own description says which week).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from liaison.core.workdays import is_bank_holiday

LONDON = ZoneInfo("Europe/London")
OPEN, CLOSED, UNKNOWN = "open", "closed", "unknown"

_DAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_END_OF_DAY = dt.time(23, 59)
# How far ahead to look for the next opening, and how far to follow back-to-back sessions.
HORIZON_DAYS = 14


@dataclass(frozen=True, slots=True)
class Rule:
    """One schedule, read: on which days a session starts, and its hours."""

    weekdays: frozenset[int]  # 0 = Monday; empty with monthdays set means monthly
    monthdays: frozenset[int]
    opens: dt.time
    closes: dt.time
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def starts_on(self, day: dt.date) -> bool:
        if self.valid_from is not None and day < self.valid_from:
            return False
        if self.valid_to is not None and day > self.valid_to:
            return False
        if self.monthdays:
            return day.day in self.monthdays
        return day.weekday() in self.weekdays

    def span(self) -> tuple[int, int]:
        """(start, end) in minutes from the midnight the session starts after; end may pass 1440."""
        start = self.opens.hour * 60 + self.opens.minute
        closes = self.closes.hour * 60 + self.closes.minute
        if self.closes == _END_OF_DAY or closes == start:
            # 23:59 means until midnight; opens equal to closes means a full 24 hours.
            end = 1440 if closes != start or start == 0 else start + 1440
        elif closes < start:
            end = closes + 1440  # runs past midnight into the next day
        else:
            end = closes
        return start, end

    def session(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """The session starting on `day`, as naive local wall-clock times."""
        start, end = self.span()
        midnight = dt.datetime.combine(day, dt.time(0, 0))
        return midnight + dt.timedelta(minutes=start), midnight + dt.timedelta(minutes=end)


@dataclass(frozen=True, slots=True)
class Opening:
    state: str  # OPEN, CLOSED or UNKNOWN
    words: str
    until: dt.datetime | None = None  # local wall-clock end of the current opening (OPEN)
    next_opens: dt.datetime | None = None  # local wall-clock start of the next session (CLOSED)

    @property
    def is_open(self) -> bool:
        return self.state == OPEN


NOT_KNOWN = Opening(UNKNOWN, "Opening times not known")


def read_rules(schedules: Iterable[Any]) -> list[Rule]:
    """Rules from Schedule rows (or anything with their fields); ones that cannot be read are skipped."""
    rules = []
    for schedule in schedules:
        rule = read_rule(
            freq=schedule.freq,
            byday=schedule.byday,
            bymonthday=schedule.bymonthday,
            opens_at=schedule.opens_at,
            closes_at=schedule.closes_at,
            valid_from=schedule.valid_from,
            valid_to=schedule.valid_to,
        )
        if rule is not None:
            rules.append(rule)
    return rules


def read_rule(
    *,
    freq: str,
    byday: str,
    bymonthday: str = "",
    opens_at: dt.time | None,
    closes_at: dt.time | None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> Rule | None:
    if opens_at is None or closes_at is None:
        return None
    frequency = (freq or "").strip().upper()
    weekdays: set[int] = set()
    monthdays: set[int] = set()
    if frequency == "DAILY":
        weekdays = set(range(7))
    elif frequency in {"WEEKLY", ""}:
        for part in (byday or "").upper().replace(" ", "").split(","):
            # "1MO" (first Monday) style prefixes are read as the weekday alone.
            code = part[-2:]
            if code in _DAYS:
                weekdays.add(_DAYS[code])
    elif frequency == "MONTHLY":
        for part in (bymonthday or "").replace(" ", "").split(","):
            if part.isdigit() and 1 <= int(part) <= 31:
                monthdays.add(int(part))
    if not weekdays and not monthdays:
        return None
    return Rule(frozenset(weekdays), frozenset(monthdays), opens_at, closes_at, valid_from, valid_to)


def local_wall_time(at: dt.datetime) -> dt.datetime:
    """An aware datetime as a naive Europe/London wall-clock time (naive input is taken as local)."""
    if at.tzinfo is None:
        return at.replace(second=0, microsecond=0)
    return at.astimezone(LONDON).replace(tzinfo=None, second=0, microsecond=0)


def _sessions_from(
    rules: list[Rule], day: dt.date, open_bank_holidays: bool, holiday: Callable[[dt.date], bool]
) -> list[tuple[dt.datetime, dt.datetime]]:
    if not open_bank_holidays and holiday(day):
        return []
    return [rule.session(day) for rule in rules if rule.starts_on(day)]


def is_open_at(
    rules: list[Rule],
    at: dt.datetime,
    *,
    open_bank_holidays: bool,
    holiday: Callable[[dt.date], bool] = is_bank_holiday,
) -> str:
    """OPEN, CLOSED or UNKNOWN at `at` (the quick answer matching ranks by)."""
    return Moment(at, holiday).state(rules, open_bank_holidays=open_bank_holidays)


class Moment:
    """One local time, with the bank-holiday answers for its day and the day before worked out once,
    so asking about many services at the same time is cheap (matching asks about thousands)."""

    __slots__ = ("holiday_today", "holiday_yesterday", "minute", "today", "yesterday")

    def __init__(self, at: dt.datetime, holiday: Callable[[dt.date], bool] = is_bank_holiday) -> None:
        wall = local_wall_time(at)
        self.today = wall.date()
        self.yesterday = self.today - dt.timedelta(days=1)
        self.minute = wall.hour * 60 + wall.minute
        self.holiday_today = holiday(self.today)
        self.holiday_yesterday = holiday(self.yesterday)

    def state(self, rules: list[Rule], *, open_bank_holidays: bool) -> str:
        return self.state_of_spans(
            tuple((*rule.span(), rule) for rule in rules), open_bank_holidays=open_bank_holidays
        )

    def state_of_spans(self, spans: tuple[tuple[int, int, Rule], ...], *, open_bank_holidays: bool) -> str:
        """As `state`, with each rule's span worked out beforehand: (start, end, rule)."""
        if not spans:
            return UNKNOWN
        today_ok = open_bank_holidays or not self.holiday_today
        yesterday_ok = open_bank_holidays or not self.holiday_yesterday
        minute = self.minute
        for start, end, rule in spans:
            if today_ok and start <= minute < end and rule.starts_on(self.today):
                return OPEN
            if yesterday_ok and minute + 1440 < end and rule.starts_on(self.yesterday):
                return OPEN
        return CLOSED


def opening_at(
    rules: list[Rule],
    at: dt.datetime,
    *,
    open_bank_holidays: bool,
    when: str = "now",
    holiday: Callable[[dt.date], bool] = is_bank_holiday,
) -> Opening:
    """Open, closed or not known at `at`, in words ("Open now until 8am"). `when` is how the words
    name the moment asked about ("now", "at release")."""
    if not rules:
        return NOT_KNOWN
    now = local_wall_time(at)
    first = now.date() - dt.timedelta(days=1)
    sessions: list[tuple[dt.datetime, dt.datetime]] = []
    skipped_holidays: list[dt.date] = []
    for offset in range(HORIZON_DAYS + 2):
        day = first + dt.timedelta(days=offset)
        found = _sessions_from(rules, day, open_bank_holidays, holiday)
        skipped = not found and not open_bank_holidays and holiday(day)
        if skipped and any(rule.starts_on(day) for rule in rules):
            skipped_holidays.append(day)
        sessions.extend(found)
    sessions.sort()
    current = [s for s in sessions if s[0] <= now < s[1]]
    if current:
        until = max(end for _, end in current)
        # Follow back-to-back (or overlapping) sessions: 24-hour services chain day to day.
        for start, end in sessions:
            if start <= until < end:
                until = end
        if until - now >= dt.timedelta(days=HORIZON_DAYS - 1):
            return Opening(OPEN, "Open 24 hours", until=until)
        return Opening(OPEN, f"Open {when} until {_moment(until, now)}", until=until)
    upcoming = [start for start, _ in sessions if start > now]
    if not upcoming:
        return Opening(CLOSED, f"Closed: no opening times in the next {HORIZON_DAYS} days")
    opens = upcoming[0]
    words = f"Closed: opens {_moment(opens, now, at_word=True)}"
    holidays_between = [d for d in skipped_holidays if now.date() <= d <= opens.date()]
    if holidays_between:
        day = holidays_between[0]
        words += f" ({_day_name(day, now)} is a bank holiday)"
    return Opening(CLOSED, words, next_opens=opens)


def _day_name(day: dt.date, now: dt.datetime) -> str:
    if day == now.date():
        return "today"
    if (day - now.date()).days < 7:
        return _DAY_NAMES[day.weekday()]
    return f"{_DAY_NAMES[day.weekday()]} {day.day} {day:%B}"


def _moment(when: dt.datetime, now: dt.datetime, *, at_word: bool = False) -> str:
    """ "8am", "6am on Saturday", "midnight"; with at_word: "at 9am", "Tuesday at 9am"."""
    clock = clock_time(when.time())
    if at_word and clock == "midnight":
        # "Sunday at midnight" is read both ways; say which night.
        night = when.date() - dt.timedelta(days=1)
        return (
            "at midnight tonight" if night == now.date() else f"at midnight on {_day_name(night, now)} night"
        )
    if clock == "midnight" and when.date() == now.date() + dt.timedelta(days=1) and not at_word:
        return "midnight"
    if when.date() == now.date():
        return f"at {clock}" if at_word else clock
    day = _day_name(when.date(), now)
    return f"{day} at {clock}" if at_word else f"{clock} on {day}"


def clock_time(value: dt.time) -> str:
    """9am, 5:30pm, midday, midnight (the NHS style)."""
    if value == dt.time(0, 0):
        return "midnight"
    if value == dt.time(12, 0):
        return "midday"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}:{value.minute:02d}{suffix}" if value.minute else f"{hour}{suffix}"
