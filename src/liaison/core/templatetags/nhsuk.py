"""NHS.UK design system markup for Django forms and the presenters, so a field is one line in a page.

{% load nhsuk %}
{% error_summary form %}
{% field form.given_name classes="nhsuk-u-width-two-thirds" %}
{{ episode.stage|stage_tag }}
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from urllib.parse import urlencode

from django import forms, template
from django.forms import BoundField
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from liaison.core import presenters
from liaison.core.forms import PartsWidget
from liaison.core.permissions import can, roles_by_team

register = template.Library()

PART_LABELS = {"day": "Day", "month": "Month", "year": "Year", "hour": "Hour", "minute": "Minute"}
PART_WIDTHS = {"day": 2, "month": 2, "year": 4, "hour": 2, "minute": 2}


def field_kind(bound: BoundField) -> str:
    widget = bound.field.widget
    if isinstance(widget, PartsWidget):
        return widget.kind
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    return "input"


def anchor_for(bound: BoundField) -> str:
    """The id an error summary link should jump to: the first box of a date, the first radio."""
    if field_kind(bound) in {"date", "datetime"}:
        return f"{bound.auto_id}-day"
    return str(bound.auto_id)


def _is_selected(choice_value: Any, current: Any) -> bool:
    if current is None or current == "":
        return choice_value in ("", None)
    if isinstance(current, bool):
        current = "yes" if current else "no"
    return str(choice_value) == str(current)


@register.simple_tag
def field(bound: BoundField, **options: Any) -> SafeString:
    """Render one form field as NHS.UK markup (label, hint, error message, input)."""
    kind = field_kind(bound)
    field_id = str(bound.auto_id)
    hint = options.get("hint", bound.help_text)
    errors = list(bound.errors)
    described = " ".join(
        part for part in (f"{field_id}-hint" if hint else "", f"{field_id}-error" if errors else "") if part
    )
    value = bound.value()
    context: dict[str, Any] = {
        "kind": kind,
        "id": field_id,
        "name": bound.html_name,
        "label": options.get("label", bound.label),
        "label_size": options.get("size", ""),
        "heading": options.get("heading", False),
        "hint": hint,
        "errors": errors,
        "described": described,
        "classes": options.get("classes", ""),
        "inline": options.get("inline", False),
        "type": options.get("type", getattr(bound.field.widget, "input_type", "text")),
        "autocomplete": options.get("autocomplete", bound.field.widget.attrs.get("autocomplete", "off")),
        "inputmode": options.get("inputmode", ""),
        "spellcheck": options.get("spellcheck"),
        "rows": options.get("rows", bound.field.widget.attrs.get("rows", 5)),
        "required": bound.field.required,
        "value": "" if value is None else value,
    }
    if kind in {"date", "datetime"}:
        parts_value = value if isinstance(value, dict) else bound.field.prepare_value(value)
        context["parts"] = [
            {
                "id": f"{field_id}-{part}",
                "name": f"{bound.html_name}-{part}",
                "label": PART_LABELS[part],
                "width": PART_WIDTHS[part],
                "value": parts_value.get(part, ""),
                "starts_time": part == "hour",
            }
            for part in cast(PartsWidget, bound.field.widget).parts
        ]
    elif kind in {"radios", "select"}:
        choices = list(bound.field.choices)  # type: ignore[attr-defined]
        if kind == "radios":
            # A blank "choose one" option belongs in a select, never as a radio.
            choices = [(v, label) for v, label in choices if v not in ("", None)]
        context["choices"] = [
            {
                "value": "" if choice_value is None else choice_value,
                "label": choice_label,
                "selected": _is_selected(choice_value, value),
                "id": field_id if index == 0 else f"{field_id}-{index + 1}",
            }
            for index, (choice_value, choice_label) in enumerate(choices)
        ]
    elif kind == "checkbox":
        context["checked"] = bool(value) and value not in ("False", "false", "0", "off")
    return render_to_string(f"core/fields/{kind}.html", context)


@register.simple_tag
def error_summary(*forms_: forms.BaseForm | None, extra: list[dict[str, str]] | None = None) -> SafeString:
    """One error summary for every form on the page, each message linking to its field.

    `extra` adds problems that belong to no field, such as an edit conflict: [{"text", "href"}].
    """
    items: list[dict[str, str]] = list(extra or [])
    for form in forms_:
        if form is None or not form.is_bound or not form.errors:
            continue
        fields = list(form)
        top_anchor = getattr(form, "error_anchor", None)
        first = next((b for b in fields if b.name == top_anchor), fields[0] if fields else None)
        for message in form.non_field_errors():
            items.append({"text": str(message), "href": f"#{anchor_for(first)}" if first is not None else ""})
        for bound in fields:
            for message in bound.errors:
                items.append({"text": str(message), "href": f"#{anchor_for(bound)}"})
    if not items:
        return SafeString("")
    return render_to_string("core/includes/error_summary.html", {"items": items})


# --- presenters as filters ----------------------------------------------------------------------


def _tag_html(tag: presenters.Tag) -> SafeString:
    return format_html('<strong class="{}">{}</strong>', tag.css_class, tag.label)


@register.filter
def tag(value: presenters.Tag | None) -> SafeString:
    return _tag_html(value) if value is not None else SafeString("")


@register.filter
def stage_tag(stage: str) -> SafeString:
    return _tag_html(presenters.stage_tag(stage))


@register.filter
def age_group_tag(age_group: str) -> SafeString:
    return _tag_html(presenters.age_group_tag(age_group))


@register.filter
def outcome_tag(successful: bool) -> SafeString:
    return _tag_html(presenters.contact_outcome_tag(successful))


@register.filter
def nhs_number(value: str | None) -> str:
    return presenters.nhs_number(value)


@register.filter
def long_date(value: dt.date | None) -> str:
    return presenters.long_date(value)


@register.filter
def short_date(value: dt.date | None) -> str:
    return presenters.short_date(value)


@register.filter
def date_time(value: dt.datetime | None) -> str:
    return presenters.date_time(value)


@register.filter
def relative_time(value: dt.datetime | None) -> str:
    return presenters.relative_time(value)


@register.filter
def iso(value: dt.datetime | dt.date | None) -> str:
    return value.isoformat() if value is not None else ""


@register.filter
def due_status(value: dt.date | None) -> str:
    return presenters.due_status(value)[0]


@register.filter
def is_overdue(value: dt.date | None) -> bool:
    return presenters.due_status(value)[1]


@register.filter
def age_label(value: dt.date | None) -> str:
    return presenters.age_label(value)


@register.filter
def yes_no(value: bool | None) -> str:
    return presenters.yes_no(value)


@register.filter
def role_label(value: str) -> str:
    return presenters.role_label(value)


@register.filter
def audit_action(value: str) -> str:
    return presenters.audit_action_label(value)


@register.simple_tag(takes_context=True)
def page_url(context: template.Context, number: int) -> str:
    """The current address with `page` replaced: keeps the (non-personal) filters in the query string."""
    request = context["request"]
    params = request.GET.copy()
    params["page"] = str(number)
    return "?" + urlencode(sorted(params.items()))


@register.inclusion_tag("core/includes/pagination.html", takes_context=True)
def pagination(context: template.Context, page: Any, target: str = "") -> dict[str, Any]:
    """Previous/next and numbered links; `target` makes them swap just one region with htmx."""
    numbers: list[int | None] = []
    if page is not None and page.paginator.num_pages > 1:
        last = page.paginator.num_pages
        wanted = {1, last, page.number - 1, page.number, page.number + 1}
        previous = 0
        for number in range(1, last + 1):
            if number in wanted:
                if previous and number - previous > 1:
                    numbers.append(None)  # an ellipsis
                numbers.append(number)
                previous = number
    return {"request": context["request"], "page": page, "numbers": numbers, "target": target}


NAV_ITEMS = (
    # (url name, text, operation the current team's role needs, url names that highlight it)
    ("worklist", "Worklist", "people.view", {"worklist", "episode_detail"}),
    (
        "arrival_review",
        "Arrivals to review",
        "identification.view_arrivals",
        {"arrival_review", "arrival_import", "import_batch", "arrival_detail", "arrival_episode"},
    ),
    ("arrival_new", "New arrival", "episodes.create", {"arrival_new"}),
    (
        "person_search",
        "Find a person",
        "people.view",
        {
            "person_search",
            "person_detail",
            "person_audit",
            "person_edit",
            "person_contact_new",
            "person_alias_new",
        },
    ),
    (
        "directory:service_list",
        "Directory",
        "directory.view",
        {"service_list", "service_detail", "service_new", "service_edit", "local_knowledge", "contact_new"},
    ),
    ("referrals:calendar", "Calendar", "referrals.appointments", {"calendar"}),
    (
        "advice_worklist",
        "Advice",
        "advice.record",
        {"advice_worklist", "advice_detail", "advice_new"},
    ),
    ("outcomes:dashboard", "Outcomes", "outcomes.view", {"dashboard", "episodes", "report"}),
    (
        "team_home",
        "Team",
        "people.view",
        {
            "team_home",
            "team_engagement",
            "basis_queue",
            "feedback_summary",
            "report_settings",
            "training_list",
            "training_new",
            "drop_in_list",
            "drop_in_detail",
            "team_break_glass",
            "duplicate_queue",
            "duplicate_pair",
            "duplicate_pair_merge",
            "sar_list",
            "sar_detail",
            "sar_extend",
            "sar_new",
        },
    ),
    ("break_glass", "Break the glass", "core.break_glass", {"break_glass", "person_break_glass"}),
    ("referral_new", "Refer someone", "partners.refer", {"referral_new"}),
    ("referral_list", "Your referrals", "partners.refer", {"referral_list", "referral_detail"}),
)


@register.simple_tag(takes_context=True)
def header_context(context: template.Context) -> dict[str, Any]:
    """The header's menu for the current team's role, and how many teams the user can switch between."""
    request = context.get("request")
    membership = context.get("current_membership")
    if request is None or membership is None:
        return {"items": [], "team_count": 0}
    current = getattr(getattr(request, "resolver_match", None), "url_name", "")
    items = [
        {"href": reverse(name), "text": text, "current": current in names}
        for name, text, operation, names in NAV_ITEMS
        if can(request.user, operation, membership.team_id)
    ]
    return {"items": items, "team_count": len(roles_by_team(request.user))}


@register.simple_tag
def radio_choices(bound: BoundField) -> list[dict[str, Any]]:
    """The radios of a choice field with the ids and checked state `field` would give them,
    for the few places a page lays radios out by hand (conditional content under one radio)."""
    value = bound.value()
    field_id = str(bound.auto_id)
    choices = [(v, label) for v, label in bound.field.choices if v not in ("", None)]  # type: ignore[attr-defined]
    return [
        {
            "value": choice_value,
            "label": choice_label,
            "selected": _is_selected(choice_value, value),
            "id": field_id if index == 0 else f"{field_id}-{index + 1}",
        }
        for index, (choice_value, choice_label) in enumerate(choices)
    ]
