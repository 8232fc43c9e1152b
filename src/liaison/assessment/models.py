"""A needs assessment within an episode, its needs, the plan's order, and the plan's actions.

An assessment is a numbered version within its episode: a review starts a new draft copied from the
last complete one, so every version is kept. Needs are rows keyed by a domain code or a basic need
("basic:sleep_tonight"). Plan actions belong to the episode and a need key, so they carry across
versions; each one made a task, so it shows on the worklist and the episode page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from liaison.assessment.codes import LEVELS, RAISED_BY
from liaison.episodes.models import Episode, Task


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    COMPLETE = "complete", "Complete"


class Fitness(models.TextChoices):
    NOT_ASSESSED = "", "Not assessed"
    FIT = "fit", "Fit"
    FIT_WITH_ADJUSTMENTS = "fit_with_adjustments", "Fit, with adjustments or safeguards"
    NOT_FIT = "not_fit", "Not fit"


class Finding(models.TextChoices):
    NOT_ASSESSED = "", "Not assessed"
    YES = "yes", "Yes"
    NO = "no", "No"


class GuardianInvolvement(models.TextChoices):
    NOT_RECORDED = "", "Not recorded"
    PRESENT = "present", "Parent or guardian present"
    INFORMED = "informed", "Parent or guardian informed, not present"
    NOT_CONTACTABLE = "not_contactable", "Tried, could not be contacted"
    NOT_APPROPRIATE = "not_appropriate", "Not appropriate (reason recorded)"


class EducationStatus(models.TextChoices):
    NOT_RECORDED = "", "Not recorded"
    IN_EDUCATION = "in_education", "In school or college"
    ALTERNATIVE = "alternative", "In alternative provision"
    EXCLUDED = "excluded", "Excluded or suspended"
    HOME = "home", "Electively home educated"
    NEET = "neet", "Not in education, employment or training"
    WORKING = "working", "In work or an apprenticeship"
    NOT_KNOWN = "not_known", "Not known"


class Assessment(models.Model):
    # db_index=False on a foreign key: an index in Meta starts with its column and serves its look-ups
    # (tests/core/test_redundant_indexes.py); a second index would only cost every insert a write.
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="assessments", db_index=False)
    number = models.PositiveIntegerField()  # 1 for the first assessment in the episode, then each review
    status = models.CharField(max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)

    # The person's own view, in their own words.
    own_words = models.TextField(blank=True)  # what is going on for them
    help_first = models.TextField(blank=True)  # what they want help with first
    helped_before = models.TextField(blank=True)
    not_helped_before = models.TextField(blank=True)
    goals = models.TextField(blank=True)
    contact_preference = models.TextField(blank=True)
    # Need keys, in the person's order of priority.
    person_priorities = models.JSONField(default=list, blank=True)

    # Custody findings: each with its reasons. They feed the advice to police.
    fitness_for_interview = models.CharField(max_length=24, choices=Fitness.choices, blank=True)
    fitness_for_interview_reason = models.TextField(blank=True)
    fitness_for_detention = models.CharField(max_length=24, choices=Fitness.choices, blank=True)
    fitness_for_detention_reason = models.TextField(blank=True)
    appropriate_adult = models.CharField(max_length=4, choices=Finding.choices, blank=True)
    appropriate_adult_reason = models.TextField(blank=True)
    capacity_concerns = models.CharField(max_length=4, choices=Finding.choices, blank=True)
    capacity_concerns_reason = models.TextField(blank=True)
    communication_support = models.CharField(max_length=4, choices=Finding.choices, blank=True)
    communication_support_reason = models.TextField(blank=True)

    # The youth pathway (under-18s).
    guardian_involvement = models.CharField(max_length=20, choices=GuardianInvolvement.choices, blank=True)
    guardian_detail = models.TextField(blank=True)
    youth_justice_contact = models.CharField(max_length=200, blank=True)
    education_status = models.CharField(max_length=20, choices=EducationStatus.choices, blank=True)
    education_detail = models.TextField(blank=True)

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
            models.UniqueConstraint(fields=["episode", "number"], name="assessment_episode_number"),
            # At most one draft per episode: two practitioners cannot start rival reviews.
            models.UniqueConstraint(
                fields=["episode"], condition=models.Q(status="draft"), name="assessment_one_draft"
            ),
        ]
        indexes = [models.Index(fields=["episode", "status", "-number"], name="assessment_episode_status")]

    def __str__(self) -> str:
        return f"Assessment {self.number} of episode {self.episode_id}"

    @property
    def is_complete(self) -> bool:
        return self.status == AssessmentStatus.COMPLETE


class Need(models.Model):
    """One domain's rating, or one basic need, in one version of an assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="needs", db_index=False)
    key = models.CharField(max_length=40)  # a domain code, or "basic:" and a basic need's code
    # Blank while a draft has not considered the domain yet; a complete assessment keeps only rated ones.
    level = models.CharField(max_length=10, choices=LEVELS, blank=True)
    evidence = models.TextField(blank=True)
    raised_by = models.CharField(max_length=14, choices=RAISED_BY, blank=True)
    # What a screening suggested, kept beside what the practitioner decided.
    suggested_level = models.CharField(max_length=10, choices=LEVELS, blank=True)
    suggested_from = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "key"], name="need_assessment_key")]

    def __str__(self) -> str:
        return f"{self.key}: {self.level or 'not considered'}"


class PlanOrder(models.Model):
    """An override of the rule's order, with the reason. Rows are only added: the newest wins."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="orders", db_index=False
    )
    keys = models.JSONField()
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["assessment", "-at"], name="planorder_assessment_at")]


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    NOT_NEEDED = "not_needed", "No longer needed"


OPEN_ACTION_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


class PlanAction(models.Model):
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="plan_actions", db_index=False
    )
    need_key = models.CharField(max_length=40)
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due = models.DateField()
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    task = models.OneToOneField(Task, on_delete=models.PROTECT, related_name="plan_action")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due", "id"]
        indexes = [models.Index(fields=["episode", "need_key"], name="planaction_episode_need")]

    def __str__(self) -> str:
        return f"{self.need_key}: {self.description}"
