"""Opening times in words for the card: runs of days, 24 hours, midnight, several sessions."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from liaison.support.opening import days_words, opening_words
from liaison.support.presenters import looks_like_number


def schedule(byday, opens=None, closes=None, freq="WEEKLY", description=""):
    return SimpleNamespace(
        byday=byday,
        freq=freq,
        opens_at=dt.time.fromisoformat(opens) if opens else None,
        closes_at=dt.time.fromisoformat(closes) if closes else None,
        description=description,
    )


@pytest.mark.parametrize(
    ("schedules", "words"),
    [
        ([schedule("MO,TU,WE,TH,FR", "09:00", "17:00")], "Monday to Friday, 9am to 5pm"),
        ([schedule("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59")], "Every day, 24 hours"),
        ([schedule("SU,MO,TU,WE,TH,FR,SA", "00:00", "00:00")], "Every day, 24 hours"),
        ([schedule("FR,SA", "18:00", "23:59")], "Friday and Saturday, 6pm to midnight"),
        ([schedule("MO,WE,FR", "09:30", "12:00")], "Monday, Wednesday and Friday, 9:30am to midday"),
        ([schedule("FR", "22:00", "06:00")], "Friday, 10pm to 6am"),
        (
            [schedule("SA", "10:00", "14:00"), schedule("MO,TU,WE,TH,FR", "09:00", "17:00")],
            "Monday to Friday, 9am to 5pm; Saturday, 10am to 2pm",
        ),
        (
            [schedule("MO", "09:00", "12:00"), schedule("WE", "09:00", "12:00")],
            "Monday and Wednesday, 9am to midday",
        ),
        ([schedule("", description="Ring for an appointment")], "Ring for an appointment"),
        ([], ""),
    ],
)
def test_opening_words(schedules, words):
    assert opening_words(schedules) == words


def test_days_words_joins_runs():
    assert days_words(["MO", "TU", "WE", "SA", "SU"]) == "Monday to Wednesday, Saturday and Sunday"


@pytest.mark.parametrize(
    ("text", "is_number"),
    [
        ("07700 900123", True),
        ("+44 (0)161 496 0000", True),
        ("Most days at the allotment", False),
        ("", False),
    ],
)
def test_only_phone_numbers_are_shown_large_on_the_card(text, is_number):
    assert looks_like_number(text) is is_number
