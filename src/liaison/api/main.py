"""The NinjaAPI instance: the routers, authentication and error handling for /api/v1/."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.operation import Operation

from liaison.api import problems
from liaison.api.common import AUTH
from liaison.assessment.api import router as assessment_router
from liaison.consent.api import router as consent_router
from liaison.directory.api import router as directory_router
from liaison.episodes.api import router as episodes_router
from liaison.identification.api import router as identification_router
from liaison.outcomes.api import router as outcomes_router
from liaison.partners.api import router as partners_router
from liaison.people.api import router as people_router
from liaison.referrals.api import router as referrals_router
from liaison.reports.api import router as reports_router
from liaison.screening.api import router as screening_router

DESCRIPTION = """\
Liaison's API for integrations and the browser.

**Authentication**: a per-user bearer token (`Authorization: Bearer <token>`), or the signed-in
browser session, which must send the CSRF token from the page (`X-CSRFToken`) on writes; the
cookie itself is HttpOnly, so scripts cannot read it.

**Errors** are RFC 9457 problem details (`application/problem+json`) with an `errors` list naming
each bad field. A record you may not see answers 404, exactly as a missing one does.

**Versions**: every editable record carries `version`. Send it back when you change the record; if
someone else changed it first you get 409 with the `current_version`, and nothing is changed.

**Lists** are pages of `items` with a `next_cursor`; pass it back as `cursor` for the next page.

**Retries**: send an `Idempotency-Key` header on POST to make retrying safe.
"""


class LiaisonAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # Route function names are unique across the API and read well in generated clients.
        return operation.view_func.__name__

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        # Ninja documents every answer as application/json; ours for errors are problem+json.
        for path_item in schema["paths"].values():
            for operation in path_item.values():
                for answer in operation.get("responses", {}).values():
                    content = answer.get("content", {})
                    if (
                        content.get("application/json", {})
                        .get("schema", {})
                        .get("$ref", "")
                        .endswith("/Problem")
                    ):
                        content[problems.CONTENT_TYPE] = content.pop("application/json")
        return schema


api = LiaisonAPI(
    title="Liaison API",
    version="1",
    description=DESCRIPTION,
    auth=AUTH,
    urls_namespace="api",
    # The interactive docs page loads Swagger UI from a CDN unless ninja is an installed app;
    # we load nothing from CDNs, so only the OpenAPI document itself is served.
    docs_url=None,
)
problems.install(api)
api.add_router("", people_router)
api.add_router("", episodes_router)
api.add_router("", identification_router)
api.add_router("", screening_router)
api.add_router("", assessment_router)
api.add_router("", partners_router)
api.add_router("", directory_router)
api.add_router("", referrals_router)
api.add_router("", consent_router)
api.add_router("", reports_router)
api.add_router("", outcomes_router)
