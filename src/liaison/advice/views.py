"""The advice pages: the adviser's worklist, allocating work from an episode (or one of its needs), and
one advice record with its actions, outcomes, duty to refer and closing.

Views stay thin: fetch through the access helpers (404 and an audit event for outsiders), check the
role once, parse with a form, call one service, then redirect or render.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liaison.advice import services
from liaison.advice.forms import (
    ActionForm,
    AllocateForm,
    CloseForm,
    DutyToReferForm,
    OutcomeForm,
    ReallocateForm,
)
from liaison.advice.models import AdviceRecord, AdviceType
from liaison.advice.presenters import advice_needs
from liaison.advice.queries import (
    MINE,
    TEAM,
    advice_worklist,
    advisers_for,
    get_advice_record_for_user,
    load_record_history,
)
from liaison.assessment.presenters import need_label
from liaison.core.access import Access, get_episode_for_user
from liaison.core.audit import audit
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.forms import apply_service_errors
from liaison.core.permissions import can
from liaison.core.views import (
    AuthenticatedRequest,
    clinical_membership,
    no_access,
    not_permitted,
    render_page,
)
from liaison.episodes.models import Episode

NOT_AN_ALLOCATOR = "Your role cannot allocate advice work in this team."
NOT_AN_ADVISER = "Only the team's advisers and team leads keep advice records."
CONFLICT = (
    "Someone else changed this advice record after you opened it. Check it below, then make your "
    "change again if it is still needed. Nothing you entered has been saved."
)


# --- the adviser's worklist -----------------------------------------------------------------------


@require_GET
def worklist(request: AuthenticatedRequest) -> HttpResponse:
    membership = clinical_membership(request)
    if membership is None:
        return no_access(request)
    if not can(request.user, "advice.record", membership.team_id):
        return not_permitted(request, NOT_AN_ADVISER)
    scope = TEAM if request.GET.get("show") == TEAM else MINE
    records = advice_worklist(user=request.user, team_id=membership.team_id, scope=scope)
    page = Paginator(records, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    audit(
        actor=request.user,
        action="advice.worklist",
        team_id=membership.team_id,
        role=membership.role,
        detail={"page": page.number, "show": scope},
        person_ids=[record.episode.person_id for record in page],
    )
    context = {"membership": membership, "page": page, "scope": scope}
    return render_page(request, "advice/worklist.html", context)


# --- allocating work from an episode --------------------------------------------------------------


def _plan_needs(episode: Episode) -> list[tuple[str, str]]:
    return [(need.key, need.label) for need in advice_needs(episode, set())]


def _new_page(
    request: AuthenticatedRequest, episode: Episode, access: Access, form: AllocateForm
) -> HttpResponse:
    context = {"episode": episode, "person": episode.person, "access": access, "form": form}
    return render_page(request, "advice/new.html", context, forms=(form,))


@require_http_methods(["GET", "POST"])
def advice_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    episode, access = get_episode_for_user(request.user, pk, action="advice.allocate_view")
    if not can(request.user, "advice.allocate", episode.team_id):
        return not_permitted(request, NOT_AN_ALLOCATOR)
    needs = _plan_needs(episode)
    # The chosen need may be any need key; the form offers the plan's needs an adviser can help with.
    wanted = request.GET.get("need", "")
    if wanted and wanted not in dict(needs) and wanted in services.TYPE_FOR_NEED:
        needs.append((wanted, need_label(wanted)))
    advisers = advisers_for(episode.team_id)
    if request.method == "GET":
        initial: dict[str, Any] = {}
        if wanted in dict(needs):
            initial = {"need_key": wanted, "advice_type": services.TYPE_FOR_NEED.get(wanted, "")}
        if any(a.pk == request.user.pk for a in advisers):
            initial["adviser"] = request.user.pk
        form = AllocateForm(needs=needs, advisers=advisers, initial=initial)
        return _new_page(request, episode, access, form)
    form = AllocateForm(request.POST, needs=needs, advisers=advisers)
    if form.is_valid():
        data = form.cleaned_data
        try:
            record = services.advice_allocate(
                actor=request.user,
                episode=episode,
                advice_type=data["advice_type"],
                adviser_id=data["adviser"],
                need_key=data["need_key"],
                summary=data["summary"],
                benefit=data["benefit"],
                benefit_other=data["benefit_other"],
            )
        except NotPermitted:
            return not_permitted(request, NOT_AN_ALLOCATOR)
        except ValidationError as exc:
            apply_service_errors(form, exc, aliases={"episode": "__all__"})
        else:
            who = str(record.adviser) if record.adviser_id else "the team's advice list"
            messages.success(request, f"Advice work allocated to {who}, with a task due today.")
            return redirect("advice_detail", pk=record.pk)
    return _new_page(request, episode, access, form)


# --- one advice record ----------------------------------------------------------------------------


def _record_page(
    request: AuthenticatedRequest,
    record: AdviceRecord,
    access: Access,
    *,
    bound: BaseForm | None = None,
    problems: list[dict[str, str]] | None = None,
    status: int | None = None,
) -> HttpResponse:
    """The record, and the forms the user's role may use; `bound` is the one just posted, if any."""
    load_record_history(record)
    episode = record.episode
    team_id = episode.team_id
    may_record = can(request.user, "advice.record", team_id) and record.is_open
    may_allocate = can(request.user, "advice.allocate", team_id) and record.is_open
    forms: dict[str, BaseForm | None] = {
        "action": None,
        "outcome": None,
        "dtr": None,
        "close": None,
        "allocate": None,
    }
    if may_record:
        forms["action"] = ActionForm()
        forms["outcome"] = OutcomeForm(advice_type=record.advice_type)
        forms["close"] = CloseForm(
            outcomes=[o.kind for o in record.outcomes.all()], initial={"version": record.version}
        )
        if record.advice_type == AdviceType.HOUSING:
            forms["dtr"] = DutyToReferForm(
                initial={
                    "version": record.version,
                    "authority": record.dtr_authority,
                    "referred_on": record.dtr_referred_on,
                    "consent": "yes" if record.dtr_consent else None,
                    "response": record.dtr_response,
                    "response_on": record.dtr_response_on,
                }
            )
    if may_allocate:
        forms["allocate"] = ReallocateForm(
            advisers=[a for a in advisers_for(team_id) if a.pk != record.adviser_id],
            initial={"version": record.version},
        )
    if bound is not None and bound.prefix in forms:
        forms[str(bound.prefix)] = bound
    context: dict[str, Any] = {
        "record": record,
        "episode": episode,
        "person": episode.person,
        "access": access,
        "need": need_label(record.need_key) if record.need_key else "",
        "forms": forms,
        "problems": problems or [],
    }
    return render_page(
        request,
        "advice/record.html",
        context,
        forms=tuple(forms.values()),
        has_problems=bool(problems),
        status=status,
    )


