"""Pages for justice partners: refer a person to the team, the confirmation with its reference, and
the list of referrals they sent (as they sent them: no person record, no clinical detail).

Views stay thin: parse with a form, fetch through the scoped queries, call one service, then
redirect or render.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods

from liaison.core.audit import audit
from liaison.core.errors import NotPermitted
from liaison.core.forms import apply_service_errors
from liaison.core.models import Membership
from liaison.core.permissions import can
from liaison.core.teams import current_membership
from liaison.core.views import (
    AuthenticatedRequest,
    clinical_membership,
    no_access,
    not_permitted,
    render_page,
)
from liaison.identification.queries import flag_choices
from liaison.partners.forms import ReferralForm
from liaison.partners.queries import REFER, get_referral_for_user, sent_referrals
from liaison.partners.services import referral_create, referral_sites

FOR_PARTNERS = (
    "Referrals are sent by justice partners. To record someone your team has found, use New arrival."
)


def _partner_membership(request: AuthenticatedRequest) -> tuple[Membership | None, HttpResponse | None]:
    membership = current_membership(request)
    if membership is not None and can(request.user, REFER, membership.team_id):
        return membership, None
    if clinical_membership(request) is not None:
        return None, not_permitted(request, FOR_PARTNERS)
    return None, no_access(request)


@require_http_methods(["GET", "POST"])
def referral_new(request: AuthenticatedRequest) -> HttpResponse:
    membership, refused = _partner_membership(request)
    if refused is not None or membership is None:
        return refused or no_access(request)
    team = membership.team
    form = ReferralForm(request.POST or None, sites=referral_sites(request.user, team), flags=flag_choices())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = referral_create(
                actor=request.user,
                team=team,
                site_id=data["site"],
                given_name=data["given_name"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
                nhs_number=data["nhs_number"],
                pnc_id=data["pnc_id"],
                reason=data["reason"],
                urgency=data["urgency"],
                source=data["source"],
                flag_codes=data["flags"],
                referrer_contact=data["referrer_contact"],
            )
        except NotPermitted:
            return not_permitted(request, FOR_PARTNERS)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            # The confirmation page is the answer: no flash message with names in it.
            return redirect("referral_detail", pk=referral.pk)
    return render_page(
        request, "partners/referral_new.html", {"form": form, "membership": membership}, forms=(form,)
    )


@require_GET
def referral_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    referral, via = get_referral_for_user(request.user, pk)
    return render_page(request, "partners/referral.html", {"referral": referral, "via": via})


@require_GET
def referral_list(request: AuthenticatedRequest) -> HttpResponse:
    membership, refused = _partner_membership(request)
    if refused is not None or membership is None:
        return refused or no_access(request)
    page = Paginator(sent_referrals(request.user), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    audit(
        actor=request.user,
        action="referral.list",
        team_id=membership.team_id,
        role=membership.role,
        detail={"referral_ids": [r.pk for r in page], "page": page.number},
    )
    return render_page(request, "partners/referral_list.html", {"page": page, "membership": membership})
