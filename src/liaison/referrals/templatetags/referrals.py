"""The referral parts of the episode and person pages, as inclusion tags, and a few filters.

{% load referrals %}
{% episode_referrals episode %}   the episode's referrals: need, service, status, next appointment
{% person_referrals person %}     the newest few across the episodes the person page shows

The person and the episode have already been fetched (and the read audited) through core.access by
the page's view; each tag runs one query for its part.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from liaison.core.permissions import can
from liaison.episodes.models import Episode
from liaison.people.models import Person
from liaison.referrals import presenters
from liaison.referrals.models import Referral
from liaison.referrals.queries import episode_referrals as episode_referrals_query
from liaison.referrals.queries import person_referrals as person_referrals_query

register = template.Library()


@register.inclusion_tag("referrals/includes/episode_referrals.html", takes_context=True)
def episode_referrals(context: template.Context, episode: Episode) -> dict[str, Any]:
    user = context["request"].user
    return {
        "episode": episode,
        "referrals": episode_referrals_query(episode),
        "can_refer": can(user, "referrals.make", episode.team_id),
    }


@register.inclusion_tag("referrals/includes/person_referrals.html")
def person_referrals(person: Person) -> dict[str, Any]:
    # The person page loaded the episodes (people.queries.load_person_record).
    return {"referrals": person_referrals_query(person, list(person.episodes.all()))}


def _tag(tag: Any) -> SafeString:
    return format_html('<strong class="{}">{}</strong>', tag.css_class, tag.label)


@register.simple_tag
def referral_status_tag(referral: Referral) -> SafeString:
    return _tag(presenters.status_tag(referral.kind, referral.status))


@register.filter
def attendance_tag(attendance: str) -> SafeString:
    return _tag(presenters.attendance_tag(attendance))


@register.filter
def referral_need(key: str) -> str:
    return presenters.need_label(key)
