"""The HTML forms for people: finding one, correcting their details, their contacts and other names.

Every form posts: names and identifiers are personal data and stay out of URLs. The forms only
parse and tidy what was typed; people.services decides and saves.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from liaison.core.forms import DateField, YesNoField, YesNoNotKnownField, apply_service_errors
from liaison.people.identifiers import (
    nhs_number_problem,
    normalise_nhs_number,
    normalise_pnc_id,
    pnc_id_problem,
)
from liaison.people.models import ContactRelationship, Ethnicity, Person, Sex
from liaison.people.services import (
    ALIAS_LIMITS,
    CONTACT_LIMITS,
    EDITABLE_FIELDS,
    clean_contact_fields,
    clean_person_fields,
)


def sex_field() -> forms.ChoiceField:
    """The person's stated sex as radios: one definition for every form that records it."""
    return forms.ChoiceField(
        label="Sex",
        choices=Sex.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the person's sex, or not known",
            "invalid_choice": "Select the person's sex, or not known",
        },
    )


class PersonSearchForm(forms.Form):
    name = forms.CharField(
        label="Name",
        required=False,
        max_length=100,
        help_text="The start of their first or last name, or both, like 'sam jo'",
        error_messages={"max_length": "Name must be 100 characters or fewer"},
    )
    date_of_birth = DateField(
        label="Date of birth", error_name="Date of birth", required=False, help_text="For example, 15 3 1984"
    )
    nhs_number = forms.CharField(label="NHS number", required=False, max_length=12)
    pnc_id = forms.CharField(label="PNC ID", required=False, max_length=14)

    # A missing-criteria error is about the whole form; its summary link goes to the first box.
    error_anchor = "name"

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if name and len(name.replace(" ", "")) < 2:
            raise ValidationError("Enter at least 2 letters of the name")
        return name

    def clean_nhs_number(self) -> str:
        value: str = self.cleaned_data["nhs_number"].strip()
        if value and (problem := nhs_number_problem(value)):
            raise ValidationError(problem)
        return value

    def clean_pnc_id(self) -> str:
        value: str = self.cleaned_data["pnc_id"].strip()
        if value and (problem := pnc_id_problem(value)):
            raise ValidationError(problem)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not any(
            data.get(name) for name in ("name", "date_of_birth", "nhs_number", "pnc_id")
        ):
            raise ValidationError("Enter a name, date of birth, NHS number or PNC ID to search for")
        return data

    def criteria(self) -> list[str]:
        """Which boxes were used (never what was typed in them): safe for the audit log."""
        return [
            name for name in ("name", "date_of_birth", "nhs_number", "pnc_id") if self.cleaned_data.get(name)
        ]


def _text(
    label: str, *, max_length: int, required: bool = False, message: str = "", **kwargs: Any
) -> forms.CharField:
    name = label.removesuffix(" (optional)")
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        error_messages={
            "required": message or f"Enter {name[0].lower()}{name[1:]}",
            "max_length": f"{name} must be {max_length:,} characters or fewer",
        },
        **kwargs,
    )


