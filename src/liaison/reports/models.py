"""Reports to justice partners, their versions, the team's sign-off setting, share links and feedback.

A report (custody advice, a court report, a probation handover) belongs to an episode and is written
for one kind of recipient. Its text lives in numbered versions: a version is a draft until a team lead
signs it off, and a signed-off version is never changed again: revising it starts a new draft copied
from it. A version keeps, for each section, the kind of content it carries (consent.ContentKind), so
every share can be checked against the consent in force at that moment.

A share link names one recipient and expires; only the SHA-256 digest of its secret token is stored.
Each link may carry one piece of feedback from its recipient.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from liaison.consent.models import RecipientKind
from liaison.core.models import Team
from liaison.episodes.models import Episode


class ReportKind(models.TextChoices):
    CUSTODY_ADVICE = "custody_advice", "Advice to custody"
    COURT_REPORT = "court_report", "Court report"
    PROBATION_HANDOVER = "probation_handover", "Probation handover"


# The recipient each kind of report is written for, unless the practitioner chooses another
# (a youth justice service for a child's court report, for example).
DEFAULT_RECIPIENT = {
    ReportKind.CUSTODY_ADVICE: RecipientKind.POLICE,
    ReportKind.COURT_REPORT: RecipientKind.COURT,
    ReportKind.PROBATION_HANDOVER: RecipientKind.PROBATION,
}


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED_OFF = "signed_off", "Signed off"


class Report(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="reports")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    recipient_kind = models.CharField(max_length=16, choices=RecipientKind.choices)
    # The newest version's state: a draft being written, or signed off (and shareable).
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["episode", "-created_at"], name="report_episode_created")]

    def __str__(self) -> str:
        return f"Report {self.pk}"


class ReportVersion(models.Model):
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    # [{"code", "heading", "content_kind", "text"}] in the template's order: only the sections the
    # consent allowed when drafted.
    sections = models.JSONField(default=list)
    # [{"heading", "content_kind", "reason"}]: sections left out, with may_share's reason.
    excluded = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # optimistic lock for edits

    class Meta:
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="reportversion_report_number"),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of report {self.report_id}"

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None

    @property
    def content_kinds(self) -> list[str]:
        return sorted({section["content_kind"] for section in self.sections})


class ReportSettings(models.Model):
    """A team's choices for its reports. No row means the defaults."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="report_settings")
    sign_off_required = models.BooleanField(default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)


class ShareLink(models.Model):
    """A time-limited address for one named recipient to read one version of a report."""

    report_version = models.ForeignKey(ReportVersion, on_delete=models.PROTECT, related_name="links")
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the token; the token is not kept
    recipient_name = models.CharField(max_length=200)
    recipient_organisation = models.CharField(max_length=200)
    recipient_email = models.EmailField()
    recipient_kind = models.CharField(max_length=16, choices=RecipientKind.choices)
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    open_count = models.PositiveIntegerField(default=0)
    last_opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient_kind", "created_at"], name="sharelink_kind_created")]

    def __str__(self) -> str:
        return f"Share link {self.pk}"

    @property
    def recipient_words(self) -> str:
        return f"{self.recipient_name}, {self.recipient_organisation}"


class PartnerFeedback(models.Model):
    """What the recipient of one link thought of the report: one per link."""

    link = models.OneToOneField(ShareLink, on_delete=models.PROTECT, related_name="feedback")
    usefulness = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    what_else = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(usefulness__gte=1, usefulness__lte=5), name="feedback_usefulness_1_5"
            )
        ]
