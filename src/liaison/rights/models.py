"""The person's rights over their record: subject access requests (UK GDPR Art. 15), and the history
of changes to their details with the disputes they raise about them (Art. 16)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from liaison.core.models import Team
from liaison.people.models import Person


class Requester(models.TextChoices):
    PERSON = "person", "The person themselves"
    REPRESENTATIVE = "representative", "Someone acting for them"


class ExtensionReason(models.TextChoices):
    # The two grounds UK GDPR Art. 12(3) allows.
    COMPLEX = "complex", "The request is complex"
    NUMEROUS = "numerous", "The person has made a number of requests"


class SubjectAccessRequest(models.Model):
    """A request for a copy of everything held about a person, recorded by the team lead who took it.

    `due_on` is the date the answer is due now: the statutory date, or the extended one after an
    extension (kept with its reason). `fulfilled_at` is set by the first export.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="subject_access_requests")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField()
    # How the requester's identity was checked, in the team lead's words ("photo driving licence seen").
    identity_verified = models.CharField(max_length=500)
    requester = models.CharField(max_length=20, choices=Requester.choices)
    requester_name = models.CharField(max_length=150, blank=True)
    # For someone acting for the person: what gives them the right (signed consent, a power of attorney).
    authority = models.CharField(max_length=500, blank=True)
    statutory_due_on = models.DateField()
    due_on = models.DateField()
    extension_months = models.PositiveSmallIntegerField(null=True, blank=True)
    extension_reason = models.CharField(max_length=10, choices=ExtensionReason.choices, blank=True)
    extension_detail = models.TextField(blank=True)
    extended_at = models.DateTimeField(null=True, blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    fulfilled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            # The team's open requests, soonest due (so overdue) first.
            models.Index(fields=["team", "fulfilled_at", "due_on"], name="sar_team_open_due"),
        ]

    def __str__(self) -> str:
        return f"Subject access request {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.fulfilled_at is None


class ChangeVia(models.TextChoices):
    CORRECTION = "correction", "Correction, with a reason"
    EDIT = "edit", "Personal details page or API"


class FieldChange(models.Model):
    """One change to one of a person's details: what it said, what it says now, who, when and why.

    Rows are only ever added (rights.history, called from people.services.person_update). Values
    are kept as JSON (text, true/false, null, dates as YYYY-MM-DD) so "not known" stays distinct
    from "no".
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="field_changes")
    field = models.CharField(max_length=40)
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    # The record's version the change was made from: one row per field per saved version.
    from_version = models.PositiveIntegerField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    role = models.CharField(max_length=20, blank=True)
    via = models.CharField(max_length=12, choices=ChangeVia.choices)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["person", "-changed_at"], name="fieldchange_person_at")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "from_version", "field"], name="fieldchange_once_per_version"
            )
        ]


class DisputeOutcome(models.TextChoices):
    CORRECTED = "corrected", "Corrected: the record now says what the person says"
    KEPT = "kept", "Not corrected: the record was right, and the person's view is kept with it"
    WITHDRAWN = "withdrawn", "Withdrawn by the person"


class FieldDispute(models.Model):
    """The person says one of their recorded details is wrong, and what they say is right.

    Open until resolved with an outcome (the resolution fields are written once). A dispute kept
    ("not corrected") still shows beside the detail while the record says what was disputed: the
    person's disagreement stays on the record (ICO guidance on the right to rectification).
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="field_disputes")
    field = models.CharField(max_length=40)
    # What the record said when the person disputed it.
    recorded_value = models.JSONField(null=True, blank=True)
    # The person's own statement of what is right, in their words.
    person_says = models.TextField()
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=10, choices=DisputeOutcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["person", "resolved_at"], name="fielddispute_person_open")]
        constraints = [
            # One open dispute per detail: a second statement is added to the first by resolving it.
            models.UniqueConstraint(
                fields=["person", "field"],
                condition=Q(resolved_at__isnull=True),
                name="fielddispute_one_open_per_field",
            )
        ]

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


# --- retention (Records Management Code of Practice 2021) -----------------------------------------------


class HoldReason(models.TextChoices):
    LITIGATION = "litigation", "Litigation, or a claim that may lead to it"
    INQUIRY = "inquiry", "A public inquiry, inquest or investigation"
    SUBJECT_ACCESS = "subject_access", "A subject access request being answered"
    COMPLAINT = "complaint", "A complaint or serious incident review"
    OTHER = "other", "Another legal or regulatory reason"


class LegalHold(models.Model):
    """A hold on a person's record: while it is on (not lifted), the record is never destroyed.

    Placed by a team lead with the reason (litigation, an inquiry, a subject access request being
    answered...) and a reference; lifting it records who, when and why. Rows are never deleted
    while the record exists.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="legal_holds")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=HoldReason.choices)
    reference = models.CharField(max_length=120)
    detail = models.TextField(blank=True)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [models.Index(fields=["person", "lifted_at"], name="legalhold_person_on")]

    @property
    def is_on(self) -> bool:
        return self.lifted_at is None


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting for approval"
    APPROVED = "approved", "Approved: the record was destroyed"
    REJECTED = "rejected", "Rejected"


class DestructionProposal(models.Model):
    """A team lead's proposal to destroy a record past its retention date, and the second person's
    decision (two-person rule: whoever decides is never the proposer). Kept after destruction: it
    is part of the record of what was destroyed, and why."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="destruction_proposals")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    # What applied when it was proposed: [{"code", "name", "date"}], and the latest of those dates.
    classes = models.JSONField(default=list)
    retention_date = models.DateField()
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        indexes = [models.Index(fields=["team", "status"], name="destructionproposal_team")]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="proposed"),
                name="destructionproposal_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"Destruction proposal {self.pk}"


class DestructionRecord(models.Model):
    """The log entry left when a record is destroyed: the person row stays as a stub with this beside
    it. What was removed (by kind, with counts), the retention classes and dates that applied, who
    proposed and who approved. Never holds anything that identifies the person."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="destruction_record")
    proposal = models.OneToOneField(DestructionProposal, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    destroyed_at = models.DateTimeField(default=timezone.now)
    # "DR-<id>", printed on the stub and in the log.
    reference = models.CharField(max_length=20, unique=True)
    retention_date = models.DateField()
    classes = models.JSONField(default=list)
    removed = models.JSONField(default=dict)  # model label -> rows deleted
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Destruction record {self.reference}"
