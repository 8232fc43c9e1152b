"""Template tags for the crisis plan sections on other pages.

{% episode_crisis_plan episode %}   the episode page's "Crisis plan" section
{% person_crisis_plan person %}     the person page's current crisis plan, with its review date
"""

from __future__ import annotations

from typing import Any

from django import template

from liaison.people.models import Person
from liaison.support import presenters

register = template.Library()


@register.inclusion_tag("support/includes/episode_crisis_plan.html", takes_context=True)
def episode_crisis_plan(context: template.Context, episode: Any) -> dict[str, Any]:
    section = presenters.crisis_plan_section(context["request"].user, episode)
    # The section's start and review buttons are forms: they need the page's CSRF token.
    return {"section": section, "episode": episode, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("support/includes/person_crisis_plan.html", takes_context=True)
def person_crisis_plan(context: template.Context, person: Person) -> dict[str, Any]:
    # The person page loaded the episodes, newest first (people.queries.load_person_record).
    section = presenters.person_crisis_plan(context["request"].user, list(person.episodes.all()))
    return {"section": section}
