"""Every URL pattern is either public by decision (listed below, with the reason) or behind sign-in.

The patterns are read from the URL configuration, so a route added tomorrow is checked tomorrow. Pages
must send an anonymous visitor to the sign-in page, whatever the method; API routes must answer 401 to
every method they have. Static files never reach the URL patterns: WhiteNoise serves them first.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Route name (or, unnamed, its pattern) -> why it is open to anyone.
PUBLIC = {
    "login": "the sign-in page itself",
    "healthz": "the load balancer's health check: says only whether the database answers",
    "openapi-json": "the API's description, which holds no personal data (schemathesis reads it)",
    "api-root": "Ninja's docs page, switched off: answers 404",
    "api/v1/^(?P<rest>.+)$": "unknown API paths: a problem+json 404 naming nothing",
    # The Open Referral UK read API (issue 5): open data by decision, only the services a team lead
    # marked public (never defunct ones), and never a team's local knowledge. GET only.
    **dict.fromkeys(
        [
            "oruk_api_details",
            "oruk_services",
            "oruk_service",
            "oruk_service_at_locations",
            "oruk_service_at_location",
            "oruk_taxonomies",
            "oruk_taxonomy",
            "oruk_taxonomy_terms",
            "oruk_taxonomy_term",
        ],
        "the ORUK open directory API: published services and taxonomies only, no personal data",
    ),
    # A worker's appointments for their calendar app (issue 5): the app cannot sign in, so the secret
    # token in the address is the key (only its SHA-256 digest is stored; reset from /calendar/). The
    # feed holds the service, place, time and initials only: no names, needs or notes.
    "calendar_feed": "a worker's iCalendar feed, reached by its secret address; initials only",
    # Reports shared with a named partner (issue 6): the secret token in the address is the key (only its
    # SHA-256 digest is stored); consent is checked again at every open, which is logged as a disclosure.
    "shared_report": "a report shared with one named partner, by its secret time-limited address",
    "shared_report_pdf": "the PDF of a report shared with one named partner, by the same address",
}
METHODS = ["get", "post", "put", "patch", "delete"]


def _routes(patterns=None, prefix: str = ""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


def _example(route: str) -> str:
    """A concrete address for the route: every id 1, every other parameter a plain word."""
    path = re.sub(r"<int:[^>]+>", "1", route)
    path = re.sub(r"<(?:str:|slug:|path:)?[^>]+>", "x", path)
    return "/" + path


ROUTES = sorted(set(_routes()), key=lambda r: (r[0], r[1] or ""))
GUARDED = [(route, name) for route, name in ROUTES if (name or route) not in PUBLIC]


def test_the_walk_finds_pages_and_api_routes():
    routes = {route for route, _ in ROUTES}
    assert {"", "sign-in", "people/<int:pk>/", "api/v1/people/<person_id>"} <= routes
    assert len(GUARDED) > 60


def test_every_public_entry_names_a_real_route():
    keys = {name for _, name in ROUTES} | {route for route, _ in ROUTES}
    assert set(PUBLIC) <= keys


@pytest.mark.parametrize(("route", "name"), [r for r in GUARDED if not r[0].startswith("api/")])
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_page_sends_an_anonymous_visitor_to_sign_in(db, route, name, method):
    response = getattr(Client(), method)(_example(route))
    assert response.status_code == 302, (route, response.status_code)
    assert response["Location"].startswith("/sign-in?next="), (route, response["Location"])


@pytest.mark.parametrize(("route", "name"), [r for r in GUARDED if r[0].startswith("api/")])
def test_every_api_route_answers_401_to_every_method_it_has(db, route, name):
    answers = {}
    for method in METHODS:
        client, path = Client(), _example(route)
        if method == "get":
            response = client.get(path)
        else:
            response = getattr(client, method)(path, data="{}", content_type="application/json")
        answers[method] = response.status_code
    assert 401 in answers.values(), (route, answers)
    assert set(answers.values()) <= {401, 405}, (route, answers)


@pytest.mark.parametrize(("route", "name"), [r for r in ROUTES if (r[1] or r[0]) in PUBLIC])
def test_public_routes_answer_without_signing_in(db, route, name):
    path = "/api/v1/no-such-thing" if route.endswith("(?P<rest>.+)$") else _example(route)
    response = Client().get(path)
    assert response.status_code in {200, 404}, (route, response.status_code)


def test_static_files_are_served_before_routing_and_need_no_sign_in(db):
    response = Client().get("/static/core/liaison.css")
    assert response.status_code == 200
    assert not any(route.startswith("static") for route, _ in ROUTES)
