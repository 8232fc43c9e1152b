"""Suggest services for a person's need, ranked, with the reasons shown.

Candidates are chosen in SQL: active services with a taxonomy term that meets the need (the need's
own Liaison needs term, plus the terms data/need_terms.json lists for it). Their schedules,
locations, areas, the team's local knowledge and the team's engagement record are each loaded in one
query joined to the candidates as a subquery, so `suggest()` costs the same number of queries for 3
candidates or 3,000. Scoring is plain Python over that candidate set.

Eligibility (age on the release date, sex, area served) is not scored: a service the person does
not meet is not ranked but listed separately with the reason. An unknown age, sex or postcode does
not exclude; the reason says it is not known.

The score (weights in WEIGHTS, all in one place):

- Open at the release time: for needs that cannot wait (basic needs, such as somewhere to sleep
  tonight, and risk), open scores `open_urgent` and hours not known `unknown_urgent`. The other
  factors together span at most 55 points (distance 0 to 20, engagement 0 to 15, local knowledge
  -10 to 10), and open beats not known by 60, so an open service always ranks above one that is
  closed or whose hours are not known. For other needs, open scores `open` and not known
  `unknown`: a tie-breaker among otherwise similar services. Closed scores 0.
- Distance from the origin (geo.origin_for) to the service's nearest located location:
  `distance * half / (half + miles)`: the full weight at 0 miles, half at `half_miles`. Not known
  (no origin, or no located location) scores 0, and then nearer does not order.
- Engagement: the share of this team's referrals to the service that led to an attended
  appointment, smoothed towards an even chance so that a short record counts for little:
  smoothed = (attended + PRIOR_SHARE * PRIOR_REFERRALS) / (sent + PRIOR_REFERRALS), scored
  `engagement * smoothed`. 1 of 1 gives 0.58, 40 of 50 gives 0.77, no referrals gives 0.50.
- Local knowledge: the team recorded that the service takes people straight from custody (or court,
  matching the episode's pathway point): `local`; recorded that it does not: minus `local`.

Ties go to the nearer service, then by name.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from itertools import chain
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from liaison.assessment.codes import BASIC_PREFIX, codes
from liaison.core.models import Site
from liaison.directory import eligibility
from liaison.directory.eligibility import MET, NOT_MET, UNKNOWN
from liaison.directory.geo import Origin, haversine_miles, origin_for
from liaison.directory.models import (
    Attribute,
    EligibleSex,
    LocalKnowledge,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
    TaxonomyTerm,
)
from liaison.directory.opening import (
    CLOSED,
    OPEN,
    Moment,
    Opening,
    Rule,
    local_wall_time,
    opening_at,
    read_rule,
)
from liaison.directory.opening import (
    UNKNOWN as HOURS_UNKNOWN,
)
from liaison.directory.taxonomy import need_term_id
from liaison.episodes.models import Episode, PathwayPoint
from liaison.people.models import Person
from liaison.referrals.models import Referral
from liaison.referrals.outcomes import Outcomes, attendance_by_service

# The candidates' ids, as a subquery (Attribute rows' service_id).
CandidateIds = QuerySet[Attribute, Any]
NEED_TERMS = Path(__file__).with_name("data") / "need_terms.json"


@dataclass(frozen=True)
class Weights:
    open_urgent: float = 100.0
    unknown_urgent: float = 40.0
    open: float = 10.0
    unknown: float = 5.0
    distance: float = 20.0
    half_miles: float = 5.0
    engagement: float = 15.0
    local: float = 10.0


WEIGHTS = Weights()
PRIOR_SHARE = 0.5
PRIOR_REFERRALS = 5
# Needs where being open at the release time matters most: basic needs (all keys "basic:...") and these.
URGENT_DOMAINS = frozenset({"risk_to_self", "risk_from_others", "safeguarding"})

# PERSON STATED SEX codes to eligible_sex, as eligibility.check_sex reads them (for the quick test).
_PERSON_SEX = {"1": EligibleSex.MALE, "2": EligibleSex.FEMALE}

CUSTODY_POINTS = frozenset(
    {PathwayPoint.POLICE_CUSTODY, PathwayPoint.VOLUNTARY_ATTENDANCE, PathwayPoint.STREET_TRIAGE}
)
COURT_POINTS = frozenset({PathwayPoint.MAGISTRATES, PathwayPoint.CROWN, PathwayPoint.YOUTH_COURT})


@dataclass(frozen=True)
class Reason:
    rule: str  # need, age, sex, area, open, distance, engagement, local
    state: str  # MET, NOT_MET or UNKNOWN
    text: str


@dataclass
class Suggestion:
    service_id: str
    name: str
    organization: str
    score: float
    reasons: list[Reason]
    open_state: str
    distance_miles: float | None
    engagement: Outcomes | None
    opening: Opening | None = None  # words, filled for the suggestions shown
    rules: list[Rule] = field(default_factory=list, repr=False)
    open_bank_holidays: bool = False

    @property
    def flagged(self) -> bool:
        return any(
            reason.state == UNKNOWN and reason.rule in {"age", "sex", "area"} for reason in self.reasons
        )


@dataclass
class Excluded:
    service_id: str
    name: str
    organization: str
    # Worded when first read: a big directory can exclude hundreds, and a page shows a few.
    _why: tuple[dict[str, Any], list[str], int | None, Person] = field(repr=False, compare=False)

    @property
    def reasons(self) -> list[str]:
        """ "Not suitable: Aged 17; the service takes people aged 18 and over", one per rule not met."""
        return [f"Not suitable: {check.reason}" for check in eligibility.not_met(_checks(*self._why))]


@dataclass
class Suggestions:
    need_key: str
    need_label: str
    release_at: dt.datetime
    origin: Origin | None
    ranked: list[Suggestion]  # the page asked for (offset, limit)
    ranked_total: int
    excluded: list[Excluded]  # every service the person does not meet, by name
    urgent: bool


@cache
def need_terms() -> dict[str, tuple[str, ...]]:
    raw = json.loads(NEED_TERMS.read_text(encoding="utf-8"))
    return {key: tuple(entries) for key, entries in raw["needs"].items()}


def is_urgent(need_key: str) -> bool:
    return need_key.startswith(BASIC_PREFIX) or need_key in URGENT_DOMAINS


def term_ids(need_key: str) -> dict[str, str]:
    """The ids and names of the terms that meet the need: its own Liaison needs term, and the ids or
    codes data/need_terms.json lists for it (1 query)."""
    entries = need_terms().get(need_key, ())
    wanted = (
        Q(id__in=[need_term_id(need_key), *entries]) | Q(code__in=entries)
        if entries
        else Q(id=need_term_id(need_key))
    )
    return dict(TaxonomyTerm.objects.filter(wanted).values_list("id", "name"))


def smoothed_share(outcomes: Outcomes | None) -> float:
    sent = outcomes.sent if outcomes else 0
    attended = outcomes.attended if outcomes else 0
    return (attended + PRIOR_SHARE * PRIOR_REFERRALS) / (sent + PRIOR_REFERRALS)


def distance_points(miles: float | None) -> float:
    if miles is None:
        return 0.0
    return WEIGHTS.distance * WEIGHTS.half_miles / (WEIGHTS.half_miles + miles)


def open_points(state: str, *, urgent: bool) -> float:
    if state == OPEN:
        return WEIGHTS.open_urgent if urgent else WEIGHTS.open
    if state == CLOSED:
        return 0.0
    return WEIGHTS.unknown_urgent if urgent else WEIGHTS.unknown


def _local_reason(
    pathway_point: str, custody: bool | None, court: bool | None
) -> tuple[float, Reason | None]:
    if pathway_point in CUSTODY_POINTS:
        answer, place = custody, "custody"
    elif pathway_point in COURT_POINTS:
        answer, place = court, "court"
    else:
        return 0.0, None
    if answer is None:
        return 0.0, Reason("local", UNKNOWN, f"Not recorded whether they take people straight from {place}")
    if answer:
        return WEIGHTS.local, Reason("local", MET, f"Takes people straight from {place}")
    return -WEIGHTS.local, Reason("local", NOT_MET, f"Does not take people straight from {place}")


def _engagement_reason(outcomes: Outcomes | None) -> Reason:
    if outcomes is None or not outcomes.sent:
        return Reason("engagement", UNKNOWN, "No referrals from your team yet")
    noun = "referral" if outcomes.sent == 1 else "referrals"
    state = MET if outcomes.attended * 2 >= outcomes.sent else NOT_MET
    return Reason("engagement", state, f"{outcomes.attended} of {outcomes.sent} {noun} attended")


def _distance_reason(miles: float | None, origin: Origin | None) -> Reason:
    if origin is None:
        return Reason("distance", UNKNOWN, "Distance not known: no postcode or site location")
    if miles is None:
        return Reason("distance", UNKNOWN, "Distance not known: no address with a location")
    return Reason("distance", MET, f"{format_miles(miles)} from the {origin.label}")


def format_miles(miles: float) -> str:
    if miles < 0.1:
        return "Less than 0.1 miles"
    return f"{miles:.1f} miles" if miles < 10 else f"{miles:.0f} miles"


# Each loader takes the candidates as a subquery (not a list of ids): the database joins on its
# indexes, and Python never prepares thousands of parameters.


def _candidates(terms: dict[str, str]) -> tuple[dict[str, dict[str, Any]], CandidateIds]:
    """Active services with one of the terms, with the names of their matching terms (1 query)."""
    attributes = Attribute.objects.filter(
        taxonomy_term_id__in=list(terms), service__status=ServiceStatus.ACTIVE
    ).order_by()
    rows = attributes.values_list(
        "service_id",
        "taxonomy_term_id",
        "service__name",
        "service__organization__name",
        "service__minimum_age",
        "service__maximum_age",
        "service__eligible_sex",
        "service__open_bank_holidays",
    )
    found: dict[str, dict[str, Any]] = {}
    for sid, term, name, org, min_age, max_age, sex, bank in rows:
        row = found.get(sid)
        if row is None:
            found[sid] = {
                "terms": [terms[term]],
                "name": name,
                "sort_name": name.lower(),
                "organization": org,
                "minimum_age": min_age,
                "maximum_age": max_age,
                "eligible_sex": sex,
                "open_bank_holidays": bank,
            }
        elif terms[term] not in row["terms"]:
            row["terms"].append(terms[term])
    return found, attributes.values("service_id")


def _rules(ids: CandidateIds) -> dict[str, list[Rule]]:
    """The services' schedules, and their schedules at each location (2 queries)."""
    fields = ("freq", "byday", "bymonthday", "opens_at", "closes_at", "valid_from", "valid_to")
    own = Schedule.objects.filter(service_id__in=ids).values_list("service_id", *fields).order_by()
    at_locations = (
        Schedule.objects.filter(service__isnull=True, service_at_location__service_id__in=ids)
        .values_list("service_at_location__service_id", *fields)
        .order_by()
    )
    rules: dict[str, list[Rule]] = defaultdict(list)
    for owner, freq, byday, bymonthday, opens, closes, valid_from, valid_to in chain(own, at_locations):
        rule = read_rule(
            freq=freq,
            byday=byday,
            bymonthday=bymonthday,
            opens_at=opens,
            closes_at=closes,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        if rule is not None:
            # Services share a few hundred distinct schedules: one Rule each, across every need.
            rules[owner].append(_RULES.setdefault(rule, rule))
    return rules


def _locations(ids: CandidateIds) -> dict[str, list[tuple[float, float]]]:
    rows = (
        ServiceAtLocation.objects.filter(
            service_id__in=ids, location__latitude__isnull=False, location__longitude__isnull=False
        )
        .values_list("service_id", "location__latitude", "location__longitude")
        .order_by()
    )
    found: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for sid, lat, lon in rows:
        if lat is not None and lon is not None:  # filtered above; says so to the type checker
            found[sid].append((lat, lon))
    return found


def _nearest(locations: dict[str, list[tuple[float, float]]], origin: Origin | None) -> dict[str, float]:
    if origin is None:
        return {}
    lat0, lon0 = origin.latitude, origin.longitude
    return {
        sid: min(haversine_miles(lat0, lon0, lat, lon) for lat, lon in points)
        for sid, points in locations.items()
    }


@dataclass(frozen=True)
class NeedData:
    """What matching needs to know about the services for one need, whoever the person is."""

    candidates: dict[str, dict[str, Any]]
    subquery: CandidateIds | None
    rules: dict[str, list[Rule]]
    locations: dict[str, list[tuple[float, float]]]
    areas: dict[str, list[str]]
    # Nearest distances by origin: people come from a few dozen postcode districts and sites.
    distances: dict[tuple[float, float], dict[str, float]] = field(default_factory=dict, compare=False)
    # One flat row per candidate, in id order, for the scoring loop:
    # (id, minimum age, maximum age, eligible sex, areas served (upper case), open on bank holidays,
    #  the rules with their spans, name for sorting)
    rows: list[tuple[Any, ...]] = field(default_factory=list, compare=False)

    def __post_init__(self) -> None:
        for sid in sorted(self.candidates):
            row = self.candidates[sid]
            prefixes = tuple(sys.intern(p.upper()) for p in self.areas.get(sid, ()))
            spans = tuple((*rule.span(), rule) for rule in self.rules.get(sid, ()))
            self.rows.append(
                (
                    sid,
                    row["minimum_age"],
                    row["maximum_age"],
                    row["eligible_sex"],
                    prefixes,
                    row["open_bank_holidays"],
                    spans,
                    row["sort_name"],
                )
            )

    def nearest(self, origin: Origin | None) -> dict[str, float]:
        if origin is None:
            return {}
        point = (origin.latitude, origin.longitude)
        found = self.distances.get(point)
        if found is None:
            found = _nearest(self.locations, origin)
            if len(self.distances) >= MAX_ORIGINS:
                self.distances.clear()
            self.distances[point] = found
        return found


# The directory changes seldom (an import, an edit) and matching reads thousands of rows of it per
# call, so each process keeps what it read per need and reads it again when the directory's
# fingerprint changes: the number of services and the latest Service.updated_at, which the import
# and every edit (services, schedules, locations, terms) move. CACHE_SECONDS bounds how long a change
# made some other way (the admin, SQL) could go unseen.
# The fingerprint itself (a scan of the service table) is checked at most every FINGERPRINT_SECONDS:
# an edit reaches matching in every process within that time.
CACHE_SECONDS = 300
MAX_ORIGINS = 256
ENGAGEMENT_SECONDS = 60.0
_engagement_cache: dict[int, tuple[float, dict[str, Outcomes]]] = {}
CACHE_ENABLED: bool | None = None  # None: on, except under the test suite
FINGERPRINT_SECONDS = 10.0
_fingerprint: tuple[tuple[Any, ...], float] = ((), float("-inf"))
_cache: dict[str, tuple[tuple[Any, ...], float, NeedData]] = {}
_cache_lock = threading.Lock()
_RULES: dict[Rule, Rule] = {}


def directory_fingerprint() -> tuple[Any, ...]:
    """1 query."""
    found = Service.objects.order_by().aggregate(n=Count("id"), changed=Max("updated_at"))
    return (connection.alias, found["n"], found["changed"])


def need_data(need_key: str) -> NeedData:
    """The need's candidates with their schedules, locations and areas: no query, or 1 to check the
    directory's fingerprint (at most every FINGERPRINT_SECONDS), or 7 when it has changed."""
    global _fingerprint  # noqa: PLW0603 - the process's one remembered fingerprint
    if not _cache_enabled():
        return _read_need_data(need_key)
    now = time.monotonic()
    if now - _fingerprint[1] >= FINGERPRINT_SECONDS:
        _fingerprint = (directory_fingerprint(), now)
    fingerprint = _fingerprint[0]
    cached = _cache.get(need_key)
    if cached is not None and cached[0] == fingerprint and now - cached[1] < CACHE_SECONDS:
        return cached[2]
    data = _read_need_data(need_key)
    with _cache_lock:
        _cache[need_key] = (fingerprint, time.monotonic(), data)
    return data


def warm_cache() -> int:
    """Read every need's candidates now, as `liaison serve` does before it starts its workers (they
    inherit what the server read), so no practitioner waits for a need's first, cold read (~120 ms at
    10,000 services). Returns the needs read; 0 with the cache off."""
    from liaison.assessment.codes import codes

    if not _cache_enabled():
        return 0
    keys = list(codes().keys)
    for key in keys:
        need_data(key)
    return len(keys)


def _read_need_data(need_key: str) -> NeedData:
    """6 queries."""
    terms = term_ids(need_key)
    candidates, subquery = _candidates(terms) if terms else ({}, None)
    if subquery is None or not candidates:
        return NeedData({}, None, {}, {}, {})
    return NeedData(candidates, subquery, _rules(subquery), _locations(subquery), _areas(subquery))


def _cache_enabled() -> bool:
    # Off under the test suite, where every test builds its own directory (often at the same frozen
    # time); the cache's own tests switch it on.
    return CACHE_ENABLED if CACHE_ENABLED is not None else not getattr(settings, "TESTING", False)


def clear_cache() -> None:
    """Forget what was read (tests; and after a change in this process that should show at once)."""
    global _fingerprint  # noqa: PLW0603 - the process's one remembered fingerprint
    with _cache_lock:
        _cache.clear()
        _engagement_cache.clear()
        _RULES.clear()
        _fingerprint = ((), float("-inf"))


def _areas(ids: CandidateIds) -> dict[str, list[str]]:
    areas: dict[str, list[str]] = defaultdict(list)
    rows = ServiceArea.objects.filter(service_id__in=ids).exclude(postcode_prefixes="")
    for sid, prefixes in rows.values_list("service_id", "postcode_prefixes").order_by():
        # A few thousand districts among 200,000 entries: one string each (reading ahead keeps
        # every need's services, so memory counts).
        areas[sid].extend(sys.intern(p) for p in prefixes.replace(",", " ").split())
    return areas


def _local(team_id: int) -> dict[str, tuple[bool | None, bool | None]]:
    """The team's notes on whether services take people straight from custody or court (1 query:
    the team's own rows, fewer than the directory's services, read live)."""
    rows = LocalKnowledge.objects.filter(team_id=team_id).values_list(
        "service_id", "accepts_from_custody", "accepts_from_court"
    )
    return {sid: (custody, court) for sid, custody, court in rows}


def _engagement(team_id: int) -> dict[str, Outcomes]:
    """The team's outcomes with every service it has referred to (1 query). A share of past
    referrals moves slowly: with the cache on, each process reads it at most every
    ENGAGEMENT_SECONDS per team."""
    now = time.monotonic()
    cached = _engagement_cache.get(team_id)
    if _cache_enabled() and cached is not None and now - cached[0] < ENGAGEMENT_SECONDS:
        return cached[1]
    referred = Referral.objects.filter(team_id=team_id).values("service_id")
    # attendance_by_service filters service_id__in=...: a subquery serves as well as a list.
    found = attendance_by_service(team_id, cast(list[str], referred))
    if _cache_enabled():
        with _cache_lock:
            _engagement_cache[team_id] = (now, found)
    return found


def suggest(
    need_key: str,
    *,
    person: Person,
    episode: Episode | None,
    team_id: int,
    release_at: dt.datetime,
    limit: int = 20,
    offset: int = 0,
    now: dt.datetime | None = None,
) -> Suggestions:
    """Services for the need, best first, each with its reasons; and those the person does not meet.

    At most 10 queries (2 to 4 once the process has read the need's services), however many
    candidates there are (the episode's site must be loaded)."""
    urgent = is_urgent(need_key)
    release_day = local_wall_time(release_at).date()
    age = person.age_on(release_day)
    site: Site | None = episode.site if episode is not None else None
    origin = origin_for(postcode=person.postcode, site=site)
    data = need_data(need_key)
    candidates, subquery = data.candidates, data.subquery
    ids = sorted(candidates)
    if not ids or subquery is None:
        return Suggestions(need_key, codes().label(need_key), release_at, origin, [], 0, [], urgent)
    rules, areas = data.rules, data.areas
    nearest = data.nearest(origin)
    local = _local(team_id)
    engagement = _engagement(team_id)
    pathway_point = episode.pathway_point if episode is not None else ""

    moment = Moment(release_at)
    code = eligibility.outward_code(person.postcode)
    area = eligibility.postcode_area(code)
    person_sex = _PERSON_SEX.get(person.sex)
    local_weights = {sid: _local_reason(pathway_point, *answers)[0] for sid, answers in local.items()}
    urgent_open = open_points(OPEN, urgent=urgent)
    scores = {OPEN: urgent_open, CLOSED: 0.0, HOURS_UNKNOWN: open_points(HOURS_UNKNOWN, urgent=urgent)}

    no_record = WEIGHTS.engagement * smoothed_share(None)
    engagement_points = {sid: WEIGHTS.engagement * smoothed_share(o) for sid, o in engagement.items()}

    # (sort key, service id, open state): Suggestions are made only for the page asked for.
    ranked: list[tuple[tuple[Any, ...], str, str]] = []
    excluded: list[Excluded] = []
    for sid, minimum, maximum, sex, prefixes, bank_holidays, spans, sort_name in data.rows:
        # The quick test first; the reasons are worded only for what is shown.
        if (
            (
                age is not None
                and ((minimum is not None and age < minimum) or (maximum is not None and age > maximum))
            )
            or (sex and person_sex is not None and sex != person_sex)
            or (prefixes and code and code not in prefixes and area not in prefixes)
        ):
            row = candidates[sid]
            excluded.append(
                Excluded(sid, row["name"], row["organization"], (row, list(prefixes), age, person))
            )
            continue
        state = moment.state_of_spans(spans, open_bank_holidays=bank_holidays)
        miles = nearest.get(sid)
        score = (
            scores[state]
            + (distance_points(miles) if miles is not None else 0.0)
            + engagement_points.get(sid, no_record)
            + local_weights.get(sid, 0.0)
        )
        ranked.append(((-score, miles is None, miles or 0.0, sort_name, sid), sid, state))
    ranked.sort()
    page = [
        Suggestion(
            sid,
            candidates[sid]["name"],
            candidates[sid]["organization"],
            -key[0],
            [],
            state,
            nearest.get(sid),
            engagement.get(sid),
            rules=rules.get(sid, []),
            open_bank_holidays=candidates[sid]["open_bank_holidays"],
        )
        for key, sid, state in ranked[offset : offset + limit]
    ]
    when = "now" if abs(release_at - (now or timezone.now())) <= dt.timedelta(minutes=10) else "at release"
    for suggestion in page:
        row = candidates[suggestion.service_id]
        opening = opening_at(
            suggestion.rules, release_at, open_bank_holidays=suggestion.open_bank_holidays, when=when
        )
        suggestion.opening = opening
        suggestion.reasons = [
            Reason("need", MET, "Listed for " + ", ".join(sorted(row["terms"])).lower()),
            Reason("open", _open_reason_state(opening.state), opening.words),
            *(
                Reason(c.rule, c.state, c.reason)
                for c in _checks(row, areas.get(suggestion.service_id, []), age, person)
            ),
            _distance_reason(suggestion.distance_miles, origin),
            _engagement_reason(suggestion.engagement),
        ]
        local_reason = _local_reason(pathway_point, *local.get(suggestion.service_id, (None, None)))[1]
        if local_reason is not None:
            suggestion.reasons.append(local_reason)
    excluded.sort(key=lambda e: (e.name.lower(), e.service_id))
    return Suggestions(
        need_key, codes().label(need_key), release_at, origin, page, len(ranked), excluded, urgent
    )


def _checks(
    row: dict[str, Any], prefixes: list[str], age: int | None, person: Person
) -> list[eligibility.Check]:
    return [
        eligibility.check_age(row["minimum_age"], row["maximum_age"], age),
        eligibility.check_sex(row["eligible_sex"], person.sex),
        eligibility.check_area(prefixes, person.postcode),
    ]


def _open_reason_state(state: str) -> str:
    return {OPEN: MET, CLOSED: NOT_MET}.get(state, UNKNOWN)
