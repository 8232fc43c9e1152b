"""Episodes of contact with L&D at one point of the justice pathway, their stages, contacts and tasks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from liaison.core.models import Site, Team
from liaison.people.models import Person


class Stage(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    SCREENED = "screened", "Screened"
    ASSESSED = "assessed", "Assessed"
    SUPPORT = "support", "Support"
    CLOSED = "closed", "Closed"


class PathwayPoint(models.TextChoices):
    # codes.json pathway_points_local_extension: MHSDS has no home for these yet.
    STREET_TRIAGE = "street_triage", "Street triage or pre-arrest"
    POLICE_CUSTODY = "police_custody", "Police custody"
    VOLUNTARY_ATTENDANCE = "voluntary_attendance", "Voluntary attendance at a police station"
    MAGISTRATES = "magistrates_court", "Magistrates' court"
    CROWN = "crown_court", "Crown court"
    YOUTH_COURT = "youth_court", "Youth court"
    PROBATION = "probation", "Probation (pre-sentence)"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"


class ReferralSource(models.TextChoices):
    # MHSDS SOURCE OF REFERRAL FOR MENTAL HEALTH (codes.json), plus one local extension for the
    # team's own proactive review of custody and court lists, which MHSDS cannot express.
    PROACTIVE = "X1", "L&D team: proactive review of custody or court list"
    POLICE = "E1", "Justice system: Police"
    COURTS = "E2", "Justice system: Courts"
    PROBATION = "E3", "Justice system: Probation Service"
    PRISON = "E4", "Justice system: Prison"
    COURT_LD = "E5", "Justice system: Court Liaison and Diversion Service"
    YOUTH_OFFENDING = "E6", "Justice system: Youth Offending Team"
    GP = "A1", "General Medical Practitioner"
    SELF = "B1", "Self"
    CARER = "B2", "Carer or relative"
    SOCIAL_SERVICES = "C1", "Social services"
    HOUSING = "C3", "Housing service"
    VOLUNTARY = "G4", "Voluntary sector"
    OTHER = "M6", "Other service or agency"


class OffenceCategory(models.TextChoices):
    VIOLENCE = "violence", "Violence against the person"
    SEXUAL = "sexual", "Sexual offences"
    ROBBERY = "robbery", "Robbery"
    THEFT = "theft", "Theft, burglary and handling"
    CRIMINAL_DAMAGE = "criminal_damage", "Criminal damage and arson"
    DRUGS = "drugs", "Drug offences"
    WEAPONS = "weapons", "Possession of weapons"
    PUBLIC_ORDER = "public_order", "Public order offences"
    FRAUD = "fraud", "Fraud"
    MOTORING = "motoring", "Motoring offences"
    BREACH = "breach", "Breach of bail, order or licence"
    OTHER = "other", "Other offences"
    NOT_KNOWN = "not_known", "Not known"


class ClosureReason(models.TextChoices):
    NO_FURTHER_NEED = "no_further_need", "Assessed: no further L&D need"
    CONNECTED = "connected", "Connected to support and engaged"
    DECLINED = "declined", "Declined the service"
    NOT_SEEN = "not_seen", "Released or moved before being seen"
    TRANSFERRED = "transferred", "Transferred to another L&D team"
    PRISON = "prison", "Remanded or sentenced: handed over to prison healthcare"
    LOST_CONTACT = "lost_contact", "Lost contact after repeated attempts"
    DIED = "died", "Died"
    OTHER = "other", "Other"


class JusticeOutcome(models.TextChoices):
    NOT_KNOWN = "", "Not known yet"
    NFA = "nfa", "No further action"
    RUI = "rui", "Released under investigation"
    POLICE_BAIL = "police_bail", "Released on police bail"
    OUT_OF_COURT = "out_of_court", "Out-of-court resolution (caution or community resolution)"
    CHARGED_BAILED = "charged_bailed", "Charged and bailed"
    CHARGED_REMANDED = "charged_remanded", "Charged and remanded in custody"
    DISCHARGED = "discharged", "Discharged or case dismissed"
    FINE = "fine", "Fine"
    COMMUNITY_ORDER = "community_order", "Community order"
    COMMUNITY_ORDER_MHTR = (
        "community_order_mhtr",
        "Community order with a mental health treatment requirement",
    )
    SUSPENDED = "suspended", "Suspended sentence"
    CUSTODY = "custody", "Custodial sentence"
    HOSPITAL = "hospital", "Hospital order or remand to hospital"


class AgeGroup(models.TextChoices):
    YOUTH = "youth", "Youth (10 to 17)"
    ADULT = "adult", "Adult (18 and over)"
    UNKNOWN = "unknown", "Age not known"


class Episode(models.Model):
    # db_index=False on a foreign key: an index in Meta starts with its column and serves its look-ups
    # (tests/core/test_redundant_indexes.py); a second index would only cost every insert a write.
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="episodes", db_index=False)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="episodes", db_index=False)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="episodes", db_index=False)
    pathway_point = models.CharField(max_length=30, choices=PathwayPoint.choices)
    referral_source = models.CharField(max_length=2, choices=ReferralSource.choices)
    offence_category = models.CharField(
        max_length=20, choices=OffenceCategory.choices, default=OffenceCategory.NOT_KNOWN
    )
    custody_number = models.CharField(max_length=40, blank=True)
    arrival_at = models.DateTimeField()
    identified_at = models.DateTimeField()
    screened_at = models.DateTimeField(null=True, blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True)
    support_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    allocated_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # The current stage, kept in step with the newest EpisodeStatus row by the services.
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.IDENTIFIED)
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)
    justice_outcome = models.CharField(max_length=30, choices=JusticeOutcome.choices, blank=True)
    # Fixed from the person's age on the day of arrival: a 17-year-old stays on the youth pathway.
    age_group = models.CharField(max_length=8, choices=AgeGroup.choices, default=AgeGroup.UNKNOWN)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["team", "stage", "-arrival_at"], name="episode_team_stage_arrival"),
            models.Index(fields=["person", "-arrival_at"], name="episode_person_arrival"),
            # The access policy's "does this team work with this person?" (visible_people, person_access):
            # both columns equal, so no planner picks a team-wide scan, with or without statistics.
            models.Index(fields=["person", "team"], name="episode_person_team"),
            # The other way round: the people a team works with, from the index alone (a search
            # intersects them with the people so named: people.queries.search_people).
            models.Index(fields=["team", "person"], name="episode_team_person"),
            models.Index(fields=["site", "-arrival_at"], name="episode_site_arrival"),
            models.Index(fields=["allocated_worker", "stage"], name="episode_worker_stage"),
            # Outcomes: every cohort is the team's episodes that arrived in a period.
            models.Index(fields=["team", "arrival_at"], name="episode_team_arrival"),
            # The caseload at the end of a period (open then: never closed, or closed after it) reads
            # the team's few hundred open episodes, not every episode it has ever had (outcomes.kpis).
            models.Index(fields=["team", "closed_at"], name="episode_team_closed"),
        ]

    def __str__(self) -> str:
        return f"Episode {self.pk} ({self.get_pathway_point_display()})"

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.CLOSED


class EpisodeStatus(models.Model):
    """One move of an episode's stage. Rows are only ever added: who moved it, when, and why."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="statuses", db_index=False)
    stage = models.CharField(max_length=12, choices=Stage.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["episode", "at"], name="episodestatus_episode_at")]


class Channel(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video"
    TEXT = "text", "Text message"
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    DROP_IN = "drop_in", "Drop-in"
    OUTREACH = "outreach", "Outreach visit"


class Contact(models.Model):
    """Every interaction or attempt with the person, successful or not."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="contacts", db_index=False)
    at = models.DateTimeField()
    channel = models.CharField(max_length=12, choices=Channel.choices)
    successful = models.BooleanField()
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["episode", "-at"], name="contact_episode_at")]


class Task(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="tasks", db_index=False)
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    due = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        db_index=False,
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A task made by a rule (a referral follow-up, an outreach rule) names the rule, and carries a key
    # that makes the rule idempotent: the same key never makes a second task.
    rule = models.CharField(max_length=60, blank=True)
    dedupe_key = models.CharField(max_length=120, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=~models.Q(dedupe_key=""), name="task_unique_dedupe_key"
            )
        ]
        indexes = [
            models.Index(fields=["episode", "done_at", "due"], name="task_episode_open_due"),
            models.Index(fields=["owner", "done_at", "due"], name="task_owner_open_due"),
        ]
