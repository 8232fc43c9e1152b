"""The HTML form for a training session. It only parses input; the service decides and saves."""

from __future__ import annotations

from django import forms

from liaison.core.forms import DateField
from liaison.training.models import AgencyKind


def _line(label: str, message: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=200,
        help_text=help_text,
        error_messages={"required": message, "max_length": f"{label} must be 200 characters or fewer"},
    )


class SessionForm(forms.Form):
    agency_kind = forms.ChoiceField(
        label="Which kind of agency?",
        choices=AgencyKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the kind of agency",
            "invalid_choice": "Choose the kind of agency",
        },
    )
    agency_name = _line("Agency", "Enter the agency's name", "For example, Northtown Police custody suite")
    audience = _line(
        "Who attended", "Enter who attended (their roles)", "Their roles, for example custody sergeants"
    )
    topic = _line("Topic", "Enter the topic")
    delivered_on = DateField(
        label="Date of the session", error_name="Date of the session", help_text="For example, 27 11 2026"
    )
    attendees = forms.IntegerField(
        label="Number of attendees",
        error_messages={
            "required": "Enter the number of attendees",
            "invalid": "The number of attendees must be a whole number",
        },
    )
    facilitator = _line("Who ran the session", "Enter who ran the session")
    scores = forms.CharField(
        label="Knowledge scores (optional)",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=(
            "One line per attendee who scored their knowledge from 0 to 10: the score before, a comma, then "
            "the score after, for example 4, 7. If one is missing, leave it out but keep the comma: "
            "4, or , 8. Scores are anonymous: no names."
        ),
        error_messages={"max_length": "The scores must be 20,000 characters or fewer"},
    )
