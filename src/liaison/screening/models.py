"""A screening: one instrument given in one episode, its answers, and the score it was given.

The score is computed by the pure engine (screening/instruments) and stored with the instrument's
code, version and cut-off profile, so a later change to a definition never changes an old result.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from liaison.episodes.models import Episode, Task


class ScreeningStatus(models.TextChoices):
    DRAFT = "draft", "In progress"
    COMPLETE = "complete", "Complete"


class AlertAction(models.TextChoices):
    """What was done about a suicide-risk alert, recorded when it is acknowledged."""

    ASSESSED = "assessed", "Seen the person and assessed the risk"
    SAFETY_PLAN = "safety_plan", "Safety plan agreed with the person"
    REFERRED = "referred", "Referred to the crisis or mental health team"
    ESCALATED = "escalated", "Escalated to custody healthcare / the custody sergeant"
    OTHER = "other", "Other"


class Screening(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="screenings")
    instrument_code = models.CharField(max_length=30)
    instrument_version = models.CharField(max_length=20)
    profile = models.CharField(max_length=40)
    # {"<item number>": <published value>}: partial while a draft, complete once scored.
    answers = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=ScreeningStatus.choices, default=ScreeningStatus.DRAFT)
    # The result, as the engine gave it at completion.
    total = models.IntegerField(null=True, blank=True)
    band = models.CharField(max_length=40, blank=True)
    positive = models.BooleanField(null=True, blank=True)
    flags = models.JSONField(default=list, blank=True)
    subscores = models.JSONField(default=dict, blank=True)
    result_notes = models.JSONField(default=list, blank=True)
    # Kept as a column (not only in `flags`) so the person page can find it with an indexed query.
    suicide_risk = models.BooleanField(default=False)
    urgent_task = models.ForeignKey(Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The suicide-risk alert acknowledged: who saw it, when, and what was done (the urgent task stays
    # open until someone marks it done; acknowledging does not close it).
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_action = models.CharField(max_length=20, choices=AlertAction.choices, blank=True)
    acknowledged_note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            models.Index(fields=["episode", "-started_at"], name="screening_episode_started"),
            models.Index(fields=["suicide_risk", "status", "episode"], name="screening_suicide_risk"),
        ]

    def __str__(self) -> str:
        return f"Screening {self.pk} ({self.instrument_code} v{self.instrument_version})"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def is_complete(self) -> bool:
        return self.status == ScreeningStatus.COMPLETE
