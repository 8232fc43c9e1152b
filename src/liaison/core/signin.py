"""Sign-in throttling and lockout, and the bookkeeping of who holds which session.

Failed sign-ins are counted per username and per client address in the database (SignInThrottle),
so every server process sees the same counts. After `SIGNIN_USERNAME_LIMIT` failures for a username
within `SIGNIN_WINDOW_MINUTES`, that username cannot sign in for `SIGNIN_LOCKOUT_MINUTES`, even with the
right password; the same per address with `SIGNIN_IP_LIMIT`. Unknown usernames are counted and locked
exactly like real ones, so the answers never tell whether an account exists.

Every failure, refusal and lockout is audited and logged. Neither ever holds the password, nor the
username as typed unless it names a real account: people type their password into the username box.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import math
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.db.models import Max, Q
from django.http import HttpRequest
from django.utils import timezone

from liaison.core.audit import audit
from liaison.core.models import SignInThrottle, SignInThrottleScope, User, UserSession

logger = logging.getLogger("liaison.security")


@dataclass(frozen=True)
class SignInAttempt:
    """Who is trying to sign in, as far as throttling needs to know."""

    username: str
    address: str

    @property
    def username_key(self) -> str:
        # Keyed, so the table cannot be checked against a list of guessed names; case-folded, so
        # "Sam" and "sam" share one counter.
        normalised = self.username.strip().casefold()[:150]
        return hmac.new(
            settings.SECRET_KEY.encode(), b"signin-username:" + normalised.encode(), hashlib.sha256
        ).hexdigest()

    def counters(self) -> list[tuple[str, str, int]]:
        return [
            (SignInThrottleScope.USERNAME, self.username_key, settings.SIGNIN_USERNAME_LIMIT),
            (SignInThrottleScope.ADDRESS, self.address, settings.SIGNIN_IP_LIMIT),
        ]


def client_address(request: HttpRequest) -> str:
    """The client's address: the connection's own, or as the trusted proxies in front recorded it."""
    address = str(request.META.get("REMOTE_ADDR") or "unknown")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [a.strip() for a in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
        forwarded = [a for a in forwarded if a]
        # Each trusted proxy appends the address it saw; anything further left the client could forge.
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    return address[:45]


def lockout_message(minutes: int) -> str:
    unit = "minute" if minutes == 1 else "minutes"
    return (
        f"There have been too many attempts to sign in. For your security, signing in is paused for "
        f"{minutes} {unit}. Try again then, or ask your team lead or administrator to help you."
    )


def _account(attempt: SignInAttempt) -> User | None:
    return User.objects.filter(username=attempt.username).first() if attempt.username else None


def _who(account: User | None) -> str:
    return f"user {account.pk}" if account is not None else "an unknown username"


def _audit(*, action: str, attempt: SignInAttempt, account: User | None, **detail: object) -> None:
    audit(
        actor=None,
        action=action,
        object_type="user" if account is not None else "",
        object_id=account.pk if account is not None else "",
        detail={
            "address": attempt.address,
            # Lets a reviewer see that attempts on an unknown name were one name, without storing it.
            "username_key": attempt.username_key[:16],
            **detail,
        },
    )


def signin_locked_minutes(attempt: SignInAttempt) -> int | None:
    """Minutes until this username or address may try again, or None when it may try now."""
    now = timezone.now()
    latest: dt.datetime | None = (
        SignInThrottle.objects.filter(
            Q(scope=SignInThrottleScope.USERNAME, key=attempt.username_key)
            | Q(scope=SignInThrottleScope.ADDRESS, key=attempt.address),
            locked_until__gt=now,
        )
        .aggregate(latest=Max("locked_until"))
        .get("latest")
    )
    if latest is None:
        return None
    minutes_left: int = math.ceil((latest - now).total_seconds() / 60)
    return max(1, minutes_left)


@transaction.atomic
def signin_refused(*, attempt: SignInAttempt, minutes: int) -> None:
    """An attempt made while locked: not checked against the password at all, but recorded."""
    account = _account(attempt)
    _audit(action="signin.failed", attempt=attempt, account=account, why="locked", minutes_left=minutes)
    logger.warning("Sign-in refused (locked) for %s from %s", _who(account), attempt.address)


@transaction.atomic
def signin_failed(*, attempt: SignInAttempt) -> int | None:
    """Count a wrong username or password. Returns the lockout in minutes if this failure started one."""
    now = timezone.now()
    window = dt.timedelta(minutes=settings.SIGNIN_WINDOW_MINUTES)
    lockout = dt.timedelta(minutes=settings.SIGNIN_LOCKOUT_MINUTES)
    account = _account(attempt)
    _audit(action="signin.failed", attempt=attempt, account=account, why="wrong username or password")
    logger.warning("Sign-in failed for %s from %s", _who(account), attempt.address)
    # Counters whose window and lockout are long over say nothing; without this, guesses at made-up
    # usernames would leave a row each for ever.
    SignInThrottle.objects.filter(window_started_at__lt=now - 2 * max(window, lockout)).exclude(
        locked_until__gt=now
    ).delete()
    locked: int | None = None
    for scope, key, limit in attempt.counters():
        row, _ = SignInThrottle.objects.select_for_update().get_or_create(
            scope=scope, key=key, defaults={"window_started_at": now}
        )
        lock_over = row.locked_until is not None and row.locked_until <= now
        if row.window_started_at <= now - window or lock_over:
            row.failures, row.window_started_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= limit and row.locked_until is None:
            row.locked_until = now + lockout
            locked = settings.SIGNIN_LOCKOUT_MINUTES
            _audit(
                action="signin.locked", attempt=attempt, account=account, scope=scope, failures=row.failures
            )
            logger.warning(
                "Sign-in locked by %s for %s minutes after %s failures (%s from %s)",
                scope,
                settings.SIGNIN_LOCKOUT_MINUTES,
                row.failures,
                _who(account),
                attempt.address,
            )
        row.save()
    return locked


@transaction.atomic
def signin_succeeded(*, attempt: SignInAttempt, user: User) -> None:
    """The username's count starts again. The address's does not: one good account must not let its
    holder reset the count for guesses at everyone else's."""
    SignInThrottle.objects.filter(scope=SignInThrottleScope.USERNAME, key=attempt.username_key).delete()
    audit(actor=user, action="signin.succeeded", detail={"address": attempt.address})


