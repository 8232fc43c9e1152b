"""Pages for screening within an episode: pick an instrument that suits the person's age, answer it
item by item (saving partial answers), complete it, and see the total, band and flags.

Views stay thin: fetch through the access helpers (404 and an audit event for outsiders), check the
role once, parse with a form, call one service, then redirect or render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liaison.core.access import Access, get_episode_for_user
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.forms import apply_service_errors
from liaison.core.permissions import can
from liaison.core.views import AuthenticatedRequest, not_permitted, render_page
from liaison.episodes.models import Stage
from liaison.screening import instruments, services
from liaison.screening.forms import AcknowledgeForm, AnswersForm, StartForm, answer_aliases
from liaison.screening.models import Screening
from liaison.screening.presenters import (
    acknowledgement_summary,
    alert_view,
    answer_rows,
    band_label,
    definition_of,
    flag_views,
    question_text,
    subscore_rows,
)
from liaison.screening.queries import get_screening_for_user
from liaison.screening.services import screening_complete, screening_save_answers, screening_start

NOT_A_SCREENER = "Only practitioners and team leads can record screenings."
NOT_AN_ACKNOWLEDGER = "Only practitioners and team leads can acknowledge a suicide-risk alert."
ACKNOWLEDGE_CONFLICT = (
    "Someone else changed this screening after you opened it, and may have acknowledged the alert. "
    "Check the alert below, then submit again if it still needs acknowledging. Nothing you entered has "
    "been saved yet."
)
SCREENING_CONFLICT = (
    "Someone else saved this screening after you opened it. The answers below are the ones you entered: "
    "check them, then save again. Nothing you entered has been saved yet."
)


# --- starting -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def screening_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    episode, access = get_episode_for_user(request.user, pk)
    if not can(request.user, "screening.record", episode.team_id):
        return not_permitted(request, NOT_A_SCREENER)
    person = episode.person
    today = timezone.localdate()
    age = person.age_on(today)
    offered = list(instruments.for_age(age))
    form = StartForm(request.POST or None, offered=offered)
    if request.method == "POST" and form.is_valid():
        try:
            screening = screening_start(
                actor=request.user, episode=episode, instrument=form.cleaned_data["instrument"]
            )
        except NotPermitted:
            return not_permitted(request, NOT_A_SCREENER)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("screening_detail", pk=screening.pk)
    context = {
        "episode": episode,
        "person": person,
        "access": access,
        "form": form,
        "age": age,
        "offered": offered,
        "closed": episode.stage == Stage.CLOSED,
    }
    return render_page(request, "screening/screening_new.html", context, forms=(form,))


# --- answering and the result ---------------------------------------------------------------------


def _page(
    request: AuthenticatedRequest,
    screening: Screening,
    access: Access,
    *,
    form: AnswersForm | None = None,
    problems: list[dict[str, str]] | None = None,
    status: int | None = None,
) -> HttpResponse:
    definition = definition_of(screening)
    profile = definition.profile(screening.profile) or definition.default_profile
    may_record = can(request.user, "screening.record", screening.episode.team_id)
    editable = may_record and not screening.is_complete and screening.episode.stage != Stage.CLOSED
    if editable and form is None:
        form = AnswersForm(
            initial=AnswersForm.initial_for(
                screening.answers, version=screening.version, profile=screening.profile, note=screening.note
            ),
            definition=definition,
            profile=profile,
        )
    context: dict[str, Any] = {
        "screening": screening,
        "episode": screening.episode,
        "person": screening.episode.person,
        "access": access,
        "definition": definition,
        "profile": profile,
        "form": form if editable else None,
        "may_record": may_record,
        "answers": answer_rows(screening),
        "subscores": subscore_rows(definition, screening.subscores),
        "band_label": band_label(definition, screening.profile, screening.band),
        "flags": flag_views(definition, screening.flags),
        "suicide_risk": screening.suicide_risk,
        "acknowledgement": acknowledgement_summary(screening),
        "may_acknowledge": may_record and screening.suicide_risk and access.via != "break_glass",
        "questions_shown": any(question_text(definition, item) for item in definition.items),
        "problems": problems or [],
    }
    return render_page(
        request,
        "screening/screening.html",
        context,
        forms=(form,) if editable else (),
        has_problems=bool(problems),
        status=status,
    )


@require_GET
def screening_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    screening, access = get_screening_for_user(request.user, pk)
    return _page(request, screening, access)


def _conflict(request: AuthenticatedRequest, screening: Screening, access: Access) -> HttpResponse:
    """Keep what the user entered, carry the current version, and say why nothing was saved."""
    definition = definition_of(screening)
    profile = definition.profile(screening.profile) or definition.default_profile
    data = request.POST.copy()
    data["version"] = str(screening.version)
    form = AnswersForm(data, definition=definition, profile=profile)
    form.is_valid()
    problems = [{"text": SCREENING_CONFLICT, "href": "#answers"}]
    return _page(request, screening, access, form=form, problems=problems, status=409)


@require_POST
def screening_answers(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Save partial answers ("save"), or save and score them ("complete")."""
    screening, access = get_screening_for_user(request.user, pk)
    if not can(request.user, "screening.record", screening.episode.team_id):
        return not_permitted(request, NOT_A_SCREENER)
    if screening.is_complete:
        messages.info(request, "This screening is already complete: its answers cannot be changed.")
        return redirect("screening_detail", pk=screening.pk)
    if request.POST.get("version", "") != str(screening.version):
        return _conflict(request, screening, access)
    definition = definition_of(screening)
    profile = (
        definition.profile(request.POST.get("profile") or screening.profile) or definition.default_profile
    )
    form = AnswersForm(request.POST, definition=definition, profile=profile)
    completing = request.POST.get("action") == "complete"
    if not form.is_valid():
        return _page(request, screening, access, form=form)
    data = form.cleaned_data
    try:
        # Saving and scoring succeed or fail together: a refused completion changes nothing.
        with transaction.atomic():
            saved = screening_save_answers(
                actor=request.user,
                screening=screening,
                version=data["version"],
                answers=form.answers(),
                profile=data.get("profile") or screening.profile,
                note=data["note"],
            )
            if completing:
                saved = screening_complete(actor=request.user, screening=saved, version=saved.version)
    except NotPermitted:
        return not_permitted(request, NOT_A_SCREENER)
    except StaleWrite:
        screening.refresh_from_db()
        return _conflict(request, screening, access)
    except ValidationError as exc:
        screening.refresh_from_db()
        apply_service_errors(form, exc, aliases=answer_aliases(definition))
        return _page(request, screening, access, form=form)
    if completing:
        if saved.suicide_risk:
            messages.warning(
                request, "Screening complete. Suicide risk was flagged: an urgent task due today was added."
            )
        else:
            messages.success(request, "Screening complete.")
    else:
        messages.success(request, "Answers saved. You can come back and finish later.")
    return redirect("screening_detail", pk=screening.pk)


