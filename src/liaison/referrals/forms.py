"""The HTML forms for referrals and appointments. Each only parses input; the services decide and save."""

from __future__ import annotations

from typing import Any

from django import forms

from liaison.core.forms import DateTimeField, choice_field, optional_text, set_choices, version_field
from liaison.core.models import User
from liaison.referrals import states
from liaison.referrals.models import Attendance, Consent, Kind, Outcome

CONSENT_LABEL = "Has the person agreed to their details being shared with the service?"
CONSENT_HINT = (
    "An active referral shares their details and cannot be sent without their agreement. "
    "Signposting shares nothing."
)


class ReferralForm(forms.Form):
    need_key = choice_field(
        "Which need is this for?", [], "Choose the need this referral is for", radios=False
    )
    service = forms.CharField(
        widget=forms.HiddenInput, error_messages={"required": "Choose a service from the directory"}
    )
    kind = choice_field(
        "How will you connect them?",
        [
            (Kind.ACTIVE, "Active referral: we refer them and follow it up with the service"),
            (Kind.SIGNPOSTING, "Signposting: we give them the details and check later whether they went"),
        ],
        "Choose whether this is an active referral or signposting",
    )
    consent = choice_field(
        CONSENT_LABEL, Consent.choices, "Choose whether the person agreed to their details being shared"
    )
    consent_note = optional_text("Note about consent (optional)", 500, rows=2)
    reason = optional_text(
        "What are you asking the service to do?",
        5000,
        rows=5,
        help_text="In your words, for the service. Leave out anything they do not need to know.",
    )

    def __init__(self, *args: Any, needs: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["need_key"], [("", "Choose a need"), *needs])
        self.fields["consent"].help_text = CONSENT_HINT


class ConsentForm(forms.Form):
    prefix = "consent"

    version = version_field()
    consent = choice_field(
        CONSENT_LABEL, Consent.choices, "Choose whether the person agreed to their details being shared"
    )
    consent_note = optional_text("Note about consent (optional)", 500, rows=2)


class MoveForm(forms.Form):
    """What has happened with the referral: one of the moves the state machine allows by hand."""

    prefix = "move"

    version = version_field()
    to_status = choice_field("What has happened?", [], "Choose what has happened")
    outcome = choice_field(
        "Outcome",
        [("", "Choose the outcome"), *Outcome.choices],
        "Choose an outcome from the list",
        radios=False,
        required=False,
    )
    outcome_note = optional_text("About the outcome (optional)", 2000, rows=2)
    note = optional_text("Note (optional)", 500, rows=2)

    def __init__(self, *args: Any, kind: str, status: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        moves = states.manual_moves(kind, status)
        set_choices(self.fields["to_status"], [(s, states.move_label(kind, s)) for s in moves])


class AppointmentForm(forms.Form):
    starts_at = DateTimeField(
        label="When does it start?", error_name="Start time", help_text="For example, 27 3 2026 and 14 30"
    )
    ends_at = DateTimeField(label="When does it end? (optional)", error_name="End time", required=False)
    location = forms.ChoiceField(
        label="Where?",
        required=False,
        error_messages={"invalid_choice": "Choose one of the service's locations, or type where"},
    )
    place = forms.CharField(
        label="Or type the place",
        required=False,
        max_length=300,
        help_text="For a place that is not one of the service's locations in the directory",
        error_messages={"max_length": "The place must be 300 characters or fewer"},
    )
    accompanied_by = forms.TypedChoiceField(
        label="Who is going with them? (optional)",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Choose a member of the episode's team to go with the person"},
    )
    travel_needs = optional_text(
        "Travel needs (optional)",
        2000,
        help_text="Fares, a lift, someone to meet them, what makes travel hard",
    )
    note = optional_text("Note (optional)", 2000, rows=2)
    version = version_field()

    def __init__(
        self, *args: Any, locations: list[tuple[str, str]], members: list[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["location"], [("", "Not one of these"), *locations])
        set_choices(self.fields["accompanied_by"], [("", "Nobody"), *((m.pk, str(m)) for m in members)])


class AttendanceForm(forms.Form):
    prefix = "attendance"

    version = version_field()
    attendance = choice_field(
        "Did the person go?",
        [
            (Attendance.ATTENDED, "Yes, they went"),
            (Attendance.MISSED, "No, they missed it"),
            (Attendance.CANCELLED, "It was cancelled"),
        ],
        "Choose whether the person went, missed it, or it was cancelled",
    )
    note = optional_text("Note (optional)", 2000, rows=2)
