"""The people API: find, read, create and correct a person's record.

Reads go through the access policy (core.access), which answers 404 for "missing" and "not
yours" alike and audits the read; writes call people.services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from liaison.api.common import ERROR_CODES, actor, patch_field, resolve_team, text
from liaison.api.idempotency import idempotent
from liaison.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, paginate
from liaison.api.problems import Problem, field_problem, service_errors
from liaison.core.access import get_person_for_user, visible_people
from liaison.core.audit import audit
from liaison.core.errors import NotPermitted
from liaison.core.permissions import can, role_in
from liaison.people.identifiers import (
    nhs_number_problem,
    normalise_nhs_number,
    normalise_pnc_id,
    pnc_id_problem,
)
from liaison.people.models import Ethnicity, Person, Sex
from liaison.people.services import person_create, person_update

router = Router(tags=["people"])

SEX_DOC = {"enum": list(Sex.values), "description": "NHS Data Dictionary person stated sex code"}
ETHNICITY_DOC = {"enum": list(Ethnicity.values), "description": "NHS Data Dictionary ethnic category code"}


class PersonOut(Schema):
    id: int
    version: int
    given_name: str
    family_name: str
    preferred_name: str
    date_of_birth: dt.date | None
    sex: str
    gender_identity: str
    ethnicity: str
    nhs_number: str
    pnc_id: str
    local_id: str
    postcode: str
    no_fixed_abode: bool
    language: str
    interpreter_needed: bool
    communication_needs: str
    easy_read: bool
    veteran: bool | None
    care_leaver: bool | None


class PersonFields(Schema):
    """A new person's details. Only the names are required."""

    model_config = ConfigDict(extra="forbid")

    given_name: str = text(100)
    family_name: str = text(100)
    preferred_name: str = text(100, "")
    date_of_birth: dt.date | None = None
    sex: str = text(2, Sex.NOT_KNOWN.value, json_schema_extra=SEX_DOC)
    gender_identity: str = text(60, "")
    ethnicity: str = text(2, Ethnicity.NOT_KNOWN.value, json_schema_extra=ETHNICITY_DOC)
    nhs_number: str = text(20, "", description="10 digits with a valid check digit; spaces are allowed")
    pnc_id: str = text(20, "", description="Police National Computer ID, like 05/123456R")
    local_id: str = text(40, "")
    postcode: str = text(8, "")
    no_fixed_abode: bool = False
    language: str = text(60, "English")
    interpreter_needed: bool = False
    communication_needs: str = text(5000, "")
    easy_read: bool = False
    veteran: bool | None = None
    care_leaver: bool | None = None


class PersonCreateIn(PersonFields):
    team_id: int | None = None


class PersonPatchIn(Schema):
    """Send `version` (from your last read) and only the fields to change."""

    model_config = ConfigDict(extra="forbid")

    version: int
    given_name: str = patch_field(100)
    family_name: str = patch_field(100)
    preferred_name: str = patch_field(100)
    date_of_birth: dt.date | None = None
    sex: str = patch_field(2, json_schema_extra=SEX_DOC)
    gender_identity: str = patch_field(60)
    ethnicity: str = patch_field(2, json_schema_extra=ETHNICITY_DOC)
    nhs_number: str = patch_field(20)
    pnc_id: str = patch_field(20)
    local_id: str = patch_field(40)
    postcode: str = patch_field(8)
    no_fixed_abode: bool = patch_field()
    language: str = patch_field(60)
    interpreter_needed: bool = patch_field()
    communication_needs: str = patch_field(5000)
    easy_read: bool = patch_field()
    veteran: bool | None = None
    care_leaver: bool | None = None


def identifiers_normalised(fields: dict[str, Any]) -> dict[str, Any]:
    """Take the spaces out of identifiers as typed ("943 476 5919") before the service checks them.

    people.services checks the stored length before it normalises, so it would refuse a spaced
    NHS number; the services still validate the result.
    """
    if isinstance(fields.get("nhs_number"), str):
        fields["nhs_number"] = normalise_nhs_number(fields["nhs_number"])
    if isinstance(fields.get("pnc_id"), str):
        fields["pnc_id"] = normalise_pnc_id(fields["pnc_id"])
    return fields