# --- acknowledging the suicide-risk alert ---------------------------------------------------------


def _acknowledge_page(
    request: AuthenticatedRequest,
    screening: Screening,
    access: Access,
    form: AcknowledgeForm | None,
    *,
    problems: list[dict[str, str]] | None = None,
    status: int | None = None,
) -> HttpResponse:
    if screening.is_acknowledged:
        form = None
    elif form is None:
        form = AcknowledgeForm(initial={"version": screening.version})
    context = {
        "screening": screening,
        "episode": screening.episode,
        "person": screening.episode.person,
        "access": access,
        "alert": alert_view(screening),
        "form": form,
        "problems": problems or [],
    }
    return render_page(
        request,
        "screening/acknowledge.html",
        context,
        forms=(form,),
        has_problems=bool(problems),
        status=status,
    )


def _acknowledge_conflict(
    request: AuthenticatedRequest, screening: Screening, access: Access
) -> HttpResponse:
    """Keep what the user entered, carry the current version, and say why nothing was saved."""
    data = request.POST.copy()
    data["version"] = str(screening.version)
    form = AcknowledgeForm(data)
    form.is_valid()
    problems = [{"text": ACKNOWLEDGE_CONFLICT, "href": "#alert"}]
    return _acknowledge_page(request, screening, access, form, problems=problems, status=409)


@require_http_methods(["GET", "POST"])
def screening_acknowledge(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Acknowledge a suicide-risk alert: what was done, and a note. The urgent task stays open."""
    screening, access = get_screening_for_user(request.user, pk)
    if access.via == "break_glass":
        return not_permitted(request, services.BREAK_GLASS_READ_ONLY)
    if not can(request.user, "screening.record", screening.episode.team_id):
        return not_permitted(request, NOT_AN_ACKNOWLEDGER)
    if not (screening.is_complete and screening.suicide_risk):
        messages.info(request, "This screening raised no suicide-risk alert to acknowledge.")
        return redirect("screening_detail", pk=screening.pk)
    if request.method != "POST":
        return _acknowledge_page(request, screening, access, None)
    form = AcknowledgeForm(request.POST)
    if screening.is_acknowledged or request.POST.get("version", "") != str(screening.version):
        return _acknowledge_conflict(request, screening, access)
    if not form.is_valid():
        return _acknowledge_page(request, screening, access, form)
    data = form.cleaned_data
    try:
        services.screening_acknowledge(
            actor=request.user,
            screening=screening,
            version=data["version"],
            action=data["action"],
            note=data["note"],
        )
    except NotPermitted as exc:
        return not_permitted(request, str(exc) or NOT_AN_ACKNOWLEDGER)
    except StaleWrite:
        screening.refresh_from_db()
        return _acknowledge_conflict(request, screening, access)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _acknowledge_page(request, screening, access, form)
    messages.success(
        request,
        "Alert acknowledged. The urgent task stays open until someone marks it done.",
    )
    return redirect("person_detail", pk=screening.episode.person_id)
