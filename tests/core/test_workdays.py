import datetime as dt

import pytest

from liaison.core.workdays import add_working_days, bank_holiday_name, is_bank_holiday, is_working_day

D = dt.date


@pytest.mark.parametrize(
    ("start", "count", "expected", "why"),
    [
        (D(2026, 11, 30), 2, D(2026, 12, 2), "Monday + 2 is Wednesday"),
        (D(2026, 12, 4), 2, D(2026, 12, 8), "Friday + 2 skips the weekend"),
        (D(2026, 12, 24), 1, D(2026, 12, 29), "Christmas Day and Boxing Day (moved to Monday 28th) skipped"),
        (D(2027, 3, 25), 1, D(2027, 3, 30), "Good Friday and Easter Monday 2027 skipped"),
        (D(2026, 12, 26), 0, D(2026, 12, 29), "0 from a Saturday is the next working day"),
        (D(2026, 12, 1), 0, D(2026, 12, 1), "0 from a working day is that day"),
    ],
)
def test_add_working_days(start, count, expected, why):
    assert add_working_days(start, count) == expected, why


def test_bank_holidays_are_englands():
    assert is_bank_holiday(D(2026, 12, 25))
    assert is_bank_holiday(D(2026, 12, 28))  # Boxing Day falls on a Saturday: substitute day
    assert not is_bank_holiday(D(2026, 11, 30))  # St Andrew's Day is Scotland's, not England's
    assert not is_bank_holiday(D(2027, 1, 4))  # 2 January is Scotland's
    assert bank_holiday_name(D(2026, 12, 25)) == "Christmas Day"
    assert not is_working_day(D(2026, 12, 5))


def test_negative_count_is_refused():
    with pytest.raises(ValueError):
        add_working_days(D(2026, 12, 1), -1)
