"""The outcomes API routes: a person's record as a FHIR R4 Bundle."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from ninja import Router

from liaison.api.common import ERROR_CODES, actor
from liaison.api.problems import Problem
from liaison.outcomes.fhir import FHIR_JSON, person_fhir_export

router = Router(tags=["outcomes"])

_BUNDLE_ANSWER: dict[str, Any] = {
    "responses": {
        200: {
            "content": {
                FHIR_JSON: {
                    "schema": {
                        "type": "object",
                        "description": "A FHIR R4 Bundle (type collection) of the person's record",
                        "properties": {
                            "resourceType": {"type": "string", "const": "Bundle"},
                            "type": {"type": "string", "const": "collection"},
                        },
                        "required": ["resourceType", "type"],
                    }
                }
            }
        }
    }
}


@router.get(
    "/people/{person_id}/fhir",
    response={200: None, ERROR_CODES: Problem},
    openapi_extra=_BUNDLE_ANSWER,
)
def get_person_fhir(request: HttpRequest, person_id: int) -> HttpResponse:
    """The person's record as a FHIR R4 Bundle (application/fhir+json): Patient, EpisodeOfCare,
    screenings, needs, plan, referrals, appointments and consents. Practitioners and team leads of a
    team working with the person; 404 for anyone else (audited); 403 when seen by breaking the glass."""
    bundle = person_fhir_export(actor=actor(request), person_id=person_id)
    return HttpResponse(json.dumps(bundle, cls=DjangoJSONEncoder), content_type=FHIR_JSON)
