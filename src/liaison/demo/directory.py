"""A synthetic Open Referral UK directory around the demo sites, and the demo teams' notes on it.

`generate_directory(n_services=..., seed=...)` bulk-inserts organisations, services, locations,
services at locations, areas served, opening times, contacts and phones, and the Liaison needs
taxonomy terms on each service; then the teams' local knowledge and named contacts. The demo seed
calls it (a few hundred services), and so does the matching benchmark (10,000).

Every id is a UUID (as ORUK wants) made from the seed, and starts with SYNTHETIC_PREFIX so
`directory_clear()` can find the synthetic rows and leave an imported directory alone. Draws come from
`random.Random(f"directory:{seed}")`: the same arguments give the same directory.

A core set comes first — every kind of service once in every area, always active, so a small
directory still has a 24-hour line and a night shelter for "somewhere to sleep tonight" — then
services drawn by how common each kind is.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import ForeignObjectRel
from django.utils import timezone

from liaison.core.models import CLINICAL_ROLES, Membership, Site, Team, User
from liaison.demo import directory_tables as t
from liaison.demo import numbers
from liaison.demo.names import POOLS
from liaison.demo.places import AREAS, COUNTY, Area, inward_code, outward_code_at, point_near
from liaison.demo.rows import Progress, Row, insert_rows
from liaison.demo.tables import pick
from liaison.directory.eligibility import outward_code, postcode_area
from liaison.directory.models import (
    Attribute,
    Contact,
    EligibleSex,
    LocalKnowledge,
    Location,
    LocationType,
    NamedContact,
    Organization,
    Phone,
    ReferralRoute,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
)
from liaison.directory.taxonomy import ensure_needs_taxonomy, need_term_id

# Hex, so the ids stay UUIDs: "5eedda7a-...". Nothing a directory publishes starts with it by chance
# often enough to matter, and only the seed writes it.
SYNTHETIC_PREFIX = "5eedda7a-"

STATUS_WEIGHTS = {
    ServiceStatus.ACTIVE: 92,
    ServiceStatus.TEMPORARILY_CLOSED: 4,
    ServiceStatus.INACTIVE: 3,
    ServiceStatus.DEFUNCT: 1,
}
EXTRA_NEEDS = {0: 45, 1: 40, 2: 15}  # how many of a kind's other needs a service is also tagged with
LOCAL_KNOWLEDGE_SHARE = 0.4  # of the services in a team's area (core services: CORE_KNOWLEDGE_SHARE)
CORE_KNOWLEDGE_SHARE = 0.8
NAMED_CONTACT_SHARE = 0.3  # of the services a team has notes on
SHARED_LOCATION_SHARE = 0.25  # services in a building another service already uses
NAMED_CONTACT_POOLS = (
    "british",
    "british",
    "british",
    "irish",
    "indian",
    "pakistani",
    "caribbean",
    "african",
)


def synthetic_id(seed: int, table: str, index: int) -> str:
    """A version-4-shaped UUID, with the prefix: the seed and table hashed, then the row's number."""
    return f"{_table_stem(seed, table)}{index:012x}"


@functools.cache
def _table_stem(seed: int, table: str) -> str:
    h = hashlib.sha256(f"{seed}:{table}".encode()).hexdigest()
    return f"{SYNTHETIC_PREFIX}{h[0:4]}-4{h[4:7]}-{'89ab'[int(h[7], 16) % 4]}{h[8:11]}-"


@dataclass(frozen=True, eq=False)
class Anchor:
    """An area services cluster in, and the teams (from its sites) who keep notes on them."""

    area: Area
    teams: tuple[Team, ...] = ()


# The directory's eligible_sex to PERSON STATED SEX codes (people.models.Sex).
_SEX_CODES = {str(EligibleSex.MALE): "1", str(EligibleSex.FEMALE): "2"}


