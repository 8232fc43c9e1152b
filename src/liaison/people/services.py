"""Writes to people: the record (create and update, with optimistic locking), the people to contact
for them, and the other names they are known by. Each validated and audited."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from liaison.core.access import Access, person_access
from liaison.core.audit import audit
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.models import User
from liaison.core.permissions import can
from liaison.matching.services.keys import match_keys_add, match_keys_refresh
from liaison.people.identifiers import (
    nhs_number_problem,
    normalise_nhs_number,
    normalise_pnc_id,
    pnc_id_problem,
)
from liaison.people.models import (
    PERSON_EDITABLE_FIELDS,
    Alias,
    ContactRelationship,
    Ethnicity,
    Person,
    PersonContact,
    Sex,
)
from liaison.rights.history import field_history_record

EDITABLE_FIELDS = PERSON_EDITABLE_FIELDS

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


def person_prepared(*, team_id: int | None, **fields: Any) -> Person:
    """Every check of person_create, and the unsaved person it would save (people_insert saves it).
    Raises ValidationError naming every bad field."""
    data = clean_person_fields(fields)
    missing = {
        n: "Enter the person's " + label
        for n, label in (("given_name", "first name"), ("family_name", "last name"))
        if not data.get(n)
    }
    if missing:
        raise ValidationError(missing)
    return Person(**data, **_search_fields(data), registered_by_team_id=team_id)


def people_insert(people: Sequence[Person]) -> None:
    """Save people checked by person_prepared, and their match keys: two statements however many.
    The caller audits, in the same transaction."""
    now = timezone.now()
    for person in people:
        person.created_at = person.updated_at = now
    Person.objects.bulk_create(people)
    match_keys_add(people)


def person_create(*, actor: User, team_id: int | None, role: str = "", **fields: Any) -> Person:
    """Register a person. Every check comes before the first write (person_prepared)."""
    person = person_prepared(team_id=team_id, **fields)
    with transaction.atomic(savepoint=False):
        people_insert([person])
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
    # Every change keeps its old value, who, when and why (rights.history): here, so no route can skip it.
    field_history_record(
        actor=actor, person_id=person.pk, version=version, changes=data, team_id=team_id, role=role
    )
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
    if {"given_name", "family_name", "preferred_name", "date_of_birth", "postcode"} & set(data):
        match_keys_refresh(person_ids=[person.pk])
    person.refresh_from_db()
    return person


# --- contacts and other names ---------------------------------------------------------------------


NOT_AN_EDITOR = "Only practitioners and team leads can change a person's record."
BREAK_GLASS_READ_ONLY = (
    "You opened this record by breaking the glass, which gives read-only access. "
    "Ask the person's own team to make the change."
)


def editing_refusal(actor: User, access: Access) -> str | None:
    """Why `actor` may not change a person's record reached through `access`, or None when they may.

    Breaking the glass lets a practitioner read a record, never change it: the grant is short,
    for one urgent reason, and reviewed afterwards (as for episodes in episodes.services).
    """
    if access.via == "break_glass":
        return BREAK_GLASS_READ_ONLY
    if access.via != "relationship" or not can(actor, "people.edit", access.team_id):
        return NOT_AN_EDITOR
    return None


def _require_edit(actor: User, person_id: int, team_id: int | None) -> None:
    # The views and the API check this too; the service refuses on its own so no edge can forget.
    refusal = editing_refusal(actor, person_access(actor, person_id))
    if refusal is None and not can(actor, "people.edit", team_id):
        refusal = NOT_AN_EDITOR  # the team the change is recorded for must allow it too
    if refusal is not None:
        raise NotPermitted(refusal)


def _limit(field: Any) -> int:
    return int(field.max_length or 0)


CONTACT_LIMITS = {
    name: _limit(PersonContact._meta.get_field(name)) for name in ("name", "phone", "email", "notes")
}
ALIAS_LIMITS = {name: _limit(Alias._meta.get_field(name)) for name in ("given_name", "family_name")}
CONTACT_LABELS = {"name": "Name", "phone": "Phone number", "email": "Email address", "notes": "Notes"}
# Digits, spaces, brackets and hyphens, with + only at the start: "01632 960 001", "+44 (0)1632 960001".
PHONE_RE = re.compile(r"^\+?[0-9 ()-]+$")
PHONE_MIN_DIGITS = 3  # 999 and 111 are real numbers to give an appropriate adult scheme
PHONE_MESSAGE = (
    "Enter a phone number using only numbers, spaces, brackets, hyphens and a leading +, like 01632 960 001"
)


def _one_line(value: str) -> str:
    return " ".join((value or "").split())


def clean_contact_fields(
    *, relationship: str, name: str, phone: str, email: str, notes: str
) -> dict[str, str]:
    """Validate and tidy a person contact. Raises ValidationError naming every bad field."""
    cleaned = {
        "relationship": (relationship or "").strip(),
        "name": _one_line(name),
        "phone": _one_line(phone),
        "email": (email or "").strip(),
        "notes": (notes or "").strip(),
    }
    errors: dict[str, str] = {}
    if cleaned["relationship"] not in ContactRelationship.values:
        errors["relationship"] = "Select who the contact is to the person"
    if not cleaned["name"]:
        errors["name"] = "Enter the contact's name"
    for field, limit in CONTACT_LIMITS.items():
        if len(cleaned[field]) > limit:
            errors[field] = f"{CONTACT_LABELS[field]} must be {limit:,} characters or fewer"
    phone = cleaned["phone"]
    if (
        phone
        and "phone" not in errors
        and (not PHONE_RE.match(phone) or sum(c.isdigit() for c in phone) < PHONE_MIN_DIGITS)
    ):
        errors["phone"] = PHONE_MESSAGE
    if cleaned["email"] and "email" not in errors:
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors["email"] = "Enter an email address in the correct format, like name@example.com"
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def person_contact_add(
    *,
    actor: User,
    person: Person,
    team_id: int | None,
    role: str,
    relationship: str,
    name: str,
    phone: str = "",
    email: str = "",
    notes: str = "",
) -> PersonContact:
    """Record someone to contact for the person: a parent or guardian, appropriate adult, next of kin..."""
    _require_edit(actor, person.pk, team_id)
    data = clean_contact_fields(relationship=relationship, name=name, phone=phone, email=email, notes=notes)
    contact = PersonContact.objects.create(person=person, **data)
    audit(
        actor=actor,
        action="person_contact.create",
        person_id=person.pk,
        team_id=team_id,
        role=role,
        object_type="person_contact",
        object_id=contact.pk,
        # The relationship, never the contact's name or number: they are personal data too.
        detail={"relationship": contact.relationship},
    )
    return contact


@transaction.atomic
def person_contact_remove(*, actor: User, contact: PersonContact, team_id: int | None, role: str) -> None:
    """Remove a contact recorded for the person. The audit event keeps who removed which, and when."""
    _require_edit(actor, contact.person_id, team_id)
    deleted, _ = PersonContact.objects.filter(pk=contact.pk).delete()
    if not deleted:
        return  # someone removed it a moment ago: the record is already as the user wants it
    audit(
        actor=actor,
        action="person_contact.delete",
        person_id=contact.person_id,
        team_id=team_id,
        role=role,
        object_type="person_contact",
        object_id=contact.pk,
        detail={"relationship": contact.relationship},
    )


@transaction.atomic
def alias_add(
    *, actor: User, person: Person, team_id: int | None, role: str, family_name: str, given_name: str = ""
) -> Alias:
    """Record another name the person is known by; searches by last name find them under it."""
    _require_edit(actor, person.pk, team_id)
    given, family = _one_line(given_name), _one_line(family_name)
    errors: dict[str, str] = {}
    if not family:
        errors["family_name"] = "Enter the last name they are also known by"
    for field, value, label in (("given_name", given, "First name"), ("family_name", family, "Last name")):
        if len(value) > ALIAS_LIMITS[field]:
            errors[field] = f"{label} must be {ALIAS_LIMITS[field]} characters or fewer"
    if (
        not errors
        and person.aliases.filter(family_name_search=family.lower(), given_name__iexact=given).exists()
    ):
        errors["family_name"] = "This name is already recorded for the person"
    if errors:
        raise ValidationError(errors)
    alias = Alias.objects.create(
        person=person, given_name=given, family_name=family, family_name_search=family.lower()
    )
    audit(
        actor=actor,
        action="alias.create",
        person_id=person.pk,
        team_id=team_id,
        role=role,
        object_type="alias",
        object_id=alias.pk,
    )
    match_keys_refresh(person_ids=[person.pk])
    return alias


@transaction.atomic
def alias_remove(*, actor: User, alias: Alias, team_id: int | None, role: str) -> None:
    """Remove another name the person was recorded as known by."""
    _require_edit(actor, alias.person_id, team_id)
    deleted, _ = Alias.objects.filter(pk=alias.pk).delete()
    if not deleted:
        return
    match_keys_refresh(person_ids=[alias.person_id])
    audit(
        actor=actor,
        action="alias.delete",
        person_id=alias.person_id,
        team_id=team_id,
        role=role,
        object_type="alias",
        object_id=alias.pk,
    )
