"""Crisis plans written with the person, and the crisis events that feed each review.

A crisis plan is a numbered version within its episode, like the assessment: a review starts a new
draft copied from the last complete version, and a complete version is never changed again. The six
parts are kept in the person's own words. The services they chose from the directory are kept as a
snapshot (name, numbers, opening times) so a version, and the card printed from it, stays as it was
agreed even when the directory changes later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from liaison.episodes.models import Episode


class CrisisPlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    COMPLETE = "complete", "Complete"


class CrisisPlan(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="crisis_plans")
    number = models.PositiveIntegerField()  # 1 for the first plan in the episode, then each review
    status = models.CharField(max_length=10, choices=CrisisPlanStatus.choices, default=CrisisPlanStatus.DRAFT)

    # The six parts, in the person's words.
    warning_signs = models.TextField(blank=True)  # 1. their warning signs
    self_help = models.TextField(blank=True)  # 2. what they can do themselves
    helpful_people_places = models.TextField(blank=True)  # 3. people and places that help
    # 4. who they can ask for help: [{"name": ..., "how": ...}]
    people_to_ask = models.JSONField(default=list, blank=True)
    # 5. professionals and crisis lines: services chosen from the directory, as a snapshot
    # [{"id", "name", "phones": [{"number", "label"}], "opening"}], and anyone else in free text.
    services = models.JSONField(default=list, blank=True)
    other_professionals = models.TextField(blank=True)
    safer = models.TextField(blank=True)  # 6. making their situation safer
    what_matters = models.TextField(blank=True)

    written_with_person = models.BooleanField(default=False)
    review_on = models.DateField(null=True, blank=True)

    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["episode", "number"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "number"], name="crisisplan_episode_number"),
            # One draft per episode: two workers cannot start rival reviews.
            models.UniqueConstraint(
                fields=["episode"], condition=models.Q(status="draft"), name="crisisplan_one_draft"
            ),
        ]
        indexes = [models.Index(fields=["episode", "status", "-number"], name="crisisplan_episode_status")]

    def __str__(self) -> str:
        return f"Crisis plan {self.number} of episode {self.episode_id}"

    @property
    def is_complete(self) -> bool:
        return self.status == CrisisPlanStatus.COMPLETE


class CrisisEvent(models.Model):
    """A crisis the person went through, told in their words: it is shown on the next review's form."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="crisis_events")
    happened_at = models.DateTimeField()
    what_happened = models.TextField()
    what_helped = models.TextField(blank=True)
    what_did_not_help = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-happened_at", "-id"]
        indexes = [models.Index(fields=["episode", "-happened_at"], name="crisisevent_episode_at")]

    def __str__(self) -> str:
        return f"Crisis event of episode {self.episode_id} at {self.happened_at:%Y-%m-%d %H:%M}"
