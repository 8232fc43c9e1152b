"""Pages for the team's worklist, a new arrival, and one episode (contacts, tasks and its stage).

Views stay thin: parse with a form, fetch through the access helpers or a scoped query, call one
service, then redirect or render. Errors from services land beside the fields they name.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liaison.core.access import Access, deny, get_episode_for_user
from liaison.core.audit import audit
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.forms import apply_service_errors
from liaison.core.permissions import can
from liaison.core.presenters import episode_timeline, open_tasks
from liaison.core.teams import current_membership
from liaison.core.views import (
    AuthenticatedRequest,
    clinical_membership,
    no_access,
    not_permitted,
    render_page,
)
from liaison.episodes.forms import (
    ArrivalForm,
    ContactForm,
    ReopenForm,
    StageForm,
    TaskDoneForm,
    TaskForm,
    WorklistFilterForm,
)
from liaison.episodes.models import Episode, Stage
from liaison.episodes.queries import load_episode_timeline, team_members, team_sites, worklist_for
from liaison.episodes.services import (
    arrival_create,
    contact_log,
    episode_move,
    episode_open,
    episode_reopen,
    task_add,
    task_complete,
)
from liaison.identification.queries import offered_person
from liaison.matching.presenters import candidate_choices
from liaison.matching.queries import Candidate, match_candidates

EPISODE_CONFLICT = (
    "Someone else changed this episode after you opened it. Check its current stage below, "
    "then make your change again if it is still needed. Nothing you entered has been saved."
)
TASK_CONFLICT = (
    "Someone else changed this task after you opened the page. Check the tasks below and try again."
)


# --- worklist -------------------------------------------------------------------------------------


@require_GET
def worklist(request: AuthenticatedRequest) -> HttpResponse:
    """The current team's open episodes. Filters may be in the address: they are not personal data."""
    membership = clinical_membership(request)
    if membership is None:
        return no_access(request)
    sites = team_sites(membership.team_id)
    filters = WorklistFilterForm(request.GET or None, sites=sites)
    site_id = stage = None
    if filters.is_bound and filters.is_valid():
        site_id = filters.cleaned_data["site"]
        stage = filters.cleaned_data["stage"] or None
    episodes = worklist_for(user=request.user, team=membership.team_id, site_id=site_id, stage=stage)
    page = Paginator(episodes, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    audit(
        actor=request.user,
        action="worklist.view",
        team_id=membership.team_id,
        role=membership.role,
        detail={"page": page.number, "site_id": site_id, "stage": stage},
        person_ids=[episode.person_id for episode in page],
    )
    context = {
        "membership": membership,
        "filters": filters,
        "page": page,
        "filtered": bool(site_id or stage),
        "can_create": can(request.user, "episodes.create", membership.team_id),
    }
    # htmx asks for just the results; a history restore (Back button) needs the whole page.
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    template = "episodes/worklist.html#results" if partial else "episodes/worklist.html"
    response = render_page(request, template, context, forms=(filters,))
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- new arrival ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def arrival_new(request: AuthenticatedRequest) -> HttpResponse:
    """Record a new arrival: the person and the episode, on one page.

    When the details entered could be someone the team already knows (the matching engine, which
    audits who it shows), a second step asks "is this the same person?" at the same address, with
    everything typed carried in hidden fields. Choosing someone opens the episode on their record;
    "none of these", or nobody found, creates a new person as before.
    """
    membership = current_membership(request)
    if clinical_membership(request) is None or membership is None:
        return no_access(request)
    if not can(request.user, "episodes.create", membership.team_id):
        return not_permitted(request, "Only practitioners and team leads can record a new arrival.")
    sites = team_sites(membership.team_id)
    form = ArrivalForm(request.POST or None, sites=sites, members=team_members(membership.team_id))
    if request.method != "POST":
        return _arrival_details_page(request, form, membership)
    if not form.is_valid():
        if form.only_the_answer_is_missing():
            return _same_person_page(request, form, membership)
        return _arrival_details_page(request, form, membership)
    data = form.cleaned_data
    if data["step"] == ArrivalForm.DETAILS:
        # Back from the second step to change what was typed: the details page, filled in.
        return _arrival_details_page(request, form, membership)
    if data["step"] != ArrivalForm.SAME_PERSON:
        candidates = match_candidates(user=request.user, record=form.match_record())
        if candidates:
            return _same_person_page(request, form, membership, candidates)
    aliases = {"site_id": "site", "allocated_worker_id": "allocated_worker"}
    chosen = data["same_person"]
    try:
        if isinstance(chosen, int):
            # Only someone the team may see and who is not merged away; anyone else is a 404.
            person = offered_person(request.user, chosen)
            episode = episode_open(
                actor=request.user, team=membership.team, person=person, **form.episode_fields()
            )
        else:
            episode = arrival_create(
                actor=request.user,
                team=membership.team,
                person_fields=form.person_fields(),
                episode_fields=form.episode_fields(),
            )
    except NotPermitted as exc:
        return not_permitted(request, str(exc))
    except ValidationError as exc:
        apply_service_errors(form, exc, aliases=aliases)
        return _arrival_details_page(request, form, membership)
    # No names in messages: they travel in a cookie when the session is not used.
    if isinstance(chosen, int):
        messages.success(
            request,
            "New arrival added to their existing record. The episode is on your team's worklist. "
            "Check their details: anything you entered differently was not saved.",
        )
    else:
        messages.success(request, "New arrival recorded. The episode is on your team's worklist.")
    return redirect("person_detail", pk=episode.person_id)


def _arrival_details_page(request: AuthenticatedRequest, form: ArrivalForm, membership: Any) -> HttpResponse:
    return render_page(
        request, "episodes/arrival_new.html", {"form": form, "membership": membership}, forms=(form,)
    )


def _same_person_page(
    request: AuthenticatedRequest,
    form: ArrivalForm,
    membership: Any,
    candidates: list[Candidate] | None = None,
) -> HttpResponse:
    """The second step: people the team knows who could be the person entered, best first."""
    record = form.match_record()
    if candidates is None:
        candidates = match_candidates(user=request.user, record=record)
    context = {
        "form": form,
        "membership": membership,
        "entered": form.cleaned_data,
        "carried": form.carried(),
        "choices": candidate_choices(candidates, record=record, bound=form["same_person"]),
    }
    return render_page(request, "episodes/arrival_new.html", context, forms=(form,))


# --- one episode ----------------------------------------------------------------------------------


def _episode_page(
    request: AuthenticatedRequest,
    episode: Episode,
    access: Access,
    *,
    contact_form: ContactForm | None = None,
    task_form: TaskForm | None = None,
    stage_form: StageForm | None = None,
    reopen_form: ReopenForm | None = None,
    problems: list[dict[str, str]] | None = None,
    status: int | None = None,
) -> HttpResponse:
    load_episode_timeline(episode)
    user, team_id = request.user, episode.team_id
    allowed = {
        "log_contact": can(user, "episodes.log_contact", team_id),
        "add_task": can(user, "episodes.add_task", team_id),
        "complete_task": can(user, "episodes.complete_task", team_id),
        "change_stage": can(user, "episodes.change_stage", team_id) and episode.stage != Stage.CLOSED,
        "reopen": can(user, "episodes.change_stage", team_id) and episode.stage == Stage.CLOSED,
    }
    members = team_members(team_id) if allowed["add_task"] else []
    contact_form = contact_form or ContactForm()
    task_form = task_form or TaskForm(members=members, actor=user)
    stage_form = stage_form or StageForm(stage=episode.stage, initial={"version": episode.version})
    reopen_form = reopen_form or ReopenForm(initial={"version": episode.version})
    context: dict[str, Any] = {
        "episode": episode,
        "person": episode.person,
        "access": access,
        "timeline": episode_timeline(episode),
        "open_tasks": open_tasks(episode),
        "allowed": allowed,
        "contact_form": contact_form,
        "task_form": task_form,
        "stage_form": stage_form,
        "reopen_form": reopen_form,
        "problems": problems or [],
    }
    return render_page(
        request,
        "episodes/episode.html",
        context,
        forms=(contact_form, task_form, stage_form, reopen_form),
        has_problems=bool(problems),
        status=status,
    )


def _back_to_episode(episode: Episode) -> HttpResponse:
    return redirect("episode_detail", pk=episode.pk)


@require_GET
def episode_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    episode, access = get_episode_for_user(request.user, pk)
    return _episode_page(request, episode, access)


@require_POST
def episode_contact(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    episode, access = get_episode_for_user(request.user, pk)
    if not can(request.user, "episodes.log_contact", episode.team_id):
        return not_permitted(request, "Your role cannot record contacts for this team's episodes.")
    form = ContactForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            contact_log(
                actor=request.user,
                episode=episode,
                channel=data["channel"],
                successful=data["successful"],
                at=data["at"],
                note=data["note"],
            )
        except NotPermitted:
            return not_permitted(request)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Contact recorded.")
            return _back_to_episode(episode)
    return _episode_page(request, episode, access, contact_form=form)


@require_POST
def episode_task(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    episode, access = get_episode_for_user(request.user, pk)
    if not can(request.user, "episodes.add_task", episode.team_id):
        return not_permitted(request, "Your role cannot add tasks to this team's episodes.")
    form = TaskForm(request.POST, members=team_members(episode.team_id), actor=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            task_add(
                actor=request.user,
                episode=episode,
                title=data["title"],
                due=data["due"],
                owner_id=data["owner"],
            )
        except NotPermitted:
            return not_permitted(request)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Task added.")
            return _back_to_episode(episode)
    return _episode_page(request, episode, access, task_form=form)


@require_POST
def episode_task_done(request: AuthenticatedRequest, pk: int, task_pk: int) -> HttpResponse:
    episode, access = get_episode_for_user(request.user, pk)
    if not can(request.user, "episodes.complete_task", episode.team_id):
        return not_permitted(request, "Your role cannot complete tasks for this team's episodes.")
    # Scoped through the episode the access policy returned: a task of another episode is a 404.
    task = episode.tasks.filter(pk=task_pk).first()
    if task is None:
        raise deny(request.user, object_type="task", object_id=task_pk, person_id=episode.person_id)
    form = TaskDoneForm(request.POST)
    if not form.is_valid():
        return _episode_page(
            request, episode, access, problems=[{"text": TASK_CONFLICT, "href": "#tasks"}], status=409
        )
    task.episode = episode
    try:
        task_complete(actor=request.user, task=task, version=form.cleaned_data["version"])
    except NotPermitted:
        return not_permitted(request)
    except StaleWrite:
        return _episode_page(
            request, episode, access, problems=[{"text": TASK_CONFLICT, "href": "#tasks"}], status=409
        )
    except ValidationError as exc:
        problems = [{"text": message, "href": "#tasks"} for message in exc.messages]
        return _episode_page(request, episode, access, problems=problems, status=409)
    messages.success(request, "Task marked as done.")
    return _back_to_episode(episode)


def _stage_conflict(request: AuthenticatedRequest, episode: Episode, access: Access) -> HttpResponse:
    """Show the episode as it is now, keep what the user entered, and explain why nothing was saved.

    The form carries the current version, so submitting again is a deliberate decision made
    after seeing the other person's change, never a silent overwrite.
    """
    posted = StageForm(request.POST, stage=episode.stage)
    initial = {
        name: posted[name].value() for name in ("to_stage", "closure_reason", "justice_outcome", "note")
    }
    initial["version"] = episode.version
    form = StageForm(initial=initial, stage=episode.stage)
    problems = [{"text": EPISODE_CONFLICT, "href": "#stage"}]
    return _episode_page(request, episode, access, stage_form=form, problems=problems, status=409)


@require_POST
def episode_stage(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    episode, access = get_episode_for_user(request.user, pk)
    if not can(request.user, "episodes.change_stage", episode.team_id):
        return not_permitted(request, "Only practitioners and team leads can move an episode's stage.")
    # Check the version before anything else: after someone else's move the choices offered
    # are different, and the conflict is what the user needs to hear about.
    if request.POST.get("stage-version", "") != str(episode.version):
        return _stage_conflict(request, episode, access)
    form = StageForm(request.POST, stage=episode.stage)
    if form.is_valid():
        data = form.cleaned_data
        try:
            episode_move(
                actor=request.user,
                episode=episode,
                version=data["version"],
                to_stage=data["to_stage"],
                note=data["note"],
                closure_reason=data["closure_reason"],
                justice_outcome=data["justice_outcome"],
            )
        except NotPermitted:
            return not_permitted(request)
        except StaleWrite:
            return _stage_conflict(request, episode, access)
        except ValidationError as exc:
            apply_service_errors(form, exc, aliases={"stage": "to_stage"})
        else:
            moved_to = (
                "closed"
                if data["to_stage"] == Stage.CLOSED
                else f"moved to {Stage(data['to_stage']).label.lower()}"
            )
            messages.success(request, f"Episode {moved_to}.")
            return _back_to_episode(episode)
    return _episode_page(request, episode, access, stage_form=form)


@require_POST
def episode_reopen_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    episode, access = get_episode_for_user(request.user, pk)
    if not can(request.user, "episodes.change_stage", episode.team_id):
        return not_permitted(request, "Only practitioners and team leads can reopen an episode.")
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            episode = episode_reopen(
                actor=request.user,
                episode=episode,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except NotPermitted:
            return not_permitted(request)
        except StaleWrite:
            return _stage_conflict(request, episode, access)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Episode reopened at {episode.get_stage_display().lower()}.")
            return _back_to_episode(episode)
    return _episode_page(request, episode, access, reopen_form=form)
