"""The plan as pages and the API show it: needs in order, why each is where it is, and their actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from liaison.assessment.codes import BASIC_PREFIX, LEVEL_LABELS, LEVEL_RANK, RAISED_BY_LABELS, codes
from liaison.assessment.models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    Assessment,
    AssessmentStatus,
    Need,
    PlanAction,
    PlanOrder,
)
from liaison.assessment.ordering import TIER_LABELS, NeedItem, apply_override, rule_order, tier
from liaison.core.models import User
from liaison.core.permissions import can
from liaison.core.presenters import Tag
from liaison.episodes.models import Episode, Stage

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
    # Actions for needs a review has since taken out of the plan: still shown, never lost.
    other_actions: list[PlanAction] = field(default_factory=list)

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
        other_actions=[a for a in actions or [] if a.need_key not in {i.key for i in ordered}],
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
    return versions, history_rows(versions, list(Need.objects.filter(assessment__in=versions)))


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


# --- the pages: the episode's section, the person's plan, the assessment form and its summary -------
# (Added for the HTML pages; the functions above are shared with the API and stay as they are.)


def level_label(level: str) -> str:
    """The short label for a tag: "Urgent", not "Urgent: needs action today"."""
    return LEVEL_LABELS.get(level, "Not assessed").split(":")[0] if level else "Not assessed"


def level_tag(level: str) -> Tag:
    return Tag(level_label(level), LEVEL_COLOURS.get(level, "white") if level else "white")


def suggestion_text(level: str, source: str) -> str:
    """ "Suggested: High, from PHQ-9 18, Moderately severe on 30 Nov 2026"."""
    if not level:
        return ""
    return f"Suggested: {level_label(level)}, from {source}" if source else f"Suggested: {level_label(level)}"


def ordinal(rank: int) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th ... 21st (a plan holds up to 21 needs)."""
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix}"


@dataclass
class DomainRow:
    """One domain as the assessment's summary shows it."""

    key: str
    label: str
    level: str
    tag: Tag
    evidence: str
    raised_by_label: str
    suggestion: str
    changed_from_suggestion: bool


def domain_rows(needs: list[Need]) -> list[DomainRow]:
    """Every domain, in code-list order, rated or not."""
    by_key = {need.key: need for need in needs}
    rows = []
    for domain in codes().domains:
        need = by_key.get(domain.code)
        level = need.level if need else ""
        suggested = need.suggested_level if need else ""
        rows.append(
            DomainRow(
                key=domain.code,
                label=domain.label,
                level=level,
                tag=level_tag(level),
                evidence=need.evidence if need else "",
                raised_by_label=RAISED_BY_LABELS.get(need.raised_by, "") if need else "",
                suggestion=suggestion_text(suggested, need.suggested_from if need else ""),
                changed_from_suggestion=bool(suggested and level and suggested != level),
            )
        )
    return rows


def basic_needs_today(needs: list[Need]) -> list[str]:
    """The labels of the basic needs ticked (each an urgent need), in code-list order."""
    ticked = {need.key for need in needs if need.key.startswith(BASIC_PREFIX) and need.level}
    return [b.label for b in codes().basic_needs if b.key in ticked]


FINDING_TITLES = (
    ("fitness_for_interview", "Fitness for interview"),
    ("fitness_for_detention", "Fitness for detention"),
    ("appropriate_adult", "Appropriate adult needed"),
    ("capacity_concerns", "Concerns about mental capacity"),
    ("communication_support", "Communication support needed"),
)


def finding_rows(assessment: Assessment) -> list[tuple[str, str, str]]:
    """(finding, answer, reasons) for each custody finding, "Not assessed" where blank."""
    return [
        (label, getattr(assessment, f"get_{name}_display")(), getattr(assessment, f"{name}_reason"))
        for name, label in FINDING_TITLES
    ]


@dataclass
class AssessmentSection:
    """What the episode page's "Assessment and plan" section shows."""

    draft: Assessment | None
    current: Assessment | None
    versions: int
    plan: Plan | None
    can_record: bool
    can_plan: bool


