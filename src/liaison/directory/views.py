"""The directory pages: browse and search, a service's page, new and edit (team leads), and the team's
own local knowledge and named contacts.

Directory records are not person data: any clinical member of any team reads them. Local knowledge
and named contacts are the current team's only; another team's are neither shown nor reachable.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from liaison.assessment.codes import codes
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.forms import YesNoNotKnownField, apply_service_errors
from liaison.core.models import Membership
from liaison.core.permissions import can
from liaison.core.teams import current_membership
from liaison.core.views import AuthenticatedRequest, not_permitted, render_page
from liaison.directory import presenters
from liaison.directory.forms import DirectorySearchForm, LocalKnowledgeForm, NamedContactForm, ServiceForm
from liaison.directory.models import ReferralRoute, Service
from liaison.directory.queries import (
    get_named_contact_for_team,
    get_service,
    get_service_for_edit,
    search_services,
    team_layer,
)
from liaison.directory.services import (
    editable_schedules,
    local_knowledge_save,
    named_contact_add,
    named_contact_remove,
    service_create,
    service_update,
)
from liaison.directory.taxonomy import NEEDS_TAXONOMY_ID

PAGE_SIZE = 25
NOT_A_READER = "The service directory is for the clinical members of a team."
NOT_AN_EDITOR = "Only team leads can add or change services in the directory."
SERVICE_CONFLICT = (
    "Someone else changed this service after you opened it. What you entered is below: check it, then "
    "save again. Nothing you entered has been saved yet."
)
KNOWLEDGE_CONFLICT = (
    "Someone in your team changed these notes after you opened them. What you entered is below: check it, "
    "then save again. Nothing you entered has been saved yet."
)


def _reader(request: AuthenticatedRequest) -> Membership | None:
    membership = current_membership(request)
    if membership is None or not can(request.user, "directory.view", membership.team_id):
        return None
    return membership


@require_http_methods(["GET"])
def directory_list(request: AuthenticatedRequest) -> HttpResponse:
    membership = _reader(request)
    if membership is None:
        return not_permitted(request, NOT_A_READER)
    form = DirectorySearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    services = search_services(
        search=filters.get("q", ""), need=filters.get("need", ""), status=filters.get("status", "")
    )
    page = Paginator(services, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"service": s, "status": presenters.status_tag(s.status)} for s in page.object_list]
    return render_page(
        request,
        "directory/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "filtered": bool(filters and any(filters.values())),
            "membership": membership,
            "can_edit": can(request.user, "directory.edit", membership.team_id),
        },
        forms=(form,),
    )


def _outcome_rows(outcomes: dict[str, Any]) -> list[dict[str, Any]]:
    labels = codes()
    return [
        {"need": labels.label(key) if key in labels.keys else key, "outcomes": value}
        for key, value in sorted(outcomes.items(), key=lambda item: item[0])
    ]


@require_http_methods(["GET"])
def service_detail(request: AuthenticatedRequest, pk: str) -> HttpResponse:
    membership = _reader(request)
    if membership is None:
        return not_permitted(request, NOT_A_READER)
    service = get_service(pk)
    layer = team_layer(membership.team_id, service)
    areas = list(service.service_areas.all())
    attributes = sorted(
        service.attributes.all(),
        key=lambda a: (a.taxonomy_term.taxonomy_id != NEEDS_TAXONOMY_ID, a.taxonomy_term.name),
    )
    knowledge = layer.knowledge
    return render_page(
        request,
        "directory/service.html",
        {
            "service": service,
            "membership": membership,
            "status": presenters.status_tag(service.status),
            "opening": presenters.opening_times(service.schedules.all(), service.open_bank_holidays),
            "eligibility": presenters.eligibility_words(service, areas),
            "locations": [sal.location for sal in service.service_at_locations.all()],
            "contacts": list(service.contacts.all()),
            "phones": list(service.phones.all()),
            "costs": list(service.cost_options.all()),
            "languages": list(service.languages.all()),
            "attributes": attributes,
            "knowledge": knowledge,
            "routes": presenters.referral_routes_words(knowledge.referral_routes) if knowledge else "",
            "named_contacts": layer.contacts,
            "outcomes": _outcome_rows(layer.outcomes),
            "contact_form": NamedContactForm(),
            "can_edit": can(request.user, "directory.edit", membership.team_id),
            "can_note": can(request.user, "directory.local_knowledge", membership.team_id),
        },
    )


def _service_form_page(
    request: AuthenticatedRequest,
    form: ServiceForm,
    service: Service | None,
    *,
    problems: list[dict[str, str]] | None = None,
    status: int | None = None,
) -> HttpResponse:
    return render_page(
        request,
        "directory/service_form.html",
        {"form": form, "service": service, "problems": problems or []},
        forms=(form,),
        has_problems=bool(problems),
        status=status,
    )


def _editor(request: AuthenticatedRequest) -> Membership | None:
    membership = current_membership(request)
    if membership is None or not can(request.user, "directory.edit", membership.team_id):
        return None
    return membership


@require_http_methods(["GET", "POST"])
def service_new(request: AuthenticatedRequest) -> HttpResponse:
    membership = _editor(request)
    if membership is None:
        return not_permitted(request, NOT_AN_EDITOR)
    if request.method == "GET":
        form = ServiceForm(initial={"status": "active", "eligible_sex": "any"})
        return _service_form_page(request, form, None)
    form = ServiceForm(request.POST)
    if request.POST.get("action") == "add_row" or not form.is_valid():
        return _service_form_page(request, form, None)
    try:
        service = service_create(actor=request.user, team_id=membership.team_id, data=form.service_input())
    except NotPermitted:
        return not_permitted(request, NOT_AN_EDITOR)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _service_form_page(request, form, None)
    messages.success(request, f"Service added: {service.name}.")
    return redirect("directory:service_detail", pk=service.pk)


@require_http_methods(["GET", "POST"])
def service_edit(request: AuthenticatedRequest, pk: str) -> HttpResponse:
    membership = _editor(request)
    if membership is None:
        return not_permitted(request, NOT_AN_EDITOR)
    service = get_service_for_edit(pk)
    schedules = editable_schedules(service)
    if request.method == "GET":
        areas = [a.postcode_prefixes for a in service.service_areas.all() if a.postcode_prefixes]
        form = ServiceForm(
            schedules=schedules,
            initial={
                "version": service.version,
                "name": service.name,
                "organization_name": service.organization.name,
                "description": service.description,
                "status": service.status,
                "minimum_age": service.minimum_age,
                "maximum_age": service.maximum_age,
                "eligible_sex": service.eligible_sex or "any",
                "areas_served": " ".join(areas),
                "url": service.url,
                "email": service.email,
                "fees_description": service.fees_description,
                "open_bank_holidays": service.open_bank_holidays,
                "published": service.published,
            },
        )
        return _service_form_page(request, form, service)
    form = ServiceForm(request.POST, schedules=schedules)
    if request.POST.get("action") == "add_row" or not form.is_valid():
        return _service_form_page(request, form, service)
    try:
        service = service_update(
            actor=request.user,
            team_id=membership.team_id,
            service=service,
            version=form.cleaned_data.get("version") or 0,
            data=form.service_input(),
        )
    except NotPermitted:
        return not_permitted(request, NOT_AN_EDITOR)
    except StaleWrite as exc:
        stale = request.POST.copy()
        stale["version"] = str(exc.current)
        form = ServiceForm(stale, schedules=schedules)
        form.is_valid()
        problems = [{"text": SERVICE_CONFLICT, "href": "#service-form"}]
        return _service_form_page(request, form, service, problems=problems, status=409)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _service_form_page(request, form, service)
    messages.success(request, f"Service updated: {service.name}.")
    return redirect("directory:service_detail", pk=service.pk)


def _knowledge_page(
    request: AuthenticatedRequest,
    service: Service,
    form: LocalKnowledgeForm,
    membership: Membership,
    *,
    problems: list[dict[str, str]] | None = None,
    status: int | None = None,
) -> HttpResponse:
    return render_page(
        request,
        "directory/local_knowledge.html",
        {
            "service": service,
            "form": form,
            "membership": membership,
            "route_choices": ReferralRoute.choices,
            "problems": problems or [],
        },
        forms=(form,),
        has_problems=bool(problems),
        status=status,
    )


def _noter(request: AuthenticatedRequest) -> Membership | None:
    membership = current_membership(request)
    if membership is None or not can(request.user, "directory.local_knowledge", membership.team_id):
        return None
    return membership


@require_http_methods(["GET", "POST"])
def local_knowledge_edit(request: AuthenticatedRequest, pk: str) -> HttpResponse:
    membership = _noter(request)
    if membership is None:
        return not_permitted(request, NOT_A_READER)
    service = get_service_for_edit(pk)
    knowledge = team_layer(membership.team_id, service).knowledge
    if request.method == "GET":
        initial: dict[str, Any] = {"version": 0}
        if knowledge is not None:
            initial = {
                "version": knowledge.version,
                "referral_routes": knowledge.referral_routes,
                "how_to_refer": knowledge.how_to_refer,
                "typical_wait_days": knowledge.typical_wait_days,
                "accepts_from_custody": YesNoNotKnownField.initial_for(knowledge.accepts_from_custody),
                "accepts_from_court": YesNoNotKnownField.initial_for(knowledge.accepts_from_court),
                "last_contact_on": knowledge.last_contact_on,
                "relationship_notes": knowledge.relationship_notes,
            }
        return _knowledge_page(request, service, LocalKnowledgeForm(initial=initial), membership)
    form = LocalKnowledgeForm(request.POST)
    if not form.is_valid():
        return _knowledge_page(request, service, form, membership)
    try:
        local_knowledge_save(
            actor=request.user,
            team_id=membership.team_id,
            service=service,
            version=form.cleaned_data.get("version") or 0,
            data=form.knowledge_input(),
        )
    except NotPermitted:
        return not_permitted(request, NOT_A_READER)
    except StaleWrite as exc:
        stale = request.POST.copy()
        stale["version"] = str(exc.current or 0)
        form = LocalKnowledgeForm(stale)
        form.is_valid()
        problems = [{"text": KNOWLEDGE_CONFLICT, "href": "#knowledge-form"}]
        return _knowledge_page(request, service, form, membership, problems=problems, status=409)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _knowledge_page(request, service, form, membership)
    messages.success(request, "Your team's notes on this service are saved.")
    return redirect("directory:service_detail", pk=service.pk)


@require_POST
def named_contact_new(request: AuthenticatedRequest, pk: str) -> HttpResponse:
    membership = _noter(request)
    if membership is None:
        return not_permitted(request, NOT_A_READER)
    service = get_service_for_edit(pk)
    form = NamedContactForm(request.POST)
    if form.is_valid():
        try:
            contact = named_contact_add(
                actor=request.user, team_id=membership.team_id, service=service, data=form.cleaned_data
            )
        except NotPermitted:
            return not_permitted(request, NOT_A_READER)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Contact added: {contact.name}.")
            return redirect("directory:service_detail", pk=service.pk)
    return render_page(
        request,
        "directory/named_contact_new.html",
        {"service": service, "form": form, "membership": membership},
        forms=(form,),
    )


@require_POST
def named_contact_delete(request: AuthenticatedRequest, pk: str, contact_pk: int) -> HttpResponse:
    membership = current_membership(request)
    service = get_service_for_edit(pk)
    # Another team's contact (or none) is 404 and audited, as a missing one is.
    contact = get_named_contact_for_team(
        request.user, membership.team_id if membership else 0, service, contact_pk
    )
    if membership is None or not can(request.user, "directory.local_knowledge", membership.team_id):
        return not_permitted(request, NOT_A_READER)
    named_contact_remove(actor=request.user, contact=contact)
    messages.success(request, f"Contact removed: {contact.name}.")
    return redirect("directory:service_detail", pk=service.pk)
