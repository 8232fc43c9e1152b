"""The assessment and plan pages' forms. They only parse what was posted; the services decide.

A blank answer ("not assessed yet", "not recorded") is a real state of a draft, so the radios offer it
as a choice with a stand-in value: the design system never shows a blank radio.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.html import format_html
from django.utils.safestring import SafeString

from liaison.assessment.codes import BASIC_PREFIX, LEVELS, RAISED_BY, codes
from liaison.assessment.models import (
    ActionStatus,
    Assessment,
    EducationStatus,
    Finding,
    Fitness,
    GuardianInvolvement,
    Need,
)
from liaison.assessment.presenters import FINDING_TITLES
from liaison.assessment.services import PRIORITIES_MAX, REASON_MAX, TEXT_MAX
from liaison.core.forms import DateField, set_choices
from liaison.core.models import User

# What a radio posts for "nothing chosen yet"; the services store it as "".
NOT_ASSESSED = "not_assessed"
NOT_RECORDED = "not_recorded"
PRIORITY_WORDS = ("First", "Second", "Third", "Fourth", "Fifth")
LEVEL_MESSAGE = "Choose a level: no need, low, moderate, high or urgent"

PERSON_VIEW = (
    ("own_words", "What is going on for them", "Write it as they say it, in their own words."),
    ("help_first", "What they want help with first", ""),
    ("helped_before", "What has helped before", ""),
    ("not_helped_before", "What has not helped before", ""),
    ("goals", "Their goals", "What they would like to be different, in their words."),
    (
        "contact_preference",
        "How they want to be contacted",
        "For example, text first and never a letter to the home address.",
    ),
)
FINDINGS: tuple[tuple[str, str, type[models.TextChoices]], ...] = tuple(
    (name, label, Fitness if name.startswith("fitness") else Finding) for name, label in FINDING_TITLES
)
YOUTH_CHOICES: tuple[tuple[str, str, type[models.TextChoices]], ...] = (
    ("guardian_involvement", "Parent or guardian involvement", GuardianInvolvement),
    ("education_status", "Education", EducationStatus),
)


def _text(
    label: str, *, limit: int = TEXT_MAX, rows: int = 3, hint: str = "", name: str = ""
) -> forms.CharField:
    """A text box; `name` starts the length message when the label is marked up."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=limit,
        help_text=hint,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": f"{name or label} must be {limit:,} characters or fewer"},
    )


def _model_radios(label: str, choices: type[models.TextChoices], blank: str) -> forms.ChoiceField:
    """Radios for a model's choices, the blank one ("not assessed") posted as `blank`."""
    return forms.ChoiceField(
        label=label,
        required=False,
        widget=forms.RadioSelect,
        choices=[(blank if value == "" else value, text) for value, text in choices.choices],
        error_messages={"invalid_choice": f"Choose one of the answers for {label.lower()}"},
    )


def _for(text: str, what: str) -> SafeString:
    """A label that names its domain to screen readers; sighted users see it under the domain's heading."""
    return format_html('{}<span class="nhsuk-u-visually-hidden"> for {}</span>', text, what.lower())


def level_field(code: str) -> str:
    return f"{code}-level"


def evidence_field(code: str) -> str:
    return f"{code}-evidence"


def raised_by_field(code: str) -> str:
    return f"{code}-raised_by"


def need_choices() -> list[tuple[str, str]]:
    """Every need the person may put first: the domains, then the basic needs of today."""
    code_list = codes()
    return [(d.code, d.label) for d in code_list.domains] + [
        (b.key, f"{b.label} (basic need today)") for b in code_list.basic_needs
    ]


