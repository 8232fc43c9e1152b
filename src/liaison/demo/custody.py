"""Today's custody list for the demo team: everyone brought into its custody suites in the last 12 hours,
as a custody system exports them, so the arrivals review worklist has work on it when the demo opens.

Pure data made here from a seeded random stream: demo.services loads the list through the same import
service as the upload page and `liaison import-arrivals` (the column mapping, the officer's flags
matching, the duplicates rule and the audit all apply), then reviews a few arrivals through the review
services, as the night shift would have.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from liaison.core.models import Role, SiteKind, User
from liaison.demo import numbers
from liaison.demo.staff import HOME_TEAM_CODE, Roster, RosterSite, RosterTeam
from liaison.demo.tables import (
    AGE_BANDS,
    ALLEGED_OFFENCES,
    ARRIVAL_HOUR_WEIGHTS,
    CUSTODY_LIST_FLAGGED,
    CUSTODY_LIST_HOURS,
    CUSTODY_LIST_KNOWN,
    CUSTODY_LIST_NO_CONCERNS,
    CUSTODY_LIST_SIZE,
    ETHNICITY_WEIGHTS,
    FLAGGED_REVIEWS,
    HOUR,
    MINUTE,
    OFFICER_FLAGS,
    SEX_WEIGHTS,
    pick,
    seconds,
)
from liaison.episodes.models import Episode, Stage
from liaison.episodes.services import ADULT_AGE
from liaison.people.models import Person, Sex

# The custody system's export: its own column names, which the import maps (docs/arrivals-import.md).
HEADER = (
    "Custody Number",
    "Arrival Date",
    "Arrival Time",
    "Surname",
    "Forenames",
    "Date of Birth",
    "PNC ID",
    "Reason for Arrest",
    "Warning Markers",
)
NO_DATE_OF_BIRTH = 0.04  # refused or not yet confirmed when the list was printed
PNC_CHANCE = {True: 0.3, False: 0.65}  # by whether the person is under 18

NameMaker = Callable[[str, str, random.Random], tuple[str, str]]
BirthdayMaker = Callable[[dt.date, int, random.Random], dt.date]


@dataclass(frozen=True)
class ListedArrival:
    """One row of the list, as the custody system gives it."""

    site: RosterSite
    arrival_at: dt.datetime
    custody_number: str
    given_name: str
    family_name: str
    date_of_birth: dt.date | None
    pnc_id: str
    alleged_offence: str
    officer_flags: str
    youth: bool = False  # under 18 (not a column: the list gives the date of birth)

    def cells(self) -> list[str]:
        local = timezone.localtime(self.arrival_at)
        return [
            self.custody_number,
            local.strftime("%d/%m/%Y"),
            local.strftime("%H:%M"),
            self.family_name,
            self.given_name,
            self.date_of_birth.strftime("%d/%m/%Y") if self.date_of_birth else "",
            self.pnc_id,
            self.alleged_offence,
            self.officer_flags,
        ]


@dataclass
class CustodyList:
    """One suite's list, who imports it, and what the night shift already made of some of it."""

    site: RosterSite
    imported_by: User
    arrivals: list[ListedArrival] = field(default_factory=list)
    no_concerns: list[str] = field(default_factory=list)  # custody numbers reviewed: no concerns
    # custody number -> (vulnerabilities the practitioner saw, their note); the episode is not opened yet
    flagged: dict[str, tuple[tuple[str, ...], str]] = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        stamp = timezone.localtime(max(a.arrival_at for a in self.arrivals)).strftime("%Y%m%d-%H%M")
        return f"custody-list-{self.site.spec.ref.lower()}-{stamp}.csv"

    def csv_bytes(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(arrival.cells() for arrival in self.arrivals)
        return out.getvalue().encode()


def custody_lists(
    *,
    rng: random.Random,
    now: dt.datetime,
    roster: Roster,
    people: Sequence[Person],
    episodes: Sequence[Episode],
    name: NameMaker,
    date_of_birth: BirthdayMaker,
) -> list[CustodyList]:
    """The home team's custody suites' lists: 17 to 23 arrivals in all over the last 12 hours, oldest
    first, a few of them people the team has seen before, and a few already reviewed."""
    team = next(rt for rt in roster.teams if rt.spec.code == HOME_TEAM_CODE)
    suites = [s for s in team.sites if s.spec.kind == SiteKind.POLICE_CUSTODY]
    if not suites:
        return []
    today = timezone.localdate(now)
    total = rng.randint(*CUSTODY_LIST_SIZE)
    times = sorted(_arrival_time(rng, now) for _ in range(total))
    known = _known_people(rng, team, people, episodes, today)
    known_slots = dict(zip(rng.sample(range(total), len(known)), known, strict=True))
    taken_pnc = {p.pnc_id for p in people if p.pnc_id}
    serials = {s.site.name: rng.randint(2000, 60000) for s in suites}
    night_nurse = _night_nurse(team)
    lists = {s.site.name: CustodyList(site=s, imported_by=night_nurse) for s in suites}
    in_order: list[ListedArrival] = []
    for index, moment in enumerate(times):
        suite = rng.choice(suites)
        serials[suite.site.name] += rng.randint(1, 3)
        year = timezone.localtime(moment).year % 100
        number = f"{suite.spec.ref}/{year:02d}/{serials[suite.site.name]:05d}"
        if index in known_slots:
            person = known_slots[index]
            given, family, dob, pnc = (
                person.given_name,
                person.family_name,
                person.date_of_birth,
                person.pnc_id,
            )
            youth, female = False, person.sex == Sex.FEMALE
        else:
            low, high, _ = pick(rng, {band: band[2] for band in AGE_BANDS})
            age = rng.randint(low, high)
            youth = age < ADULT_AGE
            sex = pick(rng, SEX_WEIGHTS)
            female = sex == Sex.FEMALE
            given, family = name(sex, pick(rng, ETHNICITY_WEIGHTS), rng)
            dob = None if not youth and rng.random() < NO_DATE_OF_BIRTH else date_of_birth(today, age, rng)
            pnc = ""
            if rng.random() < PNC_CHANCE[youth]:
                earliest = dob.year + 10 if dob else today.year - 20
                pnc = numbers.pnc_id(rng, taken_pnc, earliest_year=earliest, latest_year=today.year)
        arrival = ListedArrival(
            site=suite,
            arrival_at=moment,
            custody_number=number,
            given_name=given,
            family_name=family,
            date_of_birth=dob,
            pnc_id=pnc,
            alleged_offence=pick(rng, ALLEGED_OFFENCES),
            officer_flags=_officer_flags(rng, youth=youth, female=female),
            youth=youth,
        )
        lists[suite.site.name].arrivals.append(arrival)
        in_order.append(arrival)
    _reviews(rng, in_order, set(known_slots), lists)
    return [lists[s.site.name] for s in suites if lists[s.site.name].arrivals]


def _arrival_time(rng: random.Random, now: dt.datetime) -> dt.datetime:
    """A moment in the last 12 hours (at least 10 minutes ago), busier in the afternoon and evening."""
    busiest = max(ARRIVAL_HOUR_WEIGHTS)
    while True:
        moment = now - seconds(rng, 10 * MINUTE, CUSTODY_LIST_HOURS * HOUR)
        local = timezone.localtime(moment)
        if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
            continue  # the hour the clocks go back: a local time there would read back as the first
        if rng.random() * busiest < ARRIVAL_HOUR_WEIGHTS[local.hour]:
            # A custody list gives times to the minute.
            return moment.replace(second=0, microsecond=0)


def _officer_flags(rng: random.Random, *, youth: bool, female: bool) -> str:
    markers = [pick(rng, OFFICER_FLAGS)]
    if youth:
        markers.insert(0, "Juvenile")
    if female and rng.random() < 0.5:
        markers.append("Female detainee")
    return "; ".join(m for m in markers if m)


def _night_nurse(team: RosterTeam) -> User:
    """Who imported the list overnight: a practitioner other than the demo login, who signs in later."""
    practitioners = team.staff[Role.PRACTITIONER]
    return next((u for u in practitioners if u.username != "practitioner"), practitioners[0])


def _known_people(
    rng: random.Random,
    team: RosterTeam,
    people: Sequence[Person],
    episodes: Sequence[Episode],
    today: dt.date,
) -> list[Person]:
    """A couple of adults the team has seen before (every episode closed, the last one with this team),
    back in custody: the review offers their record as a match."""
    last: dict[int, Episode] = {}
    open_people: set[int] = set()
    for episode in episodes:
        key = id(episode.person)
        if episode.stage != Stage.CLOSED:
            open_people.add(key)
        if key not in last or episode.arrival_at > last[key].arrival_at:
            last[key] = episode
    candidates = [
        p
        for p in people
        if id(p) in last
        and id(p) not in open_people
        and last[id(p)].team is team.team
        and p.pnc_id
        and p.date_of_birth is not None
        and (p.age_on(today) or 0) >= ADULT_AGE
    ]
    return rng.sample(candidates, min(CUSTODY_LIST_KNOWN, len(candidates)))


def _reviews(
    rng: random.Random, arrivals: list[ListedArrival], known: set[int], lists: dict[str, CustodyList]
) -> None:
    """The night shift has looked at a few of the earlier arrivals (`arrivals` is oldest first): some
    with nothing on their custody record had no concerns, some were flagged with the episode still to
    open. People the team knows are left for the demo, so opening an episode offers their record."""
    earlier = [i for i in range(max(1, len(arrivals) * 2 // 3)) if i not in known]
    quiet = [i for i in earlier if not arrivals[i].officer_flags]
    no_concerns = rng.sample(quiet, min(len(quiet), CUSTODY_LIST_NO_CONCERNS))
    # The flagging notes are written about adults.
    rest = [i for i in earlier if i not in no_concerns and not arrivals[i].youth]
    flagged = rng.sample(rest, min(len(rest), CUSTODY_LIST_FLAGGED))
    reviews = rng.sample(FLAGGED_REVIEWS, len(FLAGGED_REVIEWS))
    for index in no_concerns:
        arrival = arrivals[index]
        lists[arrival.site.site.name].no_concerns.append(arrival.custody_number)
    for n, index in enumerate(flagged):
        arrival = arrivals[index]
        lists[arrival.site.site.name].flagged[arrival.custody_number] = reviews[n % len(reviews)]
