"""Pages for the arrivals review: import a custody or court list, the review worklist, one arrival
(mark reviewed, flag vulnerabilities) and turning a flagged arrival into an episode, for someone the
team knows (offered by the matching engine, with its evidence) or a new person.

Views stay thin: parse with a form, fetch through the scoped queries (which audit reads of arrival
rows and answer 404 for another team's), call one service, then redirect or render.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liaison.core.audit import audit
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.forms import apply_service_errors
from liaison.core.permissions import can
from liaison.core.presenters import long_date
from liaison.core.views import (
    AuthenticatedRequest,
    clinical_membership,
    no_access,
    not_permitted,
    render_page,
)
from liaison.episodes.queries import team_members, team_sites
from liaison.identification.arrivals_csv import guess_offence_category
from liaison.identification.forms import (
    NEW_PERSON,
    ConvertForm,
    FlagForm,
    ImportForm,
    ReviewFilterForm,
    VersionForm,
)
from liaison.identification.models import Arrival, ArrivalStatus
from liaison.identification.presenters import import_summary
from liaison.identification.queries import (
    VIEW,
    arrival_candidates,
    arrival_record,
    flag_choices,
    get_arrival_for_user,
    get_batch_for_user,
    offered_person,
    recent_batches,
    review_worklist,
)
from liaison.identification.services import (
    IMPORT,
    REVIEW,
    ImportResult,
    arrival_convert,
    arrival_flags_set,
    arrival_mark_reviewed,
    arrivals_import,
    size_label,
    too_big_message,
)
from liaison.matching.presenters import candidate_choices

ARRIVAL_CONFLICT = (
    "Someone else reviewed this arrival after you opened it. Check what it says now, then make your "
    "change again if it is still needed. Nothing you entered has been saved."
)
NOT_A_REVIEWER = "Only practitioners and team leads can review arrivals."
# Multipart framing around the file: boundaries, headers and the other fields.
UPLOAD_OVERHEAD = 64 * 1024


# --- the review worklist --------------------------------------------------------------------------


@require_GET
def review_list(request: AuthenticatedRequest) -> HttpResponse:
    """Arrivals on the team's custody and court lists still needing a practitioner, newest first."""
    membership = clinical_membership(request)
    if membership is None or not can(request.user, VIEW, membership.team_id):
        return no_access(request)
    sites = team_sites(membership.team_id)
    filters = ReviewFilterForm(request.GET or None, sites=sites)
    site_id = status = None
    if filters.is_bound and filters.is_valid():
        site_id = filters.cleaned_data["site"]
        status = filters.cleaned_data["status"] or None
    arrivals = review_worklist(user=request.user, team=membership.team_id, site_id=site_id, status=status)
    page = Paginator(arrivals, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    audit(
        actor=request.user,
        action="arrival.list",
        team_id=membership.team_id,
        role=membership.role,
        # Ids only: the rows hold names.
        detail={
            "arrival_ids": [a.pk for a in page],
            "page": page.number,
            "site_id": site_id,
            "status": status,
        },
    )
    context = {
        "membership": membership,
        "filters": filters,
        "page": page,
        "filtered": bool(site_id or status),
        "can_import": can(request.user, IMPORT, membership.team_id),
        "can_review": can(request.user, REVIEW, membership.team_id),
    }
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    template = "identification/review_list.html#results" if partial else "identification/review_list.html"
    response = render_page(request, template, context, forms=(filters,))
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- importing a list -----------------------------------------------------------------------------


class SizeLimitHandler(FileUploadHandler):
    """Stops storing an uploaded file once it passes the limit, and remembers that it did, so an
    oversized list is refused with a clear message instead of being written to disk first."""

    def __init__(self, request: Any, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_big = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_big = True
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


@csrf_exempt  # checked by csrf_protect below, after the upload handlers are in place
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthenticatedRequest) -> HttpResponse:
    membership = clinical_membership(request)
    if membership is None:
        return no_access(request)
    if not can(request.user, IMPORT, membership.team_id):
        return not_permitted(request, "Only practitioners and team leads can import custody and court lists.")
    limit = settings.ARRIVALS_IMPORT_MAX_BYTES
    handler = SizeLimitHandler(request, limit)
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit + UPLOAD_OVERHEAD:
            # Refused before the body is read; the form cannot keep the chosen site without it.
            return _import_page(request, membership, refused=too_big_message(), status=413)
        # Before anything reads the body (this view is csrf_exempt so the middleware has not).
        request.upload_handlers = [handler, *request.upload_handlers]
    return _import_protected(request, membership, handler)


@csrf_protect
def _import_protected(
    request: AuthenticatedRequest, membership: Any, handler: SizeLimitHandler
) -> HttpResponse:
    sites = team_sites(membership.team_id)
    form = ImportForm(request.POST or None, request.FILES or None, sites=sites)
    if request.method != "POST":
        return _import_page(request, membership, form=form)
    if handler.too_big:
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", too_big_message())
        return _import_page(request, membership, form=form, status=413)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        site = next(s for s in sites if s.pk == form.cleaned_data["site"])
        try:
            result = arrivals_import(
                actor=request.user,
                site=site,
                file_name=upload.name or "",
                data=upload.read(),
                dry_run=form.cleaned_data["dry_run"],
            )
        except NotPermitted:
            return not_permitted(request)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if result.batch is not None:
                # Rows left out need the practitioner's attention: not a plain "Success".
                notify = messages.warning if result.rejected else messages.success
                notify(request, _summary(result))
                return redirect("import_batch", pk=result.batch.pk)
            summary = import_summary(result=result, site=site, file_name=upload.name or "")
            return render_page(request, "identification/import_result.html", {"summary": summary})
    return _import_page(request, membership, form=form)


def _summary(result: ImportResult) -> str:
    """What the import did, in a sentence or two: only the counts that say something."""

    def n(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    text = f"List imported: {n(result.created, 'new arrival')} added to the review list"
    if result.duplicates:
        text += f", {n(result.duplicates, 'row')} already on it left out"
    text += "."
    if result.rejected == 1:
        text += " 1 row has a problem and was not loaded: correct it in the file and import it again."
    elif result.rejected:
        text += (
            f" {result.rejected} rows have problems and were not loaded: correct them in the file and "
            "import it again."
        )
    return text


def _import_page(
    request: AuthenticatedRequest,
    membership: Any,
    *,
    form: ImportForm | None = None,
    refused: str = "",
    status: int | None = None,
) -> HttpResponse:
    sites = team_sites(membership.team_id)
    form = form or ImportForm(sites=sites)
    if refused:
        form = ImportForm({}, sites=sites)
        form.is_valid()
        form.errors.clear()
        form.add_error("file", refused)
    context = {
        "form": form,
        "membership": membership,
        "batches": recent_batches(membership.team_id),
        "max_size": size_label(settings.ARRIVALS_IMPORT_MAX_BYTES),
    }
    return render_page(request, "identification/import.html", context, forms=(form,), status=status)


@require_GET
def import_batch(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    return render_page(request, "identification/import_result.html", {"summary": import_summary(batch=batch)})


# --- one arrival ----------------------------------------------------------------------------------


def _arrival_page(
    request: AuthenticatedRequest,
    arrival: Arrival,
    *,
    flag_form: FlagForm | None = None,
    problems: list[dict[str, str]] | None = None,
    status: int | None = None,
) -> HttpResponse:
    can_review = can(request.user, REVIEW, arrival.team_id) and arrival.status != ArrivalStatus.EPISODE
    current = [f.flag_id for f in arrival.flags.all()]
    flag_form = flag_form or FlagForm(
        flags=flag_choices(),
        initial={"version": arrival.version, "flags": current, "note": arrival.review_note},
    )
    context = {
        "arrival": arrival,
        "flag_form": flag_form,
        "can_review": can_review,
        "problems": problems or [],
    }
    return render_page(
        request,
        "identification/arrival.html",
        context,
        forms=(flag_form,),
        has_problems=bool(problems),
        status=status,
    )


def _conflict(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    arrival = get_arrival_for_user(request.user, pk)
    problems = [{"text": ARRIVAL_CONFLICT, "href": "#review"}]
    return _arrival_page(request, arrival, problems=problems, status=409)


@require_GET
def arrival_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    arrival = get_arrival_for_user(request.user, pk)
    return _arrival_page(request, arrival)


@require_POST
def arrival_reviewed(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    arrival = get_arrival_for_user(request.user, pk)
    if not can(request.user, REVIEW, arrival.team_id):
        return not_permitted(request, NOT_A_REVIEWER)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _conflict(request, pk)
    try:
        arrival_mark_reviewed(actor=request.user, arrival=arrival, version=form.cleaned_data["version"])
    except NotPermitted:
        return not_permitted(request, NOT_A_REVIEWER)
    except StaleWrite:
        return _conflict(request, pk)
    except ValidationError as exc:
        problems = [{"text": message, "href": "#review"} for message in exc.messages]
        return _arrival_page(request, arrival, problems=problems, status=409)
    messages.success(request, "Arrival marked as reviewed with no concerns.")
    return redirect(_back_to_list(request))


def _back_to_list(request: AuthenticatedRequest) -> str:
    """Back to the worklist the user came from (its filters are not personal data)."""
    wanted = request.POST.get("next", "")
    base = reverse("arrival_review")
    if wanted.startswith(base) and url_has_allowed_host_and_scheme(wanted, allowed_hosts=None):
        return wanted
    return base


@require_POST
def arrival_flag(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    arrival = get_arrival_for_user(request.user, pk)
    if not can(request.user, REVIEW, arrival.team_id):
        return not_permitted(request, NOT_A_REVIEWER)
    form = FlagForm(request.POST, flags=flag_choices())
    if form.is_valid():
        data = form.cleaned_data
        try:
            arrival_flags_set(
                actor=request.user,
                arrival=arrival,
                version=data["version"],
                codes=data["flags"],
                note=data["note"],
            )
        except NotPermitted:
            return not_permitted(request, NOT_A_REVIEWER)
        except StaleWrite:
            return _conflict(request, pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if "open_episode" in request.POST:
                return redirect("arrival_episode", pk=arrival.pk)
            messages.success(
                request, "Vulnerabilities recorded. The arrival stays on the list until an episode is opened."
            )
            return redirect("arrival_detail", pk=arrival.pk)
    return _arrival_page(request, arrival, flag_form=form)


# --- arrival to episode -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def arrival_episode(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Open an episode from a flagged arrival, for a person the team knows or a new one.

    The people offered come from the matching engine, best first with the evidence, and the engine
    audits who was shown. A POST that succeeds shows nobody: it fetches only the person chosen,
    through the access policy again. One with a problem shows the people again.
    """
    arrival = get_arrival_for_user(request.user, pk)
    team_id = arrival.team_id
    if not (can(request.user, REVIEW, team_id) and can(request.user, "episodes.create", team_id)):
        return not_permitted(
            request, "Only practitioners and team leads can open an episode from an arrival."
        )
    if arrival.status == ArrivalStatus.EPISODE and arrival.episode_id:
        messages.info(request, "An episode has already been opened from this arrival.")
        return redirect("episode_detail", pk=arrival.episode_id)
    if arrival.status != ArrivalStatus.FLAGGED:
        problems = [{"text": "Flag at least one vulnerability before opening an episode", "href": "#flags"}]
        return _arrival_page(request, arrival, problems=problems, status=409)
    members = team_members(team_id)
    if request.method == "POST":
        form = ConvertForm(request.POST, offered=True, members=members)
        if form.is_valid():
            done = _open_episode(request, arrival, form)
            if done is not None:
                return done
    candidates = arrival_candidates(request.user, arrival)
    if request.method != "POST":
        form = ConvertForm(
            offered=bool(candidates),
            members=members,
            initial={
                "version": arrival.version,
                "offence_category": guess_offence_category(arrival.alleged_offence),
            },
        )
    new_hint = f"{arrival.given_name} {arrival.family_name}"
    if arrival.date_of_birth:
        new_hint += f", born {long_date(arrival.date_of_birth)}"
    context = {
        "arrival": arrival,
        "form": form,
        "choices": candidate_choices(candidates, record=arrival_record(arrival), bound=form["person"]),
        "new_label": (
            "None of these: create a new person from the list's details"
            if candidates
            else "Create a new person from the list's details"
        ),
        "new_hint": new_hint + ". You can add their other details on their record afterwards.",
        "offence_hint": (
            f"A first guess from the list, which says: {arrival.alleged_offence}"
            if arrival.alleged_offence
            else ""
        ),
    }
    return render_page(request, "identification/arrival_episode.html", context, forms=(form,))


def _open_episode(request: AuthenticatedRequest, arrival: Arrival, form: ConvertForm) -> HttpResponse | None:
    """Open the episode the form asks for; None when the service sent problems back to the form."""
    data = form.cleaned_data
    chosen = None if data["person"] == NEW_PERSON else offered_person(request.user, data["person"])
    try:
        episode = arrival_convert(
            actor=request.user,
            arrival=arrival,
            version=data["version"],
            person=chosen,
            offence_category=data["offence_category"],
            allocated_worker_id=data["allocated_worker"],
        )
    except NotPermitted as exc:
        return not_permitted(request, str(exc))
    except StaleWrite:
        return _conflict(request, arrival.pk)
    except ValidationError as exc:
        apply_service_errors(form, exc, aliases={"allocated_worker_id": "allocated_worker"})
        return None
    messages.success(
        request,
        "Episode opened with the arrival's vulnerabilities. It is on your team's worklist.",
    )
    return redirect("episode_detail", pk=episode.pk)