@dataclass(eq=False)
class MadeService:
    """A generated service, with what the referral generator needs to know about it."""

    id: str
    name: str
    kind: t.Kind
    needs: tuple[str, ...]
    area: str  # the postcode area it is in (or mainly serves)
    prefixes: str  # ServiceArea.postcode_prefixes ("" = anywhere)
    pattern: str
    status: str
    minimum_age: int | None
    maximum_age: int | None
    eligible_sex: str
    location_id: str | None
    place: str  # where, in words
    core: bool

    def serves(self, area: str) -> bool:
        """Whether one of its postcode prefixes starts with `area` (any area when it names none)."""
        return not self.prefixes or area in self._starts

    @functools.cached_property
    def _starts(self) -> frozenset[str]:
        # Every start of every prefix ("SW1A": "", "S", "SW", "SW1", "SW1A"): serves() is asked a
        # million times while a national directory is made, so it looks up instead of splitting.
        return frozenset(p[:k] for p in self.prefixes.split() for k in range(len(p) + 1))

    def takes(self, *, age: int | None, sex: str) -> bool:
        """Whether a person of this age and stated sex (people.Sex code) meets the age and sex rules."""
        if age is not None and (
            (self.minimum_age is not None and age < self.minimum_age)
            or (self.maximum_age is not None and age > self.maximum_age)
        ):
            return False
        wanted = _SEX_CODES.get(self.eligible_sex)
        return wanted is None or sex == wanted


@dataclass
class DirectoryResult:
    rows: dict[str, int] = field(default_factory=dict)
    services: list[MadeService] = field(default_factory=list)

    def for_need(self, need_key: str) -> list[MadeService]:
        return [m for m in self.services if need_key in m.needs]


@dataclass
class _Rows:
    organizations: list[Row] = field(default_factory=list)
    locations: list[Row] = field(default_factory=list)
    services: list[Row] = field(default_factory=list)
    attributes: list[Row] = field(default_factory=list)
    service_at_locations: list[Row] = field(default_factory=list)
    service_areas: list[Row] = field(default_factory=list)
    schedules: list[Row] = field(default_factory=list)
    contacts: list[Row] = field(default_factory=list)
    phones: list[Row] = field(default_factory=list)
    local_knowledge: list[Row] = field(default_factory=list)
    named_contacts: list[Row] = field(default_factory=list)

    def batches(self) -> list[tuple[str, type[models.Model], list[Row]]]:
        return [
            ("organisations", Organization, self.organizations),
            ("locations", Location, self.locations),
            ("services", Service, self.services),
            ("service attributes", Attribute, self.attributes),
            ("services at locations", ServiceAtLocation, self.service_at_locations),
            ("service areas", ServiceArea, self.service_areas),
            ("opening times", Schedule, self.schedules),
            ("service contacts", Contact, self.contacts),
            ("phones", Phone, self.phones),
            ("local knowledge", LocalKnowledge, self.local_knowledge),
            ("named contacts", NamedContact, self.named_contacts),
        ]


def anchors_for(sites: Iterable[Site] | None) -> list[Anchor]:
    """The areas to put services in: the sites' postcode areas (with their teams), or the demo towns."""
    if sites is None:
        sites = Site.objects.filter(latitude__isnull=False, longitude__isnull=False).select_related("team")
    by_area: dict[str, tuple[Area, list[Team]]] = {}
    for site in sorted(sites, key=lambda s: (s.postcode, s.pk or 0)):
        code = postcode_area(outward_code(site.postcode))
        if not code or site.latitude is None or site.longitude is None:
            continue
        area = AREAS.get(code) or Area(code, site.team.name, site.latitude, site.longitude)
        _, teams = by_area.setdefault(code, (area, []))
        if site.team not in teams:
            teams.append(site.team)
    if not by_area:
        return [Anchor(area) for area in AREAS.values()]
    return [Anchor(area, tuple(teams)) for area, teams in by_area.values()]


def synthetic_directory_present() -> bool:
    return Service.objects.filter(pk__startswith=SYNTHETIC_PREFIX).exists()


@transaction.atomic
def directory_clear() -> dict[str, int]:
    """Delete the synthetic directory (ids with the prefix): its services, organisations and locations
    and, first, every row that points at them, found through the model graph — referrals and their
    appointments (which protect a service), opening times, contacts and their phones, the teams'
    notes. Links that are SET_NULL (an appointment's location) are nulled. One DELETE per table,
    with subqueries: no rows are loaded. An imported directory (other ids) is left alone."""
    removed: dict[str, int] = {}
    for model in (Service, Organization, Location):
        _delete_tree(model, model._base_manager.filter(pk__startswith=SYNTHETIC_PREFIX), removed)
    return {label: n for label, n in sorted(removed.items()) if n}


