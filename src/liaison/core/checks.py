"""Liaison's own deployment checks, run by `liaison check --deploy` alongside Django's."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

SQLITE_IN_PRODUCTION = "liaison.E001"


@register(Tags.security, Tags.database, deploy=True)
def sqlite_refused_in_production(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """SQLite is for the demo, development and an evaluation that has accepted its limits.

    In production it cannot enforce the audit table's append-only triggers, serves one machine only
    and has no point-in-time recovery; PostgreSQL is required unless LIAISON_EVALUATION_MODE is set.
    """
    engine = settings.DATABASES["default"]["ENGINE"]
    if "sqlite" not in engine or settings.EVALUATION_MODE:
        return []
    return [
        Error(
            "Liaison is configured with SQLite, which is not for production.",
            hint=(
                "Set DATABASE_URL to a PostgreSQL database (postgres://user@host:5432/name). "
                "For a time-limited evaluation that accepts SQLite's limits (no append-only triggers on "
                "the audit log, one server, no point-in-time recovery), set LIAISON_EVALUATION_MODE=1."
            ),
            id=SQLITE_IN_PRODUCTION,
        )
    ]
