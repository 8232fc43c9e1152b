"""ORUK import and export: the round trip, re-import by id, bad records reported by path, v1 files."""

from __future__ import annotations

import io
import json

import jsonschema
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from liaison.core.models import AuditEvent
from liaison.directory.exporter import directory_export
from liaison.directory.importer import MalformedFile, directory_import
from liaison.directory.models import (
    Attribute,
    Contact,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
)
from tests.directory.samples import SHARED, copy_of, dumps, service, v1_service

pytestmark = pytest.mark.django_db


def _snapshot() -> dict:
    """Every modelled field of every service and its children, as comparable values."""

    def rows(model, *exclude):
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in exclude]
        return sorted(tuple(str(getattr(row, n)) for n in names) for row in model.objects.all())

    return {
        "services": rows(Service, "created_at", "updated_at", "version"),
        "organizations": rows(Organization),
        "attributes": rows(Attribute),
        "schedules": rows(Schedule),
        "areas": rows(ServiceArea),
        "locations": rows(Location),
        "service_at_locations": rows(ServiceAtLocation),
        "contacts": rows(Contact),
        "phones": rows(Phone),
        "costs": rows(CostOption),
        "languages": rows(Language),
    }


def _wipe() -> None:
    for model in (Service, Location, Organization):
        model.objects.all().delete()


def test_export_then_wipe_then_import_gives_the_same_services_field_by_field():
    result = directory_import(data=dumps([service(1), service(2, minimum_age=None, maximum_age=None)]))
    assert (result.created, result.updated, result.skipped) == (2, 0, 0)
    before = _snapshot()
    assert before["schedules"] and before["phones"] and before["areas"]
    shelter = Service.objects.get(id="svc-1")
    assert (shelter.eligible_sex, shelter.open_bank_holidays) == ("female", True)
    assert shelter.extra == {"assurer_email": "checker@example.org"}
    assert ServiceArea.objects.get(id="svc-1-area-1").postcode_prefixes == "LS WF1"
    assert Location.objects.get(id="loc-1").outward_code == "LS1"

    document = directory_export()
    _wipe()
    assert not Service.objects.exists()
    result = directory_import(data=json.dumps(document))
    assert (result.created, result.skipped) == (2, 0), result.problems
    assert _snapshot() == before


def test_the_exported_document_validates_against_the_oruk_schemas():
    directory_import(data=dumps([service(1), service(2)]))
    document = directory_export()
    compiled = json.loads((SHARED / "oruk-3.0/schema/compiled/service.json").read_text())
    for item in document["services"]:
        jsonschema.validate(item, compiled)
    taxonomy = json.loads((SHARED / "oruk-3.0/schema/taxonomy.json").read_text())
    term = json.loads((SHARED / "oruk-3.0/schema/taxonomy_term.json").read_text())
    for item in document["taxonomies"]:
        jsonschema.validate(
            item, {k: v for k, v in taxonomy.items() if k != "properties"} | {"properties": {}}
        )
        assert set(taxonomy["required"]) <= set(item)
    for item in document["taxonomy_terms"]:
        assert set(term["required"]) <= set(item)
    assert document["version"] == "HSDS 3.0"


def test_reimporting_twice_makes_no_duplicates_and_applies_an_edit():
    directory_import(data=dumps([service(1)]))
    edited = service(1, name="Night Shelter (new name)", attributes=[])
    edited["schedules"][0]["opens_at"] = "19:00"
    edited["contacts"][0]["phones"] = []
    edited["service_areas"] = []
    for _ in range(2):
        result = directory_import(data=dumps([edited]))
        assert (result.created, result.updated, result.skipped) == (0, 1, 0)
    assert Service.objects.count() == 1
    shelter = Service.objects.get(id="svc-1")
    assert shelter.name == "Night Shelter (new name)"
    assert (shelter.eligible_sex, shelter.open_bank_holidays) == ("", False)  # their attributes went
    assert Schedule.objects.get().opens_at.hour == 19
    assert not Phone.objects.exists() and not ServiceArea.objects.exists() and not Attribute.objects.exists()
    assert Contact.objects.count() == 1 and Location.objects.count() == 1


