"""Core pages: health check, signing in, the session clock, switching team, breaking the glass, the
team's break-glass log.

Also the small helpers every HTML view uses to answer "no access" and "not permitted" the same way.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_htmx.middleware import HtmxDetails

from liaison.core.access import person_access
from liaison.core.audit import audit
from liaison.core.forms import BreakGlassForm, SignInForm, TeamSwitchForm, apply_service_errors
from liaison.core.mfa import second_factor_url, step_up_form
from liaison.core.models import CLINICAL_ROLES, Membership, User, UserSession
from liaison.core.permissions import can, memberships
from liaison.core.presenters import date_time
from liaison.core.services import break_glass_grant
from liaison.core.signin import (
    LAST_SEEN_AT,
    SignInAttempt,
    client_address,
    lockout_message,
    session_seconds_left,
    sessions_end_for_user,
    signin_failed,
    signin_locked_minutes,
    signin_refused,
    signin_succeeded,
)
from liaison.core.teams import current_membership
from liaison.people.queries import break_glass_grants_for_team


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers a query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means unhealthy
        return JsonResponse({"status": "unavailable", "database": str(exc.__class__.__name__)}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


# --- signing in and the session clock ----------------------------------------------------------


class SignInView(auth_views.LoginView):
    """Django's sign-in (a new session id, sensitive_post_parameters, CSRF) with throttling and lockout.

    While the username or the address is locked out the password is not checked at all, so even the
    right one is refused; the answer is the same whether or not the username exists.
    """

    template_name = "core/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    attempt: SignInAttempt | None = None
    locked_minutes: int | None = None

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.attempt = SignInAttempt(
            username=str(request.POST.get("username", ""))[:150], address=client_address(request)
        )
        self.locked_minutes = signin_locked_minutes(self.attempt)
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if self.locked_minutes is not None:
            kwargs["refused"] = lockout_message(self.locked_minutes)
        return kwargs

    def form_invalid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        if self.attempt is None:  # only post() validates the form, and it sets the attempt
            return super().form_invalid(form)
        if self.locked_minutes is not None:
            signin_refused(attempt=self.attempt, minutes=self.locked_minutes)
        elif form.failed_to_authenticate():
            locked = signin_failed(attempt=self.attempt)
            if locked is not None:
                # Say so now, rather than let the next (correct) attempt be refused unexplained.
                form.errors.pop(NON_FIELD_ERRORS, None)
                form.add_error(None, ValidationError(lockout_message(locked), code="locked"))
        return super().form_invalid(form)

    def get_success_url(self) -> str:
        # The password is the first step: the second factor comes next, then where they were going.
        return second_factor_url(self.request, super().get_success_url())

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        # login(): a new session id with the old session deleted, and the session clocks started
        # (signin.on_user_logged_in).
        response = super().form_valid(form)
        if self.attempt is not None:
            signin_succeeded(attempt=self.attempt, user=form.get_user())
        return response


@require_http_methods(["GET", "POST"])
def session_clock(request: AuthenticatedRequest) -> JsonResponse:
    """The session's time left. GET only reports (and does not count as activity); POST is
    "Stay signed in": like any signed-in request it restarts the idle clock, and reloads nothing."""
    now = timezone.now().timestamp()
    if request.method == "POST":
        request.session[LAST_SEEN_AT] = now
    idle_left, absolute_left = session_seconds_left(request.session, now)
    return JsonResponse({"idle_seconds_left": idle_left, "absolute_seconds_left": absolute_left})


# --- helpers for every HTML view ------------------------------------------------------------------


class AuthenticatedRequest(HttpRequest):
    """What an HTML view receives behind LoginRequiredMiddleware and HtmxMiddleware."""

    user: User
    htmx: HtmxDetails


def render_page(
    request: AuthenticatedRequest,
    template: str,
    context: dict[str, Any],
    *,
    forms: tuple[BaseForm | None, ...] = (),
    has_problems: bool = False,
    status: int | None = None,
) -> HttpResponse:
    """Render a page; a page showing errors says so in its title ("Error: ...") as NHS.UK asks."""
    has_errors = has_problems or any(f is not None and f.is_bound and f.errors for f in forms)
    context = {**context, "page_has_errors": has_errors}
    return render(request, template, context, status=status)


def clinical_membership(request: AuthenticatedRequest) -> Membership | None:
    """The current team membership when it is a clinical role, else None."""
    membership = current_membership(request)
    if membership is None or membership.role not in CLINICAL_ROLES:
        return None
    return membership


def no_access(request: AuthenticatedRequest) -> HttpResponse:
    """The friendly answer for commissioners, partners and administrators: no person records here."""
    return render(request, "core/no_access.html", {}, status=403)


def not_permitted(request: AuthenticatedRequest, message: str = "") -> HttpResponse:
    return render(request, "403.html", {"message": message}, status=403)


# --- switching team -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def team_switch(request: AuthenticatedRequest) -> HttpResponse:
    current = current_membership(request)
    mine = memberships(request.user)
    form = TeamSwitchForm(
        request.POST or None,
        memberships=mine,
        initial={"team": current.team_id if current else None},
    )
    if request.method == "POST" and form.is_valid():
        request.session["team_id"] = form.cleaned_data["team"]
        chosen = next(m for m in mine if m.team_id == form.cleaned_data["team"])
        messages.success(request, f"You are now working for {chosen.team.name}.")
        return redirect("worklist")
    return render_page(request, "core/team_switch.html", {"form": form}, forms=(form,))


# --- break the glass ------------------------------------------------------------------------------


def _break_glass(request: AuthenticatedRequest, person_id: int | None) -> HttpResponse:
    membership = current_membership(request)
    if membership is None or not can(request.user, "core.break_glass", membership.team_id):
        return not_permitted(request, "Only practitioners and team leads can break the glass.")
    form = BreakGlassForm(request.POST or None, fixed_person=person_id is not None)
    # Re-authentication: a fresh code from the authenticator app, whoever is at the keyboard now.
    # Checked only once the rest is right, so a code is not used up by a too-short reason.
    code_form = step_up_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid() and not code_form.is_valid():
        audit(actor=request.user, action="break_glass.reauth_failed", team_id=membership.team_id)
    elif request.method == "POST" and form.is_valid():
        wanted = person_id if person_id is not None else form.cleaned_data["person_id"]
        # Say so, rather than grant, when the team already works with the person.
        if person_access(request.user, wanted).via == "relationship":
            messages.info(
                request, "Your team already works with this person: you did not need to break the glass."
            )
            return redirect("person_detail", pk=wanted)
        try:
            grant = break_glass_grant(
                actor=request.user, team=membership.team, person_id=wanted, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"You can see this record until {date_time(grant.expires_at)}. "
                "Your reason has been recorded.",
            )
            return redirect("person_detail", pk=grant.person_id)
    return render_page(
        request,
        "core/break_glass.html",
        {
            "form": form,
            "code_form": code_form,
            "person_id": person_id,
            "membership": membership,
            "minutes": settings.BREAK_GLASS_MINUTES,
        },
        forms=(form, code_form),
    )


@require_http_methods(["GET", "POST"])
def break_glass(request: AuthenticatedRequest) -> HttpResponse:
    """Break the glass for a Liaison ID given by phone or on paper (the person is not on any list of ours)."""
    return _break_glass(request, None)


@require_http_methods(["GET", "POST"])
def person_break_glass(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The same, reached from a person's address: the page never says whether the person exists."""
    return _break_glass(request, pk)


