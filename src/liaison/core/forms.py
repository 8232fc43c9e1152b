"""Form building blocks for the HTML pages, and the core forms (sign in, switch team, break the glass).

NHS.UK asks for dates as three boxes (day, month, year) inside a fieldset; Django has no such
field, so `DateField` and `DateTimeField` here read `<name>-day`, `<name>-month`, ... and give
the specific messages the design system recommends ("Date of birth must include a month").
Rendering is done by the `field` template tag (core/templatetags/nhsuk.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from liaison.core.models import Membership
from liaison.core.services import BREAK_GLASS_REASON_MIN


class PartsWidget(forms.Widget):
    """Several text boxes posted as `<name>-<part>`; the value is a dict of the parts as typed."""

    parts: tuple[str, ...] = ()
    kind = ""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, str]:
        return {part: str(data.get(f"{name}-{part}", "")).strip() for part in self.parts}

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return all(f"{name}-{part}" not in data for part in self.parts)


class DatePartsWidget(PartsWidget):
    parts = ("day", "month", "year")
    kind = "date"


class DateTimePartsWidget(PartsWidget):
    parts = ("day", "month", "year", "hour", "minute")
    kind = "datetime"


def _parts_of(value: Any, parts: tuple[str, ...]) -> dict[str, str]:
    if isinstance(value, dict):
        return {part: str(value.get(part, "")) for part in parts}
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        found = {
            "day": str(local.day),
            "month": str(local.month),
            "year": str(local.year),
            "hour": f"{local.hour:02d}",
            "minute": f"{local.minute:02d}",
        }
        return {part: found[part] for part in parts}
    if isinstance(value, dt.date):
        found = {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        return {part: found.get(part, "") for part in parts}
    return dict.fromkeys(parts, "")


class _PartsField(forms.Field):
    """Shared parsing for date and date-time fields typed into separate boxes."""

    parts: tuple[str, ...] = ()
    part_words = {
        "day": "a day",
        "month": "a month",
        "year": "a year",
        "hour": "an hour",
        "minute": "a minute",
    }

    def __init__(self, *, error_name: str, **kwargs: Any) -> None:
        # error_name starts each message: "Date of birth must include a month".
        self.error_name = error_name
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> dict[str, str]:
        if callable(value):
            value = value()
        return _parts_of(value, self.parts)

    def _numbers(self, value: dict[str, str]) -> dict[str, int] | None:
        if not any(value.get(part) for part in self.parts):
            return None
        missing = [part for part in self.parts if not value.get(part)]
        if missing:
            words = [self.part_words[part] for part in missing]
            joined = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
            raise ValidationError(f"{self.error_name} must include {joined}", code="incomplete")
        try:
            numbers = {part: int(value[part]) for part in self.parts}
        except ValueError:
            raise ValidationError(f"{self.error_name} must be a real date", code="invalid") from None
        if len(value["year"]) != 4:
            raise ValidationError("Year must include 4 numbers", code="invalid")
        return numbers

    def _date(self, numbers: dict[str, int]) -> dt.date:
        try:
            return dt.date(numbers["year"], numbers["month"], numbers["day"])
        except ValueError:
            raise ValidationError(f"{self.error_name} must be a real date", code="invalid") from None

    def validate(self, value: Any) -> None:
        if value is None and self.required:
            raise ValidationError(f"Enter {self.error_name[0].lower()}{self.error_name[1:]}", code="required")


class DateField(_PartsField):
    widget = DatePartsWidget
    parts = DatePartsWidget.parts

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, dt.date):
            return value
        numbers = self._numbers(value or {})
        return None if numbers is None else self._date(numbers)


class DateTimeField(_PartsField):
    """A local date and 24-hour time, returned as an aware datetime in the service's time zone."""

    widget = DateTimePartsWidget
    parts = DateTimePartsWidget.parts

    def to_python(self, value: Any) -> dt.datetime | None:
        if isinstance(value, dt.datetime):
            return value
        numbers = self._numbers(value or {})
        if numbers is None:
            return None
        day = self._date(numbers)
        if not (0 <= numbers["hour"] <= 23 and 0 <= numbers["minute"] <= 59):
            raise ValidationError(
                f"{self.error_name} must be a real time, on the 24-hour clock (00:00 to 23:59)",
                code="invalid",
            )
        return timezone.make_aware(dt.datetime.combine(day, dt.time(numbers["hour"], numbers["minute"])))


def set_choices(field: forms.Field, choices: list[tuple[Any, str]]) -> None:
    """Give a choice field its choices at run time (sites, team members, allowed stages)."""
    cast(forms.ChoiceField, field).choices = choices


