"""KPIs on a small hand-built data set where every number is known (October 2026, Europe/London).

E1 p1 Mon 5 Oct 10:00 (in hours)  screened +30m, assessed +60m, housing referral engaged, appt attended
E2 p2 Tue 6 Oct 12:00 (in hours)  screened +60m, assessed +120m, mental health referral, appt missed
E3 p3 Wed 7 Oct 22:00 (out)       identified 08:00 next day, screened +20m; youth
E4 p4 Thu 8 Oct 03:00 (out)       closed: released before being seen
E5 p1 Fri 9 Oct 09:00 (in hours)  screened +120m                       (repeat: p1 was seen on 5 Oct)
p2 also arrived 20 September (outside the period) so E2 is a repeat; team B's October episode never counts.
"""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import pytest

from liaison.advice.models import AdviceOutcome, AdviceRecord, AdviceType, OutcomeKind
from liaison.assessment.models import Assessment, AssessmentStatus, Need
from liaison.consent.models import Consent, Disclosure
from liaison.core.models import Role
from liaison.episodes.models import ClosureReason, Stage
from liaison.identification.models import Arrival, ArrivalStatus, EpisodeFlag, ImportBatch
from liaison.outcomes import kpis
from liaison.outcomes.forms import month_period
from liaison.people.models import Sex
from liaison.referrals.models import Appointment, Attendance, Kind, Outcome, Referral, Status
from tests.factories import EpisodeFactory, PersonFactory, SiteFactory, member
from tests.referrals.conftest import make_service

LONDON = ZoneInfo("Europe/London")


