"""Screening test helpers: answers that add up to a chosen total, and hypothesis kept in memory."""

from __future__ import annotations

from hypothesis import settings

# No example database on disk (.hypothesis/) and no deadline: scoring is fast, CI machines vary.
settings.register_profile("liaison", database=None, deadline=None, max_examples=30)
settings.load_profile("liaison")


def spread(
    total: int, keys: list[str] | tuple[str, ...], top: int, base: dict[str, int] | None = None
) -> dict[str, int]:
    """Answers for `keys`, each 0..top, adding up to `total` (filled from the first key)."""
    answers = dict(base or {})
    left = total
    for key in keys:
        value = min(top, left)
        answers[key] = value
        left -= value
    if left:
        raise ValueError(f"{total} does not fit in {len(keys)} items of at most {top}")
    return answers


def numbered(count: int, value: int = 0, start: int = 1) -> dict[str, int]:
    return {str(n): value for n in range(start, start + count)}


# --- records ---------------------------------------------------------------------------------------

import datetime as dt  # noqa: E402 - the fixtures below need Django; the helpers above do not

import pytest  # noqa: E402
from django.utils import timezone  # noqa: E402

from tests.factories import EpisodeFactory, PersonFactory  # noqa: E402

PHQ9_ITEM_9 = {"1": 1, "2": 1, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 1}
PHQ9_CLEAR = {**PHQ9_ITEM_9, "9": 0}


def years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


@pytest.fixture
def youth_episode(site_a, practitioner):
    """A 15-year-old on the youth pathway."""
    person = PersonFactory(given_name="Jamie", family_name="Younger", date_of_birth=years_ago(15, days=30))
    return EpisodeFactory(site=site_a, person=person, allocated_worker=practitioner, age_group="youth")
