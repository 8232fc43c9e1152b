"""Retention pages: the team's records past retention, legal holds (place, lift), and destroying a record
(propose; approve or reject by a second person). Addresses carry record ids only."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liaison.core.access import deny, get_person_for_user
from liaison.core.audit import audit
from liaison.core.errors import NotPermitted
from liaison.core.forms import apply_service_errors
from liaison.core.mfa import CodeForm, step_up_form
from liaison.core.permissions import can
from liaison.core.views import (
    AuthenticatedRequest,
    clinical_membership,
    no_access,
    not_permitted,
    render_page,
)
from liaison.people.models import Person
from liaison.rights.destruction import (
    NOT_A_LEAD,
    PROPOSE,
    destruction_approve,
    destruction_counts,
    destruction_propose,
    destruction_reject,
    legal_hold_lift,
    legal_hold_place,
    may_decide,
    not_due_reason,
)
from liaison.rights.forms import DecisionForm, LegalHoldForm, LiftHoldForm, ProposeDestructionForm
from liaison.rights.models import DestructionProposal, ProposalStatus
from liaison.rights.queries import get_proposal_for_user, hold_of, open_proposal, team_open_proposals
from liaison.rights.retention import retention_of, team_past_retention


@require_GET
def retention_list(request: AuthenticatedRequest) -> HttpResponse:
    """The team's records past their retention date (not held), longest overdue first."""
    membership = clinical_membership(request)
    if membership is None:
        return no_access(request)
    if not can(request.user, PROPOSE, membership.team_id):
        return not_permitted(request, NOT_A_LEAD)
    page = Paginator(team_past_retention(membership.team_id), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    items = list(page)
    proposals = {p.person_id: p for p in team_open_proposals(membership.team_id)}
    audit(
        actor=request.user,
        action="rights.retention_list",
        team_id=membership.team_id,
        role=membership.role,
        detail={"page": page.number},
        person_ids=[item.person.pk for item in items],
    )
    rows = [{"item": item, "proposal": proposals.get(item.person.pk)} for item in items]
    context = {"membership": membership, "page": page, "rows": rows, "proposals": list(proposals.values())}
    return render_page(request, "rights/retention_list.html", context)


def _lead_person(request: AuthenticatedRequest, pk: int) -> tuple[Person, HttpResponse | None]:
    person, access = get_person_for_user(request.user, pk)
    if access.via != "relationship" or not can(request.user, PROPOSE, access.team_id):
        return person, not_permitted(request, NOT_A_LEAD)
    return person, None


@require_http_methods(["GET", "POST"])
def destruction_propose_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person, refusal = _lead_person(request, pk)
    if refusal is not None:
        return refusal
    retention = retention_of(person)
    form = ProposeDestructionForm(request.POST or None)
    problem = not_due_reason(retention, timezone.localdate())
    if request.method == "POST" and form.is_valid():
        try:
            proposal = destruction_propose(actor=request.user, person=person, **form.cleaned_data)
        except NotPermitted as exc:
            return not_permitted(request, str(exc))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, "Proposed. Another team lead or the team's administrator must approve it."
            )
            return redirect("destruction_detail", pk=proposal.pk)
    context = {
        "person": person,
        "retention": retention,
        "problem": problem,
        "form": form,
        "existing": open_proposal(person),
    }
    return render_page(request, "rights/destruction_propose.html", context, forms=(form,))


def _detail(
    request: AuthenticatedRequest,
    proposal: DestructionProposal,
    form: DecisionForm,
    *,
    code_form: CodeForm | None = None,
    status: int | None = None,
) -> HttpResponse:
    person = proposal.person
    is_open = proposal.status == ProposalStatus.PROPOSED
    retention = retention_of(person) if is_open else None
    context = {
        "proposal": proposal,
        "retention": retention,
        "problem": not_due_reason(retention, timezone.localdate()) if retention else None,
        "removed": destruction_counts(person) if is_open else {},
        "refusal": may_decide(request.user, proposal) if is_open else None,
        "form": form,
        "code_form": code_form or step_up_form(request),
    }
    return render_page(
        request, "rights/destruction_detail.html", context, forms=(form, code_form), status=status
    )


@require_GET
def destruction_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    proposal = get_proposal_for_user(request.user, pk)
    return _detail(request, proposal, DecisionForm())


@require_POST
def destruction_approve_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    proposal = get_proposal_for_user(request.user, pk, action="rights.destruction_view")
    if refusal := may_decide(request.user, proposal):
        return not_permitted(request, refusal)  # who may, before asking anyone for a code
    # Re-authentication: destroying a record cannot be undone, so the approver enters a fresh code.
    code_form = step_up_form(request, request.POST)
    if not code_form.is_valid():
        audit(
            actor=request.user,
            action="rights.destruction_reauth_failed",
            object_type="destruction_proposal",
            object_id=proposal.pk,
            person_id=proposal.person_id,
            team_id=proposal.team_id,
        )
        return _detail(request, proposal, DecisionForm(), code_form=code_form, status=400)
    try:
        record = destruction_approve(actor=request.user, proposal=proposal)
    except NotPermitted as exc:
        return not_permitted(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("destruction_detail", pk=proposal.pk)
    messages.success(
        request, f"The record was destroyed ({record.reference}). A stub and the log entry remain."
    )
    return redirect("destruction_detail", pk=proposal.pk)


@require_POST
def destruction_reject_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    proposal = get_proposal_for_user(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            destruction_reject(actor=request.user, proposal=proposal, note=form.cleaned_data["note"])
        except NotPermitted as exc:
            return not_permitted(request, str(exc))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Rejected: the record is kept.")
            return redirect("destruction_detail", pk=proposal.pk)
    return _detail(request, proposal, form, status=400)


@require_http_methods(["GET", "POST"])
def legal_hold_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person, refusal = _lead_person(request, pk)
    if refusal is not None:
        return refusal
    form = LegalHoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            legal_hold_place(actor=request.user, person=person, **form.cleaned_data)
        except NotPermitted as exc:
            return not_permitted(request, str(exc))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Legal hold placed: the record will not be destroyed while it is on.")
            return redirect("person_detail", pk=pk)
    return render_page(request, "rights/legal_hold_new.html", {"person": person, "form": form}, forms=(form,))


@require_http_methods(["GET", "POST"])
def legal_hold_lift_view(request: AuthenticatedRequest, pk: int, hold_pk: int) -> HttpResponse:
    person, refusal = _lead_person(request, pk)
    hold = hold_of(person, hold_pk)
    if hold is None:
        raise deny(request.user, object_type="legal_hold", object_id=hold_pk, person_id=pk)
    if refusal is not None:
        return refusal
    if not hold.is_on:
        raise Http404("Not found")
    form = LiftHoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            legal_hold_lift(actor=request.user, hold=hold, reason=form.cleaned_data["reason"])
        except NotPermitted as exc:
            return not_permitted(request, str(exc))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Legal hold lifted.")
            return redirect("person_detail", pk=pk)
    context = {"person": person, "hold": hold, "form": form}
    return render_page(request, "rights/legal_hold_lift.html", context, forms=(form,))
