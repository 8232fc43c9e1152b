"""liaison.demo.tables: the generators' weighted choice and local days give what the general ones give,
so a faster generator still makes the same rows from the same seed."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from liaison.demo.tables import (
    CHANNEL_WEIGHTS,
    ETHNICITY_WEIGHTS,
    SEX_WEIGHTS,
    local,
    local_day,
    pick,
)

WEIGHTS = [
    pytest.param({"only": 1}, id="one choice"),
    pytest.param({1: 60, 2: 25, 3: 15}, id="whole numbers"),
    pytest.param({"a": 0.1, "b": 0.0, "c": 2.5, "d": 1e-9}, id="fractions and a zero"),
    pytest.param({"never": 0, "always": 3}, id="a zero first"),
    pytest.param(dict(SEX_WEIGHTS), id="sex"),
    pytest.param(dict(ETHNICITY_WEIGHTS), id="ethnicity"),
    pytest.param(dict(CHANNEL_WEIGHTS), id="channel"),
]


@pytest.mark.parametrize("weights", WEIGHTS)
def test_pick_makes_the_choice_random_choices_makes(weights):
    for seed in range(200):
        ours, theirs = random.Random(seed), random.Random(seed)
        for _ in range(20):
            expected = theirs.choices(list(weights), weights=list(weights.values()))[0]
            assert pick(ours, weights) == expected
        assert ours.random() == theirs.random()  # and the stream is left where choices leaves it


@pytest.mark.parametrize(
    "weights", [{"a": 0, "b": 0}, {"a": -1, "b": 0.5}, {"a": float("inf")}, {"a": float("nan")}]
)
def test_pick_refuses_weights_that_choose_nothing(weights):
    with pytest.raises(ValueError, match="positive, finite"):
        pick(random.Random(1), weights)


MOMENTS = [
    dt.datetime(2026, 3, 29, 0, 59, tzinfo=dt.UTC),  # the last minute of GMT
    dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC),  # the first of BST
    dt.datetime(2026, 10, 24, 23, 30, tzinfo=dt.UTC),  # 00:30 on the 25th in BST
    dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC),  # 01:30 BST, the hour that comes twice
    dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC),  # 01:30 GMT
    dt.datetime(2026, 12, 31, 23, 59, tzinfo=dt.UTC),
    dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),  # another offset
]


@pytest.mark.parametrize("moment", MOMENTS, ids=str)
def test_local_days_are_timezones_local_days(moment):
    ours, theirs = local(moment), timezone.localtime(moment)
    # The same wall-clock reading, fold (which 01:30 of the hour that comes twice), offset and zone:
    # aware times compare as instants, so == alone would pass for any zone.
    assert (ours.replace(tzinfo=None), ours.fold, ours.utcoffset(), ours.tzinfo) == (
        theirs.replace(tzinfo=None),
        theirs.fold,
        theirs.utcoffset(),
        theirs.tzinfo,
    )
    assert local_day(moment) == timezone.localdate(moment)


def test_a_time_without_a_zone_has_no_local_time():
    naive = dt.datetime(2026, 7, 1, 12, 0)  # noqa: DTZ001 - the point of the test
    for convert in (local, local_day, timezone.localtime):
        with pytest.raises(ValueError):
            convert(naive)