YES_NO = [("yes", "Yes"), ("no", "No")]


class YesNoField(forms.TypedChoiceField):
    """Yes/no as radios: a plain checkbox cannot tell "no" from "not answered"."""

    def __init__(self, *, required_message: str, **kwargs: Any) -> None:
        super().__init__(
            choices=YES_NO,
            coerce=lambda v: v == "yes",
            widget=forms.RadioSelect,
            error_messages={"required": required_message, "invalid_choice": required_message},
            **kwargs,
        )


YES_NO_NOT_KNOWN = [("yes", "Yes"), ("no", "No"), ("not_known", "Not known")]


class YesNoNotKnownField(forms.TypedChoiceField):
    """Yes, no or not known as radios, for a nullable boolean: "not known" is an answer, not a blank."""

    def __init__(self, *, required_message: str, **kwargs: Any) -> None:
        super().__init__(
            choices=YES_NO_NOT_KNOWN,
            coerce=lambda v: {"yes": True, "no": False}.get(v),
            empty_value=None,
            widget=forms.RadioSelect,
            error_messages={"required": required_message, "invalid_choice": required_message},
            **kwargs,
        )

    @staticmethod
    def initial_for(value: bool | None) -> str:
        return "not_known" if value is None else ("yes" if value else "no")


def apply_service_errors(
    form: forms.BaseForm, error: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Put a service's ValidationError onto the form: each message beside its field, the rest on top."""
    aliases = aliases or {}
    messages = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    for key, value in messages.items():
        name = aliases.get(key, key)
        for message in value if isinstance(value, list) else [value]:
            if name in form.fields and not form.has_error(name):
                form.add_error(name, message)
            elif name not in form.fields:
                form.add_error(None, message)


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is not active. Ask your team lead or administrator.",
    }

    def __init__(self, *args: Any, refused: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Set while the username or address is locked out: the password is then not even checked.
        self.refused = refused
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": False})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
        # The summary link for "wrong username or password" goes to the first box.
        self.error_anchor = "username"

    def clean(self) -> dict[str, Any]:
        if self.refused:
            raise ValidationError(self.refused, code="locked")
        return super().clean()

    def failed_to_authenticate(self) -> bool:
        """True when a username and password were given and did not sign anyone in."""
        return self.has_error(NON_FIELD_ERRORS, "invalid_login") or self.has_error(
            NON_FIELD_ERRORS, "inactive"
        )


class TeamSwitchForm(forms.Form):
    team = forms.TypedChoiceField(
        label="Which team are you working for?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a team", "invalid_choice": "Select one of your teams"},
    )

    def __init__(self, *args: Any, memberships: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self.fields["team"],
            [(m.team_id, f"{m.team.name} ({m.get_role_display().lower()})") for m in memberships],
        )


class BreakGlassForm(forms.Form):
    person_id = forms.IntegerField(
        label="Liaison ID of the person",
        min_value=1,
        error_messages={
            "required": "Enter the person's Liaison ID",
            "invalid": "Enter the Liaison ID as a number, like 1042",
            "min_value": "Enter the Liaison ID as a number, like 1042",
        },
    )
    reason = forms.CharField(
        label="Why do you need to see this record?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=1000,
        error_messages={
            "required": "Enter why you need to see this record",
            "max_length": "Reason must be 1,000 characters or fewer",
        },
    )

    def __init__(self, *args: Any, fixed_person: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed_person:
            # The person comes from the address; the form only asks for the reason.
            del self.fields["person_id"]

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if len(reason) < BREAK_GLASS_REASON_MIN:
            raise ValidationError(
                f"Reason must be at least {BREAK_GLASS_REASON_MIN} characters: "
                "say who asked and why it is urgent"
            )
        return reason


def choice_field(
    label: str, choices: Any, message: str, *, radios: bool = True, required: bool = True
) -> forms.ChoiceField:
    """A choice as radios (or a select), with one plain message for a missing or unknown answer."""
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=forms.RadioSelect if radios else forms.Select,
        error_messages={"required": message, "invalid_choice": message},
    )


def optional_text(label: str, max_length: int, *, rows: int = 3, help_text: str = "") -> forms.CharField:
    """Optional free text in a text area, with the limit said in words."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "max_length": f"{label.removesuffix(' (optional)')} must be {max_length:,} characters or fewer"
        },
    )


def version_field() -> forms.IntegerField:
    """The record's version, sent back with an edit so a stale one is refused."""
    return forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": "Reload the page and try again"}
    )