class AssessmentForm(forms.Form):
    """The whole draft: the person's view, basic needs, each domain, custody findings, the youth pathway."""

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "Reload the page"})

    def __init__(self, *args: Any, youth: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.youth = youth
        code_list = codes()
        for name, label, hint in PERSON_VIEW:
            self.fields[name] = _text(label, rows=4 if name == "own_words" else 3, hint=hint)
        needs = [("", "Choose a need"), *need_choices()]
        for number, word in enumerate(PRIORITY_WORDS, start=1):
            self.fields[f"priority_{number}"] = forms.ChoiceField(
                label=word,
                required=False,
                choices=needs,
                error_messages={"invalid_choice": "Choose a need from the list"},
            )
        self.fields["basic_needs"] = forms.MultipleChoiceField(
            label="Basic needs today",
            required=False,
            widget=forms.CheckboxSelectMultiple,
            choices=[(b.key, b.label) for b in code_list.basic_needs],
            help_text="Tick each one they do not have today. Each is an urgent need, dealt with first.",
            error_messages={"invalid_choice": "Choose basic needs from the list"},
        )
        levels = [(NOT_ASSESSED, "Not assessed")] + [
            (code, "Urgent" if code == "urgent" else label) for code, label in LEVELS
        ]
        for domain in code_list.domains:
            self.fields[level_field(domain.code)] = forms.ChoiceField(
                label=domain.label,
                help_text=domain.hint,
                required=False,
                widget=forms.RadioSelect,
                choices=levels,
                error_messages={"invalid_choice": LEVEL_MESSAGE},
            )
            self.fields[evidence_field(domain.code)] = _text(
                _for("Evidence", domain.label), rows=2, name=f"Evidence for {domain.label.lower()}"
            )
            self.fields[raised_by_field(domain.code)] = forms.ChoiceField(
                label=_for("Who raised it", domain.label),
                required=False,
                choices=[("", "Not recorded"), *RAISED_BY],
                error_messages={"invalid_choice": "Choose who raised it"},
            )
        for name, label, finding_choices in FINDINGS:
            self.fields[name] = _model_radios(label, finding_choices, NOT_ASSESSED)
            self.fields[f"{name}_reason"] = _text(
                _for("Reasons", label), rows=2, name=f"Reasons for {label.lower()}"
            )
        if youth:
            for name, label, youth_choices in YOUTH_CHOICES:
                self.fields[name] = _model_radios(label, youth_choices, NOT_RECORDED)
            self.fields["guardian_detail"] = _text(
                "Parent or guardian: detail", rows=2, hint="Who, and if not involved, why not."
            )
            self.fields["youth_justice_contact"] = forms.CharField(
                label="Youth justice service contact",
                required=False,
                max_length=200,
                help_text="Their youth offending team worker, if they have one.",
                error_messages={"max_length": "Youth justice contact must be 200 characters or fewer"},
            )
            self.fields["education_detail"] = _text("Education: detail", rows=2)

    # --- what the template lays out ---------------------------------------------------------------

    def person_view_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _label, _hint in PERSON_VIEW]

    def priority_fields(self) -> list[forms.BoundField]:
        return [self[f"priority_{n}"] for n in range(1, PRIORITIES_MAX + 1)]

    def priority_errors(self) -> list[str]:
        return [str(e) for bound in self.priority_fields() for e in bound.errors]

    def basic_need_choices(self) -> list[dict[str, Any]]:
        """The checkboxes, with the ids the error summary links to (the first is the field's own id)."""
        bound = self["basic_needs"]
        ticked = {str(v) for v in (bound.value() or [])}
        return [
            {
                "value": key,
                "label": label,
                "checked": key in ticked,
                "id": bound.auto_id if index == 0 else f"{bound.auto_id}-{index + 1}",
            }
            for index, (key, label) in enumerate(bound.field.choices)  # type: ignore[attr-defined]
        ]

    def domain_fields(self, code: str) -> dict[str, forms.BoundField]:
        return {
            "level": self[level_field(code)],
            "evidence": self[evidence_field(code)],
            "raised_by": self[raised_by_field(code)],
        }

    def finding_rows(self) -> list[dict[str, Any]]:
        """Each finding's radios (on one line when they are short) and its reasons."""
        return [
            {"finding": self[name], "reason": self[f"{name}_reason"], "inline": answers is Finding}
            for name, _label, answers in FINDINGS
        ]

    # --- in and out of the services' shape --------------------------------------------------------

    @staticmethod
    def initial_for(assessment: Assessment, needs: list[Need]) -> dict[str, Any]:
        initial: dict[str, Any] = {"version": assessment.version}
        for name, _label, _hint in PERSON_VIEW:
            initial[name] = getattr(assessment, name)
        for number, key in enumerate(assessment.person_priorities[:PRIORITIES_MAX], start=1):
            initial[f"priority_{number}"] = key
        by_key = {need.key: need for need in needs}
        initial["basic_needs"] = [k for k, n in by_key.items() if k.startswith(BASIC_PREFIX) and n.level]
        for domain in codes().domains:
            need = by_key.get(domain.code)
            initial[level_field(domain.code)] = (need.level if need else "") or NOT_ASSESSED
            initial[evidence_field(domain.code)] = need.evidence if need else ""
            initial[raised_by_field(domain.code)] = need.raised_by if need else ""
        for name, _label, _answers in FINDINGS:
            initial[name] = getattr(assessment, name) or NOT_ASSESSED
            initial[f"{name}_reason"] = getattr(assessment, f"{name}_reason")
        for name, _label, _youth_answers in YOUTH_CHOICES:
            initial[name] = getattr(assessment, name) or NOT_RECORDED
        for name in ("guardian_detail", "youth_justice_contact", "education_detail"):
            initial[name] = getattr(assessment, name)
        return initial

    def service_data(self, existing: list[Need]) -> dict[str, Any]:
        """What assessment_save takes. Every domain is sent, so a screening's suggestion is kept even
        while the domain is not rated; a ticked basic need keeps what was recorded with it."""
        data = self.cleaned_data
        values: dict[str, Any] = {name: data[name] for name, _label, _hint in PERSON_VIEW}
        values["person_priorities"] = [
            data[f"priority_{n}"] for n in range(1, PRIORITIES_MAX + 1) if data.get(f"priority_{n}")
        ]
        for name, _label, _answers in FINDINGS:
            values[name] = "" if data[name] in ("", NOT_ASSESSED) else data[name]
            values[f"{name}_reason"] = data[f"{name}_reason"]
        if self.youth:
            for name, _label, _youth_answers in YOUTH_CHOICES:
                values[name] = "" if data[name] in ("", NOT_RECORDED) else data[name]
            for name in ("guardian_detail", "youth_justice_contact", "education_detail"):
                values[name] = data[name]
        needs: list[dict[str, str]] = []
        for domain in codes().domains:
            level = data[level_field(domain.code)]
            needs.append(
                {
                    "key": domain.code,
                    "level": "" if level in ("", NOT_ASSESSED) else level,
                    "evidence": data[evidence_field(domain.code)],
                    "raised_by": data[raised_by_field(domain.code)],
                }
            )
        kept = {need.key: need for need in existing}
        for key in data["basic_needs"]:
            before = kept.get(key)
            needs.append(
                {
                    "key": key,
                    "level": "urgent",
                    "evidence": before.evidence if before else "",
                    "raised_by": (before.raised_by if before else "") or "practitioner",
                }
            )
        values["needs"] = needs
        return values


