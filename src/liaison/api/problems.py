"""Errors as RFC 9457 problem details (application/problem+json), one shape for every failure.

Every problem has `type`, `title`, `status` and `detail`, and an `errors` list of
{"field", "message"} naming each bad field (empty when no one field is to blame), so a client
can put each message next to the input it is about.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from liaison.core.errors import NotPermitted, StaleWrite

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/problem+json"
# Problem types are URNs: stable names a client can switch on. Plain HTTP failures with nothing
# more to say use "about:blank", as RFC 9457 recommends.
TYPE_VALIDATION = "urn:liaison:problem:validation"
TYPE_STALE = "urn:liaison:problem:stale-version"
TYPE_MALFORMED = "urn:liaison:problem:malformed-request"
TYPE_IDEMPOTENCY = "urn:liaison:problem:idempotency-key"
TYPE_FORBIDDEN = "urn:liaison:problem:not-permitted"
GENERIC_TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not permitted",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "Your request has problems",
    429: "Too many requests",
    500: "Something went wrong",
}


class FieldError(Schema):
    field: str | None
    message: str


class Problem(Schema):
    """An RFC 9457 problem; 409 answers add `current_version`."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError]
    current_version: int | None = Field(None, description="409 only: the record's version now")
    your_version: int | None = Field(None, description="409 only: the version you sent")


