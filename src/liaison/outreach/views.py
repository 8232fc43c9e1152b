"""The team's engagement view (people in assessment or support, the longest out of contact first) and
drop-in sessions with their register."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liaison.core.audit import audit
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.forms import apply_service_errors
from liaison.core.models import Team
from liaison.core.permissions import role_in
from liaison.core.views import (
    AuthenticatedRequest,
    clinical_membership,
    no_access,
    not_permitted,
    render_page,
)
from liaison.episodes.queries import team_members, team_sites
from liaison.outreach.forms import AttendForm, SessionForm, SessionUpdateForm
from liaison.outreach.models import DropInSession
from liaison.outreach.queries import (
    get_session_for_user,
    register,
    register_candidates,
    team_episode,
    team_sessions,
)
from liaison.outreach.rules import engagement_rows, engagement_status, rules_for
from liaison.outreach.services import attendance_add, session_create, session_update

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


# --- drop-in --------------------------------------------------------------------------------------

NOT_DROP_IN = "Your role cannot record drop-in sessions in this team."
SESSION_CONFLICT = (
    "Someone else changed this session after you opened it. The page shows their change: check it and "
    "save yours again."
)


def _session_form(team_id: int, data: Any = None) -> SessionForm:
    sites = [(site.pk, site.name) for site in team_sites(team_id)]
    members = [(user.pk, str(user)) for user in team_members(team_id)]
    return SessionForm(data, sites=sites, members=members)


@require_http_methods(["GET", "POST"])
def drop_in_list(request: AuthenticatedRequest) -> HttpResponse:
    membership = clinical_membership(request)
    if membership is None:
        return no_access(request)
    team_id = membership.team_id
    form = _session_form(team_id, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = session_create(
                actor=request.user,
                team=Team.objects.get(pk=team_id),
                place=data["place"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                staff_ids=data["staff"],
                site_id=data["site"],
                notes=data["notes"],
            )
        except NotPermitted:
            return not_permitted(request, NOT_DROP_IN)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Drop-in session added. Record who comes on its register.")
            return redirect("drop_in_detail", pk=session.pk)
    page = Paginator(team_sessions(team_id), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"membership": membership, "page": page, "form": form}
    return render_page(request, "outreach/drop_in_list.html", context, forms=(form,))


def _session_page(
    request: AuthenticatedRequest,
    session: DropInSession,
    *,
    update_form: SessionUpdateForm | None = None,
    attend_error: str = "",
    status: int | None = None,
) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    candidates = register_candidates(session, query) if query else []
    attendances = register(session)
    if update_form is None:
        update_form = SessionUpdateForm(
            initial={
                "version": session.version,
                "anonymous_count": session.anonymous_count,
                "notes": session.notes,
            }
        )
    shown = [a.episode.person_id for a in attendances] + [e.person_id for e in candidates]
    audit(
        actor=request.user,
        action="drop_in.view",
        team_id=session.team_id,
        role=role_in(request.user, session.team_id) or "",
        object_type="drop_in",
        object_id=session.pk,
        detail={"searched": bool(query)},
        person_ids=shown,
    )
    context = {
        "session": session,
        "staff": list(session.staff.all()),
        "attendances": attendances,
        "candidates": candidates,
        "query": query,
        "update_form": update_form,
        "attend_error": attend_error,
        "total": len(attendances) + session.anonymous_count,
    }
    return render_page(
        request,
        "outreach/drop_in.html",
        context,
        forms=(update_form,),
        has_problems=bool(attend_error),
        status=status,
    )


@require_GET
def drop_in_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _session_page(request, get_session_for_user(request.user, pk))


@require_POST
def drop_in_update(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    form = SessionUpdateForm(request.POST)
    if form.is_valid():
        try:
            session_update(
                actor=request.user,
                session=session,
                version=form.cleaned_data["version"],
                anonymous_count=form.cleaned_data["anonymous_count"],
                notes=form.cleaned_data["notes"],
            )
        except NotPermitted:
            return not_permitted(request, NOT_DROP_IN)
        except StaleWrite:
            messages.error(request, SESSION_CONFLICT)
            return redirect("drop_in_detail", pk=session.pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("drop_in_detail", pk=session.pk)
    return _session_page(request, session, update_form=form, status=400)


@require_POST
def drop_in_attend(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    form = AttendForm(request.POST)
    if not form.is_valid():
        return _session_page(
            request, session, attend_error="Choose someone to add to the register", status=400
        )
    episode = team_episode(session, form.cleaned_data["episode"])
    if episode is None:
        return _session_page(
            request, session, attend_error="Choose someone your team is working with", status=400
        )
    try:
        attendance_add(actor=request.user, session=session, episode=episode, note=form.cleaned_data["note"])
    except NotPermitted:
        return not_permitted(request, NOT_DROP_IN)
    except ValidationError as exc:
        return _session_page(request, session, attend_error=" ".join(exc.messages), status=400)
    messages.success(request, f"{episode.person.given_name} {episode.person.family_name} is on the register.")
    return redirect("drop_in_detail", pk=session.pk)
