"""Outreach rules: read from data/outreach_rules.json, per team, and evaluated in SQL.

Each rule finds the episodes it applies to with one query per team and asks for a task with
`rule_task_ensure`, whose key makes the rule idempotent: running twice creates nothing twice. A key
carries the moment the rule counts from (the last successful contact, or the start of support), so
a new run of silence after a new contact makes a new task, and a long silence makes one task per
period of `days`, not one per run.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, DateTimeField, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from liaison.core.models import Membership, Role, Team, User
from liaison.core.workdays import add_working_days
from liaison.episodes.models import Contact, Episode, Stage
from liaison.episodes.services import rule_task_ensure

DATA = Path(__file__).with_name("data") / "outreach_rules.json"
WORKER_USERNAME = "liaison-worker"
RULE_NAMES = ("no_successful_contact", "failed_attempts", "crisis_plan_review")


@dataclass(frozen=True)
class Rule:
    name: str
    enabled: bool
    days: int = 7
    count: int = 3
    months: int = 3
    due_in_working_days: int = 1
    stages: tuple[str, ...] = ("support",)


@dataclass
class RunResult:
    created: dict[str, int] = field(default_factory=dict)
    already: dict[str, int] = field(default_factory=dict)

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


SETTINGS = {"enabled", "days", "count", "months", "due_in_working_days", "stages"}


def check_rules(document: dict[str, Any]) -> None:
    """Refuse a rules document naming a rule or a setting the worker does not know, or a bad value,
    with the place it is wrong: a silently ignored rule would be an outreach that never happens."""
    problems: list[str] = []
    if not isinstance(document.get("default"), dict):
        problems.append("'default' must be an object of rules")
    sections = [("default", document.get("default") or {})]
    sections += [(f"teams.{code}", rules) for code, rules in (document.get("teams") or {}).items()]
    for where, rules in sections:
        for name, settings in rules.items():
            if name not in RULE_NAMES:
                problems.append(f"{where}.{name}: no such rule (the rules are {', '.join(RULE_NAMES)})")
                continue
            for key, value in settings.items():
                if key not in SETTINGS:
                    problems.append(f"{where}.{name}.{key}: no such setting")
                elif key == "enabled" and not isinstance(value, bool):
                    problems.append(f"{where}.{name}.enabled: true or false")
                elif key == "stages" and not (isinstance(value, list) and set(value) <= set(Stage.values)):
                    problems.append(f"{where}.{name}.stages: a list of episode stages")
                elif key not in {"enabled", "stages"} and not (isinstance(value, int) and value >= 1):
                    problems.append(f"{where}.{name}.{key}: a whole number, 1 or more")
    if problems:
        raise ImproperlyConfigured("outreach rules: " + "; ".join(problems))


@cache
def _rules_file() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    check_rules(document)
    return document


def rules_for(team_code: str, document: dict[str, Any] | None = None) -> dict[str, Rule]:
    """The team's rules: the defaults with the team's overrides laid over them."""
    if document is not None:
        check_rules(document)
    data = document if document is not None else _rules_file()
    overrides = data.get("teams", {}).get(team_code, {})
    rules: dict[str, Rule] = {}
    for name in RULE_NAMES:
        settings = {**data["default"].get(name, {"enabled": False}), **overrides.get(name, {})}
        settings["stages"] = tuple(settings.get("stages", ("support",)))
        rules[name] = Rule(name=name, **settings)
    return rules


def worker_user() -> User:
    """The account rule-made tasks and their audit events name: no team, no password, cannot sign in."""
    user, made = User.objects.get_or_create(
        username=WORKER_USERNAME, defaults={"display_name": "Liaison (automatic rules)", "is_active": False}
    )
    if made:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif user.is_active or user.has_usable_password():
        # Someone made a real account with the reserved name: never let rules act as a person.
        raise ImproperlyConfigured(f"the account {WORKER_USERNAME!r} is reserved for the worker; rename it")
    return user


def _with_contact_facts(episodes: QuerySet[Episode]) -> Any:
    """Each episode with `last_success` (its newest successful contact), `counted_from` (that, or the
    start of support, or identification) and `failed_since` (unsuccessful attempts after it).
    Typed Any: the type checker cannot follow annotations through a helper."""
    last_success = (
        Contact.objects.filter(episode=OuterRef("pk"), successful=True)
        .order_by()
        .values("episode")
        .annotate(last=Max("at"))
        .values("last")
    )
    episodes = episodes.annotate(last_success=Subquery(last_success, output_field=DateTimeField())).annotate(
        counted_from=Coalesce("last_success", "support_at", "identified_at")
    )
    failed = (
        Contact.objects.filter(episode=OuterRef("pk"), successful=False, at__gt=OuterRef("counted_from"))
        .order_by()
        .values("episode")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return episodes.annotate(failed_since=Coalesce(Subquery(failed), 0))


def _team_lead_ids(team_ids: list[int]) -> dict[int, int]:
    leads: dict[int, int] = {}
    for team_id, user_id in (
        Membership.objects.filter(team_id__in=team_ids, role=Role.TEAM_LEAD, user__is_active=True)
        .order_by("team_id", "user_id")
        .values_list("team_id", "user_id")
    ):
        leads.setdefault(team_id, user_id)
    return leads


def evaluate(now: dt.datetime | None = None, *, document: dict[str, Any] | None = None) -> RunResult:
    """Evaluate every team's outreach rules once. Safe to run as often as you like."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    actor = worker_user()
    result = RunResult(created=dict.fromkeys(RULE_NAMES, 0), already=dict.fromkeys(RULE_NAMES, 0))
    teams = list(Team.objects.order_by("pk"))
    leads = _team_lead_ids([team.pk for team in teams])
    for team in teams:
        rules = rules_for(team.code, document)
        silent = rules["no_successful_contact"]
        if silent.enabled:
            cutoff = now - dt.timedelta(days=silent.days)
            episodes = _with_contact_facts(
                Episode.objects.filter(team=team, stage__in=silent.stages).select_related("person")
            ).filter(counted_from__lt=cutoff)
            for episode in episodes.iterator(chunk_size=500):
                since = episode.counted_from
                period = (now - since).days // silent.days
                days = (now - since).days
                _, made = rule_task_ensure(
                    episode=episode,
                    rule="outreach.no_successful_contact",
                    dedupe_key=f"outreach:no_contact:{episode.pk}:{since:%Y%m%d%H%M}:{period}",
                    title=f"Reach out: no successful contact for {days} days",
                    detail=(
                        f"No successful contact since {timezone.localtime(since):%-d %B %Y}. "
                        f"Made by the rule 'no successful contact for {silent.days} days'."
                    ),
                    due=add_working_days(today, silent.due_in_working_days),
                    owner_id=episode.allocated_worker_id,
                    created_by=actor,
                )
                (result.created if made else result.already)[silent.name] += 1
        failed = rules["failed_attempts"]
        if failed.enabled:
            episodes = _with_contact_facts(
                Episode.objects.filter(team=team, stage__in=failed.stages).select_related("person")
            ).filter(failed_since__gte=failed.count)
            for episode in episodes.iterator(chunk_size=500):
                _, made = rule_task_ensure(
                    episode=episode,
                    rule="outreach.failed_attempts",
                    dedupe_key=f"outreach:failed:{episode.pk}:{episode.counted_from:%Y%m%d%H%M}",
                    title=f"Discuss with the team lead: {episode.failed_since} contact attempts failed",
                    detail=(
                        f"{episode.failed_since} attempts to reach the person have failed since the last "
                        f"successful contact. Made by the rule '{failed.count} failed contact attempts'."
                    ),
                    due=add_working_days(today, failed.due_in_working_days),
                    owner_id=leads.get(team.pk),
                    created_by=actor,
                )
                (result.created if made else result.already)[failed.name] += 1
        review = rules["crisis_plan_review"]
        if review.enabled:
            for plan in _plans_due_for_review(team.pk, today, review.months):
                reason = (
                    f"its review date, {plan.review_on:%-d %B %Y}, has passed"
                    if plan.review_on and plan.review_on < today
                    else f"it was completed more than {review.months} months ago"
                )
                _, made = rule_task_ensure(
                    episode=plan.episode,
                    rule="outreach.crisis_plan_review",
                    dedupe_key=f"outreach:crisis_review:{plan.pk}",
                    title="Review the crisis plan with the person",
                    detail=f"Crisis plan {plan.number} needs a review: {reason}.",
                    due=add_working_days(today, review.due_in_working_days),
                    owner_id=plan.episode.allocated_worker_id,
                    created_by=actor,
                )
                (result.created if made else result.already)[review.name] += 1
    return result


