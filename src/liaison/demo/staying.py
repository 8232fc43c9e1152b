"""What keeps people going after the first contact, for the demo data set: screenings scored by the
real instrument engine from each person's hidden conditions, crisis plans, housing and benefits
advice records, and drop-in sessions with their registers. Deterministic from the seed; bulk-inserted.

Screening answers are drawn so the scores follow the conditions (shared/design/instruments.md): someone
with depression or anxiety mostly screens positive on PHQ-9 and GAD-7, someone dependent on alcohol or
drugs on AUDIT-C and DAST-10, someone with a severe mental illness on the Brief Jail Mental Health
Screen, and most others do not. The result is the engine's, stored as screening_complete stores it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils import timezone

from liaison.advice.models import (
    AdviceAction,
    AdviceOutcome,
    AdviceRecord,
    AdviceStatus,
    AdviceType,
    Benefit,
    Frequency,
    OutcomeKind,
)
from liaison.assessment.models import Need
from liaison.core.models import Role, User
from liaison.demo.models import SyntheticProfile
from liaison.demo.rows import Progress, RecordMaker
from liaison.demo.staff import Roster
from liaison.demo.tables import DAY, HOUR, MINUTE
from liaison.episodes.models import Channel, Contact, Episode, Stage, Task
from liaison.outreach.models import DropInAttendance, DropInSession
from liaison.screening import instruments
from liaison.screening.instruments import ScoringError
from liaison.screening.models import AlertAction, Screening, ScreeningStatus
from liaison.support.models import CrisisPlan, CrisisPlanStatus

# instrument code -> cut-off profile used by the demo teams (the UK one where there is a choice).
PROFILES = {
    "phq-9": "standard",
    "gad-7": "standard",
    "audit-c": "uk",
    "dast-10": "standard",
    "bjmhs": "standard",
}
CRISIS_WORDS = (
    {
        "warning_signs": "Not sleeping, stopping eating, pulling away from my sister.",
        "self_help": "Walk the dog by the canal. Music on loud. Cold shower.",
        "helpful_people_places": "My sister's flat. The library on Church Street.",
        "other_professionals": "Care coordinator at the community mental health team.",
        "safer": "Sister keeps my tablets and gives me a week at a time.",
        "what_matters": "My daughter. Getting back to work at the garage.",
    },
    {
        "warning_signs": "Drinking in the morning; hearing the voices more; not answering the phone.",
        "self_help": "Go to the drop-in on Thursday. Ring my mate Dean.",
        "helpful_people_places": "The café at the recovery hub. My nan's.",
        "other_professionals": "Recovery worker at the drug and alcohol service; GP.",
        "safer": "No alcohol kept in the flat. Keyworker to check in on Fridays.",
        "what_matters": "Keeping my flat and seeing my son at weekends.",
    },
)
PEOPLE_TO_ASK = (
    [{"name": "Sister (Kayleigh)", "how": "07700 900123"}],
    [{"name": "Dean (friend)", "how": "07700 900456"}, {"name": "Nan", "how": "Lives on Mill Road"}],
)
ADVICE_SUMMARIES = {
    AdviceType.HOUSING: "Sofa-surfing since leaving the hostel; at risk of sleeping rough after release.",
    AdviceType.BENEFITS: "Universal Credit stopped while on remand; needs a new claim.",
    AdviceType.ID_DOCUMENTS: "No photo ID: needs a birth certificate to open a bank account.",
    AdviceType.BANK_ACCOUNT: "Wants a basic bank account so benefits can be paid.",
    AdviceType.DEBT: "Rent arrears and a council tax debt; bailiff letters.",
    AdviceType.GRANTS: "No money for food or gas until the first payment.",
}
ADVICE_ACTIONS = (
    "Rang the council's housing options team; appointment booked.",
    "Helped fill in the online claim with the person.",
    "Wrote to the creditor asking for a 30-day hold.",
    "Sent the birth certificate application with the fee waiver.",
    "Applied to the local welfare assistance fund.",
)
ADVICE_OUTCOMES = {
    AdviceType.HOUSING: (OutcomeKind.TEMPORARY_ACCOMMODATION, OutcomeKind.TENANCY_SECURED),
    AdviceType.BENEFITS: (OutcomeKind.CLAIM_MADE, OutcomeKind.AWARD_MADE),
    AdviceType.ID_DOCUMENTS: (OutcomeKind.ID_OBTAINED,),
    AdviceType.BANK_ACCOUNT: (OutcomeKind.BANK_ACCOUNT_OPENED,),
    AdviceType.DEBT: (OutcomeKind.DEBT_PLAN_AGREED,),
    AdviceType.GRANTS: (OutcomeKind.GRANT_AWARDED, OutcomeKind.CLAIM_MADE),
}
TYPE_FOR_NEED = {
    "housing": AdviceType.HOUSING,
    "basic:sleep_tonight": AdviceType.HOUSING,
    "money": AdviceType.BENEFITS,
    "basic:money_today": AdviceType.GRANTS,
    "basic:id": AdviceType.ID_DOCUMENTS,
    "basic:bank_account": AdviceType.BANK_ACCOUNT,
}
DROP_IN_PLACES = (
    "Harbour Café, back room",
    "St Mark's church hall",
    "Recovery hub, ground floor",
    "Library meeting room",
)


def seconds(rng: random.Random, low: int, high: int) -> dt.timedelta:
    return dt.timedelta(seconds=rng.randint(low, high))


class StayingMaker(RecordMaker):
    stream = "staying"

    @staticmethod
    def _end(episode: Episode, now: dt.datetime) -> dt.datetime:
        return episode.closed_at if episode.stage == Stage.CLOSED and episode.closed_at else now

    # --- screenings --------------------------------------------------------------------------------

    def screenings(
        self, episodes: list[Episode], profiles: list[SyntheticProfile], progress: Progress | None
    ) -> None:
        rng = self.rng("screenings")
        by_person = {p.person_id: p for p in profiles}
        made: list[Screening] = []
        for episode in sorted(episodes, key=lambda e: e.pk):
            if episode.screened_at is None:
                continue
            profile = by_person.get(episode.person_id)
            if profile is None:
                continue
            age = episode.person.age_on(timezone.localdate(episode.arrival_at))
            mood = profile.depression_or_anxiety or profile.personality_disorder
            substance = profile.alcohol_or_drug_dependence
            severe = profile.severe_mental_illness
            intensity = {
                "phq-9": 0.62 if mood else 0.35 if severe or profile.other_mental_health_problem else 0.12,
                "gad-7": 0.6 if mood else 0.15,
                "audit-c": 0.7 if substance else 0.22,
                "dast-10": 0.55 if substance else 0.05,
                "bjmhs": 0.55 if severe else 0.08,
            }
            chosen = ["phq-9"]
            if mood or rng.random() < 0.3:
                chosen.append("gad-7")
            if rng.random() < (0.9 if substance else 0.5):
                chosen.append("audit-c")
            if substance and rng.random() < 0.6:
                chosen.append("dast-10")
            if episode.pathway_point == "police_custody" and rng.random() < (0.8 if severe else 0.3):
                chosen.append("bjmhs")
            by = self._clinician(rng, episode)
            at = episode.screened_at
            for code in chosen:
                definition = instruments.get(code)
                if not definition.suits_age(age):
                    continue
                answers = self._answers(rng, definition, intensity[code], mood and code == "phq-9")
                try:
                    result = instruments.score(code, answers, PROFILES[code], version=definition.version)
                except ScoringError:
                    continue
                suicide = any(
                    (info := definition.flag(flag)) is not None and info.suicide_risk for flag in result.flags
                )
                started = at - seconds(rng, 5 * MINUTE, 15 * MINUTE)
                screening = Screening(
                    episode=episode,
                    instrument_code=code,
                    instrument_version=definition.version,
                    profile=PROFILES[code],
                    answers=answers,
                    status=ScreeningStatus.COMPLETE,
                    total=result.total,
                    band=result.band or "",
                    positive=result.positive,
                    flags=list(result.flags),
                    subscores=dict(result.subscores),
                    result_notes=list(result.notes),
                    suicide_risk=suicide,
                    by=by,
                    started_at=max(started, episode.identified_at),
                    completed_at=at,
                    completed_by=by,
                    updated_at=at,
                    version=2,
                )
                if suicide:  # seen the same day: the alert was acknowledged (the urgent task is history)
                    screening.acknowledged_at = at + seconds(rng, 5 * MINUTE, 40 * MINUTE)
                    screening.acknowledged_by = by
                    screening.acknowledged_action = rng.choice(
                        (AlertAction.ASSESSED, AlertAction.SAFETY_PLAN, AlertAction.ESCALATED)
                    )
                    screening.acknowledged_note = (
                        "Seen in the cell; no current plan. Custody told, 30-minute checks."
                    )
                    screening.version = 3
                made.append(screening)
                at = at + seconds(rng, 3 * MINUTE, 10 * MINUTE)
        self._insert("screenings", Screening, made, progress, plain=True)

    @staticmethod
    def _answers(rng: random.Random, definition: Any, intensity: float, mood: bool) -> dict[str, int]:
        answers: dict[str, int] = {}
        for item in definition.items:
            values = [o.value for o in item.options]
            if not values:
                continue
            if item.key == "9" and definition.code == "phq-9":
                # Thoughts of self-harm: rare, and almost only with low mood.
                answers[item.key] = (1 if rng.random() < 0.7 else 2) if mood and rng.random() < 0.12 else 0
                continue
            if len(values) == 2:
                answers[item.key] = values[1] if rng.random() < intensity else values[0]
                continue
            index = round(rng.gauss(intensity * (len(values) - 1), 0.8))
            answers[item.key] = values[max(0, min(len(values) - 1, index))]
        return answers

    # --- crisis plans ------------------------------------------------------------------------------

    def crisis_plans(
        self, episodes: list[Episode], profiles: list[SyntheticProfile], progress: Progress | None
    ) -> None:
        rng = self.rng("crisis")
        by_person = {p.person_id: p for p in profiles}
        plans: list[CrisisPlan] = []
        for episode in sorted(episodes, key=lambda e: e.pk):
            profile = by_person.get(episode.person_id)
            if episode.assessed_at is None or profile is None:
                continue
            at_risk = (
                profile.depression_or_anxiety or profile.severe_mental_illness or profile.personality_disorder
            )
            if rng.random() >= (0.22 if at_risk else 0.03):
                continue
            end = self._end(episode, self.now)
            started = episode.assessed_at + seconds(rng, HOUR, 3 * DAY)
            completed = started + seconds(rng, 30 * MINUTE, 2 * DAY)
            if completed >= end:
                continue
            by = self._clinician(rng, episode)
            words = rng.choice(CRISIS_WORDS)
            review = timezone.localdate(completed) + dt.timedelta(days=rng.choice((28, 42, 56)))
            plans.append(
                CrisisPlan(
                    episode=episode,
                    number=1,
                    status=CrisisPlanStatus.COMPLETE,
                    **words,
                    people_to_ask=rng.choice(PEOPLE_TO_ASK),
                    written_with_person=True,
                    review_on=review,
                    by=by,
                    started_at=started,
                    updated_at=completed,
                    completed_at=completed,
                    completed_by=by,
                    version=3,
                )
            )
            if episode.stage != Stage.CLOSED and rng.random() < 0.4:
                draft_at = completed + seconds(rng, 7 * DAY, 40 * DAY)
                if draft_at < self.now:
                    plans.append(
                        CrisisPlan(
                            episode=episode,
                            number=2,
                            status=CrisisPlanStatus.DRAFT,
                            **words,
                            people_to_ask=rng.choice(PEOPLE_TO_ASK),
                            written_with_person=True,
                            review_on=review,
                            by=by,
                            started_at=draft_at,
                            updated_at=draft_at,
                        )
                    )
        self._insert("crisis plans", CrisisPlan, plans, progress, plain=True)

    # --- advice --------------------------------------------------------------------------------------

    def advice(self, episodes: list[Episode], needs: list[Need], progress: Progress | None) -> None:
        rng = self.rng("advice")
        by_episode: dict[int, list[Need]] = defaultdict(list)
        for need in needs:
            if need.key in TYPE_FOR_NEED and need.level in ("moderate", "high"):
                by_episode[need.assessment.episode_id].append(need)
        records: list[AdviceRecord] = []
        tasks: list[Task] = []
        actions: list[AdviceAction] = []
        outcomes: list[AdviceOutcome] = []
        for episode in sorted(episodes, key=lambda e: e.pk):
            wanted = by_episode.get(episode.pk)
            if not wanted or episode.assessed_at is None or rng.random() >= 0.45:
                continue
            advisers = self._staff(episode.team_id, Role.ADVISER) or self._staff(
                episode.team_id, Role.TEAM_LEAD
            )
            need = min(wanted, key=lambda n: n.key)
            kind = TYPE_FOR_NEED[need.key]
            created = episode.assessed_at + seconds(rng, 30 * MINUTE, 2 * DAY)
            end = self._end(episode, self.now)
            if created >= end:
                continue
            by = self._clinician(rng, episode)
            adviser = rng.choice(advisers)
            day = timezone.localdate(created)
            if episode.stage == Stage.CLOSED:  # a closed episode's advice was closed with it, or before
                closing = created + (end - created) * rng.uniform(0.3, 0.99)
                closed = True
            else:
                closing = created + seconds(rng, 3 * DAY, 40 * DAY)
                closed = closing < end and rng.random() < 0.5
            task = Task(
                episode=episode,
                title=f"Advice today: {AdviceType(kind).label}",
                due=day,
                owner=adviser,
                done_at=closing if closed else None,
                done_by=adviser if closed else None,
                created_by=by,
                created_at=created,
            )
            record = AdviceRecord(
                episode=episode,
                advice_type=kind,
                need_key=need.key,
                summary=ADVICE_SUMMARIES[kind],
                benefit=Benefit.UNIVERSAL_CREDIT if kind == AdviceType.BENEFITS else "",
                adviser=adviser,
                allocated_at=created,
                allocated_by=by,
                due_on=day,
                task=task,
                created_by=by,
                created_at=created,
                updated_at=closing if closed else created,
            )
            if kind == AdviceType.HOUSING and rng.random() < 0.6:
                record.dtr_authority = f"{self.teams[episode.team_id].spec.town} Council"
                record.dtr_referred_on = day + dt.timedelta(days=1)
                record.dtr_consent = True
                if closed:
                    record.dtr_response = "accepted"
                    record.dtr_response_on = day + dt.timedelta(days=3)
            acted = created
            for _ in range(rng.randint(1, 3)):
                acted = acted + seconds(rng, HOUR, 5 * DAY)
                if acted >= min(end, closing if closed else end):
                    break
                actions.append(
                    AdviceAction(
                        record=record,
                        done_on=timezone.localdate(acted),
                        what=rng.choice(ADVICE_ACTIONS),
                        by=adviser,
                        created_at=acted,
                    )
                )
            if closed:
                kind_done = (
                    rng.choice(ADVICE_OUTCOMES[kind]) if rng.random() < 0.8 else OutcomeKind.NO_OUTCOME
                )
                money = kind_done in (OutcomeKind.AWARD_MADE, OutcomeKind.GRANT_AWARDED)
                outcomes.append(
                    AdviceOutcome(
                        record=record,
                        kind=kind_done,
                        achieved_on=timezone.localdate(closing),
                        amount=Decimal(rng.choice((80, 150, 334, 393))) if money else None,
                        frequency=(
                            Frequency.MONTHLY if kind_done == OutcomeKind.AWARD_MADE else Frequency.ONE_OFF
                        )
                        if money
                        else "",
                        by=adviser,
                        created_at=closing,
                    )
                )
                record.status = AdviceStatus.CLOSED
                record.closing_outcome = kind_done
                record.closed_at = closing
                record.closed_by = adviser
                record.version = 3
            tasks.append(task)
            records.append(record)
        self._insert("advice tasks", Task, tasks, progress)
        self._insert("advice records", AdviceRecord, records, progress)
        self._insert("advice actions", AdviceAction, actions, progress, plain=True)
        self._insert("advice outcomes", AdviceOutcome, outcomes, progress, plain=True)

    # --- drop-ins --------------------------------------------------------------------------------------

    def drop_ins(self, episodes: list[Episode], progress: Progress | None) -> None:
        rng = self.rng("drop-ins")
        sessions: list[DropInSession] = []
        staff_links: list[tuple[DropInSession, User]] = []
        attendances: list[DropInAttendance] = []
        contacts: list[Contact] = []
        by_team: dict[int, list[Episode]] = defaultdict(list)
        for episode in episodes:
            if episode.assessed_at is not None:
                by_team[episode.team_id].append(episode)
        today = timezone.localdate(self.now)
        for rt in self.roster.teams:
            workers = self._staff(rt.team.pk, Role.SUPPORT_WORKER, Role.PRACTITIONER)
            place = rng.choice(DROP_IN_PLACES)
            pool = sorted(by_team[rt.team.pk], key=lambda e: e.pk)
            day = today - dt.timedelta(days=120)
            while day < today:
                day += dt.timedelta(days=7)
                start = dt.datetime.combine(day, dt.time(13, 0), tzinfo=timezone.get_current_timezone())
                if start + dt.timedelta(hours=2) >= self.now:
                    break
                lead = rng.choice(workers)
                session = DropInSession(
                    team=rt.team,
                    site=None,
                    place=place,
                    starts_at=start,
                    ends_at=start + dt.timedelta(hours=2),
                    anonymous_count=rng.randint(0, 4),
                    notes="",
                    created_by=lead,
                    created_at=start,
                )
                sessions.append(session)
                staff_links += [(session, u) for u in dict.fromkeys([lead, rng.choice(workers)])]
                open_then = [
                    e for e in pool if e.assessed_at and e.assessed_at < start < self._end(e, self.now)
                ]
                for episode in rng.sample(open_then, min(len(open_then), rng.randint(1, 6))):
                    at = min(start + seconds(rng, 5 * MINUTE, 110 * MINUTE), self._end(episode, self.now))
                    contact = Contact(
                        episode=episode,
                        at=at,
                        channel=Channel.DROP_IN,
                        successful=True,
                        note=f"Came to the drop-in at {place}.",
                        by=lead,
                        created_at=at,
                    )
                    contacts.append(contact)
                    attendances.append(
                        DropInAttendance(
                            session=session,
                            episode=episode,
                            contact=contact,
                            recorded_by=lead,
                            recorded_at=at,
                        )
                    )
        self._insert("drop-in sessions", DropInSession, sessions, progress)
        through = DropInSession.staff.through
        self._insert(
            "drop-in staff",
            through,
            [through(dropinsession_id=s.pk, user_id=u.pk) for s, u in staff_links],
            progress,
            plain=True,
        )
        self._insert("drop-in contacts", Contact, contacts, progress)
        self._insert("drop-in attendances", DropInAttendance, attendances, progress, plain=True)


def seed_staying(
    *,
    roster: Roster,
    episodes: list[Episode],
    profiles: list[SyntheticProfile],
    needs: list[Need],
    seed: int,
    now: dt.datetime,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Insert screenings, crisis plans, advice records and drop-ins; returns rows by label."""
    maker = StayingMaker(seed=seed, now=now, roster=roster)
    maker.screenings(episodes, profiles, progress)
    maker.crisis_plans(episodes, profiles, progress)
    maker.advice(episodes, needs, progress)
    maker.drop_ins(episodes, progress)
    return maker.rows
