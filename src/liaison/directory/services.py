"""Writes to the directory: services (team leads), and a team's own local knowledge and named contacts.

Directory records are not person data: any clinical member of any team reads them, and team leads
of any team keep them (the directory is shared). Local knowledge belongs to one team: only its own
members change it. Every write is checked, validated with errors keyed by field, version-locked
where two people could edit at once, and audited.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from liaison.core.audit import audit
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.models import User
from liaison.core.permissions import can, role_in
from liaison.directory.eligibility import outward_code, postcode_area
from liaison.directory.models import (
    EligibleSex,
    LocalKnowledge,
    NamedContact,
    Organization,
    ReferralRoute,
    Schedule,
    Service,
    ServiceArea,
    ServiceStatus,
)

TEXT_MAX = 5000
WAIT_DAYS_MAX = 365


def _require(actor: User, operation: str, team_id: int) -> str:
    if not can(actor, operation, team_id):
        raise NotPermitted(f"Your role cannot do this ({operation}) for this team")
    return role_in(actor, team_id) or ""


@dataclass(frozen=True)
class OpeningRow:
    """One row of opening times as the edit form gives it: days already read, times as typed."""

    days: list[str]
    opens_at: dt.time
    closes_at: dt.time
    schedule_id: str = ""


@dataclass
class ServiceInput:
    name: str
    organization_name: str
    description: str = ""
    status: str = ServiceStatus.ACTIVE
    minimum_age: int | None = None
    maximum_age: int | None = None
    eligible_sex: str = ""
    areas_served: str = ""  # postcode areas or districts, space or comma separated
    published: bool = False
    open_bank_holidays: bool = False
    url: str = ""
    email: str = ""
    fees_description: str = ""
    opening: list[OpeningRow] | None = None  # None: leave the schedules as they are


def _validate(data: ServiceInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = "Enter the service's name"
    elif len(data.name) > 200:
        errors["name"] = "The name must be 200 characters or fewer"
    if not data.organization_name.strip():
        errors["organization_name"] = "Enter the organisation that runs the service"
    elif len(data.organization_name) > 200:
        errors["organization_name"] = "The organisation's name must be 200 characters or fewer"
    if data.status not in ServiceStatus.values:
        errors["status"] = "Select the service's status"
    if data.eligible_sex not in EligibleSex.values:
        errors["eligible_sex"] = "Select who the service takes"
    for name in ("minimum_age", "maximum_age"):
        value = getattr(data, name)
        if value is not None and not 0 <= value <= 150:
            errors[name] = "Enter an age from 0 to 150"
    if (
        data.minimum_age is not None
        and data.maximum_age is not None
        and "minimum_age" not in errors
        and data.minimum_age > data.maximum_age
    ):
        errors["maximum_age"] = "The oldest age must be the same as or more than the youngest age"
    if len(data.description) > TEXT_MAX:
        errors["description"] = f"The description must be {TEXT_MAX} characters or fewer"
    bad = [p for p in _prefixes(data.areas_served) if not (outward_code(p) == p or postcode_area(p) == p)]
    if bad:
        errors["areas_served"] = (
            f"{', '.join(bad)} {'is not a postcode area' if len(bad) == 1 else 'are not postcode areas'} "
            "or districts: enter them like LS, WF1 or BD10"
        )
    elif len(" ".join(_prefixes(data.areas_served))) > 500:
        errors["areas_served"] = "List fewer areas (at most 500 characters)"
    return errors


def _prefixes(text: str) -> list[str]:
    return list(dict.fromkeys(text.upper().replace(",", " ").split()))


def _organization(name: str) -> Organization:
    name = name.strip()
    found = Organization.objects.filter(name__iexact=name).order_by("id").first()
    return found or Organization.objects.create(id=str(uuid.uuid4()), name=name)


def _apply(service: Service, data: ServiceInput) -> None:
    service.name = data.name.strip()
    service.description = data.description.strip()
    service.status = data.status
    service.minimum_age = data.minimum_age
    service.maximum_age = data.maximum_age
    service.eligible_sex = data.eligible_sex
    service.published = data.published
    service.open_bank_holidays = data.open_bank_holidays
    service.url = data.url.strip()
    service.email = data.email.strip()
    service.fees_description = data.fees_description.strip()


def _save_areas(service: Service, areas_served: str) -> None:
    prefixes = " ".join(_prefixes(areas_served))
    areas = list(service.service_areas.order_by("id"))
    with_prefixes = [area for area in areas if area.postcode_prefixes]
    target = with_prefixes[0] if with_prefixes else (areas[0] if areas else None)
    if target is None:
        if prefixes:
            ServiceArea.objects.create(id=f"{service.id}-area", service=service, postcode_prefixes=prefixes)
        return
    target.postcode_prefixes = prefixes
    target.save(update_fields=["postcode_prefixes"])
    # Other areas' prefixes are folded into this one: the form shows and edits one list.
    for area in with_prefixes[1:]:
        area.postcode_prefixes = ""
        area.save(update_fields=["postcode_prefixes"])


def _save_opening(service: Service, rows: list[OpeningRow]) -> None:
    """The weekly opening times become exactly these rows; other schedules (monthly...) are kept."""
    weekly = {s.id: s for s in service.schedules.filter(service_at_location__isnull=True) if _is_simple(s)}
    kept = set()
    for row in rows:
        schedule = weekly.get(row.schedule_id) or Schedule(id=str(uuid.uuid4()), service=service)
        schedule.freq = "WEEKLY"
        schedule.byday = ",".join(row.days)
        schedule.opens_at = row.opens_at
        schedule.closes_at = row.closes_at
        schedule.save()
        kept.add(schedule.id)
    Schedule.objects.filter(id__in=set(weekly) - kept).delete()


def _is_simple(schedule: Schedule) -> bool:
    """A weekly schedule the edit form can show as one row (days, opens, closes)."""
    return (
        schedule.freq in {"", "WEEKLY"}
        and not schedule.bymonthday
        and (schedule.interval or 1) == 1
        and schedule.opens_at is not None
        and schedule.closes_at is not None
    )


def editable_schedules(service: Service) -> list[Schedule]:
    return [s for s in service.schedules.all() if s.service_at_location_id is None and _is_simple(s)]


@transaction.atomic
def service_create(*, actor: User, team_id: int, data: ServiceInput) -> Service:
    role = _require(actor, "directory.edit", team_id)
    errors = _validate(data)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    service = Service(
        id=str(uuid.uuid4()),
        organization=_organization(data.organization_name),
        maintained_by_id=team_id,
        created_at=now,
        updated_at=now,
        last_modified=now,
    )
    _apply(service, data)
    service.save()
    _save_areas(service, data.areas_served)
    if data.opening is not None:
        _save_opening(service, data.opening)
    audit(
        actor=actor,
        action="directory.service_create",
        team_id=team_id,
        role=role,
        object_type="service",
        object_id=service.id,
    )
    return service


@transaction.atomic
def service_update(
    *, actor: User, team_id: int, service: Service, version: int, data: ServiceInput
) -> Service:
    role = _require(actor, "directory.edit", team_id)
    current = Service.objects.select_for_update().select_related("organization").get(pk=service.pk)
    if current.version != version:
        raise StaleWrite(
            object_type="service", object_id=current.pk, expected=version, current=current.version
        )
    errors = _validate(data)
    if errors:
        raise ValidationError(errors)
    changed = [
        name
        for name in (
            "name",
            "description",
            "status",
            "minimum_age",
            "maximum_age",
            "eligible_sex",
            "published",
        )
        if getattr(current, name) != getattr(data, name)
    ]
    if current.organization.name.strip().lower() != data.organization_name.strip().lower():
        current.organization = _organization(data.organization_name)
        changed.append("organization")
    _apply(current, data)
    now = timezone.now()
    current.version += 1
    current.updated_at = now
    current.last_modified = now
    current.save()
    _save_areas(current, data.areas_served)
    if data.opening is not None:
        _save_opening(current, data.opening)
    audit(
        actor=actor,
        action="directory.service_update",
        team_id=team_id,
        role=role,
        object_type="service",
        object_id=current.id,
        detail={"changed": changed} if changed else None,
    )
    return current


# --- the team's own layer --------------------------------------------------------------------------


@dataclass
class KnowledgeInput:
    relationship_notes: str = ""
    last_contact_on: dt.date | None = None
    referral_routes: list[str] | None = None
    how_to_refer: str = ""
    typical_wait_days: int | None = None
    accepts_from_custody: bool | None = None
    accepts_from_court: bool | None = None


@transaction.atomic
def local_knowledge_save(
    *, actor: User, team_id: int, service: Service, version: int, data: KnowledgeInput
) -> LocalKnowledge:
    """Create or update the team's notes on the service. `version` is 0 when there were none yet."""
    role = _require(actor, "directory.local_knowledge", team_id)
    knowledge = LocalKnowledge.objects.select_for_update().filter(team_id=team_id, service=service).first()
    current_version = knowledge.version if knowledge else 0
    if current_version != version:
        raise StaleWrite(
            object_type="local knowledge", object_id=service.pk, expected=version, current=current_version
        )
    errors: dict[str, str] = {}
    routes = list(dict.fromkeys(data.referral_routes or []))
    if any(route not in ReferralRoute.values for route in routes):
        errors["referral_routes"] = "Select how the service accepts referrals"
    if data.typical_wait_days is not None and not 0 <= data.typical_wait_days <= WAIT_DAYS_MAX:
        errors["typical_wait_days"] = f"Enter a wait from 0 to {WAIT_DAYS_MAX} days"
    if data.last_contact_on is not None and data.last_contact_on > timezone.localdate():
        errors["last_contact_on"] = "The last contact must be today or in the past"
    for name in ("relationship_notes", "how_to_refer"):
        if len(getattr(data, name)) > TEXT_MAX:
            errors[name] = f"Keep this to {TEXT_MAX} characters or fewer"
    if errors:
        raise ValidationError(errors)
    if knowledge is None:
        knowledge = LocalKnowledge(team_id=team_id, service=service, version=0)
    knowledge.relationship_notes = data.relationship_notes.strip()
    knowledge.last_contact_on = data.last_contact_on
    knowledge.referral_routes = routes
    knowledge.how_to_refer = data.how_to_refer.strip()
    knowledge.typical_wait_days = data.typical_wait_days
    knowledge.accepts_from_custody = data.accepts_from_custody
    knowledge.accepts_from_court = data.accepts_from_court
    knowledge.updated_by = actor
    knowledge.updated_at = timezone.now()
    knowledge.version += 1
    knowledge.save()
    audit(
        actor=actor,
        action="directory.local_knowledge_update",
        team_id=team_id,
        role=role,
        object_type="service",
        object_id=service.id,
    )
    return knowledge


