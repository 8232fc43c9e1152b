"""Writes of privacy monitoring: the daily scan that raises alerts, the break-glass hook, closing an alert.

The scan asks the database for aggregates (distinct people read per user, team and day; grants per
user and team in a window) and never walks the audit rows in Python, so its cost in queries does not
grow with the audit log; Python only compares a few numbers per user the database already picked out.
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from liaison.core.audit import audit
from liaison.core.errors import NotPermitted
from liaison.core.models import AuditEvent, BreakGlass, User
from liaison.core.permissions import can, role_in
from liaison.monitoring.models import DAY_RULES, AlertOutcome, AlertRule, PrivacyAlert
from liaison.monitoring.rules import PrivacyRules, RulesError, load_rules

REVIEW = "monitoring.review_alerts"
logger = logging.getLogger("liaison.security")
NOTE_MAX = 2000


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local day as [start, end) instants: 23 or 25 hours long when the clocks change."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    return start, end


def record_reads(rules: PrivacyRules) -> Any:
    """Audit events in which a user read one person's record, in a team's name."""
    return AuditEvent.objects.filter(
        action__in=rules.read_actions,
        actor_id__isnull=False,
        team_id__isnull=False,
        person_id__isnull=False,
    )


@dataclass
class ScanResult:
    day: dt.date
    found: int = 0
    raised: Counter[str] = field(default_factory=Counter)
    dry_run: bool = False

    @property
    def raised_total(self) -> int:
        return sum(self.raised.values())


# --- the rules, each one or two aggregate queries ---------------------------------------------------


def _break_glass_alerts(day: dt.date) -> list[PrivacyAlert]:
    start, end = day_bounds(day)
    grants = (
        BreakGlass.objects.filter(granted_at__gte=start, granted_at__lt=end)
        .order_by("granted_at", "pk")
        .values_list("pk", "user_id", "team_id", "person_id", "granted_at")
    )
    return [
        _grant_alert(grant_id, user_id, team_id, person_id, granted_at)
        for grant_id, user_id, team_id, person_id, granted_at in grants
    ]


def _grant_alert(grant_id: int, user_id: int, team_id: int, person_id: int, at: dt.datetime) -> PrivacyAlert:
    return PrivacyAlert(
        rule=AlertRule.BREAK_GLASS,
        user_id=user_id,
        team_id=team_id,
        grant_id=grant_id,
        day=timezone.localdate(at),
        numbers={"person_id": person_id, "granted_at": at.isoformat()},
    )


def _repeated_break_glass_alerts(day: dt.date, rules: PrivacyRules) -> list[PrivacyAlert]:
    """Users who broke the glass on this day and for `people` or more people in the window ending today."""
    rule = rules.repeated_break_glass
    start, end = day_bounds(day)
    window_start, _ = day_bounds(day - dt.timedelta(days=rule.window_days - 1))
    rows = (
        BreakGlass.objects.filter(granted_at__gte=window_start, granted_at__lt=end)
        .values("user_id", "team_id")
        .annotate(people=Count("person_id", distinct=True), grants=Count("id"), last=Max("granted_at"))
        .filter(people__gte=rule.people, last__gte=start)
        .order_by()
    )
    return [
        PrivacyAlert(
            rule=AlertRule.REPEATED_BREAK_GLASS,
            user_id=row["user_id"],
            team_id=row["team_id"],
            day=day,
            numbers={
                "people": row["people"],
                "grants": row["grants"],
                "window_days": rule.window_days,
                "threshold": rule.people,
            },
        )
        for row in rows
    ]


def _volume_alerts(day: dt.date, rules: PrivacyRules) -> list[PrivacyAlert]:
    """The ceiling and the baseline rules: one alert at most per user, team and day.

    Two queries: the day's distinct people per user and team, kept only at or above the lowest number
    either rule could alert on; then, for just those users, their daily counts over the baseline
    window. Over the ceiling wins (the alert also says how the day compares with their usual).
    """
    start, end = day_bounds(day)
    ceiling, baseline = rules.daily_ceiling, rules.above_baseline
    today = list(
        record_reads(rules)
        .filter(at__gte=start, at__lt=end)
        .values("actor_id", "team_id")
        .annotate(people=Count("person_id", distinct=True))
        .filter(people__gte=rules.candidate_minimum())
        .order_by()
    )
    if not today:
        return []
    history: dict[tuple[int, int], list[int]] = {}
    if baseline.enabled:
        history_start, _ = day_bounds(day - dt.timedelta(days=baseline.baseline_days))
        daily = (
            record_reads(rules)
            .filter(
                at__gte=history_start,
                at__lt=start,
                actor_id__in={row["actor_id"] for row in today},
                team_id__in={row["team_id"] for row in today},
            )
            .annotate(local_day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
            .values("actor_id", "team_id", "local_day")
            .annotate(people=Count("person_id", distinct=True))
            .order_by()
        )
        for row in daily:
            history.setdefault((row["actor_id"], row["team_id"]), []).append(row["people"])
    alerts = []
    for row in today:
        people = row["people"]
        numbers: dict[str, Any] = {"people_viewed": people}
        above = False
        if baseline.enabled:
            days = history.get((row["actor_id"], row["team_id"]), [])
            numbers.update(
                active_days=len(days),
                baseline_days=baseline.baseline_days,
                multiple=baseline.multiple,
                minimum_people=baseline.minimum_people,
            )
            if len(days) >= baseline.minimum_active_days:
                usual = statistics.median(days)
                numbers["baseline_median"] = usual
                above = people > baseline.multiple * usual and people >= baseline.minimum_people
        if ceiling.enabled:
            numbers["ceiling"] = ceiling.ceiling
        if ceiling.enabled and people > ceiling.ceiling:
            rule = AlertRule.DAILY_CEILING
        elif above:
            rule = AlertRule.ABOVE_BASELINE
        else:
            continue
        alerts.append(
            PrivacyAlert(rule=rule, user_id=row["actor_id"], team_id=row["team_id"], day=day, numbers=numbers)
        )
    return alerts


def _key(alert: PrivacyAlert) -> tuple[object, ...]:
    if alert.grant_id is not None:
        return (alert.rule, "grant", alert.grant_id)
    return (alert.rule, alert.user_id, alert.team_id, alert.day)


def _not_yet_raised(found: list[PrivacyAlert], day: dt.date) -> list[PrivacyAlert]:
    """The alerts found that no earlier scan (or the break-glass hook) raised already: one query."""
    if not found:
        return []
    grant_ids = [a.grant_id for a in found if a.grant_id is not None]
    existing = PrivacyAlert.objects.filter(
        Q(grant_id__in=grant_ids, grant__isnull=False) | Q(day=day, rule__in=DAY_RULES, grant__isnull=True)
    )
    seen = {_key(a) for a in existing.only("rule", "user_id", "team_id", "day", "grant_id")}
    new: list[PrivacyAlert] = []
    for alert in found:
        if _key(alert) not in seen:
            seen.add(_key(alert))
            new.append(alert)
    return new


# --- the scan ---------------------------------------------------------------------------------------


@transaction.atomic
def privacy_scan(*, day: dt.date, rules: PrivacyRules | None = None, dry_run: bool = False) -> ScanResult:
    """Raise the alerts the rules find for one local day. Safe to run again: nothing is raised twice.

    Run by `liaison privacy-scan` after midnight for the day before; a run for today finds what has
    happened so far, and a later run that day adds only what is new (a second rule, a new grant).
    """
    rules = rules or load_rules()
    found: list[PrivacyAlert] = []
    if rules.break_glass.enabled:
        found += _break_glass_alerts(day)
    if rules.repeated_break_glass.enabled:
        found += _repeated_break_glass_alerts(day, rules)
    if rules.volume_enabled:
        found += _volume_alerts(day, rules)
    new = _not_yet_raised(found, day)
    result = ScanResult(day=day, found=len(found), raised=Counter(str(a.rule) for a in new), dry_run=dry_run)
    if dry_run:
        return result
    # One moment for the whole run, so the list's order within it is the order found (newest grant
    # last, then first on the page).
    now = timezone.now()
    for alert in new:
        alert.raised_at = now
    # ignore_conflicts: a scan running at the same moment (or the hook) may have raised one since.
    PrivacyAlert.objects.bulk_create(new, ignore_conflicts=True)
    audit(
        actor=None,
        action="privacy.scan",
        object_type="privacy_scan",
        object_id=day.isoformat(),
        detail={"day": day.isoformat(), "found": result.found, "raised": dict(result.raised)},
    )
    return result


def privacy_alert_for_grant(*, grant: BreakGlass, rules: PrivacyRules | None = None) -> None:
    """Raise the break-glass alert as the glass is broken, so the team lead sees it at once.

    Called by core.services.break_glass_grant inside its transaction; the scan would raise it later
    anyway (the unique constraint keeps it to one).
    """
    try:
        enabled = (rules or load_rules()).break_glass.enabled
    except RulesError:
        # Never stand between a clinician and an urgent record: raise the alert (monitoring more, not
        # less) and say loudly that the rules need fixing. `liaison check` reports it too.
        logger.exception("privacy rules unreadable: raising the break-glass alert anyway")
        enabled = True
    if not enabled:
        return
    alert = _grant_alert(grant.pk, grant.user_id, grant.team_id, grant.person_id, grant.granted_at)
    PrivacyAlert.objects.bulk_create([alert], ignore_conflicts=True)


# --- closing an alert -------------------------------------------------------------------------------


@transaction.atomic
def privacy_alert_close(*, actor: User, alert: PrivacyAlert, outcome: str, note: str) -> PrivacyAlert:
    """Close an open alert with what the privacy officer found. Audited; made once, never changed.

    Nobody closes an alert about themselves: another team lead of the team, or the IG lead, does.
    """
    if not can(actor, REVIEW, alert.team_id):
        raise NotPermitted("Only the team lead of the user's team can close a privacy alert")
    if alert.user_id == actor.pk:
        raise NotPermitted(
            "Another team lead, or your information governance lead, must review alerts about you"
        )
    errors: dict[str, str] = {}
    if outcome not in AlertOutcome.values:
        errors["outcome"] = "Select the outcome of your review"
    note = (note or "").strip()
    if not note:
        errors["note"] = "Enter a note about what you found"
    elif len(note) > NOTE_MAX:
        errors["note"] = f"Note must be {NOTE_MAX:,} characters or fewer"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    updated = PrivacyAlert.objects.filter(pk=alert.pk, closed_at__isnull=True).update(
        closed_at=now, closed_by=actor, outcome=outcome, note=note
    )
    if not updated:
        raise ValidationError("Someone else closed this alert after you opened it")
    audit(
        actor=actor,
        action="privacy_alert.close",
        team_id=alert.team_id,
        role=role_in(actor, alert.team_id) or "",
        object_type="privacy_alert",
        object_id=alert.pk,
        reason=note,
        detail={
            "outcome": outcome,
            "rule": alert.rule,
            "user_id": alert.user_id,
            "day": alert.day.isoformat(),
        },
    )
    alert.refresh_from_db()
    return alert
