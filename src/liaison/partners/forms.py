"""The partner's referral form. It only parses input; partners.services decides and saves."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from liaison.core.forms import DateField, set_choices
from liaison.core.models import Site
from liaison.identification.forms import flags_field, set_flag_choices
from liaison.identification.models import VulnerabilityFlag
from liaison.partners.models import PartnerSource, Urgency
from liaison.partners.services import CONTACT_LIMIT, REASON_LIMIT
from liaison.people.identifiers import nhs_number_problem, normalise_nhs_number, pnc_id_problem


def _text(label: str, *, max_length: int, required: bool = False, message: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        error_messages={
            "required": message or f"Enter {label[0].lower()}{label[1:]}",
            "max_length": f"{label.removesuffix(' (optional)')} must be {max_length} characters or fewer",
        },
    )


class ReferralForm(forms.Form):
    given_name = _text("First name", max_length=100, required=True, message="Enter the person's first name")
    family_name = _text("Last name", max_length=100, required=True, message="Enter the person's last name")
    date_of_birth = DateField(
        label="Date of birth",
        error_name="Date of birth",
        required=False,
        help_text="For example, 15 3 1984. Leave it blank if you do not know it.",
    )
    nhs_number = _text("NHS number (optional)", max_length=12)
    pnc_id = _text("PNC ID (optional)", max_length=14)
    site = forms.TypedChoiceField(
        label="Where is the person?",
        coerce=int,
        help_text="The custody suite, court or office where the team can find them.",
        error_messages={
            "required": "Select where the person is",
            "invalid_choice": "Select one of the team's sites",
        },
    )
    source = forms.ChoiceField(
        label="Who is referring?",
        choices=PartnerSource.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who is referring the person",
            "invalid_choice": "Select who is referring the person",
        },
    )
    urgency = forms.ChoiceField(
        label="How urgent is it?",
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        help_text=(
            "Choose urgent if you think the person is at risk now, for example of suicide or self-harm, "
            "and phone the team as well."
        ),
        error_messages={
            "required": "Select how urgent the referral is",
            "invalid_choice": "Select how urgent the referral is",
        },
    )
    reason = forms.CharField(
        label="Why are you referring them?",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=REASON_LIMIT,
        help_text=(
            "What you have noticed or been told. Leave out anything the person asked you to keep private."
        ),
        error_messages={
            "required": "Enter why you are referring the person",
            "max_length": f"Reason must be {REASON_LIMIT:,} characters or fewer",
        },
    )
    flags = flags_field("Have you noticed any of these? (optional)", required=False)
    referrer_contact = _text("How can the team contact you? (optional)", max_length=CONTACT_LIMIT)

    def __init__(self, *args: Any, sites: list[Site], flags: list[VulnerabilityFlag], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["site"], [("", "Select where"), *((s.pk, s.name) for s in sites)])
        set_flag_choices(self.fields["flags"], flags)
        if len(sites) == 1:
            self.fields["site"].initial = sites[0].pk
        self.fields["referrer_contact"].help_text = "A phone number or secure email address"

    def clean_nhs_number(self) -> str:
        value: str = self.cleaned_data["nhs_number"].strip()
        if value and (problem := nhs_number_problem(value)):
            raise ValidationError(problem)
        return normalise_nhs_number(value)

    def clean_pnc_id(self) -> str:
        value: str = self.cleaned_data["pnc_id"].strip()
        if value and (problem := pnc_id_problem(value)):
            raise ValidationError(problem)
        return value

    def clean_date_of_birth(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data["date_of_birth"]
        if value is not None and value > timezone.localdate():
            raise ValidationError("Date of birth must be in the past")
        return value
