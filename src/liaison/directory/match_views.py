"""The "find a service" page for one need of an episode: services ranked for the release time, with
the reasons for each, and a link to refer.

Thin: fetch the episode through the access policy (404 and an audit event for outsiders), check the
role once, read the release time, ask matching, present.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote, urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from liaison.assessment.codes import codes
from liaison.core.access import get_episode_for_user
from liaison.core.permissions import can
from liaison.core.presenters import Tag
from liaison.core.views import AuthenticatedRequest, not_permitted, render_page
from liaison.directory.eligibility import MET, NOT_MET
from liaison.directory.matching import Suggestion, suggest
from liaison.directory.opening import CLOSED, LONDON, OPEN

PER_PAGE = 20
EXCLUDED_SHOWN = 50
NOT_A_CLINICIAN = "Your role cannot look up services for a person."
RELEASE_FORMAT = "%Y-%m-%dT%H:%M"
# A release time further off than this is almost certainly a typing slip.
RELEASE_WINDOW = dt.timedelta(days=366)

REASON_TAGS = {MET: Tag("Yes", "green"), NOT_MET: Tag("No", "red")}
NOT_KNOWN_TAG = Tag("Not known", "grey")
OPENING_TAGS = {OPEN: Tag("Open", "green"), CLOSED: Tag("Closed", "red")}
HOURS_NOT_KNOWN_TAG = Tag("Hours not known", "grey")


class ReleaseForm(forms.Form):
    release_at = forms.CharField(
        label="Release time",
        help_text="When the person is expected to leave. Services are shown open or closed at this time.",
        error_messages={"required": "Enter the release time"},
    )

    def clean_release_at(self) -> dt.datetime:
        text = self.cleaned_data["release_at"].strip().replace(" ", "T", 1)
        try:
            naive = dt.datetime.fromisoformat(text)
        except ValueError:
            raise forms.ValidationError(
                "Enter the release time as a date and time, for example 28/11/2026 02:00"
            ) from None
        if naive.tzinfo is not None:
            naive = naive.astimezone(LONDON).replace(tzinfo=None)
        when = naive.replace(second=0, microsecond=0, tzinfo=LONDON)
        if abs(when - timezone.now()) > RELEASE_WINDOW:
            raise forms.ValidationError("The release time must be within a year of today")
        return when


def _service_url(service_id: str) -> str:
    try:
        return reverse("directory:service_detail", args=[service_id])
    except NoReverseMatch:
        return f"/directory/services/{quote(service_id, safe='')}/"


def _refer_base(episode_pk: int) -> str:
    try:
        return reverse("referrals:referral_new", kwargs={"pk": episode_pk})
    except NoReverseMatch:
        return f"/episodes/{episode_pk}/referrals/new"


def _row(suggestion: Suggestion, refer_base: str, need_key: str) -> dict[str, Any]:
    opening = suggestion.opening
    reasons = [
        {"tag": REASON_TAGS.get(r.state, NOT_KNOWN_TAG), "text": r.text}
        for r in suggestion.reasons
        if r.rule != "open"
    ]
    return {
        "id": suggestion.service_id,
        "name": suggestion.name,
        "organization": suggestion.organization,
        "opening_tag": OPENING_TAGS.get(suggestion.open_state, HOURS_NOT_KNOWN_TAG),
        "opening_words": opening.words if opening else "",
        "reasons": reasons,
        "flagged": suggestion.flagged,
        "service_url": _service_url(suggestion.service_id),
        "refer_url": refer_base + "?" + urlencode({"service": suggestion.service_id, "need": need_key}),
    }


@require_GET
def need_services(request: AuthenticatedRequest, pk: int, need_key: str) -> HttpResponse:
    episode, access = get_episode_for_user(request.user, pk, action="need_services.view")
    if not can(request.user, "directory.view", episode.team_id):
        return not_permitted(request, NOT_A_CLINICIAN)
    if need_key not in codes().keys:
        raise Http404("No such need")
    now = timezone.now()
    if "release_at" in request.GET:
        form = ReleaseForm(request.GET)
    else:
        form = ReleaseForm(initial={"release_at": timezone.localtime(now).strftime(RELEASE_FORMAT)})
    context: dict[str, Any] = {
        "episode": episode,
        "person": episode.person,
        "access": access,
        "need_key": need_key,
        "need_label": codes().label(need_key),
        "form": form,
        "result": None,
    }
    release_at = now
    if form.is_bound:
        if not form.is_valid():
            return render_page(request, "directory/match.html", context, forms=(form,))
        release_at = form.cleaned_data["release_at"]
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    result = suggest(
        need_key,
        person=episode.person,
        episode=episode,
        team_id=episode.team_id,
        release_at=release_at,
        limit=PER_PAGE,
        offset=(number - 1) * PER_PAGE,
        now=now,
    )
    page = Paginator(range(result.ranked_total), PER_PAGE).get_page(number)
    refer_base = _refer_base(episode.pk)
    context.update(
        {
            "result": result,
            "rows": [_row(s, refer_base, need_key) for s in result.ranked],
            "page": page,
            "release_local": timezone.localtime(release_at),
            "excluded": [
                {"name": e.name, "url": _service_url(e.service_id), "reasons": "; ".join(e.reasons)}
                for e in result.excluded[:EXCLUDED_SHOWN]
            ],
            "excluded_more": max(0, len(result.excluded) - EXCLUDED_SHOWN),
        }
    )
    return render_page(request, "directory/match.html", context, forms=(form,))
