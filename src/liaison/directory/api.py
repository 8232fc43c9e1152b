"""The directory API: services with search and cursor paging, and one service with the caller's own
team's notes on it.

The same rule as the pages: any clinical member of any team reads the directory (directory.view in
one of their teams); local knowledge is shown only for the caller's own teams. For the public,
standard read API, see /openreferral/ (oruk_api.py).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from liaison.api.common import ERROR_CODES, actor
from liaison.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from liaison.api.problems import TYPE_FORBIDDEN, ApiProblem, Problem, field_problem
from liaison.core.permissions import teams_for
from liaison.directory import presenters
from liaison.directory.models import Service, ServiceStatus
from liaison.directory.queries import get_service, knowledge_for_teams, search_services
from liaison.directory.taxonomy import NEEDS_TAXONOMY_ID, need_labels

router = Router(tags=["directory"])

CURSOR_KIND = "services"


class ServiceSummaryOut(Schema):
    id: str = Field(description="The ORUK id (a string, usually a UUID)")
    name: str
    organization: str
    status: str = Field(description="active, inactive, defunct or temporarily closed")
    description: str
    minimum_age: int | None
    maximum_age: int | None
    eligible_sex: str = Field(description='"" for anyone, "female" or "male"')
    open_bank_holidays: bool
    published: bool = Field(description="Listed in the public ORUK API at /openreferral/")
    version: int


class LocalKnowledgeOut(Schema):
    team_id: int
    referral_routes: list[str] = Field(description="phone, email, form, self")
    how_to_refer: str
    typical_wait_days: int | None
    accepts_from_custody: bool | None
    accepts_from_court: bool | None
    last_contact_on: dt.date | None
    relationship_notes: str
    version: int


class ServiceOut(ServiceSummaryOut):
    url: str
    email: str
    fees_description: str
    opening_times: list[str] = Field(description='In words: "Monday to Friday, 9am to 5pm"')
    eligibility: list[str] = Field(description='In words: "Aged 18 and over", "Women only"')
    needs: list[str] = Field(description="Keys of the Liaison needs the service is tagged with")
    phones: list[str]
    addresses: list[str]
    local_knowledge: list[LocalKnowledgeOut] = Field(description="Your own teams' notes only")


class ServicePage(Schema):
    items: list[ServiceSummaryOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


def _reader_teams(request: HttpRequest) -> list[int]:
    teams = teams_for(actor(request), "directory.view")
    if not teams:
        raise ApiProblem(
            403, "The service directory is for the clinical members of a team", type=TYPE_FORBIDDEN
        )
    return teams


def _summary(service: Service) -> dict[str, Any]:
    return {
        "id": service.id,
        "name": service.name,
        "organization": service.organization.name,
        "status": service.status,
        "description": service.description,
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "eligible_sex": service.eligible_sex,
        "open_bank_holidays": service.open_bank_holidays,
        "published": service.published,
        "version": service.version,
    }


def _encode(last_id: str) -> str:
    raw = json.dumps([CURSOR_KIND, last_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> str:
    bad = field_problem("cursor", "This cursor is not valid here: start again from the first page")
    try:
        kind, last_id = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
    except (ValueError, TypeError, binascii.Error):
        raise bad from None
    if kind != CURSOR_KIND or not isinstance(last_id, str) or not 0 < len(last_id) <= 64 or "\x00" in last_id:
        raise bad
    return last_id


def _clean(text: str | None) -> str:
    return (text or "").replace("\x00", "")


@router.get("/services", response={200: ServicePage, ERROR_CODES: Problem})
def list_services(
    request: HttpRequest,
    q: str | None = Query(None, max_length=100, description="Words in the name, organisation or description"),
    need: str | None = Query(None, max_length=60, description='A need key: "housing", "basic:sleep_tonight"'),
    status: str | None = Query(
        None, max_length=20, description="active, inactive, defunct, temporarily closed"
    ),
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """The directory in name order. Directory records are not person data: no audit event per read."""
    _reader_teams(request)
    if need and need not in need_labels():
        raise field_problem("need", "This is not a need Liaison knows")
    if status and status not in ServiceStatus.values:
        raise field_problem("status", f"Use one of: {', '.join(ServiceStatus.values)}")
    services = search_services(search=_clean(q), need=need or "", status=status or "")
    if cursor:
        last_id = _decode(cursor)
        anchor = services.filter(pk=last_id).values("name").first()
        if anchor is None:
            raise field_problem("cursor", "This cursor is not valid here: start again from the first page")
        services = services.filter(Q(name__gt=anchor["name"]) | Q(name=anchor["name"], id__gt=last_id))
    rows = list(services[: limit + 1])
    next_cursor = _encode(rows[limit - 1].id) if len(rows) > limit else None
    return {"items": [_summary(s) for s in rows[:limit]], "next_cursor": next_cursor}


@router.get("/services/{service_id}", response={200: ServiceOut, ERROR_CODES: Problem})
def get_directory_service(request: HttpRequest, service_id: str) -> dict[str, Any]:
    """One service, with opening times and eligibility in words, and your own teams' notes on it."""
    teams = _reader_teams(request)
    if not 0 < len(service_id) <= 64 or "\x00" in service_id:
        raise Http404("No such service")
    service = get_service(service_id)
    areas = list(service.service_areas.all())
    knowledge = knowledge_for_teams(service, teams)
    phones = [p.number for p in service.phones.all()]
    phones += [p.number for contact in service.contacts.all() for p in contact.phones.all()]
    return {
        **_summary(service),
        "url": service.url,
        "email": service.email,
        "fees_description": service.fees_description,
        "opening_times": presenters.opening_times(service.schedules.all(), service.open_bank_holidays),
        "eligibility": presenters.eligibility_words(service, areas),
        "needs": sorted(
            a.taxonomy_term.code
            for a in service.attributes.all()
            if a.taxonomy_term.taxonomy_id == NEEDS_TAXONOMY_ID
        ),
        "phones": phones,
        "addresses": [
            ", ".join(part for part in (loc.address_1, loc.city, loc.postal_code) if part)
            for loc in (sal.location for sal in service.service_at_locations.all())
            if loc.address_1
        ],
        "local_knowledge": [
            {
                "team_id": k.team_id,
                "referral_routes": list(k.referral_routes),
                "how_to_refer": k.how_to_refer,
                "typical_wait_days": k.typical_wait_days,
                "accepts_from_custody": k.accepts_from_custody,
                "accepts_from_court": k.accepts_from_court,
                "last_contact_on": k.last_contact_on,
                "relationship_notes": k.relationship_notes,
                "version": k.version,
            }
            for k in knowledge
        ],
    }