def _team_tools(user: User, team_id: int) -> list[dict[str, str]]:
    """The team pages this user's role may open, in the order a team lead works through them."""
    tools = (
        (
            "team_engagement",
            "Who is drifting out of contact",
            "People in assessment or support, the longest since a successful contact first.",
            "people.view",
        ),
        (
            "drop_in_list",
            "Drop-in sessions",
            "Sessions, their register, and a count of people who came without giving a name.",
            "outreach.drop_in",
        ),
        (
            "consent:basis_queue",
            "Requests to share without consent",
            "A clinician's case for sharing under a lawful basis, waiting for another team lead.",
            "consent.approve_basis",
        ),
        (
            "reports:feedback_summary",
            "Partner feedback on reports",
            "How useful police, courts and probation found what we shared, and what else they needed.",
            "reports.view_feedback",
        ),
        (
            "training:training_list",
            "Awareness training",
            "Sessions for justice agency staff: who was reached and how knowledge changed.",
            "training.record",
        ),
        (
            "reports:report_settings",
            "Report sign-off",
            "Whether the team's reports need a team lead's sign-off before they are shared.",
            "reports.sign_off",
        ),
        (
            "duplicate_queue",
            "Possible duplicates",
            "Records that may be the same person: review, merge or keep apart.",
            "people.merge",
        ),
        (
            "sar_list",
            "Subject access requests",
            "Requests for a person's own records, with their due dates.",
            "rights.subject_access",
        ),
        (
            "team_break_glass",
            "Break-glass log",
            "Who opened a record outside the team's work with the person, and why.",
            "core.view_audit",
        ),
        ("privacy_alerts", "Privacy alerts", "Unusual access to records.", "monitoring.review_alerts"),
        ("team_accounts", "Team accounts", "End a leaver's access at once.", "core.manage_accounts"),
    )
    return [
        {"href": reverse(name), "title": title, "text": text}
        for name, title, text, operation in tools
        if can(user, operation, team_id)
    ]


@require_http_methods(["GET"])
def team_home(request: AuthenticatedRequest) -> HttpResponse:
    """The team's own pages, gathered so the menu stays short."""
    membership = current_membership(request)
    if membership is None:
        return no_access(request)
    tools = _team_tools(request.user, membership.team_id)
    if not tools:
        return no_access(request)
    return render_page(request, "core/team.html", {"membership": membership, "tools": tools})


@require_http_methods(["GET"])
def team_break_glass(request: AuthenticatedRequest) -> HttpResponse:
    """For team leads: every break-glass grant made in the team, newest first."""
    membership = current_membership(request)
    if membership is None or not can(request.user, "core.view_audit", membership.team_id):
        raise Http404("Not found")
    grants = break_glass_grants_for_team(membership.team_id)
    page = Paginator(grants, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    audit(
        actor=request.user,
        action="break_glass.review",
        team_id=membership.team_id,
        role=membership.role,
        detail={"grant_ids": [g.pk for g in page], "page": page.number},
    )
    return render(
        request,
        "core/team_break_glass.html",
        {"page": page, "membership": membership, "now": timezone.now()},
    )


@require_http_methods(["GET", "POST"])
def account_sessions(request: AuthenticatedRequest) -> HttpResponse:
    """The user's own signed-in sessions, and "sign out everywhere else" (a computer left signed in
    in another custody suite, or a lost phone). This session is kept."""
    current = request.session.session_key
    if request.method == "POST":
        ended = sessions_end_for_user(request.user, keep=current)
        audit(actor=request.user, action="session.signed_out_elsewhere", detail={"sessions_ended": ended})
        messages.success(
            request,
            "Signed out everywhere else." if ended else "You were not signed in anywhere else.",
        )
        return redirect("account_sessions")
    sessions = list(UserSession.objects.filter(user=request.user).order_by("-started_at")[:50])
    return render(
        request,
        "core/account_sessions.html",
        {"sessions": sessions, "current": current},
    )
