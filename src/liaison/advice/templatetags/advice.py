"""The advice section of the episode page, as an inclusion tag, and a few filters.

{% load advice %}
{% episode_advice episode %}      the "Housing and benefits advice" section: records, and allocate
{{ record|advice_status_tag }}    open, overdue or closed, as an NHS.UK tag

The episode was fetched (and the read audited) through core.access by the page's view; the section
runs a fixed number of queries.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from liaison.advice import presenters
from liaison.advice.models import AdviceRecord
from liaison.episodes.models import Episode

register = template.Library()


@register.inclusion_tag("advice/includes/episode_advice.html", takes_context=True)
def episode_advice(context: template.Context, episode: Episode) -> dict[str, Any]:
    section = presenters.episode_advice_section(context["request"].user, episode)
    return {"episode": episode, "section": section}


@register.filter
def advice_status_tag(record: AdviceRecord, overdue: bool = False) -> SafeString:
    tag = presenters.status_tag(record, overdue=bool(overdue or getattr(record, "overdue", False)))
    return format_html('<strong class="{}">{}</strong>', tag.css_class, tag.label)


@register.filter
def advice_type(record: AdviceRecord) -> str:
    return presenters.type_label(record)


@register.filter
def advice_outcome(outcome: Any) -> str:
    return presenters.outcome_text(outcome)


@register.filter
def advice_closing(record: AdviceRecord) -> str:
    return presenters.closing_text(record)
