"""One synthetic episode: where, when, how far it got, and the contacts and tasks along the way.

Stages are simulated forward in time from the arrival: each step takes a plausible delay (screening
and assessment only while the site is staffed), and the simulation stops at the run's "now". So the
stage mix is not dictated but falls out of time: recent episodes are open at identified, screened,
assessed or support; older ones are closed with a reason and, mostly, a justice outcome.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.utils import timezone

from liaison.assessment.models import Assessment, Need, PlanAction, PlanOrder
from liaison.core.models import Role, SiteKind, User
from liaison.demo.assessments import AssessmentMaker
from liaison.demo.rows import instance
from liaison.demo.staff import (
    RosterSite,
    RosterTeam,
    SiteSpec,
    last_staffed,
    next_staffed,
    staffed_on,
    staffed_window,
)
from liaison.demo.tables import (
    ARRIVAL_HOUR_WEIGHTS,
    CHANNEL_SUCCESS,
    CHANNEL_WEIGHTS,
    CLOSE_AFTER_WEIGHTS,
    CLOSE_DELAYS,
    CLOSURE_WEIGHTS,
    CONTACT_NOTES,
    COURT_KINDS,
    COURT_OUTCOMES,
    DAY,
    HOUR,
    MINUTE,
    OFFENCE_WEIGHTS,
    PATHWAY_FOR_KIND,
    POLICE_KINDS,
    POLICE_OUTCOMES,
    PROBATION_OUTCOMES,
    REFERRAL_WEIGHTS,
    REVIEW_TASK,
    SITE_KIND_WEIGHTS,
    TASKS_BY_ROLE,
    TRIAGE_OFFENCE_WEIGHTS,
    TRIAGE_OUTCOMES,
    local_day,
    pick,
    seconds,
)
from liaison.episodes.models import (
    AgeGroup,
    Channel,
    ClosureReason,
    Contact,
    Episode,
    EpisodeStatus,
    JusticeOutcome,
    OffenceCategory,
    PathwayPoint,
    ReferralSource,
    Stage,
    Task,
)
from liaison.people.models import Person

STAGE_ORDER = tuple(Stage.values)


@dataclass
class EpisodeRecords:
    """The unsaved rows of every episode, in insertion order."""

    episodes: list[Episode] = field(default_factory=list)
    statuses: list[EpisodeStatus] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    # Needs assessments and plans (demo/assessments.py); a plan action's task is in `tasks`.
    assessments: list[Assessment] = field(default_factory=list)
    needs: list[Need] = field(default_factory=list)
    plan_orders: list[PlanOrder] = field(default_factory=list)
    plan_actions: list[PlanAction] = field(default_factory=list)


@dataclass(frozen=True)
class Condition:
    """The slice of a person's synthetic profile that shapes their episodes."""

    any_problem: bool
    severe_mental_illness: bool
    substance_dependence: bool
    # The rest of the profile: they shape the needs an assessment finds.
    depression_or_anxiety: bool = False
    personality_disorder: bool = False
    other_problem: bool = False


