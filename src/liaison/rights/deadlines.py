"""When a subject access request must be answered (UK GDPR Art. 12(3)). Pure: no Django imports.

The ICO's reading of "one month": from the day the request is received to the corresponding
calendar date of the next month; when the next month has no such date (31 January, 29 February
outside a leap year...) the last day of that month. The time may be extended once, by up to two
further months, for complex or numerous requests: counted the same way from the day of receipt,
so a request received on 31 January is due by 28 (or 29) February, or by 30 April at the latest.

The ICO also allows until the next working day when the date falls on a weekend or bank holiday.
We show the calendar date itself: the team aims for it, and is never told it has longer than it has.
"""

from __future__ import annotations

import calendar
import datetime as dt

STATUTORY_MONTHS = 1
MAX_EXTENSION_MONTHS = 2


def add_months(day: dt.date, months: int) -> dt.date:
    """The corresponding date `months` later, or the last day of that month when it has no such date."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def statutory_due(received_on: dt.date) -> dt.date:
    """One calendar month from the day the request was received."""
    return add_months(received_on, STATUTORY_MONTHS)


def extended_due(received_on: dt.date, extra_months: int) -> dt.date:
    """The due date after an extension of `extra_months` (1 or 2), counted from the day of receipt."""
    if not 1 <= extra_months <= MAX_EXTENSION_MONTHS:
        raise ValueError(f"an extension is 1 to {MAX_EXTENSION_MONTHS} months, not {extra_months}")
    return add_months(received_on, STATUTORY_MONTHS + extra_months)


def days_overdue(due_on: dt.date, today: dt.date) -> int:
    """How many days past the due date (0 when it is not past yet)."""
    return max(0, (today - due_on).days)
