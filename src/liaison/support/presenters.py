"""Display logic for crisis plans: the six parts as the person will read them (page and card), the
directory services offered as checkboxes, and the crisis plan sections on the episode and person pages.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from liaison.core.permissions import can
from liaison.core.presenters import long_date
from liaison.directory.models import Service
from liaison.episodes.models import Episode, Stage
from liaison.support.models import CrisisPlan, CrisisPlanStatus
from liaison.support.opening import service_phones, services_opening_words

__all__ = ["long_date"]

# Always on the card, whatever the plan says: the person must never be left without a number.
NATIONAL_LINES = (
    {"name": "Emergency: if your life is in danger", "number": "999", "opening": "Any time"},
    {
        "name": "NHS 111: choose option 2 for mental health",
        "number": "111",
        "opening": "Any time, day or night. Free.",
    },
    {"name": "Samaritans", "number": "116 123", "opening": "Any time, day or night. Free."},
)


PHONE_LIKE = re.compile(r"\+?[\d\s()-]{6,20}")


@dataclass(frozen=True)
class CardPart:
    number: int | None  # 1 to 6, or None for "what matters to me"
    heading: str
    text: str = ""
    people: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Card:
    """The plan in the person's words, as the page and the pocket card show it."""

    what_matters: str
    parts: list[CardPart]
    review_on: dt.date | None
    national_lines: tuple[dict[str, str], ...] = NATIONAL_LINES


def looks_like_number(text: str) -> bool:
    """A phone number is shown large on the card; "at the allotment, most days" is not."""
    return bool(PHONE_LIKE.fullmatch(text.strip()))


def card_for(plan: CrisisPlan) -> Card:
    return Card(
        what_matters=plan.what_matters,
        parts=[
            CardPart(1, "My warning signs", plan.warning_signs),
            CardPart(2, "Things I can do myself", plan.self_help),
            CardPart(3, "People and places that help me", plan.helpful_people_places),
            CardPart(
                4,
                "People I can ask for help",
                people=[{**p, "is_number": looks_like_number(p.get("how", ""))} for p in plan.people_to_ask],
            ),
            CardPart(
                5,
                "Professionals and crisis lines",
                plan.other_professionals,
                services=list(plan.services),
            ),
            CardPart(6, "Making my situation safer", plan.safer),
        ],
        review_on=plan.review_on,
    )


# --- choosing services ----------------------------------------------------------------------------


def service_choice_pairs(services: list[Service]) -> list[tuple[str, str]]:
    return [(service.pk, service.name) for service in services]


@dataclass(frozen=True)
class ServiceOption:
    value: str
    id: str
    name: str
    organisation: str
    phones: list[dict[str, str]]
    opening: str
    crisis: bool
    checked: bool


def service_options(services: list[Service], form: Any) -> list[ServiceOption]:
    value = form["service_ids"].value() or []
    chosen = {str(v) for v in value}
    return [
        ServiceOption(
            value=service.pk,
            id="id_service_ids" if index == 1 else f"id_service_ids-{index}",
            name=service.name,
            organisation=service.organization.name if service.organization_id else "",
            phones=service_phones(service),
            opening=services_opening_words(service) or "Opening times not known",
            crisis=bool(getattr(service, "crisis", False)),
            checked=service.pk in chosen,
        )
        for index, service in enumerate(services, start=1)
    ]


# --- the sections on the episode page and the person page ----------------------------------------


@dataclass(frozen=True)
class CrisisPlanSection:
    episode: Episode
    current: CrisisPlan | None
    draft: CrisisPlan | None
    versions: int
    review_due: bool
    can_write: bool


def crisis_plan_section(user: Any, episode: Episode) -> CrisisPlanSection:
    """One query: the episode's versions, newest first, without the person's words."""
    plans = list(
        CrisisPlan.objects.filter(episode=episode)
        .select_related("completed_by")
        .only(
            "pk", "episode_id", "number", "status", "review_on", "completed_at", "started_at", "completed_by"
        )
        .order_by("-number")
    )
    current = next((p for p in plans if p.status == CrisisPlanStatus.COMPLETE), None)
    draft = next((p for p in plans if p.status == CrisisPlanStatus.DRAFT), None)
    today = timezone.localdate()
    return CrisisPlanSection(
        episode=episode,
        current=current,
        draft=draft,
        versions=sum(1 for p in plans if p.status == CrisisPlanStatus.COMPLETE),
        review_due=bool(current and current.review_on and current.review_on <= today),
        can_write=can(user, "support.crisis_plan", episode.team_id) and episode.stage != Stage.CLOSED,
    )


def person_crisis_plan(user: Any, episodes: list[Episode]) -> CrisisPlanSection | None:
    """The newest crisis plan across the person's episodes (already loaded, newest first): one query."""
    if not episodes:
        return None
    plan = (
        CrisisPlan.objects.filter(episode__in=[e.pk for e in episodes], status=CrisisPlanStatus.COMPLETE)
        .select_related("completed_by")
        .only("pk", "episode_id", "number", "status", "review_on", "completed_at", "completed_by")
        .order_by("-completed_at", "-pk")
        .first()
    )
    if plan is None:
        return None
    episode = next(e for e in episodes if e.pk == plan.episode_id)
    return CrisisPlanSection(
        episode=episode,
        current=plan,
        draft=None,
        versions=0,
        review_due=bool(plan.review_on and plan.review_on <= timezone.localdate()),
        can_write=False,
    )
