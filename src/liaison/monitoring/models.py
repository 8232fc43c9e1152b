"""Privacy alerts: break-glass use and unusually high viewing raised for the team's privacy officer."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from liaison.core.models import BreakGlass, Team, User


class AlertRule(models.TextChoices):
    BREAK_GLASS = "break_glass", "Broke the glass"
    REPEATED_BREAK_GLASS = "repeated_break_glass", "Broke the glass repeatedly"
    DAILY_CEILING = "daily_ceiling", "Viewed more records in a day than the ceiling"
    ABOVE_BASELINE = "above_baseline", "Viewed far more records than usual"


# Rules raised once per user, team and day; break-glass alerts are raised once per grant instead.
DAY_RULES = (AlertRule.REPEATED_BREAK_GLASS, AlertRule.DAILY_CEILING, AlertRule.ABOVE_BASELINE)


class AlertOutcome(models.TextChoices):
    NO_CONCERN = "no_concern", "No concern"
    DISCUSSED = "discussed", "Discussed with the user"
    ESCALATED = "escalated", "Escalated to the IG lead"


class PrivacyAlert(models.Model):
    """One alert for the privacy officer (the team lead of the team `user` acted in).

    `numbers` keeps the figures the rule saw when it raised the alert (people viewed, the ceiling,
    the baseline...), so the alert still explains itself after the rules change. Closing is a single
    step, made once: `closed_at`, `closed_by`, `outcome` and `note` are written together and never
    changed after (services.privacy_alert_close updates only while `closed_at` is empty).
    """

    rule = models.CharField(max_length=30, choices=AlertRule.choices)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="privacy_alerts")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="privacy_alerts")
    # The local day the activity happened on (for break-glass, the day of the grant).
    day = models.DateField()
    grant = models.ForeignKey(
        BreakGlass, on_delete=models.PROTECT, null=True, blank=True, related_name="privacy_alerts"
    )
    numbers = models.JSONField(default=dict, blank=True)
    raised_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="privacy_alerts_closed"
    )
    outcome = models.CharField(max_length=20, choices=AlertOutcome.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            # Idempotence: running the scan twice, or the scan after the break-glass hook, raises
            # nothing twice, whichever process gets there first.
            models.UniqueConstraint(
                fields=["rule", "user", "team", "day"],
                condition=Q(grant__isnull=True),
                name="privacyalert_one_per_rule_user_team_day",
            ),
            models.UniqueConstraint(
                fields=["rule", "grant"],
                condition=Q(grant__isnull=False),
                name="privacyalert_one_per_grant",
            ),
            models.CheckConstraint(
                condition=(Q(closed_at__isnull=True, outcome="", closed_by__isnull=True))
                | (Q(closed_at__isnull=False, closed_by__isnull=False) & ~Q(outcome="")),
                name="privacyalert_closed_with_outcome",
            ),
        ]
        indexes = [
            # The team lead's list of open alerts, newest first, and the count in their header.
            models.Index(
                fields=["team", "-raised_at"],
                condition=Q(closed_at__isnull=True),
                name="privacyalert_team_open",
            ),
            models.Index(fields=["team", "-raised_at"], name="privacyalert_team_raised"),
        ]

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
