"""The assessment parts of the episode and person pages, as inclusion tags, and a few filters.

{% load assessment %}
{% episode_assessment episode %}   the "Assessment and plan" section: status, start / continue / review
{% person_plan person %}           the current plan near the top of the person's record
{{ need.level|level_tag }}          a level as an NHS.UK tag

The person and the episode have already been fetched (and the read audited) through core.access by
the page's view; each tag runs a fixed number of queries for its part.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from liaison.assessment import presenters
from liaison.episodes.models import Episode
from liaison.people.models import Person

register = template.Library()


@register.inclusion_tag("assessment/includes/episode_assessment.html", takes_context=True)
def episode_assessment(context: template.Context, episode: Episode) -> dict[str, Any]:
    section = presenters.episode_assessment_section(context["request"].user, episode)
    # The section's start and review buttons are forms: they need the page's CSRF token.
    return {"episode": episode, "section": section, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("assessment/includes/person_plan.html")
def person_plan(person: Person) -> dict[str, Any]:
    # The person page loaded the episodes, newest first (people.queries.load_person_record).
    return {"person": person, "current": presenters.person_plan(list(person.episodes.all()))}


@register.filter
def level_tag(level: str) -> SafeString:
    tag = presenters.level_tag(level)
    return format_html('<strong class="{}">{}</strong>', tag.css_class, tag.label)


@register.filter
def ordinal(rank: int | None) -> str:
    return presenters.ordinal(rank) if rank else ""


@register.filter
def action_status_tag(status: str) -> SafeString:
    tag = presenters.action_status_tag(status)
    return format_html('<strong class="{}">{}</strong>', tag.css_class, tag.label)


@register.filter
def need_anchor(key: str) -> str:
    return presenters.need_anchor(key)


@register.filter
def need_label(key: str) -> str:
    return presenters.need_label(key)
