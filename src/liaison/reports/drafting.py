"""A new report's first text, from the episode's newest complete assessment, its plan and screenings.

Only sections whose content kind the consent allows for the report's recipient are written at all;
the others are left out entirely, each with the sharing rule's reason. The text is a starting point: the
practitioner edits it before it is signed off.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from liaison.assessment.codes import LEVEL_LABELS, codes
from liaison.assessment.models import OPEN_ACTION_STATUSES, Assessment, AssessmentStatus
from liaison.assessment.presenters import FINDING_TITLES, Plan, finding_rows, plan_for
from liaison.consent.rules import allowed_contents
from liaison.core.presenters import long_date
from liaison.episodes.models import Episode
from liaison.reports.kinds import template_for
from liaison.screening.models import Screening, ScreeningStatus
from liaison.screening.presenters import definition_of, result_summary


@dataclass
class Sources:
    assessment: Assessment | None
    plan: Plan | None
    screenings: list[Screening]


def sources_for(episode: Episode) -> Sources:
    assessment = (
        Assessment.objects.filter(episode=episode, status=AssessmentStatus.COMPLETE)
        .select_related("by")
        .order_by("-number")
        .first()
    )
    screenings = list(
        Screening.objects.filter(episode=episode, status=ScreeningStatus.COMPLETE).order_by("completed_at")
    )
    return Sources(assessment, plan_for(assessment) if assessment else None, screenings)


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part).strip()


def _finding(assessment: Assessment | None, names: tuple[str, ...]) -> str:
    """ "Fitness for interview: Fit. Reasons" for each named custody finding that was assessed."""
    if assessment is None:
        return ""
    rows = dict(zip((name for name, _ in FINDING_TITLES), finding_rows(assessment), strict=True))
    lines = []
    for name in names:
        label, answer, reason = rows[name]
        if getattr(assessment, name):
            lines.append(f"{label}: {answer}." + (f" {reason}" if reason else ""))
    return _lines(*lines)


def _fitness(src: Sources) -> str:
    return _finding(src.assessment, ("fitness_for_interview", "fitness_for_detention"))


def _appropriate_adult(src: Sources) -> str:
    return _finding(src.assessment, ("appropriate_adult", "communication_support"))


def _needs(src: Sources) -> str:
    if src.plan is None:
        return ""
    return _lines(*(f"{item.position}. {item.label}: {item.level_label.lower()}" for item in src.plan.items))


def _risks(src: Sources) -> str:
    if src.plan is None:
        return ""
    safety = {d.code for d in codes().domains if d.safety}
    return _lines(
        *(f"{item.label}: {item.level_label.lower()}" for item in src.plan.items if item.key in safety)
    )


def _recommendations(src: Sources) -> str:
    if src.plan is None:
        return ""
    actions = [a for item in src.plan.items for a in item.actions if a.status in OPEN_ACTION_STATUSES]
    return _lines(*(f"- {a.description} (by {long_date(a.due)})" for a in actions))


# The prompt lines a court report's draft starts with: answered or deleted before sign-off (services).
TREATMENT_PROMPTS = (
    "Mental health treatment requirement:",
    "Drug rehabilitation requirement:",
    "Alcohol treatment requirement:",
)


def _treatment_requirements(src: Sources) -> str:
    return _lines(*(f"{prompt} " for prompt in TREATMENT_PROMPTS))


def _screening(src: Sources) -> str:
    rows = []
    for screening in src.screenings:
        title = definition_of(screening).title
        when = long_date(timezone.localtime(screening.completed_at)) if screening.completed_at else ""
        line = f"{title}, {when}: {result_summary(screening)}."
        rows.append(line + (f" {screening.note}" if screening.note else ""))
    return _lines(*rows)


def _assessment(src: Sources) -> str:
    a = src.assessment
    if a is None:
        return ""
    parts = [
        f"In their own words: {a.own_words}" if a.own_words else "",
        f"What they want help with first: {a.help_first}" if a.help_first else "",
        f"Their goals: {a.goals}" if a.goals else "",
        f"What has helped before: {a.helped_before}" if a.helped_before else "",
        f"What has not helped before: {a.not_helped_before}" if a.not_helped_before else "",
    ]
    if src.plan is not None:
        for item in src.plan.items:
            parts.append(
                f"{item.label} ({LEVEL_LABELS[item.level].lower()})"
                + (f": {item.evidence}" if item.evidence else "")
            )
    return _lines(*parts)


PREFILL: dict[str, Callable[[Sources], str]] = {
    "fitness": _fitness,
    "appropriate_adult": _appropriate_adult,
    "risks": _risks,
    "recommendations": _recommendations,
    "needs": _needs,
    "treatment_requirements": _treatment_requirements,
    "bail_remand": lambda src: "",
    "screening": _screening,
    "assessment": _assessment,
}


def draft_sections(
    episode: Episode, *, kind: str, recipient_kind: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(sections, excluded): each allowed section with its first text, each excluded one with why."""
    decisions = allowed_contents(episode.person, team=episode.team_id, recipient_kind=recipient_kind)
    sections: list[dict[str, Any]] = []
    excluded: list[dict[str, Any]] = []
    src: Sources | None = None
    for section in template_for(kind).sections:
        decision = decisions[section.content_kind]
        if not decision.allowed:
            excluded.append(
                {"code": section.code, "heading": section.heading, "content_kind": section.content_kind,
                 "reason": decision.reason}
            )  # fmt: skip
            continue
        src = src or sources_for(episode)
        sections.append(
            {
                "code": section.code,
                "heading": section.heading,
                "content_kind": section.content_kind,
                "text": PREFILL[section.code](src),
            }
        )
    return sections, excluded
