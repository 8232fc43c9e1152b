"""`liaison check` reads the privacy rules, so a broken rules file is found when the service is deployed
or started, not at the first scan (or the first break-glass) after it."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register

from liaison.monitoring.rules import RULES_FILE, RulesError, parse_rules

RULES_UNREADABLE = "liaison.E101"


@register()
def privacy_rules_are_readable(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    import json

    try:
        parse_rules(json.loads(RULES_FILE.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:  # RulesError and JSONDecodeError are ValueErrors
        message = str(exc) if isinstance(exc, RulesError) else f"cannot read {RULES_FILE}: {exc}"
        return [
            Error(
                f"The privacy monitoring rules are not valid: {message}",
                hint="Fix src/liaison/monitoring/data/privacy_rules.json (docs/monitoring.md describes it).",
                id=RULES_UNREADABLE,
            )
        ]
    return []
