"""The OpenAPI document is the API's contract: it loads without signing in and lists every route."""

from __future__ import annotations

EXPECTED = {
    "/api/v1/people/{person_id}/fhir": {"get"},
    "/api/v1/people": {"get", "post"},
    "/api/v1/people/search": {"post"},
    "/api/v1/people/{person_id}": {"get", "patch"},
    "/api/v1/people/{person_id}/contacts": {"get", "post"},
    "/api/v1/people/{person_id}/contacts/{contact_id}": {"delete"},
    "/api/v1/people/{person_id}/aliases": {"get", "post"},
    "/api/v1/people/{person_id}/aliases/{alias_id}": {"delete"},
    "/api/v1/episodes": {"get", "post"},
    "/api/v1/arrivals": {"post"},
    "/api/v1/episodes/{episode_id}": {"get", "patch"},
    "/api/v1/episodes/{episode_id}/stage": {"post"},
    "/api/v1/episodes/{episode_id}/contacts": {"get", "post"},
    "/api/v1/contacts/{contact_id}": {"get"},
    "/api/v1/episodes/{episode_id}/tasks": {"get", "post"},
    "/api/v1/tasks/{task_id}": {"get"},
    "/api/v1/tasks/{task_id}/complete": {"post"},
    "/api/v1/instruments": {"get"},
    "/api/v1/instruments/{code}": {"get"},
    "/api/v1/instruments/{code}/score": {"post"},
    "/api/v1/fhir/Questionnaire/{code}": {"get"},
    "/api/v1/episodes/{episode_id}/screenings": {"get", "post"},
    "/api/v1/screenings/{screening_id}": {"get", "patch"},
    "/api/v1/screenings/{screening_id}/complete": {"post"},
    "/api/v1/screenings/{screening_id}/fhir": {"get"},
    "/api/v1/episodes/{episode_id}/assessments": {"get", "post"},
    "/api/v1/assessments/{assessment_id}": {"get", "patch"},
    "/api/v1/assessments/{assessment_id}/complete": {"post"},
    "/api/v1/assessments/{assessment_id}/order": {"post"},
    "/api/v1/episodes/{episode_id}/plan": {"get"},
    "/api/v1/episodes/{episode_id}/plan-actions": {"post"},
    "/api/v1/plan-actions/{action_id}": {"patch"},
    "/api/v1/vulnerability-flags": {"get"},
    "/api/v1/referral-sites": {"get"},
    "/api/v1/referrals": {"get", "post"},
    "/api/v1/referrals/{referral_id}": {"get"},
    # The service directory (issue 5).
    "/api/v1/services": {"get"},
    "/api/v1/services/{service_id}": {"get"},
    # Referrals to services and appointments (issue 5).
    "/api/v1/episodes/{episode_id}/service-referrals": {"get", "post"},
    "/api/v1/service-referrals/{service_referral_id}": {"get"},
    "/api/v1/service-referrals/{service_referral_id}/moves": {"post"},
    "/api/v1/service-referrals/{service_referral_id}/consent": {"post"},
    "/api/v1/service-referrals/{service_referral_id}/appointments": {"post"},
    "/api/v1/appointments/{appointment_id}/attendance": {"post"},
    "/api/v1/appointments": {"get"},
}


def test_openapi_document_loads_and_lists_the_paths(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {path: set(item) for path, item in schema["paths"].items()} == EXPECTED
    assert schema["components"]["securitySchemes"]["BearerTokenAuth"] == {"type": "http", "scheme": "bearer"}


def test_openapi_documents_versions_problems_and_limits(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    assert "version" in components["PersonOut"]["required"]
    assert "version" in components["PersonPatchIn"]["required"]
    assert components["PersonFields"]["properties"]["given_name"]["maxLength"] == 100
    patch = schema["paths"]["/api/v1/people/{person_id}"]["patch"]
    assert set(patch["responses"]["409"]["content"]) == {"application/problem+json"}
    assert {"400", "401", "403", "404", "409", "422"} <= set(patch["responses"])
    operation_ids = [op["operationId"] for item in schema["paths"].values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids))