def service_aliases() -> dict[str, str]:
    """The services name fields as the API does ("needs.mental_health.level"); the page's differ."""
    aliases = {"person_priorities": "priority_1", "needs": level_field(codes().domains[0].code)}
    for domain in codes().domains:
        aliases[f"needs.{domain.code}"] = level_field(domain.code)
        aliases[f"needs.{domain.code}.level"] = level_field(domain.code)
        aliases[f"needs.{domain.code}.evidence"] = evidence_field(domain.code)
        aliases[f"needs.{domain.code}.raised_by"] = raised_by_field(domain.code)
    for basic in codes().basic_needs:
        for suffix in ("", ".level", ".evidence", ".raised_by"):
            aliases[f"needs.{basic.key}{suffix}"] = "basic_needs"
    return aliases


# --- the plan ---------------------------------------------------------------------------------------


def _member_choices(members: list[User]) -> list[tuple[Any, str]]:
    return [("", "Choose a person"), *((u.pk, str(u)) for u in members)]


def _owner_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label="Who will do it?",
        coerce=int,
        empty_value=None,
        error_messages={
            "required": "Choose who will do this",
            "invalid_choice": "Give the action to a member of the episode's team",
        },
    )


def _due_field() -> DateField:
    return DateField(label="Due date", error_name="Due date", help_text="For example, 27 3 2027")


