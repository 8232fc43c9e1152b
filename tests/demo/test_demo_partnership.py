"""The demo data set feeds consent and disclosures, reports, training, screenings, flags, crisis plans,
advice and drop-ins: every disclosure has a valid basis at its time, the outcomes funnel has no empty
step, reset removes it all, and the same seed gives the same rows."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.db import transaction
from django.db.models import F, Model, Q

from liaison.advice.models import AdviceAction, AdviceOutcome, AdviceRecord
from liaison.consent.models import Consent, ConsentScope, Disclosure, SharingBasis
from liaison.consent.rules import may_share
from liaison.core.models import Team
from liaison.demo.services import demo_reset, demo_seed
from liaison.demo.staff import DEMO_TEAM_CODES
from liaison.identification.models import EpisodeFlag
from liaison.outcomes.forms import quarter_period
from liaison.outcomes.kpis import Filters, compute
from liaison.outreach.models import DropInAttendance, DropInSession
from liaison.referrals.models import Kind, Referral, ReferralStatus
from liaison.reports.models import PartnerFeedback, Report, ReportVersion, ShareLink
from liaison.screening import instruments
from liaison.screening.models import Screening
from liaison.support.models import CrisisPlan
from liaison.training.models import KnowledgeScore, TrainingSession

PEOPLE = 500
SEED = 7
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
NEW_MODELS: list[type[Model]] = [
    Consent,
    ConsentScope,
    SharingBasis,
    Disclosure,
    Report,
    ReportVersion,
    ShareLink,
    PartnerFeedback,
    TrainingSession,
    KnowledgeScore,
    Screening,
    EpisodeFlag,
    CrisisPlan,
    AdviceRecord,
    AdviceAction,
    AdviceOutcome,
    DropInSession,
    DropInAttendance,
]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One data set shared by this module, rolled back when the module is done."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        summary = demo_seed(people=PEOPLE, seed=SEED, now=NOW)
    yield summary
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def test_every_new_kind_of_record_is_there(seeded, db):
    empty = [m._meta.label for m in NEW_MODELS if not m._default_manager.exists()]
    assert empty == []
    assert Consent.objects.filter(decision="refused").exists()
    assert Consent.objects.filter(withdrawn_at__isnull=False).exists()
    assert {b.status for b in SharingBasis.objects.all()} == {"requested", "approved", "refused"}
    signed = ReportVersion.objects.filter(signed_off_at__isnull=False)
    assert signed.exists()
    # A second pair of eyes: nobody signs off their own report or approves their own request.
    assert not signed.filter(signed_off_by=F("created_by")).exists()
    assert not SharingBasis.objects.filter(decided_by=F("requested_by")).exists()
    assert Disclosure.objects.filter(method="link").exists()
    # Each team trains partners all year round.
    for team in Team.objects.filter(code__in=DEMO_TEAM_CODES):
        days = TrainingSession.objects.filter(team=team).values_list("delivered_on", flat=True)
        assert len(days) >= 6
        assert min(days) <= (NOW - dt.timedelta(days=300)).date()


def test_every_disclosure_had_a_valid_basis_at_its_time(seeded, db):
    disclosures = list(Disclosure.objects.select_related("person"))
    assert disclosures
    for d in disclosures:
        for kind in d.content_kinds:
            decision = may_share(
                d.person, team=d.team_id, recipient_kind=d.recipient_kind, content_kind=kind, at=d.at
            )
            assert decision.allowed, (d.pk, d.what, decision.reason)
        if d.basis == "consent":
            assert d.consent_id is not None and d.sharing_basis_id is None
            assert d.consent is not None and d.consent.recorded_at <= d.at
            assert d.consent.withdrawn_at is None or d.consent.withdrawn_at > d.at
        else:
            assert d.basis == "lawful_basis" and d.sharing_basis_id is not None
            basis = d.sharing_basis
            assert basis is not None and basis.decided_at is not None and basis.expires_at is not None
            assert basis.status == "approved" and basis.decided_at <= d.at < basis.expires_at


def test_every_sent_active_referral_is_a_disclosure_when_it_was_sent(seeded, db):
    sent = Referral.objects.filter(kind=Kind.ACTIVE).exclude(status="draft")
    assert sent.exists()
    logged = dict(
        Disclosure.objects.filter(source_type="service_referral", method="referral").values_list(
            "source_id", "at"
        )
    )
    for referral in sent:
        first = (
            ReferralStatus.objects.filter(referral=referral).exclude(status="draft").order_by("at").first()
        )
        assert first is not None and logged.get(referral.pk) == first.at, referral.pk
    assert not Disclosure.objects.filter(
        source_type="service_referral", source_id__in=Referral.objects.filter(status="draft").values("pk")
    ).exists()


def test_link_opens_are_disclosures_and_only_digests_are_kept(seeded, db):
    for link in ShareLink.objects.select_related("report_version"):
        assert len(link.digest) == 64 and int(link.digest, 16) >= 0
        opens = Disclosure.objects.filter(
            method="link",
            source_type="report_version",
            source_id=link.report_version_id,
            recipient_name=link.recipient_words,
        )
        assert opens.count() == link.open_count
        assert (
            link.report_version.signed_off_at is not None
            and link.created_at >= link.report_version.signed_off_at
        )
    for feedback in PartnerFeedback.objects.select_related("link"):
        assert feedback.link.open_count > 0 and 1 <= feedback.usefulness <= 5


def test_screening_scores_are_the_engines_and_follow_the_hidden_conditions(seeded, db):
    screenings = list(Screening.objects.select_related("episode__person__synthetic_profile"))
    for s in screenings[:300]:
        result = instruments.score(s.instrument_code, s.answers, s.profile, version=s.instrument_version)
        assert (s.total, s.band or "", s.positive) == (result.total, result.band or "", result.positive)
    phq = [s for s in screenings if s.instrument_code == "phq-9"]
    low = [s.total or 0 for s in phq if s.episode.person.synthetic_profile.depression_or_anxiety]
    none = [
        s.total or 0
        for s in phq
        if not s.episode.person.synthetic_profile.any_diagnosable_mental_health_problem
    ]
    assert low and none and sum(low) / len(low) > sum(none) / len(none) + 5
    assert not Screening.objects.filter(suicide_risk=True, acknowledged_at__isnull=True).exists()


def test_the_outcomes_funnel_has_no_empty_step(seeded, db):
    teams = tuple(Team.objects.filter(code__in=DEMO_TEAM_CODES).values_list("pk", flat=True))
    kpis = compute(Filters(period=quarter_period(2026, 3), team_ids=teams))
    counts = {row.key: row.count for row in kpis.funnel}
    assert all(counts[k] > 0 for k in counts), counts
    steps = ["reviewed", "identified", "screened", "assessed", "referred", "attended"]
    assert [counts[k] for k in steps] == sorted((counts[k] for k in steps), reverse=True)
    # Signposted people can engage without an appointment on record: engaged is not below attended.
    assert counts["engaged"] <= counts["referred"]
    assert kpis.vulnerabilities and all(row.count > 0 for row in kpis.vulnerabilities)


def _digest() -> str:
    person = "person__local_id"
    episode = ("episode__person__local_id", "episode__arrival_at")
    tables = [
        Consent.objects.order_by(person, "recorded_at", "purpose", "decision").values_list(
            person,
            "team__code",
            "purpose",
            "decision",
            "capacity",
            "guardian",
            "note",
            "recorded_at",
            "withdrawn_at",
            "recorded_by__username",
        ),
        ConsentScope.objects.order_by(
            "consent__person__local_id", "consent__recorded_at", "recipient_kind", "content_kind"
        ).values_list("consent__person__local_id", "consent__recorded_at", "recipient_kind", "content_kind"),
        Disclosure.objects.order_by(person, "at", "what").values_list(
            person, "recipient_kind", "recipient_name", "what", "method", "basis", "at", "by__username"
        ),
        SharingBasis.objects.order_by(person, "requested_at").values_list(
            person, "status", "basis", "recipient_kind", "requested_at", "decided_at"
        ),
        ReportVersion.objects.order_by(
            "report__episode__person__local_id", "created_at", "number"
        ).values_list(
            "report__episode__person__local_id", "report__kind", "number", "sections", "signed_off_at"
        ),
        ShareLink.objects.order_by("created_at", "digest").values_list(
            "digest", "recipient_name", "open_count", "expires_at"
        ),
        PartnerFeedback.objects.order_by("at").values_list("usefulness", "what_else", "at"),
        TrainingSession.objects.order_by("team__code", "delivered_on").values_list(
            "team__code", "agency_name", "topic", "delivered_on", "attendees"
        ),
        KnowledgeScore.objects.order_by(
            "session__team__code", "session__delivered_on", "pre", "post"
        ).values_list("session__team__code", "session__delivered_on", "pre", "post"),
        Screening.objects.order_by(*episode, "completed_at", "instrument_code").values_list(
            *episode, "instrument_code", "answers", "total", "band"
        ),
        EpisodeFlag.objects.order_by(*episode, "flag_id").values_list(
            *episode, "flag_id", "source", "raised_at"
        ),
        CrisisPlan.objects.order_by(*episode, "number").values_list(
            *episode, "number", "status", "completed_at"
        ),
        AdviceRecord.objects.order_by(*episode, "created_at").values_list(
            *episode, "advice_type", "status", "closing_outcome", "created_at"
        ),
        DropInAttendance.objects.order_by("session__team__code", "session__starts_at", *episode).values_list(
            "session__team__code", "session__starts_at", *episode
        ),
    ]
    rows = [[list(row) for row in table] for table in tables]
    return hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()


def test_same_seed_same_rows_and_reset_removes_them_all(seeded, db):
    demo_seed(people=150, seed=3, now=NOW, reset=True)  # replaces the module's data set (rolled back)
    first = _digest()
    assert all(m._default_manager.exists() for m in (Consent, Disclosure, Report, Screening, TrainingSession))
    demo_seed(people=150, seed=3, now=NOW, reset=True)
    assert _digest() == first
    removed = demo_reset()
    left = {m._meta.label: m._default_manager.count() for m in NEW_MODELS}
    assert left == dict.fromkeys(left, 0)
    assert removed.get("consent.Disclosure", 0) > 0 and removed.get("training.TrainingSession", 0) > 0
    assert not Referral.objects.filter(~Q(team__code__in=DEMO_TEAM_CODES)).exists()
