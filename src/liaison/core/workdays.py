"""Working days in England and Wales: weekdays that are not bank holidays.

Rules such as "no acknowledgement in 2 working days" and "outreach within 2 working days" count
these. Bank holidays come from the `holidays` package (England's calendar, which Wales shares).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_bank_holiday(day: dt.date) -> bool:
    return day in _bank_holidays(day.year)


def bank_holiday_name(day: dt.date) -> str:
    """The holiday's name ("Christmas Day"), or "" on an ordinary day."""
    return holidays.country_holidays("GB", subdiv="ENG", years=day.year).get(day, "") or ""


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The date `count` working days after `day` (day itself not counted; count 0 gives the next
    working day on or after `day`)."""
    if count < 0:
        raise ValueError("count working days forwards only")
    current = day
    if count == 0:
        while not is_working_day(current):
            current += dt.timedelta(days=1)
        return current
    while count:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            count -= 1
    return current
