"""Service matching: who is excluded and why, and the ranking (open at release, distance, engagement)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaison.assessment.codes import codes
from liaison.directory.eligibility import MET, NOT_MET, UNKNOWN
from liaison.directory.matching import smoothed_share, suggest
from liaison.directory.models import (
    Attribute,
    LocalKnowledge,
    Location,
    Organization,
    PostcodeCentroid,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
)
from liaison.directory.taxonomy import ensure_needs_taxonomy, need_term_id
from liaison.episodes.models import PathwayPoint
from liaison.people.models import Sex
from liaison.referrals.models import Kind, Referral, ReferralStatus, Status
from liaison.referrals.outcomes import Outcomes

LONDON = ZoneInfo("Europe/London")
# Saturday 28 November 2026, 02:00: a release in the small hours.
RELEASE_2AM = dt.datetime(2026, 11, 28, 2, 0, tzinfo=LONDON)
ORIGIN = (53.80, -1.55)  # the person's postcode district LS1
NIGHTS = [("MO,TU,WE,TH,FR,SA,SU", "20:00", "08:00")]
DAYTIME = [("MO,TU,WE,TH,FR", "09:00", "17:00")]


def make_service(
    sid: str,
    *,
    needs: tuple[str, ...] = ("basic:sleep_tonight",),
    schedules: list[tuple[str, str, str]] | None = None,
    miles_north: float | None = 1.0,
    minimum_age: int | None = None,
    maximum_age: int | None = None,
    eligible_sex: str = "",
    prefixes: str = "",
    status: str = ServiceStatus.ACTIVE,
    open_bank_holidays: bool = True,
) -> Service:
    """A service `miles_north` of the person's postcode district (None: no location)."""
    ensure_needs_taxonomy()
    org, _ = Organization.objects.get_or_create(id="org", defaults={"name": "Test Trust"})
    service = Service.objects.create(
        id=sid,
        organization=org,
        name=f"Service {sid}",
        status=status,
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        eligible_sex=eligible_sex,
        open_bank_holidays=open_bank_holidays,
    )
    for need in needs:
        Attribute.objects.create(id=f"{sid}-{need}", service=service, taxonomy_term_id=need_term_id(need))
    for index, (byday, opens, closes) in enumerate(NIGHTS if schedules is None else schedules):
        Schedule.objects.create(
            id=f"{sid}-s{index}",
            service=service,
            freq="WEEKLY",
            byday=byday,
            opens_at=opens,
            closes_at=closes,
        )
    if miles_north is not None:
        location = Location.objects.create(
            id=f"{sid}-loc", latitude=ORIGIN[0] + miles_north / 69.0, longitude=ORIGIN[1], outward_code="LS2"
        )
        ServiceAtLocation.objects.create(id=f"{sid}-sal", service=service, location=location)
    if prefixes:
        ServiceArea.objects.create(id=f"{sid}-area", service=service, postcode_prefixes=prefixes)
    return service


def record_referrals(episode, user, service, *, sent: int, attended: int) -> None:
    for number in range(sent):
        referral = Referral.objects.create(
            episode=episode,
            team=episode.team,
            need_key="basic:sleep_tonight",
            service=service,
            kind=Kind.ACTIVE,
            status=Status.ATTENDED if number < attended else Status.SENT,
            created_by=user,
        )
        reached = [Status.SENT, Status.ATTENDED] if number < attended else [Status.SENT]
        for status in reached:
            ReferralStatus.objects.create(referral=referral, status=status, at=RELEASE_2AM, by=user)


@pytest.fixture
def person(episode_a):
    person = episode_a.person
    person.postcode = "LS1 4AP"
    person.sex = Sex.MALE
    person.save()
    PostcodeCentroid.objects.create(code="LS1", latitude=ORIGIN[0], longitude=ORIGIN[1])
    return person


def run(episode, need="basic:sleep_tonight", release_at=RELEASE_2AM, **kwargs):
    return suggest(
        need, person=episode.person, episode=episode, team_id=episode.team_id, release_at=release_at, **kwargs
    )