# --- sessions ---------------------------------------------------------------------------------------

SIGNED_IN_AT = "liaison_signed_in_at"
LAST_SEEN_AT = "liaison_last_seen_at"


def session_begin(session: SessionBase, user: User) -> None:
    """Start the session's clocks and remember that this session is the user's."""
    now = timezone.now()
    session[SIGNED_IN_AT] = now.timestamp()
    session[LAST_SEEN_AT] = now.timestamp()
    if session.session_key is None:
        session.save()
    with transaction.atomic():
        # Rows older than the absolute limit name sessions the middleware refuses anyway.
        UserSession.objects.filter(
            started_at__lt=now - dt.timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS)
        ).delete()
        UserSession.objects.update_or_create(
            session_key=session.session_key, defaults={"user": user, "started_at": now}
        )


def session_cycle(request: HttpRequest, user: User) -> None:
    """A new session id, keeping the session's contents and the record that it is the user's."""
    old_key = request.session.session_key
    request.session.cycle_key()
    with transaction.atomic():
        UserSession.objects.filter(session_key=old_key).delete()
        UserSession.objects.update_or_create(
            session_key=request.session.session_key, defaults={"user": user, "started_at": timezone.now()}
        )


def on_user_logged_in(sender: object, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    """Connected to Django's user_logged_in (core/apps.py): every way of signing in starts the clocks,
    the sign-in page and a test's force_login alike. Bookkeeping only: the audit is in the view."""
    if request is not None and hasattr(request, "session"):
        session_begin(request.session, user)


def sessions_end_for_user(user: User, *, keep: str | None = None) -> int:
    """Delete every session the user holds from the session store (but `keep`, the one in use, when
    given). Returns how many were ended."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    rows = UserSession.objects.filter(user=user).exclude(session_key=keep or "")
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    rows.delete()
    return len(keys)


def session_seconds_left(session: SessionBase, now: float) -> tuple[int, int]:
    """(idle, absolute) seconds the session has left at `now`, as SessionSecurityMiddleware counts them."""
    idle = settings.SESSION_IDLE_SECONDS - (now - float(session.get(LAST_SEEN_AT, now)))
    absolute = settings.SESSION_ABSOLUTE_SECONDS - (now - float(session.get(SIGNED_IN_AT, now)))
    return max(0, int(idle)), max(0, int(absolute))


def session_user_id(session: SessionBase) -> str | None:
    value = session.get(SESSION_KEY)
    return None if value is None else str(value)