def _delete_tree(model: type[models.Model], rows: models.QuerySet[Any], removed: dict[str, int]) -> None:
    for rel in model._meta.get_fields(include_hidden=True):
        if not isinstance(rel, ForeignObjectRel) or not (rel.one_to_many or rel.one_to_one):
            continue
        related: type[models.Model] = rel.related_model  # type: ignore[assignment]
        linked = related._base_manager.filter(**{f"{rel.field.name}__in": rows.values("pk")})
        if rel.on_delete is models.SET_NULL:
            linked.update(**{rel.field.name: None})
        elif rel.on_delete is not models.DO_NOTHING:
            _delete_tree(related, linked, removed)
    label = model._meta.label
    removed[label] = removed.get(label, 0) + rows._raw_delete(rows.db)


@transaction.atomic
def generate_directory(
    *,
    n_services: int,
    seed: int,
    sites: Iterable[Site] | None = None,
    published_share: float = 0.6,
    now: dt.datetime | None = None,
    replace: bool = False,
    progress: Progress | None = None,
) -> DirectoryResult:
    """Bulk-insert a synthetic directory of `n_services` services around `sites` (default: every
    site with coordinates; with none, the demo towns). Teams of those sites get local knowledge.

    Refuses (ValueError) when a synthetic directory is already there, unless `replace`.
    """
    if n_services < 0:
        raise ValueError("n_services cannot be negative")
    if not 0.0 <= published_share <= 1.0:
        raise ValueError("published_share is a share, from 0 to 1")
    if synthetic_directory_present():
        if not replace:
            raise ValueError("A synthetic directory is already loaded: clear it first (replace=True).")
        directory_clear()
    ensure_needs_taxonomy()
    maker = _built(
        n_services=n_services,
        seed=seed,
        sites=sites,
        now=now or timezone.now().replace(second=0, microsecond=0),
        published_share=published_share,
    )
    result = DirectoryResult(services=maker.made)
    for label, model, rows in maker.rows.batches():
        insert_rows(model, rows, label=label, progress=progress)
        result.rows[label] = len(rows)
    refresh = _refresh_centroids()
    if refresh is not None:
        refresh()
    return result


def directory_again(
    *,
    n_services: int,
    seed: int,
    sites: Iterable[Site] | None,
    now: dt.datetime,
    published_share: float = 0.6,
) -> DirectoryResult:
    """The services generate_directory made with these arguments, without writing them again."""
    maker = _built(n_services=n_services, seed=seed, sites=sites, now=now, published_share=published_share)
    return DirectoryResult(services=maker.made)


def _built(
    *, n_services: int, seed: int, sites: Iterable[Site] | None, now: dt.datetime, published_share: float
) -> _DirectoryMaker:
    maker = _DirectoryMaker(
        rng=random.Random(f"directory:{seed}"),
        seed=seed,
        now=now,
        anchors=anchors_for(sites),
        published_share=published_share,
    )
    maker.build(n_services)
    return maker


def _refresh_centroids() -> Callable[[], Any] | None:
    """`liaison.directory.geo.refresh_centroids`, when the matching code that provides it is there."""
    try:
        geo = importlib.import_module("liaison.directory.geo")
    except ImportError:
        return None
    refresh = getattr(geo, "refresh_centroids", None)
    return refresh if callable(refresh) else None


