"""The needs assessment pages: start one (or a review, copied from the last version), fill it in and
save it as a draft as often as needed (or let assessment autosave do it), then complete it.

Views stay thin: fetch through the access helpers (404 and an audit event for outsiders), check the
role once, parse with a form, call one service, then redirect or render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from liaison.assessment.codes import codes
from liaison.assessment.forms import AssessmentForm, service_aliases
from liaison.assessment.models import Assessment, AssessmentStatus, Need
from liaison.assessment.presenters import (
    basic_needs_today,
    domain_rows,
    finding_rows,
    ordinal,
    suggestion_text,
)
from liaison.assessment.queries import get_assessment_for_user
from liaison.assessment.services import assessment_complete, assessment_save, assessment_start
from liaison.core.access import Access, get_episode_for_user
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.forms import apply_service_errors
from liaison.core.permissions import can
from liaison.core.views import AuthenticatedRequest, not_permitted, render_page
from liaison.episodes.models import AgeGroup, Stage

NOT_AN_ASSESSOR = "Only practitioners and team leads can record assessments and change a plan's order."
ASSESSMENT_CONFLICT = (
    "Someone else saved this assessment after you opened it. What you entered is below: check it, then "
    "save again. Nothing you entered has been saved yet."
)
NOT_COMPLETED = (
    "Your answers are saved as a draft, but the assessment cannot be completed yet. "
    "Fix the problems below, then complete it."
)


# --- starting an assessment or a review -----------------------------------------------------------


@require_POST
def assessment_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Start the first assessment, or a review (a new version copied from the last complete one)."""
    episode, _access = get_episode_for_user(request.user, pk)
    if not can(request.user, "assessment.record", episode.team_id):
        return not_permitted(request, NOT_AN_ASSESSOR)
    try:
        assessment = assessment_start(actor=request.user, episode=episode)
    except NotPermitted:
        return not_permitted(request, NOT_AN_ASSESSOR)
    except ValidationError as exc:
        draft = episode.assessments.filter(status=AssessmentStatus.DRAFT).first()
        if draft is not None:
            messages.info(request, "This episode already has a draft assessment: continue it below.")
            return redirect("assessment_detail", pk=draft.pk)
        messages.warning(request, " ".join(exc.messages))
        return redirect("episode_detail", pk=episode.pk)
    return redirect("assessment_detail", pk=assessment.pk)


# --- the assessment: the draft form, or a complete version's summary ------------------------------


def _domain_items(form: AssessmentForm, needs: list[Need]) -> list[dict[str, Any]]:
    """Each domain's fields with what a screening suggested for it, for the form."""
    suggested = {need.key: need for need in needs if need.suggested_level}
    items = []
    for domain in codes().domains:
        need = suggested.get(domain.code)
        items.append(
            {
                "domain": domain,
                "suggestion": suggestion_text(need.suggested_level, need.suggested_from) if need else "",
                **form.domain_fields(domain.code),
            }
        )
    return items


def _assessment_page(
    request: AuthenticatedRequest,
    assessment: Assessment,
    access: Access,
    *,
    form: AssessmentForm | None = None,
    problems: list[dict[str, str]] | None = None,
    notice: str = "",
    status: int | None = None,
) -> HttpResponse:
    episode = assessment.episode
    youth = episode.age_group == AgeGroup.YOUTH
    needs = list(assessment.needs.all())
    may_record = can(request.user, "assessment.record", episode.team_id)
    editable = may_record and not assessment.is_complete and episode.stage != Stage.CLOSED
    if editable and form is None:
        form = AssessmentForm(initial=AssessmentForm.initial_for(assessment, needs), youth=youth)
    versions = list(episode.assessments.order_by("number").only("pk", "number", "status", "completed_at"))
    latest_complete = max((v.number for v in versions if v.status == AssessmentStatus.COMPLETE), default=0)
    has_draft = any(v.status == AssessmentStatus.DRAFT for v in versions)
    context: dict[str, Any] = {
        "assessment": assessment,
        "episode": episode,
        "person": episode.person,
        "access": access,
        "youth": youth,
        "form": form if editable else None,
        "domain_items": _domain_items(form, needs) if editable and form is not None else [],
        "may_record": may_record,
        "domains": domain_rows(needs),
        "basic_needs": basic_needs_today(needs),
        "priorities": [
            (ordinal(rank), codes().label(key))
            for rank, key in enumerate(assessment.person_priorities, start=1)
        ],
        "findings": finding_rows(assessment),
        "versions": versions,
        "is_current": assessment.is_complete and assessment.number == latest_complete,
        "may_review": (
            may_record
            and assessment.is_complete
            and assessment.number == latest_complete
            and not has_draft
            and episode.stage != Stage.CLOSED
        ),
        "problems": problems or [],
        "notice": notice,
    }
    return render_page(
        request,
        "assessment/assessment.html",
        context,
        forms=(form,) if editable else (),
        has_problems=bool(problems),
        status=status,
    )