@transaction.atomic
def named_contact_add(*, actor: User, team_id: int, service: Service, data: dict[str, Any]) -> NamedContact:
    role = _require(actor, "directory.local_knowledge", team_id)
    errors: dict[str, str] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = "Enter the contact's name"
    limits = {"name": 150, "role": 150, "phone": 40, "email": 254, "notes": 500}
    values = {key: str(data.get(key) or "").strip() for key in limits}
    for key, limit in limits.items():
        if len(values[key]) > limit and key not in errors:
            errors[key] = f"Keep this to {limit} characters or fewer"
    if values["email"] and "@" not in values["email"]:
        errors["email"] = "Enter an email address in the correct format, like name@example.com"
    if errors:
        raise ValidationError(errors)
    contact = NamedContact.objects.create(team_id=team_id, service=service, **values)
    audit(
        actor=actor,
        action="directory.contact_add",
        team_id=team_id,
        role=role,
        object_type="named_contact",
        object_id=contact.pk,
        detail={"service": service.id},
    )
    return contact


@transaction.atomic
def named_contact_remove(*, actor: User, contact: NamedContact) -> None:
    role = _require(actor, "directory.local_knowledge", contact.team_id)
    audit(
        actor=actor,
        action="directory.contact_remove",
        team_id=contact.team_id,
        role=role,
        object_type="named_contact",
        object_id=contact.pk,
        detail={"service": contact.service_id},
    )
    contact.delete()
