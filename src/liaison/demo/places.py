"""Where the fictional demo towns are: a centre for each postcode area and a map of its districts.

The areas (KF, MQ, WQ) are letters no UK postcode area uses, so nothing here can be mistaken for a
real address; the coordinates put the towns in plausible northern English countryside, 25 to 45 km
apart, so ordering services by distance means something. District 1 is the town centre, districts
2-7 a ring about 2.5 km out and 8-12 a ring about 6 km out: a point's outward code is always its
nearest district's, so a person's postcode, a site's and a service's location agree about where
they are. Pure: no database, no randomness of its own.
"""

from __future__ import annotations

import functools
import math
import random
from dataclasses import dataclass

from liaison.demo.numbers import INWARD_LETTERS

KM_PER_DEGREE = 111.2
DISTRICTS = 12


@dataclass(frozen=True)
class Area:
    code: str  # the postcode area, "KF"
    town: str
    latitude: float
    longitude: float


AREAS: dict[str, Area] = {
    area.code: area
    for area in (
        Area("KF", "Kestrelford", 53.412, -1.912),
        Area("MQ", "Marrowby", 53.626, -1.604),
        Area("WQ", "Wyvern Vale", 53.214, -1.438),
    )
}
COUNTY = "Wyvernshire"  # fictional, like the towns

# More fictional areas for the national data set (liaison.demo.staff.national_teams): first letters no
# UK postcode area starts with (Q, V, X) or only one does (J: JE, Z: ZE, both left out), towns named
# from made-up parts, their centres on a grid across England, about 30 km apart.
_FIRST = "QVXZJ"
_TOWN_START = [
    "Brack",
    "Cress",
    "Dunn",
    "Garr",
    "Holl",
    "Lark",
    "Fern",
    "Elder",
    "Wil",
    "Quen",
    "Yarl",
    "Ebb",
    "Orm",
    "Pell",
    "Skel",
    "Tarn",
    "Ulls",
    "Vell",
    "Wend",
    "Kell",
]
_TOWN_END = ["wyke", "holme", "combe", "thorpe", "mere", "stow", "garth", "field", "bridge", "dale"]


@functools.cache
def national_areas() -> tuple[Area, ...]:
    """Every extra area, in a fixed order (not seeded: the same teams whatever the seed)."""
    codes = [a + b for a in _FIRST for b in INWARD_LETTERS + "CIKMOV" if a + b not in {"ZE", "JE"}]
    codes = sorted(set(codes))
    random.Random("national-areas").shuffle(codes)
    towns = [start + end for end in _TOWN_END for start in _TOWN_START]
    random.Random("national-towns").shuffle(towns)
    areas = []
    for i, code in enumerate(codes):
        row, col = divmod(i, 12)
        latitude = 50.9 + row * 0.27 + (col % 2) * 0.12
        longitude = -3.2 + col * 0.38
        areas.append(Area(code, towns[i], round(latitude, 4), round(longitude, 4)))
    return tuple(areas)


def area_named(code: str) -> Area:
    """A demo area or a national one, by its postcode area code."""
    if code in AREAS:
        return AREAS[code]
    return next(area for area in national_areas() if area.code == code)


def offset(latitude: float, longitude: float, north_km: float, east_km: float) -> tuple[float, float]:
    """The point `north_km` north and `east_km` east of the given one (flat-earth: fine at town scale)."""
    lat = latitude + north_km / KM_PER_DEGREE
    lon = longitude + east_km / (KM_PER_DEGREE * math.cos(math.radians(latitude)))
    return round(lat, 6), round(lon, 6)


@functools.cache
def district_centre(town: Area, district: int) -> tuple[float, float]:
    if district == 1:
        return town.latitude, town.longitude
    if district <= 7:
        radius, angle = 2.5, (district - 2) * 60.0
    else:
        radius, angle = 6.0, (district - 8) * 72.0 + 30.0
    rad = math.radians(angle)
    return offset(town.latitude, town.longitude, radius * math.cos(rad), radius * math.sin(rad))


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    north = (a[0] - b[0]) * KM_PER_DEGREE
    east = (a[1] - b[1]) * KM_PER_DEGREE * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(north, east)


def outward_code_at(town: Area, point: tuple[float, float]) -> str:
    """The outward code ("KF7") of the area's district nearest the point."""
    nearest = min(range(1, DISTRICTS + 1), key=lambda d: km_between(point, district_centre(town, d)))
    return f"{town.code}{nearest}"


def inward_code(rng: random.Random) -> str:
    return f"{rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"


def point_near(rng: random.Random, town: Area, *, within_km: float) -> tuple[float, float]:
    """A random point in the area, denser towards the centre (uniform in angle and in radius)."""
    radius = rng.uniform(0.0, within_km)
    angle = rng.uniform(0.0, 2 * math.pi)
    return offset(town.latitude, town.longitude, radius * math.cos(angle), radius * math.sin(angle))


# Where each kind of demo site sits: (district, inward code, metres north, metres east of its centre).
SITE_PLACES = {
    "Custody Suite": (1, "2HQ", 120, -180),
    "North Custody Suite": (2, "4NS", 300, 150),
    "South Custody Suite": (5, "6SD", -250, 90),
    "Police Station (voluntary attendance)": (4, "3PA", 80, 60),
    "Magistrates' Court": (1, "1AT", -150, 210),
    "Youth Court": (1, "1YT", -160, 230),
    "Crown Court": (1, "3RN", 260, 40),
    "Probation Office": (3, "5PB", -90, -120),
    "Street Triage": (1, "7ST", 40, -40),
}


def site_place(area: str, label: str) -> tuple[str, float, float]:
    """A demo site's postcode and coordinates, from its label ("Custody Suite") within the town."""
    district, inward, north_m, east_m = SITE_PLACES.get(label, (1, "9ZZ", 0, 0))
    lat, lon = offset(*district_centre(area_named(area), district), north_m / 1000, east_m / 1000)
    return f"{area}{district} {inward}", lat, lon
