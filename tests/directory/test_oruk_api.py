"""The public ORUK 3.0 read API: answers validate against the schemas in shared/, published services only."""

from __future__ import annotations

import json
from functools import cache

import pytest
from django.test import Client
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from liaison.directory.importer import directory_import
from liaison.directory.models import LocalKnowledge, Service
from tests.directory.samples import SHARED, dumps, service

pytestmark = pytest.mark.django_db

VALIDATOR = SHARED / "oruk-3.0-validator"
UPSTREAM = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"


@cache
def _registry() -> Registry:
    """Every local schema under the address the upstream $refs use: nothing is fetched."""
    resources = []
    for path in [
        *(SHARED / "oruk-3.0/schema").glob("*.json"),
        *(SHARED / "oruk-3.0/schema/compiled").glob("*.json"),
    ]:
        relative = path.relative_to(SHARED / "oruk-3.0/schema").as_posix()
        resources.append(
            (UPSTREAM + relative, Resource.from_contents(json.loads(path.read_text()), DRAFT202012))
        )
    return Registry().with_resources(resources)


def _validate(instance, schema) -> None:
    Draft202012Validator(schema, registry=_registry()).validate(instance)


def _page_schema(name: str) -> dict:
    openapi = json.loads((SHARED / "oruk-3.0/openapi.json").read_text())
    page = openapi["components"]["schemas"]["Page"]
    listing = json.loads((VALIDATOR / f"{name}.json").read_text())
    return {"allOf": [page, listing], "required": [*page["properties"], "contents"]}


def _service_schema() -> dict:
    return json.loads((SHARED / "oruk-3.0/schema/compiled/service.json").read_text())


@pytest.fixture
def directory(team_a):
    directory_import(data=dumps([service(n) for n in range(1, 6)]))
    Service.objects.filter(id__in=["svc-1", "svc-2", "svc-3", "svc-4"]).update(published=True)
    Service.objects.filter(id="svc-4").update(status="defunct")
    Service.objects.filter(id="svc-2").update(minimum_age=25, eligible_sex="", name="Youth Hub")
    LocalKnowledge.objects.create(
        team=team_a, service_id="svc-1", relationship_notes="SECRET-NOTE ask for Sam"
    )


def test_api_details_validates():
    response = Client().get("/openreferral/")
    assert response.status_code == 200
    _validate(response.json(), json.loads((VALIDATOR / "api_details.json").read_text()))


def test_services_page_validates_and_holds_only_published_live_services(
    directory, django_assert_max_num_queries
):
    with django_assert_max_num_queries(13):
        response = Client().get("/openreferral/services", {"per_page": 100})
    body = response.json()
    _validate(body, _page_schema("service_list"))
    for item in body["contents"]:
        _validate(item, _service_schema())
    assert sorted(s["id"] for s in body["contents"]) == ["svc-1", "svc-2", "svc-3"]
    assert (body["total_items"], body["total_pages"], body["size"], body["empty"]) == (3, 1, 3, False)
    assert b"SECRET-NOTE" not in response.content


def test_the_page_envelope_pages(directory):
    first = Client().get("/openreferral/services", {"per_page": 2}).json()
    second = Client().get("/openreferral/services", {"per_page": 2, "page": 2}).json()
    beyond = Client().get("/openreferral/services", {"per_page": 2, "page": 9}).json()
    assert (first["first_page"], first["last_page"], first["total_pages"], first["size"]) == (
        True,
        False,
        2,
        2,
    )
    assert (second["first_page"], second["last_page"], second["size"]) == (False, True, 1)
    assert (beyond["empty"], beyond["contents"]) == (True, [])
    ids = [s["id"] for s in first["contents"] + second["contents"]]
    assert len(set(ids)) == 3


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"search": "youth"}, ["svc-2"]),
        ({"search": "shelter trust 3"}, ["svc-3"]),
        ({"taxonomy_term_id": "liaison-needs-housing"}, ["svc-1", "svc-2", "svc-3"]),
        ({"taxonomy_term_id": "liaison-eligibility-women-only"}, ["svc-1", "svc-3"]),
        ({"taxonomy_term_id": "no-such-term"}, []),
        ({"maximum_age": "20"}, ["svc-1", "svc-3"]),
        ({"minimum_age": "70"}, []),
    ],
)
def test_services_filters(directory, params, expected):
    body = Client().get("/openreferral/services", params).json()
    assert sorted(s["id"] for s in body["contents"]) == expected


@pytest.mark.parametrize(
    "params", [{"per_page": "101"}, {"page": "0"}, {"per_page": "x"}, {"minimum_age": "-1"}]
)
def test_bad_parameters_answer_400_naming_the_parameter(directory, params):
    response = Client().get("/openreferral/services", params)
    assert response.status_code == 400
    assert response.json()["parameter"] == next(iter(params))


def test_one_service_validates_and_an_unpublished_or_defunct_one_is_404(directory):
    response = Client().get("/openreferral/services/svc-1")
    _validate(response.json(), _service_schema())
    assert b"SECRET-NOTE" not in response.content
    for hidden in ("svc-5", "svc-4", "no-such-service"):
        assert Client().get(f"/openreferral/services/{hidden}").status_code == 404


def test_service_at_locations_validate(directory, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        body = Client().get("/openreferral/service_at_locations").json()
    _validate(body, _page_schema("service_at_location_list"))
    assert sorted(s["service_id"] for s in body["contents"]) == ["svc-1", "svc-2", "svc-3"]
    assert Client().get("/openreferral/service_at_locations/svc-5-sal-1").status_code == 404
    assert Client().get("/openreferral/service_at_locations/svc-1-sal-1").json()["location"]["id"] == "loc-1"


def test_taxonomies_and_terms_validate(directory, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        taxonomies = Client().get("/openreferral/taxonomies").json()
    _validate(taxonomies, _page_schema("taxonomy_list"))
    assert {"liaison-needs", "liaison-eligibility"} <= {t["id"] for t in taxonomies["contents"]}
    with django_assert_max_num_queries(4):
        terms = Client().get("/openreferral/taxonomy_terms", {"taxonomy_id": "liaison-eligibility"}).json()
    _validate(terms, _page_schema("taxonomy_term_list"))
    assert terms["total_items"] == 3
    assert Client().get("/openreferral/taxonomy_terms/liaison-needs-housing").json()["name"] == "Housing"
    assert Client().get("/openreferral/taxonomies/nope").status_code == 404


def test_writes_are_refused():
    assert Client().post("/openreferral/services").status_code == 405
