"""Partnership records for the demo data set: vulnerability flags on episodes, consent to share and the
disclosure log, lawful-basis requests, reports to justice partners with share links and feedback, and
awareness training. Deterministic from the seed; bulk-inserted after the referrals have ids.

Every disclosure is checked with liaison.consent.rules.decide at its own moment, on the very consents
and bases inserted here, exactly as record_disclosure would refuse it: a disclosure never exists
without a valid consent or an approved lawful basis at its time. Refusals and withdrawals that would
take away the basis of a referral that was sent are not made (the story would not hold together).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from liaison.consent.models import (
    BasisStatus,
    Capacity,
    Consent,
    ConsentScope,
    ContentKind,
    Decision,
    Disclosure,
    DisclosureMethod,
    Guardian,
    LawfulBasis,
    Purpose,
    RecipientKind,
    SharingBasis,
)
from liaison.consent.rules import ShareDecision, decide
from liaison.core.models import Role, User
from liaison.demo.models import SyntheticProfile
from liaison.demo.rows import BATCH, Progress, RecordMaker
from liaison.demo.staff import Roster
from liaison.demo.tables import DAY, HOUR, MINUTE
from liaison.episodes.models import AgeGroup, Episode
from liaison.identification.models import EpisodeFlag, FlagSource
from liaison.referrals.models import Consent as ReferralConsent
from liaison.referrals.models import Kind, Referral
from liaison.referrals.models import Status as ReferralStatus
from liaison.referrals.services import REFERRAL_CONTENT, recipient_kind_for
from liaison.reports.kinds import template_for
from liaison.reports.models import (
    PartnerFeedback,
    Report,
    ReportKind,
    ReportStatus,
    ReportVersion,
    ShareLink,
)
from liaison.training.models import AgencyKind, KnowledgeScore, TrainingSession

R, N, S, F = (
    ContentKind.RECOMMENDATIONS.value,
    ContentKind.NEEDS_SUMMARY.value,
    ContentKind.SCREENING.value,
    ContentKind.FULL_ASSESSMENT.value,
)
SENT_WITH_REFERRAL: str = REFERRAL_CONTENT.value  # what a referral shares: a summary of needs

# --- tables ----------------------------------------------------------------------------------------

# Vulnerability flags beyond what the hidden conditions give: (flag code, chance).
OTHER_FLAGS = (
    ("housing", 0.24),
    ("money_debt", 0.14),
    ("trauma_abuse", 0.13),
    ("physical_health", 0.12),
    ("learning_disability", 0.06),
    ("adhd", 0.06),
    ("safeguarding", 0.05),
    ("autism", 0.04),
    ("speech_communication", 0.04),
    ("charge_related_risk", 0.04),
    ("veteran", 0.03),
    ("acquired_brain_injury", 0.03),
)
FLAG_NOTES = {
    "mental_health": "Said they see their GP for low mood; on the custody record as known to mental health.",
    "self_harm_suicide": "Cuts on forearms noted at booking-in; said they had thought about ending things.",
    "substance_use": "Withdrawing on arrival; asked for the nurse about their methadone.",
    "housing": "No fixed address given at booking-in.",
    "young_person": "",
    "woman_in_custody": "",
}
CONSENT_WORDS = (
    "Happy for the services to know what help I need.",
    "Agreed after we went through who would see what.",
    "Said yes, as long as their family is not told.",
    "Agreed; wants the court to know about their mental health.",
    "Agreed to share; asked for a copy of anything sent.",
)
REFUSED_WORDS = (
    "Does not want the police to know about their health.",
    "Said no: had a bad experience with probation before.",
    "Did not want anything shared until they have spoken to their solicitor.",
)
WITHDRAWN_WORDS = (
    "Rang the team to say they no longer want information shared.",
    "Changed their mind after the hearing; asked us to stop sharing.",
)
GUARDIANS = ("Mother", "Father", "Grandmother", "Aunt", "Foster carer", "Social worker (corporate parent)")
BASIS_REASONS = {
    LawfulBasis.SERIOUS_HARM: "Disclosed a plan to harm a named person on release; police need to know now.",
    LawfulBasis.SAFEGUARDING: "Lives with two children under five; concerns about neglect during heavy use.",
    LawfulBasis.BEST_INTERESTS: "Lacks capacity to decide about sharing (acute psychosis); "
    "the custody officer needs the advice to keep them safe.",
    LawfulBasis.CRIME: "Information about an ongoing risk of serious violence.",
}
BASIS_REFUSED_NOTES = (
    "Not enough to override their refusal: ask again once they are calmer.",
    "Proportionate sharing is possible with consent: they agreed to a summary. Refused.",
)
# Words for report sections, by section code (the practitioner edits what the drafting prefilled).
SECTION_TEXT = {
    "fitness": "Fit to be detained and interviewed with an appropriate adult present. "
    "Allow breaks every hour; explain the caution in plain words.",
    "appropriate_adult": "Yes: they have difficulty understanding written information and were anxious.",
    "risks": "Low mood and recent self-harm. Keep on 30-minute checks while in custody.",
    "recommendations": "Continue with the support arranged: the community mental health team has accepted "
    "a referral and a support worker will go with them to the first appointment.",
    "needs": "Mental health (moderate); substance use (high); housing (at risk of losing their tenancy).",
    "treatment_requirements": "May be suitable for a mental health treatment requirement; they agree to it.",
    "bail_remand": "Has a stable address with their sister; a support worker can see them weekly.",
    "screening": "Depression screening (PHQ-9): moderately severe. Alcohol use (AUDIT-C): positive.",
    "assessment": "Grew up in care; long history of low mood since a bereavement in 2019. "
    "In their own words: \u201cI want to get my head straight and keep my flat.\u201d",
}
PARTNERS: dict[str, tuple[tuple[str, str], ...]] = {
    RecipientKind.POLICE: (
        ("Sergeant Amy Clarke", "custody"),
        ("DC Ravi Mistry", "CID"),
        ("Inspector Joe Hart", "custody"),
    ),
    RecipientKind.COURT: (
        ("Legal adviser Helen Ward", "magistrates' court"),
        ("Usher Tom Price", "court office"),
    ),
    RecipientKind.PROBATION: (("Sam O'Neill", "probation delivery unit"), ("Priya Shah", "court team")),
    RecipientKind.YOUTH_JUSTICE: (("Dee Campbell", "youth justice service"),),
}
FEEDBACK_WORDS = (
    "",
    "",
    "Clear and quick. The recommendations helped the bench decide on bail.",
    "Useful; it would help to have the name of the support worker.",
    "Arrived before the first hearing, which made all the difference.",
    "A little long for custody; the first section was what we needed.",
)
TRAINING = (
    (AgencyKind.POLICE, "Custody sergeants and detention officers", "Spotting vulnerability at booking-in"),
    (AgencyKind.COURT, "Legal advisers and ushers", "Mental health and learning disability in court"),
    (AgencyKind.PROBATION, "Probation practitioners", "Referring to liaison and diversion"),
    (AgencyKind.CPS, "Prosecutors", "Diversion and treatment requirements"),
    (AgencyKind.YOUTH_JUSTICE, "Youth justice workers", "Speech, language and communication needs"),
    (AgencyKind.POLICE, "Response officers", "Autism and sensory needs on arrest"),
    (AgencyKind.PRISON, "Reception officers", "Continuity of care on remand"),
)
TRAINING_AGENCY = {
    AgencyKind.POLICE: "{town} Police, custody",
    AgencyKind.COURT: "{town} Magistrates' Court",
    AgencyKind.PROBATION: "{town} Probation Delivery Unit",
    AgencyKind.CPS: "CPS {town}",
    AgencyKind.YOUTH_JUSTICE: "{town} Youth Justice Service",
    AgencyKind.PRISON: "HMP {town}",
}
COURT_POINTS = ("magistrates_court", "crown_court", "youth_court")
PROBATION_POINTS = ("probation",)
REPORT_SHARE = 0.3  # of assessed episodes that have a consent or basis for their report's recipient


def seconds(rng: random.Random, low: int, high: int) -> dt.timedelta:
    return dt.timedelta(seconds=rng.randint(low, high))


@dataclass
class _Share:
    """One disclosure to make if the rules allow it at `at`."""

    episode: Episode
    recipient_kind: str
    recipient_name: str
    content_kinds: list[str]
    what: str
    method: str
    by: User
    at: dt.datetime
    source_type: str
    source_id: int | None = None
    required: bool = False  # a sent referral: its basis must hold
    link: ShareLink | None = None


class PartnershipMaker(RecordMaker):
    stream = "partnership"

    # --- helpers ---------------------------------------------------------------------------------

    def _writer(self, rng: random.Random, episode: Episode) -> User:
        """A practitioner (never a team lead): a team lead signs off or approves what they write."""
        leads = {u.pk for u in self._staff(episode.team_id, Role.TEAM_LEAD)}
        worker = episode.allocated_worker
        if worker is not None and worker.pk not in leads:
            return worker
        return rng.choice(self._staff(episode.team_id, Role.PRACTITIONER))

    def _lead(self, rng: random.Random, team_id: int) -> User:
        return rng.choice(self._staff(team_id, Role.TEAM_LEAD) or self._staff(team_id, Role.PRACTITIONER))

    # --- vulnerability flags -----------------------------------------------------------------------

    def flags(
        self, episodes: list[Episode], profiles: list[SyntheticProfile], progress: Progress | None
    ) -> None:
        rng = self.rng("flags")
        by_person = {p.person_id: p for p in profiles}
        made: list[EpisodeFlag] = []
        for episode in sorted(episodes, key=lambda e: e.pk):
            profile = by_person.get(episode.person_id)
            codes: list[str] = []
            if profile is not None:
                mental = (
                    profile.severe_mental_illness
                    or profile.depression_or_anxiety
                    or profile.personality_disorder
                    or profile.other_mental_health_problem
                )
                if mental and rng.random() < 0.85:
                    codes.append("mental_health")
                if (profile.depression_or_anxiety or profile.personality_disorder) and rng.random() < 0.25:
                    codes.append("self_harm_suicide")
                if profile.alcohol_or_drug_dependence and rng.random() < 0.8:
                    codes.append("substance_use")
            if episode.age_group == AgeGroup.YOUTH:
                codes.append("young_person")
            if episode.person.sex == "2" and episode.pathway_point == "police_custody":
                codes.append("woman_in_custody")
            codes += [code for code, chance in OTHER_FLAGS if rng.random() < chance]
            if not codes:
                codes.append("mental_health")  # something made them identify the person
            if episode.pathway_point == "police_custody":
                source = FlagSource.CUSTODY_RECORD
            elif episode.referral_source in ("E1", "E2", "E3"):
                source = FlagSource.PARTNER
            else:
                source = FlagSource.PRACTITIONER
            raiser = self._clinician(rng, episode)
            for code in dict.fromkeys(codes):
                made.append(
                    EpisodeFlag(
                        episode=episode,
                        flag_id=code,
                        source=source,
                        raised_by=raiser,
                        raised_at=episode.identified_at + seconds(rng, MINUTE, 20 * MINUTE),
                        note=FLAG_NOTES.get(code, "") if rng.random() < 0.3 else "",
                    )
                )
        self._insert("vulnerability flags on episodes", EpisodeFlag, made, progress, plain=True)

    # --- consent, bases, disclosures, reports ------------------------------------------------------

    def sharing(
        self,
        episodes: list[Episode],
        referrals: list[Referral],
        statuses: list[tuple[Referral, str, dt.datetime, User, str]],
        service_names: dict[str, str],
        progress: Progress | None,
    ) -> None:
        rng = self.rng("consent")
        sent_at: dict[int, tuple[dt.datetime, User]] = {}
        for referral, status, at, by, _note in statuses:
            if status != ReferralStatus.DRAFT and id(referral) not in sent_at:
                sent_at[id(referral)] = (at, by)
        by_episode: dict[int, list[Referral]] = defaultdict(list)
        for referral in referrals:
            by_episode[referral.episode_id].append(referral)

        consents: list[Consent] = []
        scopes: dict[int, set[tuple[str, str]]] = {}  # id(consent) -> pairs
        shares: list[_Share] = []

        def add_consent(consent: Consent, pairs: set[tuple[str, str]]) -> None:
            consents.append(consent)
            scopes[id(consent)] = pairs

        assessed = sorted((e for e in episodes if e.assessed_at is not None), key=lambda e: e.pk)
        # Consent to assessment, asked before each assessment.
        for episode in assessed:
            assert episode.assessed_at is not None  # noqa: S101
            at = max(episode.identified_at, episode.assessed_at - seconds(rng, 20 * MINUTE, 2 * HOUR))
            add_consent(self._consent(rng, episode, Purpose.ASSESSMENT, Decision.GIVEN, at), set())

        # Consent to share, recorded when the referrals were made (one conversation per episode).
        refusable: list[Consent] = []
        for episode in assessed:
            made = sorted(by_episode.get(episode.pk, []), key=lambda r: (r.created_at, r.pk))
            given = [r for r in made if r.consent == ReferralConsent.GIVEN]
            refused = [r for r in made if r.consent == ReferralConsent.REFUSED]
            if given:
                pairs = {(recipient_kind_for(r.need_key), SENT_WITH_REFERRAL) for r in given}
                pairs |= self._extra_pairs(rng, episode)
                at = given[0].created_at - seconds(rng, 0, 10 * MINUTE)
                add_consent(self._consent(rng, episode, Purpose.SHARING, Decision.GIVEN, at), pairs)
            elif rng.random() < 0.35:
                # Asked at assessment about the justice partners only (no referral yet).
                pairs = self._extra_pairs(rng, episode) or {(RecipientKind.COURT, R)}
                assert episode.assessed_at is not None  # noqa: S101
                at = episode.assessed_at + seconds(rng, 5 * MINUTE, HOUR)
                if at < self.now:
                    decision = Decision.REFUSED if rng.random() < 0.12 else Decision.GIVEN
                    add_consent(self._consent(rng, episode, Purpose.SHARING, decision, at), pairs)
            for r in refused:
                c = self._consent(rng, episode, Purpose.SHARING, Decision.REFUSED, r.created_at)
                add_consent(c, {(recipient_kind_for(r.need_key), SENT_WITH_REFERRAL)})
                refusable.append(c)
            for r in made:
                if r.kind == Kind.ACTIVE and id(r) in sent_at:
                    at, by = sent_at[id(r)]
                    name = service_names.get(r.service_id, "the service")
                    shares.append(
                        _Share(
                            episode,
                            recipient_kind_for(r.need_key),
                            name,
                            [SENT_WITH_REFERRAL],
                            f"Referral to {name}",
                            DisclosureMethod.REFERRAL,
                            by,
                            at,
                            "service_referral",
                            r.pk,
                            required=True,
                        )
                    )

        # A few withdrawals, after the last thing sent on them.
        given_sharing = [c for c in consents if c.purpose == Purpose.SHARING and c.decision == Decision.GIVEN]
        for consent in given_sharing:
            if rng.random() >= 0.05:
                continue
            last = max(
                [s.at for s in shares if s.episode.person_id == consent.person_id] + [consent.recorded_at]
            )
            at = last + seconds(rng, DAY, 40 * DAY)
            if at < self.now:
                consent.withdrawn_at = at
                consent.withdrawn_by = rng.choice(
                    self._staff(consent.team_id, Role.PRACTITIONER, Role.TEAM_LEAD)
                )
                consent.withdrawal_note = rng.choice(WITHDRAWN_WORDS)
                consent.version = 2

        bases = self._bases(rng, assessed, by_episode, consents, scopes)
        reports = self._reports(assessed, consents, scopes, bases, shares)

        # Check the required disclosures; undo a refusal or withdrawal that would take a basis away.
        for _ in range(3):
            broken = self._broken(shares, consents, scopes, bases)
            if not broken:
                break
            people = {s.episode.person_id for s in broken}
            for c in consents:
                if c.person_id in people and c.withdrawn_at is not None:
                    c.withdrawn_at, c.withdrawn_by, c.withdrawal_note, c.version = None, None, "", 1
            consents[:] = [c for c in consents if not (c.person_id in people and c in refusable)]
        else:
            raise RuntimeError("demo consent story does not hold together")

        self._insert(
            "consents", Consent, sorted(consents, key=lambda c: (c.recorded_at, c.person_id)), progress
        )
        self._insert(
            "consent scopes",
            ConsentScope,
            [
                ConsentScope(consent=c, recipient_kind=rk, content_kind=ck)
                for c in consents
                for rk, ck in sorted(scopes[id(c)])
            ],
            progress,
            plain=True,
        )
        self._insert("sharing bases", SharingBasis, bases, progress)
        self._save_reports(reports, progress)
        # Links now have ids: shares from link opens point at their version.
        for share in shares:
            if share.link is not None:
                share.source_id = share.link.report_version.pk
        disclosures = self._disclosures(shares, consents, scopes, bases)
        opened: dict[int, list[dt.datetime]] = defaultdict(list)
        for share, _d in disclosures:
            if share.link is not None:
                opened[id(share.link)].append(share.at)
        self._insert("disclosures", Disclosure, [d for _s, d in disclosures], progress, plain=True)
        links = [link for _r, _vs, ls in reports for link, _ in ls]
        changed = []
        for link in links:
            times = opened.get(id(link), [])
            if times:
                link.open_count, link.last_opened_at = len(times), max(times)
                changed.append(link)
        ShareLink.objects.bulk_update(changed, ["open_count", "last_opened_at"], batch_size=BATCH)
        self._feedback(links, progress)

    def _consent(
        self, rng: random.Random, episode: Episode, purpose: str, decision: str, at: dt.datetime
    ) -> Consent:
        youth = episode.age_group == AgeGroup.YOUTH
        guardian, guardian_name = Guardian.NOT_RECORDED, ""
        if youth:
            guardian = Guardian.AGREED if rng.random() < 0.75 else Guardian.COMPETENT_ALONE
            guardian_name = rng.choice(GUARDIANS) if guardian == Guardian.AGREED else ""
        words = ""
        if purpose == Purpose.SHARING:
            words = rng.choice(CONSENT_WORDS if decision == Decision.GIVEN else REFUSED_WORDS)
        return Consent(
            person=episode.person,
            team_id=episode.team_id,
            episode=episode,
            purpose=purpose,
            decision=decision,
            capacity=Capacity.HAS_CAPACITY if rng.random() < 0.8 else Capacity.NOT_ASSESSED,
            guardian=guardian,
            guardian_name=guardian_name,
            note=words,
            recorded_by=self._clinician(rng, episode),
            recorded_at=at,
        )

    def _extra_pairs(self, rng: random.Random, episode: Episode) -> set[tuple[str, str]]:
        """The justice partners (and GP) the person agreed to, beyond the services referred to."""
        pairs: set[tuple[str, str]] = set()
        point = episode.pathway_point
        court = point in COURT_POINTS
        custody = not court and point not in PROBATION_POINTS
        if rng.random() < 0.6:
            pairs |= {(RecipientKind.GP, R), (RecipientKind.GP, N)}
        if rng.random() < (0.85 if court else 0.35):
            pairs |= {(RecipientKind.COURT, R), (RecipientKind.COURT, N)}
            if rng.random() < 0.5:
                pairs.add((RecipientKind.COURT, S))
            if rng.random() < 0.2:
                pairs.add((RecipientKind.COURT, F))
        if rng.random() < (0.8 if custody else 0.3):
            pairs |= {(RecipientKind.POLICE, R)}
            if rng.random() < 0.6:
                pairs.add((RecipientKind.POLICE, N))
        if rng.random() < (0.8 if point in PROBATION_POINTS else 0.3):
            pairs |= {(RecipientKind.PROBATION, R), (RecipientKind.PROBATION, N)}
            if rng.random() < 0.4:
                pairs.add((RecipientKind.PROBATION, S))
        if episode.age_group == AgeGroup.YOUTH and rng.random() < 0.7:
            pairs |= {(RecipientKind.YOUTH_JUSTICE, R), (RecipientKind.YOUTH_JUSTICE, N)}
        return pairs

    def _bases(
        self,
        rng: random.Random,
        assessed: list[Episode],
        by_episode: dict[int, list[Referral]],
        consents: list[Consent],
        scopes: dict[int, set[tuple[str, str]]],
    ) -> list[SharingBasis]:
        """A few lawful-basis requests: waiting for a team lead, approved and refused."""
        asked = {c.person_id for c in consents if c.purpose == Purpose.SHARING}
        recent = [e for e in assessed if e.closed_at is None and e.person_id not in asked]
        older = [e for e in assessed if e.closed_at is not None and e.person_id not in asked]
        rng.shuffle(recent)
        rng.shuffle(older)
        bases: list[SharingBasis] = []
        plan = [(BasisStatus.REQUESTED, e) for e in recent[:6]]
        plan += [(BasisStatus.APPROVED, e) for e in recent[6:9] + older[:12]]
        plan += [(BasisStatus.REFUSED, e) for e in older[12:18]]
        for status, episode in plan:
            assert episode.assessed_at is not None  # noqa: S101
            kind = rng.choice(
                [LawfulBasis.SERIOUS_HARM, LawfulBasis.SAFEGUARDING, LawfulBasis.BEST_INTERESTS]
            )
            if status == BasisStatus.REQUESTED:
                at = max(episode.assessed_at, self.now - seconds(rng, HOUR, 5 * DAY))
            else:
                at = episode.assessed_at + seconds(rng, 10 * MINUTE, 3 * HOUR)
            if at >= self.now:
                continue
            recipient = (
                RecipientKind.POLICE if episode.pathway_point not in COURT_POINTS else RecipientKind.COURT
            )
            basis = SharingBasis(
                person=episode.person,
                team_id=episode.team_id,
                episode=episode,
                recipient_kind=recipient,
                content_kinds=[R, N],
                basis=kind,
                reason=BASIS_REASONS[kind],
                status=status,
                requested_by=self._writer(rng, episode),
                requested_at=at,
            )
            if status != BasisStatus.REQUESTED:
                decided = min(at + seconds(rng, 10 * MINUTE, 4 * HOUR), self.now - dt.timedelta(minutes=1))
                basis.decided_by = self._lead(rng, episode.team_id)
                basis.decided_at = max(decided, at)
                basis.version = 2
                if status == BasisStatus.APPROVED:
                    basis.decision_note = "Approved: necessary and proportionate. Share only what is listed."
                    basis.expires_at = basis.decided_at + dt.timedelta(days=rng.choice((7, 30, 90)))
                else:
                    basis.decision_note = rng.choice(BASIS_REFUSED_NOTES)
            bases.append(basis)
        return bases

    @staticmethod
    def _decide(
        share_episode: Episode,
        recipient_kind: str,
        content_kind: str,
        at: dt.datetime,
        consents: list[Consent],
        scopes: dict[int, set[tuple[str, str]]],
        bases: list[SharingBasis],
    ) -> ShareDecision:
        return decide(
            share_episode.person,
            recipient_kind=recipient_kind,
            content_kind=content_kind,
            at=at,
            bases=[b for b in bases if b.status == BasisStatus.APPROVED],
            consents=[c for c in consents if (recipient_kind, content_kind) in scopes[id(c)]],
        )

    def _check(
        self,
        share: _Share,
        index: dict[tuple[int, int], tuple[list[Consent], list[SharingBasis]]],
        scopes: dict[int, set[tuple[str, str]]],
    ) -> ShareDecision | None:
        """The decision for the disclosure log (as reports.services.SharingCheck), or None if refused."""
        consents, bases = index.get((share.episode.person_id, share.episode.team_id), ([], []))
        decisions = [
            self._decide(share.episode, share.recipient_kind, kind, share.at, consents, scopes, bases)
            for kind in share.content_kinds
        ]
        if not decisions or not all(d.allowed for d in decisions):
            return None
        return sorted(decisions, key=lambda d: d.basis != "lawful_basis")[0]

    @staticmethod
    def _index(
        consents: list[Consent], bases: list[SharingBasis]
    ) -> dict[tuple[int, int], tuple[list[Consent], list[SharingBasis]]]:
        index: dict[tuple[int, int], tuple[list[Consent], list[SharingBasis]]] = defaultdict(lambda: ([], []))
        for c in consents:
            if c.purpose == Purpose.SHARING:
                index[c.person.pk, c.team_id][0].append(c)
        for b in bases:
            index[b.person.pk, b.team_id][1].append(b)
        return index

    def _broken(
        self,
        shares: list[_Share],
        consents: list[Consent],
        scopes: dict[int, set[tuple[str, str]]],
        bases: list[SharingBasis],
    ) -> list[_Share]:
        # Before insertion consents have no ids: number them (decide breaks ties by id).
        for i, c in enumerate(consents):
            c.pk = -(i + 1) if c.pk is None or c.pk < 0 else c.pk
        index = self._index(consents, bases)
        broken = [s for s in shares if s.required and self._check(s, index, scopes) is None]
        for c in consents:
            if c.pk is not None and c.pk < 0:
                c.pk = None
        return broken

    def _disclosures(
        self,
        shares: list[_Share],
        consents: list[Consent],
        scopes: dict[int, set[tuple[str, str]]],
        bases: list[SharingBasis],
    ) -> list[tuple[_Share, Disclosure]]:
        index = self._index(consents, bases)
        made: list[tuple[_Share, Disclosure]] = []
        for share in sorted(shares, key=lambda s: (s.at, s.source_type, s.source_id or 0)):
            decision = self._check(share, index, scopes)
            if decision is None:
                if share.required:
                    raise RuntimeError("a sent demo referral has no basis to share")
                continue  # the link was refused at that moment: nothing disclosed
            made.append(
                (
                    share,
                    Disclosure(
                        person_id=share.episode.person_id,
                        team_id=share.episode.team_id,
                        episode=share.episode,
                        recipient_kind=share.recipient_kind,
                        recipient_name=share.recipient_name[:200],
                        content_kinds=list(share.content_kinds),
                        what=share.what[:200],
                        method=share.method,
                        basis=decision.basis,
                        consent_id=decision.consent_id if decision.basis == "consent" else None,
                        sharing_basis_id=decision.sharing_basis_id
                        if decision.basis == "lawful_basis"
                        else None,
                        by=share.by,
                        at=share.at,
                        source_type=share.source_type,
                        source_id=share.source_id,
                    ),
                )
            )
        return made

    # --- reports ---------------------------------------------------------------------------------

    def _reports(
        self,
        assessed: list[Episode],
        consents: list[Consent],
        scopes: dict[int, set[tuple[str, str]]],
        bases: list[SharingBasis],
        shares: list[_Share],
    ) -> list[tuple[Report, list[ReportVersion], list[tuple[ShareLink, None]]]]:
        rng = self.rng("reports")
        for i, c in enumerate(consents):  # temporary ids for decide's tie-break
            c.pk = -(i + 1)
        index = self._index(consents, bases)
        made = []
        for episode in assessed:
            point = episode.pathway_point
            if point in COURT_POINTS:
                kind = ReportKind.COURT_REPORT
                recipient = RecipientKind.COURT
            elif point in PROBATION_POINTS or rng.random() < 0.1:
                kind, recipient = ReportKind.PROBATION_HANDOVER, RecipientKind.PROBATION
            else:
                kind, recipient = ReportKind.CUSTODY_ADVICE, RecipientKind.POLICE
            person_consents, person_bases = index.get((episode.person_id, episode.team_id), ([], []))
            if not any(recipient == rk for c in person_consents for rk, _ in scopes[id(c)]) and not any(
                b.recipient_kind == recipient and b.status == BasisStatus.APPROVED for b in person_bases
            ):
                continue
            if rng.random() >= REPORT_SHARE and not any(b.episode is episode for b in person_bases):
                continue
            assert episode.assessed_at is not None  # noqa: S101
            start = max(
                [episode.assessed_at]
                + [b.decided_at for b in person_bases if b.episode is episode and b.decided_at]
            ) + seconds(rng, 15 * MINUTE, 6 * HOUR)
            if start >= self.now:
                continue
            author = self._writer(rng, episode)
            sections, excluded = [], []
            for section in template_for(kind).sections:
                d = self._decide(
                    episode, recipient, section.content_kind, start, person_consents, scopes, person_bases
                )
                entry = {
                    "code": section.code,
                    "heading": section.heading,
                    "content_kind": section.content_kind,
                }
                if d.allowed:
                    sections.append({**entry, "text": SECTION_TEXT[section.code]})
                else:
                    excluded.append({**entry, "reason": d.reason})
            if not sections:
                continue
            report = Report(
                episode=episode,
                team_id=episode.team_id,
                kind=kind,
                recipient_kind=recipient,
                status=ReportStatus.DRAFT,
                created_by=author,
                created_at=start,
            )
            written = start + seconds(rng, 10 * MINUTE, 90 * MINUTE)
            v1 = ReportVersion(
                report=report,
                number=1,
                sections=sections,
                excluded=excluded,
                created_by=author,
                created_at=start,
                updated_by=author,
                updated_at=min(written, self.now),
            )
            versions, links = [v1], []
            signed = written + seconds(rng, 10 * MINUTE, 4 * HOUR)
            if rng.random() < 0.9 and signed < self.now:
                v1.signed_off_by = self._lead(rng, episode.team_id)
                v1.signed_off_at = signed
                v1.version = 3
                report.status = ReportStatus.SIGNED_OFF
                if rng.random() < 0.85:
                    links.append(self._link(rng, report, v1, recipient, author, signed, shares))
                revised = signed + seconds(rng, DAY, 10 * DAY)
                if rng.random() < 0.08 and revised < self.now:
                    v2 = ReportVersion(
                        report=report,
                        number=2,
                        sections=[dict(s) for s in sections],
                        excluded=[dict(x) for x in excluded],
                        created_by=author,
                        created_at=revised,
                        updated_by=author,
                        updated_at=revised,
                    )
                    versions.append(v2)
                    report.status = ReportStatus.DRAFT
            made.append((report, versions, [(link, None) for link in links if link is not None]))
        for c in consents:
            c.pk = None
        return made

    def _link(
        self,
        rng: random.Random,
        report: Report,
        version: ReportVersion,
        recipient: str,
        author: User,
        signed: dt.datetime,
        shares: list[_Share],
    ) -> ShareLink | None:
        created = signed + seconds(rng, 5 * MINUTE, 2 * HOUR)
        if created >= self.now:
            return None
        name, role = rng.choice(PARTNERS[recipient])
        town = self.teams[report.team_id].spec.town
        organisation = f"{town} {role}"
        email = name.split()[-2].lower() + "." + name.split()[-1].lower() + "@justice.example.org.uk"
        token = f"demo-link:{self.seed}:{rng.getrandbits(128):032x}"
        link = ShareLink(
            report_version=version,
            digest=hashlib.sha256(token.encode()).hexdigest(),
            recipient_name=name,
            recipient_organisation=organisation,
            recipient_email=email.replace("'", ""),
            recipient_kind=recipient,
            expires_at=created + dt.timedelta(days=7),
            created_by=author,
            created_at=created,
        )
        if rng.random() < 0.04:
            link.revoked_at = created + seconds(rng, HOUR, 3 * DAY)
            link.revoked_by = author
        ends = min(link.expires_at, link.revoked_at or link.expires_at, self.now)
        opens = rng.choices((0, 1, 2, 3), weights=(15, 50, 25, 10))[0]
        at = created
        for _ in range(opens):
            at = at + seconds(rng, 10 * MINUTE, DAY)
            if at >= ends:
                break
            shares.append(
                _Share(
                    report.episode,
                    recipient,
                    f"{name}, {organisation}",
                    version.content_kinds,
                    f"{ReportKind(report.kind).label}, version {version.number}",
                    DisclosureMethod.LINK,
                    author,
                    at,
                    "report_version",
                    None,
                    link=link,
                )
            )
        return link

    def _save_reports(self, reports: list[Any], progress: Progress | None) -> None:
        self._insert("reports", Report, [r for r, _v, _l in reports], progress)
        for report, versions, _l in reports:
            for v in versions:
                v.report = report
        self._insert("report versions", ReportVersion, [v for _r, vs, _l in reports for v in vs], progress)
        self._insert("share links", ShareLink, [link for _r, _v, ls in reports for link, _f in ls], progress)

    def _feedback(self, links: list[ShareLink], progress: Progress | None) -> None:
        rng = self.rng("feedback")
        made = []
        for link in links:
            if not link.open_count or link.last_opened_at is None or rng.random() >= 0.55:
                continue
            at = link.last_opened_at + seconds(rng, 30 * MINUTE, 3 * DAY)
            if at >= self.now:
                continue
            made.append(
                PartnerFeedback(
                    link=link,
                    usefulness=rng.choices((2, 3, 4, 5), weights=(5, 15, 45, 35))[0],
                    what_else=rng.choice(FEEDBACK_WORDS),
                    at=at,
                )
            )
        self._insert("partner feedback", PartnerFeedback, made, progress, plain=True)

    # --- training --------------------------------------------------------------------------------

    def training(self, progress: Progress | None) -> None:
        rng = self.rng("training")
        sessions: list[TrainingSession] = []
        scores: list[KnowledgeScore] = []
        today = timezone.localdate(self.now)
        for rt in self.roster.teams:
            town = rt.spec.town
            lead = self._lead(rng, rt.team.pk)
            trainers = self._staff(rt.team.pk, Role.PRACTITIONER, Role.TEAM_LEAD)
            day = today - dt.timedelta(days=365) + dt.timedelta(days=rng.randint(3, 20))
            while day < today:
                agency, audience, topic = rng.choice(TRAINING)
                attendees = rng.randint(5, 22)
                trainer = rng.choice(trainers)
                recorded = dt.datetime.combine(
                    day + dt.timedelta(days=rng.randint(0, 2)), dt.time(16, rng.randint(0, 59)), tzinfo=dt.UTC
                )
                session = TrainingSession(
                    team=rt.team,
                    agency_kind=agency,
                    agency_name=TRAINING_AGENCY.get(agency, "{town} partners").format(town=town),
                    audience=audience,
                    topic=topic,
                    delivered_on=day,
                    attendees=attendees,
                    facilitator=trainer.get_full_name() or trainer.username,
                    recorded_by=lead,
                    recorded_at=min(recorded, self.now),
                )
                sessions.append(session)
                for _ in range(attendees):
                    if rng.random() < 0.15:
                        continue  # did not fill in the form
                    pre = max(0, min(10, round(rng.gauss(4.5, 1.6))))
                    post = max(0, min(10, pre + rng.choice((0, 1, 2, 2, 3, 3, 3, 4))))
                    side = rng.random()
                    scores.append(
                        KnowledgeScore(
                            session=session,
                            pre=None if side < 0.05 else pre,
                            post=None if 0.05 <= side < 0.1 else post,
                        )
                    )
                day += dt.timedelta(days=rng.randint(18, 40))
        self._insert("training sessions", TrainingSession, sessions, progress)
        self._insert("knowledge scores", KnowledgeScore, scores, progress, plain=True)


def seed_partnership(
    *,
    roster: Roster,
    episodes: list[Episode],
    profiles: list[SyntheticProfile],
    referrals: list[Referral],
    statuses: list[tuple[Referral, str, dt.datetime, User, str]],
    seed: int,
    now: dt.datetime,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Insert the partnership records for the inserted episodes and referrals; returns rows by label."""
    from liaison.directory.models import Service

    maker = PartnershipMaker(seed=seed, now=now, roster=roster)
    maker.flags(episodes, profiles, progress)
    ids = sorted({r.service_id for r in referrals})
    names = dict(Service.objects.filter(pk__in=ids).values_list("pk", "name"))
    maker.sharing(episodes, referrals, statuses, names, progress)
    maker.training(progress)
    return maker.rows
