"""Writes to people: create and update, validated, audited, with optimistic locking."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from liaison.core.audit import audit
from liaison.core.errors import StaleWrite
from liaison.core.models import User
from liaison.people.identifiers import (
    nhs_number_problem,
    normalise_nhs_number,
    normalise_pnc_id,
    pnc_id_problem,
)
from liaison.people.models import Ethnicity, Person, Sex

EDITABLE_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "gender_identity",
    "ethnicity",
    "nhs_number",
    "pnc_id",
    "local_id",
    "postcode",
    "no_fixed_abode",
    "language",
    "interpreter_needed",
    "communication_needs",
    "easy_read",
    "veteran",
    "care_leaver",
)

MAX_LENGTHS: dict[str, int] = {
    f.name: f.max_length for f in Person._meta.concrete_fields if f.max_length is not None
}


def clean_person_fields(data: dict[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    """Validate and normalise person fields. Raises ValidationError naming every bad field."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name, value in data.items():
        if name not in EDITABLE_FIELDS:
            errors[name] = f"{name} is not a field of a person"
            continue
        if isinstance(value, str):
            value = value.strip()
            if name == "nhs_number":
                value = normalise_nhs_number(value)
            elif name == "pnc_id":
                value = value.upper().replace(" ", "")
            limit = MAX_LENGTHS.get(name)
            if limit and len(value) > limit:
                errors[name] = f"{name.replace('_', ' ').capitalize()} must be {limit} characters or fewer"
                continue
        cleaned[name] = value
    for name in ("given_name", "family_name"):
        if name in cleaned and not cleaned[name]:
            errors[name] = "Enter the person's " + ("first name" if name == "given_name" else "last name")
    dob = cleaned.get("date_of_birth")
    if dob is not None:
        if not isinstance(dob, dt.date):
            errors["date_of_birth"] = "Enter a real date of birth"
        elif dob > today:
            errors["date_of_birth"] = "Date of birth must be in the past"
        elif dob.year < today.year - 120:
            errors["date_of_birth"] = "Date of birth must be within the last 120 years"
    if cleaned.get("nhs_number"):
        problem = nhs_number_problem(cleaned["nhs_number"])
        if problem:
            errors["nhs_number"] = problem
        else:
            cleaned["nhs_number"] = normalise_nhs_number(cleaned["nhs_number"])
    if cleaned.get("pnc_id"):
        problem = pnc_id_problem(cleaned["pnc_id"])
        if problem:
            errors["pnc_id"] = problem
        else:
            cleaned["pnc_id"] = normalise_pnc_id(cleaned["pnc_id"])
    if "sex" in cleaned and cleaned["sex"] not in Sex.values:
        errors["sex"] = "Select the person's sex from the list"
    if "ethnicity" in cleaned and cleaned["ethnicity"] not in Ethnicity.values:
        errors["ethnicity"] = "Select an ethnic category from the list"
    if cleaned.get("postcode"):
        cleaned["postcode"] = " ".join(cleaned["postcode"].upper().split())
    if errors:
        raise ValidationError(errors)
    return cleaned


def _search_fields(fields: dict[str, Any]) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if "given_name" in fields:
        extra["given_name_search"] = fields["given_name"].lower()
    if "family_name" in fields:
        extra["family_name_search"] = fields["family_name"].lower()
    return extra


@transaction.atomic
def person_create(*, actor: User, team_id: int | None, role: str = "", **fields: Any) -> Person:
    data = clean_person_fields(fields)
    missing = {
        n: "Enter the person's " + label
        for n, label in (("given_name", "first name"), ("family_name", "last name"))
        if not data.get(n)
    }
    if missing:
        raise ValidationError(missing)
    person = Person.objects.create(**data, **_search_fields(data), registered_by_team_id=team_id)
    audit(
        actor=actor,
        action="person.create",
        person_id=person.pk,
        team_id=team_id,
        role=role,
        object_type="person",
        object_id=person.pk,
    )
    return person


@transaction.atomic
def person_update(
    *, actor: User, person: Person, version: int, team_id: int | None, role: str = "", **fields: Any
) -> Person:
    """Save changed fields only if nobody else saved since `version`; otherwise raise StaleWrite."""
    data = clean_person_fields(fields)
    now = timezone.now()
    updated = Person.objects.filter(pk=person.pk, version=version).update(
        **data, **_search_fields(data), version=F("version") + 1, updated_at=now
    )
    if not updated:
        current = Person.objects.filter(pk=person.pk).values_list("version", flat=True).first()
        raise StaleWrite(object_type="person", object_id=person.pk, expected=version, current=current)
    audit(
        actor=actor,
        action="person.update",
        person_id=person.pk,
        team_id=team_id,
        role=role,
        object_type="person",
        object_id=person.pk,
        detail={"fields": sorted(data)},
    )
    person.refresh_from_db()
    return person