def names(result):
    return [s.service_id for s in result.ranked]


def test_open_at_release_beats_near_but_closed_for_a_bed_tonight(person, episode_a):
    make_service("near-closed", schedules=DAYTIME, miles_north=0.2)
    make_service("far-open", schedules=NIGHTS, miles_north=25)
    result = run(episode_a)
    assert names(result) == ["far-open", "near-closed"]
    far, near = result.ranked
    assert far.opening.words == "Open at release until 8am"
    assert near.opening.words == "Closed: opens Monday at 9am"
    assert any(r.rule == "open" and r.state == NOT_MET for r in near.reasons)


def test_open_beats_hours_not_known_for_a_bed_tonight(person, episode_a):
    make_service("unknown-near", schedules=[], miles_north=0.1)
    make_service("open-far", schedules=NIGHTS, miles_north=25)
    make_service("closed-near", schedules=DAYTIME, miles_north=0.1)
    assert names(run(episode_a)) == ["open-far", "unknown-near", "closed-near"]


def test_for_other_needs_distance_counts_for_more_than_being_open(person, episode_a):
    make_service("near-closed", needs=("housing",), schedules=DAYTIME, miles_north=0.5)
    make_service("far-open", needs=("housing",), schedules=NIGHTS, miles_north=20)
    assert names(run(episode_a, need="housing")) == ["near-closed", "far-open"]


def test_nearer_first_when_otherwise_equal(person, episode_a):
    for sid, miles in [("c", 9.0), ("a", 0.5), ("b", 3.0)]:
        make_service(sid, miles_north=miles)
    result = run(episode_a)
    assert names(result) == ["a", "b", "c"]
    assert [round(s.distance_miles, 1) for s in result.ranked] == [0.5, 3.0, 9.0]
    assert [r.text for r in result.ranked[0].reasons if r.rule == "distance"] == [
        "0.5 miles from the postcode district LS1"
    ]


def test_engagement_weighting_smoothed_so_one_of_one_does_not_beat_forty_of_fifty(
    person, episode_a, practitioner
):
    lucky = make_service("one-of-one")
    steady = make_service("forty-of-fifty")
    make_service("no-record")
    record_referrals(episode_a, practitioner, lucky, sent=1, attended=1)
    record_referrals(episode_a, practitioner, steady, sent=50, attended=40)
    result = run(episode_a)
    assert names(result) == ["forty-of-fifty", "one-of-one", "no-record"]
    texts = {s.service_id: [r.text for r in s.reasons if r.rule == "engagement"][0] for s in result.ranked}
    assert texts == {
        "forty-of-fifty": "40 of 50 referrals attended",
        "one-of-one": "1 of 1 referral attended",
        "no-record": "No referrals from your team yet",
    }


def test_engagement_of_another_team_does_not_count(person, episode_a, practitioner, site_b):
    from tests.factories import EpisodeFactory

    elsewhere = EpisodeFactory(site=site_b)
    popular = make_service("popular-elsewhere")
    make_service("a-service")
    record_referrals(elsewhere, practitioner, popular, sent=20, attended=20)
    assert names(run(episode_a)) == ["a-service", "popular-elsewhere"]


@pytest.mark.parametrize(
    ("outcomes", "share"),
    [
        (None, 0.5),
        (Outcomes(1, 1, 1, 1), 3.5 / 6),
        (Outcomes(50, 50, 40, 40), 42.5 / 55),
        (Outcomes(4, 0, 0, 0), 2.5 / 9),
    ],
)
def test_smoothed_share(outcomes, share):
    assert smoothed_share(outcomes) == pytest.approx(share)


