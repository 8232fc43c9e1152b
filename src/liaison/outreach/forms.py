from __future__ import annotations

from typing import Any

from django import forms

from liaison.core.forms import DateTimeField, set_choices


class SessionForm(forms.Form):
    prefix = "session"

    place = forms.CharField(
        label="Where is the drop-in?",
        max_length=200,
        error_messages={
            "required": "Enter where the drop-in is",
            "max_length": "Place must be 200 characters or fewer",
        },
    )
    site = forms.TypedChoiceField(label="Site (optional)", required=False, coerce=int, empty_value=None)
    starts_at = DateTimeField(label="Starts", error_name="Start", help_text="Use the 24-hour clock.")
    ends_at = DateTimeField(label="Ends", error_name="End", help_text="Use the 24-hour clock.")
    staff = forms.TypedMultipleChoiceField(
        label="Staff running it", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(
        label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args: Any, sites: list[tuple[int, str]], members: list[tuple[int, str]], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        set_choices(self.fields["site"], [("", "Not at one of our sites"), *sites])
        set_choices(self.fields["staff"], members)


class SessionUpdateForm(forms.Form):
    prefix = "count"

    version = forms.IntegerField(widget=forms.HiddenInput)
    anonymous_count = forms.IntegerField(
        label="People who came without giving a name",
        min_value=0,
        help_text="They are counted, not recorded.",
        error_messages={
            "required": "Enter how many people came without giving a name, as a number (0 or more)",
            "invalid": "Enter how many people came without giving a name, as a number (0 or more)",
            "min_value": "Enter how many people came without giving a name, as a number (0 or more)",
        },
    )
    notes = forms.CharField(
        label="Session notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AttendForm(forms.Form):
    prefix = "attend"

    episode = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label="Quick note (optional)", required=False, max_length=2000)
