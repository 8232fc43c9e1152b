"""The plan as pages and the API show it: needs in order, why each is where it is, and their actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from liaison.assessment.codes import LEVEL_LABELS, LEVEL_RANK, RAISED_BY_LABELS, codes
from liaison.assessment.models import Assessment, AssessmentStatus, Need, PlanAction, PlanOrder
from liaison.assessment.ordering import TIER_LABELS, NeedItem, apply_override, rule_order, tier
from liaison.episodes.models import Episode

LEVEL_COLOURS = {"none": "grey", "low": "blue", "moderate": "yellow", "high": "orange", "urgent": "red"}


@dataclass
class PlanItem:
    position: int
    key: str
    label: str
    level: str
    level_label: str
    level_colour: str
    tier: int
    tier_label: str
    evidence: str
    raised_by: str
    raised_by_label: str
    suggested_level: str
    suggested_from: str
    person_rank: int | None  # 1 for the person's first priority
    rule_position: int  # where the rule alone puts it
    actions: list[PlanAction] = field(default_factory=list)

    @property
    def moved(self) -> bool:
        return self.position != self.rule_position


@dataclass
class Plan:
    assessment: Assessment
    items: list[PlanItem]
    override: PlanOrder | None
    # The person's own priorities, in their order, as (rank, key, label).
    person_priorities: list[tuple[int, str, str]]

    @property
    def overridden(self) -> bool:
        return self.override is not None and any(item.moved for item in self.items)


def build_plan(
    assessment: Assessment,
    needs: list[Need],
    override: PlanOrder | None,
    actions: list[PlanAction] | None = None,
) -> Plan:
    """Pure over what it is given: the caller fetches needs, the newest override and the actions."""
    code_list = codes()
    by_key = {need.key: need for need in needs if need.level}
    priorities = list(assessment.person_priorities)
    ruled = rule_order([NeedItem(k, n.level) for k, n in by_key.items()], priorities, code_list)
    rule_position = {item.key: index for index, item in enumerate(ruled, start=1)}
    ordered = apply_override(ruled, override.keys if override else None)
    actions_by_key: dict[str, list[PlanAction]] = {}
    for action in actions or []:
        actions_by_key.setdefault(action.need_key, []).append(action)
    items = []
    for position, item in enumerate(ordered, start=1):
        need = by_key[item.key]
        item_tier = tier(item, priorities, code_list)
        items.append(
            PlanItem(
                position=position,
                key=item.key,
                label=code_list.label(item.key),
                level=need.level,
                level_label=LEVEL_LABELS[need.level],
                level_colour=LEVEL_COLOURS[need.level],
                tier=item_tier,
                tier_label=TIER_LABELS[item_tier],
                evidence=need.evidence,
                raised_by=need.raised_by,
                raised_by_label=RAISED_BY_LABELS.get(need.raised_by, ""),
                suggested_level=need.suggested_level,
                suggested_from=need.suggested_from,
                person_rank=priorities.index(item.key) + 1 if item.key in priorities else None,
                rule_position=rule_position[item.key],
                actions=actions_by_key.get(item.key, []),
            )
        )
    return Plan(
        assessment=assessment,
        items=items,
        override=override,
        person_priorities=[(rank, key, code_list.label(key)) for rank, key in enumerate(priorities, start=1)],
    )


def plan_for(assessment: Assessment) -> Plan:
    """Three queries: needs, the newest override, and the episode's actions with owners and tasks."""
    needs = list(assessment.needs.all())
    override = PlanOrder.objects.filter(assessment=assessment).select_related("by").first()
    actions = list(
        PlanAction.objects.filter(episode_id=assessment.episode_id)
        .select_related("owner", "task")
        .order_by("due", "id")
    )
    return build_plan(assessment, needs, override, actions)


@dataclass
class HistoryRow:
    key: str
    label: str
    levels: list[str]  # one per version, oldest first; "" where the domain was not considered

    @property
    def changed(self) -> bool:
        seen = [level for level in self.levels if level]
        return len(set(seen)) > 1

    @property
    def direction(self) -> str:
        """ "up", "down" or "" between the first and last versions that rated it."""
        seen = [level for level in self.levels if level]
        if len(seen) < 2 or seen[0] == seen[-1]:
            return ""
        return "up" if LEVEL_RANK[seen[-1]] > LEVEL_RANK[seen[0]] else "down"


def needs_history(episode: Episode | int) -> tuple[list[Assessment], list[HistoryRow]]:
    """Every complete version of the episode's assessment, and each need's level in each: two queries."""
    episode_id = episode if isinstance(episode, int) else episode.pk
    versions = list(
        Assessment.objects.filter(episode_id=episode_id, status=AssessmentStatus.COMPLETE).order_by("number")
    )
    index = {a.pk: i for i, a in enumerate(versions)}
    levels: dict[str, list[str]] = {}
    for need in Need.objects.filter(assessment__in=versions).exclude(level=""):
        levels.setdefault(need.key, [""] * len(versions))[index[need.assessment_id]] = need.level
    code_list = codes()
    rows = [HistoryRow(key, code_list.label(key), levels[key]) for key in code_list.keys if key in levels]
    return versions, rows


def plan_as_dict(plan: Plan) -> dict[str, Any]:
    """The plan for the API: the same order and reasons the page shows."""
    return {
        "assessment_id": plan.assessment.pk,
        "assessment_number": plan.assessment.number,
        "overridden": plan.overridden,
        "override_reason": plan.override.reason if plan.override else None,
        "person_priorities": [key for _rank, key, _label in plan.person_priorities],
        "needs": [
            {
                "position": item.position,
                "key": item.key,
                "label": item.label,
                "level": item.level,
                "tier": item.tier_label,
                "rule_position": item.rule_position,
                "person_rank": item.person_rank,
                "evidence": item.evidence,
                "raised_by": item.raised_by,
                "actions": [action.pk for action in item.actions],
            }
            for item in plan.items
        ],
    }
