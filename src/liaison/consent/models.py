"""Consent: to assessment, and to sharing information with each kind of recipient, per kind of content.

A sharing consent names the pairs (recipient kind × content kind) it covers, in ConsentScope rows, and
one decision for them all: the person agreed, or did not. For each pair the newest consent that names it
and has not been withdrawn decides (liaison.consent.rules). A withdrawal stops future sharing and is kept
in the history; nothing is ever deleted.

Sharing without consent is allowed only under a SharingBasis — a lawful basis (for example, to protect
someone from serious harm) asked for by a clinician and approved by a team lead, for one recipient kind
and the content kinds it names, until it expires.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from liaison.core.models import Team
from liaison.episodes.models import Episode
from liaison.people.models import Person


class RecipientKind(models.TextChoices):
    POLICE = "police", "Police"
    PROSECUTOR = "prosecutor", "Prosecutor (CPS)"
    COURT = "court", "Court"
    PROBATION = "probation", "Probation"
    YOUTH_JUSTICE = "youth_justice", "Youth justice service"
    GP = "gp", "GP"
    MENTAL_HEALTH = "mental_health", "Mental health team"
    OTHER_SERVICE = "other_service", "Other services"


class ContentKind(models.TextChoices):
    RECOMMENDATIONS = "recommendations", "Recommendations only"
    NEEDS_SUMMARY = "needs_summary", "A summary of needs"
    SCREENING = "screening", "Screening results"
    FULL_ASSESSMENT = "full_assessment", "The full assessment"


class Purpose(models.TextChoices):
    ASSESSMENT = "assessment", "To be assessed"
    SHARING = "sharing", "To share information"


class Decision(models.TextChoices):
    GIVEN = "given", "Agreed"
    REFUSED = "refused", "Did not agree"


class Capacity(models.TextChoices):
    HAS_CAPACITY = "yes", "Has capacity to decide"
    LACKS_CAPACITY = "no", "Lacks capacity to decide"
    NOT_ASSESSED = "not_assessed", "Not assessed (capacity presumed)"


class Guardian(models.TextChoices):
    """For a person under 18 on the day: how a parent or guardian was involved."""

    AGREED = "agreed", "A parent or guardian was involved and agreed"
    DISAGREED = "disagreed", "A parent or guardian was involved and did not agree"
    COMPETENT_ALONE = "competent_alone", "Not involved: the young person is competent to decide alone"
    NOT_RECORDED = "not_recorded", "Not recorded"


class Consent(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, null=True, blank=True, related_name="consents"
    )
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    decision = models.CharField(max_length=8, choices=Decision.choices)
    capacity = models.CharField(max_length=12, choices=Capacity.choices, default=Capacity.NOT_ASSESSED)
    capacity_note = models.TextField(blank=True)
    guardian = models.CharField(max_length=16, choices=Guardian.choices, default=Guardian.NOT_RECORDED)
    guardian_name = models.CharField(max_length=200, blank=True)
    guardian_note = models.TextField(blank=True)
    note = models.TextField(blank=True)  # what the person said, in their words where possible
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["person", "team", "purpose", "-recorded_at"], name="consent_person_team"),
            models.Index(fields=["team", "recorded_at"], name="consent_team_recorded"),
        ]

    def __str__(self) -> str:
        return f"Consent {self.pk}"


class ConsentScope(models.Model):
    """One (recipient kind, content kind) pair a sharing consent covers."""

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="scopes")
    recipient_kind = models.CharField(max_length=16, choices=RecipientKind.choices)
    content_kind = models.CharField(max_length=16, choices=ContentKind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consent", "recipient_kind", "content_kind"], name="consentscope_unique"
            )
        ]
        indexes = [models.Index(fields=["recipient_kind", "content_kind"], name="consentscope_pair")]


class LawfulBasis(models.TextChoices):
    SAFEGUARDING = "safeguarding", "Safeguarding a child or an adult at risk"
    SERIOUS_HARM = "serious_harm", "To prevent serious harm to the person or others"
    CRIME = "crime", "To prevent or detect a serious crime"
    BEST_INTERESTS = "best_interests", "Best interests of a person who lacks capacity"
    COURT_ORDER = "court_order", "Required by a court order"
    LEGAL_DUTY = "legal_duty", "Required by law"


class BasisStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for a team lead"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class SharingBasis(models.Model):
    """Sharing without consent: a lawful basis, asked for by a clinician, decided by a team lead."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="sharing_bases")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, null=True, blank=True, related_name="sharing_bases"
    )
    recipient_kind = models.CharField(max_length=16, choices=RecipientKind.choices)
    content_kinds = models.JSONField(default=list)  # ContentKind values
    basis = models.CharField(max_length=16, choices=LawfulBasis.choices)
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=BasisStatus.choices, default=BasisStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["person", "team", "recipient_kind", "status"], name="basis_person_team"),
            models.Index(fields=["team", "status", "requested_at"], name="basis_team_status"),
        ]

    def __str__(self) -> str:
        return f"Sharing basis {self.pk}"


class DisclosureMethod(models.TextChoices):
    LINK = "link", "Opened through a secure link"
    DOWNLOAD = "download", "Downloaded to send by secure email"
    REFERRAL = "referral", "Sent with a referral to a service"
    OTHER = "other", "Shared another way"


class Disclosure(models.Model):
    """One disclosure of information about a person outside the team. Rows are only ever added.

    Written by consent.services.record_disclosure, which every sharing path calls (a report's link opened
    or its PDF downloaded, a referral sent): who received what, on which basis, by whom, when.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="disclosures")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures"
    )
    recipient_kind = models.CharField(max_length=16, choices=RecipientKind.choices)
    recipient_name = models.CharField(max_length=200)  # a named person and/or organisation
    content_kinds = models.JSONField(default=list)  # ContentKind values
    # What was shared, in words: "Court report, version 2", "Referral to Millbrook Nightstop".
    what = models.CharField(max_length=200)
    method = models.CharField(max_length=10, choices=DisclosureMethod.choices)
    basis = models.CharField(max_length=12)  # "consent" or "lawful_basis"
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    sharing_basis = models.ForeignKey(
        SharingBasis, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The staff member who shared it (for a link, the one who made the link).
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    # What it came from, by type and id, e.g. ("report_version", 12) or ("service_referral", 40).
    source_type = models.CharField(max_length=30, blank=True)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["person", "-at"], name="disclosure_person_at"),
            models.Index(fields=["team", "at"], name="disclosure_team_at"),
        ]

    def __str__(self) -> str:
        return f"Disclosure {self.pk}"
