"""Needs assessments and plans for the synthetic episodes.

Every episode that reached "assessed" gets a complete assessment number 1, completed at its
assessed_at by its worker (or, when the worker is not someone who may record assessments, a
practitioner of the team). Its needs follow the person's hidden SyntheticProfile and their record
(no fixed abode, communication needs, age, offence); the person's own words, the evidence and the
actions come from the phrase tables in `assessment_tables.py`. Some episodes that reached support
get a reviewed version (number 2), and every plan gets one to three actions, each with its task.

The rows are what the assessment services would accept (`services.completion_problems` passes, owners
are clinical members of the team, priorities name needs above "none", findings that need reasons have
them), but they are built in memory and bulk-inserted by `demo.services`: no per-row service calls.

The draws come from a random stream of their own (`random.Random("assessments:<seed>")`), consumed in
episode order, so assessments changed none of the people, episodes, contacts or tasks a seed gave
before; the same seed, size and reference moment give the same assessments.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone

from liaison.assessment.codes import BASIC_PREFIX, LEVEL_RANK, LEVELS, codes
from liaison.assessment.models import (
    ActionStatus,
    Assessment,
    AssessmentStatus,
    Finding,
    Fitness,
    Need,
    PlanAction,
    PlanOrder,
)
from liaison.assessment.ordering import NeedItem, apply_override, rule_order
from liaison.assessment.services import COPIED_FIELDS, plan_task_title
from liaison.core.models import Role, SiteKind, User
from liaison.core.permissions import OPERATIONS
from liaison.demo import assessment_tables as t
from liaison.demo.rows import instance
from liaison.demo.staff import RosterTeam
from liaison.demo.tables import DAY, HOUR, MINUTE, local_day, pick, seconds
from liaison.episodes.models import AgeGroup, Channel, Contact, Episode, OffenceCategory, Stage, Task

if TYPE_CHECKING:
    from liaison.demo.timeline import Condition, EpisodeRecords

# The demo login who should find a plan on their worklist straight away (demo/staff.py).
DEMO_PRACTITIONER = "practitioner"
# Roles that may record an assessment.
ASSESSORS = OPERATIONS["assessment.record"]
LEVEL_CODES = tuple(code for code, _label in LEVELS)
VIOLENT_OFFENCES = frozenset(
    {OffenceCategory.VIOLENCE, OffenceCategory.WEAPONS, OffenceCategory.ROBBERY, OffenceCategory.SEXUAL}
)
ASSESSMENT_VERSION = 3  # started, saved once, completed: what the services would leave
# What a review copies from the version before (as services.assessment_start does); priorities are redrawn.
REVIEW_COPIES = tuple(name for name in COPIED_FIELDS if name != "person_priorities")


@dataclass(frozen=True)
class Situation:
    """What shapes one assessment: the person's conditions and record, and where they were seen."""

    youth: bool
    older_youth: bool  # 16 or 17
    severe: bool  # a severe mental illness
    common: bool  # depression or anxiety, a personality disorder or another problem
    personality_disorder: bool
    dependence: bool
    no_fixed_abode: bool
    neuro: str  # "ld" (learning disability or autism), "adhd" or "none"
    violent: bool
    custody: bool  # a police custody suite
    voluntary: bool  # voluntary attendance at a police station
    town: str
    language: str
    interpreter: bool
    communication_needs: str


@dataclass
class Version:
    """One version's needs (key -> level, evidence, raised by; code-list order) and priorities."""

    needs: dict[str, tuple[str, str, str]]
    priorities: list[str]

    @property
    def items(self) -> list[NeedItem]:
        return [NeedItem(key, level) for key, (level, _e, _r) in self.needs.items()]

    def plan(self) -> list[NeedItem]:
        return rule_order(self.items, self.priorities)


