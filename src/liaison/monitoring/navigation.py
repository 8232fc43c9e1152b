"""The header's links to the privacy alerts (with the open count) and the team's accounts.

Given to every template by core.context_processors.liaison, lazily: nothing is worked out, and the
count is not queried, unless the page draws the header (an htmx fragment does not).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from liaison.core.permissions import can
from liaison.core.teams import current_membership
from liaison.monitoring.queries import MANAGE, open_alert_count
from liaison.monitoring.services import REVIEW


@dataclass
class HeaderLink:
    href: str
    text: str
    team_id: int | None = None  # set for the alerts link: its open count is for this team

    @cached_property
    def count(self) -> int:
        return open_alert_count(self.team_id) if self.team_id is not None else 0


def _links(request: HttpRequest) -> list[HeaderLink]:
    user = request.user
    is_verified = getattr(user, "is_verified", None)
    if not user.is_authenticated or is_verified is None or not is_verified():
        return []
    membership = current_membership(request)
    if membership is None:
        return []
    links = []
    if can(user, REVIEW, membership.team_id):
        links.append(HeaderLink(reverse("privacy_alerts"), "Privacy alerts", membership.team_id))
    if can(user, MANAGE, membership.team_id):
        links.append(HeaderLink(reverse("team_accounts"), "Team accounts"))
    return links


def header_links(request: HttpRequest) -> SimpleLazyObject:
    return SimpleLazyObject(lambda: _links(request))
