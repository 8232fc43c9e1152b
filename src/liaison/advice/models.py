"""Housing and benefits advice inside the team: advice records, what was done, and what came of it.

An advice record belongs to an episode (and so to the episode's team), is of one type, may come from an
assessment need, and is allocated to the team's adviser (or a team lead) the same day: allocating it
makes a task due today. Actions and outcomes are only ever added, so the record's story is data. A
housing record can carry a duty to refer to the local housing authority (Homelessness Reduction Act
2017, section 213B): the authority, the date, the person's consent and the authority's response.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from liaison.episodes.models import Episode, Task


class AdviceType(models.TextChoices):
    HOUSING = "housing", "Housing options and homelessness"
    BENEFITS = "benefits", "Benefit claim"
    ID_DOCUMENTS = "id_documents", "ID documents"
    BANK_ACCOUNT = "bank_account", "Bank account"
    DEBT = "debt", "Debt"
    GRANTS = "grants", "Grants and hardship funds"


class Benefit(models.TextChoices):
    NONE = "", "Not a benefit claim"
    UNIVERSAL_CREDIT = "universal_credit", "Universal Credit"
    PIP = "pip", "Personal Independence Payment (PIP)"
    ESA = "esa", "Employment and Support Allowance (ESA)"
    PENSION_CREDIT = "pension_credit", "Pension Credit"
    OTHER = "other", "Another benefit"


class DutyToReferResponse(models.TextChoices):
    NONE = "", "No response yet"
    ACCEPTED = "accepted", "Accepted: the authority will assess the person"
    MORE_INFORMATION = "more_information", "Asked for more information"
    NOT_ACCEPTED = "not_accepted", "Not accepted"


class AdviceStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class OutcomeKind(models.TextChoices):
    CLAIM_MADE = "claim_made", "Claim or application made"
    AWARD_MADE = "award_made", "Award made"
    TENANCY_SECURED = "tenancy_secured", "Tenancy secured"
    TEMPORARY_ACCOMMODATION = "temporary_accommodation", "Placed in temporary accommodation"
    DUTY_TO_REFER_ACCEPTED = "dtr_accepted", "Duty-to-refer accepted by the housing authority"
    ID_OBTAINED = "id_obtained", "ID obtained"
    BANK_ACCOUNT_OPENED = "bank_account_opened", "Bank account opened"
    DEBT_PLAN_AGREED = "debt_plan_agreed", "Debt plan agreed"
    GRANT_AWARDED = "grant_awarded", "Grant awarded"
    NO_OUTCOME = "no_outcome", "No outcome"


class Frequency(models.TextChoices):
    NONE = "", "Not recorded"
    WEEKLY = "weekly", "Every week"
    FORTNIGHTLY = "fortnightly", "Every 2 weeks"
    FOUR_WEEKLY = "four_weekly", "Every 4 weeks"
    MONTHLY = "monthly", "Every month"
    YEARLY = "yearly", "Every year"
    ONE_OFF = "one_off", "One payment"


class AdviceRecord(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="advice_records")
    advice_type = models.CharField(max_length=20, choices=AdviceType.choices)
    # An assessment need key ("housing", "money", "basic:sleep_tonight"...), when it came from one.
    need_key = models.CharField(max_length=40, blank=True)
    summary = models.TextField(blank=True)  # what the person needs help with, in a sentence or two
    benefit = models.CharField(max_length=20, choices=Benefit.choices, blank=True)
    benefit_other = models.CharField(max_length=120, blank=True)

    # The adviser (or team lead) doing the work; blank while it waits on the team's advice list.
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    allocated_at = models.DateTimeField(null=True, blank=True)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The same-day expectation: the adviser sees the person on this day (the day of allocation).
    due_on = models.DateField()
    # The task that put it on the adviser's list, due that day.
    task = models.OneToOneField(
        Task, on_delete=models.PROTECT, null=True, blank=True, related_name="advice_record"
    )

    # The duty to refer to a local housing authority (housing records only).
    dtr_authority = models.CharField(max_length=200, blank=True)
    dtr_referred_on = models.DateField(null=True, blank=True)
    dtr_consent = models.BooleanField(null=True, blank=True)
    dtr_response = models.CharField(max_length=20, choices=DutyToReferResponse.choices, blank=True)
    dtr_response_on = models.DateField(null=True, blank=True)

    status = models.CharField(max_length=8, choices=AdviceStatus.choices, default=AdviceStatus.OPEN)
    closing_outcome = models.CharField(max_length=30, choices=OutcomeKind.choices, blank=True)
    closing_note = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            models.Index(fields=["episode", "status"], name="advice_episode_status"),
            # The adviser's worklist: their records, and the unallocated ones (adviser null), open first.
            models.Index(fields=["adviser", "status", "allocated_at"], name="advice_adviser_status"),
        ]

    def __str__(self) -> str:
        return f"Advice {self.pk}: {self.get_advice_type_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == AdviceStatus.OPEN


class AdviceAction(models.Model):
    """One thing done for the person: a call to the DWP, a form filled in, a visit to the council."""

    record = models.ForeignKey(AdviceRecord, on_delete=models.PROTECT, related_name="actions")
    done_on = models.DateField()
    what = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-done_on", "-id"]
        indexes = [models.Index(fields=["record", "done_on"], name="adviceaction_record_done")]


class AdviceOutcome(models.Model):
    """What came of it: a claim made, an award (with its amount and how often), a tenancy..."""

    record = models.ForeignKey(AdviceRecord, on_delete=models.PROTECT, related_name="outcomes")
    kind = models.CharField(max_length=30, choices=OutcomeKind.choices)
    achieved_on = models.DateField()
    amount = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    frequency = models.CharField(max_length=12, choices=Frequency.choices, blank=True)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-achieved_on", "-id"]
        indexes = [models.Index(fields=["record", "kind"], name="adviceoutcome_record_kind")]