@dataclass
class AssessmentMaker:
    rng: random.Random
    now: dt.datetime
    records: EpisodeRecords
    # Assessed episodes in the order made, with their team: for `finish`.
    assessed: list[tuple[Episode, RosterTeam]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.today = timezone.localdate(self.now)
        self.code_list = codes()
        self.keys = self.code_list.keys

    # --- one episode ------------------------------------------------------------------------------

    def make(
        self,
        *,
        episode: Episode,
        team: RosterTeam,
        times: dict[str, dt.datetime],
        closure: str,
        condition: Condition,
    ) -> None:
        """Assessment 1 (and maybe a review, number 2) and the plan's actions for an assessed episode."""
        rng = self.rng
        assessed = times[Stage.ASSESSED]
        closed = times.get(Stage.CLOSED)
        situation = self._situation(episode, team, condition)
        worker = episode.allocated_worker
        assessor = self._assessor(team, worker)
        first = self._first_version(situation)
        started = max(times[Stage.SCREENED], assessed - seconds(rng, 20 * MINUTE, 75 * MINUTE))
        one = instance(
            Assessment,
            episode=episode,
            number=1,
            status=AssessmentStatus.COMPLETE,
            person_priorities=list(first.priorities),
            by=assessor,
            started_at=started,
            updated_at=assessed,
            completed_at=assessed,
            completed_by=assessor,
            version=ASSESSMENT_VERSION,
            **self._own_view(situation, first),
            **self._custody_findings(situation, first),
            **self._youth_fields(situation, episode),
        )
        self._add(one, first)
        latest, latest_version = one, first

        review = self._review_moment(times)
        second: Version | None = None
        if review is not None:
            reviewer = self._assessor(team, worker)
            second = self._reviewed(first, situation.town)
            two = instance(
                Assessment,
                episode=episode,
                number=2,
                status=AssessmentStatus.COMPLETE,
                by=reviewer,
                started_at=review - seconds(rng, 30 * MINUTE, 90 * MINUTE),
                updated_at=review,
                completed_at=review,
                completed_by=reviewer,
                version=ASSESSMENT_VERSION,
                # Copied from number 1, as a review starts (services.COPIED_FIELDS), with new priorities.
                **{name: getattr(one, name) for name in REVIEW_COPIES},
            )
            two.person_priorities = list(second.priorities)
            self._add(two, second)
            contact_at = max(times[Stage.SUPPORT], review - seconds(rng, 10 * MINUTE, HOUR))
            self.records.contacts.append(
                Contact(
                    episode=episode,
                    at=contact_at,
                    channel=Channel.IN_PERSON,
                    successful=True,
                    note=t.REVIEW_CONTACT_NOTE,
                    by=reviewer,
                    created_at=contact_at,
                )
            )
            latest, latest_version = two, second

        # An override of the rule's order, now and then, on the current version's plan.
        order = latest_version.plan()
        override: list[str] | None = None
        if len(order) >= 2 and rng.random() < t.OVERRIDE_CHANCE:
            moved = rng.choice(order[1:])
            label = self.code_list.label(moved.key)
            override = [moved.key] + [item.key for item in order if item.key != moved.key]
            assert latest.completed_at is not None  # noqa: S101 - set above
            self.records.plan_orders.append(
                instance(
                    PlanOrder,
                    assessment=latest,
                    keys=override,
                    reason=rng.choice(t.OVERRIDE_REASONS).format(label=label, need=label.lower()),
                    by=latest.completed_by,
                    at=self._bounded(latest.completed_at + seconds(rng, 2 * MINUTE, 30 * MINUTE), closed),
                )
            )

        # The first plan's actions, made straight after assessment 1: on its top needs.
        plan = first.plan()
        if override is not None and latest is one:
            plan = apply_override(plan, override)
        owner = worker or assessor
        created = self._bounded(assessed + seconds(rng, 2 * MINUTE, 40 * MINUTE), closed)
        first_actions = plan[: pick(rng, t.ACTION_COUNT)]
        for item in first_actions:
            self._action(episode, team, item.key, created, assessor, owner, closed, closure)
        # A review that raised a need, or found a new one, adds an action for it (up to three in all).
        if second is not None and review is not None and len(first_actions) < max(t.ACTION_COUNT):
            grown = [
                item
                for item in apply_override(second.plan(), override)
                if LEVEL_RANK[item.level] > LEVEL_RANK[first.needs.get(item.key, ("none", "", ""))[0]]
            ]
            if grown:
                after = self._bounded(review + seconds(rng, 2 * MINUTE, 30 * MINUTE), closed)
                self._action(episode, team, grown[0].key, after, latest.by, owner, closed, closure)
        self.assessed.append((episode, team))

    def finish(self, home: RosterTeam) -> None:
        """Make sure the demo practitioner has an open episode with a plan on their worklist.

        At the usual size they already have several; with few people, hand the newest open assessed
        episode of the home team to them (a reallocation: the assessment stays its assessor's).
        """
        practitioner = next(
            (u for u in home.staff.get(Role.PRACTITIONER, []) if u.username == DEMO_PRACTITIONER), None
        )
        open_assessed = [e for e, team in self.assessed if team is home and e.stage != Stage.CLOSED]
        if practitioner is None or not open_assessed:
            return
        if any(e.allocated_worker == practitioner for e in open_assessed):
            return
        newest = max(open_assessed, key=lambda e: e.arrival_at)
        newest.allocated_worker = practitioner

    # --- who and what -----------------------------------------------------------------------------

    def _situation(self, episode: Episode, team: RosterTeam, condition: Condition) -> Situation:
        person = episode.person
        youth = episode.age_group == AgeGroup.YOUTH
        age = person.age_on(local_day(episode.arrival_at)) or 0
        neuro = "none"
        if person.communication_needs in t.NEURODIVERGENT_NEEDS:
            neuro = "ld"
        elif condition.other_problem and self.rng.random() < t.ADHD_SHARE:
            neuro = "adhd"
        kind = episode.site.kind
        return Situation(
            youth=youth,
            older_youth=youth and age >= 16,
            severe=condition.severe_mental_illness,
            common=condition.any_problem and not condition.severe_mental_illness,
            personality_disorder=condition.personality_disorder,
            dependence=condition.substance_dependence,
            no_fixed_abode=person.no_fixed_abode,
            neuro=neuro,
            violent=episode.offence_category in VIOLENT_OFFENCES,
            custody=kind == SiteKind.POLICE_CUSTODY,
            voluntary=kind == SiteKind.VOLUNTARY_ATTENDANCE,
            town=team.spec.town,
            language=person.language,
            interpreter=person.interpreter_needed,
            communication_needs=person.communication_needs,
        )

    def _assessor(self, team: RosterTeam, worker: User | None) -> User:
        """The episode's worker when they may record assessments, otherwise one of the practitioners."""
        for role in ASSESSORS:
            if worker is not None and worker in team.staff.get(role, []):
                return worker
        practitioners = team.staff[Role.PRACTITIONER]
        weights = [5.0 if u.username == DEMO_PRACTITIONER else 2.0 for u in practitioners]
        return self.rng.choices(practitioners, weights=weights)[0]

    def _levels(self, s: Situation) -> dict[str, str]:
        rng = self.rng
        levels: dict[str, str] = {}
        band = "severe" if s.severe else "common" if s.common else "none"
        levels["mental_health"] = pick(rng, t.MENTAL_HEALTH_LEVELS[band])
        levels["risk_to_self"] = pick(
            rng, t.RISK_TO_SELF_LEVELS["severe" if s.personality_disorder else band]
        )
        levels["substance_use"] = pick(rng, t.SUBSTANCE_LEVELS[s.dependence])
        if rng.random() < t.LD_RATED[s.neuro]:
            levels["ld_neurodiversity"] = pick(rng, t.LD_LEVELS[s.neuro])
        if s.no_fixed_abode or rng.random() < t.HOUSING_RATED_HOUSED:
            levels["housing"] = pick(rng, t.HOUSING_LEVELS[s.no_fixed_abode])
        for code, (chance, weights) in t.OTHER_DOMAINS.items():
            if s.youth and code == "safeguarding":
                chance, weights = 1.0, t.YOUTH_SAFEGUARDING_LEVELS
            elif s.youth and code == "risk_from_others":
                chance, weights = t.YOUTH_RISK_FROM_OTHERS
            elif s.youth and code == "employment":
                chance, weights = t.YOUTH_EMPLOYMENT
            if s.dependence and code in t.DEPENDENCE_LEVELS:
                chance, weights = t.DEPENDENCE_RATED[code], t.DEPENDENCE_LEVELS[code]
            if s.no_fixed_abode and code in t.NO_FIXED_ABODE_LEVELS:
                chance, weights = 1.0, t.NO_FIXED_ABODE_LEVELS[code]
            if s.violent and code == "risk_to_others":
                chance, weights = 1.0, t.VIOLENT_RISK_TO_OTHERS
            if rng.random() < chance:
                levels[code] = pick(rng, weights)
        housing_need = LEVEL_RANK[levels.get("housing", "none")] >= LEVEL_RANK["moderate"]
        if (s.no_fixed_abode or housing_need) and rng.random() < t.SLEEP_TONIGHT_CHANCE[s.no_fixed_abode]:
            levels["basic:sleep_tonight"] = pick(rng, t.SLEEP_TONIGHT_LEVELS)
        for key, (homeless_chance, other_chance, weights) in t.BASIC_NEEDS.items():
            chance = homeless_chance if s.no_fixed_abode else other_chance
            if key == "basic:medication" and s.severe:
                chance = max(chance, t.MEDICATION_SEVERE_CHANCE)
            if rng.random() < chance:
                levels[key] = pick(rng, weights)
        # Whoever got as far as an assessment has something to work on.
        if all(level == "none" for level in levels.values()):
            levels[rng.choice(list(levels))] = "low"
        return {key: levels[key] for key in self.keys if key in levels}

    def _first_version(self, s: Situation) -> Version:
        rng = self.rng
        levels = self._levels(s)
        candidates = {
            key: t.PRIORITY_WEIGHTS.get(key, t.PRIORITY_WEIGHT_OTHER)
            for key, level in levels.items()
            if level != "none"
        }
        priorities: list[str] = []
        for _ in range(min(len(candidates), pick(rng, t.PRIORITY_COUNT))):
            key = pick(rng, candidates)
            priorities.append(key)
            del candidates[key]
        needs: dict[str, tuple[str, str, str]] = {}
        for key, level in levels.items():
            evidence = self._evidence(key, level, s.town)
            if key in priorities and rng.random() < t.PERSON_RAISED_CHANCE:
                raised_by = "person"
            elif rng.random() < t.PARTNER_RAISED_CHANCE:
                raised_by = "partner"
            else:
                raised_by = "practitioner"
            needs[key] = (level, evidence, raised_by)
        return Version(needs, priorities)

    def _evidence(self, key: str, level: str, town: str) -> str:
        """Short evidence: always for moderate and above, usually for low, sometimes for none."""
        rng = self.rng
        table = t.EVIDENCE.get(key, {})
        if level == "none":
            if rng.random() < 0.5:
                return ""
            phrases = table.get("none", t.NO_NEED_EVIDENCE)
        elif level == "low" and rng.random() < 0.15:
            return ""
        else:
            band = "serious" if level in {"high", "urgent"} else "some"
            phrases = table.get(band) or table.get("some") or table["serious"]
        return rng.choice(phrases).format(town=town)

    def _own_view(self, s: Situation, version: Version) -> dict[str, str]:
        rng = self.rng
        first = version.priorities[0] if version.priorities else ""
        goal_key = rng.choice(version.priorities) if version.priorities else ""
        view = {
            "own_words": rng.choice(t.OWN_WORDS.get(first, t.OWN_WORDS_OTHER)),
            "help_first": rng.choice(t.HELP_FIRST.get(first, t.HELP_FIRST_OTHER)),
            "helped_before": "",
            "not_helped_before": "",
            "goals": "",
            "contact_preference": "",
        }
        if rng.random() < t.VIEW_FILLED["helped_before"]:
            view["helped_before"] = rng.choice(t.HELPED_BEFORE)
        if rng.random() < t.VIEW_FILLED["not_helped_before"]:
            view["not_helped_before"] = rng.choice(t.NOT_HELPED_BEFORE)
        if rng.random() < t.VIEW_FILLED["goals"]:
            pool = t.GOALS_YOUTH if s.youth and rng.random() < 0.5 else t.GOALS.get(goal_key, t.GOALS_OTHER)
            view["goals"] = rng.choice(pool)
        if rng.random() < t.VIEW_FILLED["contact_preference"]:
            view["contact_preference"] = rng.choice(t.CONTACT_PREFERENCE)
        return view

    def _custody_findings(self, s: Situation, version: Version) -> dict[str, str]:
        """Findings for the police (custody and voluntary attendance), each positive one with its reason."""
        if not (s.custody or s.voluntary):
            return {}
        rng = self.rng
        chance = t.FINDING_CHANCES
        levels = {key: level for key, (level, _e, _r) in version.needs.items()}
        substance = levels.get("substance_use", "none")
        withdrawal = substance == "urgent" or (substance == "high" and rng.random() < 0.3)
        found: dict[str, str] = {}

        interview, reason = Fitness.FIT, ""
        if (s.severe or withdrawal) and rng.random() < chance["not_fit_for_interview"]:
            interview, reason = Fitness.NOT_FIT, rng.choice(t.NOT_FIT_FOR_INTERVIEW)
        elif s.neuro == "ld" and rng.random() < chance["interview_adjustments_ld"]:
            interview, reason = Fitness.FIT_WITH_ADJUSTMENTS, t.INTERVIEW_ADJUSTMENTS["ld"]
        elif s.youth and rng.random() < 0.6:
            interview, reason = Fitness.FIT_WITH_ADJUSTMENTS, t.INTERVIEW_ADJUSTMENTS["youth"]
        elif s.severe and rng.random() < chance["interview_adjustments_severe"]:
            interview, reason = Fitness.FIT_WITH_ADJUSTMENTS, t.INTERVIEW_ADJUSTMENTS["severe"]
        elif withdrawal and rng.random() < chance["interview_adjustments_withdrawal"]:
            interview, reason = Fitness.FIT_WITH_ADJUSTMENTS, t.INTERVIEW_ADJUSTMENTS["withdrawal"]
        found["fitness_for_interview"], found["fitness_for_interview_reason"] = interview, reason

        if s.custody:  # nobody is detained at a voluntary attendance
            detention, reason = Fitness.FIT, ""
            at_risk = levels.get("risk_to_self") in {"high", "urgent"}
            if at_risk and rng.random() < chance["detention_adjustments"]:
                detention, reason = Fitness.FIT_WITH_ADJUSTMENTS, t.DETENTION_ADJUSTMENTS["risk"]
            elif withdrawal and rng.random() < chance["detention_adjustments"]:
                detention, reason = Fitness.FIT_WITH_ADJUSTMENTS, t.DETENTION_ADJUSTMENTS["withdrawal"]
            elif s.severe and rng.random() < 0.3:
                detention, reason = Fitness.FIT_WITH_ADJUSTMENTS, t.DETENTION_ADJUSTMENTS["severe"]
            found["fitness_for_detention"], found["fitness_for_detention_reason"] = detention, reason

        adult, reason = Finding.NO, ""
        if s.youth:
            adult, reason = Finding.YES, t.APPROPRIATE_ADULT_REASONS["youth"]
        elif s.neuro == "ld":
            adult, reason = Finding.YES, t.APPROPRIATE_ADULT_REASONS["ld"]
        elif s.severe and rng.random() < chance["appropriate_adult_severe"]:
            adult, reason = Finding.YES, t.APPROPRIATE_ADULT_REASONS["severe"]
        found["appropriate_adult"], found["appropriate_adult_reason"] = adult, reason

        capacity, reason = Finding.NO, ""
        if (s.severe or s.neuro == "ld") and rng.random() < chance["capacity_concerns"]:
            capacity, reason = Finding.YES, rng.choice(t.CAPACITY_REASONS)
        found["capacity_concerns"], found["capacity_concerns_reason"] = capacity, reason

        communication, reason = Finding.NO, ""
        if s.interpreter:
            communication = Finding.YES
            reason = t.COMMUNICATION_REASONS["interpreter"].format(language=s.language)
        elif s.communication_needs:
            communication = Finding.YES
            reason = t.COMMUNICATION_REASONS["needs"].format(needs=s.communication_needs)
        found["communication_support"], found["communication_support_reason"] = communication, reason
        return found

    def _youth_fields(self, s: Situation, episode: Episode) -> dict[str, str]:
        if episode.age_group != AgeGroup.YOUTH:
            return {}
        rng = self.rng
        guardian = pick(rng, t.GUARDIAN_WEIGHTS)
        education = pick(rng, t.EDUCATION_WEIGHTS[s.older_youth])
        contact = ""
        if rng.random() < t.YOUTH_JUSTICE_KNOWN:
            contact = t.YOUTH_JUSTICE_CONTACT.format(town=s.town)
        return {
            "guardian_involvement": guardian,
            "guardian_detail": rng.choice(t.GUARDIAN_DETAIL[guardian]),
            "education_status": education,
            "education_detail": rng.choice(t.EDUCATION_DETAIL[education]).format(town=s.town),
            "youth_justice_contact": contact,
        }

    # --- reviews ------------------------------------------------------------------------------------

    def _review_moment(self, times: dict[str, dt.datetime]) -> dt.datetime | None:
        """When a review happens (a weekday, office hours), or None: no time for one, or none done."""
        support = times.get(Stage.SUPPORT)
        if support is None:
            return None
        end = min(times.get(Stage.CLOSED) or self.now, self.now) - dt.timedelta(hours=1)
        low = support + dt.timedelta(days=t.REVIEW_AFTER_DAYS[0])
        high = min(support + dt.timedelta(days=t.REVIEW_AFTER_DAYS[1]), end)
        if high <= low or self.rng.random() >= t.REVIEW_CHANCE:
            return None
        moment = low + seconds(self.rng, 0, (high - low).total_seconds())
        day = local_day(moment)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        # In UTC before adding hours: local-zone arithmetic is wall-clock and breaks across clock changes.
        local_start = dt.datetime.combine(day, dt.time(9, 30), tzinfo=timezone.get_default_timezone())
        start = local_start.astimezone(dt.UTC)
        office = start + seconds(self.rng, 0, 7 * HOUR)
        return office if low <= office <= high else moment

    def _reviewed(self, first: Version, town: str) -> Version:
        """Number 2: some needs met or lower, a few higher, now and then a new one."""
        rng = self.rng
        needs: dict[str, tuple[str, str, str]] = {}
        for key, (level, evidence, raised_by) in first.needs.items():
            if level == "none":
                needs[key] = (level, evidence, raised_by)
                continue
            rank = LEVEL_RANK[level]
            change = pick(rng, t.REVIEW_CHANGE_BASIC if key.startswith(BASIC_PREFIX) else t.REVIEW_CHANGE)
            if change == "lower":
                rank = 0 if rank == 1 or rng.random() < t.REVIEW_MET_CHANCE else rank - 1
                phrases = t.IMPROVED.get(key, t.IMPROVED_OTHER)
                evidence = rng.choice(phrases).format(town=town)
            elif change == "raise" and rank < len(LEVEL_CODES) - 1:
                rank += 1
                evidence = self._changed(t.WORSE[0], key, LEVEL_CODES[rank], evidence, town)
            needs[key] = (LEVEL_CODES[rank], evidence, raised_by)
        if rng.random() < t.REVIEW_NEW_NEED_CHANCE:
            unrated = [d.code for d in self.code_list.domains if d.code not in needs]
            if unrated:
                key = rng.choice(unrated)
                level = pick(rng, {"low": 50, "moderate": 40, "high": 10})
                needs[key] = (level, self._changed(t.WORSE[1], key, level, "", town), "practitioner")
        needs = {key: needs[key] for key in self.keys if key in needs}
        priorities = [key for key in first.priorities if needs[key][0] != "none"]
        if not priorities:
            above = [key for key, (level, _e, _r) in needs.items() if level != "none"]
            if above:
                priorities = [rng.choice(above)]
        return Version(needs, priorities)

    def _changed(self, prefix: str, key: str, level: str, before: str, town: str) -> str:
        """New evidence for a need that went up, after `prefix`; what was there before if none drawn."""
        text = self._evidence(key, level, town)
        if not text:
            return before
        return prefix + (text[0].lower() + text[1:] if not text[1:2].isupper() else text)

    # --- plans -------------------------------------------------------------------------------------

    def _action(
        self,
        episode: Episode,
        team: RosterTeam,
        key: str,
        created: dt.datetime,
        created_by: User,
        owner: User,
        closed: dt.datetime | None,
        closure: str,
    ) -> None:
        rng = self.rng
        description = rng.choice(t.ACTIONS[key]).format(town=team.spec.town)
        advisers = team.staff.get(Role.ADVISER, [])
        if key in t.ADVISER_KEYS and advisers and rng.random() < t.ADVISER_CHANCE:
            owner = rng.choice(advisers)
        days = 0 if key.startswith(BASIC_PREFIX) else rng.randint(*t.ACTION_DUE_DAYS)
        due = local_day(created) + dt.timedelta(days=days)
        status: str = ActionStatus.PLANNED
        done_at: dt.datetime | None = None
        if closed is not None:
            chance = t.NOT_NEEDED_CHANCE.get(closure, t.NOT_NEEDED_OTHER)
            status = ActionStatus.NOT_NEEDED if rng.random() < chance else ActionStatus.DONE
            done_at = created + seconds(rng, 0, (closed - created).total_seconds())
        elif (self.today - due).days > t.OLD_ACTION_DAYS and rng.random() < t.OLD_ACTION_DONE_CHANCE:
            status = ActionStatus.DONE
            done_at = created + seconds(rng, 0, min(30 * DAY, (self.now - created).total_seconds()))
        elif rng.random() < t.IN_PROGRESS_CHANCE:
            status = ActionStatus.IN_PROGRESS
        task = instance(
            Task,
            episode=episode,
            # As services.plan_action_add titles it.
            title=plan_task_title(key, description),
            detail="From the plan",
            due=due,
            owner=owner,
            done_at=done_at,
            done_by=owner if done_at else None,
            created_by=created_by,
            created_at=created,
        )
        self.records.tasks.append(task)
        self.records.plan_actions.append(
            instance(
                PlanAction,
                episode=episode,
                need_key=key,
                description=description,
                owner=owner,
                due=due,
                status=status,
                task=task,
                created_by=created_by,
                created_at=created,
                updated_at=done_at or created,
                version=2 if done_at or status == ActionStatus.IN_PROGRESS else 1,
            )
        )

    # --- helpers -----------------------------------------------------------------------------------

    def _add(self, assessment: Assessment, version: Version) -> None:
        self.records.assessments.append(assessment)
        self.records.needs.extend(
            instance(
                Need, assessment=assessment, key=key, level=level, evidence=evidence, raised_by=raised_by
            )
            for key, (level, evidence, raised_by) in version.needs.items()
        )

    def _bounded(self, moment: dt.datetime, closed: dt.datetime | None) -> dt.datetime:
        """Never after the episode closed, nor after "now"."""
        return min(moment, closed or self.now, self.now)