class ActionForm(forms.Form):
    """A new action against one of the plan's needs: what, who and by when."""

    prefix = "action"

    need_key = forms.ChoiceField(
        label="Which need is it for?",
        error_messages={
            "required": "Choose the need this action is for",
            "invalid_choice": "Choose one of the needs in the plan",
        },
    )
    description = forms.CharField(
        label="What will be done?",
        max_length=300,
        error_messages={
            "required": "Say what will be done",
            "max_length": "Action must be 300 characters or fewer",
        },
    )
    owner = _owner_field()
    due = _due_field()

    def __init__(self, *args: Any, needs: list[tuple[str, str]], members: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["need_key"], [("", "Choose a need"), *needs])
        set_choices(self.fields["owner"], _member_choices(members))


class ActionUpdateForm(forms.Form):
    """Move an action on, or give it to someone else or a new date."""

    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "Reload the page"})
    status = forms.ChoiceField(
        label="Status",
        widget=forms.RadioSelect,
        choices=ActionStatus.choices,
        error_messages={"required": "Choose a status", "invalid_choice": "Choose a status"},
    )
    owner = _owner_field()
    due = _due_field()

    def __init__(self, *args: Any, members: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["owner"], _member_choices(members))


class OrderForm(forms.Form):
    """A new order for the plan: a position for each need, and the reason (required, and kept)."""

    prefix = "order"

    reason = forms.CharField(
        label="Why change the order?",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="This is kept and shown with the plan.",
        error_messages={
            "required": "Give the reason for changing the order",
            "max_length": f"Reason must be {REASON_MAX:,} characters or fewer",
        },
    )

    def __init__(self, *args: Any, items: list[tuple[str, str, int]], **kwargs: Any) -> None:
        """`items`: (key, label, current position) for each need in the plan, in its current order."""
        super().__init__(*args, **kwargs)
        self.keys = [key for key, _label, _position in items]
        positions = [(str(n), str(n)) for n in range(1, len(items) + 1)]
        for key, label, position in items:
            self.fields[self.position_field(key)] = forms.TypedChoiceField(
                label=label,
                coerce=int,
                choices=positions,
                initial=str(position),
                error_messages={
                    "required": f"Choose a position for {label.lower()}",
                    "invalid_choice": f"Choose a position for {label.lower()} from the list",
                },
            )
        self.order_fields([*(self.position_field(k) for k in self.keys), "reason"])

    @staticmethod
    def position_field(key: str) -> str:
        return f"position_{key.replace(':', '_')}"

    def position_fields(self) -> list[forms.BoundField]:
        return [self[self.position_field(key)] for key in self.keys]

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        chosen = [data.get(self.position_field(key)) for key in self.keys]
        if None not in chosen and len(set(chosen)) != len(chosen):
            seen: set[int] = set()
            for key in self.keys:
                position = data[self.position_field(key)]
                if position in seen:
                    self.add_error(
                        self.position_field(key),
                        f"Position {position} is given to more than one need: give each need its own",
                    )
                seen.add(position)
        return data

    def ordered_keys(self) -> list[str]:
        data = self.cleaned_data
        return sorted(self.keys, key=lambda key: data[self.position_field(key)])

    def order_aliases(self) -> dict[str, str]:
        return {"keys": self.position_field(self.keys[0])} if self.keys else {}
