"""Writes to crisis plans and the crisis event log: start (or review), save a draft, complete, log an event.

Each is checked (role and record), validated with errors keyed by field, version-locked and audited.
A draft may be incomplete; completing checks that the plan gives the person a way to get help. A
complete version is never changed: a review starts a new draft copied from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from liaison.core.audit import audit
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.models import User
from liaison.core.permissions import can, role_in
from liaison.directory.models import Service, ServiceStatus
from liaison.episodes.models import Episode, Stage
from liaison.support.models import CrisisEvent, CrisisPlan, CrisisPlanStatus
from liaison.support.opening import service_phones, services_opening_words

OPERATION = "support.crisis_plan"
TEXT_MAX = 3000
NAME_MAX = 150
HOW_MAX = 200
PEOPLE_MAX = 5
SERVICES_MAX = 8
REVIEW_DEFAULT = relativedelta(months=3)
REVIEW_LONGEST = relativedelta(months=12)

TEXT_FIELDS = (
    "warning_signs",
    "self_help",
    "helpful_people_places",
    "other_professionals",
    "safer",
    "what_matters",
)
EDITABLE = frozenset({*TEXT_FIELDS, "people_to_ask", "service_ids", "written_with_person", "review_on"})
COPIED_FIELDS = (*TEXT_FIELDS, "people_to_ask", "services", "written_with_person")


def _require(actor: User, team_id: int) -> str:
    if not can(actor, OPERATION, team_id):
        raise NotPermitted(f"Your role cannot do this ({OPERATION}) for this team")
    return role_in(actor, team_id) or ""


def _check_open(episode: Episode) -> None:
    if episode.stage == Stage.CLOSED:
        raise ValidationError(
            {"episode": "This episode is closed: reopen it or open a new one to change the crisis plan"}
        )


def _check_draft(plan: CrisisPlan) -> None:
    if plan.status != CrisisPlanStatus.DRAFT:
        raise ValidationError(
            {"crisis_plan": "This crisis plan is complete and kept as it was: start a review to change it"}
        )


def _audit(
    actor: User, role: str, action: str, episode: Episode, object_type: str, pk: int, **detail: Any
) -> None:
    audit(
        actor=actor,
        action=action,
        person_id=episode.person_id,
        team_id=episode.team_id,
        role=role,
        object_type=object_type,
        object_id=pk,
        detail=detail or None,
    )


def current_crisis_plan(episode: Episode) -> CrisisPlan | None:
    """The newest complete version: the plan in force."""
    return (
        CrisisPlan.objects.filter(episode=episode, status=CrisisPlanStatus.COMPLETE)
        .select_related("by", "completed_by")
        .order_by("-number")
        .first()
    )


def default_review_on(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) + REVIEW_DEFAULT


# --- start, save, complete ------------------------------------------------------------------------


@transaction.atomic
def crisis_plan_start(*, actor: User, episode: Episode) -> CrisisPlan:
    """A new draft: a copy of the last complete version (a review), or an empty first plan."""
    role = _require(actor, episode.team_id)
    # Lock the episode so two workers starting at once get one draft and a clear error.
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    _check_open(episode)
    if CrisisPlan.objects.filter(episode=episode, status=CrisisPlanStatus.DRAFT).exists():
        raise ValidationError(
            {"crisis_plan": "This episode already has a draft crisis plan: continue that one"}
        )
    previous = current_crisis_plan(episode)
    number = (CrisisPlan.objects.filter(episode=episode).aggregate(n=Max("number"))["n"] or 0) + 1
    now = timezone.now()
    copied = {name: getattr(previous, name) for name in COPIED_FIELDS} if previous else {}
    if copied:
        # A review is written with the person again: that is confirmed afresh each time.
        copied["written_with_person"] = False
    plan = CrisisPlan.objects.create(
        episode=episode,
        number=number,
        by=actor,
        started_at=now,
        updated_at=now,
        review_on=default_review_on(),
        **copied,
    )
    _audit(actor, role, "crisis_plan.create", episode, "crisis_plan", plan.pk, number=number)
    return plan


def _clean_text(errors: dict[str, str], name: str, value: Any, limit: int = TEXT_MAX) -> str:
    text = "" if value is None else str(value)
    if len(text) > limit:
        errors[name] = f"Must be {limit:,} characters or fewer"
    return text.strip()


def _clean_people(errors: dict[str, str], raw: Any) -> list[dict[str, str]]:
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        errors["people_to_ask"] = "People to ask must be a list of names and how to reach them"
        return []
    people: list[dict[str, str]] = []
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping):
            errors["people_to_ask"] = "Each person needs a name and how to reach them"
            continue
        name = _clean_text(errors, f"people_to_ask.{index}.name", item.get("name"), NAME_MAX)
        how = _clean_text(errors, f"people_to_ask.{index}.how", item.get("how"), HOW_MAX)
        if how and not name:
            errors[f"people_to_ask.{index}.name"] = (
                "Enter the name of the person to ask, or clear how to reach them"
            )
        if name:
            people.append({"name": name, "how": how})
    if len(people) > PEOPLE_MAX:
        errors["people_to_ask"] = f"List up to {PEOPLE_MAX} people: the ones they would really ask"
    return people


def service_snapshot(services: Iterable[Service]) -> list[dict[str, Any]]:
    """What the card needs from each chosen service, as it stands today."""
    return [
        {
            "id": service.pk,
            "name": service.name,
            "phones": service_phones(service),
            "opening": services_opening_words(service),
        }
        for service in services
    ]


def _clean_services(errors: dict[str, str], raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        errors["service_ids"] = "Choose services from the list"
        return []
    ids = list(dict.fromkeys(str(value) for value in raw if value))
    if len(ids) > SERVICES_MAX:
        errors["service_ids"] = f"Choose up to {SERVICES_MAX} services: the ones they would really call"
        return []
    found = {
        service.pk: service
        for service in Service.objects.filter(pk__in=ids, status=ServiceStatus.ACTIVE).prefetch_related(
            "phones", "schedules"
        )
    }
    if missing := [pk for pk in ids if pk not in found]:
        errors["service_ids"] = (
            f"{len(missing)} of the services chosen is no longer in the directory or is closed: choose again"
        )
        return []
    return service_snapshot(found[pk] for pk in ids)


def _clean_review_on(errors: dict[str, str], value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value))
        except ValueError:
            errors["review_on"] = "Review date must be a real date"
            return None
    today = timezone.localdate()
    if value <= today:
        errors["review_on"] = "Review date must be in the future"
    elif value > today + REVIEW_LONGEST:
        errors["review_on"] = "Review date must be within 12 months: a crisis plan goes out of date"
    return value


def _clean_fields(errors: dict[str, str], data: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in set(data) - EDITABLE:
        errors[name] = f"{name} cannot be set here"
    for name in TEXT_FIELDS:
        if name in data:
            values[name] = _clean_text(errors, name, data[name])
    if "people_to_ask" in data:
        values["people_to_ask"] = _clean_people(errors, data["people_to_ask"] or [])
    if "service_ids" in data:
        values["services"] = _clean_services(errors, data["service_ids"] or [])
    if "written_with_person" in data:
        values["written_with_person"] = bool(data["written_with_person"])
    if "review_on" in data:
        values["review_on"] = _clean_review_on(errors, data["review_on"])
    return values


def _locked_update(plan: CrisisPlan, version: int, **values: Any) -> None:
    updated = CrisisPlan.objects.filter(pk=plan.pk, version=version).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        current = CrisisPlan.objects.filter(pk=plan.pk).values_list("version", flat=True).first()
        raise StaleWrite(object_type="crisis plan", object_id=plan.pk, expected=version, current=current)


@transaction.atomic
def crisis_plan_save(*, actor: User, plan: CrisisPlan, version: int, data: Mapping[str, Any]) -> CrisisPlan:
    """Save a draft as it stands. Incomplete is fine; too long, an unknown service or a bad date is not.

    `people_to_ask` and `service_ids`, when given, are the whole list.
    """
    episode = plan.episode
    role = _require(actor, episode.team_id)
    _check_draft(plan)
    _check_open(episode)
    errors: dict[str, str] = {}
    values = _clean_fields(errors, data)
    if errors:
        raise ValidationError(errors)
    _locked_update(plan, version, **values)
    _audit(actor, role, "crisis_plan.update", episode, "crisis_plan", plan.pk)
    plan.refresh_from_db()
    return plan


def completion_problems(plan: CrisisPlan) -> dict[str, str]:
    """What stops this draft being completed, by field: empty when it can be."""
    errors: dict[str, str] = {}
    if not plan.warning_signs.strip():
        errors["warning_signs"] = "Write down their warning signs, in their words"
    if not plan.self_help.strip():
        errors["self_help"] = "Write down at least one thing they can do themselves"
    if not (plan.people_to_ask or plan.services or plan.other_professionals.strip()):
        errors["people_to_ask"] = (
            "Add at least one person they can ask for help, or a professional or crisis line to contact"
        )
    if plan.review_on is None:
        errors["review_on"] = "Enter a review date"
    else:
        _clean_review_on(errors, plan.review_on)
    if not plan.written_with_person:
        errors["written_with_person"] = "Confirm the plan was written with the person"
    return errors


@transaction.atomic
def crisis_plan_complete(*, actor: User, plan: CrisisPlan, version: int) -> CrisisPlan:
    """Complete a draft: it becomes the plan in force, and its card can be printed."""
    episode = plan.episode
    role = _require(actor, episode.team_id)
    _check_draft(plan)
    _check_open(episode)
    if plan.version != version:
        raise StaleWrite(object_type="crisis plan", object_id=plan.pk, expected=version, current=plan.version)
    if errors := completion_problems(plan):
        raise ValidationError(errors)
    _locked_update(
        plan, version, status=CrisisPlanStatus.COMPLETE, completed_at=timezone.now(), completed_by=actor
    )
    _audit(
        actor, role, "crisis_plan.complete", episode, "crisis_plan", plan.pk,
        number=plan.number, review_on=plan.review_on.isoformat() if plan.review_on else None,
    )  # fmt: skip
    plan.refresh_from_db()
    return plan


# --- the crisis event log -------------------------------------------------------------------------


@transaction.atomic
def crisis_event_add(
    *,
    actor: User,
    episode: Episode,
    happened_at: dt.datetime,
    what_happened: str,
    what_helped: str = "",
    what_did_not_help: str = "",
) -> CrisisEvent:
    """Log a crisis. Allowed on a closed episode too: people tell us about crises after the fact."""
    role = _require(actor, episode.team_id)
    errors: dict[str, str] = {}
    what_happened = _clean_text(errors, "what_happened", what_happened)
    what_helped = _clean_text(errors, "what_helped", what_helped)
    what_did_not_help = _clean_text(errors, "what_did_not_help", what_did_not_help)
    if not what_happened:
        errors["what_happened"] = "Say what happened"
    if timezone.is_naive(happened_at):
        errors["happened_at"] = "When it happened must include a time zone"
    elif happened_at > timezone.now():
        errors["happened_at"] = "When it happened must be in the past"
    if errors:
        raise ValidationError(errors)
    event = CrisisEvent.objects.create(
        episode=episode,
        happened_at=happened_at,
        what_happened=what_happened,
        what_helped=what_helped,
        what_did_not_help=what_did_not_help,
        by=actor,
    )
    _audit(actor, role, "crisis_event.create", episode, "crisis_event", event.pk)
    return event
