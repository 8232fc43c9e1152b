"""What every route needs: who is calling, which team they act for, and the shared input rules."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field

from liaison.api.problems import TYPE_FORBIDDEN, ApiProblem, field_problem
from liaison.core.access import MAX_ID
from liaison.core.api_auth import BearerTokenAuth, SessionCsrfAuth
from liaison.core.models import Team, User
from liaison.core.permissions import member_teams, teams_for

# A bearer token when the request carries one; otherwise the browser session, with Django's CSRF
# check on unsafe methods (the cookie is sent automatically, so it must be proven intentional).
AUTH = [BearerTokenAuth(), SessionCsrfAuth()]

# Every route documents the problems it can answer with; the handlers in problems.py produce them.
ERROR_CODES = frozenset({400, 401, 403, 404, 409, 422})

# A record's id, sent in a body or a query: the databases hold 1 to 2**63 - 1. A number outside that
# names no record, and SQLite cannot even compare one (a 500), so it is refused (422) and documented.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def actor(request: HttpRequest) -> User:
    """The authenticated user: set by BearerTokenAuth, or the session's user."""
    return request.auth  # type: ignore[attr-defined]


def resolve_team(user: User, team_id: int | None, operation: str) -> Team:
    """The team a write is made for: the one asked for, or the user's only team allowed to do it."""
    allowed = teams_for(user, operation)
    if team_id is not None:
        if team_id not in allowed:
            raise ApiProblem(403, "Your role in that team does not allow this", type=TYPE_FORBIDDEN)
        return member_teams(user)[team_id]
    if not allowed:
        raise ApiProblem(403, "None of your teams' roles allows this", type=TYPE_FORBIDDEN)
    if len(allowed) > 1:
        raise field_problem("team_id", "You work in more than one team: say which team this is for")
    return member_teams(user)[allowed[0]]


def text(max_length: int, default: Any = ..., **kwargs: Any) -> Any:
    """A string field whose limit is enforced here and documented in the OpenAPI document."""
    return Field(default, max_length=max_length, **kwargs)


def patch_field(max_length: int | None = None, **kwargs: Any) -> Any:
    """A PATCH field: leave it out to keep the current value. It may not be sent as null.

    Declared with a non-null type and a default that is never validated, so an explicit null is
    refused naming the field, and `model_dump(exclude_unset=True)` has only what was sent.
    """
    extra = kwargs.pop("json_schema_extra", {})

    def document(schema: dict[str, Any]) -> None:
        schema.pop("default", None)  # there is no default: a missing field means "no change"
        schema.update(extra)

    if max_length is not None:
        kwargs["max_length"] = max_length
    return Field(None, json_schema_extra=document, **kwargs)
