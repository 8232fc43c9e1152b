"""Forms for the team lead's duplicate review: reject a pair, merge it, undo a merge.

The services check everything again (who may, the reason's length); these only give the page its
fields and NHS.UK error messages.
"""

from __future__ import annotations

from django import forms

REASON_MAX = 500


def _text(label: str, required: str, *, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=REASON_MAX,
        error_messages={"required": required, "max_length": f"Must be {REASON_MAX} characters or fewer"},
    )


class RejectForm(forms.Form):
    note = _text("Why are these not the same person?", "Enter why these are not the same person")


class MergeForm(forms.Form):
    survivor = forms.TypedChoiceField(
        label="Which record should be kept?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the record to keep",
            "invalid_choice": "Select the record to keep",
        },
    )
    reason = _text("Why are you sure these are the same person?", "Enter why these are the same person")

    def __init__(self, *args: object, choices: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own signature
        self.fields["survivor"].choices = choices  # type: ignore[attr-defined]  # a ChoiceField


class UnmergeForm(forms.Form):
    reason = _text("Why are you undoing this merge?", "Enter why you are undoing this merge")
