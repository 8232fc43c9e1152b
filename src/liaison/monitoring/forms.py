"""Forms for closing a privacy alert and deactivating an account. The services check everything again."""

from __future__ import annotations

from django import forms

from liaison.monitoring.accounts import REASON_MAX, REASON_MIN
from liaison.monitoring.models import AlertOutcome
from liaison.monitoring.services import NOTE_MAX


class AlertCloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What did you find?",
        choices=AlertOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the outcome of your review",
            "invalid_choice": "Select an outcome",
        },
    )
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=NOTE_MAX,
        error_messages={
            "required": "Enter a note about what you found",
            "max_length": f"Note must be {NOTE_MAX:,} characters or fewer",
        },
    )


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        label="Why are you deactivating this account?",
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=REASON_MIN,
        max_length=REASON_MAX,
        error_messages={
            "required": "Enter why you are deactivating this account",
            "min_length": f"Reason must be at least {REASON_MIN} characters",
            "max_length": f"Reason must be {REASON_MAX:,} characters or fewer",
        },
    )
