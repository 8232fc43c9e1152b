"""The consent pages: a person's consent and sharing (per team), asking for a lawful basis to share
without consent, the team lead's queue of those requests, and the person's disclosure log.

Views stay thin: the person is reached through the access helpers (404 and an audit event for
outsiders), the role checked once, input parsed with a form, one service called.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liaison.consent import queries, services
from liaison.consent.forms import BasisForm, ConsentForm, DecideForm, WithdrawForm
from liaison.consent.models import ContentKind, Purpose, RecipientKind
from liaison.core.access import Access, deny, get_person_for_user
from liaison.core.audit import audit
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.forms import apply_service_errors
from liaison.core.models import Team
from liaison.core.permissions import can
from liaison.core.views import (
    AuthenticatedRequest,
    clinical_membership,
    no_access,
    not_permitted,
    render_page,
)
from liaison.people.models import Person

NOT_A_RECORDER = "Your role cannot record consent in this team."
NOT_A_REQUESTER = "Only practitioners and team leads can ask to share without consent."
NOT_A_DECIDER = "Only a team lead can decide requests to share without consent."
CONFLICT = (
    "Someone else changed this after you opened it. Check it below, then make your change again "
    "if it is still needed. Nothing you entered has been saved."
)


# --- the person's consent page ----------------------------------------------------------------------


def _consent_page(
    request: AuthenticatedRequest,
    person: Person,
    access: Access,
    *,
    record_form: ConsentForm | None = None,
    withdraw_forms: dict[int, WithdrawForm] | None = None,
    problems: list[dict[str, str]] | None = None,
    status: int | None = None,
) -> HttpResponse:
    team_id = int(access.team_id or 0)
    history = queries.consent_history(person, team_id)
    bases = queries.sharing_bases(person, team_id)
    may_record = can(request.user, "consent.record", team_id)
    withdraw_forms = dict(withdraw_forms or {})
    rows = []
    for consent in history:
        form = None
        if may_record and consent.withdrawn_at is None and consent.decision == "given":
            form = withdraw_forms.get(consent.pk) or WithdrawForm(
                prefix=f"withdraw-{consent.pk}", initial={"version": consent.version}
            )
        rows.append({"consent": consent, "form": form, "scopes": list(consent.scopes.all())})
    if may_record and record_form is None:
        record_form = ConsentForm(initial={"purpose": Purpose.SHARING})
    context: dict[str, Any] = {
        "person": person,
        "access": access,
        "team": Team.objects.filter(pk=team_id).first(),
        "grid": queries.consent_grid(person, history=history, bases=bases),
        "content_kinds": ContentKind.choices,
        "recipient_kinds": RecipientKind.choices,
        "assessment": queries.assessment_consent(history),
        "history": rows,
        "bases": bases,
        "record_form": record_form if may_record else None,
        "under_18": services.is_under_18(person, timezone.localdate()),
        "may_request_basis": can(request.user, "consent.request_basis", team_id),
        "may_decide_basis": can(request.user, "consent.approve_basis", team_id),
        "problems": problems or [],
    }
    forms: tuple[BaseForm | None, ...] = (record_form, *withdraw_forms.values())
    return render_page(
        request,
        "consent/person_consent.html",
        context,
        forms=forms,
        has_problems=bool(problems),
        status=status,
    )


@require_GET
def person_consent(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person, access = get_person_for_user(request.user, pk, action="consent.view")
    return _consent_page(request, person, access)


@require_POST
def consent_record(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person, access = get_person_for_user(request.user, pk, action="consent.view")
    team_id = int(access.team_id or 0)
    if not can(request.user, "consent.record", team_id):
        return not_permitted(request, NOT_A_RECORDER)
    form = ConsentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_consent(
                actor=request.user,
                person=person,
                team=team_id,
                purpose=data["purpose"],
                decision=data["decision"],
                pairs=data["pairs"] if data["purpose"] == Purpose.SHARING else [],
                capacity=data["capacity"],
                capacity_note=data["capacity_note"],
                guardian=data["guardian"],
                guardian_name=data["guardian_name"],
                guardian_note=data["guardian_note"],
                note=data["note"],
            )
        except NotPermitted:
            return not_permitted(request, NOT_A_RECORDER)
        except ValidationError as exc:
            apply_service_errors(form, exc, aliases={"episode": "__all__", "at": "__all__"})
        else:
            messages.success(request, "Consent recorded.")
            return redirect("consent:person_consent", pk=person.pk)
    return _consent_page(request, person, access, record_form=form)


@require_POST
def consent_withdraw(request: AuthenticatedRequest, pk: int, consent_id: int) -> HttpResponse:
    person, access = get_person_for_user(request.user, pk, action="consent.view")
    team_id = int(access.team_id or 0)
    consent = queries.team_consent(person, team_id, consent_id)
    if consent is None:
        raise deny(request.user, object_type="consent", object_id=consent_id, person_id=person.pk)
    if not can(request.user, "consent.record", team_id):
        return not_permitted(request, NOT_A_RECORDER)
    form = WithdrawForm(request.POST, prefix=f"withdraw-{consent.pk}")
    if form.is_valid():
        try:
            services.withdraw_consent(
                actor=request.user,
                consent=consent,
                version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
            )
        except NotPermitted:
            return not_permitted(request, NOT_A_RECORDER)
        except StaleWrite:
            return _consent_page(
                request,
                person,
                access,
                problems=[{"text": CONFLICT, "href": "#history"}],
                status=409,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc, aliases={"withdrawal_note": "note", "consent": "__all__"})
        else:
            messages.success(request, "Consent withdrawn. Nothing more will be shared under it.")
            return redirect("consent:person_consent", pk=person.pk)
    return _consent_page(request, person, access, withdraw_forms={consent.pk: form})


# --- sharing without consent ------------------------------------------------------------------------


def _end_of(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


@require_http_methods(["GET", "POST"])
def basis_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person, access = get_person_for_user(request.user, pk, action="consent.view")
    team_id = int(access.team_id or 0)
    if not can(request.user, "consent.request_basis", team_id):
        return not_permitted(request, NOT_A_REQUESTER)
    form = BasisForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.request_basis(
                actor=request.user,
                person=person,
                team=team_id,
                recipient_kind=data["recipient_kind"],
                content_kinds=data["content_kinds"],
                basis=data["basis"],
                reason=data["reason"],
                expires_at=_end_of(data["expires_on"]),
            )
        except NotPermitted:
            return not_permitted(request, NOT_A_REQUESTER)
        except ValidationError as exc:
            apply_service_errors(form, exc, aliases={"expires_at": "expires_on", "episode": "__all__"})
        else:
            messages.success(
                request, "Request sent to the team leads. Nothing is shared until one approves it."
            )
            return redirect("consent:person_consent", pk=person.pk)
    context = {"person": person, "access": access, "form": form}
    return render_page(request, "consent/basis_new.html", context, forms=(form,))


def _queue_page(
    request: AuthenticatedRequest,
    team_id: int,
    *,
    forms: dict[int, DecideForm] | None = None,
    problems: list[dict[str, str]] | None = None,
    status: int | None = None,
) -> HttpResponse:
    forms = dict(forms or {})
    waiting = list(queries.basis_queue(team_id))
    decided = queries.recently_decided(team_id)
    rows = [
        {
            "basis": basis,
            "own": basis.requested_by_id == request.user.pk,
            "form": forms.get(basis.pk)
            or DecideForm(prefix=f"decide-{basis.pk}", initial={"version": basis.version}),
        }
        for basis in waiting
    ]
    audit(
        actor=request.user,
        action="consent.basis_queue",
        team_id=team_id,
        role="team_lead",
        detail={"waiting": len(waiting)},
        person_ids=[b.person_id for b in waiting] + [b.person_id for b in decided],
    )
    context = {"rows": rows, "decided": decided, "problems": problems or []}
    return render_page(
        request,
        "consent/basis_queue.html",
        context,
        forms=tuple(forms.values()),
        has_problems=bool(problems),
        status=status,
    )


@require_GET
def basis_queue(request: AuthenticatedRequest) -> HttpResponse:
    membership = clinical_membership(request)
    if membership is None:
        return no_access(request)
    if not can(request.user, "consent.approve_basis", membership.team_id):
        return not_permitted(request, NOT_A_DECIDER)
    return _queue_page(request, membership.team_id)


@require_POST
def basis_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    membership = clinical_membership(request)
    if membership is None:
        return no_access(request)
    basis = queries.team_basis(membership.team_id, pk)
    if basis is None:
        raise deny(request.user, object_type="sharing_basis", object_id=pk)
    if not can(request.user, "consent.approve_basis", membership.team_id):
        return not_permitted(request, NOT_A_DECIDER)
    form = DecideForm(request.POST, prefix=f"decide-{basis.pk}")
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.decide_basis(
                actor=request.user,
                sharing_basis=basis,
                version=form.cleaned_data["version"],
                approve=approve,
                note=form.cleaned_data["note"],
            )
        except NotPermitted as exc:
            form.add_error(None, str(exc))
        except StaleWrite:
            return _queue_page(
                request, membership.team_id, problems=[{"text": CONFLICT, "href": "#waiting"}], status=409
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Request approved." if approve else "Request refused.")
            return redirect("consent:basis_queue")
    return _queue_page(request, membership.team_id, forms={basis.pk: form})


# --- the disclosure log -----------------------------------------------------------------------------


@require_GET
def person_disclosures(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person, access = get_person_for_user(request.user, pk, action="disclosure.list")
    page = Paginator(queries.disclosures_for_person(person), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"person": person, "access": access, "page": page}
    return render_page(request, "consent/person_disclosures.html", context)
