"""Pages for finding a person, their record, keeping it right (details, contacts, other names), and
(for team leads) who has looked at it.

Views stay thin: fetch through the access helpers, check the role once, parse with a form, call one
service, then redirect or render. Errors from services land beside the fields they name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liaison.core.access import MAX_ID, Access, deny, get_person_for_user, person_access
from liaison.core.audit import audit
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.forms import apply_service_errors
from liaison.core.permissions import can
from liaison.core.presenters import episode_timeline, needs_responsible_adult, open_tasks, person_field
from liaison.core.teams import current_membership
from liaison.core.views import (
    AuthenticatedRequest,
    clinical_membership,
    no_access,
    not_permitted,
    render_page,
)
from liaison.matching.records import is_merged_away
from liaison.matching.views import person_merged_page
from liaison.people.forms import AliasForm, PersonContactForm, PersonEditForm, PersonSearchForm
from liaison.people.models import Person
from liaison.people.queries import (
    SEARCH_LIMIT,
    active_break_glass,
    alias_of,
    audit_events_for_person,
    contact_of,
    load_person_record,
    other_names_found,
    search_people,
    team_names,
    user_names,
)
from liaison.people.services import (
    NOT_AN_EDITOR,
    alias_add,
    alias_remove,
    editing_refusal,
    person_contact_add,
    person_contact_remove,
    person_update,
)

PERSON_CONFLICT = (
    "Someone else changed this record after you opened it. Check what it says now, then save again "
    "if your changes are still needed. Nothing you entered has been saved."
)


@require_http_methods(["GET", "POST"])
def person_search(request: AuthenticatedRequest) -> HttpResponse:
    """Find someone the team may see. A POST, with results on the same page: no names in addresses."""
    membership = clinical_membership(request)
    if membership is None:
        return no_access(request)
    form = PersonSearchForm(request.POST or None)
    results: list[Any] | None = None
    rows: list[tuple[Any, Any]] = []  # (person, the other name they were found under, or None)
    more = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        found = list(
            search_people(
                user=request.user,
                name=data["name"],
                date_of_birth=data["date_of_birth"],
                nhs_number=data["nhs_number"],
                pnc_id=data["pnc_id"],
            )[: SEARCH_LIMIT + 1]
        )
        more = len(found) > SEARCH_LIMIT
        results = found[:SEARCH_LIMIT]
        other_names = other_names_found(results, data["name"])
        rows = [(person, other_names.get(person.pk)) for person in results]
        audit(
            actor=request.user,
            action="person.search",
            team_id=membership.team_id,
            role=membership.role,
            # The ids shown and which boxes were used; never the terms typed.
            detail={"criteria": form.criteria(), "more": more},
            person_ids=[p.pk for p in results],
        )
    context = {
        "form": form,
        "results": results,
        "rows": rows,
        "more": more,
        "limit": SEARCH_LIMIT,
        "membership": membership,
    }
    return render_page(request, "people/search.html", context, forms=(form,))


@require_GET
def person_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    try:
        person, access = get_person_for_user(request.user, pk)
    except Http404:
        if 0 < pk <= MAX_ID and is_merged_away(pk):
            # Its episodes moved to the surviving record: say where it went (that page checks access).
            return person_merged_page(request, pk)
        # The same page for "no such person" and "not yours" (the access helper has audited it).
        membership = current_membership(request)
        may_break_glass = membership is not None and can(request.user, "core.break_glass", membership.team_id)
        return render(
            request,
            "people/person_not_found.html",
            {"person_id": pk, "may_break_glass": may_break_glass},
            status=404,
        )
    load_person_record(person)
    if not person.episodes.all() and is_merged_away(person.pk):
        # A merged-away record has no episodes left (they moved): only then is the extra query needed.
        return person_merged_page(request, person.pk)
    episodes = [
        {
            "episode": episode,
            "timeline": episode_timeline(episode),
            "open_tasks": open_tasks(episode),
            "can_act": can(request.user, "episodes.log_contact", episode.team_id),
        }
        for episode in person.episodes.all()
    ]
    context = {
        "person": person,
        "access": access,
        "grant": active_break_glass(request.user, person) if access.via == "break_glass" else None,
        "episodes": episodes,
        "can_view_audit": can(request.user, "core.view_audit", access.team_id),
        "can_edit": editing_refusal(request.user, access) is None,
        "needs_responsible_adult": needs_responsible_adult(person),
    }
    return render(request, "people/person.html", context)


@require_GET
def person_audit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Who viewed this record: for team leads of a team that may see the person; 404 for anyone else."""
    access = person_access(request.user, pk)
    # A team lead's view of their own team's person: a break-the-glass grant does not open it.
    if not (
        access.allowed
        and access.via == "relationship"
        and can(request.user, "core.view_audit", access.team_id)
    ):
        raise deny(request.user, object_type="person_audit", object_id=pk, person_id=pk)
    person, access = get_person_for_user(request.user, pk, action="person.audit.view")
    page = Paginator(audit_events_for_person(person), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    events = list(page)
    teams = team_names({e.team_id for e in events if e.team_id is not None})
    users = user_names({e.actor_id for e in events if e.actor_id is not None})
    rows = [
        {
            "event": event,
            "who": users.get(event.actor_id, event.actor_username)
            if event.actor_id
            else event.actor_username,
            "username": event.actor_username,
            "team": teams.get(event.team_id, "") if event.team_id else "",
        }
        for event in events
    ]
    return render(request, "people/person_audit.html", {"person": person, "page": page, "rows": rows})


# --- keeping the record right --------------------------------------------------------------------


def _back_to_person(person: Person) -> HttpResponse:
    return redirect("person_detail", pk=person.pk)


def _edit_page(
    request: AuthenticatedRequest,
    person: Person,
    access: Access,
    form: PersonEditForm,
    *,
    problems: list[dict[str, str]] | None = None,
    saved_now: list[tuple[str, str]] | None = None,
    status: int | None = None,
) -> HttpResponse:
    context = {
        "person": person,
        "access": access,
        "form": form,
        "problems": problems or [],
        "saved_now": saved_now or [],
    }
    return render_page(
        request, "people/person_edit.html", context, forms=(form,), has_problems=bool(problems), status=status
    )


def _edit_conflict(request: AuthenticatedRequest, person: Person, access: Access) -> HttpResponse:
    """Keep what the user entered, show what the record says now, and explain why nothing was saved.

    The form carries the current version, so saving again is a deliberate decision made after
    seeing the other person's change, never a silent overwrite.
    """
    data = request.POST.copy()
    data["version"] = str(person.version)
    form = PersonEditForm(data)
    form.is_valid()  # any problem with the entries is worth hearing about in the same answer
    saved_now = [person_field(person, name) for name in form.changes(person)]
    problems = [{"text": PERSON_CONFLICT, "href": "#saved-now" if saved_now else "#id_given_name"}]
    return _edit_page(request, person, access, form, problems=problems, saved_now=saved_now, status=409)


@require_http_methods(["GET", "POST"])
def person_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person, access = get_person_for_user(request.user, pk)
    if refusal := editing_refusal(request.user, access):
        return not_permitted(request, refusal)
    if request.method == "GET":
        return _edit_page(request, person, access, PersonEditForm(initial=PersonEditForm.initial_for(person)))
    # The version first: after someone else's save, their change is what the user needs to hear about.
    if request.POST.get("version", "") != str(person.version):
        return _edit_conflict(request, person, access)
    form = PersonEditForm(request.POST)
    if form.is_valid():
        changes = form.changes(person)
        if not changes:
            messages.info(request, "You did not change anything, so nothing was saved.")
            return _back_to_person(person)
        try:
            person_update(
                actor=request.user,
                person=person,
                version=form.cleaned_data["version"],
                team_id=access.team_id,
                role=access.role,
                **changes,
            )
        except StaleWrite:
            person.refresh_from_db()
            return _edit_conflict(request, person, access)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Personal details saved.")
            return _back_to_person(person)
    return _edit_page(request, person, access, form)


def _add_to_person(
    request: AuthenticatedRequest,
    pk: int,
    *,
    form_class: type[forms.Form],
    service: Callable[..., object],
    done: str,
    template: str,
) -> HttpResponse:
    """One page for adding something small to a person's record (a contact, another name)."""
    person, access = get_person_for_user(request.user, pk)
    if refusal := editing_refusal(request.user, access):
        return not_permitted(request, refusal)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(
                actor=request.user,
                person=person,
                team_id=access.team_id,
                role=access.role,
                **form.cleaned_data,
            )
        except NotPermitted as exc:
            return not_permitted(request, str(exc) or NOT_AN_EDITOR)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, done)
            return _back_to_person(person)
    context = {"person": person, "access": access, "form": form}
    return render_page(request, template, context, forms=(form,))


