"""The crisis plan's draft form and the crisis event form. Both hand their data to the services."""

from __future__ import annotations

from typing import Any

from django import forms

from liaison.core.forms import DateField, DateTimeField
from liaison.support.services import PEOPLE_MAX, TEXT_MAX

PERSON_ROWS = PEOPLE_MAX


def _text(label: str, hint: str = "", rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": f"Must be {TEXT_MAX:,} characters or fewer"},
    )


class CrisisPlanForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    warning_signs = _text(
        "1. My warning signs",
        "What they notice, or others notice, when things start to go wrong. In their words.",
    )
    self_help = _text(
        "2. Things I can do myself",
        "What they can do to feel calmer or safer, such as going for a walk or listening to music.",
    )
    helpful_people_places = _text(
        "3. People and places that help me",
        "Somewhere they feel safe, or people they like to be around, even without talking.",
    )
    other_professionals = _text(
        "Other professionals",
        "Anyone not in the list above, such as a GP surgery or a care coordinator, with a phone number.",
        rows=3,
    )
    safer = _text(
        "6. Making my situation safer",
        "What they agree to do to make things safer, such as giving someone their medicines to hold.",
    )
    what_matters = _text("What matters to me", "What keeps them going: people, pets, plans, hopes.")
    written_with_person = forms.BooleanField(
        label="This plan was written with the person, in their words", required=False
    )
    review_on = DateField(
        error_name="Review date",
        label="Review date",
        required=False,
        help_text="Within the next 12 months. For example, 27 2 2027",
    )
    service_ids = forms.MultipleChoiceField(
        label="5. Professionals and crisis lines",
        required=False,
        choices=[],
        error_messages={
            "invalid_choice": "A service you chose is no longer in the directory or is closed: choose again"
        },
    )

    def __init__(self, *args: Any, service_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index in range(1, PERSON_ROWS + 1):
            self.fields[f"person_{index}_name"] = forms.CharField(
                label="Name", required=False, max_length=150
            )
            self.fields[f"person_{index}_how"] = forms.CharField(
                label="How to reach them",
                help_text="A phone number, or where to find them",
                required=False,
                max_length=200,
            )
        self.fields["service_ids"].choices = service_choices  # type: ignore[attr-defined]

    def people_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [(i, self[f"person_{i}_name"], self[f"person_{i}_how"]) for i in range(1, PERSON_ROWS + 1)]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "warning_signs": data["warning_signs"],
            "self_help": data["self_help"],
            "helpful_people_places": data["helpful_people_places"],
            "people_to_ask": [
                {"name": data[f"person_{i}_name"], "how": data[f"person_{i}_how"]}
                for i in range(1, PERSON_ROWS + 1)
                if data[f"person_{i}_name"] or data[f"person_{i}_how"]
            ],
            "service_ids": data["service_ids"],
            "other_professionals": data["other_professionals"],
            "safer": data["safer"],
            "what_matters": data["what_matters"],
            "written_with_person": data["written_with_person"],
            "review_on": data["review_on"],
        }

    @staticmethod
    def aliases() -> dict[str, str]:
        found = {f"people_to_ask.{i - 1}.name": f"person_{i}_name" for i in range(1, PERSON_ROWS + 1)}
        found.update({f"people_to_ask.{i - 1}.how": f"person_{i}_how" for i in range(1, PERSON_ROWS + 1)})
        found["people_to_ask"] = "person_1_name"
        return found


def initial_for(plan: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "version": plan.version,
        "warning_signs": plan.warning_signs,
        "self_help": plan.self_help,
        "helpful_people_places": plan.helpful_people_places,
        "other_professionals": plan.other_professionals,
        "safer": plan.safer,
        "what_matters": plan.what_matters,
        "written_with_person": plan.written_with_person,
        "review_on": plan.review_on,
        "service_ids": [item["id"] for item in plan.services],
    }
    for index, person in enumerate(plan.people_to_ask[:PERSON_ROWS], start=1):
        initial[f"person_{index}_name"] = person.get("name", "")
        initial[f"person_{index}_how"] = person.get("how", "")
    return initial


class CrisisEventForm(forms.Form):
    happened_at = DateTimeField(
        error_name="When it happened",
        label="When it happened",
        help_text="Use the 24-hour clock. For example, 27 11 2026 21 30",
    )
    what_happened = _text("What happened", "In their words, as they told it.")
    what_helped = _text("What helped")
    what_did_not_help = _text("What did not help")

    def clean_what_happened(self) -> str:
        value = str(self.cleaned_data.get("what_happened") or "").strip()
        if not value:
            raise forms.ValidationError("Say what happened")
        return value
