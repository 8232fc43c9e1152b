"""/api/v1/services: search with cursor paging, one service with the caller's own team's notes."""

from __future__ import annotations

import pytest

from liaison.core.models import Role
from liaison.directory.importer import directory_import
from liaison.directory.models import LocalKnowledge
from tests.api.conftest import token_client
from tests.directory.samples import dumps, service
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(db):
    directory_import(
        data=dumps([service(n) for n in range(1, 8)] + [service(9, name="Advice Line", attributes=[])])
    )


def test_services_page_through_with_a_cursor(practitioner, directory, django_assert_max_num_queries):
    client = token_client(practitioner)
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        with django_assert_max_num_queries(8):
            body = client.get("/api/v1/services", params).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 8


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "advice"}, ["svc-9"]),
        ({"need": "housing", "q": "shelter 7"}, ["svc-7"]),
        ({"status": "defunct"}, []),
    ],
)
def test_services_search(practitioner, directory, params, expected):
    body = token_client(practitioner).get("/api/v1/services", params).json()
    assert [item["id"] for item in body["items"]] == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [({"need": "flying"}, "need"), ({"status": "open"}, "status"), ({"cursor": "bm9wZQ"}, "cursor")],
)
def test_bad_parameters_name_the_field(practitioner, directory, params, field):
    response = token_client(practitioner).get("/api/v1/services", params)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


def test_one_service_shows_only_the_callers_own_teams_notes(practitioner, outsider, team_a, directory):
    LocalKnowledge.objects.create(
        team=team_a, service_id="svc-1", relationship_notes="Team A only", version=1
    )
    mine = token_client(practitioner).get("/api/v1/services/svc-1").json()
    assert mine["opening_times"] == ["Every day, 8pm to 8am (overnight)", "Open on bank holidays"]
    assert mine["needs"] == ["housing"] and mine["eligible_sex"] == "female"
    assert [k["relationship_notes"] for k in mine["local_knowledge"]] == ["Team A only"]
    theirs = token_client(outsider).get("/api/v1/services/svc-1")
    assert theirs.status_code == 200 and theirs.json()["local_knowledge"] == []
    assert token_client(practitioner).get("/api/v1/services/nope").status_code == 404


def test_non_clinical_roles_are_refused(team_a, directory):
    commissioner = token_client(member(team_a, Role.COMMISSIONER))
    assert commissioner.get("/api/v1/services").status_code == 403
    assert commissioner.get("/api/v1/services/svc-1").status_code == 403
