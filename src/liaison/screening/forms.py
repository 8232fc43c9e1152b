"""The screening pages' forms. They only parse what was posted; the services and the engine decide."""

from __future__ import annotations

from typing import Any

from django import forms

from liaison.core.forms import set_choices
from liaison.screening.instruments import Definition, Item, Profile
from liaison.screening.models import AlertAction
from liaison.screening.presenters import question_text

LICENSED_COPY = "Read the question from your own licensed copy of the {title}, then record the answer."


class StartForm(forms.Form):
    instrument = forms.ChoiceField(
        label="Which instrument?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select an instrument",
            "invalid_choice": "Select an instrument from the list",
        },
    )

    def __init__(self, *args: Any, offered: list[Definition], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self.fields["instrument"],
            [(d.code, f"{d.short_title}: {d.domain}") for d in offered],
        )


def item_field_name(key: str) -> str:
    return f"item_{key}"


def _item_label(definition: Definition, item: Item) -> str:
    question = question_text(definition, item)
    return f"{item.label}: {question}" if question else item.label


def _item_hint(definition: Definition, item: Item) -> str:
    parts = []
    if not question_text(definition, item) and not definition.result_capture:
        parts.append(LICENSED_COPY.format(title=definition.short_title))
    if item.hint:
        parts.append(item.hint)
    if not item.required and not item.asked_when_any_nonzero and not item.skippable_after:
        parts.append("Optional.")
    return " ".join(parts)


class WholeNumberField(forms.CharField):
    """A whole number typed in a box; the engine checks its range and names the item if it is wrong."""

    def __init__(self, *, item_name: str, **kwargs: Any) -> None:
        self.item_name = item_name
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = str(value or "").strip().replace(",", "")
        if not text:
            return None
        if not (text.isascii() and text.lstrip("-").isdigit()):
            raise forms.ValidationError(f"{self.item_name} must be a whole number, like 3")
        return int(text)


class AnswersForm(forms.Form):
    """One field per item (radios in a fieldset, or a number box), the cut-off profile, and a note."""

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "Reload the page"})
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="Anything that affects how to read the result, such as the person declining some items.",
        error_messages={"max_length": "Note must be 5,000 characters or fewer"},
    )

    def __init__(self, *args: Any, definition: Definition, profile: Profile, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.item_fields: list[str] = []
        for item in definition.items:
            name = item_field_name(item.key)
            options = definition.options_for(item, profile)
            label = _item_label(definition, item)
            message = (
                f"Select an answer for {item.label.lower() if item.label.startswith('Item') else item.label}"
            )
            field: forms.Field
            if options:
                field = forms.TypedChoiceField(
                    label=label,
                    required=False,
                    coerce=int,
                    empty_value=None,
                    choices=[(str(o.value), o.label) for o in options],
                    widget=forms.RadioSelect,
                    help_text=_item_hint(definition, item),
                    error_messages={"invalid_choice": message},
                )
            else:
                unit = f" ({item.unit})" if item.unit else ""
                field = WholeNumberField(
                    label=label + unit,
                    required=False,
                    item_name=item.label,
                    help_text=_item_hint(definition, item),
                )
            self.fields[name] = field
            self.item_fields.append(name)
        if len(definition.profiles) > 1:
            self.fields["profile"] = forms.ChoiceField(
                label="Cut-off profile",
                widget=forms.RadioSelect,
                choices=[(p.code, p.label) for p in definition.profiles],
                help_text="Where the published sources differ. The first is the one a UK service would use.",
                error_messages={"required": "Select a cut-off profile", "invalid_choice": "Select a profile"},
            )
        # The note last, after the items and the profile.
        self.order_fields([*self.item_fields, "profile", "note", "version"])

    def answers(self) -> dict[str, int]:
        data = self.cleaned_data
        found: dict[str, int] = {}
        for item in self.definition.items:
            value = data.get(item_field_name(item.key))
            if value is not None:
                found[item.key] = value
        return found

    def item_rows(self) -> list[dict[str, Any]]:
        """Each item's bound field, and whether its radios fit on one line (yes/no and the like)."""
        rows = []
        for name in self.item_fields:
            bound = self[name]
            choices = list(getattr(bound.field, "choices", None) or [])
            inline = (
                bool(choices) and len(choices) <= 3 and all(len(str(label)) <= 20 for _, label in choices)
            )
            rows.append({"bound": bound, "inline": inline, "number": not choices})
        return rows

    @staticmethod
    def initial_for(answers: dict[str, Any], *, version: int, profile: str, note: str) -> dict[str, Any]:
        initial: dict[str, Any] = {item_field_name(k): str(v) for k, v in answers.items()}
        initial.update(version=version, profile=profile, note=note)
        return initial


def answer_aliases(definition: Definition) -> dict[str, str]:
    """The services name items as the API does ("answers.9"); the page's fields are "item_9"."""
    return {f"answers.{item.key}": item_field_name(item.key) for item in definition.items}


class AcknowledgeForm(forms.Form):
    """Acknowledging a suicide-risk alert: what was done (required) and a note (required)."""

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "Reload the page"})
    action = forms.ChoiceField(
        label="What was done?",
        widget=forms.RadioSelect,
        choices=AlertAction.choices,
        error_messages={"required": "Select what was done", "invalid_choice": "Select what was done"},
    )
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text="What you did and what happens next, such as who you spoke to and the plan agreed.",
        error_messages={
            "required": "Enter a note of what was done",
            "max_length": "Note must be 5,000 characters or fewer",
        },
    )
