"""How screenings read on the pages: instrument names, results, flags and answers in words.

Built from records already loaded by screening/queries.py; nothing here queries the database.
The episode and person pages ask for their screening parts through `episode_screening_context`
and `person_screening_context`, so those pages need one line each to show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from liaison.core.models import User
from liaison.core.permissions import can
from liaison.core.presenters import Tag, date_time, long_date
from liaison.episodes.models import Episode, Stage
from liaison.people.models import Person
from liaison.screening import instruments
from liaison.screening.instruments import Definition, Item
from liaison.screening.models import AlertAction, Screening, ScreeningStatus
from liaison.screening.queries import screenings_for_episode_page, suicide_risk_alerts


@dataclass(frozen=True)
class FlagView:
    code: str
    label: str
    urgent: bool
    suicide_risk: bool


@dataclass(frozen=True)
class AnswerRow:
    key: str
    label: str
    question: str
    answer: str


def definition_of(screening: Screening) -> Definition:
    return instruments.get(screening.instrument_code, screening.instrument_version)


def question_text(definition: Definition, item: Item) -> str:
    """The wording where the licence lets it be shown (or the reference's summary); else nothing."""
    if not definition.wording_may_be_shown:
        return ""
    return item.text or item.topic


def flag_views(definition: Definition, flags: list[str] | tuple[str, ...]) -> list[FlagView]:
    views = []
    for code in flags:
        info = definition.flag(code)
        if info is None:
            views.append(FlagView(code, code.replace("_", " ").capitalize(), False, False))
        else:
            views.append(FlagView(code, info.label, info.urgent, info.suicide_risk))
    # Suicide risk first, then other urgent flags: the order a practitioner must act in.
    return sorted(views, key=lambda f: (not f.suicide_risk, not f.urgent))


def band_label(definition: Definition, profile_code: str, band: str) -> str:
    profile = definition.profile(profile_code)
    if profile is None or not band:
        return ""
    return next((b.label for b in profile.bands if b.code == band), band)


def stored_result(screening: Screening, definition: Definition) -> instruments.Result | None:
    """The scored result saved on a completed screening (for FHIR); None while it is in progress."""
    if not screening.is_complete:
        return None
    return instruments.Result(
        instrument=screening.instrument_code,
        version=screening.instrument_version,
        profile=screening.profile,
        total=screening.total,
        band=screening.band or None,
        band_label=band_label(definition, screening.profile, screening.band) or None,
        positive=screening.positive,
        flags=tuple(screening.flags),
        subscores=screening.subscores,
        notes=tuple(screening.result_notes),
    )


# Part-scores that the scoring rules give (the definitions label their own).
RULE_SUBSCORE_LABELS = {
    "symptoms": "Current symptoms (items 1 to 6 answered yes)",
    "injuries_with_loc": "Injuries with loss of consciousness",
    "tbi_count": "Injuries with loss of consciousness, or dazed or a memory gap",
    "raw_score": "Raw score",
    "converted_score": "Converted score",
    "index": "Index score",
    "score": "Score",
}


def subscore_rows(definition: Definition, subscores: dict[str, int]) -> list[tuple[str, int]]:
    labels = {s.code: s.label for s in definition.subscores}
    return [
        (labels.get(code) or RULE_SUBSCORE_LABELS.get(code, code.replace("_", " ").capitalize()), value)
        for code, value in subscores.items()
    ]


def answer_label(definition: Definition, item: Item, profile_code: str, value: Any) -> str:
    profile = definition.profile(profile_code) or definition.default_profile
    options = definition.options_for(item, profile)
    if options:
        option = next((o for o in options if o.value == value), None)
        return f"{option.label} ({value})" if option else str(value)
    return f"{value} {item.unit}".strip()


def answer_rows(screening: Screening) -> list[AnswerRow]:
    definition = definition_of(screening)
    rows = []
    for item in definition.items:
        if item.key in screening.answers:
            value = screening.answers[item.key]
            rows.append(
                AnswerRow(
                    item.key,
                    item.label,
                    question_text(definition, item),
                    answer_label(definition, item, screening.profile, value),
                )
            )
    return rows


def result_summary(screening: Screening) -> str:
    """'14: Moderate', 'Acute positive: ...', or 'In progress'."""
    if screening.status != ScreeningStatus.COMPLETE:
        return "In progress"
    definition = definition_of(screening)
    label = band_label(definition, screening.profile, screening.band)
    if screening.total is not None:
        return f"{screening.total}: {label}" if label else str(screening.total)
    return label or ("Positive" if screening.positive else "Negative")


def positive_tag(screening: Screening) -> Tag | None:
    if screening.status != ScreeningStatus.COMPLETE:
        return Tag("In progress", "grey")
    if screening.positive is None:
        return None
    # "Below cut-off", not "Negative": beside a suicide-risk flag, "negative" would read as "no risk".
    return Tag("Positive", "orange") if screening.positive else Tag("Below cut-off", "white")


def screening_row(screening: Screening) -> dict[str, Any]:
    definition = definition_of(screening)
    return {
        "screening": screening,
        "title": definition.short_title,
        "summary": result_summary(screening),
        "tag": positive_tag(screening),
        "flags": flag_views(definition, screening.flags),
        "when": date_time(screening.completed_at or screening.started_at),
    }


def episode_screening_context(user: User, episode: Episode) -> dict[str, Any]:
    """What the episode page shows of screening: the episode's screenings, and whether to offer one."""
    return {
        "screening_rows": [screening_row(s) for s in screenings_for_episode_page(episode)],
        "can_screen": can(user, "screening.record", episode.team_id) and episode.stage != Stage.CLOSED,
    }


def acknowledgement_summary(screening: Screening) -> str:
    """'Acknowledged by NAME at TIME: ACTION — NOTE', or '' when the alert is not acknowledged."""
    if screening.acknowledged_at is None:
        return ""
    action = AlertAction(screening.acknowledged_action).label if screening.acknowledged_action else ""
    local = timezone.localtime(screening.acknowledged_at)
    text = f"Acknowledged by {screening.acknowledged_by} at {local:%H:%M} on {long_date(local)}: {action}"
    return f"{text} — {screening.acknowledged_note}" if screening.acknowledged_note else text


def alert_view(screening: Screening) -> dict[str, Any]:
    definition = definition_of(screening)
    return {
        "screening": screening,
        "title": definition.short_title,
        "when": long_date(screening.completed_at),
        "at": screening.completed_at,
        "site": screening.episode.site.name,
        "flags": [f for f in flag_views(definition, screening.flags) if f.suicide_risk],
        "task": screening.urgent_task,
        "acknowledged": screening.is_acknowledged,
        "acknowledgement": acknowledgement_summary(screening),
    }


def person_screening_context(person: Person, user: User | None = None) -> dict[str, Any]:
    """What the person page shows of screening: the suicide-risk alerts, those not yet acknowledged
    (urgent) apart from those acknowledged (a quieter summary), and whether the user may acknowledge."""
    alerts = [alert_view(s) for s in suicide_risk_alerts(person)]
    urgent = [a for a in alerts if not a["acknowledged"]]
    may_acknowledge = (
        bool(urgent)
        and user is not None
        and any(can(user, "screening.record", a["screening"].episode.team_id) for a in urgent)
    )
    return {
        "suicide_risk_alerts": urgent,
        "acknowledged_alerts": [a for a in alerts if a["acknowledged"]],
        "may_acknowledge": may_acknowledge,
    }
