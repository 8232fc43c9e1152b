"""Distances for matching: where a person is, and how far each service's locations are from there.

No postcode data is downloaded. Where a postcode lies is learnt from the directory itself: the mean
position of its geocoded locations in each outward code ("LS1") and postcode area ("LS"), plus the
team's sites that have coordinates. `refresh_centroids()` rebuilds that table; the directory import
calls it after loading.

A person's origin is, in order: their postcode's outward code centroid, else its area's centroid,
else the episode's site, else none (and then every distance is "not known" and none is ranked by it).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Avg, Count

from liaison.core.models import Site
from liaison.directory.eligibility import outward_code, postcode_area
from liaison.directory.models import Location, PostcodeCentroid

EARTH_RADIUS_MILES = 3958.8


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles: close enough for "which is nearer" in England and Wales."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Origin:
    latitude: float
    longitude: float
    source: str  # "outward_code", "area" or "site"
    label: str  # what the page says: "the person's postcode district LS1", "Northtown Custody Suite"


@transaction.atomic
def refresh_centroids() -> int:
    """Rebuild PostcodeCentroid from geocoded locations (SQL mean per outward code) and sites with
    coordinates. Returns the number of centroids written."""
    # code -> [sum of latitudes, sum of longitudes, points]
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    rows = (
        Location.objects.exclude(outward_code="")
        .filter(latitude__isnull=False, longitude__isnull=False)
        .values("outward_code")
        .annotate(lat=Avg("latitude"), lon=Avg("longitude"), n=Count("id"))
        .order_by()
    )
    for row in rows:
        code = row["outward_code"].upper()
        for key in (code, postcode_area(code)):
            if key:
                total = sums[key]
                total[0] += row["lat"] * row["n"]
                total[1] += row["lon"] * row["n"]
                total[2] += row["n"]
    sites = Site.objects.exclude(postcode="").filter(latitude__isnull=False, longitude__isnull=False)
    for postcode, lat, lon in sites.values_list("postcode", "latitude", "longitude"):
        code = outward_code(postcode)
        for key in (code, postcode_area(code)):
            if key:
                total = sums[key]
                total[0] += lat or 0.0  # never None: filtered above
                total[1] += lon or 0.0
                total[2] += 1
    PostcodeCentroid.objects.all().delete()
    PostcodeCentroid.objects.bulk_create(
        PostcodeCentroid(code=code, latitude=lat / n, longitude=lon / n, locations=int(n))
        for code, (lat, lon, n) in sorted(sums.items())
    )
    return len(sums)


def origin_for(*, postcode: str, site: Site | None) -> Origin | None:
    """Where distances are measured from (one query)."""
    code = outward_code(postcode)
    area = postcode_area(code)
    if code:
        found = {
            c.code: c
            for c in PostcodeCentroid.objects.filter(code__in=[code, area]).only("latitude", "longitude")
        }
        if code in found:
            return Origin(
                found[code].latitude, found[code].longitude, "outward_code", f"postcode district {code}"
            )
        if area in found:
            return Origin(found[area].latitude, found[area].longitude, "area", f"postcode area {area}")
    if site is not None and site.latitude is not None and site.longitude is not None:
        return Origin(site.latitude, site.longitude, "site", site.name)
    return None
