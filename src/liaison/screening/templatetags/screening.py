"""The screening parts of the episode and person pages, as inclusion tags: one line in each page.

{% load screening %}
{% episode_screenings episode %}   the episode's screenings and a "Start a screening" button
{% suicide_risk_alert person %}    the urgent alert when a completed screening flagged suicide risk (a
                                   quieter summary once acknowledged)

The person and the episode have already been fetched (and the read audited) through core.access by
the page's view; each tag runs one bounded query for its part.
"""

from __future__ import annotations

from typing import Any

from django import template

from liaison.episodes.models import Episode
from liaison.people.models import Person
from liaison.screening.presenters import episode_screening_context, person_screening_context

register = template.Library()


@register.inclusion_tag("screening/includes/episode_screenings.html", takes_context=True)
def episode_screenings(context: template.Context, episode: Episode) -> dict[str, Any]:
    return {"episode": episode, **episode_screening_context(context["request"].user, episode)}


@register.inclusion_tag("screening/includes/person_alert.html", takes_context=True)
def suicide_risk_alert(context: template.Context, person: Person) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return person_screening_context(person, user if user is not None and user.is_authenticated else None)