def test_reimport_keeps_the_local_decision_to_publish():
    directory_import(data=dumps([service(1)]))
    Service.objects.filter(id="svc-1").update(published=True)
    directory_import(data=dumps([service(1, name="Renamed")]))
    assert Service.objects.get(id="svc-1").published is True


def _bad(change):
    data = service(7)
    change(data)
    return data


BAD_RECORDS = [
    (
        "a time that is not a time of day",
        lambda d: d["schedules"][0].update(opens_at="25:00"),
        'services[1] (id svc-7) .schedules[0].opens_at: "25:00" is not a time of day',
    ),
    (
        "an unknown taxonomy term",
        lambda d: d["attributes"].append({"id": "a9", "taxonomy_term_id": "no-such-term"}),
        'services[1] (id svc-7) .attributes[3].taxonomy_term_id: "no-such-term" is not a known taxonomy term',
    ),
    ("a missing name", lambda d: d.pop("name"), "services[1] (id svc-7) .name: is required and missing"),
    (
        "a status not in the standard",
        lambda d: d.update(status="open"),
        'services[1] (id svc-7) .status: "open" is not one of active, inactive, defunct, temporarily closed',
    ),
    (
        "an age that is not a number",
        lambda d: d.update(minimum_age="eighteen"),
        'services[1] (id svc-7) .minimum_age: "eighteen" is not a whole number of years',
    ),
    (
        "a malformed child",
        lambda d: d.update(contacts=["Duty desk"]),
        'services[1] (id svc-7) .contacts[0]: should be an object, not "Duty desk"',
    ),
    (
        "a phone without a number",
        lambda d: d["contacts"][0]["phones"][0].pop("number"),
        "services[1] (id svc-7) .contacts[0].phones[0].number: is required and missing",
    ),
]


@pytest.mark.parametrize(("case", "change", "message"), BAD_RECORDS, ids=[c[0] for c in BAD_RECORDS])
def test_a_bad_record_is_reported_with_its_id_and_path_and_the_rest_still_load(case, change, message):
    result = directory_import(data=dumps([service(1), _bad(change), service(3)]))
    assert result.problems == [message]
    assert (result.created, result.skipped) == (2, 1)
    assert set(Service.objects.values_list("id", flat=True)) == {"svc-1", "svc-3"}
    assert not Schedule.objects.filter(id="svc-7-sch-1").exists()  # nothing of the bad one is left


def test_a_bad_edit_leaves_the_stored_service_as_it_was():
    directory_import(data=dumps([service(1)]))
    bad = service(1, name="Changed")
    bad["schedules"][0]["closes_at"] = "8pm"
    result = directory_import(data=dumps([bad]))
    assert result.skipped == 1
    assert Service.objects.get(id="svc-1").name == "Night Shelter 1"


