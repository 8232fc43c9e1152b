"""The HTML forms for importing a list, the review worklist, and reviewing one arrival.
Each only parses input; the services decide and save."""

from __future__ import annotations

from typing import Any

from django import forms

from liaison.core.access import MAX_ID
from liaison.core.forms import set_choices
from liaison.core.models import Site, User
from liaison.episodes.models import OffenceCategory
from liaison.identification.models import ArrivalStatus, VulnerabilityFlag
from liaison.matching.presenters import NEW_PERSON


def flags_field(label: str, *, required: bool, message: str = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        required=required,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": message or "Select at least one vulnerability",
            "invalid_choice": "Select vulnerabilities from the list",
        },
    )


def set_flag_choices(field: forms.Field, flags: list[VulnerabilityFlag]) -> None:
    """The code list as checkboxes; each flag's hint is shown under its box."""
    set_choices(field, [(f.code, f.label) for f in flags])
    field.hints = {f.code: f.hint for f in flags if f.hint}  # type: ignore[attr-defined]  # read by checkbox_choices


class PersonChoiceField(forms.CharField):
    """Who the person at intake is: the id of someone offered, or NEW_PERSON ("new").

    The radios are drawn by matching/includes/candidates.html from the candidates the page was shown.
    Only the shape is checked here: the view fetches the person through a scoped query
    (identification.queries.offered_person), which answers 404 for anyone the team may not see.
    """

    def __init__(self, *, label: str, required_message: str, invalid_message: str, **kwargs: Any) -> None:
        super().__init__(
            label=label,
            error_messages={"required": required_message, "invalid_choice": invalid_message},
            **kwargs,
        )

    def to_python(self, value: Any) -> str | int:  # type: ignore[override]  # an id is an int
        text = super().to_python(value) or ""
        if not text or text == NEW_PERSON:
            return text
        if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID:
            return int(text)
        raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


class ImportForm(forms.Form):
    site = forms.TypedChoiceField(
        label="Which site is this list for?",
        coerce=int,
        error_messages={
            "required": "Select the site the list is for",
            "invalid_choice": "Select one of your team's sites",
        },
    )
    file = forms.FileField(
        label="Custody or court list (CSV)",
        error_messages={
            "required": "Select a CSV file to import",
            "empty": "The selected file is empty",
            "invalid": "Select a CSV file to import",
        },
    )
    dry_run = forms.BooleanField(label="Check the file without saving anything", required=False)

    def __init__(self, *args: Any, sites: list[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["site"], [("", "Select site"), *((s.pk, s.name) for s in sites)])
        if len(sites) == 1:
            self.fields["site"].initial = sites[0].pk


class ReviewFilterForm(forms.Form):
    """Site and which arrivals: not personal data, so they may sit in the address."""

    site = forms.TypedChoiceField(label="Site", coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "Needing review or an episode"), *ArrivalStatus.choices],
        error_messages={"invalid_choice": "Select which arrivals to show from the list"},
    )

    def __init__(self, *args: Any, sites: list[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["site"], [("", "All sites"), *((s.pk, s.name) for s in sites)])
        self.fields["site"].error_messages["invalid_choice"] = "Select one of your team's sites"


class VersionForm(forms.Form):
    """Mark reviewed with no concerns: only the version the user saw."""

    version = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": "Reload the page and try again"}
    )


class FlagForm(forms.Form):
    prefix = "flag"

    version = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": "Reload the page and try again"}
    )
    flags = flags_field(
        "Which vulnerabilities do you see?",
        required=True,
        message="Select at least one vulnerability, or mark the arrival as reviewed with no concerns",
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        help_text="What you saw on the custody record or list, for the practitioner who picks this up.",
        error_messages={"max_length": "Note must be 500 characters or fewer"},
    )

    def __init__(self, *args: Any, flags: list[VulnerabilityFlag], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_flag_choices(self.fields["flags"], flags)


class ConvertForm(forms.Form):
    prefix = "episode"

    version = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": "Reload the page and try again"}
    )
    person = PersonChoiceField(
        label="Who is this?",
        required_message="Select the person this arrival is, or create a new person",
        invalid_message="Select one of the people offered, or create a new person",
    )
    offence_category = forms.ChoiceField(
        label="Alleged offence",
        choices=OffenceCategory.choices,
        error_messages={
            "required": "Select an offence category",
            "invalid_choice": "Select an offence category",
        },
    )
    allocated_worker = forms.TypedChoiceField(
        label="Allocate to (optional)",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Allocate the episode to a member of your team"},
    )

    def __init__(self, *args: Any, offered: bool, members: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self.fields["allocated_worker"], [("", "Not allocated yet"), *((u.pk, str(u)) for u in members)]
        )
        if not offered:
            self.fields["person"].initial = NEW_PERSON
