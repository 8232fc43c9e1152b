"""Opening times and eligibility in words, and reading the days a team lead types."""

from __future__ import annotations

import datetime as dt

import pytest

from liaison.directory.models import Schedule, Service, ServiceArea
from liaison.directory.presenters import (
    ages_words,
    days_words,
    eligibility_words,
    opening_times,
    parse_days,
    time_words,
)


def _s(byday: str, opens: str | None, closes: str | None, **kw) -> Schedule:
    def t(v):
        return dt.time.fromisoformat(v) if v else None

    return Schedule(byday=byday, opens_at=t(opens), closes_at=t(closes), freq=kw.pop("freq", "WEEKLY"), **kw)


@pytest.mark.parametrize(
    ("schedules", "bank_holidays", "expected"),
    [
        (
            [_s(d, "09:00", "17:00") for d in ("MO", "TU", "WE", "TH", "FR")],
            False,
            ["Monday to Friday, 9am to 5pm", "Closed on bank holidays"],
        ),
        (
            [_s("MO,TU,WE,TH,FR,SA,SU", "20:00", "08:00")],
            True,
            ["Every day, 8pm to 8am (overnight)", "Open on bank holidays"],
        ),
        (
            [_s("MO,WE,FR", "09:30", "12:00"), _s("SA,SU", "10:00", "16:30")],
            False,
            [
                "Monday, Wednesday and Friday, 9:30am to midday",
                "Saturday and Sunday, 10am to 4:30pm",
                "Closed on bank holidays",
            ],
        ),
        ([_s("", "00:00", "00:00")], True, ["Every day, 24 hours", "Open on bank holidays"]),
        ([_s("", "00:00", "23:59")], True, ["Every day, 24 hours", "Open on bank holidays"]),
        (
            [_s("SA", None, None, description="By appointment")],
            False,
            ["By appointment", "Closed on bank holidays"],
        ),
        (
            [_s("", "10:00", "12:00", freq="MONTHLY", bymonthday="1")],
            False,
            ["Monthly on day 1 of the month, 10am to midday", "Closed on bank holidays"],
        ),
        ([], True, []),
    ],
)
def test_opening_times_in_words(schedules, bank_holidays, expected):
    assert opening_times(schedules, bank_holidays) == expected


def test_time_and_day_words():
    assert [time_words(dt.time(h, m)) for h, m in [(0, 0), (12, 0), (9, 0), (17, 30), (23, 59)]] == [
        "midnight",
        "midday",
        "9am",
        "5:30pm",
        "11:59pm",
    ]
    assert days_words(["SA", "SU", "MO"]) == "Monday, Saturday and Sunday"
    assert days_words(["TU", "WE", "TH", "FR"]) == "Tuesday to Friday"


@pytest.mark.parametrize(
    ("typed", "days"),
    [
        ("Monday to Friday", ["MO", "TU", "WE", "TH", "FR"]),
        ("mon-fri", ["MO", "TU", "WE", "TH", "FR"]),
        ("Sat, Sun", ["SA", "SU"]),
        ("Saturday and Sunday", ["SA", "SU"]),
        ("every day", ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]),
        ("Friday to Monday", ["MO", "FR", "SA", "SU"]),
        ("MO,TU", ["MO", "TU"]),
        ("Funday", None),
        ("", None),
    ],
)
def test_parse_days(typed, days):
    assert parse_days(typed) == days


def test_eligibility_in_words():
    service = Service(minimum_age=18, maximum_age=None, eligible_sex="female")
    areas = [ServiceArea(name="Leeds", postcode_prefixes="LS WF1")]
    assert eligibility_words(service, areas) == [
        "Aged 18 and over",
        "Women only",
        "Covers Leeds: postcode areas LS, WF1",
    ]
    assert eligibility_words(Service(), []) == ["Any age", "No area restriction"]
    assert ages_words(None, 17) == "Aged 17 and under"
