"""How advice records read on the pages: labels, tags, amounts, and the episode page's section."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from liaison.advice.models import AdviceRecord, AdviceStatus, AdviceType, Benefit, Frequency, OutcomeKind
from liaison.advice.queries import episode_advice
from liaison.advice.services import TYPE_FOR_NEED
from liaison.assessment.presenters import need_label
from liaison.assessment.services import current_assessment
from liaison.core.models import User
from liaison.core.permissions import can
from liaison.core.presenters import Tag
from liaison.episodes.models import Episode, Stage

OPEN_TAG = Tag("Open", "blue")
CLOSED_TAG = Tag("Closed", "grey")
OVERDUE_TAG = Tag("Overdue: not seen on the day", "red")
NOT_ALLOCATED_TAG = Tag("Not allocated", "orange")


def status_tag(record: AdviceRecord, *, overdue: bool = False) -> Tag:
    if record.status == AdviceStatus.CLOSED:
        return CLOSED_TAG
    return OVERDUE_TAG if overdue else OPEN_TAG


def type_label(record: AdviceRecord) -> str:
    """ "Benefit claim: Universal Credit", "Benefit claim: Carer's Allowance", "Debt" ..."""
    label = AdviceType(record.advice_type).label
    if record.advice_type != AdviceType.BENEFITS or not record.benefit:
        return label
    benefit = record.benefit_other if record.benefit == Benefit.OTHER else Benefit(record.benefit).label
    return f"{label}: {benefit}"


def money(amount: Decimal | None) -> str:
    """£85.50, £1,200 (no pence when there are none)."""
    if amount is None:
        return ""
    whole = amount == amount.to_integral_value()
    return f"£{amount:,.0f}" if whole else f"£{amount:,.2f}"


def outcome_text(outcome: Any) -> str:
    """ "Award made: £85.50 every week" """
    label = OutcomeKind(outcome.kind).label
    if outcome.amount is None:
        return label
    how_often = Frequency(outcome.frequency).label.lower() if outcome.frequency else ""
    if outcome.frequency == Frequency.ONE_OFF:
        how_often = "as one payment"
    return f"{label}: {money(outcome.amount)} {how_often}".strip()


def closing_text(record: AdviceRecord) -> str:
    return OutcomeKind(record.closing_outcome).label if record.closing_outcome else ""


@dataclass(frozen=True)
class AdviceNeed:
    key: str
    label: str
    advice_type: str


@dataclass(frozen=True)
class EpisodeAdviceSection:
    records: list[AdviceRecord]
    needs: list[AdviceNeed]  # the plan's needs an adviser could help with and nobody has yet
    can_allocate: bool


def advice_needs(episode: Episode, taken: set[str]) -> list[AdviceNeed]:
    """The current plan's needs that housing and benefits advice answers (2 queries)."""
    current = current_assessment(episode)
    if current is None:
        return []
    keys = [need.key for need in current.needs.all() if need.level and need.level != "none"]
    return [
        AdviceNeed(key, need_label(key), TYPE_FOR_NEED[key])
        for key in keys
        if key in TYPE_FOR_NEED and key not in taken
    ]


def episode_advice_section(user: User, episode: Episode) -> EpisodeAdviceSection:
    records = episode_advice(episode)
    taken = {r.need_key for r in records if r.need_key and r.status == AdviceStatus.OPEN}
    can_allocate = can(user, "advice.allocate", episode.team_id) and episode.stage != Stage.CLOSED
    return EpisodeAdviceSection(
        records=records,
        needs=advice_needs(episode, taken) if can_allocate else [],
        can_allocate=can_allocate,
    )
