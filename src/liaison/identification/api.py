"""The identification API: the vulnerability flag code list, for clients that send or show flags
(a partner's referral, a screening result)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from liaison.api.common import ERROR_CODES
from liaison.api.problems import Problem
from liaison.identification.models import VulnerabilityFlag
from liaison.identification.queries import flag_choices

router = Router(tags=["identification"])


class VulnerabilityFlagOut(Schema):
    code: str
    label: str
    hint: str


@router.get("/vulnerability-flags", response={200: list[VulnerabilityFlagOut], ERROR_CODES: Problem})
def list_vulnerability_flags(request: HttpRequest) -> list[VulnerabilityFlag]:
    """The flags in use, in the order forms offer them. Codes are stable; labels may be reworded."""
    return flag_choices()