# (service settings, the person's date of birth, sex, postcode) -> excluded with this reason
EXCLUSIONS = [
    (
        {"minimum_age": 18},
        dt.date(2009, 6, 1),
        Sex.MALE,
        "LS1 4AP",
        "Not suitable: Aged 17; the service takes people aged 18 and over",
    ),
    (
        {"maximum_age": 25},
        dt.date(1990, 1, 1),
        Sex.MALE,
        "LS1 4AP",
        "Not suitable: Aged 36; the service takes people aged up to 25",
    ),
    ({"eligible_sex": "female"}, dt.date(1990, 1, 1), Sex.MALE, "LS1 4AP", "Not suitable: Women only"),
    (
        {"prefixes": "WF BD1"},
        dt.date(1990, 1, 1),
        Sex.MALE,
        "LS1 4AP",
        "Not suitable: LS1 is outside the area served (WF, BD1)",
    ),
]


@pytest.mark.parametrize(("settings", "born", "sex", "postcode", "reason"), EXCLUSIONS)
def test_a_service_the_person_does_not_meet_is_listed_apart_with_the_reason(
    person, episode_a, settings, born, sex, postcode, reason
):
    person.date_of_birth, person.sex, person.postcode = born, sex, postcode
    person.save()
    make_service("unsuitable", **settings)
    make_service("suitable")
    result = run(episode_a)
    assert names(result) == ["suitable"]
    assert result.ranked_total == 1
    assert [(e.service_id, e.reasons) for e in result.excluded] == [("unsuitable", [reason])]


def test_age_is_taken_on_the_release_date(person, episode_a):
    # 18 on the day of release (28 November 2026): an adult service takes them.
    person.date_of_birth = dt.date(2008, 11, 28)
    person.save()
    make_service("adults", minimum_age=18)
    assert names(run(episode_a)) == ["adults"]
    assert names(run(episode_a, release_at=RELEASE_2AM - dt.timedelta(days=1))) == []


def test_unknown_age_is_not_excluded_but_flagged(person, episode_a):
    person.date_of_birth = None
    person.save()
    make_service("adults", minimum_age=18)
    result = run(episode_a)
    assert names(result) == ["adults"]
    (suggestion,) = result.ranked
    assert suggestion.flagged
    age = [r for r in suggestion.reasons if r.rule == "age"][0]
    assert (age.state, age.text) == (UNKNOWN, "Age not known; the service takes people aged 18 and over")


def test_a_service_open_to_anyone_is_not_flagged(person, episode_a):
    make_service("anyone")
    (suggestion,) = run(episode_a).ranked
    assert not suggestion.flagged
    assert {r.rule: r.state for r in suggestion.reasons}["sex"] == MET


@pytest.mark.parametrize(
    ("pathway_point", "custody", "court", "first", "words"),
    [
        (PathwayPoint.POLICE_CUSTODY, True, None, "knows-us", "Takes people straight from custody"),
        (PathwayPoint.POLICE_CUSTODY, False, None, "other", "Does not take people straight from custody"),
        (PathwayPoint.MAGISTRATES, None, True, "knows-us", "Takes people straight from court"),
        (
            PathwayPoint.MAGISTRATES,
            True,
            None,
            "knows-us",
            "Not recorded whether they take people straight from court",
        ),
    ],
)
def test_local_knowledge_of_the_pathway_point(person, episode_a, pathway_point, custody, court, first, words):
    episode_a.pathway_point = pathway_point
    episode_a.save()
    known = make_service("knows-us", miles_north=2.0)
    make_service("other", miles_north=2.0)
    LocalKnowledge.objects.create(
        team=episode_a.team, service=known, accepts_from_custody=custody, accepts_from_court=court
    )
    result = run(episode_a)
    assert names(result)[0] == first
    ranked = {s.service_id: s for s in result.ranked}
    assert words in [r.text for r in ranked["knows-us"].reasons]


def test_candidates_meet_the_need_and_are_active(person, episode_a):
    make_service("shelter", needs=("basic:sleep_tonight",))
    make_service("housing-advice", needs=("housing",))
    make_service("money-advice", needs=("money",))
    make_service("closed-down", needs=("housing",), status=ServiceStatus.DEFUNCT)
    # data/need_terms.json: a night shelter also meets a housing need.
    assert sorted(names(run(episode_a, need="housing"))) == ["housing-advice", "shelter"]
    assert names(run(episode_a, need="basic:sleep_tonight")) == ["shelter"]
    reasons = run(episode_a, need="housing").ranked
    assert {s.reasons[0].text for s in reasons} == {
        "Listed for housing",
        "Listed for a safe place to sleep tonight",
    }


