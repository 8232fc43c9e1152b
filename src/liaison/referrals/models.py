"""Referrals from a need to a service, their status history, and appointments.

A referral's `status` is kept in step with its newest ReferralStatus row by the services; status
rows are only ever added. Moves between statuses follow the state machine in referrals.states.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from liaison.core.models import Team
from liaison.directory.models import Location, Service
from liaison.episodes.models import Episode


class Kind(models.TextChoices):
    ACTIVE = "active", "Active referral"
    SIGNPOSTING = "signposting", "Signposting"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined by the service"
    APPOINTMENT_BOOKED = "appointment_booked", "Appointment booked"
    ATTENDED = "attended", "Attended"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    ENGAGED = "engaged", "Engaged"
    CLOSED = "closed", "Closed"


class Consent(models.TextChoices):
    # Until the consent model (issue 6), the practitioner records what the person said.
    GIVEN = "given", "The person agreed to share their details"
    REFUSED = "refused", "The person did not agree"
    NOT_ASKED = "not_asked", "Not asked yet"


class Outcome(models.TextChoices):
    ENGAGED = "engaged", "Engaged with the service"
    SUPPORT_RECEIVED = "support_received", "Got the help they needed"
    DECLINED_BY_SERVICE = "declined_by_service", "The service declined"
    PERSON_DECLINED = "person_declined", "The person declined"
    DID_NOT_ENGAGE = "did_not_engage", "Did not engage"
    NO_LONGER_NEEDED = "no_longer_needed", "No longer needed"
    LOST_CONTACT = "lost_contact", "Lost contact"
    OTHER = "other", "Other"


class Referral(models.Model):
    # db_index=False on a foreign key: an index in Meta starts with its column and serves its look-ups
    # (tests/core/test_redundant_indexes.py); a second index would only cost every insert a write.
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="referrals", db_index=False)
    # The episode's team, kept here so engagement figures per team and service need no join.
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="referrals", db_index=False)
    need_key = models.CharField(max_length=40)  # a domain code, or "basic:" and a basic need's code
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals", db_index=False)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    consent = models.CharField(max_length=10, choices=Consent.choices, default=Consent.NOT_ASKED)
    consent_note = models.CharField(max_length=500, blank=True)
    reason = models.TextField(blank=True)  # what is asked of the service, in the team's words
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    status_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["episode", "-created_at"], name="referral_episode_created"),
            models.Index(fields=["team", "service", "status"], name="referral_team_service_status"),
            models.Index(fields=["service", "need_key"], name="referral_service_need"),
            models.Index(fields=["team", "status", "status_at"], name="referral_team_status_at"),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk}"


class ReferralStatus(models.Model):
    """One move of a referral's status. Rows are only ever added."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="statuses", db_index=False)
    status = models.CharField(max_length=20, choices=Status.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["referral", "at"], name="referralstatus_referral_at")]


class Attendance(models.TextChoices):
    UPCOMING = "upcoming", "Upcoming"
    ATTENDED = "attended", "Attended"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"


class Appointment(models.Model):
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="appointments", db_index=False
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments"
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    location = models.ForeignKey(
        Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="appointments"
    )
    place = models.CharField(max_length=300, blank=True)  # where, in words, when not a directory location
    # The support worker who goes with the person, if anyone.
    accompanied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accompanying",
        db_index=False,
    )
    travel_needs = models.TextField(blank=True)
    attendance = models.CharField(max_length=10, choices=Attendance.choices, default=Attendance.UPCOMING)
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["episode", "starts_at"], name="appointment_episode_starts"),
            models.Index(fields=["accompanied_by", "starts_at"], name="appointment_worker_starts"),
            models.Index(fields=["created_by", "starts_at"], name="appointment_creator_starts"),
        ]


class CalendarFeed(models.Model):
    """A worker's secret iCalendar feed address. Only a SHA-256 digest of the token is stored."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
