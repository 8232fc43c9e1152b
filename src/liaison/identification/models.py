"""Finding people who may need L&D: the vulnerability flag code list, custody and court lists imported
for review (each import a batch), the arrivals on them, and the flags raised on arrivals and episodes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from liaison.core.models import Site, Team
from liaison.episodes.models import Episode


class VulnerabilityFlag(models.Model):
    """One entry of the code list (data/vulnerability_flags.json, loaded by a data migration).

    Extended by adding rows; a flag no longer offered is made inactive, never deleted, so the
    flags already recorded keep their meaning.
    """

    code = models.SlugField(max_length=40, primary_key=True)
    label = models.CharField(max_length=120)
    hint = models.CharField(max_length=300, blank=True)
    # Words custody officers write for this flag in a custody record (matched whole, lower case).
    terms = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label


class FlagSource(models.TextChoices):
    CUSTODY_RECORD = "custody_record", "Custody record review"
    PARTNER = "partner", "Partner referral"
    SCREENING = "screening", "Screening"
    PRACTITIONER = "practitioner", "Practitioner"


class ImportBatch(models.Model):
    """One custody or court list brought in: who, when, which file, and what became of its rows.

    The problems found (line, field, message) are kept without the values that were wrong, so
    the batch holds no names or dates of birth.
    """

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="import_batches")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=200)
    file_sha256 = models.CharField(max_length=64)
    via = models.CharField(max_length=10, default="upload")  # "upload" or "command"
    rows_read = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_duplicate = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)
    ignored_columns = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        indexes = [models.Index(fields=["team", "-imported_at"], name="importbatch_team_at")]


class ArrivalStatus(models.TextChoices):
    TO_REVIEW = "to_review", "To review"
    FLAGGED = "flagged", "Flagged"
    NO_CONCERNS = "no_concerns", "Reviewed: no concerns"
    EPISODE = "episode", "Episode opened"


# Arrivals still needing the practitioner: not yet looked at, or flagged but no episode yet.
OUTSTANDING = (ArrivalStatus.TO_REVIEW, ArrivalStatus.FLAGGED)


class Arrival(models.Model):
    """One person on a custody or court list, as the list gave them. Personal data: scoped to the team."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="arrivals")
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="arrivals")
    arrival_at = models.DateTimeField()
    custody_number = models.CharField(max_length=40, blank=True)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    pnc_id = models.CharField(max_length=12, blank=True)
    alleged_offence = models.CharField(max_length=200, blank=True)
    officer_flags = models.CharField(max_length=500, blank=True)
    # Re-importing a list must not add anyone twice: custody number and arrival time when the
    # list has a number, else a hash of the row's content (see services.dedupe_key).
    dedupe_key = models.CharField(max_length=80)
    status = models.CharField(max_length=12, choices=ArrivalStatus.choices, default=ArrivalStatus.TO_REVIEW)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_note = models.CharField(max_length=500, blank=True)
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, null=True, blank=True, related_name="source_arrivals"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "dedupe_key"], name="arrival_unique_per_site"),
        ]
        indexes = [
            models.Index(fields=["team", "status", "-arrival_at"], name="arrival_team_status_at"),
            models.Index(fields=["site", "status", "-arrival_at"], name="arrival_site_status_at"),
        ]

    def __str__(self) -> str:
        return f"Arrival {self.pk}"


class ArrivalFlag(models.Model):
    """A vulnerability flag raised on an arrival: which, from where, by whom, when."""

    arrival = models.ForeignKey(Arrival, on_delete=models.CASCADE, related_name="flags")
    flag = models.ForeignKey(VulnerabilityFlag, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=20, choices=FlagSource.choices)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["flag__position", "id"]
        constraints = [models.UniqueConstraint(fields=["arrival", "flag"], name="arrivalflag_once")]


class EpisodeFlag(models.Model):
    """A vulnerability flag on an episode: copied from its arrival, sent by a partner, found by a
    screen, or raised by a practitioner."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="vulnerability_flags")
    flag = models.ForeignKey(VulnerabilityFlag, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=20, choices=FlagSource.choices)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=500, blank=True)
    arrival = models.ForeignKey(Arrival, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["flag__position", "id"]
        constraints = [models.UniqueConstraint(fields=["episode", "flag"], name="episodeflag_once")]
