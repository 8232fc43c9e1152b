"""The service directory on the Open Referral UK 3.0 data model, and the team's own layer on it.

ORUK tables are kept with their own string ids (usually UUIDs from the publishing directory), so a
re-import updates by id. Fields the standard has and Liaison does not use are kept in `extra`, so an
export gives back what was imported. Local knowledge (contacts, notes, how referrals are accepted)
belongs to one team and is never published.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from liaison.core.models import Team

ORUK_ID = 64  # ORUK ids are strings, usually UUIDs


class Taxonomy(models.Model):
    id = models.CharField(primary_key=True, max_length=ORUK_ID)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    uri = models.CharField(max_length=300, blank=True)
    version = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    id = models.CharField(primary_key=True, max_length=ORUK_ID)
    code = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    taxonomy = models.ForeignKey(
        Taxonomy, on_delete=models.PROTECT, null=True, blank=True, related_name="terms"
    )
    language = models.CharField(max_length=10, blank=True)
    term_uri = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["taxonomy", "code"], name="taxonomyterm_taxonomy_code")]

    def __str__(self) -> str:
        return self.name


class Organization(models.Model):
    id = models.CharField(primary_key=True, max_length=ORUK_ID)
    name = models.CharField(max_length=200)
    alternate_name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    email = models.CharField(max_length=254, blank=True)
    website = models.CharField(max_length=300, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DEFUNCT = "defunct", "Defunct"
    TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"


class EligibleSex(models.TextChoices):
    ANY = "", "Anyone"
    FEMALE = "female", "Women only"
    MALE = "male", "Men only"


class Service(models.Model):
    id = models.CharField(primary_key=True, max_length=ORUK_ID)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=200)
    alternate_name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    email = models.CharField(max_length=254, blank=True)
    status = models.CharField(max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE)
    interpretation_services = models.TextField(blank=True)
    application_process = models.TextField(blank=True)
    fees_description = models.TextField(blank=True)
    accreditations = models.TextField(blank=True)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    alert = models.TextField(blank=True)
    assured_date = models.DateField(null=True, blank=True)
    last_modified = models.DateTimeField(null=True, blank=True)
    # Local extensions, exported as attributes of the Liaison eligibility taxonomy.
    eligible_sex = models.CharField(max_length=6, choices=EligibleSex.choices, blank=True, default="")
    # ORUK schedules have no bank-holiday rule; most daytime services close on them, crisis lines do not.
    open_bank_holidays = models.BooleanField(default=False)
    # Only services a team lead marks public are published through /openreferral/.
    published = models.BooleanField(default=False)
    maintained_by = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="maintained_services"
    )
    extra = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["status", "name"], name="service_status_name"),
            models.Index(fields=["published", "name"], name="service_published_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Attribute(models.Model):
    """A taxonomy term attached to a service (ORUK 3.0 `attribute`, link_type "service")."""

    id = models.CharField(primary_key=True, max_length=ORUK_ID)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="attributes")
    taxonomy_term = models.ForeignKey(TaxonomyTerm, on_delete=models.PROTECT, related_name="attributes")
    link_type = models.CharField(max_length=50, blank=True)
    value = models.CharField(max_length=200, blank=True)
    label = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["taxonomy_term", "service"], name="attribute_term_service")]


class LocationType(models.TextChoices):
    PHYSICAL = "physical", "Physical"
    POSTAL = "postal", "Postal"
    VIRTUAL = "virtual", "Virtual"


class Location(models.Model):
    id = models.CharField(primary_key=True, max_length=ORUK_ID)
    location_type = models.CharField(
        max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL
    )
    name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # The location's physical address (ORUK `address`, one per location here).
    address_id = models.CharField(max_length=ORUK_ID, blank=True)
    address_1 = models.CharField(max_length=200, blank=True)
    address_2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state_province = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    country = models.CharField(max_length=2, blank=True, default="GB")
    # The postcode's outward code ("LS1"), kept for matching by area.
    outward_code = models.CharField(max_length=4, blank=True, db_index=True)
    extra = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.name or self.address_1 or self.id


class ServiceAtLocation(models.Model):
    id = models.CharField(primary_key=True, max_length=ORUK_ID)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="service_at_locations")
    description = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["service", "location"], name="sal_service_location")]


class ServiceArea(models.Model):
    id = models.CharField(primary_key=True, max_length=ORUK_ID)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    extent = models.TextField(blank=True)
    extent_type = models.CharField(max_length=20, blank=True)
    uri = models.CharField(max_length=300, blank=True)
    # Postcode areas or districts served, space-separated ("LS WF1 BD"); blank means not restricted.
    postcode_prefixes = models.CharField(max_length=500, blank=True)


class Contact(models.Model):
    id = models.CharField(primary_key=True, max_length=ORUK_ID)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    name = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=254, blank=True)


class Phone(models.Model):
    id = models.CharField(primary_key=True, max_length=ORUK_ID)
    # ORUK 3.0 hangs phones on contacts only; ORUK v1 also on services and locations.
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    number = models.CharField(max_length=40)
    extension = models.CharField(max_length=10, blank=True)
    type = models.CharField(max_length=20, blank=True)
    description = models.TextField(blank=True)


class Schedule(models.Model):
    """Opening times as an RFC 5545-style rule (ORUK 3.0 `schedule`): e.g. freq WEEKLY, byday "MO,TU",
    opens_at 09:00, closes_at 17:00. A closes_at earlier than opens_at runs past midnight."""

    id = models.CharField(primary_key=True, max_length=ORUK_ID)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    freq = models.CharField(max_length=10, blank=True)  # WEEKLY or MONTHLY
    interval = models.PositiveSmallIntegerField(null=True, blank=True)
    byday = models.CharField(max_length=40, blank=True)  # "MO,TU,WE"
    bymonthday = models.CharField(max_length=40, blank=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    description = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    attending_type = models.CharField(max_length=50, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["service"], name="schedule_service")]


class CostOption(models.Model):
    id = models.CharField(primary_key=True, max_length=ORUK_ID)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    option = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    amount_description = models.TextField(blank=True)


class Language(models.Model):
    id = models.CharField(primary_key=True, max_length=ORUK_ID)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="languages")
    name = models.CharField(max_length=100, blank=True)
    code = models.CharField(max_length=10, blank=True)
    note = models.TextField(blank=True)


class ReferralRoute(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    FORM = "form", "Referral form"
    SELF = "self", "Self-referral"


class LocalKnowledge(models.Model):
    """One team's own layer on a service: never published, never imported over."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="service_knowledge")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="local_knowledge")
    relationship_notes = models.TextField(blank=True)
    last_contact_on = models.DateField(null=True, blank=True)
    referral_routes = models.JSONField(default=list, blank=True)  # ReferralRoute values
    how_to_refer = models.TextField(blank=True)
    typical_wait_days = models.PositiveSmallIntegerField(null=True, blank=True)
    accepts_from_custody = models.BooleanField(null=True, blank=True)
    accepts_from_court = models.BooleanField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "service"], name="localknowledge_team_service")
        ]


class NamedContact(models.Model):
    """A person at the service whom the team knows by name."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="service_contacts")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="named_contacts")
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.CharField(max_length=254, blank=True)
    notes = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["team", "service"], name="namedcontact_team_service")]


class PostcodeCentroid(models.Model):
    """Where a postcode outward code ("LS1") or area ("LS") lies, for distance ordering. Filled from
    the directory's own geocoded locations and the sites' coordinates (no postcode data is fetched)."""

    code = models.CharField(primary_key=True, max_length=4)
    latitude = models.FloatField()
    longitude = models.FloatField()
    locations = models.PositiveIntegerField(default=0)
