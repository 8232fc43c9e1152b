"""The deterministic synthetic data generator: people, their hidden conditions and their episodes.

Everything comes from one `random.Random(seed)` consumed in a fixed order, and every time is laid
out relative to one reference moment (`now`), so the same --people, --seed and reference moment
give identical rows. No Faker and no real data: names are random pairings from `names.py`, NHS
numbers come from the 999 range that is never issued to patients, phone numbers from Ofcom's
drama ranges, postcodes from areas that do not exist.

Prevalence targets are documented, with their derivation, in docs/seed.md.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import models

from liaison.assessment.models import Assessment, Need, PlanAction, PlanOrder
from liaison.demo import numbers
from liaison.demo.assessments import AssessmentMaker
from liaison.demo.conditions import allocate, joint_distribution
from liaison.demo.custody import CustodyList, custody_lists
from liaison.demo.models import CONDITION_FIELDS, SyntheticProfile
from liaison.demo.names import (
    ETHNICITY_POOLS,
    FEMALE_ONLY_FAMILY,
    FEMININE_ENDINGS,
    MALE_ONLY_FAMILY,
    POOLS,
    SHORT_FORMS,
)
from liaison.demo.rows import instance
from liaison.demo.staff import HOME_TEAM_CODE, Roster, RosterSite, RosterTeam
from liaison.demo.tables import (
    AGE_BANDS,
    COMMUNICATION_NEEDS,
    DAY,
    ETHNICITY_WEIGHTS,
    HISTORY_DAYS,
    KIN_NOTES,
    LANGUAGES,
    MAX_AGE,
    PARENT_NOTES,
    SEX_WEIGHTS,
    local_day,
    pick,
    seconds,
)
from liaison.demo.timeline import Condition, EpisodeMaker, EpisodeRecords
from liaison.episodes.models import AgeGroup, Contact, Episode, EpisodeStatus, Task
from liaison.episodes.services import ADULT_AGE, YOUTH_MIN_AGE
from liaison.people.models import Alias, ContactRelationship, Person, PersonContact, Sex

# Prison prevalence, as recorded in shared/data/seed-facts.json ("nearly half" = 0.45 and so on).
PRISON_PREVALENCE = {
    "severe_mental_illness": 0.10,
    "depression_or_anxiety": 0.45,
    "alcohol_or_drug_dependence": 0.45,
    "personality_disorder": 0.66,
    "any_diagnosable_mental_health_problem": 0.90,
    "two_or_more_mental_health_problems": 0.70,
}
# People seen by L&D in custody and court are a broader group than prisoners. These factors are
# modelling assumptions for synthetic data, not epidemiological estimates; docs/seed.md explains each.
CUSTODY_SCALE = {
    "severe_mental_illness": 0.6,
    "depression_or_anxiety": 0.7,
    "alcohol_or_drug_dependence": 0.8,
    "personality_disorder": 0.5,
    "any_diagnosable_mental_health_problem": 0.8,
    "two_or_more_mental_health_problems": 0.6,
}
# The share of generated people who hold each condition (SyntheticProfile's ground truth).
TARGETS: dict[str, float] = {
    name: round(PRISON_PREVALENCE[name] * CUSTODY_SCALE[name], 4) for name in PRISON_PREVALENCE
}
SPECIFIC = CONDITION_FIELDS[:4]  # the four named conditions; the fifth is "other"
# How many of the five conditions a person holds. 0 and 1 follow from "any" and "two or more";
# splitting "two or more" into 2, 3 and 4 is a choice (it sets how common "other" is: 19%).
CONDITION_COUNT = {
    0: round(1 - TARGETS["any_diagnosable_mental_health_problem"], 4),
    1: round(
        TARGETS["any_diagnosable_mental_health_problem"] - TARGETS["two_or_more_mental_health_problems"], 4
    ),
    2: round(TARGETS["two_or_more_mental_health_problems"] - 0.10, 4),
    3: 0.085,
    4: 0.015,
}


@dataclass
class Plan:
    """Every unsaved row of a run, parents before children."""

    people: list[Person] = field(default_factory=list)
    aliases: list[Alias] = field(default_factory=list)
    person_contacts: list[PersonContact] = field(default_factory=list)
    profiles: list[SyntheticProfile] = field(default_factory=list)
    records: EpisodeRecords = field(default_factory=EpisodeRecords)

    def batches(self) -> list[tuple[str, type[models.Model], Sequence[models.Model]]]:
        """Each table's rows with its label, in the order to insert them."""
        r = self.records
        return [
            ("people", Person, self.people),
            ("aliases", Alias, self.aliases),
            ("person contacts", PersonContact, self.person_contacts),
            ("synthetic profiles", SyntheticProfile, self.profiles),
            ("episodes", Episode, r.episodes),
            ("episode statuses", EpisodeStatus, r.statuses),
            ("contacts", Contact, r.contacts),
            ("tasks", Task, r.tasks),
            ("assessments", Assessment, r.assessments),
            ("needs", Need, r.needs),
            ("plan orders", PlanOrder, r.plan_orders),
            ("plan actions", PlanAction, r.plan_actions),
        ]


