"""Justice partners' referrals to the team: what the partner sent, kept as they sent it.

The person and the episode are the team's records; the partner never sees them. What the partner
can read back is this row alone, which holds only what they typed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from liaison.core.models import Site, Team
from liaison.episodes.models import Episode, ReferralSource
from liaison.identification.models import VulnerabilityFlag
from liaison.people.models import Person


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    SOON = "soon", "Soon"
    URGENT = "urgent", "Urgent"


class PartnerSource(models.TextChoices):
    """Who is referring, in the partner's words; SOURCE_CODES maps each to the MHSDS code."""

    POLICE = "police", "Police"
    COURT = "court", "Court"
    PROBATION = "probation", "Probation"
    PRISON = "prison", "Prison"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    SELF = "self", "The person themselves"
    FAMILY = "family", "Family or carer"
    OTHER = "other", "Another service or agency"


# MHSDS SOURCE OF REFERRAL FOR MENTAL HEALTH (codes.json source_of_referral).
SOURCE_CODES: dict[str, str] = {
    PartnerSource.POLICE: ReferralSource.POLICE,
    PartnerSource.COURT: ReferralSource.COURTS,
    PartnerSource.PROBATION: ReferralSource.PROBATION,
    PartnerSource.PRISON: ReferralSource.PRISON,
    PartnerSource.YOUTH_JUSTICE: ReferralSource.YOUTH_OFFENDING,
    PartnerSource.SELF: ReferralSource.SELF,
    PartnerSource.FAMILY: ReferralSource.CARER,
    PartnerSource.OTHER: ReferralSource.OTHER,
}


class PartnerReferral(models.Model):
    reference = models.CharField(max_length=12, unique=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="partner_referrals"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=20, choices=PartnerSource.choices)
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    reason = models.TextField()
    referrer_contact = models.CharField(max_length=200, blank=True)
    # The person as the partner described them (the team's person record may be corrected later).
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    pnc_id = models.CharField(max_length=12, blank=True)
    flags = models.ManyToManyField(VulnerabilityFlag, blank=True, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="partner_referral")

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["referred_by", "-sent_at"], name="referral_sender_sent"),
            models.Index(fields=["team", "-sent_at"], name="referral_team_sent"),
        ]

    def __str__(self) -> str:
        return f"Referral {self.reference}"
