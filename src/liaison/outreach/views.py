"""The team's engagement view: people in assessment or support, the longest out of contact first."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from liaison.core.audit import audit
from liaison.core.models import Team
from liaison.core.views import AuthenticatedRequest, clinical_membership, no_access, render_page
from liaison.outreach.rules import engagement_rows, engagement_status, rules_for

STATUS_TAGS = {"in_touch": "green", "drifting": "yellow", "out_of_contact": "red"}


@require_GET
def team_engagement(request: AuthenticatedRequest) -> HttpResponse:
    membership = clinical_membership(request)
    if membership is None:
        return no_access(request)
    team = Team.objects.get(pk=membership.team_id)
    rule = rules_for(team.code)["no_successful_contact"]
    now = timezone.now()
    page = Paginator(engagement_rows(team.pk), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for episode in page:
        status, words = engagement_status(episode, now, rule)
        days = (now - episode.counted_from).days if episode.counted_from else None
        rows.append(
            {"episode": episode, "status": status, "words": words, "tag": STATUS_TAGS[status], "days": days}
        )
    audit(
        actor=request.user,
        action="engagement.view",
        team_id=team.pk,
        role=membership.role,
        detail={"page": page.number},
        person_ids=[episode.person_id for episode in page],
    )
    context = {"membership": membership, "team": team, "page": page, "rows": rows, "rule": rule}
    return render_page(request, "outreach/engagement.html", context)
