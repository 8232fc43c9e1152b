"""The team lead's commentary on a quarter, printed in the commissioner report beside the figures."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from liaison.core.models import Team


class Commentary(models.Model):
    """One team's words on one quarter. Edited in place with an optimistic `version` lock; every save
    is audited ("outcomes.commentary_save"), so the audit log keeps who changed it and when."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    quarter = models.CharField(max_length=7)  # "2026-Q3": calendar quarter, July to September 2026
    summary = models.TextField(blank=True)  # how the quarter went
    achievements = models.TextField(blank=True)  # what went well
    challenges = models.TextField(blank=True)  # risks, issues and what the figures do not show
    next_steps = models.TextField(blank=True)  # what the team will do next quarter
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "quarter"], name="commentary_one_per_team_quarter")
        ]

    def __str__(self) -> str:
        return f"Commentary for {self.quarter}"
