"""The advice pages' forms. They only parse what was posted; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms

from liaison.advice.models import AdviceType, Benefit, DutyToReferResponse, Frequency, OutcomeKind
from liaison.advice.services import AUTHORITY_MAX, TEXT_MAX, outcomes_for
from liaison.core.forms import DateField, YesNoField, set_choices
from liaison.core.models import User

UNALLOCATED = "team"


def _version() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "Reload the page"})


def _text(
    label: str, *, required: bool = False, message: str = "", rows: int = 3, hint: str = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        help_text=hint,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": message,
            "max_length": f"{label} must be {TEXT_MAX:,} characters or fewer",
        },
    )


def _adviser_field(*, allow_unallocated: bool) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label="Which adviser?",
        coerce=lambda v: None if v == UNALLOCATED else int(v),
        empty_value=None,
        required=True,
        help_text=(
            "They are expected to see the person today: a task due today goes on their list."
            if not allow_unallocated
            else "They are expected to see the person today: a task due today goes on their list. "
            "If nobody is free, put it on the team's advice list for the first adviser free today."
        ),
        error_messages={
            "required": "Choose the adviser who will see the person",
            "invalid_choice": "Allocate the work to an adviser or team lead in the episode's team",
        },
    )


def _adviser_choices(advisers: list[User], *, allow_unallocated: bool) -> list[tuple[Any, str]]:
    choices: list[tuple[Any, str]] = [("", "Choose an adviser")]
    choices += [(u.pk, str(u)) for u in advisers]
    if allow_unallocated:
        choices.append((UNALLOCATED, "Nobody yet: the team's advice list"))
    return choices


class AllocateForm(forms.Form):
    """A new piece of advice work, given to an adviser the same day."""

    advice_type = forms.ChoiceField(
        label="What kind of advice?",
        widget=forms.RadioSelect,
        choices=AdviceType.choices,
        error_messages={
            "required": "Choose what kind of advice is needed",
            "invalid_choice": "Choose what kind of advice is needed",
        },
    )
    need_key = forms.ChoiceField(
        label="Which need in the assessment is it for?",
        required=False,
        error_messages={"invalid_choice": "Choose one of the needs in the plan, or none"},
    )
    benefit = forms.ChoiceField(
        label="Which benefit? (for a benefit claim)",
        required=False,
        choices=[("", "Not a benefit claim"), *[c for c in Benefit.choices if c[0]]],
        error_messages={"invalid_choice": "Choose a benefit from the list"},
    )
    benefit_other = forms.CharField(
        label="Name of the benefit, if another",
        required=False,
        max_length=120,
        error_messages={"max_length": "Name of the benefit must be 120 characters or fewer"},
    )
    summary = _text(
        "What do they need help with?",
        hint="In a sentence or two. For example, sleeping rough since release, no ID, needs a claim today.",
    )
    adviser = _adviser_field(allow_unallocated=True)

    def __init__(self, *args: Any, needs: list[tuple[str, str]], advisers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["need_key"], [("", "None of them"), *needs])
        set_choices(self.fields["adviser"], _adviser_choices(advisers, allow_unallocated=True))


class ReallocateForm(forms.Form):
    prefix = "allocate"

    version = _version()
    adviser = _adviser_field(allow_unallocated=False)

    def __init__(self, *args: Any, advisers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["adviser"], _adviser_choices(advisers, allow_unallocated=False))


class ActionForm(forms.Form):
    prefix = "action"

    done_on = DateField(
        label="When was it done?", error_name="Date it was done", help_text="For example, 27 3 2027"
    )
    what = _text("What was done?", required=True, message="Say what was done", rows=4)


class OutcomeForm(forms.Form):
    prefix = "outcome"

    kind = forms.ChoiceField(
        label="What was the outcome?",
        error_messages={
            "required": "Choose what the outcome was",
            "invalid_choice": "Choose an outcome from the list",
        },
    )
    achieved_on = DateField(
        label="Date of the outcome", error_name="Date of the outcome", help_text="For example, 27 3 2027"
    )
    amount = forms.DecimalField(
        label="Amount, in pounds (for an award or a grant)",
        required=False,
        max_digits=9,
        decimal_places=2,
        error_messages={
            "invalid": "Enter the amount as a number, like 85.50",
            "max_digits": "The amount awarded must be less than £1,000,000",
            "max_decimal_places": "Enter the amount in pounds and pence, like 85.50",
            "max_whole_digits": "The amount awarded must be less than £1,000,000",
        },
    )
    frequency = forms.ChoiceField(
        label="How often is it paid? (for an award)",
        required=False,
        choices=[("", "Choose how often"), *[c for c in Frequency.choices if c[0]]],
        error_messages={"invalid_choice": "Choose how often the award is paid, from the list"},
    )
    note = _text("Note", hint="Needed when there was no outcome: say why.")

    def __init__(self, *args: Any, advice_type: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(k, OutcomeKind(k).label) for k in outcomes_for(advice_type)]
        set_choices(self.fields["kind"], [("", "Choose an outcome"), *choices])


class DutyToReferForm(forms.Form):
    prefix = "dtr"

    version = _version()
    authority = forms.CharField(
        label="Which local housing authority?",
        max_length=AUTHORITY_MAX,
        help_text="The council the referral went to. For example, Northtown City Council housing options.",
        error_messages={
            "required": "Enter the name of the local housing authority the referral went to",
            "max_length": f"Housing authority must be {AUTHORITY_MAX} characters or fewer",
        },
    )
    referred_on = DateField(
        label="Date the referral was made",
        error_name="Date the referral was made",
        help_text="For example, 27 3 2027",
    )
    consent = YesNoField(
        label="Did the person agree to the referral?",
        required_message="Say whether the person agreed to the referral",
    )
    response = forms.ChoiceField(
        label="The authority's response",
        required=False,
        choices=DutyToReferResponse.choices,
        error_messages={"invalid_choice": "Choose the authority's response from the list"},
    )
    response_on = DateField(
        label="Date the authority responded",
        error_name="Date the authority responded",
        required=False,
        help_text="For example, 27 3 2027",
    )


class CloseForm(forms.Form):
    prefix = "close"

    version = _version()
    closing_outcome = forms.ChoiceField(
        label="What does the record close with?",
        help_text="One of the outcomes recorded, or no outcome (say why in the note).",
        error_messages={
            "required": "Choose the outcome the record closes with",
            "invalid_choice": "Choose the outcome the record closes with",
        },
    )
    note = _text("Note")

    def __init__(self, *args: Any, outcomes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = [*dict.fromkeys(outcomes), OutcomeKind.NO_OUTCOME]
        set_choices(
            self.fields["closing_outcome"],
            [("", "Choose an outcome"), *[(k, OutcomeKind(k).label) for k in dict.fromkeys(kinds)]],
        )
