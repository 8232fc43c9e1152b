from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from liaison.core.teams import current_membership


def liaison(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"current_membership": current_membership(request)}
