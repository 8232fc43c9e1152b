"""Distances and where a person is: centroids learnt from the directory itself, and the origin's fallbacks."""

import pytest

from liaison.directory.geo import haversine_miles, origin_for, refresh_centroids
from liaison.directory.models import Location, PostcodeCentroid
from tests.factories import SiteFactory


def test_haversine_leeds_to_london_is_about_170_miles():
    miles = haversine_miles(53.7965, -1.5478, 51.5072, -0.1276)
    assert 165 < miles < 175
    assert haversine_miles(53.8, -1.5, 53.8, -1.5) == 0


@pytest.fixture
def located(db):
    Location.objects.create(id="a", latitude=53.80, longitude=-1.55, outward_code="LS1")
    Location.objects.create(id="b", latitude=53.82, longitude=-1.53, outward_code="LS1")
    Location.objects.create(id="c", latitude=53.90, longitude=-1.60, outward_code="LS6")
    Location.objects.create(id="d", latitude=None, longitude=None, outward_code="LS7")  # not geocoded
    Location.objects.create(id="e", latitude=53.0, longitude=-1.0, outward_code="")  # no postcode


def test_refresh_centroids_averages_locations_by_outward_code_and_area(located):
    SiteFactory(postcode="WF1 2AB", latitude=53.68, longitude=-1.50)
    SiteFactory(postcode="", latitude=50.0, longitude=-3.0)  # no postcode: nowhere to put it
    assert refresh_centroids() == 5
    centroids = {c.code: c for c in PostcodeCentroid.objects.all()}
    assert set(centroids) == {"LS1", "LS6", "LS", "WF1", "WF"}
    assert centroids["LS1"].latitude == pytest.approx(53.81)
    assert centroids["LS1"].locations == 2
    assert centroids["LS"].latitude == pytest.approx((53.80 + 53.82 + 53.90) / 3)
    assert centroids["WF1"].longitude == pytest.approx(-1.50)


def test_refresh_centroids_replaces_what_was_there(located):
    PostcodeCentroid.objects.create(code="ZZ1", latitude=1, longitude=1)
    refresh_centroids()
    refresh_centroids()
    assert not PostcodeCentroid.objects.filter(code="ZZ1").exists()
    assert PostcodeCentroid.objects.filter(code="LS1").count() == 1


@pytest.mark.parametrize(
    ("postcode", "site_located", "source", "label"),
    [
        ("LS1 4AP", True, "outward_code", "postcode district LS1"),
        ("LS9 9ZZ", True, "area", "postcode area LS"),  # LS9 unknown: its area
        ("BD1 1AA", True, "site", "Northtown Custody Suite"),  # BD unknown: the site
        ("", True, "site", "Northtown Custody Suite"),
        ("", False, None, None),
    ],
)
def test_origin_falls_back_from_district_to_area_to_site(located, postcode, site_located, source, label):
    refresh_centroids()
    site = SiteFactory(name="Northtown Custody Suite")
    if site_located:
        site.latitude, site.longitude = 53.7, -1.6
    origin = origin_for(postcode=postcode, site=site)
    assert (origin.source if origin else None, origin.label if origin else None) == (source, label)
