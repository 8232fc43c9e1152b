"""The fictional demo teams, their sites and staff, and the demo logins.

These do not depend on the seed: whatever --seed and --people say, the same teams exist and the same
logins work, so the README and the demo script can name them.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field, replace

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from liaison.core.models import Membership, Role, Site, SiteKind, Team, User
from liaison.demo.names import POOLS, STAFF_NAMES
from liaison.demo.places import national_areas, site_place
from liaison.demo.tables import local_day

# One shared password for every demo account (12+ characters for the password validators).
DEMO_PASSWORD = "liaison-demo-2026"  # noqa: S105 - a published demo credential, never a real one

ALL_DAY = (dt.time(0, 0), dt.time(23, 59))
OFFICE = (dt.time(9, 0), dt.time(17, 0))
COURT = (dt.time(8, 30), dt.time(17, 0))
CUSTODY_DAY = (dt.time(7, 0), dt.time(23, 0))
TRIAGE = (dt.time(14, 0), dt.time(23, 59))


@dataclass(frozen=True)
class SiteSpec:
    name: str
    kind: str
    hours: tuple[dt.time, dt.time]
    weekends: bool
    ref: str  # prefix for custody and case numbers


@dataclass(frozen=True)
class StaffSpec:
    username: str
    role: str
    # Shown by `liaison demo-logins`: one login per role, plus the outsider.
    login: bool = False
    note: str = ""


@dataclass(frozen=True)
class TeamSpec:
    code: str
    name: str
    town: str
    postcode_area: str  # a fictional postcode area: no real UK area uses these letters
    share: float  # the team's share of episodes
    sites: tuple[SiteSpec, ...]
    staff: tuple[StaffSpec, ...]


def _sites(
    town: str, ref: str, *kinds: tuple[str, str, tuple[dt.time, dt.time], bool]
) -> tuple[SiteSpec, ...]:
    return tuple(
        SiteSpec(f"{town} {label}", kind, hours, weekends, ref) for label, kind, hours, weekends in kinds
    )


TEAMS: tuple[TeamSpec, ...] = (
    TeamSpec(
        code="kestrelford",
        name="Kestrelford Liaison and Diversion",
        town="Kestrelford",
        postcode_area="KF",
        share=0.5,
        sites=_sites(
            "Kestrelford",
            "KF",
            ("Custody Suite", SiteKind.POLICE_CUSTODY, ALL_DAY, True),
            ("Police Station (voluntary attendance)", SiteKind.VOLUNTARY_ATTENDANCE, OFFICE, False),
            ("Magistrates' Court", SiteKind.MAGISTRATES, COURT, False),
            ("Youth Court", SiteKind.YOUTH_COURT, COURT, False),
            ("Crown Court", SiteKind.CROWN, OFFICE, False),
            ("Probation Office", SiteKind.PROBATION, OFFICE, False),
            ("Street Triage", SiteKind.STREET_TRIAGE, TRIAGE, True),
        ),
        staff=(
            StaffSpec("practitioner", Role.PRACTITIONER, login=True),
            StaffSpec("support", Role.SUPPORT_WORKER, login=True),
            StaffSpec("adviser", Role.ADVISER, login=True),
            StaffSpec("lead", Role.TEAM_LEAD, login=True),
            StaffSpec("commissioner", Role.COMMISSIONER, login=True),
            StaffSpec("partner", Role.PARTNER, login=True, note="custody sergeant"),
            StaffSpec("admin", Role.ADMIN, login=True),
            StaffSpec("kf.nurse1", Role.PRACTITIONER),
            StaffSpec("kf.nurse2", Role.PRACTITIONER),
            StaffSpec("kf.social1", Role.PRACTITIONER),
        ),
    ),
    TeamSpec(
        code="marrowby",
        name="Marrowby Liaison and Diversion",
        town="Marrowby",
        postcode_area="MQ",
        share=0.25,
        sites=_sites(
            "Marrowby",
            "MB",
            ("Custody Suite", SiteKind.POLICE_CUSTODY, CUSTODY_DAY, True),
            ("Magistrates' Court", SiteKind.MAGISTRATES, COURT, False),
            ("Youth Court", SiteKind.YOUTH_COURT, COURT, False),
            ("Probation Office", SiteKind.PROBATION, OFFICE, False),
            ("Street Triage", SiteKind.STREET_TRIAGE, TRIAGE, True),
        ),
        staff=(
            StaffSpec("outsider", Role.PRACTITIONER, login=True, note="another team"),
            StaffSpec("mb.nurse1", Role.PRACTITIONER),
            StaffSpec("mb.nurse2", Role.PRACTITIONER),
            StaffSpec("mb.lead", Role.TEAM_LEAD),
            StaffSpec("mb.support", Role.SUPPORT_WORKER),
        ),
    ),
    TeamSpec(
        code="wyvern-vale",
        name="Wyvern Vale Liaison and Diversion",
        town="Wyvern Vale",
        postcode_area="WQ",
        share=0.25,
        sites=_sites(
            "Wyvern Vale",
            "WV",
            ("North Custody Suite", SiteKind.POLICE_CUSTODY, CUSTODY_DAY, True),
            ("South Custody Suite", SiteKind.POLICE_CUSTODY, (dt.time(8, 0), dt.time(20, 0)), True),
            ("Police Station (voluntary attendance)", SiteKind.VOLUNTARY_ATTENDANCE, OFFICE, False),
            ("Magistrates' Court", SiteKind.MAGISTRATES, COURT, False),
            ("Crown Court", SiteKind.CROWN, OFFICE, False),
            ("Youth Court", SiteKind.YOUTH_COURT, COURT, False),
        ),
        staff=(
            StaffSpec("wv.nurse1", Role.PRACTITIONER),
            StaffSpec("wv.nurse2", Role.PRACTITIONER),
            StaffSpec("wv.psych1", Role.PRACTITIONER),
            StaffSpec("wv.lead", Role.TEAM_LEAD),
            StaffSpec("wv.support", Role.SUPPORT_WORKER),
        ),
    ),
)

DEMO_TEAM_CODES = tuple(team.code for team in TEAMS)
# The team the demo logins (practitioner, lead, ...) work in: its custody list is loaded for review.
HOME_TEAM_CODE = TEAMS[0].code
DEMO_USERNAMES = tuple(s.username for team in TEAMS for s in team.staff)
DEMO_LOGINS = tuple(s for team in TEAMS for s in team.staff if s.login)


def national_teams(count: int) -> tuple[TeamSpec, ...]:
    """The demo teams and `count - 3` more like them in other fictional areas, each taking an equal
    share of episodes: a national deployment is many teams of a few thousand people each, not three
    teams holding a third of the country each. The extra teams copy the demo teams' sites and
    staffing in turn (their sites renamed to their towns; no logins)."""
    areas = national_areas()
    if not len(TEAMS) <= count <= len(TEAMS) + len(areas):
        raise ValueError(f"--teams must be {len(TEAMS)} to {len(TEAMS) + len(areas)}")
    share = 1.0 / count
    teams = [replace(spec, share=share) for spec in TEAMS]
    for i, area in enumerate(areas[: count - len(TEAMS)]):
        template = TEAMS[i % len(TEAMS)]
        code = area.code.lower()
        teams.append(
            TeamSpec(
                code=f"nat-{code}",
                name=f"{area.town} Liaison and Diversion",
                town=area.town,
                postcode_area=area.code,
                share=share,
                sites=tuple(
                    replace(site, name=area.town + site.name.removeprefix(template.town), ref=area.code)
                    for site in template.sites
                ),
                staff=tuple(
                    StaffSpec(f"{code}.{role.lower().replace('_', '')}{n}", role)
                    for role, n in _NATIONAL_STAFF
                ),
            )
        )
    return tuple(teams)


# Each extra national team's staff: (role, number), usernames like "qa.practitioner1".
_NATIONAL_STAFF = (
    (Role.PRACTITIONER, 1),
    (Role.PRACTITIONER, 2),
    (Role.PRACTITIONER, 3),
    (Role.TEAM_LEAD, 1),
    (Role.SUPPORT_WORKER, 1),
)


def _staff_names() -> list[str]:
    """The demo staff's names, then made-up ones (seeded apart from the people's names)."""
    rng = random.Random("staff-names")
    pool = POOLS["british"]
    more = {f"{rng.choice(pool.male + pool.female)} {rng.choice(pool.family)}" for _ in range(4000)}
    return list(STAFF_NAMES) + sorted(more - set(STAFF_NAMES))


@dataclass(frozen=True, eq=False)
class RosterSite:
    site: Site
    spec: SiteSpec


@dataclass(eq=False)  # hashed by identity: used as a key in weighted choices
class RosterTeam:
    spec: TeamSpec
    team: Team
    sites: list[RosterSite] = field(default_factory=list)
    staff: dict[str, list[User]] = field(default_factory=dict)  # role -> users, in spec order


@dataclass
class Roster:
    teams: list[RosterTeam]

    @property
    def users(self) -> list[User]:
        return [user for rt in self.teams for users in rt.staff.values() for user in users]


def roster_create(specs: tuple[TeamSpec, ...] = TEAMS) -> Roster:
    """Insert the demo teams, sites, users and memberships. The password is hashed once for all."""
    password_hash = make_password(DEMO_PASSWORD)
    names = iter(_staff_names())
    roster = Roster(teams=[])
    teams = Team.objects.bulk_create([Team(code=spec.code, name=spec.name) for spec in specs])
    sites: list[Site] = []
    users: list[User] = []
    memberships: list[Membership] = []
    for spec, team in zip(specs, teams, strict=True):
        rt = RosterTeam(spec=spec, team=team)
        for site_spec in spec.sites:
            # A plausible postcode and position in the fictional town, for ordering services by distance.
            postcode, latitude, longitude = site_place(
                spec.postcode_area, site_spec.name.removeprefix(f"{spec.town} ")
            )
            site = Site(
                team=team,
                postcode=postcode,
                latitude=latitude,
                longitude=longitude,
                name=site_spec.name,
                kind=site_spec.kind,
                staffed_from=site_spec.hours[0],
                staffed_to=site_spec.hours[1],
                staffed_weekends=site_spec.weekends,
            )
            rt.sites.append(RosterSite(site=site, spec=site_spec))
            sites.append(site)
        for staff in spec.staff:
            display_name = next(names)
            first, _, last = display_name.partition(" ")
            user = User(
                username=staff.username,
                password=password_hash,
                first_name=first,
                last_name=last,
                display_name=display_name,
                is_staff=staff.role == Role.ADMIN,
            )
            users.append(user)
            memberships.append(Membership(user=user, team=team, role=staff.role))
            rt.staff.setdefault(staff.role, []).append(user)
        roster.teams.append(rt)
    Site.objects.bulk_create(sites)
    User.objects.bulk_create(users)
    Membership.objects.bulk_create(memberships)
    return roster


# --- staffed hours ------------------------------------------------------------------------------


def staffed_window(spec: SiteSpec, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The team's hours at the site on `day`, as aware local times (the closing minute included)."""
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(day, spec.hours[0], tzinfo=tz)
    end = dt.datetime.combine(day, spec.hours[1], tzinfo=tz) + dt.timedelta(seconds=59)
    return start, end


def staffed_on(spec: SiteSpec, day: dt.date) -> bool:
    return spec.weekends or day.weekday() < 5


def next_staffed(spec: SiteSpec, moment: dt.datetime) -> dt.datetime:
    """The first moment at or after `moment` when the L&D team is on duty at the site."""
    day = local_day(moment)
    for _ in range(10):
        if staffed_on(spec, day):
            start, end = staffed_window(spec, day)
            if moment <= end:
                return max(moment, start)
        day += dt.timedelta(days=1)
    raise ValueError(f"{spec.name} is never staffed")


def last_staffed(spec: SiteSpec, moment: dt.datetime) -> dt.datetime:
    """The last moment at or before `moment` when the L&D team was on duty at the site."""
    day = local_day(moment)
    for _ in range(10):
        if staffed_on(spec, day):
            start, end = staffed_window(spec, day)
            if moment >= start:
                return min(moment, end)
        day -= dt.timedelta(days=1)
    raise ValueError(f"{spec.name} is never staffed")
