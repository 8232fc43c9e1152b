"""Template helpers for referrals: {% load partners %} {{ referral.urgency|urgency_tag }}."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from liaison.partners import presenters
from liaison.partners.queries import episode_referral as load_episode_referral

register = template.Library()


@register.filter
def urgency_tag(urgency: str) -> SafeString:
    tag = presenters.urgency_tag(urgency)
    return format_html('<strong class="{}">{}</strong>', tag.css_class, tag.label)


@register.inclusion_tag("partners/includes/episode_referral.html")
def episode_referral(episode: Any) -> dict[str, Any]:
    """The partner referral an episode came from, for the episode page (already access-checked)."""
    return {"referral": load_episode_referral(episode)}
