"""Open at a given time: across midnight, bank holidays, validity dates, 24 hours, clock changes."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from liaison.directory.opening import (
    CLOSED,
    OPEN,
    UNKNOWN,
    clock_time,
    is_open_at,
    opening_at,
    read_rule,
    read_rules,
)

LONDON = ZoneInfo("Europe/London")


def rule(byday, opens, closes, valid_from=None, valid_to=None, freq="WEEKLY", bymonthday=""):
    return read_rule(
        freq=freq,
        byday=byday,
        bymonthday=bymonthday,
        opens_at=dt.time.fromisoformat(opens),
        closes_at=dt.time.fromisoformat(closes),
        valid_from=valid_from,
        valid_to=valid_to,
    )


def at(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


WEEKDAYS_9_5 = [rule("MO,TU,WE,TH,FR", "09:00", "17:00")]
FRIDAY_NIGHTS = [rule("FR", "22:00", "06:00")]
SUNDAY_NIGHTS = [rule("SU", "20:00", "08:00")]
NIGHTLY = [rule("MO,TU,WE,TH,FR,SA,SU", "20:00", "08:00")]
ALWAYS = [rule("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59")]

# (rules, open on bank holidays, local time, state, words)
CASES = [
    # Across midnight: Friday 22:00-06:00 covers early Saturday, not Saturday morning.
    (FRIDAY_NIGHTS, False, "2026-11-27 23:00", OPEN, "Open now until 6am on Saturday"),
    (FRIDAY_NIGHTS, False, "2026-11-28 02:00", OPEN, "Open now until 6am"),
    (FRIDAY_NIGHTS, False, "2026-11-28 06:00", CLOSED, "Closed: opens Friday at 10pm"),
    (FRIDAY_NIGHTS, False, "2026-11-28 07:00", CLOSED, "Closed: opens Friday at 10pm"),
    (FRIDAY_NIGHTS, False, "2026-11-27 21:59", CLOSED, "Closed: opens at 10pm"),
    # Sunday night into Monday.
    (SUNDAY_NIGHTS, False, "2026-11-30 07:59", OPEN, "Open now until 8am"),
    (SUNDAY_NIGHTS, False, "2026-11-30 08:00", CLOSED, "Closed: opens Sunday at 8pm"),
    # Weekday daytime service.
    (WEEKDAYS_9_5, False, "2026-11-30 10:30", OPEN, "Open now until 5pm"),
    (WEEKDAYS_9_5, False, "2026-11-28 02:00", CLOSED, "Closed: opens Monday at 9am"),
    (WEEKDAYS_9_5, False, "2026-11-30 17:00", CLOSED, "Closed: opens Tuesday at 9am"),
    # Christmas Day (Friday 2026) and Boxing Day's substitute (Monday 28 December 2026).
    (
        WEEKDAYS_9_5,
        False,
        "2026-12-25 10:00",
        CLOSED,
        "Closed: opens Tuesday at 9am (today is a bank holiday)",
    ),
    (
        WEEKDAYS_9_5,
        False,
        "2026-12-27 12:00",
        CLOSED,
        "Closed: opens Tuesday at 9am (Monday is a bank holiday)",
    ),
    (
        WEEKDAYS_9_5,
        False,
        "2026-12-28 10:00",
        CLOSED,
        "Closed: opens Tuesday at 9am (today is a bank holiday)",
    ),
    (WEEKDAYS_9_5, True, "2026-12-28 10:00", OPEN, "Open now until 5pm"),
    # Easter Monday 2027 (29 March) and the early May bank holiday (3 May 2027).
    (
        WEEKDAYS_9_5,
        False,
        "2027-03-29 11:00",
        CLOSED,
        "Closed: opens Tuesday at 9am (today is a bank holiday)",
    ),
    (
        WEEKDAYS_9_5,
        False,
        "2027-05-03 11:00",
        CLOSED,
        "Closed: opens Tuesday at 9am (today is a bank holiday)",
    ),
    (
        WEEKDAYS_9_5,
        False,
        "2027-05-01 11:00",
        CLOSED,
        "Closed: opens Tuesday at 9am (Monday is a bank holiday)",
    ),
    # The rule: a session that started the evening before runs on; none starts on the holiday.
    (SUNDAY_NIGHTS, False, "2027-03-29 02:00", OPEN, "Open now until 8am"),
    (NIGHTLY, False, "2027-03-29 21:00", CLOSED, "Closed: opens Tuesday at 8pm (today is a bank holiday)"),
    (NIGHTLY, False, "2027-03-30 02:00", CLOSED, "Closed: opens at 8pm"),
    (NIGHTLY, True, "2027-03-29 21:00", OPEN, "Open now until 8am on Tuesday"),
    # 24 hours.
    (ALWAYS, True, "2026-12-25 03:00", OPEN, "Open 24 hours"),
    ([rule("MO,TU,WE,TH,FR,SA,SU", "00:00", "00:00")], True, "2026-11-30 03:00", OPEN, "Open 24 hours"),
    (ALWAYS, False, "2026-12-24 23:00", OPEN, "Open now until midnight"),
    (
        ALWAYS,
        False,
        "2026-12-25 03:00",
        CLOSED,
        "Closed: opens at midnight on Saturday night (today is a bank holiday)",
    ),
    # Clocks go back (25 October 2026, 02:00 BST -> 01:00 GMT): 01:30 happens twice; open both times.
    (NIGHTLY, False, "2026-10-25 01:30", OPEN, "Open now until 8am"),
    # Clocks go forward (28 March 2027, 01:00 GMT -> 02:00 BST): the night session still ends at 8am.
    (NIGHTLY, False, "2027-03-28 03:00", OPEN, "Open now until 8am"),
    (NIGHTLY, False, "2027-03-28 08:30", CLOSED, "Closed: opens at 8pm"),
    # Unknown schedules.
    ([], False, "2026-11-30 10:00", UNKNOWN, "Opening times not known"),
]


@pytest.mark.parametrize(("rules", "bank", "when", "state", "words"), CASES)
def test_opening_at(rules, bank, when, state, words):
    opening = opening_at(rules, at(when), open_bank_holidays=bank)
    assert (opening.state, opening.words) == (state, words)
    assert is_open_at(rules, at(when), open_bank_holidays=bank) == state


def test_clocks_going_back_second_one_thirty_is_open_too():
    first = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)  # 01:30 BST
    second = dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)  # 01:30 GMT, an hour later
    rules = [rule("SA", "23:00", "01:45")]
    assert is_open_at(rules, first, open_bank_holidays=True) == OPEN
    assert is_open_at(rules, second, open_bank_holidays=True) == OPEN


def test_clocks_going_forward_a_session_opening_in_the_lost_hour_is_open_from_two():
    # 01:30 does not exist on 28 March 2027: at 01:59 GMT it is closed, a minute later (03:00 BST) open.
    rules = [rule("SU", "01:30", "05:00")]
    assert (
        is_open_at(rules, dt.datetime(2027, 3, 28, 0, 59, tzinfo=dt.UTC), open_bank_holidays=True) == CLOSED
    )
    assert is_open_at(rules, dt.datetime(2027, 3, 28, 1, 0, tzinfo=dt.UTC), open_bank_holidays=True) == OPEN


@pytest.mark.parametrize(
    ("when", "state"),
    [
        ("2026-11-30 10:00", CLOSED),
        ("2026-12-07 10:00", OPEN),
        ("2026-12-21 10:00", OPEN),
        ("2026-12-22 10:00", CLOSED),
    ],
)
def test_valid_from_and_valid_to_bound_the_days_a_session_starts(when, state):
    rules = [rule("MO,TU", "09:00", "17:00", valid_from=dt.date(2026, 12, 7), valid_to=dt.date(2026, 12, 21))]
    assert is_open_at(rules, at(when), open_bank_holidays=False) == state


def test_a_night_session_starting_on_the_last_valid_day_runs_on_after_it():
    rules = [rule("MO", "22:00", "06:00", valid_to=dt.date(2026, 11, 30))]
    assert is_open_at(rules, at("2026-12-01 02:00"), open_bank_holidays=False) == OPEN


def test_closed_with_no_session_ahead_says_so():
    rules = [rule("MO", "09:00", "17:00", valid_to=dt.date(2026, 11, 30))]
    opening = opening_at(rules, at("2026-12-01 10:00"), open_bank_holidays=False)
    assert (opening.state, opening.words) == (CLOSED, "Closed: no opening times in the next 14 days")


def test_words_name_the_release_time_when_it_is_not_now():
    opening = opening_at(FRIDAY_NIGHTS, at("2026-11-28 02:00"), open_bank_holidays=False, when="at release")
    assert opening.words == "Open at release until 6am"


def test_monthly_and_daily_rules():
    monthly = [rule("", "10:00", "12:00", freq="MONTHLY", bymonthday="1,15")]
    assert is_open_at(monthly, at("2026-12-15 11:00"), open_bank_holidays=True) == OPEN
    assert is_open_at(monthly, at("2026-12-16 11:00"), open_bank_holidays=True) == CLOSED
    daily = [rule("", "07:00", "09:00", freq="DAILY")]
    assert is_open_at(daily, at("2026-11-29 08:00"), open_bank_holidays=True) == OPEN


def test_schedules_without_times_or_days_are_not_known():
    rows = [
        SimpleNamespace(
            freq="WEEKLY",
            byday="MO",
            bymonthday="",
            opens_at=None,
            closes_at=None,
            valid_from=None,
            valid_to=None,
        ),
        SimpleNamespace(
            freq="YEARLY",
            byday="",
            bymonthday="",
            opens_at=dt.time(9),
            closes_at=dt.time(17),
            valid_from=None,
            valid_to=None,
        ),
    ]
    rules = read_rules(rows)
    assert rules == []
    assert opening_at(rules, at("2026-11-30 10:00"), open_bank_holidays=False).state == UNKNOWN


@pytest.mark.parametrize(
    ("value", "words"),
    [(dt.time(9), "9am"), (dt.time(17, 30), "5:30pm"), (dt.time(12), "midday"), (dt.time(0), "midnight")],
)
def test_clock_time(value, words):
    assert clock_time(value) == words
