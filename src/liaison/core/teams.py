"""Which team a signed-in user is working as. A user in several teams picks one; it is kept in the session."""

from __future__ import annotations

from django.http import HttpRequest

from liaison.core.models import Membership
from liaison.core.permissions import memberships


def current_membership(request: HttpRequest) -> Membership | None:
    cached = getattr(request, "_liaison_membership", None)
    if cached is not None:
        return cached
    user = request.user
    if not user.is_authenticated:
        return None
    mine = memberships(user)
    if not mine:
        return None
    wanted = request.session.get("team_id")
    chosen = next((m for m in mine if m.team_id == wanted), mine[0])
    request._liaison_membership = chosen  # type: ignore[attr-defined]
    return chosen
