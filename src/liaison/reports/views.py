"""Report pages: an episode's reports, one report (edit, sign off, revise, share, download), the shared
link a partner opens without an account (and its feedback), the partner feedback summary, and the
team's sign-off setting.

Views stay thin: fetch through the access helpers (404 and an audit event for outsiders), check the
role once, parse with a form, call one service, then redirect or render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liaison.consent.models import DisclosureMethod
from liaison.core.access import Access, get_episode_for_user
from liaison.core.audit import audit
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.forms import apply_service_errors
from liaison.core.pdf import pdf_download
from liaison.core.permissions import can
from liaison.core.views import AuthenticatedRequest, clinical_membership, not_permitted, render_page
from liaison.episodes.models import Stage
from liaison.reports import queries, services
from liaison.reports.forms import (
    DownloadForm,
    FeedbackForm,
    ReportEditForm,
    ReportNewForm,
    ReportSettingsForm,
    ShareLinkForm,
    VersionForm,
)
from liaison.reports.models import Report, ReportKind, ReportVersion
from liaison.reports.pdf import pdf_filename, report_pdf
from liaison.reports.presenters import Document, document_for, version_words

NOT_A_WRITER = "Your role cannot write reports in this team."
NOT_A_SIGNER = "Only a team lead can sign off reports."
NOT_A_SHARER = "Your role cannot share reports in this team."
CONFLICT = (
    "Someone else changed this report after you opened it. What you typed is below: check it against "
    "the newest version, then save again. Nothing you typed has been saved yet."
)
COMMENTS_PER_PAGE = 10


# --- an episode's reports -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def episode_reports(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    episode, access = get_episode_for_user(request.user, pk, action="report.list")
    may_write = can(request.user, services.WRITE, episode.team_id) and episode.stage != Stage.CLOSED
    form = ReportNewForm(request.POST or None)
    if request.method == "POST":
        if not may_write:
            return not_permitted(request, NOT_A_WRITER)
        if form.is_valid():
            try:
                version = services.report_create(
                    actor=request.user,
                    episode=episode,
                    kind=form.cleaned_data["kind"],
                    recipient_kind=form.cleaned_data["recipient_kind"] or None,
                )
            except NotPermitted:
                return not_permitted(request, NOT_A_WRITER)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, "Draft written from the assessment. Check and edit every section.")
                return redirect("reports:report_detail", pk=version.report_id)
    context = {
        "episode": episode,
        "person": episode.person,
        "access": access,
        "reports": queries.episode_reports(episode),
        "form": form if may_write else None,
    }
    return render_page(request, "reports/episode_reports.html", context, forms=(form,))


# --- one report -----------------------------------------------------------------------------------


def _chosen_version(versions: list[ReportVersion], wanted: str) -> ReportVersion:
    """The version numbered `wanted`, or the newest (versions are newest first)."""
    return next((v for v in versions if str(v.number) == wanted), versions[0])


def _report_page(
    request: AuthenticatedRequest,
    report: Report,
    access: Access,
    *,
    edit_form: ReportEditForm | None = None,
    share_form: ShareLinkForm | None = None,
    download_form: DownloadForm | None = None,
    problems: list[dict[str, str]] | None = None,
    link_url: str = "",
    status: int | None = None,
) -> HttpResponse:
    versions = queries.report_versions(report)
    newest = versions[0]
    shown = newest if request.method == "POST" else _chosen_version(versions, request.GET.get("version", ""))
    team_id = report.team_id
    open_episode = report.episode.stage != Stage.CLOSED
    may_write = can(request.user, services.WRITE, team_id) and open_episode
    editing = may_write and shown.pk == newest.pk and not shown.is_signed_off
    if editing and edit_form is None:
        edit_form = ReportEditForm(report_version=shown)
    shareable = services.shareable_version(report, newest)
    may_share = (
        can(request.user, services.SHARE, team_id) and shareable is not None and shown.pk == shareable.pk
    )
    if may_share:
        share_form = share_form or ShareLinkForm(initial={"recipient_kind": report.recipient_kind, "days": 7})
        download_form = download_form or DownloadForm(initial={"recipient_kind": report.recipient_kind})
    check = services.sharing_check(shown, report.recipient_kind)
    context = {
        "report": report,
        "episode": report.episode,
        "person": report.episode.person,
        "access": access,
        "kind_label": ReportKind(report.kind).label,
        "shown": shown,
        "newest": newest,
        "shown_words": version_words(shown),
        "versions": [(v, version_words(v)) for v in versions],
        "doc": document_for(shown, check=check),
        "check": check,
        "edit_form": edit_form if editing else None,
        "can_sign_off": (
            can(request.user, services.SIGN_OFF, team_id)
            and shown.pk == newest.pk
            and not shown.is_signed_off
        ),
        "sign_off_problems": list(services.sign_off_problems(request.user, shown).values()),
        "sign_off_required": services.sign_off_required(team_id),
        "can_revise": may_write and shown.pk == newest.pk and shown.is_signed_off,
        "share_form": share_form if may_share else None,
        "download_form": download_form if may_share else None,
        "links": queries.report_links(report),
        "can_revoke": can(request.user, services.SHARE, team_id),
        "link_url": link_url,
        "problems": problems or [],
    }
    return render_page(
        request,
        "reports/report.html",
        context,
        forms=(edit_form, share_form, download_form),
        has_problems=bool(problems),
        status=status,
    )


def _version_from_post(request: AuthenticatedRequest, report: Report) -> tuple[ReportVersion, int | None]:
    shown = _chosen_version(queries.report_versions(report), request.POST.get("number", ""))
    form = VersionForm(request.POST)
    return shown, form.cleaned_data["version"] if form.is_valid() else None


@require_http_methods(["GET", "POST"])
def report_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report, access = queries.get_report_for_user(request.user, pk)
    if request.method == "GET":
        return _report_page(request, report, access)
    if not can(request.user, services.WRITE, report.team_id):
        return not_permitted(request, NOT_A_WRITER)
    if report.episode.stage == Stage.CLOSED:
        messages.info(request, "This episode is closed: the report is kept as it was.")
        return redirect("reports:report_detail", pk=report.pk)
    version, _expected = _version_from_post(request, report)
    form = ReportEditForm(request.POST, report_version=version)
    if not form.is_valid():
        return _report_page(request, report, access, edit_form=form)
    try:
        saved = services.report_save(
            actor=request.user, version=version, expected=form.cleaned_data["version"], texts=form.texts()
        )
    except NotPermitted:
        return not_permitted(request, NOT_A_WRITER)
    except StaleWrite:
        newest = queries.report_versions(report)[0]
        stale = request.POST.copy()
        stale["version"] = str(newest.version)
        form = ReportEditForm(stale, report_version=newest)
        form.is_valid()
        problems = [{"text": CONFLICT, "href": "#report-form"}]
        return _report_page(request, report, access, edit_form=form, problems=problems, status=409)
    except ValidationError as exc:
        apply_service_errors(form, exc, aliases=ReportEditForm.aliases(version))
        return _report_page(request, report, access, edit_form=form)
    if saved.number != version.number:
        messages.success(
            request,
            f"Version {version.number} is kept as signed off. "
            f"Your changes are in a new draft, version {saved.number}.",
        )
    else:
        messages.success(request, "Draft saved.")
    return redirect("reports:report_detail", pk=report.pk)


@require_POST
def report_sign_off(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report, access = queries.get_report_for_user(request.user, pk)
    if not can(request.user, services.SIGN_OFF, report.team_id):
        return not_permitted(request, NOT_A_SIGNER)
    version, expected = _version_from_post(request, report)
    try:
        services.report_sign_off(actor=request.user, version=version, expected=expected or 0)
    except NotPermitted:
        return not_permitted(request, NOT_A_SIGNER)
    except StaleWrite:
        problems = [
            {
                "text": "This draft changed after you opened it: read it again before signing off.",
                "href": "#sign-off",
            }
        ]
        return _report_page(request, report, access, problems=problems, status=409)
    except ValidationError as exc:
        problems = [{"text": m, "href": "#sign-off"} for m in exc.messages]
        return _report_page(request, report, access, problems=problems)
    messages.success(request, f"Version {version.number} signed off. It can now be shared.")
    return redirect("reports:report_detail", pk=report.pk)


@require_POST
def report_revise(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report, _access = queries.get_report_for_user(request.user, pk)
    if not can(request.user, services.WRITE, report.team_id):
        return not_permitted(request, NOT_A_WRITER)
    try:
        version = services.report_revise(actor=request.user, report=report)
    except NotPermitted:
        return not_permitted(request, NOT_A_WRITER)
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
        return redirect("reports:report_detail", pk=report.pk)
    messages.success(
        request, f"Version {version.number} started as a draft. The signed-off version is kept as it was."
    )
    return redirect("reports:report_detail", pk=report.pk)


@require_POST
def report_share(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report, access = queries.get_report_for_user(request.user, pk, action="report.view")
    if not can(request.user, services.SHARE, report.team_id):
        return not_permitted(request, NOT_A_SHARER)
    version, _ = _version_from_post(request, report)
    form = ShareLinkForm(request.POST)
    if not form.is_valid():
        return _report_page(request, report, access, share_form=form)
    data = form.cleaned_data
    try:
        _link, token = services.share_link_create(
            actor=request.user,
            version=version,
            recipient_name=data["recipient_name"],
            recipient_organisation=data["recipient_organisation"],
            recipient_email=data["recipient_email"],
            recipient_kind=data["recipient_kind"],
            days=data["days"],
        )
    except NotPermitted:
        return not_permitted(request, NOT_A_SHARER)
    except ValidationError as exc:
        apply_service_errors(form, exc, aliases={"report": "recipient_kind"})
        return _report_page(request, report, access, share_form=form)
    url = request.build_absolute_uri(reverse("reports:shared_report", kwargs={"token": token}))
    # Shown once, on this page: never in a message cookie, a redirect or the address bar.
    return _report_page(request, report, access, link_url=url)


@require_POST
def report_download(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report, access = queries.get_report_for_user(request.user, pk, action="report.view")
    if not can(request.user, services.SHARE, report.team_id):
        return not_permitted(request, NOT_A_SHARER)
    version, _ = _version_from_post(request, report)
    form = DownloadForm(request.POST)
    if not form.is_valid():
        return _report_page(request, report, access, download_form=form)
    data = form.cleaned_data
    try:
        _disclosure, check = services.report_download(
            actor=request.user,
            version=version,
            recipient_name=data["recipient_name"],
            recipient_organisation=data["recipient_organisation"],
            recipient_kind=data["recipient_kind"],
        )
    except NotPermitted:
        return not_permitted(request, NOT_A_SHARER)
    except ValidationError as exc:
        apply_service_errors(form, exc, aliases={"report": "recipient_kind"})
        return _report_page(request, report, access, download_form=form)
    document = document_for(version, check=check)
    document.recipient = f"{data['recipient_name']}, {data['recipient_organisation']}"
    return _pdf_response(document)


@require_GET
def report_preview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The PDF for the team to check: not a disclosure, and says so while a draft."""
    report, _access = queries.get_report_for_user(request.user, pk, action="report.preview")
    version = _chosen_version(queries.report_versions(report), request.GET.get("version", ""))
    return _pdf_response(document_for(version))