class PersonEditForm(forms.Form):
    """Correct a person's details. `version` is the one the practitioner saw when the form opened."""

    version = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": "Reload the page and try again"}
    )
    given_name = _text("First name", required=True, max_length=100, message="Enter the person's first name")
    family_name = _text("Last name", required=True, max_length=100, message="Enter the person's last name")
    preferred_name = _text("Preferred name (optional)", max_length=100)
    date_of_birth = DateField(
        label="Date of birth",
        error_name="Date of birth",
        required=False,
        help_text="For example, 15 3 1984. Leave blank if it is not known.",
    )
    sex = sex_field()
    gender_identity = _text(
        "Gender identity (optional)", max_length=60, help_text="In the person's own words."
    )
    ethnicity = forms.ChoiceField(
        label="Ethnic category",
        choices=Ethnicity.choices,
        error_messages={
            "required": "Select an ethnic category, or not known",
            "invalid_choice": "Select an ethnic category, or not known",
        },
    )
    # Typed identifiers may carry spaces and hyphens ("943 476 5919"), so the boxes allow a little more.
    nhs_number = _text("NHS number (optional)", max_length=14)
    pnc_id = _text("PNC ID (optional)", max_length=16)
    local_id = _text("Local ID (optional)", max_length=40)
    postcode = _text("Postcode (optional)", max_length=10)
    no_fixed_abode = forms.BooleanField(label="No fixed abode", required=False)
    language = _text(
        "Main language", required=True, max_length=60, message="Enter the person's main language"
    )
    interpreter_needed = YesNoField(
        label="Do they need an interpreter?", required_message="Select yes if the person needs an interpreter"
    )
    easy_read = forms.BooleanField(label="Needs information in easy read", required=False)
    communication_needs = forms.CharField(
        label="Communication needs (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="For example, hearing loop, learning disability, needs things explained slowly.",
        error_messages={"max_length": "Communication needs must be 5,000 characters or fewer"},
    )
    veteran = YesNoNotKnownField(
        label="Have they served in the armed forces?",
        required_message="Select yes if the person has served in the armed forces, or not known",
    )
    care_leaver = YesNoNotKnownField(
        label="Are they a care leaver?",
        required_message="Select yes if the person is a care leaver, or not known",
    )

    @classmethod
    def initial_for(cls, person: Person) -> dict[str, Any]:
        """The form as the record is now, with the version to save against."""
        initial: dict[str, Any] = {name: getattr(person, name) for name in EDITABLE_FIELDS}
        initial["version"] = person.version
        initial["interpreter_needed"] = "yes" if person.interpreter_needed else "no"
        for name in ("veteran", "care_leaver"):
            initial[name] = YesNoNotKnownField.initial_for(getattr(person, name))
        return initial

    def clean_nhs_number(self) -> str:
        value: str = self.cleaned_data["nhs_number"].strip()
        if value and (problem := nhs_number_problem(value)):
            raise ValidationError(problem)
        return normalise_nhs_number(value)

    def clean_pnc_id(self) -> str:
        value: str = self.cleaned_data["pnc_id"].strip()
        if value and (problem := pnc_id_problem(value)):
            raise ValidationError(problem)
        return normalise_pnc_id(value) if value else ""

    def clean_postcode(self) -> str:
        value = " ".join(self.cleaned_data["postcode"].upper().split())
        if len(value) > 8:
            raise ValidationError("Postcode must be 8 characters or fewer")
        return value

    def clean_date_of_birth(self) -> Any:
        value = self.cleaned_data["date_of_birth"]
        if value is not None and value > timezone.localdate():
            raise ValidationError("Date of birth must be in the past")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("postcode") and data.get("no_fixed_abode"):
            self.add_error("postcode", "Enter a postcode or select no fixed abode, not both")
        # The service's own rules (such as a date of birth within 120 years) now, so every
        # problem shows at once; each lands only on a field without an error already.
        try:
            clean_person_fields({name: data[name] for name in EDITABLE_FIELDS if name in data})
        except ValidationError as exc:
            apply_service_errors(self, exc)
        return self.cleaned_data

    def changes(self, person: Person) -> dict[str, Any]:
        """The fields whose cleaned value differs from the record: what the service should save."""
        return {
            name: self.cleaned_data[name]
            for name in EDITABLE_FIELDS
            if name in self.cleaned_data and self.cleaned_data[name] != getattr(person, name)
        }


CONTACT_FIELDS = ("relationship", "name", "phone", "email", "notes")


class PersonContactForm(forms.Form):
    relationship = forms.ChoiceField(
        label="Who are they to the person?",
        choices=ContactRelationship.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who the contact is to the person",
            "invalid_choice": "Select who the contact is to the person",
        },
    )
    name = _text(
        "Name",
        required=True,
        max_length=CONTACT_LIMITS["name"],
        message="Enter the contact's name",
        help_text="For an appropriate adult scheme, the name of the scheme is enough.",
    )
    phone = _text("Phone number (optional)", max_length=CONTACT_LIMITS["phone"])
    email = _text("Email address (optional)", max_length=CONTACT_LIMITS["email"])
    notes = _text(
        "Notes (optional)",
        max_length=CONTACT_LIMITS["notes"],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, when to call, or whether the person agrees to them being contacted.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The service's rules (phone characters, email format) now, so every problem shows at once.
        try:
            clean_contact_fields(**{name: data.get(name, "") for name in CONTACT_FIELDS})
        except ValidationError as exc:
            apply_service_errors(self, exc)
        return self.cleaned_data


class AliasForm(forms.Form):
    given_name = _text("First name (optional)", max_length=ALIAS_LIMITS["given_name"])
    family_name = _text(
        "Last name",
        required=True,
        max_length=ALIAS_LIMITS["family_name"],
        message="Enter the last name they are also known by",
    )
