"""The HTML forms for arrivals and episodes. Each only parses input; the services decide and save."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone

from liaison.core.forms import DateField, DateTimeField, YesNoField, set_choices
from liaison.core.models import Site, User
from liaison.episodes.models import (
    Channel,
    ClosureReason,
    JusticeOutcome,
    OffenceCategory,
    PathwayPoint,
    ReferralSource,
    Stage,
)
from liaison.episodes.queries import OPEN_STAGES
from liaison.episodes.services import TRANSITIONS
from liaison.identification.forms import PersonChoiceField
from liaison.matching.features import Record
from liaison.matching.queries import intake_record
from liaison.people.forms import sex_field
from liaison.people.identifiers import nhs_number_problem, normalise_nhs_number, pnc_id_problem
from liaison.people.models import Ethnicity, Sex


def _now() -> dt.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


def _user_choices(users: list[User], blank: str | None = None) -> list[tuple[Any, str]]:
    choices: list[tuple[Any, str]] = [("", blank)] if blank else []
    return choices + [(u.pk, str(u)) for u in users]


def _text(label: str, *, required: bool = False, max_length: int = 100, message: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        error_messages={
            "required": message or f"Enter {label[0].lower()}{label[1:]}",
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
    )


def _choice(label: str, choices: Any, message: str, *, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        error_messages={"required": message, "invalid_choice": message},
    )


class WorklistFilterForm(forms.Form):
    """Site and stage filters. They are not personal data, so they may sit in the query string."""

    site = forms.TypedChoiceField(label="Site", coerce=int, required=False, empty_value=None)
    stage = forms.ChoiceField(
        label="Stage",
        required=False,
        choices=[("", "All open stages"), *((s.value, s.label) for s in OPEN_STAGES)],
        error_messages={"invalid_choice": "Select a stage from the list"},
    )

    def __init__(self, *args: Any, sites: list[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["site"], [("", "All sites"), *((s.pk, s.name) for s in sites)])
        self.fields["site"].error_messages["invalid_choice"] = "Select one of your team's sites"


class ArrivalForm(forms.Form):
    """A new custody or court arrival: who the person is, and this episode.

    Two steps when people the team knows could be this person: the details, then "is this the same
    person?" with everything typed carried in hidden fields (a POST body, never the address).
    `step` is the button pressed on the second page: answer the question, or go back to the details.
    """

    DETAILS = "details"
    SAME_PERSON = "same_person"

    # --- the person
    given_name = _text("First name", required=True, message="Enter the person's first name")
    family_name = _text("Last name", required=True, message="Enter the person's last name")
    date_of_birth = DateField(
        label="Date of birth",
        error_name="Date of birth",
        required=False,
        help_text="For example, 15 3 1984. Leave blank if it is not known yet.",
    )
    sex = sex_field()
    ethnicity = _choice(
        "Ethnic category",
        [("", "Select ethnic category"), *Ethnicity.choices],
        "Select an ethnic category, or not known",
    )
    nhs_number = _text("NHS number (optional)", max_length=12)
    pnc_id = _text("PNC ID (optional)", max_length=14)
    postcode = _text("Postcode (optional)", max_length=8)
    no_fixed_abode = forms.BooleanField(label="No fixed abode", required=False)
    language = _text(
        "Main language", required=True, max_length=60, message="Enter the person's main language"
    )
    interpreter_needed = YesNoField(
        label="Do they need an interpreter?", required_message="Select yes if the person needs an interpreter"
    )
    communication_needs = forms.CharField(
        label="Communication needs (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="For example, easy read, hearing loop, learning disability, needs things explained slowly.",
        error_messages={"max_length": "Communication needs must be 2,000 characters or fewer"},
    )
    # --- the episode
    site = forms.TypedChoiceField(
        label="Site",
        coerce=int,
        error_messages={
            "required": "Select one of your team's sites",
            "invalid_choice": "Select one of your team's sites",
        },
    )
    pathway_point = _choice(
        "Point on the justice pathway", PathwayPoint.choices, "Select where on the justice pathway"
    )
    referral_source = _choice("Who referred them?", ReferralSource.choices, "Select who referred the person")
    offence_category = _choice("Alleged offence", OffenceCategory.choices, "Select an offence category")
    custody_number = _text("Custody or case number (optional)", max_length=40)
    arrival_at = DateTimeField(
        label="When did they arrive?",
        error_name="Arrival date and time",
        help_text="For example, 27 3 2026 and 02 30. Use the 24-hour clock.",
    )
    allocated_worker = forms.TypedChoiceField(
        label="Allocate to (optional)",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Allocate the episode to a member of your team"},
    )
    # --- the second step, when the team already knows people who could be them
    step = forms.ChoiceField(
        required=False,
        choices=[("", ""), (DETAILS, DETAILS), (SAME_PERSON, SAME_PERSON)],
        error_messages={"invalid_choice": "Reload the page and try again"},
    )
    same_person = PersonChoiceField(
        label="Is this the same person?",
        required=False,
        required_message="Select the person this is, or a new person",
        invalid_message="Select one of the people offered, or a new person",
    )

    def __init__(self, *args: Any, sites: list[Site], members: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["site"], [("", "Select site"), *((s.pk, s.name) for s in sites)])
        set_choices(self.fields["allocated_worker"], _user_choices(members, "Not allocated yet"))
        self.fields["arrival_at"].initial = _now
        self.fields["sex"].initial = Sex.NOT_KNOWN
        self.fields["ethnicity"].initial = Ethnicity.NOT_KNOWN
        self.fields["language"].initial = "English"
        self.fields["interpreter_needed"].initial = "no"
        self.fields["pathway_point"].initial = PathwayPoint.POLICE_CUSTODY
        self.fields["referral_source"].initial = ReferralSource.PROACTIVE
        self.fields["offence_category"].initial = OffenceCategory.NOT_KNOWN
        if len(sites) == 1:
            self.fields["site"].initial = sites[0].pk

    def clean_nhs_number(self) -> str:
        value: str = self.cleaned_data["nhs_number"].strip()
        if value and (problem := nhs_number_problem(value)):
            raise ValidationError(problem)
        # People type "943 476 5919"; the record keeps the 10 digits.
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

    def clean_arrival_at(self) -> dt.datetime | None:
        value: dt.datetime | None = self.cleaned_data["arrival_at"]
        if value is not None and value > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationError("Arrival date and time cannot be in the future")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("postcode") and data.get("no_fixed_abode"):
            self.add_error("postcode", "Enter a postcode or select no fixed abode, not both")
        if self.answering and not data.get("same_person") and not self.has_error("same_person"):
            self.add_error("same_person", self.fields["same_person"].error_messages["required"])
        return data

    @property
    def answering(self) -> bool:
        """The second page was answered (not just the details entered, or sent back to change)."""
        return self.data.get("step") == self.SAME_PERSON

    def only_the_answer_is_missing(self) -> bool:
        """The details are all valid and only "is this the same person?" needs an answer."""
        return self.answering and set(self.errors) == {"same_person"}

    def carried(self) -> list[tuple[str, str]]:
        """What was typed on the first page, as the browser sent it, for the second page's hidden
        fields: each field's own name, and a date's parts (date_of_birth-day...)."""
        keep = set(self.fields) - {"step", "same_person"}
        data = self.data
        sent = data.lists() if isinstance(data, QueryDict) else ((k, [v]) for k, v in data.items())
        return [(name, str(value)) for name, values in sent if name.split("-")[0] in keep for value in values]

    def match_record(self) -> Record:
        """The person as entered, as a record to match against the people the team knows."""
        data = self.cleaned_data
        return intake_record(
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
            sex=data["sex"],
            nhs_number=data["nhs_number"],
            pnc_id=data["pnc_id"],
            postcode=data["postcode"],
        )

    def person_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = (
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "ethnicity",
            "nhs_number",
            "pnc_id",
            "postcode",
            "no_fixed_abode",
            "language",
            "interpreter_needed",
            "communication_needs",
        )
        return {name: data[name] for name in names}

    def episode_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "site_id": data["site"],
            "pathway_point": data["pathway_point"],
            "referral_source": data["referral_source"],
            "offence_category": data["offence_category"],
            "custody_number": data["custody_number"],
            "arrival_at": data["arrival_at"],
            "allocated_worker_id": data["allocated_worker"],
        }


class ContactForm(forms.Form):
    prefix = "contact"

    channel = _choice(
        "How was the contact made?", [("", "Select how"), *Channel.choices], "Select how the contact was made"
    )
    successful = YesNoField(
        label="Did you reach the person?",
        required_message="Select yes if you reached the person",
        help_text=(
            "Select no for an attempt that did not reach them, such as an unanswered call. It still counts."
        ),
    )
    at = DateTimeField(label="When", error_name="Contact date and time", help_text="Use the 24-hour clock.")
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10_000,
        error_messages={"max_length": "Note must be 10,000 characters or fewer"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["at"].initial = _now


class TaskForm(forms.Form):
    prefix = "task"

    title = _text("What needs doing?", required=True, max_length=200, message="Enter what needs doing")
    due = DateField(label="Due date", error_name="Due date", help_text="For example, 27 3 2026")
    owner = forms.TypedChoiceField(
        label="Who will do it?",
        coerce=int,
        error_messages={
            "required": "Select who will do the task",
            "invalid_choice": "Give the task to a member of the episode's team",
        },
    )

    def __init__(self, *args: Any, members: list[User], actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["owner"], _user_choices(members))
        if any(m.pk == actor.pk for m in members):
            self.fields["owner"].initial = actor.pk
        self.fields["due"].initial = timezone.localdate()


class StageForm(forms.Form):
    """Move to the next stage, or close with a reason. `version` is what the user saw."""

    prefix = "stage"

    version = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": "Reload the page and try again"}
    )
    to_stage = forms.ChoiceField(
        label="Move this episode to",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the stage to move to",
            "invalid_choice": "Select the stage to move to",
        },
    )
    closure_reason = forms.ChoiceField(
        label="Why is it closing?",
        required=False,
        choices=[("", "Select a reason"), *ClosureReason.choices],
        error_messages={"invalid_choice": "Select a closure reason from the list"},
    )
    justice_outcome = forms.ChoiceField(
        label="Justice outcome",
        required=False,
        choices=JusticeOutcome.choices,
        error_messages={"invalid_choice": "Select a justice outcome from the list"},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        error_messages={"max_length": "Note must be 500 characters or fewer"},
    )

    def __init__(self, *args: Any, stage: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = [s for s in Stage if s in TRANSITIONS[stage]]
        set_choices(
            self.fields["to_stage"],
            [(s.value, "Close the episode" if s == Stage.CLOSED else s.label) for s in allowed],
        )


class ReopenForm(forms.Form):
    prefix = "reopen"

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why reopen it?",
        help_text="For example: they came back to the drop-in asking for help. It is kept in the history.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=400,
        error_messages={
            "required": "Say why the episode is being reopened (at least 10 characters)",
            "max_length": "Reason must be 400 characters or fewer",
        },
    )


class TaskDoneForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