@require_GET
def advice_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    record, access = get_advice_record_for_user(request.user, pk)
    return _record_page(request, record, access)


def _conflict(
    request: AuthenticatedRequest, record: AdviceRecord, access: Access, form: BaseForm
) -> HttpResponse:
    """Show the record as it is now, keep what was typed, and carry the new version for a deliberate retry."""
    record.refresh_from_db()
    data = request.POST.copy()
    data[f"{form.prefix}-version"] = str(record.version)
    retry = type(form)(data, **getattr(form, "_liaison_kwargs", {}))
    retry.is_valid()
    problems = [{"text": CONFLICT, "href": f"#{form.prefix}-form"}]
    return _record_page(request, record, access, bound=retry, problems=problems, status=409)


def _post(
    request: AuthenticatedRequest,
    pk: int,
    *,
    operation: str,
    refused: str,
    make_form: Any,
    save: Any,
    done: str,
) -> HttpResponse:
    """The shape every form on the record page shares: fetch, check, parse, call the service, answer."""
    record, access = get_advice_record_for_user(request.user, pk)
    if not can(request.user, operation, record.episode.team_id):
        return not_permitted(request, refused)
    if not record.is_open:
        messages.info(request, "This advice record is closed and kept as it was.")
        return redirect("advice_detail", pk=record.pk)
    form = make_form(request.POST, record)
    if form.is_valid():
        try:
            save(record, form.cleaned_data)
        except NotPermitted:
            return not_permitted(request, refused)
        except StaleWrite:
            return _conflict(request, record, access, form)
        except ValidationError as exc:
            apply_service_errors(form, exc, aliases={"record": "__all__"})
        else:
            messages.success(request, done)
            return redirect(reverse("advice_detail", kwargs={"pk": record.pk}))
    return _record_page(request, record, access, bound=form)