def test_a_service_twice_in_one_file_is_reported_not_loaded_twice():
    result = directory_import(data=dumps([service(1), service(1, name="Again")]))
    assert result.problems == [
        "services[1] (id svc-1) .id: the same service is already in the file at services[0]"
    ]
    assert Service.objects.get().name == "Night Shelter 1"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "The file is not JSON"),
        (b'"a string"', "not an ORUK directory"),
        (b'{"items": []}', "not an ORUK directory"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_a_malformed_file_is_one_clear_error_and_nothing_changes(data, message):
    directory_import(data=dumps([service(1)]))
    before = _snapshot()
    with pytest.raises(MalformedFile, match=message):
        directory_import(data=data)
    assert _snapshot() == before


def test_a_services_page_envelope_is_accepted():
    result = directory_import(data=dumps({"total_items": 1, "contents": [service(1)]}))
    assert result.created == 1


def test_an_oruk_v1_file_is_detected_and_imported():
    result = directory_import(data=dumps({"content": [v1_service()], "totalElements": 1}))
    assert result.format == "v1" and result.problems == []
    advice = Service.objects.get(id="v1-svc")
    assert (advice.minimum_age, advice.maximum_age, advice.fees_description) == (16, 99, "Free")
    assert advice.extra["deliverable_type"] == "Advice"
    assert advice.extra["liaison_v1_holiday_schedules"][0]["closed"] is True
    days = sorted(Schedule.objects.filter(service=advice).values_list("byday", "freq", "opens_at"))
    assert [(d, f, t.strftime("%H:%M")) for d, f, t in days] == [
        ("MO", "WEEKLY", "09:30"),
        ("TH", "WEEKLY", "09:30"),
    ]
    attribute = Attribute.objects.select_related("taxonomy_term").get(service=advice)
    assert attribute.taxonomy_term.name == "Benefits advice"
    assert attribute.taxonomy_term.taxonomy_id == "bccservicecategory"
    location = Location.objects.get(id="v1-loc")
    assert (location.address_1, location.postal_code, location.outward_code) == (
        "2 Market St",
        "BD1 1AA",
        "BD1",
    )
    assert Phone.objects.get().contact_id == "v1-contact"
    assert Language.objects.get().name == "Urdu"
    assert ServiceArea.objects.get().description == "Bradford"


def test_a_bad_v1_record_is_reported_with_its_v1_path():
    bad = v1_service()
    bad["regular_schedules"][1]["closes_at"] = "16:75"
    result = directory_import(data=dumps([bad]), format="v1")
    assert result.problems == [
        'services[0] (id v1-svc) .regular_schedules[1].closes_at: "16:75" is not a time of day'
    ]


def test_the_commands_round_trip_and_report(tmp_path):
    source = tmp_path / "in.json"
    source.write_text(json.dumps([service(1), _bad(lambda d: d["schedules"][0].update(opens_at="25:00"))]))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("import_directory", str(source), stdout=out, stderr=io.StringIO())
    assert exited.value.code == 1
    text = out.getvalue()
    assert '.schedules[0].opens_at: "25:00" is not a time of day' in text
    assert "1 created, 0 updated, 1 skipped" in text
    assert AuditEvent.objects.filter(action="directory.import").exists()

    exported = tmp_path / "out.json"
    call_command("export_directory", "--out", str(exported), stderr=io.StringIO())
    assert [s["id"] for s in json.loads(exported.read_text())["services"]] == ["svc-1"]
    again = io.StringIO()
    call_command("import_directory", str(exported), stdout=again, stderr=io.StringIO())
    assert "0 created, 1 updated, 0 skipped" in again.getvalue()


def test_export_published_only_leaves_out_unpublished_and_defunct_services():
    directory_import(data=dumps([service(1), service(2), service(3, status="defunct")]))
    Service.objects.filter(id__in=["svc-2", "svc-3"]).update(published=True)
    document = directory_export(published_only=True)
    assert [s["id"] for s in document["services"]] == ["svc-2"]


def test_the_command_refuses_a_malformed_file(tmp_path):
    source = tmp_path / "bad.json"
    source.write_text("[1, 2")
    with pytest.raises(CommandError, match="not JSON.*Nothing was imported"):
        call_command("import_directory", str(source), stdout=io.StringIO(), stderr=io.StringIO())


def test_dry_run_saves_nothing():
    result = directory_import(data=dumps([service(1)]), dry_run=True)
    assert result.created == 1 and not Service.objects.exists()


def test_a_copy_of_the_sample_is_not_shared():
    # The helpers hand out fresh dicts, so one test's edits never leak into another's.
    first = copy_of(service(1))
    first["name"] = "x"
    assert service(1)["name"] == "Night Shelter 1"


def test_a_bad_taxonomy_term_in_an_export_document_is_reported():
    document = {
        "services": [service(1)],
        "taxonomies": [{"id": "local", "name": "Local", "description": "Ours"}],
        "taxonomy_terms": [{"id": "local-beds", "description": "no name", "taxonomy_id": "local"}],
    }
    result = directory_import(data=dumps(document))
    assert result.problems == ["taxonomy_terms[0].name: is required and missing"]
    assert result.created == 1
