"""How privacy alerts read on the page: a tag per rule, a one-line summary, and the numbers behind it.

Nothing here queries: the alert's user and grant are loaded by monitoring.queries.
"""

from __future__ import annotations

from typing import Any

from liaison.core.presenters import Tag, date_time, long_date, user_name
from liaison.monitoring.models import AlertOutcome, AlertRule, PrivacyAlert

RULE_TAGS = {
    AlertRule.BREAK_GLASS: Tag("Break the glass", "red"),
    AlertRule.REPEATED_BREAK_GLASS: Tag("Repeated break the glass", "red"),
    AlertRule.DAILY_CEILING: Tag("Over the daily ceiling", "orange"),
    AlertRule.ABOVE_BASELINE: Tag("Far above usual", "yellow"),
}
OUTCOME_TAGS = {
    AlertOutcome.NO_CONCERN: Tag("No concern", "green"),
    AlertOutcome.DISCUSSED: Tag("Discussed with the user", "blue"),
    AlertOutcome.ESCALATED: Tag("Escalated to the IG lead", "red"),
}


def rule_tag(rule: str) -> Tag:
    return RULE_TAGS.get(rule, Tag(rule, "grey"))  # type: ignore[call-overload]


def outcome_tag(outcome: str) -> Tag | None:
    return OUTCOME_TAGS.get(outcome)  # type: ignore[call-overload]


def number(value: Any) -> str:
    """3.0 reads as 3, 10.5 as 10.5, 1200 as 1,200."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


def _people(n: Any) -> str:
    return f"{number(n)} {'person' if n == 1 else 'people'}"


def _days(n: Any) -> str:
    return f"{number(n)} {'day' if n == 1 else 'days'}"


def alert_summary(alert: PrivacyAlert) -> str:
    """One line for the list: what happened, with the number that matters."""
    n = alert.numbers
    if alert.rule == AlertRule.BREAK_GLASS:
        return f"Broke the glass for Liaison ID {n.get('person_id', '')}"
    if alert.rule == AlertRule.REPEATED_BREAK_GLASS:
        return (
            f"Broke the glass for {_people(n.get('people'))} in {number(n.get('window_days'))} days "
            f"(alert from {number(n.get('threshold'))})"
        )
    if alert.rule == AlertRule.DAILY_CEILING:
        return f"Viewed the records of {_people(n.get('people_viewed'))} (ceiling {number(n.get('ceiling'))})"
    if alert.rule == AlertRule.ABOVE_BASELINE:
        return (
            f"Viewed the records of {_people(n.get('people_viewed'))}; usually "
            f"{number(n.get('baseline_median'))} a day"
        )
    return str(alert.get_rule_display())


def alert_facts(alert: PrivacyAlert) -> list[tuple[str, str]]:
    """The numbers behind the alert, as rows of a summary list."""
    n = alert.numbers
    rows = [
        ("Rule", str(alert.get_rule_display())),
        ("Who", user_name(alert.user)),
        ("Day", long_date(alert.day)),
    ]
    if alert.rule == AlertRule.BREAK_GLASS:
        rows.append(("Liaison ID", str(n.get("person_id", ""))))
        if alert.grant is not None:
            rows += [
                ("When", date_time(alert.grant.granted_at)),
                ("Reason given", alert.grant.reason),
                ("Access until", date_time(alert.grant.expires_at)),
            ]
    elif alert.rule == AlertRule.REPEATED_BREAK_GLASS:
        rows += [
            ("Different people", number(n.get("people"))),
            ("Grants", number(n.get("grants"))),
            ("Counted over", f"{number(n.get('window_days'))} days, to the end of {long_date(alert.day)}"),
            ("Alert raised at", _people(n.get("threshold"))),
        ]
    else:
        rows.append(("Different people's records viewed", number(n.get("people_viewed"))))
        if "ceiling" in n:
            rows.append(("Daily ceiling", f"more than {_people(n['ceiling'])}"))
        if "baseline_median" in n:
            rows.append(
                (
                    "Their usual day",
                    f"{_people(n['baseline_median'])} (the median of {number(n.get('active_days'))} days "
                    f"with any views in the {number(n.get('baseline_days'))} days before)",
                )
            )
            rows.append(
                (
                    "Far above usual means",
                    f"more than {number(n.get('multiple'))} times their usual day, and at least "
                    f"{_people(n.get('minimum_people'))}",
                )
            )
        elif "active_days" in n:
            days = n["active_days"]
            seen = f"views on {_days(days)}" if days else "no views"
            rows.append(
                (
                    "Their usual day",
                    f"Not known yet: {seen} in the {number(n.get('baseline_days'))} days before "
                    "(the ceiling still applies)",
                )
            )
    rows.append(("Raised", date_time(alert.raised_at)))
    return rows
