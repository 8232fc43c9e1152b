"""The HTML forms for consent and sharing without consent. Each only parses input; the services decide."""

from __future__ import annotations

from django import forms

from liaison.consent.models import (
    Capacity,
    ContentKind,
    Decision,
    Guardian,
    LawfulBasis,
    Purpose,
    RecipientKind,
)
from liaison.core.forms import DateField, choice_field, optional_text, version_field

PAIR_CHOICES = [
    (f"{recipient}:{content}", f"{recipient_label}: {str(content_label).lower()}")
    for recipient, recipient_label in RecipientKind.choices
    for content, content_label in ContentKind.choices
]


class MultipleCheckboxes(forms.CheckboxSelectMultiple):
    """Rendered by hand in the page template (a grid of checkboxes), never by the `field` tag."""


class ConsentForm(forms.Form):
    prefix = "record"

    purpose = choice_field(
        "What is the consent for?",
        [(Purpose.SHARING, "Sharing information"), (Purpose.ASSESSMENT, "Being assessed by the team")],
        "Choose what the consent is for",
    )
    decision = choice_field(
        "What did the person decide?",
        [(Decision.GIVEN, "They agreed"), (Decision.REFUSED, "They did not agree")],
        "Choose whether the person agreed",
    )
    pairs = forms.MultipleChoiceField(
        label="Who may receive which information?",
        choices=PAIR_CHOICES,
        required=False,
        widget=MultipleCheckboxes,
        error_messages={"invalid_choice": "Choose recipients and kinds of information from the grid"},
    )
    capacity = choice_field(
        "Did the person have capacity to make this decision?",
        Capacity.choices,
        "Choose whether the person had capacity to decide",
    )
    capacity_note = optional_text(
        "About capacity (optional)", 2000, help_text="Required if the person lacked capacity: say why."
    )
    guardian = choice_field(
        "How was a parent or guardian involved?",
        [(value, label) for value, label in Guardian.choices if value != Guardian.NOT_RECORDED],
        "The person is under 18: say how a parent or guardian was involved",
        required=False,
    )
    guardian_name = forms.CharField(
        label="Name of the parent or guardian (if involved)",
        required=False,
        max_length=200,
        error_messages={"max_length": "The name must be 200 characters or fewer"},
    )
    guardian_note = optional_text("About the parent or guardian's involvement (optional)", 2000, rows=2)
    note = optional_text("What the person said (optional)", 2000, help_text="In their words where you can.")

    def clean_pairs(self) -> list[tuple[str, str]]:
        pairs = []
        for value in self.cleaned_data["pairs"]:
            recipient_kind, _, content_kind = value.partition(":")
            pairs.append((recipient_kind, content_kind))
        return pairs


class WithdrawForm(forms.Form):
    version = version_field()
    note = optional_text("Why was it withdrawn? (optional)", 2000, rows=2)


class BasisForm(forms.Form):
    prefix = "basis"

    recipient_kind = choice_field(
        "Who would the information go to?", RecipientKind.choices, "Choose who the information would go to"
    )
    content_kinds = forms.MultipleChoiceField(
        label="Which information?",
        choices=ContentKind.choices,
        required=False,
        widget=MultipleCheckboxes,
        error_messages={"invalid_choice": "Choose kinds of information from the list"},
    )
    basis = choice_field("The lawful basis", LawfulBasis.choices, "Choose the lawful basis")
    reason = optional_text(
        "Why must it be shared without the person's consent?",
        2000,
        rows=5,
        help_text="A team lead reads this before deciding. Say what would happen if it were not shared.",
    )
    expires_on = DateField(
        label="Until (optional)",
        required=False,
        error_name="The end date",
        help_text="Leave empty if it has no end. For example, 15 12 2026",
    )


class DecideForm(forms.Form):
    version = version_field()
    decision = choice_field(
        "Your decision",
        [("approve", "Approve: sharing is allowed on this basis"), ("refuse", "Refuse")],
        "Choose whether you approve or refuse the request",
    )
    note = optional_text("Note (required if you refuse)", 2000, rows=2)
