"""The synthetic directory and the demo referrals: reproducible, realistic, consistent, gone on reset."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections import defaultdict

import pytest
from django.core.management import call_command

from liaison.core.models import Site
from liaison.demo.directory import SYNTHETIC_PREFIX, MadeService, directory_clear, generate_directory
from liaison.demo.places import AREAS
from liaison.demo.services import demo_reset, demo_seed
from liaison.demo.staff import TEAMS
from liaison.directory.eligibility import outward_code, postcode_area
from liaison.directory.models import (
    Attribute,
    Contact,
    EligibleSex,
    LocalKnowledge,
    Location,
    NamedContact,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
)
from liaison.directory.taxonomy import NEEDS_TAXONOMY_ID, need_term_id
from liaison.episodes.models import Task
from liaison.referrals.models import Appointment, Attendance, Referral, ReferralStatus, Status
from liaison.referrals.states import next_statuses

ALL_WEEK = "MO,TU,WE,TH,FR,SA,SU"


def _now() -> dt.datetime:
    # A fixed reference time: with 120 people only a handful of episodes are open, and whether any of
    # their referrals is still on the way depended on the minute the test ran.
    return dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def directory_digest() -> str:
    tables = [
        Service.objects.order_by("id").values_list(
            "id", "name", "organization__name", "status", "minimum_age", "maximum_age", "eligible_sex",
            "open_bank_holidays", "published",
        ),
        Attribute.objects.order_by("id").values_list("service_id", "taxonomy_term_id"),
        Schedule.objects.order_by("id").values_list("service_id", "byday", "opens_at", "closes_at"),
        Location.objects.order_by("id").values_list("id", "latitude", "longitude", "postal_code"),
        ServiceArea.objects.order_by("id").values_list("service_id", "postcode_prefixes"),
        Phone.objects.order_by("id").values_list("contact__service_id", "number"),
    ]  # fmt: skip
    rows = [[list(map(str, row)) for row in table] for table in tables]
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


# --- the directory on its own ----------------------------------------------------------------------


def test_the_same_seed_gives_the_same_directory_and_another_seed_does_not(db):
    now = _now()
    generate_directory(n_services=150, seed=3, now=now)
    first = directory_digest()
    assert Service.objects.count() == 150
    with pytest.raises(ValueError, match="already loaded"):
        generate_directory(n_services=150, seed=3, now=now)
    generate_directory(n_services=150, seed=3, now=now, replace=True)
    assert directory_digest() == first
    directory_clear()
    generate_directory(n_services=150, seed=4, now=now)
    assert directory_digest() != first


def test_services_have_terms_locations_areas_schedules_and_contacts(db):
    generate_directory(n_services=200, seed=5, published_share=0.5)
    services = list(Service.objects.all())
    assert all(s.id.startswith(SYNTHETIC_PREFIX) for s in services)

    terms = defaultdict(list)
    for service_id, term in Attribute.objects.values_list("service_id", "taxonomy_term_id"):
        terms[service_id].append(term)
    assert all(1 <= len(terms[s.id]) <= 3 for s in services)
    assert all(t.startswith(NEEDS_TAXONOMY_ID) for ts in terms.values() for t in ts)

    # Every physical location is geocoded, in a demo town, with an outward code its postcode agrees with.
    for location in Location.objects.all():
        assert location.latitude is not None and location.longitude is not None
        assert postcode_area(location.outward_code) in AREAS
        assert location.postal_code.startswith(location.outward_code)
        assert outward_code(location.postal_code) == location.outward_code
    with_location = set(ServiceAtLocation.objects.values_list("service_id", flat=True))
    assert 0.7 * len(services) < len(with_location) < len(services)  # phone lines have none

    assert ServiceArea.objects.exclude(postcode_prefixes="").exists()
    assert Contact.objects.count() == len(services)
    numbers = list(Phone.objects.values_list("number", flat=True))
    drama = ("01632 960", "0113 496 0", "07700 900", "0808 157 0")
    assert numbers and all(n.startswith(drama) for n in numbers)

    # Opening patterns: weekdays, weekends, overnight, and some with none known.
    schedules = list(Schedule.objects.all())
    assert any(s.byday == "MO,TU,WE,TH,FR" and s.opens_at == dt.time(9) for s in schedules)
    assert any("SA" in s.byday and "MO" not in s.byday for s in schedules)
    assert any(s.closes_at < s.opens_at for s in schedules)
    scheduled = {s.service_id for s in schedules}
    assert any(s.id not in scheduled for s in services)

    assert any(s.minimum_age == 10 and s.maximum_age == 17 for s in services)
    assert any(s.eligible_sex == EligibleSex.FEMALE for s in services)
    assert any(s.open_bank_holidays for s in services)
    published = sum(s.published for s in services)
    assert 0.35 * len(services) < published < 0.65 * len(services)
    assert sum(s.status == "active" for s in services) > 0.85 * len(services)


def test_a_small_directory_still_has_24_hour_and_overnight_places_to_sleep_tonight(db):
    generate_directory(n_services=12, seed=1)
    tagged = Attribute.objects.filter(taxonomy_term_id=need_term_id("basic:sleep_tonight")).values(
        "service_id"
    )
    schedules = list(Schedule.objects.filter(service_id__in=tagged))
    assert any(
        s.byday == ALL_WEEK and (s.opens_at, s.closes_at) == (dt.time(0, 0), dt.time(23, 59))
        for s in schedules
    )
    assert any(
        s.byday == ALL_WEEK and (s.opens_at, s.closes_at) == (dt.time(20, 0), dt.time(8, 0))
        for s in schedules
    )


# --- the demo seed: sites, referrals, appointments, reset --------------------------------------------


@pytest.fixture
def seeded(db):
    now = _now()
    summary = demo_seed(people=120, seed=8, now=now, services=110)
    return now, summary


def test_referral_histories_are_in_time_order_legal_and_end_at_the_referrals_status(seeded):
    now, summary = seeded
    assert Service.objects.count() == 110
    assert summary.rows["referrals"] == Referral.objects.count() > 20
    rows = defaultdict(list)
    for status in ReferralStatus.objects.order_by("referral_id", "at", "id"):
        rows[status.referral_id].append(status)
    for referral in Referral.objects.all():
        history = rows[referral.pk]
        assert history[0].status == Status.DRAFT
        times = [r.at for r in history]
        assert times == sorted(times) and len(set(times)) == len(times)
        for before, after in zip(history, history[1:], strict=False):
            assert after.status in next_statuses(referral.kind, before.status), (before.status, after.status)
        assert (referral.status, referral.status_at) == (history[-1].status, history[-1].at)
        assert history[-1].at <= now
        assert bool(referral.outcome) == (referral.status == Status.CLOSED)
        if referral.status != Status.DRAFT and referral.kind == "active":
            assert referral.consent == "given"
        # Referred to a service tagged with the need.
        assert Attribute.objects.filter(
            service_id=referral.service_id, taxonomy_term_id=need_term_id(referral.need_key)
        ).exists()
    statuses = set(Referral.objects.values_list("status", flat=True))
    # Old episodes' referrals are closed; the open episodes' are somewhere on the way.
    assert Status.CLOSED in statuses and len(statuses) >= 2


def test_appointments_agree_with_their_referrals_and_none_upcoming_is_in_the_past(seeded):
    now, _ = seeded
    appointments = list(Appointment.objects.select_related("referral", "accompanied_by"))
    assert appointments
    assert not [a for a in appointments if a.attendance == Attendance.UPCOMING and a.starts_at <= now]
    for a in appointments:
        if a.attendance == Attendance.UPCOMING:
            assert a.starts_at <= now + dt.timedelta(days=15)
            assert a.referral.status == Status.APPOINTMENT_BOOKED
            assert a.attendance_recorded_at is None
        else:
            assert a.attendance_recorded_at is not None and a.attendance_recorded_at > a.starts_at
        assert a.created_at <= now
    assert any(a.accompanied_by is not None for a in appointments)
    assert {a.accompanied_by.memberships.get().role for a in appointments if a.accompanied_by} == {
        "support_worker"
    }


def test_follow_up_tasks_follow_the_rules_and_are_open_only_while_waiting(seeded):
    tasks = list(Task.objects.exclude(rule=""))
    assert tasks
    keys = [t.dedupe_key for t in tasks]
    assert len(keys) == len(set(keys))
    waiting = {r.pk for r in Referral.objects.filter(status=Status.SENT, kind="active")}
    for task in tasks:
        if task.rule == "referral.no_acknowledgement":
            referral_id = int(task.dedupe_key.split(":")[1])
            assert (task.done_at is None) == (referral_id in waiting)


def test_demo_sites_are_placed_in_their_towns_and_teams_keep_notes_on_local_services(seeded):
    areas = {team.code: team.postcode_area for team in TEAMS}
    for site in Site.objects.select_related("team"):
        assert postcode_area(outward_code(site.postcode)) == areas[site.team.code]
        assert site.latitude is not None and site.longitude is not None
        town = AREAS[areas[site.team.code]]
        assert abs(site.latitude - town.latitude) < 0.1 and abs(site.longitude - town.longitude) < 0.15
    assert LocalKnowledge.objects.exists() and NamedContact.objects.exists()
    assert set(LocalKnowledge.objects.values_list("team__code", flat=True)) <= set(areas)
    for knowledge in LocalKnowledge.objects.select_related("updated_by"):
        assert knowledge.updated_by.memberships.filter(team_id=knowledge.team_id).exists()


def test_reset_leaves_no_directory_or_referral_rows_and_keeps_an_imported_service(seeded):
    kept_org = Organization.objects.create(id="imported-org", name="Imported", description="Real import")
    kept = Service.objects.create(id="imported-service", organization=kept_org, name="Kept Service")
    removed = demo_reset()
    assert removed["referrals.Referral"] > 0 and removed["directory.Service"] == 110
    for model in (Referral, ReferralStatus, Appointment, LocalKnowledge, NamedContact, Schedule, Attribute):
        assert not model.objects.exists(), model
    assert not Task.objects.exclude(rule="").exists()
    assert list(Service.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not Location.objects.filter(pk__startswith=SYNTHETIC_PREFIX).exists()
    assert list(Organization.objects.values_list("pk", flat=True)) == [kept_org.pk]


def test_the_command_takes_a_directory_size(db):
    out = io.StringIO()
    call_command("seed", people=20, seed=2, services=100, stdout=out, stderr=io.StringIO())
    assert Service.objects.count() == 100
    assert "100 services" in out.getvalue()
    call_command("seed", people=20, seed=2, services=0, reset=True, stdout=out, stderr=io.StringIO())
    assert not Service.objects.exists() and not Referral.objects.exists()


@pytest.mark.parametrize(
    ("prefixes", "area", "served"),
    [
        ("", "SW", True),  # no prefixes: anywhere
        ("SW1A SE1", "SW", True),
        ("SW1A SE1", "SE", True),
        ("SW1A SE1", "S", True),  # a start of a prefix, as startswith gives
        ("SW1A SE1", "SW1A", True),
        ("SW1A SE1", "SW1AA", False),  # longer than every prefix
        ("SW1A SE1", "W", False),  # inside a prefix, not its start
        ("SW1A SE1", "N", False),
        ("M", "M", True),
        ("M", "MK", False),
    ],
)
def test_a_service_serves_an_area_its_prefixes_start_with(prefixes, area, served):
    made = MadeService(
        id="x", name="x", kind=None, needs=(), area="ZZ", prefixes=prefixes, pattern="", status="active",
        minimum_age=None, maximum_age=None, eligible_sex="", location_id=None, place="", core=False,
    )  # fmt: skip
    assert made.serves(area) is served
    assert made.serves(area) is (not prefixes or any(p.startswith(area) for p in prefixes.split()))
