"""Pages for the team lead as privacy officer (the team's alerts, one alert, the Liaison IDs a user read
on the alert's day) and for the team lead or administrator (the team's accounts, deactivating a leaver).

Every page is scoped to the current team's role: an alert or account of another team, or one the
user's role may not manage, is a 404, audited, the same as one that does not exist.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods

from liaison.core.audit import audit
from liaison.core.errors import NotPermitted
from liaison.core.forms import apply_service_errors
from liaison.core.permissions import can, role_in
from liaison.core.presenters import long_date, user_name
from liaison.core.teams import current_membership
from liaison.core.views import AuthenticatedRequest, not_permitted, render_page
from liaison.monitoring.accounts import account_deactivate
from liaison.monitoring.forms import AlertCloseForm, DeactivateForm
from liaison.monitoring.models import AlertRule
from liaison.monitoring.presenters import alert_facts, alert_summary, outcome_tag, rule_tag
from liaison.monitoring.queries import (
    MANAGE,
    get_account_for_user,
    get_alert_for_user,
    grants_behind,
    last_sign_ins,
    records_read_on_the_day,
    team_accounts,
    team_alerts,
)
from liaison.monitoring.services import REVIEW, privacy_alert_close

NOT_A_REVIEWER = "Only the team lead, as the team's privacy officer, can review privacy alerts."
NOT_A_MANAGER = "Only the team lead or the administrator can manage the team's accounts."


# --- privacy alerts ---------------------------------------------------------------------------------


@require_GET
def privacy_alerts(request: AuthenticatedRequest) -> HttpResponse:
    """The team's open alerts, newest first (or the closed ones, with their outcomes)."""
    membership = current_membership(request)
    if membership is None or not can(request.user, REVIEW, membership.team_id):
        return not_permitted(request, NOT_A_REVIEWER)
    show_closed = request.GET.get("show") == "closed"
    page = Paginator(team_alerts(membership.team_id, show_closed=show_closed), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    audit(
        actor=request.user,
        action="privacy_alert.list",
        team_id=membership.team_id,
        role=membership.role,
        detail={"alert_ids": [a.pk for a in page], "page": page.number, "closed": show_closed},
    )
    rows = [
        {"alert": a, "tag": rule_tag(a.rule), "summary": alert_summary(a), "outcome": outcome_tag(a.outcome)}
        for a in page
    ]
    return render_page(
        request,
        "monitoring/alerts.html",
        {"membership": membership, "page": page, "rows": rows, "show_closed": show_closed},
    )


@require_http_methods(["GET", "POST"])
def privacy_alert_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One alert: the numbers behind it, the grants it counted, and closing it with an outcome."""
    alert = get_alert_for_user(request.user, pk)
    is_self = alert.user_id == request.user.pk
    form = AlertCloseForm(request.POST or None) if alert.is_open and not is_self else None
    if request.method == "POST":
        if form is None:
            message = (
                "This alert is closed."
                if not alert.is_open
                else "Another team lead must review alerts about you."
            )
            return not_permitted(request, message)
        if form.is_valid():
            try:
                privacy_alert_close(actor=request.user, alert=alert, **form.cleaned_data)
            except NotPermitted as exc:
                return not_permitted(request, str(exc))
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, f"Alert closed: {alert_summary(alert)}.")
                return redirect("privacy_alerts")
    audit(
        actor=request.user,
        action="privacy_alert.view",
        team_id=alert.team_id,
        role=role_in(request.user, alert.team_id) or "",
        object_type="privacy_alert",
        object_id=alert.pk,
    )
    grants = grants_behind(alert) if alert.rule == AlertRule.REPEATED_BREAK_GLASS else []
    return render_page(
        request,
        "monitoring/alert_detail.html",
        {
            "alert": alert,
            "tag": rule_tag(alert.rule),
            "facts": alert_facts(alert),
            "outcome": outcome_tag(alert.outcome),
            "grants": grants,
            "form": form,
            "is_self": is_self,
        },
        forms=(form,),
    )


@require_GET
def privacy_alert_access(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The Liaison IDs the alert's user read on its day, in the team's name: ids only, never names."""
    alert = get_alert_for_user(request.user, pk)
    page = Paginator(records_read_on_the_day(alert), 50).get_page(request.GET.get("page"))
    # The lead saw these ids: their own read shows in each person's "who viewed this record".
    audit(
        actor=request.user,
        action="privacy_alert.access",
        team_id=alert.team_id,
        role=role_in(request.user, alert.team_id) or "",
        object_type="privacy_alert",
        object_id=alert.pk,
        person_ids=[row["person_id"] for row in page],
        detail={"page": page.number},
    )
    return render_page(
        request,
        "monitoring/alert_access.html",
        {"alert": alert, "page": page, "who": user_name(alert.user), "day": long_date(alert.day)},
    )


# --- the team's accounts ----------------------------------------------------------------------------


@require_GET
def team_accounts_page(request: AuthenticatedRequest) -> HttpResponse:
    """The team's accounts: name, role, last sign-in and whether active, with "Deactivate" for leavers."""
    membership = current_membership(request)
    if membership is None or not can(request.user, MANAGE, membership.team_id):
        return not_permitted(request, NOT_A_MANAGER)
    page = Paginator(team_accounts(membership.team_id), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    signed_in = last_sign_ins([m.user_id for m in page])
    rows = [{"membership": m, "last_sign_in": signed_in.get(m.user_id)} for m in page]
    return render_page(
        request, "monitoring/accounts.html", {"membership": membership, "page": page, "rows": rows}
    )


@require_http_methods(["GET", "POST"])
def account_deactivate_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Confirm, with a reason, and deactivate: the person's sessions end at once."""
    membership = current_membership(request)
    if membership is None:
        raise Http404("Not found")
    account = get_account_for_user(request.user, pk, team_id=membership.team_id)
    user = account.user
    if user.pk == request.user.pk:
        return not_permitted(request, "You cannot deactivate your own account.")
    if user.is_superuser:
        return not_permitted(request, "Superuser accounts are managed by the people who run the service.")
    if not user.is_active:
        messages.info(request, f"{user_name(user)}'s account is already deactivated.")
        return redirect("team_accounts")
    form = DeactivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ended = account_deactivate(
                actor=request.user, user=user, team=membership.team, reason=form.cleaned_data["reason"]
            )
        except NotPermitted as exc:
            return not_permitted(request, str(exc))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            signed_out = {0: "They were not signed in", 1: "Their open session was ended at once"}.get(
                ended, f"Their {ended} open sessions were ended at once"
            )
            messages.success(
                request,
                f"{user_name(user)}'s account is deactivated. {signed_out}, and they cannot sign in again.",
            )
            return redirect("team_accounts")
    return render_page(
        request,
        "monitoring/account_deactivate.html",
        {"membership": membership, "account": account, "form": form},
        forms=(form,),
    )