def _plans_due_for_review(team_id: int, today: dt.date, months: int) -> Any:
    """Each open episode's current (newest complete) crisis plan that is due for review and has no
    review in draft."""
    from liaison.rights.deadlines import add_months
    from liaison.support.models import CrisisPlan, CrisisPlanStatus

    newer = CrisisPlan.objects.filter(
        episode=OuterRef("episode"), status=CrisisPlanStatus.COMPLETE, number__gt=OuterRef("number")
    )
    draft = CrisisPlan.objects.filter(episode=OuterRef("episode"), status=CrisisPlanStatus.DRAFT)
    completed_before = timezone.make_aware(dt.datetime.combine(add_months(today, -months), dt.time()))
    return (
        CrisisPlan.objects.filter(episode__team_id=team_id, status=CrisisPlanStatus.COMPLETE)
        .exclude(episode__stage=Stage.CLOSED)
        .filter(~Exists(newer), ~Exists(draft))
        .filter(Q(completed_at__lt=completed_before) | Q(review_on__lt=today))
        .select_related("episode")
        .order_by("pk")
    )


def engagement_rows(team_id: int) -> Any:
    """The team's open episodes in assessment or support, the longest out of contact first, each with
    `last_success`, `counted_from`, `failed_since` and `last_attempt`."""
    last_attempt = (
        Contact.objects.filter(episode=OuterRef("pk"))
        .order_by()
        .values("episode")
        .annotate(m=Max("at"))
        .values("m")
    )
    from liaison.assessment.models import Assessment, AssessmentStatus

    # How they want to be contacted, in their words, from the newest complete assessment.
    preference = Assessment.objects.filter(episode=OuterRef("pk"), status=AssessmentStatus.COMPLETE).order_by(
        "-number"
    )
    return (
        _with_contact_facts(Episode.objects.filter(team_id=team_id, stage__in=("assessed", "support")))
        .annotate(
            last_attempt=Subquery(last_attempt, output_field=DateTimeField()),
            contact_preference=Subquery(preference.values("contact_preference")[:1]),
        )
        .select_related("person", "allocated_worker", "site")
        .order_by(F("counted_from").asc(nulls_first=True), "pk")
    )


def engagement_status(episode: Any, now: dt.datetime, rule: Rule) -> tuple[str, str]:
    """("in_touch" | "drifting" | "out_of_contact", words) from the episode's contact facts."""
    days = (now - episode.counted_from).days if episode.counted_from else 0
    if episode.failed_since >= 3 or days > rule.days * 4:
        return "out_of_contact", "Out of contact"
    if days > rule.days:
        return "drifting", "Drifting"
    return "in_touch", "In touch"
