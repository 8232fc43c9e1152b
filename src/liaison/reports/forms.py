"""The report pages' forms: parse and show errors; the rules are in services."""

from __future__ import annotations

from typing import Any

from django import forms

from liaison.consent.models import RecipientKind
from liaison.reports.kinds import template_for
from liaison.reports.models import ReportKind, ReportVersion
from liaison.reports.services import LINK_DAYS_DEFAULT, LINK_DAYS_MAX

RECIPIENT_KIND_CHOICES = [("", "Choose who they work for"), *RecipientKind.choices]


class ReportNewForm(forms.Form):
    kind = forms.ChoiceField(
        label="Which report?",
        choices=ReportKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which report to write"},
    )
    recipient_kind = forms.ChoiceField(
        label="Who is it for?",
        choices=[("", "The usual recipient: police, court or probation"), *RecipientKind.choices],
        required=False,
        help_text="Only what the person agreed to share with them will be written into the draft.",
    )


class ReportEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, report_version: ReportVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hints = {s.code: s.hint for s in template_for(report_version.report.kind).sections}
        for section in report_version.sections:
            self.fields[f"section_{section['code']}"] = forms.CharField(
                label=section["heading"],
                required=False,
                widget=forms.Textarea(attrs={"rows": 6}),
                help_text=hints.get(section["code"], ""),
                initial=section["text"],
            )
        self.initial.setdefault("version", report_version.version)

    def texts(self) -> dict[str, str]:
        return {
            name.removeprefix("section_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("section_")
        }

    @staticmethod
    def aliases(report_version: ReportVersion) -> dict[str, str]:
        return {s["code"]: f"section_{s['code']}" for s in report_version.sections}


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class RecipientForm(forms.Form):
    recipient_name = forms.CharField(label="Their name", max_length=200, required=False)
    recipient_organisation = forms.CharField(
        label="Their organisation",
        max_length=200,
        required=False,
        help_text="For example, Northtown Magistrates' Court",
    )
    recipient_kind = forms.ChoiceField(
        label="What kind of organisation is it?", choices=RECIPIENT_KIND_CHOICES, required=False
    )


class ShareLinkForm(RecipientForm):
    recipient_email = forms.CharField(
        label="Their work email address",
        max_length=254,
        required=False,
        help_text="Send them the link yourself, from your secure NHS email account.",
    )
    days = forms.TypedChoiceField(
        label="How long should the link work?",
        choices=[(7, "7 days"), (14, "14 days"), (LINK_DAYS_MAX, f"{LINK_DAYS_MAX} days"), (1, "1 day")],
        coerce=int,
        initial=LINK_DAYS_DEFAULT,
        widget=forms.RadioSelect,
    )

    field_order = ["recipient_name", "recipient_organisation", "recipient_email", "recipient_kind", "days"]


class DownloadForm(RecipientForm):
    pass


class FeedbackForm(forms.Form):
    usefulness = forms.ChoiceField(
        label="How useful was this report?",
        choices=[
            ("5", "5: very useful"),
            ("4", "4: useful"),
            ("3", "3: quite useful"),
            ("2", "2: not very useful"),
            ("1", "1: not useful at all"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how useful the report was, from 1 to 5"},
    )
    what_else = forms.CharField(
        label="What else did you need from us?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Please do not include the person's name or other details about them.",
    )


class ReportSettingsForm(forms.Form):
    sign_off_required = forms.TypedChoiceField(
        label="Must a team lead sign off each report before it is shared?",
        choices=[("yes", "Yes"), ("no", "No, practitioners may share drafts")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