@require_GET
def assessment_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    assessment, access = get_assessment_for_user(request.user, pk)
    return _assessment_page(request, assessment, access)


def _youth(assessment: Assessment) -> bool:
    return assessment.episode.age_group == AgeGroup.YOUTH


def _conflict(request: AuthenticatedRequest, assessment: Assessment, access: Access) -> HttpResponse:
    """Keep what the user entered, carry the current version, and say why nothing was saved."""
    data = request.POST.copy()
    data["version"] = str(assessment.version)
    form = AssessmentForm(data, youth=_youth(assessment))
    form.is_valid()
    problems = [{"text": ASSESSMENT_CONFLICT, "href": "#assessment-form"}]
    return _assessment_page(request, assessment, access, form=form, problems=problems, status=409)


def _autosave_answer(saved: Assessment | None, status: int = 200, problem: str = "") -> JsonResponse:
    if saved is None:
        return JsonResponse({"saved": False, "problem": problem}, status=status)
    return JsonResponse(
        {
            "saved": True,
            "version": saved.version,
            "saved_at": timezone.localtime(saved.updated_at).strftime("%H:%M"),
        }
    )


@require_POST
def assessment_save_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Save the draft ("save"), save and complete it ("complete"), or save it in the background
    ("autosave", posted by assessment/autosave.js, answered in JSON)."""
    assessment, access = get_assessment_for_user(request.user, pk)
    action = request.POST.get("action", "save")
    autosave = action == "autosave"
    if not can(request.user, "assessment.record", assessment.episode.team_id):
        return not_permitted(request, NOT_AN_ASSESSOR)
    if assessment.is_complete:
        if autosave:
            return _autosave_answer(None, 409, "This assessment is complete.")
        messages.info(request, "This assessment is complete and kept as it was: start a review to change it.")
        return redirect("assessment_detail", pk=assessment.pk)
    if request.POST.get("version", "") != str(assessment.version):
        if autosave:
            return _autosave_answer(None, 409, "Someone else saved this assessment.")
        return _conflict(request, assessment, access)
    form = AssessmentForm(request.POST, youth=_youth(assessment))
    if not form.is_valid():
        if autosave:
            return _autosave_answer(None, 400, "Some answers need correcting.")
        return _assessment_page(request, assessment, access, form=form)
    try:
        saved = assessment_save(
            actor=request.user,
            assessment=assessment,
            version=form.cleaned_data["version"],
            data=form.service_data(list(assessment.needs.all())),
        )
    except NotPermitted:
        return not_permitted(request, NOT_AN_ASSESSOR)
    except StaleWrite:
        assessment.refresh_from_db()
        if autosave:
            return _autosave_answer(None, 409, "Someone else saved this assessment.")
        return _conflict(request, assessment, access)
    except ValidationError as exc:
        if autosave:
            return _autosave_answer(None, 400, "Some answers need correcting.")
        apply_service_errors(form, exc, aliases=service_aliases())
        return _assessment_page(request, assessment, access, form=form)
    if autosave:
        return _autosave_answer(saved)
    if action == "complete":
        try:
            assessment_complete(actor=request.user, assessment=saved, version=saved.version)
        except NotPermitted:
            return not_permitted(request, NOT_AN_ASSESSOR)
        except ValidationError as exc:
            # The draft is saved: show it as typed, at its new version, with what stops completion.
            data = request.POST.copy()
            data["version"] = str(saved.version)
            form = AssessmentForm(data, youth=_youth(saved))
            form.is_valid()
            apply_service_errors(form, exc, aliases=service_aliases())
            return _assessment_page(request, saved, access, form=form, notice=NOT_COMPLETED)
        messages.success(
            request, f"Assessment {saved.number} is complete. The plan below puts the needs in order."
        )
        return redirect("plan_detail", pk=saved.episode_id)
    messages.success(request, "Saved as a draft. You or a colleague can come back to it and finish it later.")
    return redirect("assessment_detail", pk=saved.pk)
