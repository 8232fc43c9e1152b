"""The HTML form for finding a person. It posts: search terms are personal data and stay out of URLs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from liaison.core.forms import DateField
from liaison.people.identifiers import nhs_number_problem, pnc_id_problem


class PersonSearchForm(forms.Form):
    name = forms.CharField(
        label="Name",
        required=False,
        max_length=100,
        help_text="The start of their first or last name, or both, like 'sam jo'",
        error_messages={"max_length": "Name must be 100 characters or fewer"},
    )
    date_of_birth = DateField(
        label="Date of birth", error_name="Date of birth", required=False, help_text="For example, 15 3 1984"
    )
    nhs_number = forms.CharField(label="NHS number", required=False, max_length=12)
    pnc_id = forms.CharField(label="PNC ID", required=False, max_length=14)

    # A missing-criteria error is about the whole form; its summary link goes to the first box.
    error_anchor = "name"

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if name and len(name.replace(" ", "")) < 2:
            raise ValidationError("Enter at least 2 letters of the name")
        return name

    def clean_nhs_number(self) -> str:
        value: str = self.cleaned_data["nhs_number"].strip()
        if value and (problem := nhs_number_problem(value)):
            raise ValidationError(problem)
        return value

    def clean_pnc_id(self) -> str:
        value: str = self.cleaned_data["pnc_id"].strip()
        if value and (problem := pnc_id_problem(value)):
            raise ValidationError(problem)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not any(
            data.get(name) for name in ("name", "date_of_birth", "nhs_number", "pnc_id")
        ):
            raise ValidationError("Enter a name, date of birth, NHS number or PNC ID to search for")
        return data

    def criteria(self) -> list[str]:
        """Which boxes were used (never what was typed in them): safe for the audit log."""
        return [
            name for name in ("name", "date_of_birth", "nhs_number", "pnc_id") if self.cleaned_data.get(name)
        ]
