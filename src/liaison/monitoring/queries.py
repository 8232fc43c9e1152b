"""Reads for privacy monitoring and the team's accounts, each scoped to what the actor may see.

A privacy alert is the business of the team lead of the team it was raised in; an account, of its
team's lead or administrator. Anyone else gets 404 (audited), the same as for a record that does
not exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet

from liaison.core.access import deny, record_id_or_deny
from liaison.core.models import AuditEvent, BreakGlass, Membership, User
from liaison.core.permissions import can, teams_for
from liaison.monitoring.models import PrivacyAlert
from liaison.monitoring.rules import load_rules
from liaison.monitoring.services import REVIEW, day_bounds, record_reads

MANAGE = "core.manage_accounts"


# --- privacy alerts ---------------------------------------------------------------------------------


def team_alerts(team_id: int, *, show_closed: bool = False) -> QuerySet[PrivacyAlert]:
    """The team's open (or closed) alerts, newest first, with what the list shows loaded."""
    alerts = PrivacyAlert.objects.filter(team_id=team_id, closed_at__isnull=not show_closed)
    return alerts.select_related("user", "grant", "closed_by").order_by("-raised_at", "-day", "-pk")


def open_alert_count(team_id: int) -> int:
    return PrivacyAlert.objects.filter(team_id=team_id, closed_at__isnull=True).count()


def get_alert_for_user(user: User, pk: object) -> PrivacyAlert:
    """An alert of a team in which the user reviews alerts; 404 (audited) for missing and not-yours alike."""
    alert_id = record_id_or_deny(user, pk, "privacy_alert")
    alert = (
        PrivacyAlert.objects.filter(pk=alert_id, team_id__in=teams_for(user, REVIEW))
        .select_related("user", "team", "grant", "closed_by")
        .first()
    )
    if alert is None:
        raise deny(user, object_type="privacy_alert", object_id=alert_id)
    return alert


def grants_behind(alert: PrivacyAlert) -> list[BreakGlass]:
    """The break-glass grants a repeated-break-glass alert counted (a handful: the window is days)."""
    rule = load_rules().repeated_break_glass
    _, end = day_bounds(alert.day)
    start, _ = day_bounds(
        alert.day - dt.timedelta(days=int(alert.numbers.get("window_days", rule.window_days)) - 1)
    )
    return list(
        BreakGlass.objects.filter(
            user_id=alert.user_id, team_id=alert.team_id, granted_at__gte=start, granted_at__lt=end
        ).order_by("-granted_at", "-pk")[:100]
    )


def records_read_on_the_day(alert: PrivacyAlert) -> QuerySet[AuditEvent, dict[str, Any]]:
    """The Liaison IDs whose records the alert's user read that day in the team, one row each, in SQL:
    how many reads, the first and last, and how many were through a break-glass grant. No names."""
    start, end = day_bounds(alert.day)
    return (
        record_reads(load_rules())
        .filter(actor_id=alert.user_id, team_id=alert.team_id, at__gte=start, at__lt=end)
        .values("person_id")
        .annotate(
            reads=Count("id"),
            first=Min("at"),
            last=Max("at"),
            through_break_glass=Count("id", filter=Q(detail__via="break_glass")),
        )
        .order_by("first", "person_id")
    )


# --- the team's accounts ----------------------------------------------------------------------------


def team_accounts(team_id: int) -> QuerySet[Membership]:
    """The team's members with their accounts: active first, then by name."""
    return (
        Membership.objects.filter(team_id=team_id)
        .select_related("user")
        .order_by("-user__is_active", "user__display_name", "user__username", "pk")
    )


def last_sign_ins(user_ids: list[int]) -> dict[int, dt.datetime]:
    """When each user last signed in, as the audit log knows it (one aggregate query)."""
    rows = (
        AuditEvent.objects.filter(action="signin.succeeded", actor_id__in=user_ids)
        .values("actor_id")
        .annotate(last=Max("at"))
        .order_by()
    )
    return {row["actor_id"]: row["last"] for row in rows}


def get_account_for_user(user: User, pk: object, *, team_id: int) -> Membership:
    """A member of the team (in which `user` manages accounts), with the account; else an audited 404."""
    account_id = record_id_or_deny(user, pk, "user")
    membership = None
    if can(user, MANAGE, team_id):
        membership = (
            Membership.objects.filter(team_id=team_id, user_id=account_id).select_related("user").first()
        )
    if membership is None:
        raise deny(user, object_type="user", object_id=account_id)
    return membership