def episode_assessment_section(user: User, episode: Episode) -> AssessmentSection:
    """One query for the episode's assessments, and three for the current plan when there is one."""
    assessments = list(
        Assessment.objects.filter(episode=episode).select_related("by", "completed_by").order_by("-number")
    )
    draft = next((a for a in assessments if a.status == AssessmentStatus.DRAFT), None)
    current = next((a for a in assessments if a.status == AssessmentStatus.COMPLETE), None)
    is_open = episode.stage != Stage.CLOSED
    return AssessmentSection(
        draft=draft,
        current=current,
        versions=sum(1 for a in assessments if a.status == AssessmentStatus.COMPLETE),
        plan=plan_for(current) if current is not None else None,
        can_record=can(user, "assessment.record", episode.team_id) and is_open,
        can_plan=can(user, "assessment.plan", episode.team_id) and is_open,
    )


@dataclass
class PersonPlan:
    """The person page's plan: the newest episode's current assessment, its plan, and how needs changed."""

    episode: Episode
    plan: Plan
    versions: list[Assessment]
    history: list[HistoryRow]


def history_rows(versions: list[Assessment], needs: list[Need]) -> list[HistoryRow]:
    """Each need's level in each version, oldest first (as needs_history, over needs already fetched)."""
    index = {a.pk: i for i, a in enumerate(versions)}
    levels: dict[str, list[str]] = {}
    for need in needs:
        if need.level and need.assessment_id in index:
            levels.setdefault(need.key, [""] * len(versions))[index[need.assessment_id]] = need.level
    code_list = codes()
    return [HistoryRow(key, code_list.label(key), levels[key]) for key in code_list.keys if key in levels]


def person_plan(episodes: list[Episode]) -> PersonPlan | None:
    """The plan for the person page, from the person's episodes (already loaded, newest first).

    Four queries when there is a plan: the complete assessments, their needs, the newest override and
    the episode's actions. Completing an assessment always moves an episode to "assessed" (stages move
    one at a time), so while no episode has been assessed there is nothing to fetch: no query at all.
    """
    if not any(e.assessed_at or e.stage in (Stage.ASSESSED, Stage.SUPPORT) for e in episodes):
        return None
    by_id = {e.pk: e for e in episodes}
    complete = list(
        Assessment.objects.filter(episode_id__in=by_id, status=AssessmentStatus.COMPLETE)
        .select_related("completed_by")
        .order_by("episode_id", "number")
    )
    if not complete:
        return None
    # The newest episode that has a complete assessment; its latest version is the current one.
    rank = {e.pk: i for i, e in enumerate(episodes)}
    episode_id = min({a.episode_id for a in complete}, key=rank.__getitem__)
    versions = [a for a in complete if a.episode_id == episode_id]
    current = versions[-1]
    needs = list(Need.objects.filter(assessment__in=versions))
    override = PlanOrder.objects.filter(assessment=current).select_related("by").first()
    actions = list(
        PlanAction.objects.filter(episode_id=episode_id).select_related("owner").order_by("due", "id")
    )
    plan = build_plan(current, [n for n in needs if n.assessment_id == current.pk], override, actions)
    return PersonPlan(
        episode=by_id[episode_id], plan=plan, versions=versions, history=history_rows(versions, needs)
    )


ACTION_STATUS_COLOURS: dict[str, str] = {
    ActionStatus.PLANNED: "blue",
    ActionStatus.IN_PROGRESS: "yellow",
    ActionStatus.DONE: "green",
    ActionStatus.NOT_NEEDED: "grey",
}


def action_status_tag(status: str) -> Tag:
    label = ActionStatus(status).label if status in ActionStatus.values else status
    return Tag(label, ACTION_STATUS_COLOURS.get(status, "grey"))


def need_anchor(key: str) -> str:
    """The id of a need on the plan page ("need-basic-sleep_tonight"): no colon, so it works in CSS too."""
    return "need-" + key.replace(":", "-")


def plan_with_other_actions(assessment: Assessment) -> tuple[Plan, list[PlanAction]]:
    """The plan (plan_for, three queries), and the open actions for needs no longer in it: a review
    that rates a need lower, or leaves it out, must not hide work still to do."""
    plan = plan_for(assessment)
    return plan, [a for a in plan.other_actions if a.status in OPEN_ACTION_STATUSES]


def need_label(key: str) -> str:
    return codes().label(key)
