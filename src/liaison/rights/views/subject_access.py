"""Subject access requests, for team leads: the team's open requests, recording one, extending the time,
and the export (after a fresh code from the authenticator app).

No address carries a name, NHS number or date of birth: requests are found by their own id.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liaison.core.access import get_person_for_user
from liaison.core.audit import audit
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.forms import apply_service_errors
from liaison.core.mfa import CodeForm, step_up_form
from liaison.core.permissions import can, role_in
from liaison.core.views import (
    AuthenticatedRequest,
    clinical_membership,
    no_access,
    not_permitted,
    render_page,
)
from liaison.rights.export import export_file_name
from liaison.rights.forms import ExtensionForm, SubjectAccessRequestForm
from liaison.rights.models import SubjectAccessRequest
from liaison.rights.presenters import due_tag, is_overdue
from liaison.rights.queries import get_request_for_user, team_open_requests
from liaison.rights.services import (
    NOT_A_LEAD,
    SUBJECT_ACCESS,
    refusal_for,
    subject_access_export,
    subject_access_request_extend,
    subject_access_request_record,
)

EXTEND_CONFLICT = "Someone else changed this request after you opened it. Check it, then try again."


@require_GET
def sar_list(request: AuthenticatedRequest) -> HttpResponse:
    """The team's unanswered requests, overdue first (they are due soonest), each marked."""
    membership = clinical_membership(request)
    if membership is None:
        return no_access(request)
    if not can(request.user, SUBJECT_ACCESS, membership.team_id):
        return not_permitted(request, NOT_A_LEAD)
    page = Paginator(team_open_requests(membership.team_id), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    requests: list[SubjectAccessRequest] = list(page)
    rows = [{"sar": sar, "tag": due_tag(sar, today), "overdue": is_overdue(sar, today)} for sar in requests]
    audit(
        actor=request.user,
        action="rights.sar_list",
        team_id=membership.team_id,
        role=membership.role,
        detail={"request_ids": [sar.pk for sar in requests], "page": page.number},
        person_ids=[sar.person_id for sar in requests],
    )
    context = {
        "membership": membership,
        "page": page,
        "rows": rows,
        "overdue": sum(1 for row in rows if row["overdue"]),
    }
    return render_page(request, "rights/sar_list.html", context)


@require_http_methods(["GET", "POST"])
def sar_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Record a request made by or for a person the team works with."""
    person, access = get_person_for_user(request.user, pk)
    if refusal := refusal_for(request.user, access, SUBJECT_ACCESS):
        return not_permitted(request, refusal)
    form = SubjectAccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert access.team_id is not None  # noqa: S101 - a relationship always names the team
        try:
            sar = subject_access_request_record(
                actor=request.user, person=person, team_id=access.team_id, **form.cleaned_data
            )
        except NotPermitted as exc:
            return not_permitted(request, str(exc) or NOT_A_LEAD)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Subject access request recorded. Its due date is shown below.")
            return redirect("sar_detail", pk=sar.pk)
    return render_page(request, "rights/sar_new.html", {"person": person, "form": form}, forms=(form,))


def _detail_page(
    request: AuthenticatedRequest,
    sar: SubjectAccessRequest,
    code_form: CodeForm,
    *,
    status: int | None = None,
) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "sar": sar,
        "person": sar.person,
        "tag": due_tag(sar, today),
        "overdue": is_overdue(sar, today),
        "can_extend": sar.is_open and sar.extension_months is None and today <= sar.statutory_due_on,
        "code_form": code_form,
    }
    return render_page(request, "rights/sar_detail.html", context, forms=(code_form,), status=status)


@require_GET
def sar_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sar, _ = get_request_for_user(request.user, pk)
    return _detail_page(request, sar, step_up_form(request))


@sensitive_post_parameters("code")
@require_POST
def sar_export(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """The ZIP, after a fresh code from the authenticator app: whoever is at the keyboard now."""
    sar, _ = get_request_for_user(request.user, pk)
    code_form = step_up_form(request, request.POST)
    if not code_form.is_valid():
        audit(
            actor=request.user,
            action="rights.sar_reauth_failed",
            person_id=sar.person_id,
            team_id=sar.team_id,
            role=role_in(request.user, sar.team_id) or "",
            object_type="subject_access_request",
            object_id=sar.pk,
        )
        return _detail_page(request, sar, code_form, status=400)
    try:
        content = subject_access_export(actor=request.user, sar=sar)
    except NotPermitted as exc:
        return not_permitted(request, str(exc) or NOT_A_LEAD)
    response = FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=export_file_name(sar),
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def sar_extend(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Extend the time to answer, once, by one or two months, with the reason."""
    sar, _ = get_request_for_user(request.user, pk)
    form = ExtensionForm(request.POST or None, initial={"version": sar.version})
    if request.method == "POST" and form.is_valid():
        try:
            subject_access_request_extend(actor=request.user, sar=sar, **form.cleaned_data)
        except StaleWrite:
            form.add_error(None, EXTEND_CONFLICT)
        except NotPermitted as exc:
            return not_permitted(request, str(exc) or NOT_A_LEAD)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, "The time to answer has been extended. The new due date is shown below."
            )
            return redirect("sar_detail", pk=sar.pk)
    context = {"sar": sar, "person": sar.person, "form": form, "tag": due_tag(sar)}
    return render_page(request, "rights/sar_extend.html", context, forms=(form,))