@dataclass
class _Draft:
    person: Person
    team: RosterTeam
    visits: int
    age: int
    youth: bool
    recent: bool
    first_arrival: dt.datetime
    first_site: RosterSite
    first_identified: dt.datetime | None


@functools.cache
def condition_distribution() -> dict[tuple[bool, ...], float]:
    """The fitted probability of each combination of the five conditions (computed once)."""
    return joint_distribution([TARGETS[name] for name in SPECIFIC], CONDITION_COUNT)


class Generator:
    def __init__(
        self,
        *,
        people: int,
        seed: int,
        now: dt.datetime,
        roster: Roster,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> None:
        if people < 1:
            raise ValueError("--people must be at least 1")
        self.n = people
        self.seed = seed
        self.rng = random.Random(seed)
        self.now = now
        self.roster = roster
        self.progress = progress
        self.plan = Plan()
        # Assessments and plans draw from a stream of their own, consumed in episode order, so adding
        # them changed none of the people, episodes, contacts or tasks a seed gives.
        self.assessments = AssessmentMaker(
            rng=random.Random(f"assessments:{seed}"), now=now, records=self.plan.records
        )
        self.maker = EpisodeMaker(
            rng=self.rng, now=now, records=self.plan.records, assessments=self.assessments
        )
        self._nhs: set[str] = set()
        self._pnc: set[str] = set()

    def build(self) -> Plan:
        rng = self.rng
        recent = set(rng.sample(range(self.n), self.recent_count()))
        drafts = [self._person(i, i in recent) for i in range(self.n)]
        combos = allocate(
            self.n,
            condition_distribution(),
            rng,
            not_for=[d.youth for d in drafts],
            excluded_index=SPECIFIC.index("personality_disorder"),
        )
        for done, (draft, combo) in enumerate(zip(drafts, combos, strict=True), start=1):
            if self.progress and (done % 250 == 0 or done == self.n):
                self.progress("generating people", done, self.n)
            self._profile(draft.person, combo)
            condition = Condition(
                any_problem=any(combo),
                severe_mental_illness=combo[0],
                substance_dependence=combo[2],
                depression_or_anxiety=combo[1],
                personality_disorder=combo[3],
                other_problem=combo[4],
            )
            self._episodes(draft, condition)
        home = next(rt for rt in self.roster.teams if rt.spec.code == HOME_TEAM_CODE)
        self.assessments.finish(home)
        return self.plan

    def recent_count(self) -> int:
        """How many people's (last) arrival is in the last day."""
        return min(self.n, max(1, round(self.n * 0.015)))

    def custody_lists(self) -> list[CustodyList]:
        """Today's custody list for the demo team's custody suites (call after build()).

        Drawn from a random stream of its own, so adding it changed none of the people or episodes
        a seed gives; the same seed, size and reference moment give the same list.
        """
        return custody_lists(
            rng=random.Random(f"custody-list:{self.seed}"),
            now=self.now,
            roster=self.roster,
            people=self.plan.people,
            episodes=self.plan.records.episodes,
            name=self._name,
            date_of_birth=self._date_of_birth,
        )

    # --- a person -----------------------------------------------------------------------------

    def _person(self, index: int, recent: bool) -> _Draft:
        rng = self.rng
        low, high, _ = pick(rng, {band: band[2] for band in AGE_BANDS})
        age = rng.randint(low, high)
        visits = pick(rng, {1: 60, 2: 25, 3: 15}) if age + 4 <= MAX_AGE else 1
        youth = age < ADULT_AGE
        team = pick(rng, {rt: rt.spec.share for rt in self.roster.teams})
        recent_first = recent and visits == 1
        site = self.maker.choose_site(
            team, AgeGroup.YOUTH if youth else AgeGroup.ADULT, custody_only=recent_first
        )
        identified = None
        if recent_first:
            first, identified = self.maker.recent_arrival(site.spec)
        else:
            latest = self.now - dt.timedelta(days=45 if recent else 0)
            rough = latest - seconds(rng, 0, (HISTORY_DAYS - (45 if recent else 0)) * DAY)
            first = self.maker.place_arrival(site.spec, rough)
        dob = self._date_of_birth(local_day(first), age)
        sex = pick(rng, SEX_WEIGHTS)
        ethnicity = pick(rng, ETHNICITY_WEIGHTS)
        given, family = self._name(sex, ethnicity)
        language, interpreter = self._language(ethnicity)
        no_fixed_abode = rng.random() < (0.02 if youth else 0.11)
        nhs_chance = 0.6 if (interpreter or no_fixed_abode) else 0.9
        needs = rng.choice(COMMUNICATION_NEEDS) if rng.random() < (0.15 if youth else 0.06) else None
        person = instance(
            Person,
            given_name=given,
            family_name=family,
            given_name_search=given.lower(),
            family_name_search=family.lower(),
            preferred_name=SHORT_FORMS.get(given, "") if rng.random() < 0.4 else "",
            date_of_birth=dob,
            sex=sex,
            gender_identity=rng.choice(("Trans woman", "Trans man", "Non-binary"))
            if rng.random() < 0.006
            else "",
            ethnicity=ethnicity,
            nhs_number=numbers.nhs_number(rng, self._nhs) if rng.random() < nhs_chance else "",
            pnc_id=numbers.pnc_id(rng, self._pnc, earliest_year=dob.year + 10, latest_year=first.year)
            if rng.random() < (0.3 if youth else 0.72) + 0.15 * (visits > 1)
            else "",
            local_id=f"SYN-{index + 1:06d}",
            postcode="" if no_fixed_abode else numbers.postcode(rng, team.spec.postcode_area),
            no_fixed_abode=no_fixed_abode,
            language=language,
            interpreter_needed=interpreter,
            communication_needs=needs[0] if needs else "",
            easy_read=bool(needs and needs[1]),
            veteran=self._veteran(age),
            care_leaver=self._care_leaver(age),
        )
        self.plan.people.append(person)
        self._aliases(person, ethnicity)
        self._contacts(person, youth, ethnicity, team)
        return _Draft(person, team, visits, age, youth, recent, first, site, identified)

    def _date_of_birth(self, arrival_day: dt.date, age: int, rng: random.Random | None = None) -> dt.date:
        """A birthday giving exactly `age` on `arrival_day`."""
        rng = self.rng if rng is None else rng
        try:
            anchor = arrival_day.replace(year=arrival_day.year - age - 1)
        except ValueError:  # 29 February
            anchor = arrival_day.replace(year=arrival_day.year - age - 1, day=28)
        # (anchor, anchor + 364 days] always lies within the year of life that is `age`.
        return anchor + dt.timedelta(days=rng.randint(1, 364))

    def _name(self, sex: str, ethnicity: str, rng: random.Random | None = None) -> tuple[str, str]:
        rng = self.rng if rng is None else rng
        if ethnicity not in ETHNICITY_POOLS:  # not stated or not known: any heritage
            ethnicity = pick(rng, {e: w for e, w in ETHNICITY_WEIGHTS.items() if e in ETHNICITY_POOLS})
        given_pool, family_pool = rng.choice(ETHNICITY_POOLS[ethnicity])
        female = sex == Sex.FEMALE or (sex not in (Sex.MALE, Sex.FEMALE) and rng.random() < 0.5)
        pool = POOLS[given_pool]
        given = rng.choice(pool.female if female else pool.male)
        family = rng.choice(POOLS[family_pool].family)
        while family in (MALE_ONLY_FAMILY if female else FEMALE_ONLY_FAMILY):
            family = rng.choice(POOLS[family_pool].family)
        if female and family_pool == "european":
            for male_end, female_end in FEMININE_ENDINGS:
                if family.endswith(male_end):
                    family = family[: -len(male_end)] + female_end
        return given, family

    def _language(self, ethnicity: str) -> tuple[str, bool]:
        rng = self.rng
        if rng.random() < 0.003:
            return "British Sign Language", True
        chance, languages = LANGUAGES.get(ethnicity, (0.0, ()))
        if languages and rng.random() < chance:
            return rng.choice(languages), rng.random() < 0.6
        return "English", False

    def _veteran(self, age: int) -> bool | None:
        if age < ADULT_AGE:
            return False
        roll = self.rng.random()
        return None if roll < 0.3 else roll < 0.3 + (0.07 if age >= 25 else 0.01)

    def _care_leaver(self, age: int) -> bool | None:
        roll = self.rng.random()
        return None if roll < 0.3 else roll < 0.3 + (0.2 if age <= 25 else 0.1)

    def _aliases(self, person: Person, ethnicity: str) -> None:
        rng = self.rng
        if rng.random() >= (0.12 if person.pnc_id else 0.04):
            return
        for _ in range(rng.choice((1, 1, 2))):
            given, family = self._name(person.sex, ethnicity)
            if rng.random() < 0.5:
                given = person.given_name  # the same first name with a different surname
            alias_given = "" if rng.random() < 0.2 else given
            self.plan.aliases.append(
                instance(
                    Alias,
                    person=person,
                    given_name=alias_given,
                    family_name=family,
                    family_name_search=family.lower(),
                )
            )

    def _contacts(self, person: Person, youth: bool, ethnicity: str, team: RosterTeam) -> None:
        rng = self.rng
        add = self.plan.person_contacts.append
        if youth:
            has_parent = rng.random() < 0.85
            if has_parent:
                given, family = self._name(pick(rng, {Sex.FEMALE: 6, Sex.MALE: 4}), ethnicity)
                add(
                    instance(
                        PersonContact,
                        person=person,
                        relationship=ContactRelationship.PARENT_GUARDIAN,
                        name=f"{given} {person.family_name if rng.random() < 0.7 else family}",
                        phone=numbers.mobile(rng),
                        notes=rng.choice(PARENT_NOTES),
                    )
                )
            # Under-18s in custody need an appropriate adult when no parent can come.
            if not has_parent or rng.random() < 0.3:
                add(
                    instance(
                        PersonContact,
                        person=person,
                        relationship=ContactRelationship.APPROPRIATE_ADULT,
                        name=f"{team.spec.town} Appropriate Adult Service",
                        phone=numbers.landline(rng),
                        notes="Volunteer scheme: book through the custody desk.",
                    )
                )
            return
        if rng.random() < 0.45:
            given, family = self._name(pick(rng, {Sex.FEMALE: 5, Sex.MALE: 5}), ethnicity)
            add(
                instance(
                    PersonContact,
                    person=person,
                    relationship=ContactRelationship.NEXT_OF_KIN,
                    name=f"{given} {family}",
                    phone=numbers.mobile(rng),
                    notes=rng.choice(KIN_NOTES),
                )
            )
        if person.communication_needs and rng.random() < 0.3:
            given, family = self._name(pick(rng, {Sex.FEMALE: 6, Sex.MALE: 4}), ethnicity)
            add(
                instance(
                    PersonContact,
                    person=person,
                    relationship=ContactRelationship.CARER,
                    name=f"{given} {family}",
                    phone=numbers.mobile(rng),
                    email=f"{given}.{family}@example.org".lower().replace("'", ""),
                )
            )

    # --- profile and episodes -----------------------------------------------------------------

    def _profile(self, person: Person, combo: tuple[bool, ...]) -> None:
        values = dict(zip(CONDITION_FIELDS, combo, strict=True))
        self.plan.profiles.append(
            instance(
                SyntheticProfile,
                person=person,
                seed=self.seed,
                any_diagnosable_mental_health_problem=sum(combo) >= 1,
                two_or_more_mental_health_problems=sum(combo) >= 2,
                **values,
            )
        )

    def _episodes(self, draft: _Draft, condition: Condition) -> None:
        """The person's episodes in time order: each new one after the previous one closed."""
        rng = self.rng
        person = draft.person
        recent_last = draft.recent and draft.visits > 1  # earlier episodes, then one in the last day
        horizon = self.now - dt.timedelta(days=30) if recent_last else self.now
        team = draft.team
        made = [
            self._episode(
                draft, team, draft.first_site, draft.first_arrival, draft.first_identified, condition
            )
        ]
        while len(made) < draft.visits - recent_last:
            closed = made[-1].closed_at
            if closed is None:
                break
            rough = closed + seconds(rng, 7 * DAY, 400 * DAY)
            if rough > horizon:
                break
            team = self._next_team(team)
            for _ in range(3):
                # Placing the arrival can move it back a few days, past a birthday: re-check the pathway.
                group = self._age_group(draft, rough)
                site = self.maker.choose_site(team, group)
                arrival = self.maker.place_arrival(site.spec, rough)
                if self._age_group(draft, arrival) == group:
                    break
                rough = arrival
            if arrival <= closed:
                break
            made.append(self._episode(draft, team, site, arrival, None, condition))
        if recent_last:
            team = self._next_team(team)
            site = self.maker.choose_site(team, self._age_group(draft, self.now), custody_only=True)
            arrival, identified = self.maker.recent_arrival(site.spec)
            made.append(self._episode(draft, team, site, arrival, identified, condition))
        person.created_at = made[0].identified_at
        person.updated_at = max(e.updated_at for e in made)

    def _next_team(self, team: RosterTeam) -> RosterTeam:
        """Mostly the same team again; now and then another (the person moved or was arrested away)."""
        if self.rng.random() < 0.15:
            return self.rng.choice([rt for rt in self.roster.teams if rt is not team])
        return team

    def _episode(
        self,
        draft: _Draft,
        team: RosterTeam,
        site: RosterSite,
        arrival: dt.datetime,
        identified: dt.datetime | None,
        condition: Condition,
    ) -> Episode:
        return self.maker.make(
            person=draft.person,
            team=team,
            site=site,
            arrival=arrival,
            age_group=self._age_group(draft, arrival),
            condition=condition,
            identified=identified,
        )

    def _age_group(self, draft: _Draft, moment: dt.datetime) -> str:
        """Youth or adult pathway, from the person's age on the (local) day."""
        dob = draft.person.date_of_birth
        assert dob is not None  # noqa: S101 - every synthetic person has one
        day = local_day(moment)
        age = day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
        if age < YOUTH_MIN_AGE:
            raise AssertionError("a synthetic person would be under 10 on arrival")
        return AgeGroup.ADULT if age >= ADULT_AGE else AgeGroup.YOUTH
