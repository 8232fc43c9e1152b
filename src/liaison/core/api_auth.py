"""Per-user API bearer tokens: creating and revoking them, and authenticating a request by one.

A token is shown to its owner once, when it is created. Only its SHA-256 digest is stored (and
a short prefix, so people can tell their tokens apart in a list), so a copy of the database
cannot be used to call the API. SHA-256 rather than a slow password hash is enough here: the
token is 256 random bits, so there is nothing to guess, and every API call must check it cheaply.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer

from liaison.core.audit import audit
from liaison.core.errors import NotPermitted
from liaison.core.models import ApiToken, User

# Lets secret scanners and people recognise a Liaison token. Not a secret: S105 misreads the name.
TOKEN_MARKER = "lia_"  # noqa: S105
PREFIX_LENGTH = 12  # the marker and the first 8 random characters; ApiToken.prefix holds 12
# Writing last_used_at on every call would turn each read into a write; a minute is precise enough
# to answer "is this token still in use?".
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: User, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a bearer token for `user` and return it with its plaintext, which is never stored.

    People create their own tokens; an administrator (superuser) may create one for an
    integration's service account.
    """
    if actor.pk != user.pk and not actor.is_superuser:
        raise NotPermitted("Only the account's owner or an administrator can create its API tokens")
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter a name for the token, such as the system that will use it"
    elif len(name) > 100:
        errors["name"] = "Token name must be 100 characters or fewer"
    if not user.is_active:
        errors["user"] = "This account is deactivated and cannot have API tokens"
    if errors:
        raise ValidationError(errors)
    plaintext = TOKEN_MARKER + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=plaintext[:PREFIX_LENGTH], digest=token_digest(plaintext)
    )
    audit(
        actor=actor,
        action="api_token.create",
        object_type="api_token",
        object_id=token.pk,
        detail={"user_id": user.pk, "name": name, "prefix": token.prefix},
    )
    return token, plaintext


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Refuse the token from now on. The row stays, so the audit trail can still name it."""
    if actor.pk != token.user_id and not actor.is_superuser:
        raise NotPermitted("Only the token's owner or an administrator can revoke it")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit(
            actor=actor,
            action="api_token.revoke",
            object_type="api_token",
            object_id=token.pk,
            detail={"user_id": token.user_id, "prefix": token.prefix},
        )
    return token


def user_for_token(token: str) -> User | None:
    """The active user a live token belongs to, or None. Notes when the token was last used."""
    if not token.startswith(TOKEN_MARKER):
        return None
    row = ApiToken.objects.select_related("user").filter(digest=token_digest(token)).first()
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`. A request that offers a token is judged by it alone.

    A wrong or revoked token is refused outright (401) rather than falling through to the session,
    so an integration with a broken token gets a clear answer and never a CSRF error.
    """

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token.strip())
        if user is None:
            raise AuthenticationError(401, "The bearer token is not valid, or it has been revoked")
        # Code below the API (and Django's own helpers) read request.user, not request.auth.
        request.user = user
        return user


class _CsrfCheck(CsrfViewMiddleware):
    """Django's own CSRF rules, answering with the reason instead of rendering the HTML failure page."""

    def _reject(self, request: HttpRequest, reason: str) -> HttpResponse:
        return HttpResponseForbidden(reason)


def _no_response(request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called
    raise AssertionError("the CSRF check only inspects the request")


class SessionCsrfAuth(APIKeyCookie):
    """The signed-in browser session. Unsafe methods must prove intent with the CSRF token.

    The browser sends the session cookie with any request, including one a hostile page makes,
    so a write is accepted only with the CSRF token (the X-CSRFToken header) as the HTML forms are.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)  # checked below, after we know there is a session to protect

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not user.is_verified():
            # Signed in with a password but not yet the second factor: no personal data.
            return None
        check = _CsrfCheck(_no_response)
        check.process_request(request)
        refused = check.process_view(request, None, (), {})  # type: ignore[arg-type]
        if refused is not None:
            raise HttpError(403, f"CSRF check failed: {refused.content.decode()}")
        return user