class EpisodeMaker:
    def __init__(
        self,
        *,
        rng: random.Random,
        now: dt.datetime,
        records: EpisodeRecords,
        assessments: AssessmentMaker | None = None,
    ) -> None:
        self.rng = rng
        self.now = now
        self.today = timezone.localdate(now)
        self.records = records
        # Makes the assessment and plan of every assessed episode, from a random stream of its own.
        self.assessments = assessments

    # --- where and when -----------------------------------------------------------------------

    def choose_site(self, team: RosterTeam, age_group: str, *, custody_only: bool = False) -> RosterSite:
        weights = SITE_KIND_WEIGHTS[AgeGroup.YOUTH if age_group == AgeGroup.YOUTH else AgeGroup.ADULT]
        kinds = {
            kind: w
            for kind, w in weights.items()
            if any(s.spec.kind == kind for s in team.sites)
            and (kind == SiteKind.POLICE_CUSTODY or not custody_only)
        }
        kind = pick(self.rng, kinds)
        return self.rng.choice([s for s in team.sites if s.spec.kind == kind])

    def place_arrival(self, site: SiteSpec, moment: dt.datetime) -> dt.datetime:
        """Move a rough moment onto a plausible arrival time at this site, at least a day ago.

        The last day belongs to `recent_arrival`, which makes sure the team has already seen those.
        """
        tz = timezone.get_default_timezone()
        day = local_day(moment)
        for _ in range(30):
            while not staffed_on(site, day):
                day -= dt.timedelta(days=1)
            if site.kind == SiteKind.POLICE_CUSTODY:
                # People arrive in custody round the clock, whoever is on duty.
                hour = self.rng.choices(range(24), weights=ARRIVAL_HOUR_WEIGHTS)[0]
                # In UTC before adding: aware arithmetic in a local zone is wall-clock arithmetic,
                # which goes wrong across the spring and autumn clock changes.
                arrival = dt.datetime.combine(day, dt.time(hour), tzinfo=tz).astimezone(dt.UTC) + seconds(
                    self.rng, 0, HOUR
                )
            else:
                start, end = (moment.astimezone(dt.UTC) for moment in staffed_window(site, day))
                arrival = start + seconds(self.rng, 0, max(MINUTE, (end - start).total_seconds() - HOUR))
            if next_staffed(site, arrival) <= self.now - dt.timedelta(days=1):
                return arrival
            day -= dt.timedelta(days=1)
        raise ValueError(f"no arrival time fits {site.name}")

    def recent_arrival(self, site: SiteSpec) -> tuple[dt.datetime, dt.datetime]:
        """An arrival in the last 24 hours, and when the team (on duty then) identified it."""
        for _ in range(50):
            identified = last_staffed(site, self.now - seconds(self.rng, 5 * MINUTE, 20 * HOUR))
            arrival = identified - seconds(self.rng, 5 * MINUTE, 3 * HOUR)
            if arrival >= self.now - dt.timedelta(hours=23, minutes=30):
                return arrival, identified
        raise ValueError(f"{site.name} is not staffed often enough for a recent arrival")

    # --- one episode --------------------------------------------------------------------------

    def make(
        self,
        *,
        person: Person,
        team: RosterTeam,
        site: RosterSite,
        arrival: dt.datetime,
        age_group: str,
        condition: Condition,
        identified: dt.datetime | None = None,
    ) -> Episode:
        rng = self.rng
        spec = site.spec
        kind = spec.kind
        youth = age_group == AgeGroup.YOUTH
        pathway = PATHWAY_FOR_KIND[SiteKind(kind)]
        if kind == SiteKind.YOUTH_COURT and rng.random() < 0.2:
            pathway = PathwayPoint.YOUTH_JUSTICE
        referral = pick(rng, REFERRAL_WEIGHTS[SiteKind(kind)])
        if youth and referral in {ReferralSource.PROBATION, ReferralSource.PRISON}:
            referral = ReferralSource.YOUTH_OFFENDING
        offence = self._offence(kind, youth, condition)

        # Stage times: identification as soon as the team is on duty, then step by step to "now".
        delays = self._delays(kind)
        if identified is None:
            identified = self._on_duty(spec, arrival + seconds(rng, *delays[Stage.IDENTIFIED]))
            # A late arrival pushed past a closed weekend could land after "now": seen just now.
            identified = min(identified, self.now)
        times: dict[str, dt.datetime] = {Stage.IDENTIFIED: identified}
        close_after = pick(rng, CLOSE_AFTER_WEIGHTS[condition.any_problem])
        stage: str = Stage.IDENTIFIED
        moment = identified
        for step in (Stage.SCREENED, Stage.ASSESSED, Stage.SUPPORT):
            if STAGE_ORDER.index(step) > STAGE_ORDER.index(close_after):
                break
            moment = moment + seconds(rng, *delays[step])
            if step != Stage.SUPPORT:
                moment = self._on_duty(spec, moment)
            if moment > self.now:
                break
            times[step] = moment
            stage = step
        closure_reason = ""
        if stage == close_after:
            low, high = CLOSE_DELAYS[stage]
            if stage == Stage.SUPPORT and rng.random() < 0.07:
                low, high = 180 * DAY, 900 * DAY  # indefinite support focused on crises
            closed = moment + seconds(rng, low, high)
            if closed <= self.now:
                times[Stage.CLOSED] = closed
                stage = Stage.CLOSED
                closure_reason = pick(rng, CLOSURE_WEIGHTS[close_after])
        outcome = self._outcome(kind, stage, closure_reason, youth, condition)

        allocated: User | None = None
        if stage != Stage.IDENTIFIED or rng.random() < 0.4:
            allocated = self._clinician(team)
            if Stage.SUPPORT in times and team.staff.get(Role.SUPPORT_WORKER) and rng.random() < 0.3:
                allocated = rng.choice(team.staff[Role.SUPPORT_WORKER])
        reviewer = allocated or self._clinician(team)
        ref_no = ""
        if kind in POLICE_KINDS:
            ref_no = f"{spec.ref}/{arrival.year % 100:02d}/{rng.randint(1, 99999):05d}"
        elif kind in COURT_KINDS:
            ref_no = f"{spec.ref}{arrival.year % 100:02d}{rng.randint(1, 999999):06d}"
        last = max(times.values())
        episode = instance(
            Episode,
            person=person,
            team=team.team,
            site=site.site,
            pathway_point=pathway,
            referral_source=referral,
            offence_category=offence,
            custody_number=ref_no,
            arrival_at=arrival,
            identified_at=identified,
            screened_at=times.get(Stage.SCREENED),
            assessed_at=times.get(Stage.ASSESSED),
            support_at=times.get(Stage.SUPPORT),
            closed_at=times.get(Stage.CLOSED),
            allocated_worker=allocated,
            stage=stage,
            closure_reason=closure_reason,
            justice_outcome=outcome,
            age_group=age_group,
            created_at=identified,
            updated_at=last,
        )
        self.records.episodes.append(episode)
        for reached, at in times.items():
            by = reviewer if reached == Stage.IDENTIFIED else (allocated or reviewer)
            note = ClosureReason(closure_reason).label if reached == Stage.CLOSED else ""
            self.records.statuses.append(
                instance(EpisodeStatus, episode=episode, stage=reached, at=at, by=by, note=note)
            )
        self._contacts(episode, team, times, closure_reason, allocated or reviewer)
        self._tasks(episode, team, times, allocated or reviewer)
        if self.assessments is not None and Stage.ASSESSED in times:
            self.assessments.make(
                episode=episode, team=team, times=times, closure=closure_reason, condition=condition
            )
        return episode

    def _on_duty(self, spec: SiteSpec, moment: dt.datetime) -> dt.datetime:
        """`moment`, or if the team was off duty then, a little after it next came on."""
        on_duty = next_staffed(spec, moment).astimezone(dt.UTC)  # UTC: see place_arrival
        return on_duty if on_duty == moment else on_duty + seconds(self.rng, MINUTE, 45 * MINUTE)

    def _delays(self, kind: str) -> dict[str, tuple[float, float]]:
        if kind in COURT_KINDS:
            identify, assess = (5 * MINUTE, 90 * MINUTE), (15 * MINUTE, 150 * MINUTE)
        elif kind == SiteKind.PROBATION:
            identify, assess = (30 * MINUTE, 10 * HOUR), (HOUR, 3 * DAY)
        elif kind == SiteKind.STREET_TRIAGE:
            identify, assess = (0, 20 * MINUTE), (20 * MINUTE, 6 * HOUR)
        else:
            identify, assess = (5 * MINUTE, 4 * HOUR), (20 * MINUTE, 6 * HOUR)
        return {
            Stage.IDENTIFIED: identify,
            Stage.SCREENED: (10 * MINUTE, 5 * HOUR),
            Stage.ASSESSED: assess,
            Stage.SUPPORT: (HOUR, 5 * DAY),
        }

    def _offence(self, kind: str, youth: bool, condition: Condition) -> str:
        if kind == SiteKind.STREET_TRIAGE:
            return pick(self.rng, TRIAGE_OFFENCE_WEIGHTS)
        weights: dict[str, float] = {name: float(w) for name, w in OFFENCE_WEIGHTS.items()}
        if condition.substance_dependence:
            weights[OffenceCategory.DRUGS] *= 1.6
            weights[OffenceCategory.THEFT] *= 1.4
        if youth:
            weights[OffenceCategory.ROBBERY] *= 2
            weights[OffenceCategory.MOTORING] *= 0.3
            weights[OffenceCategory.FRAUD] = 0
        return pick(self.rng, weights)

    def _outcome(self, kind: str, stage: str, closure: str, youth: bool, condition: Condition) -> str:
        rng = self.rng
        police = kind in POLICE_KINDS
        if closure == ClosureReason.PRISON:
            return JusticeOutcome.CHARGED_REMANDED if police or rng.random() < 0.4 else JusticeOutcome.CUSTODY
        if stage != Stage.CLOSED and not (police and stage != Stage.IDENTIFIED and rng.random() < 0.4):
            return JusticeOutcome.NOT_KNOWN
        if police:
            table = POLICE_OUTCOMES
        elif kind == SiteKind.STREET_TRIAGE:
            table = TRIAGE_OUTCOMES
        elif kind == SiteKind.PROBATION:
            table = PROBATION_OUTCOMES
        else:
            table = COURT_OUTCOMES
        outcome = pick(rng, table)
        if outcome == JusticeOutcome.HOSPITAL and not condition.severe_mental_illness:
            outcome = JusticeOutcome.COMMUNITY_ORDER_MHTR
        if outcome == JusticeOutcome.COMMUNITY_ORDER_MHTR and not condition.any_problem:
            outcome = JusticeOutcome.COMMUNITY_ORDER
        if outcome == JusticeOutcome.FINE and youth:
            outcome = JusticeOutcome.COMMUNITY_ORDER  # a referral order, in the national dataset's terms
        return outcome

    def _clinician(self, team: RosterTeam) -> User:
        """Who takes on an episode: practitioners, the lead now and then; the demo login most often."""
        users = team.staff.get(Role.PRACTITIONER, []) + team.staff.get(Role.TEAM_LEAD, [])
        weights = [
            1.0
            if user in team.staff.get(Role.TEAM_LEAD, [])
            else 5.0
            if user.username == "practitioner"
            else 2.0
            for user in users
        ]
        return self.rng.choices(users, weights=weights)[0]

    def _someone(self, team: RosterTeam, role: str, fallback: User) -> User:
        people = team.staff.get(role)
        return self.rng.choice(people) if people else fallback

    # --- contacts and tasks -------------------------------------------------------------------

    def _contact(
        self, episode: Episode, at: dt.datetime, channel: str, ok: bool, by: User, note: str
    ) -> None:
        self.records.contacts.append(
            instance(
                Contact,
                episode=episode,
                at=at,
                channel=channel,
                successful=ok,
                note=note,
                by=by,
                created_at=at,
            )
        )

    def _contacts(
        self, episode: Episode, team: RosterTeam, times: dict[str, dt.datetime], closure: str, worker: User
    ) -> None:
        rng = self.rng
        identified = times[Stage.IDENTIFIED]
        if closure == ClosureReason.NOT_SEEN:
            at = min(times[Stage.CLOSED], identified + seconds(rng, 10 * MINUTE, 3 * HOUR))
            self._contact(
                episode, at, Channel.IN_PERSON, False, worker, "Went to see them; already released."
            )
        if Stage.SCREENED in times:
            at = max(identified, times[Stage.SCREENED] - seconds(rng, 5 * MINUTE, 30 * MINUTE))
            self._contact(episode, at, Channel.IN_PERSON, True, worker, "Screened with the person.")
        if Stage.ASSESSED in times:
            at = max(times[Stage.SCREENED], times[Stage.ASSESSED] - seconds(rng, 10 * MINUTE, HOUR))
            note = "Assessment with the person; their own view of their needs recorded."
            self._contact(episode, at, Channel.IN_PERSON, True, worker, note)
        if closure == ClosureReason.DECLINED:
            self._contact(
                episode, times[Stage.CLOSED], Channel.IN_PERSON, True, worker, "Declined L&D support for now."
            )
        if Stage.SUPPORT not in times:
            return
        start = times[Stage.SUPPORT]
        end = min(times.get(Stage.CLOSED, self.now), self.now)
        span = (end - start).total_seconds()
        count = max(1, min(16, int(span / (rng.uniform(7, 14) * DAY))))
        # Never after the episode closed or after "now", whatever the spread of the draws.
        moments = sorted(min(end, start + seconds(rng, 0, span)) for _ in range(count))
        for i, at in enumerate(moments):
            channel = pick(rng, CHANNEL_WEIGHTS)
            ok = rng.random() < CHANNEL_SUCCESS[channel]
            if closure == ClosureReason.LOST_CONTACT and i >= count - 3:
                ok = False
            by = worker
            if channel in {Channel.OUTREACH, Channel.DROP_IN}:
                by = self._someone(team, Role.SUPPORT_WORKER, worker)
            elif rng.random() < 0.15:
                by = self._someone(team, Role.ADVISER, worker)
            self._contact(episode, at, channel, ok, by, rng.choice(CONTACT_NOTES[(channel, ok)]))

    def _tasks(self, episode: Episode, team: RosterTeam, times: dict[str, dt.datetime], worker: User) -> None:
        rng = self.rng
        closed = times.get(Stage.CLOSED)
        end = closed or self.now
        plans: list[tuple[str, User, dt.datetime]] = []
        if closed is None and episode.stage in {Stage.IDENTIFIED, Stage.SCREENED} and rng.random() < 0.6:
            plans.append((REVIEW_TASK, worker, times[Stage.IDENTIFIED]))
        start = times.get(Stage.SUPPORT) or times.get(Stage.ASSESSED)
        if start is not None:
            for _ in range(rng.choice((1, 1, 2, 2, 3))):
                role = pick(rng, {Role.PRACTITIONER: 5, Role.SUPPORT_WORKER: 3, Role.ADVISER: 2})
                owner = worker if role == Role.PRACTITIONER else self._someone(team, role, worker)
                created = min(end, start + seconds(rng, 0, min(14 * DAY, (end - start).total_seconds())))
                plans.append((rng.choice(TASKS_BY_ROLE[role]), owner, created))
        for title, owner, created in plans:
            created_day = local_day(created)
            due = created_day + dt.timedelta(days=0 if title == REVIEW_TASK else rng.randint(1, 21))
            done_at: dt.datetime | None = None
            if closed is not None:
                done_at = created + seconds(rng, 0, (closed - created).total_seconds())
            elif rng.random() < (0.55 if due < self.today else 0.2):
                done_at = created + seconds(rng, 0, (self.now - created).total_seconds())
            self.records.tasks.append(
                instance(
                    Task,
                    episode=episode,
                    title=title,
                    due=due,
                    owner=owner,
                    done_at=done_at,
                    done_by=owner if done_at else None,
                    created_by=worker,
                    created_at=created,
                )
            )
