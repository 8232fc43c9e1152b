from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from liaison.core.signin import session_seconds_left
from liaison.core.teams import current_membership
from liaison.monitoring.navigation import header_links


def liaison(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_membership": current_membership(request),
        "session_clock": _session_clock(request),
        "monitoring_links": header_links(request),
    }


def _session_clock(request: HttpRequest) -> dict[str, int]:
    """What the "you will be signed out soon" warning needs, as the server counts it."""
    idle_left, absolute_left = session_seconds_left(request.session, timezone.now().timestamp())
    return {
        "idle_seconds_left": idle_left,
        "absolute_seconds_left": absolute_left,
        "idle_seconds": settings.SESSION_IDLE_SECONDS,
        "warning_seconds": settings.SESSION_WARNING_SECONDS,
    }
