"""`Idempotency-Key` on POST: a client that retries after a timeout gets the first answer, not a duplicate.

The first request with a key claims it: an IdempotencyRecord for (user, key) is inserted in its
own short transaction before the route runs, and the unique constraint decides who wins a race.
When the route answers 2xx its status and body are stored on the record; a later request with
the same key and the same method, path and body gets that stored answer back unchanged, and
nothing runs. The same key with a different request is refused (422). A request that arrives
while the first is still running is told so (409) rather than queued, as the IETF
Idempotency-Key draft describes.

Error answers are not kept: the claim is released, so the client may correct the request and
send it again with the same key (nothing was created). If the server dies between claiming a key
and answering, the key answers 409 until it expires (settings.IDEMPOTENCY_KEY_HOURS): the work may
or may not have been done, and refusing is safer than doing it twice.

Why not one transaction around the whole request? The route's access check writes an audit
event, which locks the audit chain head; holding that lock for the whole request and then
updating a record would take locks in the opposite order to the services (record, then chain
head) and could deadlock with a concurrent edit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from ninja.decorators import decorate_view
from ninja.operation import Operation
from ninja.utils import contribute_operation_callback

from liaison.api.problems import TYPE_IDEMPOTENCY, ApiProblem, field_problem
from liaison.core.models import IdempotencyRecord, User

HEADER = "Idempotency-Key"
IN_PROGRESS = 0  # status_code of a claimed key whose first request has not finished
MAX_KEY_LENGTH = IdempotencyRecord._meta.get_field("key").max_length or 200
REPLAY_HEADER = "Idempotent-Replayed"
REPLAY_CONTENT_TYPE = "application/json; charset=utf-8"  # only 2xx answers are kept, all JSON

OPENAPI_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
    "description": (
        "A unique value (a UUID is ideal) for this request. Retrying with the same key returns the "
        "first response unchanged instead of doing the work twice. Keys are kept for "
        f"{settings.IDEMPOTENCY_KEY_HOURS} hours."
    ),
}


def request_digest(request: HttpRequest) -> str:
    """Method, path and body. JSON bodies are compared by meaning, not by spacing or key order."""
    body: bytes = request.body
    with contextlib.suppress(ValueError, UnicodeDecodeError):  # not JSON: compare the bytes as sent
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    digest = hashlib.sha256()
    digest.update(f"{request.method}\n{request.get_full_path()}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def _key(request: HttpRequest) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise field_problem(HEADER, f"Send 1 to {MAX_KEY_LENGTH} printable ASCII characters as the key")
    return key


def _answer_for_existing(record: IdempotencyRecord, digest: str) -> HttpResponse:
    if record.request_digest != digest:
        raise ApiProblem(
            422,
            f"This {HEADER} was already used for a different request. Use a new key for a new request.",
            type=TYPE_IDEMPOTENCY,
            title="Idempotency key reused",
            errors=[{"field": HEADER, "message": "Already used with a different method, path or body"}],
        )
    if record.status_code == IN_PROGRESS:
        raise ApiProblem(
            409,
            f"A request with this {HEADER} is still being processed. Wait, then retry with the same key.",
            type=TYPE_IDEMPOTENCY,
            title="Request in progress",
        )
    response = HttpResponse(record.body, status=record.status_code, content_type=REPLAY_CONTENT_TYPE)
    response[REPLAY_HEADER] = "true"
    return response


def _live(user: User, key: str) -> IdempotencyRecord | None:
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    expired_before = timezone.now() - dt.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    if record is not None and record.created_at < expired_before:
        # An expired key is free again. Filter on the row we saw, so a concurrent re-claim survives.
        IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at).delete()
        return None
    return record


def _claim_or_answer(request: HttpRequest, user: User, key: str) -> HttpResponse | None:
    """Claim the key (None: go ahead and run the route), or the answer for an existing claim."""
    digest = request_digest(request)
    record = _live(user, key)
    if record is None:
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user,
                    key=key,
                    method=request.method or "",
                    path=request.get_full_path()[:300],
                    request_digest=digest,
                    status_code=IN_PROGRESS,
                    body="",
                )
        except IntegrityError:
            # Another request with this key claimed it first: answer as if it had come earlier.
            record = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if record is None:  # pragma: no cover - claimed and released between our two queries
                raise ApiProblem(409, "Retry this request", type=TYPE_IDEMPOTENCY, title="Conflict") from None
        else:
            request._liaison_idempotency_claim = record  # type: ignore[attr-defined]
            return None
    return _answer_for_existing(record, digest)


def _release_or_store(request: HttpRequest, response: HttpResponseBase | None) -> None:
    record: IdempotencyRecord | None = getattr(request, "_liaison_idempotency_claim", None)
    if record is None:
        return
    del request._liaison_idempotency_claim  # type: ignore[attr-defined]
    if response is not None and 200 <= response.status_code < 300 and isinstance(response, HttpResponse):
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            status_code=response.status_code, body=response.content.decode()
        )
    else:
        IdempotencyRecord.objects.filter(pk=record.pk, status_code=IN_PROGRESS).delete()


def _check_key(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """Runs after authentication and input validation, so the user and a well-formed body are known."""

    @functools.wraps(view_func)
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        key = _key(request)
        if key is not None:
            answer = _claim_or_answer(request, request.auth, key)  # type: ignore[attr-defined]
            if answer is not None:
                return answer
        return view_func(request, *args, **kwargs)

    return view


def _keep_first_response(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wraps the whole operation, so it sees the finished response, errors included."""

    @functools.wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = None
        try:
            response = run(request, *args, **kwargs)
        finally:
            _release_or_store(request, response)
        return response

    return wrapped


def _contribute(operation: Operation) -> None:
    # Replace the view after Ninja has read its signature, so parameters are parsed as declared.
    operation.view_func = _check_key(operation.view_func)
    extra = operation.openapi_extra or {}
    extra.setdefault("parameters", []).append(OPENAPI_PARAMETER)
    operation.openapi_extra = extra


def idempotent(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """Honour `Idempotency-Key` on this POST route. Put it below the @router.post(...) line."""
    contribute_operation_callback(view_func, _contribute)
    decorate_view(_keep_first_response)(view_func)
    view_func._liaison_idempotent = True  # type: ignore[attr-defined]
    return view_func