class ApiProblem(Exception):
    """Raised anywhere under the API to answer with a problem."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        type: str = "about:blank",  # noqa: A002 - the RFC's own name for the member
        title: str | None = None,
        errors: list[dict[str, str | None]] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type = type
        self.title = title or GENERIC_TITLES.get(status, "Error")
        self.errors = errors or []
        self.extra = dict(extra or {})


def field_problem(field: str, message: str, *, status: int = 422) -> ApiProblem:
    return ApiProblem(
        status,
        message,
        type=TYPE_VALIDATION,
        errors=[{"field": field, "message": message}],
    )


def problem_response(problem: ApiProblem) -> HttpResponse:
    body = {
        "type": problem.type,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "errors": problem.errors,
        **problem.extra,
    }
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder), status=problem.status, content_type=CONTENT_TYPE
    )
    if problem.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="liaison"'
    return response


# --- turning service errors into field errors ----------------------------------------------------

FieldMap = Mapping[str, str | None] | Callable[[str], str | None]


def errors_from_django(exc: DjangoValidationError, rename: FieldMap | None = None) -> list[dict[str, Any]]:
    """One {"field", "message"} per message, with the service's field names mapped to the API's."""

    def name(key: str) -> str | None:
        if key == NON_FIELD_ERRORS:
            return None
        if rename is None:
            return key
        if callable(rename):
            return rename(key)
        return rename.get(key, key)

    if hasattr(exc, "error_dict"):
        return [
            {"field": name(key), "message": message}
            for key, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": None, "message": message} for message in exc.messages]


def validation_problem(errors: list[dict[str, Any]]) -> ApiProblem:
    named = [e["field"] for e in errors if e["field"]]
    if len(errors) == 1:
        detail = errors[0]["message"]
    elif named:
        detail = "Check these fields: " + ", ".join(dict.fromkeys(named))
    else:
        detail = "; ".join(e["message"] for e in errors)
    return ApiProblem(422, detail, type=TYPE_VALIDATION, errors=errors)


@contextmanager
def service_errors(rename: FieldMap | None = None) -> Iterator[None]:
    """Re-raise a service's ValidationError with the field names this route's input uses."""
    try:
        yield
    except DjangoValidationError as exc:
        raise validation_problem(errors_from_django(exc, rename)) from exc


# --- Ninja's own request validation ----------------------------------------------------------------

# The first element of a Ninja error location says where the value came from.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


# Every route names its body schema parameter this; Ninja puts it in the error location.
BODY_PARAM = "payload"


def field_from_loc(loc: tuple[Any, ...] | list[Any]) -> str:
    """("body", "payload", "person", "given_name") -> "person.given_name"; ("query", "limit") -> "limit"."""
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        # A single body schema is parsed as {param_name: body}: the parameter name is not the client's.
        if source == "body" and parts and parts[0] == BODY_PARAM:
            parts.pop(0)
    return ".".join(str(p) for p in parts) or "body"


_PYDANTIC_MESSAGES = {
    "missing": "This field is required",
    "timezone_aware": "Include a time zone offset, like 2025-03-01T14:30:00+00:00 or ...Z",
    "extra_forbidden": "This field is not allowed here",
    "date_from_datetime_parsing": "Enter a date as YYYY-MM-DD",
    "date_parsing": "Enter a date as YYYY-MM-DD",
    "date_from_datetime_inexact": "Enter a date as YYYY-MM-DD, without a time",
    "datetime_parsing": "Enter a date and time in ISO 8601, like 2025-03-01T14:30:00+00:00",
    "datetime_from_date_parsing": "Enter a date and time in ISO 8601, like 2025-03-01T14:30:00+00:00",
}


def _message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "string_too_long" and "max_length" in ctx:
        return f"Must be {ctx['max_length']} characters or fewer"
    return _PYDANTIC_MESSAGES.get(kind, error.get("msg", "This value is not valid"))


# --- the handlers --------------------------------------------------------------------------------


def install(api: NinjaAPI) -> None:
    """Answer every error the API can raise with problem+json."""

    @api.exception_handler(ApiProblem)
    def on_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
        return problem_response(exc)

    @api.exception_handler(NinjaValidationError)
    def on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [{"field": field_from_loc(e.get("loc", ())), "message": _message(e)} for e in exc.errors]
        return problem_response(validation_problem(errors))

    @api.exception_handler(DjangoValidationError)
    def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return problem_response(validation_problem(errors_from_django(exc)))

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc, AuthenticationError):
            detail = str(exc) if str(exc) != "Unauthorized" else "Sign in, or send an API bearer token"
            return problem_response(ApiProblem(401, detail))
        cause = exc.__cause__
        if exc.status_code == 400 and isinstance(cause, json.JSONDecodeError):
            detail = (
                f"The request body is not valid JSON: {cause.msg} (line {cause.lineno}, column {cause.colno})"
            )
            return problem_response(ApiProblem(400, detail, type=TYPE_MALFORMED, title="Malformed JSON"))
        if exc.status_code == 400 and isinstance(cause, UnicodeDecodeError):
            detail = "The request body is not valid UTF-8 text"
            return problem_response(ApiProblem(400, detail, type=TYPE_MALFORMED, title="Malformed JSON"))
        if exc.status_code == 403 and str(exc).startswith("CSRF"):
            detail = (
                f"{exc} Send the page's CSRF token (its csrfmiddlewaretoken value) in an X-CSRFToken "
                "header, or authenticate with a bearer token."
            )
            return problem_response(ApiProblem(403, detail, type=TYPE_FORBIDDEN))
        return problem_response(ApiProblem(exc.status_code, str(exc)))

    @api.exception_handler(NotPermitted)
    def on_not_permitted(request: HttpRequest, exc: NotPermitted) -> HttpResponse:
        detail = str(exc) or "Your role does not allow this"
        return problem_response(ApiProblem(403, detail, type=TYPE_FORBIDDEN))

    @api.exception_handler(Http404)
    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        # The same words for "missing" and "not yours": the answer must not reveal which.
        return problem_response(ApiProblem(404, "There is no such record, or you do not have access to it"))

    @api.exception_handler(StaleWrite)
    def on_stale(request: HttpRequest, exc: StaleWrite) -> HttpResponse:
        return problem_response(
            ApiProblem(
                409,
                str(exc),
                type=TYPE_STALE,
                title="Changed by someone else",
                errors=[{"field": "version", "message": "This is not the current version"}],
                extra={"current_version": exc.current, "your_version": exc.expected},
            )
        )

    @api.exception_handler(Exception)
    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return problem_response(ApiProblem(500, "The server could not complete the request"))
