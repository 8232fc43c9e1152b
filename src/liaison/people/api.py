"""The people API: find, read, create and correct a person's record, their contacts and other names.

Reads go through the access policy (core.access), which answers 404 for "missing" and "not
yours" alike and audits the read; writes call people.services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from liaison.api.common import ERROR_CODES, Id, actor, patch_field, resolve_team, text
from liaison.api.idempotency import idempotent
from liaison.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, paginate
from liaison.api.problems import Problem, field_problem, service_errors
from liaison.core.access import (
    Access,
    deny,
    first_clinical_membership,
    get_person_for_user,
    visible_people,
)
from liaison.core.audit import audit
from liaison.core.errors import NotPermitted
from liaison.core.models import User
from liaison.core.permissions import role_in
from liaison.matching.records import merged_away
from liaison.people.identifiers import (
    nhs_number_problem,
    normalise_nhs_number,
    normalise_pnc_id,
    pnc_id_problem,
)
from liaison.people.models import ContactRelationship, Ethnicity, Person, Sex
from liaison.people.queries import alias_of, contact_of, first_or_last_named
from liaison.people.services import (
    ALIAS_LIMITS,
    CONTACT_LIMITS,
    alias_add,
    alias_remove,
    editing_refusal,
    person_contact_add,
    person_contact_remove,
    person_create,
    person_update,
)

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
    team_id: Id | None = None


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


class PersonSearchIn(Schema):
    """Search terms travel in the body, never the address: addresses end up in logs and histories."""

    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(None, max_length=100, description="Start of a given or family name")
    date_of_birth: dt.date | None = None
    nhs_number: str | None = Field(None, max_length=20)
    pnc_id: str | None = Field(None, max_length=20)
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


def _findable(user: User) -> QuerySet[Person]:
    """People the user may see, without records merged into another: those are found as the survivor."""
    return visible_people(user).filter(~merged_away())


def _people_page(
    request: HttpRequest,
    people: QuerySet[Person],
    *,
    cursor: str | None,
    limit: int,
    action: str,
    criteria: list[str],
) -> dict[str, Any]:
    user = actor(request)
    rows, next_cursor = paginate(
        people,
        kind="people",
        order=("family_name_search", "given_name_search", "id"),
        cursor=cursor,
        limit=limit,
    )
    membership = first_clinical_membership(user)
    audit(
        actor=user,
        action=action,
        team_id=membership[0] if membership else None,
        role=membership[1] if membership else "",
        object_type="person",
        # Which boxes were used, never what was typed in them.
        detail={"criteria": criteria},
        person_ids=[p.pk for p in rows],
    )
    return {"items": rows, "next_cursor": next_cursor}


@router.get("/people", response={200: Page[PersonOut], ERROR_CODES: Problem})
def list_people(
    request: HttpRequest,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """People you may see, in name order. To find someone, POST /people/search. Audited with the ids."""
    people = _findable(actor(request))
    return _people_page(request, people, cursor=cursor, limit=limit, action="person.list", criteria=[])


@router.post("/people/search", response={200: Page[PersonOut], ERROR_CODES: Problem})
def search_people(request: HttpRequest, payload: PersonSearchIn) -> dict[str, Any]:
    """Find people you may see by name, date of birth, NHS number or PNC ID (all given must match).

    Not idempotency-keyed: it changes nothing. Audited with the ids returned and the kinds of
    criteria used, never the terms.
    """
    people = _findable(actor(request))
    criteria: list[str] = []
    if payload.q and payload.q.strip():
        people = first_or_last_named(people, payload.q, actor(request))
        criteria.append("name")
    if payload.date_of_birth is not None:
        people = people.filter(date_of_birth=payload.date_of_birth)
        criteria.append("date_of_birth")
    if payload.nhs_number:
        if problem := nhs_number_problem(payload.nhs_number):
            raise field_problem("nhs_number", problem)
        people = people.filter(nhs_number=normalise_nhs_number(payload.nhs_number))
        criteria.append("nhs_number")
    if payload.pnc_id:
        if problem := pnc_id_problem(payload.pnc_id):
            raise field_problem("pnc_id", problem)
        people = people.filter(pnc_id=normalise_pnc_id(payload.pnc_id))
        criteria.append("pnc_id")
    return _people_page(
        request, people, cursor=payload.cursor, limit=payload.limit, action="person.search", criteria=criteria
    )


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


def _person_to_change(user: User, person_id: int) -> tuple[Person, Access]:
    """The person (404 when not the user's, audited) and how reached, when the user's role may change them."""
    person, access = get_person_for_user(user, person_id)
    if refusal := editing_refusal(user, access):
        raise NotPermitted(refusal)
    return person, access


@router.patch("/people/{person_id}", response={200: PersonOut, ERROR_CODES: Problem})
def update_person(request: HttpRequest, person_id: int, payload: PersonPatchIn) -> Person:
    """Correct a person's details. A stale `version` is refused with 409 and nothing changes."""
    user = actor(request)
    person, access = _person_to_change(user, person_id)
    fields = identifiers_normalised(payload.model_dump(exclude_unset=True))
    version = fields.pop("version")
    if not fields:
        raise field_problem("body", "Send at least one field to change, with the version")
    with service_errors():
        return person_update(
            actor=user, person=person, version=version, team_id=access.team_id, role=access.role, **fields
        )


# --- contacts and other names -------------------------------------------------------------------------


class PersonContactOut(Schema):
    id: int
    person_id: int
    relationship: str
    name: str
    phone: str
    email: str
    notes: str


class PersonContactIn(Schema):
    model_config = ConfigDict(extra="forbid")

    relationship: str = text(
        20,
        json_schema_extra={
            "enum": list(ContactRelationship.values),
            "description": "Who the contact is to the person",
        },
    )
    name: str = text(CONTACT_LIMITS["name"])
    phone: str = text(
        CONTACT_LIMITS["phone"], "", description="Numbers, spaces, brackets, hyphens and a leading +"
    )
    email: str = text(CONTACT_LIMITS["email"], "")
    notes: str = text(CONTACT_LIMITS["notes"], "")


@router.get("/people/{person_id}/contacts", response={200: Page[PersonContactOut], ERROR_CODES: Problem})
def list_person_contacts(
    request: HttpRequest,
    person_id: int,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """The people to contact for this person (parent or guardian, appropriate adult...), oldest first."""
    person, _ = get_person_for_user(actor(request), person_id, action="person_contact.list")
    rows, next_cursor = paginate(
        person.contacts.all(), kind="person_contacts", order=("id",), cursor=cursor, limit=limit
    )
    return {"items": rows, "next_cursor": next_cursor}


@router.post("/people/{person_id}/contacts", response={201: PersonContactOut, ERROR_CODES: Problem})
@idempotent
def create_person_contact(request: HttpRequest, person_id: int, payload: PersonContactIn) -> Status:
    """Record someone to contact for the person."""
    user = actor(request)
    person, access = _person_to_change(user, person_id)
    with service_errors():
        contact = person_contact_add(
            actor=user, person=person, team_id=access.team_id, role=access.role, **payload.model_dump()
        )
    return Status(201, contact)


@router.delete("/people/{person_id}/contacts/{contact_id}", response={204: None, ERROR_CODES: Problem})
def delete_person_contact(request: HttpRequest, person_id: int, contact_id: int) -> Status:
    """Remove a contact. A contact that is not this person's answers 404, as a missing one does."""
    user = actor(request)
    person, access = _person_to_change(user, person_id)
    contact = contact_of(person, contact_id)
    if contact is None:
        raise deny(user, object_type="person_contact", object_id=contact_id, person_id=person.pk)
    person_contact_remove(actor=user, contact=contact, team_id=access.team_id, role=access.role)
    return Status(204, None)


class AliasOut(Schema):
    id: int
    person_id: int
    given_name: str
    family_name: str


class AliasIn(Schema):
    model_config = ConfigDict(extra="forbid")

    given_name: str = text(ALIAS_LIMITS["given_name"], "")
    family_name: str = text(ALIAS_LIMITS["family_name"])


@router.get("/people/{person_id}/aliases", response={200: Page[AliasOut], ERROR_CODES: Problem})
def list_aliases(
    request: HttpRequest,
    person_id: int,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """Other names the person is known by, oldest first."""
    person, _ = get_person_for_user(actor(request), person_id, action="alias.list")
    rows, next_cursor = paginate(
        person.aliases.all(), kind="aliases", order=("id",), cursor=cursor, limit=limit
    )
    return {"items": rows, "next_cursor": next_cursor}


@router.post("/people/{person_id}/aliases", response={201: AliasOut, ERROR_CODES: Problem})
@idempotent
def create_alias(request: HttpRequest, person_id: int, payload: AliasIn) -> Status:
    """Record another name the person is known by. Searches by last name find them under it."""
    user = actor(request)
    person, access = _person_to_change(user, person_id)
    with service_errors():
        alias = alias_add(
            actor=user, person=person, team_id=access.team_id, role=access.role, **payload.model_dump()
        )
    return Status(201, alias)


@router.delete("/people/{person_id}/aliases/{alias_id}", response={204: None, ERROR_CODES: Problem})
def delete_alias(request: HttpRequest, person_id: int, alias_id: int) -> Status:
    """Remove another name. One that is not this person's answers 404, as a missing one does."""
    user = actor(request)
    person, access = _person_to_change(user, person_id)
    alias = alias_of(person, alias_id)
    if alias is None:
        raise deny(user, object_type="alias", object_id=alias_id, person_id=person.pk)
    alias_remove(actor=user, alias=alias, team_id=access.team_id, role=access.role)
    return Status(204, None)
