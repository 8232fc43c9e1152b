"""Referrals, their status histories, appointments and follow-up tasks for the demo episodes.

For a share of the episodes with a completed needs assessment, one to three of the rated needs are
referred to a service in the synthetic directory tagged with the need, in the team's area, that takes
the person (age, sex). Each referral's story is drawn whole — draft, sent, acknowledged, accepted,
appointment booked, attended, engaged, closed; or declined; or a missed appointment — and cut at the
episode's closure (which closes it with an outcome) or at "now" (where it is still waiting, or has an
appointment in the coming fortnight). Every move is one the state machine in `referrals.states`
allows, status rows are in time order and the referral's status is its last row's. Follow-up tasks
are those the rules in `referrals/data/follow_up_rules.json` would have made, done when what they
chase happened.

Draws come from `random.Random(f"referrals:{seed}")`, consumed in episode order, so the rest of the
seed is unchanged by them. Rows are bulk-inserted by `demo.services`.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from liaison.assessment.codes import BASIC_PREFIX, LEVEL_RANK
from liaison.assessment.models import Assessment, AssessmentStatus, Need
from liaison.core.models import Role, User
from liaison.core.workdays import is_working_day
from liaison.demo.directory import DirectoryResult, MadeService
from liaison.demo.directory_tables import ALWAYS_OPEN
from liaison.demo.rows import Row, instance
from liaison.demo.staff import Roster, RosterTeam
from liaison.demo.tables import DAY, HOUR, MINUTE, local, local_day, pick, seconds
from liaison.directory.models import ServiceStatus
from liaison.directory.taxonomy import need_labels
from liaison.episodes.models import Episode, Stage
from liaison.referrals import rules
from liaison.referrals.models import (
    Appointment,
    Attendance,
    Consent,
    Kind,
    Outcome,
    Referral,
    Status,
)
from liaison.referrals.services import person_short_name
from liaison.referrals.states import next_statuses

REFERRAL_SHARE = 0.6  # of episodes with a completed assessment
REFERRAL_COUNT = {1: 50, 2: 32, 3: 18}
LOW_NEED_CHANCE = 0.2  # a need rated "low" is referred now and then; moderate and above always may be
SIGNPOSTING_CHANCE = {"basic": 0.55, "other": 0.25}
STILL_DRAFT_CHANCE = 0.08  # of referrals in open episodes
# Of active referrals in open episodes, those held at "appointment booked" with the appointment to come,
# so the calendars have a fortnight of appointments.
BOOKED_AHEAD_CHANCE = 0.4
ACCOMPANY_CHANCE = {"close": 0.7, "other": 0.35}
CLOSE_SUPPORT_NEEDS = frozenset(
    {"housing", "basic:sleep_tonight", "substance_use", "ld_neurodiversity", "mental_health"}
)
ACTIVE_PATHS = {
    "engaged": 40,
    "attended": 10,
    "missed_then_attended": 6,
    "missed": 10,
    "declined": 12,
    "person_declined": 6,
    "lost": 8,
    "accepted_engaged": 8,
}
SIGNPOSTING_PATHS = {"engaged": 35, "went": 15, "closed": 50}
UPCOMING_DAYS = 14

REASONS = {
    "basic:sleep_tonight": "Released tonight with nowhere to sleep; needs a bed from tonight.",
    "housing": "Sofa-surfing and at risk of rough sleeping; needs a housing assessment.",
    "mental_health": "Low mood and poor sleep for months; would like talking support.",
    "risk_to_self": "Recent thoughts of ending their life; needs crisis support after release.",
    "substance_use": "Drinking daily and wants to cut down; agreed to an assessment.",
    "basic:food": "No food at home and no money until their next payment.",
    "basic:money_today": "No money for today; benefit payment stopped.",
    "money": "Universal Credit sanction and rent arrears; needs benefits advice.",
    "basic:medication": "Regular medication left at home; needs an emergency supply.",
    "physical_health": "Not registered with a GP; long-standing leg wound.",
    "safeguarding": "Disclosed domestic abuse at home; wants advice and safety planning.",
    "risk_from_others": "Being targeted by people who use their flat; wants support to get away.",
    "employment": "Wants help into work or training.",
    "relationships": "Family relationships under strain; wants support for the family.",
    "ld_neurodiversity": "Possible learning disability; needs an assessment and easy-read information.",
    "risk_to_others": "Agreed to work on anger and conflict at home.",
}
CONSENT_NOTES = (
    "Agreed in custody to share their details and the reason for the referral.",
    "Consent given verbally at court; happy for the service to phone them.",
    "Agreed, but asked that their family are not contacted.",
)
REFUSED_NOTE = "Did not want their details shared; took the service's number instead."
OUTCOME_NOTES = {
    Outcome.ENGAGED: ("Going weekly and has a named worker.", "Engaging well, per the service."),
    Outcome.SUPPORT_RECEIVED: ("Got what they needed at the first appointment.", "Sorted on the day."),
    Outcome.DECLINED_BY_SERVICE: ("Outside their criteria.", "No capacity; suggested another service."),
    Outcome.PERSON_DECLINED: ("Decided they did not want the service after all.",),
    Outcome.DID_NOT_ENGAGE: ("Missed appointments and did not respond to calls.",),
    Outcome.NO_LONGER_NEEDED: ("Things settled; no longer needed.", "Moved out of the area."),
    Outcome.LOST_CONTACT: ("Phone off; no reply to letters.",),
}
TRAVEL_NEEDS = (
    "Bus fare needed (return).",
    "Meet at the custody suite front desk and walk over together.",
    "Anxious on buses: go together.",
    "Uses a wheelchair: book an accessible taxi.",
    "Needs reminding the morning before: text them.",
)
APPOINTMENT_NOTES = ("First assessment.", "Bring ID and any letters.", "Key worker introduction.", "")
# What a referral open at the episode's closure is closed as, by where it got to.
CLOSED_AT_EPISODE_END = {
    Status.DRAFT: Outcome.NO_LONGER_NEEDED,
    Status.SENT: Outcome.LOST_CONTACT,
    Status.ACKNOWLEDGED: Outcome.LOST_CONTACT,
    Status.ACCEPTED: Outcome.NO_LONGER_NEEDED,
    Status.DECLINED: Outcome.DECLINED_BY_SERVICE,
    Status.APPOINTMENT_BOOKED: Outcome.NO_LONGER_NEEDED,
    Status.ATTENDED: Outcome.SUPPORT_RECEIVED,
    Status.DID_NOT_ATTEND: Outcome.DID_NOT_ENGAGE,
    Status.ENGAGED: Outcome.ENGAGED,
}


@dataclass
class ReferralRecords:
    referrals: list[Referral] = field(default_factory=list)
    # (referral, status, at, by, note): rows once the referrals have ids (status_rows).
    statuses: list[tuple[Referral, str, dt.datetime, User, str]] = field(default_factory=list)
    appointments: list[Appointment] = field(default_factory=list)

    def status_rows(self) -> list[Row]:
        """ReferralStatus rows for `insert_rows` (call after the referrals are inserted)."""
        return [
            {"referral_id": referral.pk, "status": status, "at": at, "by_id": by.pk, "note": note}
            for referral, status, at, by, note in self.statuses
        ]


@dataclass
class _Visit:
    """One appointment in a story: booked at `booked`, for `starts`; `attendance` once recorded."""

    booked: dt.datetime
    starts: dt.datetime
    attendance: str = Attendance.UPCOMING
    recorded: dt.datetime | None = None


@dataclass
class _Story:
    rows: list[tuple[str, dt.datetime, str]] = field(default_factory=list)  # status, at, note
    visits: list[_Visit] = field(default_factory=list)
    outcome: str = ""


ServicesByNeed = dict[tuple[str, str], list[MadeService]]


def services_by_need(directory: DirectoryResult, roster: Roster) -> ServicesByNeed:
    """Active services per (need, team's postcode area): each referral picks from these. A million
    area checks at 10,000 services and 100 teams, so the national load makes it once, not per chunk."""
    by_need: ServicesByNeed = defaultdict(list)
    areas = sorted({rt.spec.postcode_area for rt in roster.teams})
    for made in directory.services:
        if made.status != ServiceStatus.ACTIVE:
            continue
        for area in areas:
            if made.area == area or (made.prefixes and made.serves(area)):
                for key in made.needs:
                    by_need[key, area].append(made)
    return by_need


class ReferralMaker:
    def __init__(
        self,
        *,
        rng: random.Random,
        now: dt.datetime,
        roster: Roster,
        directory: DirectoryResult,
        by_need: ServicesByNeed | None = None,
    ) -> None:
        self.rng = rng
        self.now = now
        self.labels = need_labels()
        self.teams = {rt.team.pk: rt for rt in roster.teams}
        self.records = ReferralRecords()
        self.by_need = by_need if by_need is not None else services_by_need(directory, roster)
        self._stories: list[tuple[Referral, _Story, Episode, MadeService]] = []

    # --- which referrals ---------------------------------------------------------------------------

    def make(self, assessments: list[Assessment], needs: list[Need]) -> ReferralRecords:
        """Referrals for the episodes of these (inserted) assessments, from the latest complete one."""
        latest: dict[int, Assessment] = {}
        for assessment in assessments:
            if assessment.status != AssessmentStatus.COMPLETE or assessment.completed_at is None:
                continue
            held = latest.get(assessment.episode_id)
            if held is None or assessment.number > held.number:
                latest[assessment.episode_id] = assessment
        rated: dict[int, list[Need]] = defaultdict(list)
        for need in needs:
            rated[need.assessment_id].append(need)
        for assessment in sorted(latest.values(), key=lambda a: a.pk):
            if self.rng.random() < REFERRAL_SHARE:
                self._episode(assessment, rated[assessment.pk])
        return self.records

    def _episode(self, assessment: Assessment, needs: list[Need]) -> None:
        rng = self.rng
        episode = assessment.episode
        team = self.teams.get(episode.team_id)
        if team is None:
            return
        wanted = [
            n
            for n in needs
            if LEVEL_RANK[n.level] >= LEVEL_RANK["moderate"]
            or (n.level == "low" and rng.random() < LOW_NEED_CHANCE)
        ]
        wanted.sort(key=lambda n: -LEVEL_RANK[n.level])
        person = episode.person
        age = person.age_on(local_day(episode.arrival_at))
        area = team.spec.postcode_area
        count = pick(rng, REFERRAL_COUNT)
        made = 0
        assert assessment.completed_at is not None  # noqa: S101 - only complete assessments come here
        start = assessment.completed_at
        for need in wanted:
            if made == count:
                break
            candidates = [
                s for s in self.by_need.get((need.key, area), []) if s.takes(age=age, sex=person.sex)
            ]
            if not candidates:
                continue
            start = start + seconds(rng, 5 * MINUTE, 3 * HOUR if made else 2 * DAY)
            self._referral(episode, team, assessment, need.key, rng.choice(candidates), start)
            made += 1

    # --- one referral --------------------------------------------------------------------------

    def _referral(
        self,
        episode: Episode,
        team: RosterTeam,
        assessment: Assessment,
        key: str,
        service: MadeService,
        start: dt.datetime,
    ) -> None:
        rng = self.rng
        closed = episode.closed_at if episode.stage == Stage.CLOSED else None
        bound = min(closed or self.now, self.now)
        if start >= bound:
            return
        basic = key.startswith(BASIC_PREFIX)
        kind = (
            Kind.SIGNPOSTING
            if rng.random() < SIGNPOSTING_CHANCE["basic" if basic else "other"]
            else Kind.ACTIVE
        )
        creator = self._creator(episode, team, assessment)
        ahead = closed is None and kind == Kind.ACTIVE and rng.random() < BOOKED_AHEAD_CHANCE
        if kind == Kind.SIGNPOSTING:
            story = self._signposting(start)
        else:
            story = self._active(service, start, path="engaged" if ahead else None)
        if closed is None and rng.random() < STILL_DRAFT_CHANCE:
            story, ahead = _Story(rows=[(Status.DRAFT, start, "")]), False
        story = self._cut(story, bound, open_episode=closed is None, service=service, hold_booked=ahead)
        if kind == Kind.ACTIVE:
            consent = Consent.GIVEN if len(story.rows) > 1 or rng.random() < 0.5 else Consent.NOT_ASKED
            note = rng.choice(CONSENT_NOTES) if consent == Consent.GIVEN else ""
        else:
            consent = pick(rng, {Consent.GIVEN: 40, Consent.NOT_ASKED: 50, Consent.REFUSED: 10})
            note = REFUSED_NOTE if consent == Consent.REFUSED else ""
        last_status, last_at, _ = story.rows[-1]
        outcome = story.outcome if last_status == Status.CLOSED else ""
        referral = instance(
            Referral,
            episode=episode,
            team=team.team,
            need_key=key,
            service_id=service.id,
            kind=kind,
            consent=consent,
            consent_note=note,
            reason=REASONS.get(key, f"Referred for help with {self.labels.get(key, key).lower()}."),
            status=last_status,
            status_at=last_at,
            outcome=outcome,
            outcome_note=rng.choice(OUTCOME_NOTES.get(Outcome(outcome), ("",))) if outcome else "",
            created_by=creator,
            created_at=start,
            updated_at=last_at,
            version=len(story.rows),
        )
        self.records.referrals.append(referral)
        for status, at, row_note in story.rows:
            self.records.statuses.append((referral, status, at, creator, row_note))
        worker = self._companion(team, key, service)
        for visit in story.visits:
            ends = visit.starts + dt.timedelta(minutes=rng.choice((45, 60, 60, 90)))
            self.records.appointments.append(
                instance(
                    Appointment,
                    episode=episode,
                    referral=referral,
                    service_id=service.id,
                    starts_at=visit.starts,
                    ends_at=ends,
                    location_id=service.location_id,
                    place=service.place,
                    accompanied_by=worker,
                    travel_needs=rng.choice(TRAVEL_NEEDS) if worker and rng.random() < 0.6 else "",
                    attendance=visit.attendance,
                    attendance_recorded_at=visit.recorded,
                    attendance_recorded_by=(worker or creator) if visit.recorded else None,
                    note=rng.choice(APPOINTMENT_NOTES),
                    created_by=creator,
                    created_at=visit.booked,
                )
            )
        self._stories.append((referral, story, episode, service))

    def _creator(self, episode: Episode, team: RosterTeam, assessment: Assessment) -> User:
        worker = episode.allocated_worker
        clinical = [
            u
            for role in (Role.PRACTITIONER, Role.SUPPORT_WORKER, Role.TEAM_LEAD)
            for u in team.staff.get(role, [])
        ]
        if worker is not None and worker in clinical:
            return worker
        return assessment.completed_by or assessment.by

    def _companion(self, team: RosterTeam, key: str, service: MadeService) -> User | None:
        workers = team.staff.get(Role.SUPPORT_WORKER, [])
        if not workers or service.location_id is None:
            return None
        chance = ACCOMPANY_CHANCE["close" if key in CLOSE_SUPPORT_NEEDS else "other"]
        return self.rng.choice(workers) if self.rng.random() < chance else None

    # --- stories -------------------------------------------------------------------------------

    def _active(self, service: MadeService, start: dt.datetime, *, path: str | None = None) -> _Story:
        rng = self.rng
        quick = service.pattern in ALWAYS_OPEN
        story = _Story()
        add = self._adder(story)
        at = add(Status.DRAFT, start)
        at = add(Status.SENT, at + seconds(rng, 5 * MINUTE, 90 * MINUTE))
        answer = seconds(rng, 10 * MINUTE, 3 * HOUR) if quick else seconds(rng, 4 * HOUR, 3 * DAY)
        path = path or pick(rng, ACTIVE_PATHS)
        if path == "lost":
            if rng.random() < 0.5:
                at = add(Status.ACKNOWLEDGED, at + answer)
            story.outcome = pick(rng, {Outcome.LOST_CONTACT: 2, Outcome.NO_LONGER_NEEDED: 1})
            add(Status.CLOSED, at + seconds(rng, 7 * DAY, 30 * DAY))
            return story
        if path == "declined":
            at = add(Status.ACKNOWLEDGED, at + answer)
            at = add(Status.DECLINED, at + seconds(rng, 2 * HOUR, 5 * DAY))
            story.outcome = Outcome.DECLINED_BY_SERVICE
            add(Status.CLOSED, at + seconds(rng, 10 * MINUTE, 3 * DAY))
            return story
        if rng.random() < 0.8:
            at = add(Status.ACKNOWLEDGED, at + answer)
        at = add(
            Status.ACCEPTED, at + (seconds(rng, 5 * MINUTE, HOUR) if quick else seconds(rng, HOUR, 5 * DAY))
        )
        if path == "person_declined":
            story.outcome = Outcome.PERSON_DECLINED
            add(Status.CLOSED, at + seconds(rng, 2 * DAY, 14 * DAY))
            return story
        if path == "accepted_engaged":
            at = add(Status.ENGAGED, at + seconds(rng, DAY, 10 * DAY))
            story.outcome = Outcome.ENGAGED
            add(Status.CLOSED, at + seconds(rng, 14 * DAY, 60 * DAY))
            return story
        at = self._visit(story, service, at, missed=path in {"missed", "missed_then_attended"})
        if path == "missed":
            story.outcome = Outcome.DID_NOT_ENGAGE
            add(Status.CLOSED, at + seconds(rng, 7 * DAY, 21 * DAY))
            return story
        if path == "missed_then_attended":
            at = self._visit(story, service, at + seconds(rng, 2 * HOUR, 3 * DAY), missed=False)
        if path == "attended":
            story.outcome = Outcome.SUPPORT_RECEIVED
            add(Status.CLOSED, at + seconds(rng, 7 * DAY, 40 * DAY))
            return story
        at = add(Status.ENGAGED, at + seconds(rng, 3 * DAY, 21 * DAY))
        story.outcome = Outcome.ENGAGED
        add(Status.CLOSED, at + seconds(rng, 14 * DAY, 90 * DAY))
        return story

    def _visit(self, story: _Story, service: MadeService, after: dt.datetime, *, missed: bool) -> dt.datetime:
        """Book an appointment after `after`, and record it attended or missed. Returns the last time."""
        rng = self.rng
        add = self._adder(story)
        booked = add(Status.APPOINTMENT_BOOKED, after + seconds(rng, 10 * MINUTE, 3 * DAY))
        quick = service.pattern in ALWAYS_OPEN
        starts = self._slot(
            service, booked + (seconds(rng, HOUR, DAY) if quick else seconds(rng, DAY, 21 * DAY))
        )
        visit = _Visit(booked=booked, starts=starts)
        story.visits.append(visit)
        if missed:
            visit.attendance, visit.recorded = Attendance.MISSED, starts + seconds(rng, 20 * HOUR, 30 * HOUR)
            return add(Status.DID_NOT_ATTEND, visit.recorded, "The service said they did not come.")
        visit.attendance, visit.recorded = Attendance.ATTENDED, starts + seconds(rng, HOUR, 5 * HOUR)
        return add(Status.ATTENDED, visit.recorded)

    def _signposting(self, start: dt.datetime) -> _Story:
        rng = self.rng
        story = _Story()
        add = self._adder(story)
        at = add(Status.DRAFT, start)
        at = add(Status.SENT, at + seconds(rng, MINUTE, 30 * MINUTE), "Gave them the service's details.")
        path = pick(rng, SIGNPOSTING_PATHS)
        if path == "closed":
            story.outcome = pick(
                rng, {Outcome.DID_NOT_ENGAGE: 3, Outcome.NO_LONGER_NEEDED: 2, Outcome.LOST_CONTACT: 2}
            )
            add(Status.CLOSED, at + seconds(rng, 5 * DAY, 20 * DAY))
            return story
        at = add(Status.ATTENDED, at + seconds(rng, DAY, 10 * DAY), "They said they went.")
        if path == "engaged":
            at = add(Status.ENGAGED, at + seconds(rng, 5 * DAY, 20 * DAY))
            story.outcome = Outcome.ENGAGED
        else:
            story.outcome = Outcome.SUPPORT_RECEIVED
        add(Status.CLOSED, at + seconds(rng, 7 * DAY, 40 * DAY))
        return story

    @staticmethod
    def _adder(story: _Story) -> Callable[..., dt.datetime]:
        """Appends a status row, a minute after the one before at the earliest; returns its time."""

        def add(status: str, at: dt.datetime, note: str = "") -> dt.datetime:
            if story.rows and at <= story.rows[-1][1]:
                at = story.rows[-1][1] + dt.timedelta(minutes=1)
            story.rows.append((status, at, note))
            return at

        return add

    def _slot(self, service: MadeService, earliest: dt.datetime) -> dt.datetime:
        """An appointment time when the service is open: the evening for a night shelter, a quarter
        hour for a 24-hour service, otherwise a working day between 09:30 and 15:45."""
        rng = self.rng
        there = local(earliest)
        tz = there.tzinfo
        if service.pattern == "night":
            day = there.date() if there.time() <= dt.time(20, 30) else there.date() + dt.timedelta(days=1)
            return dt.datetime.combine(day, dt.time(20, 30), tzinfo=tz)
        if service.pattern in ALWAYS_OPEN:
            minutes = (15 - there.minute % 15) % 15
            return (there + dt.timedelta(minutes=minutes)).replace(second=0, microsecond=0)
        day = there.date()
        slot = dt.time(9 + rng.randint(0, 6), rng.choice((0, 15, 30, 45)))
        slot = max(slot, dt.time(9, 30))
        if there.time() > slot:
            day += dt.timedelta(days=1)
        while not is_working_day(day):
            day += dt.timedelta(days=1)
        return dt.datetime.combine(day, slot, tzinfo=tz)

    def _cut(
        self,
        story: _Story,
        bound: dt.datetime,
        *,
        open_episode: bool,
        service: MadeService,
        hold_booked: bool = False,
    ) -> _Story:
        """The story as far as `bound`. A closed episode closes what is still open; an open one keeps
        its booked appointment in the coming fortnight, never an "upcoming" one in the past."""
        rng = self.rng
        keep = [row for row in story.rows if row[1] <= bound]
        if not keep:  # the episode closed within minutes of the assessment
            keep = [(Status.DRAFT, min(story.rows[0][1], bound), "")]
        visits = [v for v in story.visits if v.booked <= bound]
        last_status = keep[-1][0]
        if open_episode:
            booked = [i for i, row in enumerate(keep) if row[0] == Status.APPOINTMENT_BOOKED]
            if hold_booked and booked:  # stop at the booking: the appointment is still to come
                keep = keep[: booked[-1] + 1]
                visits = [v for v in visits if v.booked <= keep[-1][1]]
                visits[-1].attendance, visits[-1].recorded = Attendance.UPCOMING, None
            for visit in visits:
                if visit.recorded is not None and visit.recorded > bound:
                    visit.attendance, visit.recorded = Attendance.UPCOMING, None
                if visit.attendance == Attendance.UPCOMING and (
                    visit.starts <= bound or visit.starts > bound + dt.timedelta(days=UPCOMING_DAYS)
                ):
                    earliest = bound + seconds(rng, 2 * HOUR, (UPCOMING_DAYS - 3) * DAY)
                    visit.starts = self._slot(service, earliest)
            cut = _Story(
                rows=keep, visits=visits, outcome=story.outcome if last_status == Status.CLOSED else ""
            )
            return cut
        # A closed episode: no appointment after it closed, and the referral closed by then.
        while visits and (visits[-1].starts > bound or (visits[-1].recorded or bound) > bound):
            dropped = visits.pop()
            keep = [row for row in keep if row[1] < dropped.booked]
        last_status = keep[-1][0]
        outcome = story.outcome
        if last_status != Status.CLOSED:
            outcome = CLOSED_AT_EPISODE_END[Status(last_status)]
            if Status.CLOSED not in next_statuses(Kind.ACTIVE, last_status) | next_statuses(
                Kind.SIGNPOSTING, last_status
            ):
                raise AssertionError(f"cannot close a referral at {last_status}")
            at = max(bound, keep[-1][1] + dt.timedelta(minutes=1))
            keep.append((Status.CLOSED, at, "Closed when the episode closed."))
        return _Story(rows=keep, visits=visits, outcome=outcome)

    # --- follow-up tasks -----------------------------------------------------------------------

    def tasks(self) -> list[Row]:
        """The rule-made follow-up tasks, as rows for `insert_rows` (call after the referrals and
        appointments are inserted: the tasks' dedupe keys name their ids)."""
        made: list[Row] = []
        appointments: dict[int, list[Appointment]] = defaultdict(list)
        for appointment in self.records.appointments:
            appointments[id(appointment.referral)].append(appointment)
        for referral, story, episode, service in self._stories:
            code = self.teams[episode.team_id].spec.code
            closed = episode.closed_at if episode.stage == Stage.CLOSED else None
            short = person_short_name(episode.person)
            owner = referral.created_by
            times = story.rows

            def after(
                moment: dt.datetime,
                statuses: frozenset[str] | None = None,
                times: list[tuple[str, dt.datetime, str]] = times,
                closed: dt.datetime | None = closed,
            ) -> dt.datetime | None:
                """When the next move (of these statuses) came; the episode's closure if none did."""
                for status, at, _ in times:
                    if at > moment and (statuses is None or status in statuses):
                        return at
                return closed

            for status, at, _ in times:
                if status != Status.SENT:
                    continue
                if referral.kind == Kind.ACTIVE:
                    rule = rules.rule_for(code, rules.NO_ACKNOWLEDGEMENT)
                    key, done = rules.no_ack_key(referral.pk), after(at)
                else:
                    rule = rules.rule_for(code, rules.SIGNPOSTING_FOLLOW_UP)
                    settles = frozenset({Status.ATTENDED, Status.ENGAGED, Status.CLOSED})
                    key, done = rules.signposting_key(referral.pk), after(at, settles)
                if rule.enabled:
                    made.append(self._task(episode, rule, key, service.name, short, at, done, owner))
            for appointment in appointments[id(referral)]:
                rule = rules.rule_for(code, rules.CHECK_ATTENDANCE)
                key = rules.check_attendance_key(appointment.pk)
                done = appointment.attendance_recorded_at or (
                    closed if appointment.attendance != Attendance.UPCOMING else None
                )
                if rule.enabled:
                    made.append(
                        self._task(
                            episode,
                            rule,
                            key,
                            service.name,
                            short,
                            appointment.created_at,
                            done,
                            owner,
                            on=appointment.starts_at,
                        )
                    )
                if appointment.attendance == Attendance.MISSED and appointment.attendance_recorded_at:
                    rule = rules.rule_for(code, rules.MISSED_APPOINTMENT)
                    recorded = appointment.attendance_recorded_at
                    done = after(recorded, frozenset({Status.APPOINTMENT_BOOKED, Status.CLOSED}))
                    if rule.enabled:
                        made.append(
                            self._task(
                                episode,
                                rule,
                                rules.outreach_key(appointment.pk),
                                service.name,
                                short,
                                recorded,
                                done,
                                appointment.accompanied_by or owner,
                            )
                        )
        return made

    def _task(
        self,
        episode: Episode,
        rule: rules.Rule,
        key: str,
        service_name: str,
        person: str,
        created: dt.datetime,
        done: dt.datetime | None,
        owner: User,
        *,
        on: dt.datetime | None = None,
    ) -> Row:
        if done is not None and done > self.now:
            done = None
        return {
            "episode_id": episode.pk,
            "title": rule.task_title(service=service_name, person=person),
            "detail": "Follow-up made by rule",
            "due": rule.due(local_day(on or created)),
            "owner_id": owner.pk,
            "done_at": done,
            "done_by_id": owner.pk if done else None,
            "created_by_id": owner.pk,
            "rule": rules.RULE_NAMES[rule.name],
            "dedupe_key": key,
            "created_at": created,
        }
