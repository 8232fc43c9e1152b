"""A person's details with their history, corrections with a reason, and disputes (UK GDPR Art. 16).

Anyone who may see the person may read the history; practitioners and team leads of a team that
works with the person correct details and record and resolve disputes. The detail being corrected
(`?field=date_of_birth`) is the only thing in an address: never its value.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from liaison.core.access import Access, deny, get_person_for_user
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.forms import apply_service_errors
from liaison.core.views import AuthenticatedRequest, not_permitted, render_page
from liaison.people.models import Person
from liaison.rights.forms import CorrectionForm, DisputeForm, FieldChoiceForm, ResolveForm, chosen_field
from liaison.rights.history import TRACKED_FIELDS, as_json
from liaison.rights.presenters import dispute_marks, field_label, value_label
from liaison.rights.queries import dispute_of, disputes_for, field_changes_for
from liaison.rights.services import (
    CORRECT,
    NOT_A_CORRECTOR,
    field_dispute_raise,
    field_dispute_resolve,
    person_correct,
    refusal_for,
)

CORRECTION_CONFLICT = (
    "Someone else changed this record after you opened it. Check what it says now, then save again "
    "if the correction is still needed. Nothing you entered has been saved."
)


def _history_url(person: Person) -> str:
    return reverse("person_history", kwargs={"pk": person.pk})


@require_GET
def person_history(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The person's details as recorded now, each with any dispute; every change; every dispute."""
    person, access = get_person_for_user(request.user, pk, action="rights.history_view")
    disputes = disputes_for(person)
    marks = {mark.field: mark for mark in dispute_marks(person, disputes)}
    details = [
        {
            "field": name,
            "label": field_label(name),
            "value": value_label(name, as_json(getattr(person, name))),
            "mark": marks.get(name),
        }
        for name in TRACKED_FIELDS
    ]
    page = Paginator(field_changes_for(person), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    changes = [
        {
            "change": change,
            "label": field_label(change.field),
            "old": value_label(change.field, change.old_value),
            "new": value_label(change.field, change.new_value),
        }
        for change in page
    ]
    disputes_shown = [
        {
            "dispute": dispute,
            "label": field_label(dispute.field),
            "recorded": value_label(dispute.field, dispute.recorded_value),
        }
        for dispute in disputes
    ]
    context = {
        "person": person,
        "access": access,
        "details": details,
        "page": page,
        "changes": changes,
        "disputes": disputes_shown,
        "can_correct": refusal_for(request.user, access, CORRECT) is None,
    }
    return render_page(request, "rights/person_history.html", context)


def _editor(request: AuthenticatedRequest, pk: int) -> tuple[Person, Access, HttpResponse | None]:
    person, access = get_person_for_user(request.user, pk)
    refusal = refusal_for(request.user, access, CORRECT)
    return person, access, (not_permitted(request, refusal) if refusal else None)


@require_http_methods(["GET", "POST"])
def person_correction_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Correct one detail, with the reason. Which detail comes from the history page's link (or is asked)."""
    person, access, refused = _editor(request, pk)
    if refused is not None:
        return refused
    field = chosen_field(request.GET.get("field") or request.POST.get("field"))
    if field is None:
        choice = FieldChoiceForm(request.GET if "field" in request.GET else None)
        choice.is_valid()
        context = {"person": person, "form": choice, "purpose": "correction"}
        return render_page(request, "rights/choose_field.html", context, forms=(choice,))
    conflict = False
    if request.method == "POST":
        form = CorrectionForm(request.POST, field=field, person=person)
        if request.POST.get("version", "") != str(person.version):
            conflict = True
        elif form.is_valid():
            try:
                person_correct(
                    actor=request.user,
                    person=person,
                    version=form.cleaned_data["version"],
                    team_id=access.team_id,
                    role=access.role,
                    reason=form.cleaned_data["reason"],
                    **form.correction(),
                )
            except StaleWrite:
                person.refresh_from_db()
                conflict = True
            except NotPermitted as exc:
                return not_permitted(request, str(exc) or NOT_A_CORRECTOR)
            except ValidationError as exc:
                apply_service_errors(form, exc, aliases={"field": field})
            else:
                messages.success(
                    request, f"{field_label(field)} corrected. What it said before is kept in the history."
                )
                return redirect(_history_url(person))
        if conflict:
            data = request.POST.copy()
            data["version"] = str(person.version)
            form = CorrectionForm(data, field=field, person=person)
            form.is_valid()
    else:
        form = CorrectionForm(initial=CorrectionForm.initial_for(person), field=field, person=person)
    context = {
        "person": person,
        "form": form,
        "field": field,
        "label": field_label(field),
        "current": value_label(field, as_json(getattr(person, field))),
        "problems": [{"text": CORRECTION_CONFLICT, "href": "#current"}] if conflict else [],
    }
    return render_page(
        request,
        "rights/correction_new.html",
        context,
        forms=(form,),
        has_problems=conflict,
        status=409 if conflict else None,
    )


@require_http_methods(["GET", "POST"])
def person_dispute_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Record that the person disagrees with one of their details, and what they say is right."""
    person, access, refused = _editor(request, pk)
    if refused is not None:
        return refused
    form = DisputeForm(request.POST or None, initial={"field": chosen_field(request.GET.get("field")) or ""})
    if request.method == "POST" and form.is_valid():
        assert access.team_id is not None  # noqa: S101 - a relationship always names the team
        try:
            field_dispute_raise(
                actor=request.user,
                person=person,
                team_id=access.team_id,
                role=access.role,
                **form.cleaned_data,
            )
        except NotPermitted as exc:
            return not_permitted(request, str(exc) or NOT_A_CORRECTOR)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Dispute recorded. {field_label(form.cleaned_data['field'])} is marked as disputed on the "
                "person's record.",
            )
            return redirect(_history_url(person))
    return render_page(request, "rights/dispute_new.html", {"person": person, "form": form}, forms=(form,))


@require_http_methods(["GET", "POST"])
def person_dispute_resolve(request: AuthenticatedRequest, pk: int, dispute_pk: int) -> HttpResponse:
    """Close a dispute with its outcome: corrected, kept as it is (the person's view stays), or withdrawn."""
    person, access, refused = _editor(request, pk)
    if refused is not None:
        return refused
    dispute = dispute_of(person, dispute_pk)
    if dispute is None:
        raise deny(request.user, object_type="field_dispute", object_id=dispute_pk, person_id=person.pk)
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and dispute.is_open and form.is_valid():
        assert access.team_id is not None  # noqa: S101 - a relationship always names the team
        try:
            field_dispute_resolve(
                actor=request.user,
                dispute=dispute,
                team_id=access.team_id,
                role=access.role,
                **form.cleaned_data,
            )
        except NotPermitted as exc:
            return not_permitted(request, str(exc) or NOT_A_CORRECTOR)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Dispute resolved. The outcome is kept with it.")
            return redirect(_history_url(person))
    context = {
        "person": person,
        "dispute": dispute,
        "form": form,
        "label": field_label(dispute.field),
        "recorded": value_label(dispute.field, dispute.recorded_value),
        "current": value_label(dispute.field, as_json(getattr(person, dispute.field))),
    }
    return render_page(request, "rights/dispute_resolve.html", context, forms=(form,))
