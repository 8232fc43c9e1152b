"""The HTML forms for the rights pages. They parse and tidy; rights.services decides and saves.

Every form posts: a person's details stay out of addresses. Only a field's name (which detail, such
as `date_of_birth`) travels in a query string.
"""

from __future__ import annotations

from typing import Any

from django import forms

from liaison.core.forms import DateField, YesNoField, set_choices
from liaison.people.forms import PersonEditForm
from liaison.people.models import Person
from liaison.rights.history import TRACKED_FIELDS
from liaison.rights.models import DisputeOutcome, ExtensionReason, HoldReason, Requester
from liaison.rights.presenters import field_choices, field_label


def _textarea(label: str, *, required_message: str, max_length: int, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
        error_messages={
            "required": required_message,
            "max_length": f"{label.removesuffix(' (optional)')} must be {max_length:,} characters or fewer",
        },
    )


class SubjectAccessRequestForm(forms.Form):
    received_on = DateField(
        label="When was the request received?",
        error_name="The date the request was received",
        help_text="For example, 31 1 2026. If you asked for proof of identity, the day it arrived.",
    )
    identity_verified = _textarea(
        "How did you check the requester's identity?",
        required_message="Enter how you checked the requester's identity",
        max_length=500,
        help_text="For example, photo driving licence seen in person, or known to the team.",
    )
    requester = forms.ChoiceField(
        label="Who made the request?",
        choices=Requester.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who made the request",
            "invalid_choice": "Select who made the request",
        },
    )
    requester_name = forms.CharField(
        label="Name of the person acting for them (if someone is)",
        required=False,
        max_length=150,
        error_messages={"max_length": "Name must be 150 characters or fewer"},
    )
    authority = forms.CharField(
        label="What gives them the right to act for the person (if someone is)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example, the person's signed consent, or a lasting power of attorney seen.",
        error_messages={"max_length": "Authority must be 500 characters or fewer"},
    )


class ExtensionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "Reload the page"})
    months = forms.TypedChoiceField(
        label="How many more months are needed?",
        choices=[("1", "1 more month"), ("2", "2 more months")],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how many more months are needed",
            "invalid_choice": "Select how many more months are needed",
        },
    )
    reason = forms.ChoiceField(
        label="Why is more time needed?",
        choices=ExtensionReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select why more time is needed",
            "invalid_choice": "Select why more time is needed",
        },
    )
    detail = _textarea(
        "What makes it so, and when was the person told?",
        required_message="Say what makes the request complex or numerous, and when the person was told",
        max_length=2000,
        help_text="The person must be told within the first month, with the reason.",
    )


class FieldChoiceForm(forms.Form):
    """Which detail: the first question of a correction or a dispute when the page did not say."""

    field = forms.ChoiceField(
        label="Which detail?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select a detail", "invalid_choice": "Select a detail"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["field"], field_choices())


def chosen_field(value: object) -> str | None:
    name = str(value or "")
    return name if name in TRACKED_FIELDS else None


class CorrectionForm(PersonEditForm):
    """One detail, as the personal details form asks for it, with the reason for the correction."""

    reason = _textarea(
        "Why was the record wrong, and how do you know?",
        required_message="Enter why the record was wrong and how you know",
        max_length=2000,
        help_text="For example, the person showed their passport. At least 10 characters.",
    )

    def __init__(self, *args: Any, field: str, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_name = field
        self.person = person
        for name in list(self.fields):
            if name not in {field, "version", "reason"}:
                del self.fields[name]
        if isinstance(self.fields[field], forms.BooleanField):
            # As radios: an unticked box cannot be told from "not looked at", and here no is an answer.
            self.fields[field] = YesNoField(
                label=field_label(field),
                required_message=f"Select yes or no for {field_label(field).lower()}",
            )
        self.fields[field].label = f"{field_label(field)}: what is right"

    @classmethod
    def initial_for(cls, person: Person) -> dict[str, Any]:
        initial = super().initial_for(person)
        for name in ("no_fixed_abode", "easy_read"):
            initial[name] = "yes" if getattr(person, name) else "no"
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        name = self.field_name
        if name == "postcode" and data.get("postcode") and self.person.no_fixed_abode:
            self.add_error(
                "postcode", "The record says no fixed abode: correct that first, or leave this blank"
            )
        if name == "no_fixed_abode" and data.get("no_fixed_abode") and self.person.postcode:
            self.add_error("no_fixed_abode", "The record has a postcode: correct that first")
        return self.cleaned_data

    def correction(self) -> dict[str, Any]:
        return {self.field_name: self.cleaned_data[self.field_name]}


class DisputeForm(forms.Form):
    field = forms.ChoiceField(
        label="Which detail does the person disagree with?",
        error_messages={"required": "Select a detail", "invalid_choice": "Select a detail"},
    )
    person_says = _textarea(
        "What does the person say is right?",
        required_message="Enter what the person says is right, in their words",
        max_length=2000,
        help_text="In their own words, as they said it.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["field"], [("", "Choose a detail"), *field_choices()])


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What was the outcome?",
        choices=DisputeOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome", "invalid_choice": "Select the outcome"},
    )
    note = _textarea(
        "What was decided, and why?",
        required_message="Enter what was decided and why",
        max_length=2000,
        help_text="This is kept with the dispute, and the person can see it.",
    )


# --- retention and legal holds -------------------------------------------------------------------------


class LegalHoldForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why must the record be kept?",
        choices=HoldReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select why the record must be kept",
            "invalid_choice": "Select why the record must be kept",
        },
    )
    reference = forms.CharField(
        label="Reference",
        max_length=120,
        help_text="The claim, inquiry, complaint or request number. Do not enter the person's name.",
        error_messages={
            "required": "Enter a reference: the claim, inquiry or request it is kept for",
            "max_length": "Reference must be 120 characters or fewer",
        },
    )
    detail = _textarea(
        "Details (optional)", required_message="", max_length=2000, help_text="Who asked for the hold."
    )
    detail.required = False


class LiftHoldForm(forms.Form):
    reason = _textarea(
        "Why can the hold be lifted?",
        required_message="Enter why the hold can be lifted",
        max_length=2000,
        help_text="For example, the claim was settled on 3 March 2026.",
    )


class ProposeDestructionForm(forms.Form):
    reason = _textarea(
        "Note for the approver (optional)",
        required_message="",
        max_length=2000,
        help_text="Do not enter the person's name: the note is kept after the record is destroyed.",
    )
    reason.required = False


class DecisionForm(forms.Form):
    note = _textarea(
        "Why should the record be kept?",
        required_message="Enter why the record should be kept",
        max_length=2000,
        help_text="Do not enter the person's name: the decision is kept after the record is destroyed.",
    )
