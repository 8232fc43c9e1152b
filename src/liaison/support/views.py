"""Crisis plan pages: the episode's crisis plan (the version in force, the draft, every version), one
version (the draft's form, or a complete version to read), the pocket card, and the crisis event log.

Views stay thin: fetch through the access helpers (404 and an audit event for outsiders), check the
role once, parse with a form, call one service, then redirect or render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liaison.core.access import Access, get_episode_for_user
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.forms import apply_service_errors
from liaison.core.pdf import pdf_download
from liaison.core.permissions import can
from liaison.core.views import AuthenticatedRequest, not_permitted, render_page
from liaison.episodes.models import Episode, Stage
from liaison.support import presenters
from liaison.support.card import card_pdf
from liaison.support.forms import CrisisEventForm, CrisisPlanForm, initial_for
from liaison.support.models import CrisisPlan
from liaison.support.queries import (
    crisis_events,
    crisis_events_for_review,
    crisis_plan_versions,
    crisis_service_choices,
    draft_crisis_plan,
    get_crisis_plan_for_user,
)
from liaison.support.services import (
    OPERATION,
    crisis_event_add,
    crisis_plan_complete,
    crisis_plan_save,
    crisis_plan_start,
    current_crisis_plan,
)

NOT_A_PLANNER = "Your role cannot write crisis plans in this team."
PLAN_CONFLICT = (
    "Someone else saved this crisis plan after you opened it. What you typed is below: check it against "
    "theirs, then save again. Nothing you typed has been saved yet."
)
EVENTS_PER_PAGE = 10


def _may_write(request: AuthenticatedRequest, episode: Episode) -> bool:
    return can(request.user, OPERATION, episode.team_id) and episode.stage != Stage.CLOSED


# --- the episode's crisis plan --------------------------------------------------------------------


@require_GET
def crisis_plan_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    episode, access = get_episode_for_user(request.user, pk, action="crisis_plan.view")
    current = current_crisis_plan(episode)
    context = {
        "episode": episode,
        "person": episode.person,
        "access": access,
        "current": current,
        "card": presenters.card_for(current) if current else None,
        "draft": draft_crisis_plan(episode),
        "versions": crisis_plan_versions(episode),
        "events": list(crisis_events(episode)[:3]),
        "event_count": crisis_events(episode).count(),
        "can_write": _may_write(request, episode),
        "can_log": can(request.user, OPERATION, episode.team_id),
        "today": timezone.localdate(),
    }
    return render_page(request, "support/crisis_plan.html", context)


@require_POST
def crisis_plan_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    episode, _access = get_episode_for_user(request.user, pk, action="crisis_plan.view")
    try:
        plan = crisis_plan_start(actor=request.user, episode=episode)
    except NotPermitted:
        return not_permitted(request, NOT_A_PLANNER)
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
        return redirect("crisis_plan", pk=episode.pk)
    return redirect("crisis_plan_version", pk=plan.pk)


# --- one version: the draft's form, or a complete version ----------------------------------------


def _version_page(
    request: AuthenticatedRequest,
    plan: CrisisPlan,
    access: Access,
    *,
    form: CrisisPlanForm | None = None,
    problems: list[dict[str, str]] | None = None,
    status: int | None = None,
) -> HttpResponse:
    episode = plan.episode
    editing = not plan.is_complete and _may_write(request, episode)
    choices: list[Any] = []
    if editing:
        chosen = [item["id"] for item in plan.services]
        if form is not None and form.is_bound:
            chosen = [str(v) for v in form.data.getlist("service_ids")]  # type: ignore[attr-defined]
        choices = crisis_service_choices(chosen)
        if form is None:
            form = CrisisPlanForm(
                initial=initial_for(plan), service_choices=presenters.service_choice_pairs(choices)
            )
    context = {
        "plan": plan,
        "episode": episode,
        "person": episode.person,
        "access": access,
        "form": form if editing else None,
        "service_options": presenters.service_options(choices, form) if editing and form else [],
        "card": presenters.card_for(plan),
        "events": crisis_events_for_review(plan) if editing else [],
        "is_review": plan.number > 1,
        "problems": problems or [],
        "current": current_crisis_plan(episode) if plan.is_complete else None,
    }
    return render_page(
        request,
        "support/crisis_plan_version.html",
        context,
        forms=(form,) if editing else (),
        has_problems=bool(problems),
        status=status,
    )


@require_http_methods(["GET", "POST"])
def crisis_plan_version(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan, access = get_crisis_plan_for_user(request.user, pk)
    if request.method == "GET":
        return _version_page(request, plan, access)
    episode = plan.episode
    if not can(request.user, OPERATION, episode.team_id):
        return not_permitted(request, NOT_A_PLANNER)
    if plan.is_complete or episode.stage == Stage.CLOSED:
        messages.info(request, "This crisis plan is kept as it was: start a review to change it.")
        return redirect("crisis_plan_version", pk=plan.pk)
    chosen = [str(v) for v in request.POST.getlist("service_ids")]
    pairs = presenters.service_choice_pairs(crisis_service_choices(chosen))
    form = CrisisPlanForm(request.POST, service_choices=pairs)
    if not form.is_valid():
        return _version_page(request, plan, access, form=form)
    completing = request.POST.get("action") == "complete"
    try:
        plan = crisis_plan_save(
            actor=request.user, plan=plan, version=form.cleaned_data["version"], data=form.service_data()
        )
        if completing:
            plan = crisis_plan_complete(actor=request.user, plan=plan, version=plan.version)
    except NotPermitted:
        return not_permitted(request, NOT_A_PLANNER)
    except StaleWrite:
        plan.refresh_from_db()
        stale = request.POST.copy()
        stale["version"] = str(plan.version)
        form = CrisisPlanForm(stale, service_choices=pairs)
        form.is_valid()
        problems = [{"text": PLAN_CONFLICT, "href": "#crisis-plan-form"}]
        return _version_page(request, plan, access, form=form, problems=problems, status=409)
    except ValidationError as exc:
        # Saved but not complete: the form shows what is missing, with the draft's new version.
        bound = request.POST.copy()
        bound["version"] = str(plan.version)
        form = CrisisPlanForm(bound, service_choices=pairs)
        form.is_valid()
        apply_service_errors(form, exc, aliases=CrisisPlanForm.aliases())
        return _version_page(request, plan, access, form=form)
    if completing:
        messages.success(
            request,
            f"Crisis plan complete. Review it by {presenters.long_date(plan.review_on)}. "
            "You can now print the pocket card.",
        )
        return redirect("crisis_plan", pk=episode.pk)
    messages.success(request, "Draft saved.")
    return redirect("crisis_plan_version", pk=plan.pk)


@require_GET
def crisis_plan_card(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan, _access = get_crisis_plan_for_user(request.user, pk, action="crisis_plan.card")
    if not plan.is_complete:
        messages.warning(request, "Only a complete crisis plan has a pocket card: complete the draft first.")
        return redirect("crisis_plan_version", pk=plan.pk)
    return pdf_download(card_pdf(plan), "my-crisis-plan.pdf")


# --- the crisis event log -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def crisis_event_log(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    episode, access = get_episode_for_user(request.user, pk, action="crisis_event.list")
    may_log = can(request.user, OPERATION, episode.team_id)
    form: CrisisEventForm | None = CrisisEventForm() if may_log else None
    if request.method == "POST":
        if not may_log:
            return not_permitted(request, NOT_A_PLANNER)
        form = CrisisEventForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                crisis_event_add(
                    actor=request.user,
                    episode=episode,
                    happened_at=data["happened_at"],
                    what_happened=data["what_happened"],
                    what_helped=data["what_helped"],
                    what_did_not_help=data["what_did_not_help"],
                )
            except NotPermitted:
                return not_permitted(request, NOT_A_PLANNER)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, "Crisis logged. It will be shown when the crisis plan is next reviewed."
                )
                return redirect("crisis_event_log", pk=episode.pk)
    page = Paginator(crisis_events(episode), EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"episode": episode, "person": episode.person, "access": access, "form": form, "page": page}
    return render_page(request, "support/crisis_events.html", context, forms=(form,))
