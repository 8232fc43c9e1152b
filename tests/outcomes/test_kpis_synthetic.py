"""KPIs on the synthetic data set: the prevalence the dashboard reports lands where the seed's calibration
(shared/data/seed-facts.json, scaled for custody and court in demo.generator.TARGETS) says it should.

The dashboard counts needs found at assessment, not diagnoses; the generator rates each assessed person's
mental health and substance use need from their hidden conditions (demo/assessment_tables.py). So the
expected count is the sum, over the assessed episodes, of the chance of a moderate-or-above rating given
the person's conditions, and the conditions themselves are checked against TARGETS.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from django.db import transaction
from django.utils import timezone

from liaison.core.models import Team
from liaison.demo import assessment_tables as t
from liaison.demo.generator import TARGETS
from liaison.demo.models import SyntheticProfile
from liaison.demo.services import demo_seed
from liaison.episodes.models import Episode
from liaison.outcomes import kpis
from liaison.outcomes.kpis import LOCAL, NEED_FOUND, Period

PEOPLE = 400


def _now() -> dt.datetime:
    return timezone.now().replace(second=0, microsecond=0)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        summary = demo_seed(people=PEOPLE, seed=808, now=_now(), services=0)
    yield summary
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def result(seeded, db):
    today = timezone.now().astimezone(LOCAL).date()
    period = Period(start=today - dt.timedelta(days=4 * 366), end=today, label="all", key="all")
    filters = kpis.Filters(period=period, team_ids=tuple(Team.objects.values_list("pk", flat=True)))
    return kpis.compute(filters)


def _chance(weights: dict[str, int]) -> float:
    return sum(w for level, w in weights.items() if level in NEED_FOUND) / sum(weights.values())


def _within(observed: int, expected: float, n: int) -> bool:
    p = expected / n
    tolerance = max(4.0, 4 * math.sqrt(n * p * (1 - p)))  # four standard deviations
    return abs(observed - expected) <= tolerance


def test_every_episode_is_counted_and_the_funnel_narrows(result):
    assert result.identified == Episode.objects.count() > PEOPLE
    counts = [r.count for r in result.funnel[1:4]]
    assert counts == sorted(counts, reverse=True)


def test_the_people_behind_the_figures_hold_the_calibrated_conditions(seeded, db):
    profiles = SyntheticProfile.objects.all()
    n = profiles.count()
    for name, target in TARGETS.items():
        share = profiles.filter(**{name: True}).count() / n
        assert abs(share - target) <= 0.02, (name, share, target)


@pytest.mark.parametrize(
    ("need", "chance"),
    [
        (
            "mental_health",
            lambda p: _chance(
                t.MENTAL_HEALTH_LEVELS[
                    "severe"
                    if p.severe_mental_illness
                    else "common"
                    if p.any_diagnosable_mental_health_problem
                    else "none"
                ]
            ),
        ),
        ("substance_use", lambda p: _chance(t.SUBSTANCE_LEVELS[p.alcohol_or_drug_dependence])),
    ],
)
def test_needs_found_at_assessment_match_the_calibration(result, need, chance):
    assessed = Episode.objects.filter(assessed_at__isnull=False).select_related("person__synthetic_profile")
    n = assessed.count()
    expected = sum(chance(e.person.synthetic_profile) for e in assessed)
    observed = next(r.count for r in result.needs_found if r.key == need)
    assert _within(observed, expected, n), (need, observed, expected, n)


def test_sex_and_age_group_shares_match_the_generator(result):
    sex = {r.key: r.identified_share for r in result.equality if r.dimension == "Sex"}
    assert sex["1"] == pytest.approx(0.84, abs=0.05)
    youth = next(
        r.identified_share for r in result.equality if r.dimension == "Age group" and r.key == "youth"
    )
    assert 0.05 <= youth <= 0.2


def test_timeliness_is_plausible(result):
    # screening 10 minutes to 5 hours after identification, within the team's hours (docs/seed.md)
    assert dt.timedelta(minutes=10) <= result.to_screening.median <= dt.timedelta(hours=5)
    assert result.to_screening.median <= result.to_screening.p90
    assert result.to_assessment.median >= result.to_screening.median


def test_the_quarterly_report_renders_on_synthetic_data(seeded, db):
    import os
    from pathlib import Path

    from liaison.outcomes import report
    from liaison.outcomes.forms import last_complete_quarter
    from liaison.outcomes.models import Commentary

    team = Team.objects.order_by("name").first()
    period = last_complete_quarter()
    author = seeded_lead(team)
    Commentary.objects.create(
        team=team,
        quarter=period.key,
        summary="Arrivals at the custody suite rose by a tenth on the previous quarter. Every arrival in "
        "staffed hours was seen, and the median time to screening held at under an hour.",
        achievements="Evening cover at the custody suite began in August. Two new housing providers joined "
        "the directory, and first appointments attended within 28 days rose.",
        challenges="Weekend cover at the magistrates' court remains thin. Onward mental health referrals "
        "wait longer than we would like for a first appointment.",
        next_steps="Recruit a second adviser; agree a fast-track with the community mental health team.",
        updated_by=author,
    )
    filters = kpis.Filters(period=period, team_ids=(team.pk,))
    context = report.report_context(kpis=kpis.compute(filters), teams=[team], period=period, filters=filters)
    pdf = report.report_pdf(context)
    assert pdf.startswith(b"%PDF")
    if target := os.environ.get("LIAISON_REPORT_PDF"):  # for looking at it: pdftoppm -png -r 70
        Path(target).write_bytes(pdf)


def seeded_lead(team):
    from liaison.core.models import Membership, Role

    return Membership.objects.filter(team=team, role=Role.TEAM_LEAD).select_related("user").first().user
