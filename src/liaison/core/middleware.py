from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import Resolver404, ResolverMatch, resolve, reverse
from django.utils import timezone

from liaison.core.audit import audit
from liaison.core.mfa import BEFORE_SECOND_FACTOR, second_factor_url
from liaison.core.models import User
from liaison.core.signin import LAST_SEEN_AT, SIGNED_IN_AT, session_begin, session_user_id


class NoStoreMiddleware:
    """Pages and API answers may carry personal data: browsers and proxies must not keep them.

    Static files are served by WhiteNoise before this runs and keep their long cache headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store"
        return response


IDLE_MESSAGE = (
    "You were signed out because you had not used Liaison for {minutes} minutes. Sign in again to carry on."
)
ABSOLUTE_MESSAGE = (
    "You were signed out because you had been signed in for {hours} hours. Sign in again to carry on."
)
# Writing the session on every request would turn each read into a write; the idle clock is kept to
# within this many seconds (a session may end up to this much before the full idle time).
LAST_SEEN_RESOLUTION = 30


class SessionSecurityMiddleware:
    """Ends a session on the server when it has been idle too long, has lasted too long in all, or
    belongs to an account that has been deactivated (or removed).

    The page's "Stay signed in" warning (core/session-timeout.js) only helps people keep their work;
    without JavaScript these limits hold all the same. `GET /session` reports the time left without
    counting as activity, so the warning can check it without keeping the session alive.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = self._check(request)
        if refused is not None:
            return refused
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        session = request.session
        user_id = session_user_id(session)
        if user_id is None:
            return None
        user = request.user
        if not user.is_authenticated or not user.is_active:
            # The session names an account that no longer exists or may no longer sign in: end it
            # here, on the server, not just for this request.
            audit(
                actor=None,
                action="session.refused",
                object_type="user",
                object_id=user_id,
                detail={"why": "the account is deactivated or removed"},
            )
            logout(request)
            return None
        now = timezone.now().timestamp()
        signed_in_at = session.get(SIGNED_IN_AT)
        last_seen_at = session.get(LAST_SEEN_AT)
        if signed_in_at is None or last_seen_at is None:
            # Signed in by some other path than the sign-in page (a test's force_login, a session from
            # before these limits): the clocks start now.
            session_begin(session, user)
            return None
        why = ""
        if now - float(signed_in_at) > settings.SESSION_ABSOLUTE_SECONDS:
            why = "absolute"
        elif now - float(last_seen_at) > settings.SESSION_IDLE_SECONDS:
            why = "idle"
        if why:
            return self._expire(request, user, why)
        if now - float(last_seen_at) >= LAST_SEEN_RESOLUTION and not _passive(request):
            session[LAST_SEEN_AT] = now
        return None

    def _expire(self, request: HttpRequest, user: User, why: str) -> HttpResponse | None:
        audit(actor=user, action="session.expired", detail={"why": why})
        logout(request)
        message = (
            IDLE_MESSAGE.format(minutes=settings.SESSION_IDLE_SECONDS // 60)
            if why == "idle"
            else ABSOLUTE_MESSAGE.format(hours=settings.SESSION_ABSOLUTE_SECONDS // 3600)
        )
        messages.info(request, message)
        if request.headers.get("HX-Request") == "true":
            # An htmx swap would put the sign-in page inside the current one: send the whole page there.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': request.path})}"
            return response
        # Otherwise carry on as a signed-out visitor: LoginRequiredMiddleware sends pages to the
        # sign-in page (keeping where they were going) and the API answers 401.
        return None


def _passive(request: HttpRequest) -> bool:
    """`GET /session` only reports the time left: it does not count as activity."""
    return request.method == "GET" and request.path == reverse("session")


class SecondFactorMiddleware:
    """A session signed in with a password alone reaches only the second-factor pages (core/mfa.py).

    Every other page sends it to enter a code (or to set up the authenticator app first), keeping
    where it was going. The API answers such a session 401 (api_auth.SessionCsrfAuth); API tokens
    are machine credentials issued by an administrator and are not sessions.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        if request.path.startswith(("/static/", "/api/")):
            return self.get_response(request)
        match = getattr(request, "resolver_match", None) or _resolve(request.path_info)
        if match is not None and match.url_name in BEFORE_SECOND_FACTOR:
            return self.get_response(request)
        target = second_factor_url(request, request.get_full_path())
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)


def _resolve(path: str) -> ResolverMatch | None:
    try:
        return resolve(path)
    except Resolver404:
        return None