def test_no_origin_means_distance_not_known_and_not_ordered(person, episode_a):
    person.postcode = ""
    person.save()
    make_service("b-far", miles_north=30)
    make_service("a-near", miles_north=1)
    result = run(episode_a)
    assert result.origin is None
    assert names(result) == ["a-near", "b-far"]  # by name: distance does not order
    assert all(s.distance_miles is None for s in result.ranked)


def test_limit_and_offset_page_through_the_ranking(person, episode_a):
    for number in range(5):
        make_service(f"s{number}", miles_north=number + 1)
    first = run(episode_a, limit=2)
    second = run(episode_a, limit=2, offset=2)
    assert (names(first), names(second), first.ranked_total) == (["s0", "s1"], ["s2", "s3"], 5)


def test_query_count_is_bounded_and_does_not_grow_with_candidates(person, episode_a, practitioner):
    def count() -> int:
        episode_a.refresh_from_db()
        episode_a.site, episode_a.person  # noqa: B018 - loaded before counting, as the page has them
        with CaptureQueriesContext(connection) as queries:
            run(episode_a)
        return len(queries)

    few = make_service("few-0", prefixes="LS")
    LocalKnowledge.objects.create(team=episode_a.team, service=few, accepts_from_custody=True)
    record_referrals(episode_a, practitioner, few, sent=2, attended=1)
    small = count()
    for number in range(30):
        make_service(f"many-{number}", prefixes="LS", minimum_age=18 if number % 3 else 70)
    assert len(run(episode_a).excluded) == 10
    assert count() == small
    assert small <= 9


@pytest.fixture
def cache_on(monkeypatch):
    from liaison.directory import matching

    monkeypatch.setattr(matching, "CACHE_ENABLED", True)
    monkeypatch.setattr(matching, "FINGERPRINT_SECONDS", 0.0)
    matching.clear_cache()
    yield matching
    matching.clear_cache()


def test_the_process_cache_reads_the_directory_once_and_again_after_a_change(person, episode_a, cache_on):
    shelter = make_service("shelter", schedules=DAYTIME)
    assert [s.open_state for s in run(episode_a).ranked] == ["closed"]
    with CaptureQueriesContext(connection) as queries:
        run(episode_a)
    assert len(queries) <= 4  # centroid, fingerprint, local knowledge, engagement
    # An edit moves the service's updated_at (as directory.services does): the new hours show at once.
    Schedule.objects.filter(service=shelter).update(
        byday="MO,TU,WE,TH,FR,SA,SU", opens_at="20:00", closes_at="08:00"
    )
    Service.objects.filter(pk=shelter.pk).update(updated_at=shelter.updated_at + dt.timedelta(seconds=1))
    assert [s.open_state for s in run(episode_a).ranked] == ["open"]
    make_service("another")
    assert sorted(names(run(episode_a))) == ["another", "shelter"]


def test_reading_ahead_leaves_no_need_cold(person, episode_a, cache_on):
    """`liaison serve` reads every need's candidates before its workers start: the first practitioner
    to ask about a need waits for no directory read."""
    make_service("shelter", schedules=DAYTIME)
    assert cache_on.warm_cache() == len(codes().keys)
    with CaptureQueriesContext(connection) as queries:
        found = run(episode_a)
    assert names(found) == ["shelter"]
    # The episode's site, its centroid, the fingerprint, local knowledge, engagement: no candidates read.
    assert len(queries) <= 5
    assert sum("directory_service" in q["sql"] for q in queries.captured_queries) == 1  # the fingerprint


def test_reading_ahead_with_the_cache_off_reads_nothing(person, episode_a):
    from liaison.directory import matching

    with CaptureQueriesContext(connection) as queries:
        assert matching.warm_cache() == 0
    assert len(queries) == 0
