"""Template tags for the report sections on other pages.

{% episode_reports_section episode %}   the episode page's "Reports to partners" section
"""

from __future__ import annotations

from typing import Any

from django import template

from liaison.core.permissions import can
from liaison.reports import queries, services

register = template.Library()


@register.inclusion_tag("reports/includes/episode_section.html", takes_context=True)
def episode_reports_section(context: template.Context, episode: Any) -> dict[str, Any]:
    user = context["request"].user
    return {
        "episode": episode,
        "reports": queries.episode_reports(episode)[:3],
        "can_write": can(user, services.WRITE, episode.team_id),
    }
