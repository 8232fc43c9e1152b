"""Drop-in sessions and who came to them. A known person's attendance is also a successful contact
on their open episode (a drop-in is contact), so the outreach rules see it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from liaison.core.models import Site, Team
from liaison.episodes.models import Contact, Episode


class DropInSession(models.Model):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="drop_in_sessions")
    site = models.ForeignKey(Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    place = models.CharField(max_length=200)  # where, in words: "Harbour Café, back room"
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="drop_in_sessions", blank=True)
    # People who came and did not give a name, or are not known to the team: counted, not recorded.
    anonymous_count = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["team", "-starts_at"], name="dropin_team_starts")]


class DropInAttendance(models.Model):
    session = models.ForeignKey(DropInSession, on_delete=models.CASCADE, related_name="attendances")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="drop_in_attendances")
    contact = models.OneToOneField(Contact, on_delete=models.PROTECT, related_name="drop_in_attendance")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "episode"], name="dropin_attendance_once_per_session")
        ]