class _DirectoryMaker:
    def __init__(
        self,
        *,
        rng: random.Random,
        seed: int,
        now: dt.datetime,
        anchors: list[Anchor],
        published_share: float,
    ) -> None:
        self.rng = rng
        self.seed = seed
        self.now = now
        self.anchors = anchors
        self.published_share = published_share
        self.rows = _Rows()
        self.made: list[MadeService] = []
        self.counters: dict[str, int] = {}
        self.names: set[str] = set()
        self.orgs: dict[tuple[str, str], list[str]] = {}  # (area, org kind) -> organisations
        self.places: dict[str, list[Row]] = {}  # area -> physical locations so far
        self.staff = self._staff()

    def _id(self, table: str) -> str:
        index = self.counters.get(table, 0)
        self.counters[table] = index + 1
        return synthetic_id(self.seed, table, index)

    def _staff(self) -> dict[int, list[User]]:
        """Each anchor team's clinical staff, by username (who updates local knowledge)."""
        teams = [team for anchor in self.anchors for team in anchor.teams]
        staff: dict[int, list[User]] = {team.pk: [] for team in teams}
        memberships = (
            Membership.objects.filter(team__in=teams, role__in=CLINICAL_ROLES)
            .select_related("user")
            .order_by("user__username")
        )
        for membership in memberships:
            staff[membership.team_id].append(membership.user)
        return staff

    # --- services ---------------------------------------------------------------------------

    def build(self, n_services: int) -> None:
        core = [(kind, anchor) for kind in t.KINDS for anchor in self.anchors]
        weights = {kind: kind.weight for kind in t.KINDS}
        for i in range(n_services):
            if i < len(core):
                kind, anchor = core[i]
                self._service(kind, anchor, core=True)
            else:
                self._service(pick(self.rng, weights), self.rng.choice(self.anchors), core=False)
        for anchor in self.anchors:
            for team in anchor.teams:
                self._local_knowledge(team, anchor.area.code)

    def _service(self, kind: t.Kind, anchor: Anchor, *, core: bool) -> None:
        rng = self.rng
        area = anchor.area
        place = rng.choice(t.PLACES)
        adj = rng.choice(t.ADJECTIVES)
        name = self._unique_name(rng.choice(kind.names).format(town=area.town, place=place, adj=adj), place)
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]
        pattern = pick(rng, kind.patterns)
        minimum, maximum = rng.choice(kind.ages)
        sex = EligibleSex.ANY
        roll = rng.random()
        if roll < kind.women_only:
            sex = EligibleSex.FEMALE
        elif roll < kind.women_only + kind.men_only:
            sex = EligibleSex.MALE
        status = ServiceStatus.ACTIVE if core else pick(rng, STATUS_WEIGHTS)
        modified = self.now - dt.timedelta(days=rng.randint(3, 700), minutes=rng.randint(0, 1439))
        service_id = self._id("service")
        service: Row = {
            "id": service_id,
            "organization_id": self._organization(kind, area),
            "name": name,
            "description": kind.description,
            "url": f"https://{slug}.example.org",
            "email": f"hello@{slug}.example.org",
            "status": status,
            "application_process": kind.application,
            "fees_description": "Free",
            "interpretation_services": "Telephone interpreters on request" if rng.random() < 0.4 else "",
            "minimum_age": minimum,
            "maximum_age": maximum,
            "alert": "Closed for refurbishment; reopening in the new year."
            if status == ServiceStatus.TEMPORARILY_CLOSED
            else "",
            "assured_date": timezone.localdate(modified) if rng.random() < 0.5 else None,
            "last_modified": modified,
            "eligible_sex": sex,
            "open_bank_holidays": pattern in t.ALWAYS_OPEN or (pattern == "extended" and rng.random() < 0.5),
            "published": rng.random() < self.published_share,
            "created_at": modified - dt.timedelta(days=rng.randint(0, 900)),
            "updated_at": modified,
            "extra": {},
        }
        self.rows.services.append(service)
        needs: tuple[str, ...] = (kind.needs[0],)
        if len(kind.needs) > 1:
            extra = min(pick(rng, EXTRA_NEEDS), len(kind.needs) - 1)
            needs += tuple(rng.sample(kind.needs[1:], extra))
        for key in needs:
            self.rows.attributes.append(
                {
                    "id": self._id("attribute"),
                    "service_id": service_id,
                    "taxonomy_term_id": need_term_id(key),
                    "link_type": "service",
                }
            )
        location = None if kind.virtual else self._location(name, kind, area, core)
        if location is not None:
            self.rows.service_at_locations.append(
                {
                    "id": self._id("service_at_location"),
                    "service_id": service_id,
                    "location_id": location["id"],
                }
            )
        prefixes = self._area_served(service_id, kind, area, location)
        self._schedules(service_id, pattern, kind)
        self._contact(service_id, kind, slug)
        place = (
            "By phone"
            if location is None
            else ", ".join(x for x in (location["address_1"], location["city"], location["postal_code"]) if x)
        )
        self.made.append(
            MadeService(
                id=service_id,
                name=name,
                kind=kind,
                needs=needs,
                area=area.code,
                prefixes=prefixes,
                pattern=pattern,
                status=status,
                minimum_age=minimum,
                maximum_age=maximum,
                eligible_sex=sex,
                location_id=None if location is None else location["id"],
                place=place,
                core=core,
            )
        )

    def _unique_name(self, name: str, place: str) -> str:
        candidate = name if name not in self.names else f"{name} ({place})"
        number = 2
        while candidate in self.names:
            candidate = f"{name} ({place} {number})"
            number += 1
        self.names.add(candidate)
        return candidate

    def _organization(self, kind: t.Kind, area: Area) -> str:
        rng = self.rng
        known = self.orgs.setdefault((area.code, kind.org), [])
        if kind.org in {"council", "nhs"} and known:
            return known[0]
        if kind.org == "charity" and known and rng.random() < 0.6:
            return rng.choice(known)
        if kind.org == "council":
            name, about = f"{area.town} Council", "The local authority."
        elif kind.org == "nhs":
            name = f"{area.town} and {COUNTY} Health NHS Foundation Trust"
            about = "NHS mental health, community health and substance use services."
        elif kind.org == "pharmacy":
            name, about = f"{rng.choice(t.PLACES)} Pharmacy Ltd", "An independent community pharmacy."
        else:
            name = f"{rng.choice(t.ADJECTIVES)} {rng.choice(t.ORG_SUFFIXES)} ({area.town})"
            about = "A local charity working with people facing homelessness, addiction and crisis."
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]
        organization_id = self._id("organization")
        self.rows.organizations.append(
            {
                "id": organization_id,
                "name": name,
                "description": about,
                "email": f"info@{slug}.example.org",
                "website": f"https://{slug}.example.org",
                "extra": {},
            }
        )
        known.append(organization_id)
        return organization_id

    def _location(self, service_name: str, kind: t.Kind, area: Area, core: bool) -> Row:
        rng = self.rng
        known = self.places.setdefault(area.code, [])
        if known and kind.code != "refuge" and rng.random() < SHARED_LOCATION_SHARE:
            return rng.choice(known)
        # Core services sit in town; the rest spread out to the edge of the area.
        point = point_near(rng, area, within_km=4.0 if core else rng.choice((6.0, 9.0, 12.0)))
        district = outward_code_at(area, point)
        if kind.code == "refuge":
            # A refuge's address is never published: only the district, and a point nearby.
            address_1, postal_code, name = "Address given on referral", district, service_name
        else:
            address_1 = f"{rng.randint(1, 240)} {rng.choice(t.STREETS)}"
            postal_code = f"{district} {inward_code(rng)}"
            name = f"{rng.choice(t.PLACES)} Community Centre" if rng.random() < 0.2 else service_name
        location: Row = {
            "id": self._id("location"),
            "location_type": LocationType.PHYSICAL,
            "name": name,
            "latitude": point[0],
            "longitude": point[1],
            "address_id": self._id("address"),
            "address_1": address_1,
            "city": area.town,
            "state_province": COUNTY,
            "postal_code": postal_code,
            "country": "GB",
            "outward_code": district,
            "extra": {},
        }
        self.rows.locations.append(location)
        if kind.code != "refuge":
            known.append(location)
        return location

    def _area_served(self, service_id: str, kind: t.Kind, area: Area, location: Row | None) -> str:
        rng = self.rng
        others = [a.area.code for a in self.anchors if a.area.code != area.code]
        if kind.org == "council":
            prefixes, name = area.code, f"{area.town} Council area"
        else:
            roll = rng.random()
            if roll < 0.5:
                prefixes, name = area.code, f"{area.town} and district"
            elif roll < 0.7 and location is not None:
                home = int(location["outward_code"][len(area.code) :])
                near = sorted({home, *rng.sample(range(1, 13), 3)})
                prefixes = " ".join(f"{area.code}{d}" for d in near)
                name = f"Parts of {area.town}"
            elif roll < 0.85:
                prefixes, name = " ".join([area.code, *others]), COUNTY
            else:
                prefixes, name = "", "Anywhere"
        self.rows.service_areas.append(
            {
                "id": self._id("service_area"),
                "service_id": service_id,
                "name": name,
                "postcode_prefixes": prefixes,
            }
        )
        return prefixes

    def _schedules(self, service_id: str, pattern: str, kind: t.Kind) -> None:
        for byday, opens, closes in t.PATTERNS[pattern]:
            overnight = closes < opens
            self.rows.schedules.append(
                {
                    "id": self._id("schedule"),
                    "service_id": service_id,
                    "freq": "WEEKLY",
                    "interval": 1,
                    "byday": byday,
                    "opens_at": opens,
                    "closes_at": closes,
                    "description": f"{opens:%H:%M} to {closes:%H:%M}"
                    + (" (the next morning)" if overnight else ""),
                    "attending_type": "phone" if kind.virtual else "in person",
                    "extra": {},
                }
            )

    def _contact(self, service_id: str, kind: t.Kind, slug: str) -> None:
        rng = self.rng
        name = rng.choice(t.CONTACT_NAMES)
        contact_id = self._id("contact")
        contact = {
            "id": contact_id,
            "service_id": service_id,
            "name": name,
            "email": f"{re.sub(r'[^a-z]+', '.', name.lower())}@{slug}.example.org",
        }
        self.rows.contacts.append(contact)
        if kind.virtual or kind.code in {"refuge", "night_shelter"}:
            number, label = f"0808 157 0{rng.randint(0, 999):03d}", "Freephone"
        elif rng.random() < 0.5:
            number, label = f"0113 496 0{rng.randint(0, 999):03d}", "Main line"
        else:
            number, label = numbers.landline(rng), "Main line"
        self.rows.phones.append(
            {
                "id": self._id("phone"),
                "contact_id": contact_id,
                "number": number,
                "type": "voice",
                "description": label,
            }
        )
        if rng.random() < 0.3:
            self.rows.phones.append(
                {
                    "id": self._id("phone"),
                    "contact_id": contact_id,
                    "number": numbers.mobile(rng),
                    "type": "text",
                    "description": "Text or WhatsApp",
                }
            )

    # --- the teams' own layer ---------------------------------------------------------------

    def _local_knowledge(self, team: Team, area: str) -> None:
        rng = self.rng
        staff = self.staff.get(team.pk, [])
        if not staff:
            return
        today = timezone.localdate(self.now)
        for made in self.made:
            if made.area != area and not (made.prefixes and made.serves(area)):
                continue
            share = CORE_KNOWLEDGE_SHARE if made.core and made.area == area else LOCAL_KNOWLEDGE_SHARE
            if rng.random() >= share:
                continue
            by = rng.choice(staff)
            crisis = made.pattern in t.ALWAYS_OPEN
            routes = (
                [ReferralRoute.PHONE] if crisis else rng.sample(list(ReferralRoute.values), rng.randint(1, 3))
            )
            self.rows.local_knowledge.append(
                {
                    "team_id": team.pk,
                    "service_id": made.id,
                    "relationship_notes": rng.choice(t.RELATIONSHIP_NOTES),
                    "last_contact_on": today - dt.timedelta(days=rng.randint(0, 180)),
                    "referral_routes": [str(r) for r in routes],
                    "how_to_refer": rng.choice(t.HOW_TO_REFER),
                    "typical_wait_days": 0 if crisis else rng.choice((None, 1, 2, 5, 7, 10, 14, 21, 28, 42)),
                    "accepts_from_custody": True if crisis else rng.choice((True, True, False, None)),
                    "accepts_from_court": rng.choice((True, True, False, None)),
                    "updated_by_id": by.pk,
                    "updated_at": self.now - dt.timedelta(days=rng.randint(0, 200)),
                }
            )
            if rng.random() < NAMED_CONTACT_SHARE:
                for _ in range(rng.choice((1, 1, 2))):
                    self.rows.named_contacts.append(self._named_contact(team, made))

    def _named_contact(self, team: Team, service: MadeService) -> Row:
        rng = self.rng
        pool = POOLS[rng.choice(NAMED_CONTACT_POOLS)]
        given = rng.choice(pool.female if rng.random() < 0.6 else pool.male)
        family = rng.choice(pool.family)
        domain = re.sub(r"[^a-z0-9]+", "-", service.name.lower()).strip("-")[:40] + ".example.org"
        email = f"{given}.{family}@{domain}".lower().replace("'", "").replace(" ", "")
        return {
            "team_id": team.pk,
            "service_id": service.id,
            "name": f"{given} {family}",
            "role": rng.choice(t.CONTACT_ROLES),
            "phone": numbers.mobile(rng),
            "email": email,
            "notes": rng.choice(t.NAMED_CONTACT_NOTES),
            "created_at": self.now - dt.timedelta(days=rng.randint(1, 400)),
        }


__all__ = [
    "SYNTHETIC_PREFIX",
    "Anchor",
    "DirectoryResult",
    "MadeService",
    "anchors_for",
    "directory_clear",
    "generate_directory",
    "synthetic_id",
]
