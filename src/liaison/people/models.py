"""A person known to the service: names, identifiers, demographics, communication needs, contacts."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone


class Sex(models.TextChoices):
    # NHS Data Dictionary PERSON STATED SEX codes.
    MALE = "1", "Male"
    FEMALE = "2", "Female"
    INDETERMINATE = "9", "Indeterminate"
    NOT_KNOWN = "0", "Not known"


class Ethnicity(models.TextChoices):
    # NHS Data Dictionary ETHNIC CATEGORY (codes.json ethnic_category).
    WHITE_BRITISH = "A", "White: British"
    WHITE_IRISH = "B", "White: Irish"
    WHITE_OTHER = "C", "White: any other White background"
    MIXED_WHITE_BLACK_CARIBBEAN = "D", "Mixed: White and Black Caribbean"
    MIXED_WHITE_BLACK_AFRICAN = "E", "Mixed: White and Black African"
    MIXED_WHITE_ASIAN = "F", "Mixed: White and Asian"
    MIXED_OTHER = "G", "Mixed: any other mixed background"
    ASIAN_INDIAN = "H", "Asian or Asian British: Indian"
    ASIAN_PAKISTANI = "J", "Asian or Asian British: Pakistani"
    ASIAN_BANGLADESHI = "K", "Asian or Asian British: Bangladeshi"
    ASIAN_OTHER = "L", "Asian or Asian British: any other Asian background"
    BLACK_CARIBBEAN = "M", "Black or Black British: Caribbean"
    BLACK_AFRICAN = "N", "Black or Black British: African"
    BLACK_OTHER = "P", "Black or Black British: any other Black background"
    CHINESE = "R", "Other ethnic groups: Chinese"
    OTHER = "S", "Other ethnic groups: any other ethnic group"
    NOT_STATED = "Z", "Not stated"
    NOT_KNOWN = "99", "Not known"


class Person(models.Model):
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    # Lower-cased copies for indexed, case-insensitive prefix search on both databases.
    given_name_search = models.CharField(max_length=100, editable=False)
    family_name_search = models.CharField(max_length=100, editable=False)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=2, choices=Sex.choices, default=Sex.NOT_KNOWN)
    gender_identity = models.CharField(max_length=60, blank=True)
    ethnicity = models.CharField(max_length=2, choices=Ethnicity.choices, default=Ethnicity.NOT_KNOWN)
    nhs_number = models.CharField(max_length=10, blank=True)
    pnc_id = models.CharField(max_length=12, blank=True)
    local_id = models.CharField(max_length=40, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    no_fixed_abode = models.BooleanField(default=False)
    language = models.CharField(max_length=60, default="English")
    interpreter_needed = models.BooleanField(default=False)
    communication_needs = models.TextField(blank=True)
    easy_read = models.BooleanField(default=False)
    veteran = models.BooleanField(null=True)
    care_leaver = models.BooleanField(null=True)
    # The team that recorded the person. Usually they arrive with an episode; a person recorded on
    # their own (API POST /people) stays visible to the team that recorded them until one exists.
    registered_by_team = models.ForeignKey(
        "core.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["family_name_search", "given_name_search"], name="person_name_search"),
            # Prefix search (LIKE 'smi%') on PostgreSQL under a non-C collation needs the pattern
            # operator class; SQLite ignores it (the index above serves it there). The id is in each
            # name index, and the team in the registering team's, so a search finds the ids of the
            # people so named, and of those the team may see, from the indexes alone (an index-only
            # scan) and reads only the people it lists (people.queries.search_people).
            models.Index(
                fields=["family_name_search", "id"],
                name="person_family_prefix",
                opclasses=["varchar_pattern_ops", "int8_ops"],
            ),
            models.Index(
                fields=["given_name_search", "id"],
                name="person_given_prefix",
                opclasses=["varchar_pattern_ops", "int8_ops"],
            ),
            models.Index(fields=["registered_by_team", "id"], name="person_registered_team"),
            models.Index(fields=["nhs_number"], name="person_nhs_number"),
            models.Index(fields=["pnc_id"], name="person_pnc_id"),
            models.Index(fields=["date_of_birth"], name="person_dob"),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: dt.date) -> int | None:
        if self.date_of_birth is None:
            return None
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class Alias(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100)
    family_name_search = models.CharField(max_length=100, editable=False, db_index=True)

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class ContactRelationship(models.TextChoices):
    NEXT_OF_KIN = "next_of_kin", "Next of kin"
    PARENT_GUARDIAN = "parent_guardian", "Parent or guardian"
    APPROPRIATE_ADULT = "appropriate_adult", "Appropriate adult"
    CARER = "carer", "Carer"
    OTHER = "other", "Other"


class PersonContact(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts")
    relationship = models.CharField(max_length=20, choices=ContactRelationship.choices)
    name = models.CharField(max_length=150)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    notes = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relationship_display()})"


# The person's demographic and identifier fields that a practitioner may change (people.services), and
# whose every change keeps its history (rights.history).
PERSON_EDITABLE_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "gender_identity",
    "ethnicity",
    "nhs_number",
    "pnc_id",
    "local_id",
    "postcode",
    "no_fixed_abode",
    "language",
    "interpreter_needed",
    "communication_needs",
    "easy_read",
    "veteran",
    "care_leaver",
)
