"""Awareness training: sessions the team delivers to justice agency staff, with anonymous knowledge scores.

Each attendee may give a knowledge score (0 to 10) before and after the session; the scores are not
linked to anyone, and a row may miss one side (someone arrived late or left early).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from liaison.core.models import Team

SCORE_MIN = 0
SCORE_MAX = 10


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    COURT = "court", "Court staff"
    PROBATION = "probation", "Probation"
    CPS = "cps", "Crown Prosecution Service"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    PRISON = "prison", "Prison"
    OTHER = "other", "Other"


class TrainingSession(models.Model):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    agency_kind = models.CharField(max_length=16, choices=AgencyKind.choices)
    agency_name = models.CharField(max_length=200)  # "Northtown Police, custody"
    audience = models.CharField(max_length=200)  # "Custody sergeants and detention officers"
    topic = models.CharField(max_length=200)
    delivered_on = models.DateField()
    attendees = models.PositiveIntegerField()
    facilitator = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-delivered_on", "-id"]
        indexes = [models.Index(fields=["team", "-delivered_on"], name="training_team_delivered")]
        constraints = [models.CheckConstraint(condition=Q(attendees__gte=1), name="training_attendees_min")]

    def __str__(self) -> str:
        return f"Training session {self.pk}"


class KnowledgeScore(models.Model):
    """One attendee's anonymous scores, before and after; either may be missing, not both."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="scores")
    pre = models.PositiveSmallIntegerField(null=True, blank=True)
    post = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(pre__isnull=False) | Q(post__isnull=False), name="knowledgescore_one_side"
            ),
            models.CheckConstraint(
                condition=Q(pre__isnull=True) | Q(pre__gte=SCORE_MIN, pre__lte=SCORE_MAX),
                name="knowledgescore_pre_range",
            ),
            models.CheckConstraint(
                condition=Q(post__isnull=True) | Q(post__gte=SCORE_MIN, post__lte=SCORE_MAX),
                name="knowledgescore_post_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Knowledge score {self.pk}"
