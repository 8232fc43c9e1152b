"""Pages for finding a person, their record, and (for team leads) who has looked at it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from liaison.core.access import deny, get_person_for_user, person_access
from liaison.core.audit import audit
from liaison.core.permissions import can
from liaison.core.presenters import episode_timeline, open_tasks
from liaison.core.teams import current_membership
from liaison.core.views import AuthenticatedRequest, clinical_membership, no_access, render_page
from liaison.people.forms import PersonSearchForm
from liaison.people.queries import (
    SEARCH_LIMIT,
    active_break_glass,
    audit_events_for_person,
    load_person_record,
    search_people,
    team_names,
    user_names,
)


@require_http_methods(["GET", "POST"])
def person_search(request: AuthenticatedRequest) -> HttpResponse:
    """Find someone the team may see. A POST, with results on the same page: no names in addresses."""
    membership = clinical_membership(request)
    if membership is None:
        return no_access(request)
    form = PersonSearchForm(request.POST or None)
    results: list[Any] | None = None
    more = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        found = list(
            search_people(
                user=request.user,
                name=data["name"],
                date_of_birth=data["date_of_birth"],
                nhs_number=data["nhs_number"],
                pnc_id=data["pnc_id"],
            )[: SEARCH_LIMIT + 1]
        )
        more = len(found) > SEARCH_LIMIT
        results = found[:SEARCH_LIMIT]
        audit(
            actor=request.user,
            action="person.search",
            team_id=membership.team_id,
            role=membership.role,
            # The ids shown and which boxes were used; never the terms typed.
            detail={"result_ids": [p.pk for p in results], "criteria": form.criteria(), "more": more},
        )
    context = {
        "form": form,
        "results": results,
        "more": more,
        "limit": SEARCH_LIMIT,
        "membership": membership,
    }
    return render_page(request, "people/search.html", context, forms=(form,))


@require_GET
def person_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    try:
        person, access = get_person_for_user(request.user, pk)
    except Http404:
        # The same page for "no such person" and "not yours" (the access helper has audited it).
        membership = current_membership(request)
        may_break_glass = membership is not None and can(request.user, "core.break_glass", membership.team_id)
        return render(
            request,
            "people/person_not_found.html",
            {"person_id": pk, "may_break_glass": may_break_glass},
            status=404,
        )
    load_person_record(person)
    episodes = [
        {
            "episode": episode,
            "timeline": episode_timeline(episode),
            "open_tasks": open_tasks(episode),
            "can_act": can(request.user, "episodes.log_contact", episode.team_id),
        }
        for episode in person.episodes.all()
    ]
    context = {
        "person": person,
        "access": access,
        "grant": active_break_glass(request.user, person) if access.via == "break_glass" else None,
        "episodes": episodes,
        "can_view_audit": can(request.user, "core.view_audit", access.team_id),
    }
    return render(request, "people/person.html", context)


@require_GET
def person_audit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Who viewed this record: for team leads of a team that may see the person; 404 for anyone else."""
    access = person_access(request.user, pk)
    if not (access.allowed and can(request.user, "core.view_audit", access.team_id)):
        raise deny(request.user, object_type="person_audit", object_id=pk, person_id=pk)
    person, access = get_person_for_user(request.user, pk, action="person.audit.view")
    page = Paginator(audit_events_for_person(person), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    events = list(page)
    teams = team_names({e.team_id for e in events if e.team_id is not None})
    users = user_names({e.actor_id for e in events if e.actor_id is not None})
    rows = [
        {
            "event": event,
            "who": users.get(event.actor_id, event.actor_username)
            if event.actor_id
            else event.actor_username,
            "username": event.actor_username,
            "team": teams.get(event.team_id, "") if event.team_id else "",
        }
        for event in events
    ]
    return render(request, "people/person_audit.html", {"person": person, "page": page, "rows": rows})
