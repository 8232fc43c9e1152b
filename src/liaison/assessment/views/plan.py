"""The plan pages: the needs in the documented order with the reason for each place, the person's own
priorities beside it, an override of the order with its reason, and actions that become tasks.

Views stay thin: fetch through the access helpers (404 and an audit event for outsiders), check the
role once, parse with a form, call one service, then redirect or render.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liaison.assessment.forms import ActionForm, ActionUpdateForm, OrderForm
from liaison.assessment.models import OPEN_ACTION_STATUSES, AssessmentStatus, PlanAction
from liaison.assessment.presenters import need_anchor, need_label, plan_for, plan_with_other_actions
from liaison.assessment.queries import get_plan_action_for_user
from liaison.assessment.services import (
    current_assessment,
    plan_action_add,
    plan_action_update,
    plan_reorder,
)
from liaison.assessment.views.assessment import NOT_AN_ASSESSOR
from liaison.core.access import Access, get_episode_for_user
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.forms import apply_service_errors
from liaison.core.permissions import can
from liaison.core.views import AuthenticatedRequest, not_permitted, render_page
from liaison.episodes.models import Episode, Stage
from liaison.episodes.queries import team_members

NOT_A_PLANNER = "Your role cannot add or change actions in this team's plans."
ACTION_CONFLICT = (
    "Someone else changed this action after you opened it. What you entered is below: check it, then "
    "save again. Nothing you entered has been saved yet."
)


# --- the plan -------------------------------------------------------------------------------------


def _plan_page(
    request: AuthenticatedRequest,
    episode: Episode,
    access: Access,
    *,
    action_form: ActionForm | None = None,
    order_form: OrderForm | None = None,
    status: int | None = None,
) -> HttpResponse:
    user, team_id = request.user, episode.team_id
    is_open = episode.stage != Stage.CLOSED
    can_record = can(user, "assessment.record", team_id) and is_open
    can_plan = can(user, "assessment.plan", team_id) and is_open
    current = current_assessment(episode)
    plan, other_actions = plan_with_other_actions(current) if current is not None else (None, [])
    draft = episode.assessments.filter(status=AssessmentStatus.DRAFT).only("pk", "number").first()
    if plan is not None and plan.items and can_plan and action_form is None:
        members = team_members(team_id)
        wanted = request.GET.get("need", "")
        action_form = ActionForm(
            needs=[(item.key, item.label) for item in plan.items],
            members=members,
            initial={
                "need_key": wanted if any(item.key == wanted for item in plan.items) else "",
                "owner": user.pk if any(m.pk == user.pk for m in members) else None,
                "due": timezone.localdate() + dt.timedelta(days=7),
            },
        )
    if plan is not None and len(plan.items) > 1 and can_record and order_form is None:
        order_form = OrderForm(items=[(item.key, item.label, item.position) for item in plan.items])
    context: dict[str, Any] = {
        "episode": episode,
        "person": episode.person,
        "access": access,
        "plan": plan,
        "other_actions": other_actions,
        "assessment": current,
        "draft": draft,
        "can_record": can_record,
        "can_plan": can_plan,
        "action_form": action_form if can_plan else None,
        "order_form": order_form if can_record else None,
        "order_open": order_form is not None and order_form.is_bound,
    }
    return render_page(
        request, "assessment/plan.html", context, forms=(action_form, order_form), status=status
    )


@require_GET
def plan_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    episode, access = get_episode_for_user(request.user, pk, action="plan.view")
    return _plan_page(request, episode, access)


def _plan_url(episode: Episode, anchor: str = "") -> str:
    return reverse("plan_detail", kwargs={"pk": episode.pk}) + (f"#{anchor}" if anchor else "")


@require_POST
def plan_action_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    episode, access = get_episode_for_user(request.user, pk, action="plan.view")
    if not can(request.user, "assessment.plan", episode.team_id):
        return not_permitted(request, NOT_A_PLANNER)
    current = current_assessment(episode)
    if current is None:
        messages.warning(request, "Complete an assessment first: actions belong to the needs in its plan.")
        return redirect("plan_detail", pk=episode.pk)
    needs = [(item.key, item.label) for item in plan_for(current).items]
    form = ActionForm(request.POST, needs=needs, members=team_members(episode.team_id))
    if form.is_valid():
        data = form.cleaned_data
        try:
            action = plan_action_add(
                actor=request.user,
                episode=episode,
                need_key=data["need_key"],
                description=data["description"],
                owner_id=data["owner"],
                due=data["due"],
            )
        except NotPermitted:
            return not_permitted(request, NOT_A_PLANNER)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Action added. It is on {action.owner}'s tasks, due {action.due.day} {action.due:%B %Y}.",
            )
            return redirect(_plan_url(episode, need_anchor(action.need_key)))
    return _plan_page(request, episode, access, action_form=form)


@require_POST
def plan_order(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    episode, access = get_episode_for_user(request.user, pk, action="plan.view")
    if not can(request.user, "assessment.record", episode.team_id):
        return not_permitted(request, NOT_AN_ASSESSOR)
    current = current_assessment(episode)
    if current is None:
        messages.warning(request, "Complete an assessment first: the plan comes from it.")
        return redirect("plan_detail", pk=episode.pk)
    plan = plan_for(current)
    form = OrderForm(request.POST, items=[(item.key, item.label, item.position) for item in plan.items])
    if form.is_valid():
        try:
            plan_reorder(
                actor=request.user,
                assessment=current,
                keys=form.ordered_keys(),
                reason=form.cleaned_data["reason"],
            )
        except NotPermitted:
            return not_permitted(request, NOT_AN_ASSESSOR)
        except ValidationError as exc:
            apply_service_errors(form, exc, aliases=form.order_aliases())
        else:
            messages.success(request, "The plan's order is changed. Your reason is kept with it.")
            return redirect(_plan_url(episode))
    return _plan_page(request, episode, access, order_form=form)


# --- one action: move it on, give it to someone else, or change its date --------------------------


def _action_page(
    request: AuthenticatedRequest,
    action: PlanAction,
    access: Access,
    *,
    form: ActionUpdateForm | None = None,
    problems: list[dict[str, str]] | None = None,
    status: int | None = None,
) -> HttpResponse:
    episode = action.episode
    # As with tasks, an open action can still be moved on once its episode is closed.
    may_plan = can(request.user, "assessment.plan", episode.team_id) and action.status in OPEN_ACTION_STATUSES
    if may_plan and form is None:
        form = ActionUpdateForm(
            members=team_members(episode.team_id),
            initial={
                "version": action.version,
                "status": action.status,
                "owner": action.owner_id,
                "due": action.due,
            },
        )
    context = {
        "action": action,
        "episode": episode,
        "person": episode.person,
        "access": access,
        "need_label": need_label(action.need_key),
        "form": form if may_plan else None,
        "problems": problems or [],
    }
    return render_page(
        request,
        "assessment/action.html",
        context,
        forms=(form,) if may_plan else (),
        has_problems=bool(problems),
        status=status,
    )


@require_http_methods(["GET", "POST"])
def plan_action_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    action, access = get_plan_action_for_user(request.user, pk)
    if request.method == "GET":
        return _action_page(request, action, access)
    if not can(request.user, "assessment.plan", action.episode.team_id):
        return not_permitted(request, NOT_A_PLANNER)
    if action.status not in OPEN_ACTION_STATUSES:
        messages.info(request, "This action is finished and kept as it was: add a new action instead.")
        return redirect("plan_action_detail", pk=action.pk)
    form = ActionUpdateForm(request.POST, members=team_members(action.episode.team_id))
    if not form.is_valid():
        return _action_page(request, action, access, form=form)
    data = form.cleaned_data
    try:
        plan_action_update(
            actor=request.user,
            action=action,
            version=data["version"],
            status=data["status"] if data["status"] != action.status else None,
            owner_id=data["owner"] if data["owner"] != action.owner_id else None,
            due=data["due"] if data["due"] != action.due else None,
        )
    except NotPermitted:
        return not_permitted(request, NOT_A_PLANNER)
    except StaleWrite:
        action.refresh_from_db()
        stale = request.POST.copy()
        stale["version"] = str(action.version)
        form = ActionUpdateForm(stale, members=team_members(action.episode.team_id))
        form.is_valid()
        problems = [{"text": ACTION_CONFLICT, "href": "#action-form"}]
        return _action_page(request, action, access, form=form, problems=problems, status=409)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _action_page(request, action, access, form=form)
    messages.success(request, f"Action updated: {action.description}.")
    return redirect(_plan_url(action.episode, need_anchor(action.need_key)))