def _name_filter(people: QuerySet[Person], q: str) -> QuerySet[Person]:
    # Each word must start the given or the family name: "al riv" finds Alex Rivers. The lower-cased
    # copies keep the match case-insensitive and indexed on both databases.
    for word in q.lower().split():
        people = people.filter(Q(family_name_search__startswith=word) | Q(given_name_search__startswith=word))
    return people


@router.get("/people", response={200: Page[PersonOut], ERROR_CODES: Problem})
def list_people(
    request: HttpRequest,
    q: str | None = Query(None, max_length=100, description="Start of a given or family name"),
    date_of_birth: dt.date | None = None,
    nhs_number: str | None = Query(None, max_length=20),
    pnc_id: str | None = Query(None, max_length=20),
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """People you may see, in name order. The list read is audited with the ids returned."""
    user = actor(request)
    people = visible_people(user)
    filters: dict[str, str] = {}
    if q and q.strip():
        people = _name_filter(people, q)
        filters["q"] = q.strip()
    if date_of_birth is not None:
        people = people.filter(date_of_birth=date_of_birth)
        filters["date_of_birth"] = date_of_birth.isoformat()
    if nhs_number:
        if problem := nhs_number_problem(nhs_number):
            raise field_problem("nhs_number", problem)
        filters["nhs_number"] = normalise_nhs_number(nhs_number)
        people = people.filter(nhs_number=filters["nhs_number"])
    if pnc_id:
        if problem := pnc_id_problem(pnc_id):
            raise field_problem("pnc_id", problem)
        filters["pnc_id"] = normalise_pnc_id(pnc_id)
        people = people.filter(pnc_id=filters["pnc_id"])
    rows, next_cursor = paginate(
        people,
        kind="people",
        order=("family_name_search", "given_name_search", "id"),
        cursor=cursor,
        limit=limit,
    )
    audit(
        actor=user,
        action="person.list",
        object_type="person",
        detail={"person_ids": [p.pk for p in rows], "filters": filters},
    )
    return {"items": rows, "next_cursor": next_cursor}


@router.post("/people", response={201: PersonOut, ERROR_CODES: Problem})
@idempotent
def create_person(request: HttpRequest, payload: PersonCreateIn) -> Status:
    """Record a person. Most people arrive with an episode: POST /arrivals does both at once.

    A person recorded here is visible to the team that recorded them (and, later, to any team
    with an episode for them).
    """
    user = actor(request)
    team = resolve_team(user, payload.team_id, "people.edit")
    fields = identifiers_normalised(payload.model_dump(exclude={"team_id"}))
    with service_errors():
        person = person_create(actor=user, team_id=team.pk, role=role_in(user, team) or "", **fields)
    return Status(201, person)


@router.get("/people/{person_id}", response={200: PersonOut, ERROR_CODES: Problem})
def get_person(request: HttpRequest, person_id: int) -> Person:
    person, _ = get_person_for_user(actor(request), person_id)
    return person


@router.patch("/people/{person_id}", response={200: PersonOut, ERROR_CODES: Problem})
def update_person(request: HttpRequest, person_id: int, payload: PersonPatchIn) -> Person:
    """Correct a person's details. A stale `version` is refused with 409 and nothing changes."""
    user = actor(request)
    person, access = get_person_for_user(user, person_id)
    if not can(user, "people.edit", access.team_id):
        raise NotPermitted("Your role cannot change a person's details")
    fields = identifiers_normalised(payload.model_dump(exclude_unset=True))
    version = fields.pop("version")
    if not fields:
        raise field_problem("body", "Send at least one field to change, with the version")
    with service_errors():
        return person_update(
            actor=user, person=person, version=version, team_id=access.team_id, role=access.role, **fields
        )
