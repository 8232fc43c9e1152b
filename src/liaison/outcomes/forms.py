"""The dashboard's filters (a GET form: every value is in the address) and the commentary form."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any, cast

from django import forms
from django.utils import timezone

from liaison.core.models import Site, Team
from liaison.core.presenters import long_date
from liaison.episodes.models import AgeGroup, PathwayPoint
from liaison.outcomes.kpis import Period
from liaison.people.models import Ethnicity, Sex

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
QUARTER_MONTHS = {1: "January to March", 2: "April to June", 3: "July to September", 4: "October to December"}
EARLIEST = dt.date(2000, 1, 1)
NO_SUCH_PERIOD = "Enter a period like 2026-10 (a month) or 2026-Q3 (a quarter)"


def today() -> dt.date:
    return timezone.localdate()


def financial_quarter(year: int, quarter: int) -> str:
    """NHS financial year quarter for a calendar quarter: July to September 2026 is Q2 of 2026/27."""
    fy_start = year if quarter >= 2 else year - 1
    fq = quarter - 1 if quarter >= 2 else 4
    return f"quarter {fq} of {fy_start}/{str(fy_start + 1)[2:]}"


def quarter_period(year: int, quarter: int) -> Period:
    first_month = 3 * (quarter - 1) + 1
    start = dt.date(year, first_month, 1)
    last = first_month + 2
    end = dt.date(year, last, calendar.monthrange(year, last)[1])
    label = f"{QUARTER_MONTHS[quarter]} {year} ({financial_quarter(year, quarter)})"
    return Period(start=start, end=end, label=label, key=f"{year}-Q{quarter}")


def month_period(year: int, month: int) -> Period:
    start = dt.date(year, month, 1)
    end = dt.date(year, month, calendar.monthrange(year, month)[1])
    return Period(start=start, end=end, label=f"{start:%B %Y}", key=f"{year}-{month:02d}")


def parse_period(value: str) -> Period:
    """A month ("2026-10") or calendar quarter ("2026-Q3"); ValueError with a message otherwise."""
    value = value.strip().upper()
    if m := MONTH.match(value):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise ValueError(NO_SUCH_PERIOD)
        period = month_period(year, month)
    elif m := QUARTER.match(value):
        period = quarter_period(int(m[1]), int(m[2]))
    else:
        raise ValueError(NO_SUCH_PERIOD)
    return period


def current_quarter() -> Period:
    day = today()
    return quarter_period(day.year, (day.month - 1) // 3 + 1)


def last_complete_quarter() -> Period:
    day = today()
    q = (day.month - 1) // 3  # the quarter before this one, 0 meaning last year's fourth
    return quarter_period(day.year - 1, 4) if q == 0 else quarter_period(day.year, q)


def recent_periods() -> list[tuple[str, str]]:
    """The last eight quarters and twelve months, newest first, for the period menu."""
    day = today()
    choices: list[tuple[str, str]] = []
    year, q = day.year, (day.month - 1) // 3 + 1
    for _ in range(8):
        p = quarter_period(year, q)
        choices.append((p.key, f"Quarter: {QUARTER_MONTHS[q]} {year}"))
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    year, month = day.year, day.month
    for _ in range(12):
        p = month_period(year, month)
        choices.append((p.key, f"Month: {p.label}"))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return choices


class OpenChoiceField(forms.ChoiceField):
    """A menu in the page, but any value from the address is accepted here and judged by clean()/the view,
    so a hand-typed address gets a message about the value, not "select a valid choice"."""

    def valid_value(self, value: Any) -> bool:
        return True


def _with_all(label: str, choices: Any) -> list[tuple[str, str]]:
    return [("", label), *((str(k), str(v)) for k, v in choices)]


class DashboardFilterForm(forms.Form):
    period = OpenChoiceField(label="Period", required=False)
    start = forms.DateField(label="Or from (a custom period)", required=False, input_formats=["%Y-%m-%d"])
    end = forms.DateField(label="To", required=False, input_formats=["%Y-%m-%d"])
    team = OpenChoiceField(label="Team", required=False)
    site = OpenChoiceField(label="Site", required=False)
    pathway = forms.ChoiceField(label="Point of the justice pathway", required=False)
    age_group = forms.ChoiceField(label="Age group", required=False)
    sex = forms.ChoiceField(label="Sex", required=False)
    ethnicity = forms.ChoiceField(label="Ethnicity", required=False)

    def __init__(self, *args: Any, teams: list[Team], default_period: Period, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.teams = teams
        self.default_period = default_period
        self._choice("period").choices = recent_periods()
        self._choice("team").choices = [("", "All your teams"), *((t.code, t.name) for t in teams)]
        sites = Site.objects.filter(team__in=teams).select_related("team").order_by("team__name", "name")
        self._choice("site").choices = [
            ("", "All sites"),
            *((str(s.pk), f"{s.name} ({s.team.name})" if len(teams) > 1 else s.name) for s in sites),
        ]
        self._choice("pathway").choices = _with_all("All points", PathwayPoint.choices)
        self._choice("age_group").choices = _with_all("Youth and adult", AgeGroup.choices)
        self._choice("sex").choices = _with_all("All", Sex.choices)
        self._choice("ethnicity").choices = _with_all("All", Ethnicity.choices)
        self._sites = {str(s.pk): s for s in sites}
        self.chosen_period: Period | None = None
        self.site_obj: Site | None = None

    def _choice(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])

    def clean_period(self) -> str:
        value = (self.cleaned_data.get("period") or "").strip()
        if value:
            try:
                self.chosen_period = parse_period(value)
            except ValueError as error:
                raise forms.ValidationError(str(error)) from error
        return value

    def clean_site(self) -> str:
        value = (self.cleaned_data.get("site") or "").strip()
        if value and value not in self._sites:
            raise forms.ValidationError("There is no such site in your teams: choose a site from the list")
        self.site_obj = self._sites.get(value)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start or end:
            if not (start and end):
                self.add_error("start" if not start else "end", "Enter both dates of a custom period")
                return data
            if end < start:
                self.add_error("end", "The end of the period must be on or after its start")
                return data
            if start < EARLIEST:
                self.add_error("start", "The period must start in 2000 or later")
                return data
            label = f"{long_date(start)} to {long_date(end)}"
            self.chosen_period = Period(
                start=start, end=end, label=label, key=f"{start:%Y-%m-%d}..{end:%Y-%m-%d}"
            )
        if self.chosen_period is None and not self.errors:
            self.chosen_period = self.default_period
        if self.chosen_period is not None:
            if self.chosen_period.start > today():
                field = "start" if (start or end) else "period"
                self.add_error(field, "The period is in the future: choose a period that has started")
            elif self.chosen_period.start < EARLIEST:
                self.add_error("period", "The period must start in 2000 or later")
        return data


class CommentaryForm(forms.Form):
    summary = forms.CharField(
        label="How the quarter went",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
    )
    achievements = forms.CharField(
        label="What went well", required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    challenges = forms.CharField(
        label="Challenges and risks",
        help_text="Including anything the figures do not show",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )
    next_steps = forms.CharField(
        label="What the team will do next quarter",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
