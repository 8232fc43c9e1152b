"""The partners API: a justice partner refers a person to the team, and reads back what they sent.

A referral never exposes the team's person record or episode: the answer is what the partner sent,
with its reference. Reads go through partners.queries (404 for "missing" and "not yours" alike,
audited); the write calls partners.services, which checks the role and audits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict, Field

from liaison.api.common import ERROR_CODES, Id, actor, resolve_team, text
from liaison.api.idempotency import idempotent
from liaison.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, paginate
from liaison.api.problems import Problem, service_errors
from liaison.core.audit import audit
from liaison.core.permissions import teams_for
from liaison.partners.models import SOURCE_CODES, PartnerReferral, PartnerSource, Urgency
from liaison.partners.queries import REFER, get_referral_for_user, sent_referrals
from liaison.partners.services import CONTACT_LIMIT, REASON_LIMIT, referral_create, referral_sites

router = Router(tags=["partners"])

PERSON_FIELDS = {"given_name", "family_name", "date_of_birth", "nhs_number", "pnc_id"}


class ReferralPersonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    given_name: str = text(100)
    family_name: str = text(100)
    date_of_birth: dt.date | None = None
    nhs_number: str = text(20, "", description="10 digits with a valid check digit, if known")
    pnc_id: str = text(20, "", description="Police National Computer ID, like 05/123456R, if known")


class ReferralIn(Schema):
    model_config = ConfigDict(extra="forbid")

    team_id: Id | None = Field(None, description="Needed only if you are a partner of more than one team")
    site_id: Id = Field(description="The team's site where the person is (GET /referral-sites)")
    person: ReferralPersonIn
    reason: str = text(REASON_LIMIT)
    urgency: str = text(10, json_schema_extra={"enum": list(Urgency.values)})
    source: str = text(
        20,
        json_schema_extra={
            "enum": list(PartnerSource.values),
            "description": "Who is referring; recorded as the MHSDS source of referral code",
        },
    )
    flags: list[str] = Field(
        default_factory=list, description="Vulnerability flag codes (GET /vulnerability-flags)"
    )
    referrer_contact: str = text(CONTACT_LIMIT, "", description="How the team can reach you")


class ReferralPersonOut(Schema):
    given_name: str
    family_name: str
    date_of_birth: dt.date | None
    nhs_number: str
    pnc_id: str


class ReferralOut(Schema):
    """The referral as it was sent. No person record or episode: partners never see those."""

    id: int
    reference: str
    sent_at: dt.datetime
    team_id: int
    site_id: int
    urgency: str
    source: str
    source_code: str = Field(description="MHSDS source of referral code")
    reason: str
    referrer_contact: str
    person: ReferralPersonOut
    flags: list[str]

    @staticmethod
    def resolve_source_code(obj: PartnerReferral) -> str:
        return str(SOURCE_CODES.get(obj.source, ""))

    @staticmethod
    def resolve_person(obj: PartnerReferral) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in PERSON_FIELDS}

    @staticmethod
    def resolve_flags(obj: PartnerReferral) -> list[str]:
        return [flag.code for flag in obj.flags.all()]


def _field(name: str) -> str:
    if name in PERSON_FIELDS:
        return f"person.{name}"
    return {"site": "site_id"}.get(name, name)


class SiteOut(Schema):
    id: int
    name: str
    kind: str
    team_id: int


@router.get("/referral-sites", response={200: list[SiteOut], ERROR_CODES: Problem})
def list_referral_sites(request: HttpRequest) -> list[Any]:
    """The sites of the teams you may refer people to, for a referral's `site_id`."""
    user = actor(request)
    return [site for team_id in teams_for(user, REFER) for site in referral_sites(user, team_id)]


@router.post("/referrals", response={201: ReferralOut, ERROR_CODES: Problem})
@idempotent
def create_referral(request: HttpRequest, payload: ReferralIn) -> Status:
    """Refer a person to the team (justice partners only). It reaches the team's worklist at once."""
    user = actor(request)
    team = resolve_team(user, payload.team_id, REFER)
    with service_errors(_field):
        referral = referral_create(
            actor=user,
            team=team,
            site_id=payload.site_id,
            reason=payload.reason,
            urgency=payload.urgency,
            source=payload.source,
            flag_codes=payload.flags,
            referrer_contact=payload.referrer_contact,
            **payload.person.model_dump(),
        )
    return Status(201, referral)


@router.get("/referrals", response={200: Page[ReferralOut], ERROR_CODES: Problem})
def list_referrals(
    request: HttpRequest,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """The referrals you sent, newest first. The list read is audited."""
    user = actor(request)
    rows, next_cursor = paginate(
        sent_referrals(user), kind="referrals", order=("-sent_at", "-id"), cursor=cursor, limit=limit
    )
    audit(
        actor=user,
        action="referral.list",
        object_type="partner_referral",
        detail={"referral_ids": [r.pk for r in rows]},
    )
    return {"items": rows, "next_cursor": next_cursor}


@router.get("/referrals/{referral_id}", response={200: ReferralOut, ERROR_CODES: Problem})
def get_referral(request: HttpRequest, referral_id: int) -> PartnerReferral:
    """A referral you sent, or one sent to your team about a person you may see."""
    referral, _ = get_referral_for_user(actor(request), referral_id)
    return referral