def at(day: int, hour: int, minute: int = 0, month: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def build_world(team_a, team_b):
    """The data set above; returns a dict of the records tests need."""
    site = SiteFactory(team=team_a, name="Northtown Custody Suite")  # 08:00-20:00 every day
    lead = member(team_a, Role.TEAM_LEAD, "world-lead")
    prac = member(team_a, Role.PRACTITIONER, "world-prac")
    p1 = PersonFactory(sex=Sex.MALE, ethnicity="A")
    p2 = PersonFactory(sex=Sex.FEMALE, ethnicity="A")
    p3 = PersonFactory(sex=Sex.MALE, ethnicity="N")
    p4 = PersonFactory(sex=Sex.MALE, ethnicity="A")

    def episode(person, arrival, identified, **fields):
        return EpisodeFactory(
            site=site, person=person, arrival_at=arrival, identified_at=identified, **fields
        )

    e1 = episode(
        p1,
        at(5, 10),
        at(5, 10, 10),
        screened_at=at(5, 10, 40),
        assessed_at=at(5, 11, 10),
        stage=Stage.SUPPORT,
        allocated_worker=prac,
    )
    e2 = episode(
        p2,
        at(6, 12),
        at(6, 12),
        screened_at=at(6, 13),
        assessed_at=at(6, 14),
        stage=Stage.CLOSED,
        closed_at=at(20, 9),
        closure_reason=ClosureReason.NO_FURTHER_NEED,
    )
    e3 = episode(
        p3,
        at(7, 22),
        at(8, 8),
        screened_at=at(8, 8, 20),
        stage=Stage.SCREENED,
        age_group="youth",
        allocated_worker=prac,
    )
    e4 = episode(
        p4,
        at(8, 3),
        at(8, 3, 10),
        stage=Stage.CLOSED,
        closed_at=at(8, 6),
        closure_reason=ClosureReason.NOT_SEEN,
    )
    e5 = episode(p1, at(9, 9), at(9, 9), screened_at=at(9, 11), stage=Stage.SCREENED, allocated_worker=lead)
    episode(p2, at(20, 14, month=9), at(20, 14, month=9), stage=Stage.CLOSED, closed_at=at(21, 9, month=9))
    EpisodeFactory(site=SiteFactory(team=team_b), arrival_at=at(12, 12), identified_at=at(12, 12))

    for ep, code in (
        (e1, "mental_health"),
        (e1, "substance_use"),
        (e2, "mental_health"),
        (e3, "learning_disability"),
    ):
        EpisodeFlag.objects.create(episode=ep, flag_id=code, source="practitioner", raised_by=prac)

    for ep, needs in (
        (e1, {"housing": "high", "mental_health": "moderate", "basic:sleep_tonight": "urgent"}),
        (e2, {"mental_health": "low", "substance_use": "high", "basic:id": "moderate"}),
    ):
        a = Assessment.objects.create(
            episode=ep, number=1, status=AssessmentStatus.COMPLETE, by=prac, completed_at=ep.assessed_at
        )
        for key, level in needs.items():
            Need.objects.create(assessment=a, key=key, level=level)

    service = make_service()
    r1 = Referral.objects.create(
        episode=e1,
        team=team_a,
        need_key="housing",
        service=service,
        kind=Kind.ACTIVE,
        status=Status.ENGAGED,
        outcome=Outcome.ENGAGED,
        created_by=prac,
        created_at=at(5, 12),
    )
    r2 = Referral.objects.create(
        episode=e2,
        team=team_a,
        need_key="mental_health",
        service=service,
        kind=Kind.ACTIVE,
        status=Status.CLOSED,
        outcome=Outcome.DID_NOT_ENGAGE,
        created_by=prac,
        created_at=at(6, 15),
    )
    Referral.objects.create(  # a draft is not a referral yet
        episode=e3, team=team_a, need_key="housing", service=service, kind=Kind.ACTIVE, created_by=prac
    )
    Appointment.objects.create(
        episode=e1, referral=r1, starts_at=at(10, 10), attendance=Attendance.ATTENDED, created_by=prac
    )
    Appointment.objects.create(
        episode=e1, referral=r1, starts_at=at(28, 10), attendance=Attendance.MISSED, created_by=prac
    )
    Appointment.objects.create(
        episode=e2, referral=r2, starts_at=at(20, 10), attendance=Attendance.MISSED, created_by=prac
    )
    record = AdviceRecord.objects.create(
        episode=e1,
        advice_type=AdviceType.HOUSING,
        need_key="basic:sleep_tonight",
        due_on=dt.date(2026, 10, 5),
        created_by=prac,
    )
    AdviceOutcome.objects.create(
        record=record, kind=OutcomeKind.TEMPORARY_ACCOMMODATION, achieved_on=dt.date(2026, 10, 5), by=prac
    )
    Consent.objects.create(
        person=p1,
        team=team_a,
        episode=e1,
        purpose="sharing",
        decision="given",
        recorded_by=prac,
        recorded_at=at(5, 11),
    )
    Disclosure.objects.create(
        person=p1,
        team=team_a,
        episode=e1,
        recipient_kind="police",
        recipient_name="Custody sergeant",
        what="Advice to police",
        method="other",
        basis="consent",
        by=prac,
        at=at(5, 12),
    )
    batch = ImportBatch.objects.create(
        team=team_a, site=site, imported_by=prac, file_name="list.csv", file_sha256="0"
    )
    for i, (status, ep) in enumerate(
        ((ArrivalStatus.NO_CONCERNS, None), (ArrivalStatus.TO_REVIEW, None), (ArrivalStatus.EPISODE, e1))
    ):
        Arrival.objects.create(
            team=team_a,
            site=site,
            batch=batch,
            arrival_at=at(5, 9 + i),
            given_name="Test",
            family_name=f"Arr{i}",
            dedupe_key=f"k{i}",
            status=status,
            episode=ep,
        )
    return {"site": site, "lead": lead, "prac": prac, "episodes": [e1, e2, e3, e4, e5], "p1": p1}


@pytest.fixture
def world(team_a, team_b):
    return build_world(team_a, team_b)


def october(team_a, **extra) -> kpis.Filters:
    return kpis.Filters(period=month_period(2026, 10), team_ids=(team_a.pk,), **extra)


def counts(rows):
    return {r.key: r.count for r in rows}


def test_funnel_every_step(world, team_a):
    result = kpis.compute(october(team_a))
    assert counts(result.funnel) == {
        "reviewed": 6,
        "identified": 5,
        "screened": 4,
        "assessed": 2,
        "referred": 2,
        "attended": 1,
        "engaged": 1,
    }
    assert result.people == 4
    assert result.youth == 1


def test_timeliness_median_and_90th_percentile_by_nearest_rank(world, team_a):
    result = kpis.compute(october(team_a))
    # to screening: 20, 30, 60, 120 minutes
    assert result.to_screening == kpis.Quantiles(4, dt.timedelta(minutes=30), dt.timedelta(minutes=120))
    # to assessment: 60, 120 minutes
    assert result.to_assessment == kpis.Quantiles(2, dt.timedelta(minutes=60), dt.timedelta(minutes=120))


@pytest.mark.parametrize(
    "minutes", [[], [45], [5, 5], [30, 10, 20], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [7] * 5 + [9] * 6]
)
def test_timeliness_percentiles_agree_with_nearest_rank_for_every_cohort_size(team_a, minutes):
    # On PostgreSQL the percentiles come from the funnel's one aggregate (percentile_disc); on SQLite
    # from one nearest-rank query each. Both must give the ceil(p*n)-th smallest wait, ties included.
    site = SiteFactory(team=team_a)
    for i, wait in enumerate(minutes):
        arrived = at(3 + i % 20, 10)
        EpisodeFactory(
            site=site,
            team=team_a,
            arrival_at=arrived,
            identified_at=arrived,
            screened_at=arrived + dt.timedelta(minutes=wait),
            assessed_at=arrived + dt.timedelta(minutes=2 * wait),
        )
    EpisodeFactory(site=site, team=team_a, arrival_at=at(25, 10), identified_at=at(25, 10))  # never screened
    filters = october(team_a)
    result = kpis.compute(filters)
    cohort = kpis.cohort(filters)
    n = len(minutes)
    assert result.to_screening == kpis._quantiles(cohort, "screened_at", "identified_at", n)
    assert result.to_assessment == kpis._quantiles(cohort, "assessed_at", "identified_at", n)
    ordered = sorted(minutes)
    expected = dt.timedelta(minutes=ordered[math.ceil(0.9 * n) - 1]) if n else None
    assert result.to_screening.p90 == expected


def test_staffed_hours_and_out_of_hours_missed(world, team_a):
    result = kpis.compute(october(team_a))
    assert (result.in_hours_arrivals, result.in_hours_seen) == (3, 3)
    assert (result.out_of_hours_arrivals, result.out_of_hours_missed) == (2, 1)


def test_weekday_only_site_counts_weekend_arrivals_as_out_of_hours(team_a):
    site = SiteFactory(team=team_a, staffed_weekends=False)
    EpisodeFactory(site=site, arrival_at=at(10, 12), identified_at=at(10, 12))  # Saturday noon
    EpisodeFactory(site=site, arrival_at=at(12, 12), identified_at=at(12, 12))  # Monday noon
    result = kpis.compute(october(team_a))
    assert (result.in_hours_arrivals, result.out_of_hours_arrivals) == (1, 1)


def test_vulnerabilities_by_type_and_people_with_two_or_more(world, team_a):
    result = kpis.compute(october(team_a))
    assert counts(result.vulnerabilities) == {
        "mental_health": 2,
        "substance_use": 1,
        "learning_disability": 1,
    }
    assert (result.people_flagged, result.people_two_or_more) == (3, 1)


def test_needs_found_at_assessment_count_moderate_and_above(world, team_a):
    result = kpis.compute(october(team_a))
    assert counts(result.needs_found) == {"housing": 1, "mental_health": 1, "substance_use": 1}


def test_referrals_outcomes_and_first_appointment_within_28_days(world, team_a):
    result = kpis.compute(october(team_a))
    assert counts(result.referrals_by_need) == {"housing": 1, "mental_health": 1}
    assert result.referrals_sent == 2
    assert {(c.row, c.column): c.count for c in result.referral_outcomes} == {
        ("housing", "engaged"): 1,
        ("mental_health", "did_not_engage"): 1,
    }
    assert (result.first_appointments, result.first_appointment_attended_28) == (2, 1)


def test_basic_needs_met_and_advice_outcomes(world, team_a):
    result = kpis.compute(october(team_a))
    assert [(has.count, met.count) for has, met in result.basic_needs] == [(1, 1), (0, 0), (1, 0)]
    assert {(c.row, c.column): c.count for c in result.advice_outcomes} == {
        ("housing", "temporary_accommodation"): 1
    }


def test_repeat_contact_within_twelve_months(world, team_a):
    result = kpis.compute(october(team_a))
    assert (result.repeat_episodes, result.repeat_people) == (2, 2)


def test_caseload_at_the_end_of_the_period(world, team_a):
    result = kpis.compute(october(team_a))
    assert sorted(r.count for r in result.caseload) == [1, 2]


def test_consent_and_disclosures(world, team_a):
    result = kpis.compute(october(team_a))
    assert counts(result.consent)["given"] == 1
    assert counts(result.disclosures) == {"police": 1}


def test_equality_shares_by_sex(world, team_a):
    result = kpis.compute(october(team_a))
    sex = {r.key: (r.identified, r.assessed, r.referred) for r in result.equality if r.dimension == "Sex"}
    assert sex == {"1": (4, 1, 1), "2": (1, 1, 1)}
    male = next(r for r in result.equality if r.dimension == "Sex" and r.key == "1")
    assert male.identified_share == pytest.approx(0.8)
    assert male.assessed_share == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("extra", "identified", "reviewed"),
    [
        ({"sex": "2"}, 1, None),
        ({"age_group": "youth"}, 1, None),
        ({"ethnicity": "N"}, 1, None),
        ({"pathway_point": "magistrates_court"}, 0, None),
    ],
)
def test_person_level_filters_narrow_the_cohort(world, team_a, extra, identified, reviewed):
    result = kpis.compute(october(team_a, **extra))
    assert result.identified == identified
    assert result.arrivals_reviewed is reviewed


