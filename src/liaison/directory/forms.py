"""The directory's HTML forms: search, a service (team leads), the team's local knowledge, a named contact.

Each form only reads what was typed; the services in directory/services.py decide what is allowed.
"""

from __future__ import annotations

from typing import Any

from django import forms

from liaison.core.forms import DateField, YesNoNotKnownField
from liaison.directory.models import EligibleSex, ReferralRoute, Schedule, ServiceStatus
from liaison.directory.oruk import parse_time
from liaison.directory.presenters import days_words, parse_days
from liaison.directory.services import KnowledgeInput, OpeningRow, ServiceInput
from liaison.directory.taxonomy import need_labels

BLANK_ROWS = 2
MAX_ROWS = 20


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label="Search by name, organisation or what the service does", required=False, max_length=100
    )
    need = forms.ChoiceField(label="Need", required=False)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *ServiceStatus.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["need"].choices = [("", "Any need"), *need_labels().items()]  # type: ignore[attr-defined]


def _age_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=150,
        error_messages={
            "invalid": f"{label} must be a whole number, like 18",
            "min_value": "Enter an age from 0 to 150",
            "max_value": "Enter an age from 0 to 150",
        },
    )


class ServiceForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(
        label="Service name", max_length=200, error_messages={"required": "Enter the service's name"}
    )
    organization_name = forms.CharField(
        label="Organisation",
        help_text="Who runs it",
        max_length=200,
        error_messages={"required": "Enter the organisation that runs the service"},
    )
    description = forms.CharField(
        label="What the service does", widget=forms.Textarea, required=False, max_length=5000
    )
    status = forms.ChoiceField(label="Status", choices=ServiceStatus.choices, widget=forms.RadioSelect)
    minimum_age = _age_field("Youngest age taken")
    maximum_age = _age_field("Oldest age taken")
    # Radios never offer a blank value, so "anyone" has a word of its own here.
    eligible_sex = forms.ChoiceField(
        label="Who it takes",
        choices=[("any", "Anyone"), (EligibleSex.FEMALE, "Women only"), (EligibleSex.MALE, "Men only")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select who the service takes"},
    )
    areas_served = forms.CharField(
        label="Areas served",
        help_text=(
            "Postcode areas or districts, like LS WF1 BD10. "
            "Leave blank if the service takes people from anywhere."
        ),
        required=False,
        max_length=500,
    )
    url = forms.CharField(label="Website", required=False, max_length=300)
    email = forms.CharField(label="Email", required=False, max_length=254)
    fees_description = forms.CharField(
        label="Cost", help_text="For example, free", required=False, max_length=1000
    )
    open_bank_holidays = forms.BooleanField(label="Open on bank holidays", required=False)
    published = forms.BooleanField(
        label="Publish through the open directory API",
        help_text="Anyone can then read the service (never your team's notes) at /openreferral/",
        required=False,
    )

    def __init__(self, *args: Any, schedules: list[Schedule] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        existing = schedules or []
        rows = self._posted_rows() if self.is_bound else len(existing) + BLANK_ROWS
        self.row_count = min(rows, MAX_ROWS)
        for i in range(self.row_count):
            schedule = existing[i] if i < len(existing) else None
            self.fields[f"row{i}_id"] = forms.CharField(widget=forms.HiddenInput, required=False)
            self.fields[f"row{i}_days"] = forms.CharField(
                label=f"Row {i + 1}: days", required=False, max_length=100
            )
            self.fields[f"row{i}_opens"] = forms.CharField(
                label=f"Row {i + 1}: opens at", required=False, max_length=10
            )
            self.fields[f"row{i}_closes"] = forms.CharField(
                label=f"Row {i + 1}: closes at", required=False, max_length=10
            )
            if schedule is not None and not self.is_bound:
                self.initial[f"row{i}_id"] = schedule.id
                self.initial[f"row{i}_days"] = days_words(schedule.byday.split(","))
                self.initial[f"row{i}_opens"] = (
                    schedule.opens_at.strftime("%H:%M") if schedule.opens_at else ""
                )
                self.initial[f"row{i}_closes"] = (
                    schedule.closes_at.strftime("%H:%M") if schedule.closes_at else ""
                )
        self.opening: list[OpeningRow] = []

    def _posted_rows(self) -> int:
        try:
            rows = int(self.data.get("rows", 0))
        except (TypeError, ValueError):
            rows = 0
        if self.data.get("action") == "add_row":
            rows += 1
        return max(rows, 1)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "number": i + 1,
                "id": self[f"row{i}_id"],
                "days": self[f"row{i}_days"],
                "opens": self[f"row{i}_opens"],
                "closes": self[f"row{i}_closes"],
            }
            for i in range(self.row_count)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.opening = []
        for i in range(self.row_count):
            days_text = (cleaned.get(f"row{i}_days") or "").strip()
            opens_text = (cleaned.get(f"row{i}_opens") or "").strip()
            closes_text = (cleaned.get(f"row{i}_closes") or "").strip()
            if not (days_text or opens_text or closes_text):
                continue  # an empty row: nothing, or a row the team lead cleared to remove it
            row = f"Opening times row {i + 1}"
            days = parse_days(days_text) if days_text else None
            if days is None:
                self.add_error(
                    f"row{i}_days",
                    f"{row}: enter the days like Monday to Friday, Saturday and Sunday, or every day"
                    if days_text
                    else f"{row}: enter the days it opens",
                )
            opens, closes = parse_time(opens_text), parse_time(closes_text)
            for name, text, value in (("opens", opens_text, opens), ("closes", closes_text, closes)):
                if value is None:
                    word = "opening" if name == "opens" else "closing"
                    self.add_error(
                        f"row{i}_{name}",
                        f'{row}: the {word} time "{text}" is not a time of day: '
                        "use 24-hour time, like 09:00 or 20:30"
                        if text
                        else f"{row}: enter the {word} time",
                    )
            if days is not None and opens is not None and closes is not None:
                self.opening.append(OpeningRow(days, opens, closes, cleaned.get(f"row{i}_id") or ""))
        return cleaned

    def service_input(self) -> ServiceInput:
        data = self.cleaned_data
        return ServiceInput(
            name=data["name"],
            organization_name=data["organization_name"],
            description=data.get("description") or "",
            status=data["status"],
            minimum_age=data.get("minimum_age"),
            maximum_age=data.get("maximum_age"),
            eligible_sex="" if data.get("eligible_sex") in (None, "", "any") else data["eligible_sex"],
            areas_served=data.get("areas_served") or "",
            published=bool(data.get("published")),
            open_bank_holidays=bool(data.get("open_bank_holidays")),
            url=data.get("url") or "",
            email=data.get("email") or "",
            fees_description=data.get("fees_description") or "",
            opening=self.opening,
        )


class LocalKnowledgeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    referral_routes = forms.MultipleChoiceField(
        label="How the service accepts referrals",
        choices=ReferralRoute.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    how_to_refer = forms.CharField(
        label="How to refer",
        help_text="The number to ring, the form to use, what they need to hear",
        widget=forms.Textarea,
        required=False,
        max_length=5000,
    )
    typical_wait_days = forms.IntegerField(
        label="Typical wait, in days",
        required=False,
        min_value=0,
        max_value=365,
        error_messages={
            "invalid": "The typical wait must be a whole number of days, like 3",
            "min_value": "Enter a wait from 0 to 365 days",
            "max_value": "Enter a wait from 0 to 365 days",
        },
    )
    accepts_from_custody = YesNoNotKnownField(
        label="Takes people straight from custody",
        required_message="Select whether they take people from custody",
        required=False,
    )
    accepts_from_court = YesNoNotKnownField(
        label="Takes people straight from court",
        required_message="Select whether they take people from court",
        required=False,
    )
    last_contact_on = DateField(
        label="Last contact with the service", error_name="The last contact", required=False
    )
    relationship_notes = forms.CharField(
        label="Relationship notes",
        help_text="Who to ask for, what works, what to avoid. Your team only: never published.",
        widget=forms.Textarea,
        required=False,
        max_length=5000,
    )

    def knowledge_input(self) -> KnowledgeInput:
        data = self.cleaned_data
        return KnowledgeInput(
            relationship_notes=data.get("relationship_notes") or "",
            last_contact_on=data.get("last_contact_on"),
            referral_routes=list(data.get("referral_routes") or []),
            how_to_refer=data.get("how_to_refer") or "",
            typical_wait_days=data.get("typical_wait_days"),
            accepts_from_custody=data.get("accepts_from_custody"),
            accepts_from_court=data.get("accepts_from_court"),
        )


class NamedContactForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=150, error_messages={"required": "Enter the contact's name"}
    )
    role = forms.CharField(label="Role", required=False, max_length=150)
    phone = forms.CharField(label="Phone", required=False, max_length=40)
    email = forms.CharField(label="Email", required=False, max_length=254)
    notes = forms.CharField(label="Notes", required=False, max_length=500)