def _with_kwargs(form_class: Any, **kwargs: Any) -> Any:
    """A form built with its extra arguments remembered, so a conflict can rebuild it the same way."""

    def build(data: Any, record: AdviceRecord) -> BaseForm:
        form = form_class(data, **kwargs)
        form._liaison_kwargs = kwargs
        return form

    return build


@require_POST
def advice_action(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        operation="advice.record",
        refused=NOT_AN_ADVISER,
        make_form=_with_kwargs(ActionForm),
        save=lambda record, data: services.advice_action_add(
            actor=request.user, record=record, done_on=data["done_on"], what=data["what"]
        ),
        done="Action recorded.",
    )


@require_POST
def advice_outcome(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def make_form(data: Any, record: AdviceRecord) -> BaseForm:
        return _with_kwargs(OutcomeForm, advice_type=record.advice_type)(data, record)

    return _post(
        request,
        pk,
        operation="advice.record",
        refused=NOT_AN_ADVISER,
        make_form=make_form,
        save=lambda record, data: services.advice_outcome_add(
            actor=request.user,
            record=record,
            kind=data["kind"],
            achieved_on=data["achieved_on"],
            amount=data["amount"],
            frequency=data["frequency"],
            note=data["note"],
        ),
        done="Outcome recorded.",
    )


@require_POST
def advice_duty_to_refer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        operation="advice.record",
        refused=NOT_AN_ADVISER,
        make_form=_with_kwargs(DutyToReferForm),
        save=lambda record, data: services.duty_to_refer_record(
            actor=request.user,
            record=record,
            version=data["version"],
            authority=data["authority"],
            referred_on=data["referred_on"],
            consent=data["consent"],
            response=data["response"],
            response_on=data["response_on"],
        ),
        done="Duty-to-refer referral saved.",
    )


@require_POST
def advice_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def make_form(data: Any, record: AdviceRecord) -> BaseForm:
        kinds = list(record.outcomes.values_list("kind", flat=True))
        return _with_kwargs(CloseForm, outcomes=kinds)(data, record)

    return _post(
        request,
        pk,
        operation="advice.record",
        refused=NOT_AN_ADVISER,
        make_form=make_form,
        save=lambda record, data: services.advice_close(
            actor=request.user,
            record=record,
            version=data["version"],
            closing_outcome=data["closing_outcome"],
            note=data["note"],
        ),
        done="Advice record closed.",
    )


@require_POST
def advice_reallocate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def make_form(data: Any, record: AdviceRecord) -> BaseForm:
        return _with_kwargs(ReallocateForm, advisers=advisers_for(record.episode.team_id))(data, record)

    return _post(
        request,
        pk,
        operation="advice.allocate",
        refused=NOT_AN_ALLOCATOR,
        make_form=make_form,
        save=lambda record, data: services.advice_reallocate(
            actor=request.user, record=record, version=data["version"], adviser_id=data["adviser"]
        ),
        done="Advice work allocated, with a task due today.",
    )


__all__ = [
    "advice_action",
    "advice_close",
    "advice_detail",
    "advice_duty_to_refer",
    "advice_new",
    "advice_outcome",
    "advice_reallocate",
    "worklist",
]