@require_http_methods(["GET", "POST"])
def person_contact_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _add_to_person(
        request,
        pk,
        form_class=PersonContactForm,
        service=person_contact_add,
        done="Contact added.",
        template="people/person_contact_new.html",
    )


@require_POST
def person_contact_delete(request: AuthenticatedRequest, pk: int, contact_pk: int) -> HttpResponse:
    person, access = get_person_for_user(request.user, pk)
    if refusal := editing_refusal(request.user, access):
        return not_permitted(request, refusal)
    # Scoped through the person the access policy returned: another person's contact is a 404.
    contact = contact_of(person, contact_pk)
    if contact is None:
        raise deny(request.user, object_type="person_contact", object_id=contact_pk, person_id=person.pk)
    try:
        person_contact_remove(actor=request.user, contact=contact, team_id=access.team_id, role=access.role)
    except NotPermitted as exc:
        return not_permitted(request, str(exc) or NOT_AN_EDITOR)
    messages.success(request, "Contact removed.")
    return _back_to_person(person)


@require_http_methods(["GET", "POST"])
def person_alias_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _add_to_person(
        request,
        pk,
        form_class=AliasForm,
        service=alias_add,
        done="Other name added.",
        template="people/person_alias_new.html",
    )


@require_POST
def person_alias_delete(request: AuthenticatedRequest, pk: int, alias_pk: int) -> HttpResponse:
    person, access = get_person_for_user(request.user, pk)
    if refusal := editing_refusal(request.user, access):
        return not_permitted(request, refusal)
    alias = alias_of(person, alias_pk)
    if alias is None:
        raise deny(request.user, object_type="alias", object_id=alias_pk, person_id=person.pk)
    try:
        alias_remove(actor=request.user, alias=alias, team_id=access.team_id, role=access.role)
    except NotPermitted as exc:
        return not_permitted(request, str(exc) or NOT_AN_EDITOR)
    messages.success(request, "Other name removed.")
    return _back_to_person(person)
