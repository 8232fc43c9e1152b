"""The statutory due date of a subject access request: one calendar month, the ICO's way, and extensions."""

from __future__ import annotations

import datetime as dt

import pytest

from liaison.rights import deadlines

D = dt.date


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (D(2026, 1, 15), D(2026, 2, 15)),  # the corresponding date
        (D(2026, 1, 31), D(2026, 2, 28)),  # no 31 February: the last day of February
        (D(2028, 1, 31), D(2028, 2, 29)),  # ... which is the 29th in a leap year
        (D(2028, 1, 29), D(2028, 2, 29)),
        (D(2026, 1, 29), D(2026, 2, 28)),  # no 29 February outside a leap year
        (D(2028, 2, 29), D(2028, 3, 29)),  # received on the leap day itself
        (D(2026, 3, 31), D(2026, 4, 30)),
        (D(2026, 5, 31), D(2026, 6, 30)),
        (D(2026, 8, 31), D(2026, 9, 30)),
        (D(2026, 12, 31), D(2027, 1, 31)),  # across the year end
        (D(2026, 12, 1), D(2027, 1, 1)),
        (D(2026, 2, 28), D(2026, 3, 28)),  # not "the end of the month": the same date
    ],
)
def test_due_one_calendar_month_from_receipt(received, due):
    assert deadlines.statutory_due(received) == due


@pytest.mark.parametrize(
    ("received", "months", "due"),
    [
        (D(2026, 1, 31), 1, D(2026, 3, 31)),
        (D(2026, 1, 31), 2, D(2026, 4, 30)),  # three months from receipt in all, not from 28 February
        (D(2026, 11, 30), 2, D(2027, 2, 28)),
        (D(2027, 11, 30), 2, D(2028, 2, 29)),  # leap year
        (D(2027, 11, 29), 2, D(2028, 2, 29)),
        (D(2026, 12, 31), 1, D(2027, 2, 28)),
        (D(2026, 10, 31), 2, D(2027, 1, 31)),
        (D(2026, 6, 15), 2, D(2026, 9, 15)),
    ],
)
def test_an_extension_counts_from_receipt(received, months, due):
    assert deadlines.extended_due(received, months) == due


@pytest.mark.parametrize("months", [0, 3, -1])
def test_an_extension_is_one_or_two_months(months):
    with pytest.raises(ValueError, match="1 to 2 months"):
        deadlines.extended_due(D(2026, 1, 1), months)


@pytest.mark.parametrize(
    ("due", "today", "late"),
    [
        (D(2026, 2, 28), D(2026, 2, 28), 0),
        (D(2026, 2, 28), D(2026, 3, 1), 1),
        (D(2026, 2, 28), D(2026, 2, 1), 0),
    ],
)
def test_days_overdue(due, today, late):
    assert deadlines.days_overdue(due, today) == late
