"""URLs for /api/v1/. The API authenticates each request itself (token or session), so it opts out
of LoginRequiredMiddleware, which would otherwise redirect API clients to the login page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path, re_path

from liaison.api.main import api
from liaison.api.problems import ApiProblem, problem_response


@login_not_required
def no_such_route(request: HttpRequest, rest: str) -> HttpResponse:
    """Unknown API paths answer problem+json too, not the HTML 404 page."""
    return problem_response(ApiProblem(404, f"There is no API route at {request.path}"))


def _open_to_api_auth(patterns: list[Any]) -> list[Any]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            login_not_required(pattern.callback)
        elif isinstance(pattern, URLResolver):
            _open_to_api_auth(pattern.url_patterns)
    return patterns


_patterns, _app_name, _namespace = api.urls
urlpatterns = [
    path("", (_open_to_api_auth(_patterns), _app_name, _namespace)),
    re_path(r"^(?P<rest>.+)$", no_such_route),
]
