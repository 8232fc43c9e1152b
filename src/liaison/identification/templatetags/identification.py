"""Template helpers for the identification pages: checkbox lists in NHS.UK markup and arrival tags.

{% load identification %}
{% include "identification/includes/checkboxes.html" with bound=form.flags %}
{{ arrival.status|arrival_status_tag }}
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

from liaison.core.templatetags.nhsuk import tag
from liaison.identification import presenters
from liaison.identification.queries import episode_flags as load_episode_flags

register = template.Library()


@register.simple_tag
def checkbox_choices(bound: BoundField) -> list[dict[str, Any]]:
    """The boxes of a multiple choice field, with NHS.UK ids (the first is the field's own id, so an
    error summary link lands on it) and whether each is ticked."""
    value = bound.value() or []
    ticked = {str(v) for v in (value if isinstance(value, list | tuple) else [value])}
    field_id = str(bound.auto_id)
    hints = getattr(bound.field, "hints", {})
    return [
        {
            "value": choice_value,
            "label": choice_label,
            "hint": hints.get(choice_value, ""),
            "checked": str(choice_value) in ticked,
            "id": field_id if index == 0 else f"{field_id}-{index + 1}",
        }
        for index, (choice_value, choice_label) in enumerate(bound.field.choices)  # type: ignore[attr-defined]
    ]


@register.filter
def arrival_status_tag(status: str) -> SafeString:
    return tag(presenters.arrival_status_tag(status))


@register.filter
def flag_source(source: str) -> str:
    return presenters.flag_source_label(source)


@register.filter
def csv_field(name: str) -> str:
    return presenters.field_label(name)


@register.simple_tag
def age_on_arrival(date_of_birth: dt.date | None, arrival_at: dt.datetime) -> int | None:
    return presenters.age_on_arrival(date_of_birth, arrival_at)


@register.filter
def youth_on_arrival(arrival: Any) -> bool:
    return presenters.is_youth(arrival.date_of_birth, arrival.arrival_at)


@register.inclusion_tag("identification/includes/episode_flags.html")
def episode_flags(episode: Any) -> dict[str, Any]:
    """The vulnerability flags on an episode the page has already fetched through core.access."""
    return {"flags": load_episode_flags(episode)}
