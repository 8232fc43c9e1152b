"""The awareness training pages: the team's sessions with a summary, and recording a session."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods

from liaison.core.errors import NotPermitted
from liaison.core.forms import apply_service_errors
from liaison.core.permissions import can
from liaison.core.views import (
    AuthenticatedRequest,
    clinical_membership,
    no_access,
    not_permitted,
    render_page,
)
from liaison.training import queries, services
from liaison.training.forms import SessionForm

NOT_A_RECORDER = "Only practitioners and team leads record training sessions."


@require_GET
def training_list(request: AuthenticatedRequest) -> HttpResponse:
    membership = clinical_membership(request)
    if membership is None:
        return no_access(request)
    rows, total = queries.training_summary(membership.team_id)
    page = Paginator(queries.sessions_for_team(membership.team_id), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "team": membership.team,
        "rows": rows,
        "total": total,
        "page": page,
        "can_record": can(request.user, "training.record", membership.team_id),
    }
    return render_page(request, "training/list.html", context)


@require_http_methods(["GET", "POST"])
def training_new(request: AuthenticatedRequest) -> HttpResponse:
    membership = clinical_membership(request)
    if membership is None:
        return no_access(request)
    if not can(request.user, "training.record", membership.team_id):
        return not_permitted(request, NOT_A_RECORDER)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rows, problems = services.parse_scores(data["scores"])
        if problems:
            form.add_error("scores", ". ".join(problems[:3]))
        else:
            try:
                services.record_session(
                    actor=request.user,
                    team=membership.team_id,
                    agency_kind=data["agency_kind"],
                    agency_name=data["agency_name"],
                    audience=data["audience"],
                    topic=data["topic"],
                    delivered_on=data["delivered_on"],
                    attendees=data["attendees"],
                    facilitator=data["facilitator"],
                    scores=rows,
                )
            except NotPermitted:
                return not_permitted(request, NOT_A_RECORDER)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, "Training session recorded.")
                return redirect("training:training_list")
    return render_page(request, "training/new.html", {"form": form}, forms=(form,))