def _pdf_response(document: Document) -> HttpResponse:
    return pdf_download(report_pdf(document), pdf_filename(document))


@require_POST
def link_revoke(request: AuthenticatedRequest, pk: int, link_pk: int) -> HttpResponse:
    report, _access = queries.get_report_for_user(request.user, pk, action="report.view")
    link = next((row for row in queries.report_links(report) if row.pk == link_pk), None)
    if link is None:
        raise Http404("Not found")
    if not can(request.user, services.SHARE, report.team_id):
        return not_permitted(request, NOT_A_SHARER)
    try:
        services.share_link_revoke(actor=request.user, link=link)
    except NotPermitted:
        return not_permitted(request, NOT_A_SHARER)
    messages.success(request, f"The link for {link.recipient_words} no longer works.")
    return redirect("reports:report_detail", pk=report.pk)


# --- the shared link, opened by its recipient without an account ----------------------------------

PROBLEM_PAGES = {
    "invalid": (404, "This link is not valid", "Check that you copied the whole link from the email."),
    "expired": (410, "This link has expired", "Ask the Liaison and Diversion team for a new link."),
    "unavailable": (
        410,
        "This report is no longer available",
        "Ask the Liaison and Diversion team about it.",
    ),
}


def _problem(request: HttpRequest, state: str) -> HttpResponse:
    status, title, advice = PROBLEM_PAGES[state]
    response = render(
        request, "reports/shared_problem.html", {"title": title, "advice": advice}, status=status
    )
    return _private(response)


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The token is in the address: it must not leave in a Referer header.
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def shared_report(request: HttpRequest, token: str) -> HttpResponse:
    """Public by decision: the secret in the address is the key, checked against consent every time."""
    form: FeedbackForm | None = None
    if request.method == "POST":
        found = services.link_find(token=token)
        if found.state != "ok" or found.link is None:
            return _problem(request, found.state)
        form = FeedbackForm(request.POST)
        if form.is_valid():
            try:
                services.feedback_add(
                    link=found.link,
                    usefulness=form.cleaned_data["usefulness"],
                    what_else=form.cleaned_data["what_else"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                return _private(render(request, "reports/shared_thanks.html", {}))
        if queries.feedback_given(found.link):
            advice = "Feedback has already been given for this link. Thank you."
            problem = {"title": "Your feedback was not sent", "advice": advice}
            return _private(render(request, "reports/shared_problem.html", problem, status=400))
    opening = services.link_open(token=token, method=DisclosureMethod.LINK)
    if opening.state != "ok" or opening.link is None:
        return _problem(request, opening.state)
    link = opening.link
    context: dict[str, Any] = {
        "doc": document_for(link.report_version, link=link, check=opening.check),
        "link": link,
        "token": token,
        "form": form or (FeedbackForm() if not hasattr(link, "feedback") else None),
        "page_has_errors": form is not None,
    }
    return _private(render(request, "reports/shared.html", context, status=400 if form is not None else 200))


@login_not_required
@never_cache
@require_GET
def shared_report_pdf(request: HttpRequest, token: str) -> HttpResponse:
    opening = services.link_open(token=token, method=DisclosureMethod.DOWNLOAD)
    if opening.state != "ok" or opening.link is None:
        return _problem(request, opening.state)
    link = opening.link
    return _private(_pdf_response(document_for(link.report_version, link=link, check=opening.check)))


# --- the team's partner feedback, and its sign-off setting ----------------------------------------


@require_GET
def feedback_summary(request: AuthenticatedRequest) -> HttpResponse:
    membership = clinical_membership(request)
    if membership is None or not can(request.user, "reports.view_feedback", membership.team_id):
        return not_permitted(request, "Your role cannot see partner feedback.")
    team_id = membership.team_id
    page = Paginator(queries.feedback_comments(team_id), COMMENTS_PER_PAGE).get_page(request.GET.get("page"))
    audit(
        actor=request.user,
        action="report_feedback.view",
        team_id=team_id,
        role=membership.role,
        object_type="team",
        object_id=team_id,
    )
    context = {
        "team": membership.team,
        "by_kind": queries.feedback_by_recipient_kind(team_id),
        "by_site": queries.feedback_by_site(team_id),
        "page": page,
    }
    return render_page(request, "reports/feedback_summary.html", context)


@require_http_methods(["GET", "POST"])
def report_settings(request: AuthenticatedRequest) -> HttpResponse:
    membership = clinical_membership(request)
    if membership is None or not can(request.user, services.SIGN_OFF, membership.team_id):
        return not_permitted(request, "Only a team lead can change how reports are signed off.")
    team = membership.team
    required = services.sign_off_required(team)
    form = ReportSettingsForm(
        request.POST or None, initial={"sign_off_required": "yes" if required else "no"}
    )
    if request.method == "POST" and form.is_valid():
        services.report_settings_set(
            actor=request.user, team=team, sign_off_required=form.cleaned_data["sign_off_required"]
        )
        messages.success(request, "Saved.")
        return redirect("reports:report_settings")
    return render_page(request, "reports/settings.html", {"team": team, "form": form}, forms=(form,))
