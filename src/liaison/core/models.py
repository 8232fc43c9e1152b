"""Teams, sites, users and their per-team roles, API tokens, break-glass grants and the audit log."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    SUPPORT_WORKER = "support_worker", "Support worker"
    ADVISER = "adviser", "Housing and benefits adviser"
    TEAM_LEAD = "team_lead", "Team lead"
    COMMISSIONER = "commissioner", "Commissioner"
    PARTNER = "partner", "Justice partner"
    ADMIN = "admin", "Administrator"


# Roles whose members work with people's records when their team has a relationship with the person.
CLINICAL_ROLES = frozenset({Role.PRACTITIONER, Role.SUPPORT_WORKER, Role.ADVISER, Role.TEAM_LEAD})


class Team(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    # NHS service or team type (codes.json service_or_team_type); D02 is Criminal Justice L&D.
    team_type = models.CharField(max_length=3, default="D02")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SiteKind(models.TextChoices):
    POLICE_CUSTODY = "police_custody", "Police custody"
    VOLUNTARY_ATTENDANCE = "voluntary_attendance", "Voluntary attendance"
    MAGISTRATES = "magistrates_court", "Magistrates' court"
    CROWN = "crown_court", "Crown court"
    YOUTH_COURT = "youth_court", "Youth court"
    PROBATION = "probation", "Probation"
    STREET_TRIAGE = "street_triage", "Street triage"


class Site(models.Model):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=30, choices=SiteKind.choices)
    # Staffed hours, local time. 24-hour sites have opens 00:00 and closes 23:59.
    staffed_from = models.TimeField(default="08:00")
    staffed_to = models.TimeField(default="20:00")
    staffed_weekends = models.BooleanField(default=True)
    active = models.BooleanField(default=True)
    # Where the site is, for ordering services by distance when the person's postcode is not known.
    postcode = models.CharField(max_length=8, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["team__name", "name"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="site_unique_name_per_team")]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """Staff and partner accounts. Roles are held per team through Membership."""

    display_name = models.CharField(max_length=150, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "team"], name="membership_one_role_per_team")]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} in {self.team}"


class ApiToken(models.Model):
    """A per-user bearer token. Only a SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


class BreakGlass(models.Model):
    """A time-limited grant to open a person outside the team's relationship, with the reason given."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="break_glass_grants")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="break_glass_grants")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="break_glass_grants")
    reason = models.TextField()
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "person", "expires_at"], name="breakglass_user_person")]
        ordering = ["-granted_at"]


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an Idempotency-Key, replayed for repeats."""

    user = models.ForeignKey(User, on_delete=models.CASCADE)
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_user_key")]


class AuditEvent(models.Model):
    """One read or write of personal data. Append-only (database triggers) and hash-chained.

    Fields are copied, not foreign keys, so an event keeps saying who and what even after
    the user or the record changes; the chain hash covers every field.
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)
    actor_username = models.CharField(max_length=150)
    role = models.CharField(max_length=20, blank=True)
    team_id = models.BigIntegerField(null=True)
    person_id = models.BigIntegerField(null=True)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        indexes = [
            models.Index(fields=["person_id", "at"], name="audit_person_at"),
            models.Index(fields=["actor_id", "at"], name="audit_actor_at"),
            models.Index(fields=["action", "at"], name="audit_action_at"),
        ]


class AuditEventPerson(models.Model):
    """Which people an audit event showed: one row per person for lists, searches and pages.

    An index over `AuditEvent.detail["person_ids"]` (which the chain hash covers), so that
    "who viewed this record" finds bulk reads quickly. Append-only like the events.
    """

    id = models.BigAutoField(primary_key=True)
    event_id = models.BigIntegerField()
    person_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["person_id", "event_id"], name="auditperson_person_event")]


class AuditChainHead(models.Model):
    """A single row holding the latest hash, locked while an event is appended so the chain stays linear."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_event_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)


class UserSession(models.Model):
    """Which sessions belong to whom, so that deactivating someone can end every one of their sessions.

    Rows are written at sign-in and pruned once older than the absolute session limit (by then the
    session is refused anyway). The session's contents stay in Django's session store.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    started_at = models.DateTimeField(default=timezone.now, db_index=True)


class SignInThrottleScope(models.TextChoices):
    USERNAME = "username", "Username"
    ADDRESS = "address", "Client address"


class SignInThrottle(models.Model):
    """Failed sign-ins counted per username (a keyed hash of it) or per client address, in a window.

    In the database rather than a per-process cache so every server process sees the same counts.
    The username is never stored as typed: people sometimes type their password into that box.
    """

    scope = models.CharField(max_length=10, choices=SignInThrottleScope.choices)
    key = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(db_index=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="signinthrottle_unique_key")]