def test_site_filter_keeps_arrivals_reviewed(world, team_a):
    result = kpis.compute(october(team_a, site_id=world["site"].pk))
    assert (result.arrivals_reviewed, result.identified) == (6, 5)


def test_an_empty_period_is_empty_not_an_error(world, team_a):
    result = kpis.compute(kpis.Filters(period=month_period(2026, 3), team_ids=(team_a.pk,)))
    assert result.is_empty
    assert result.to_screening.median is None


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        ("identified", 5),
        ("screened", 4),
        ("assessed", 2),
        ("referred", 2),
        ("attended", 1),
        ("engaged", 1),
        ("ooh_missed", 1),
        ("repeat", 2),
        ("flag:mental_health", 2),
        ("need:housing", 1),
        ("nonsense", None),
    ],
)
def test_drill_down_lists_the_episodes_behind_each_number(world, team_a, measure, expected):
    found = kpis.drill_down(october(team_a), measure)
    assert (None if found is None else found.count()) == expected


def test_whole_computation_is_a_bounded_number_of_queries(world, team_a, django_assert_max_num_queries):
    # 23: every KPI group, training reach included (one aggregate).
    with django_assert_max_num_queries(23):
        kpis.compute(october(team_a))


def test_training_reach_counts_the_periods_sessions_and_attendees_of_the_team(team_a, team_b):
    from liaison.training.models import TrainingSession

    lead = member(team_a, Role.TEAM_LEAD, "training-lead")
    for team, day, attendees in (
        (team_a, dt.date(2026, 10, 1), 12),
        (team_a, dt.date(2026, 10, 31), 8),
        (team_a, dt.date(2026, 11, 1), 50),  # next month
        (team_b, dt.date(2026, 10, 15), 30),  # another team
    ):
        TrainingSession.objects.create(
            team=team, agency_kind="police", agency_name="Northtown Police", audience="Custody sergeants",
            topic="Spotting a learning disability", delivered_on=day, attendees=attendees,
            facilitator="Sam Night", recorded_by=lead,
        )  # fmt: skip
    rows = {row.key: row.count for row in kpis.compute(october(team_a)).training}
    assert rows == {"sessions": 2, "reached": 20}
