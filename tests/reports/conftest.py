"""Report fixtures: a complete assessment with planted text in every field, screening, consent rows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from liaison.assessment.models import Assessment, AssessmentStatus, Need
from liaison.assessment.services import plan_action_add
from liaison.consent.models import Consent, ConsentScope, ContentKind, Purpose
from liaison.screening.models import Screening, ScreeningStatus

# Distinctive words planted in each kind of content: none may appear where consent excludes it.
PLANTED = {
    ContentKind.NEEDS_SUMMARY: "Housing",  # a need's label, written in the needs sections
    ContentKind.SCREENING: "PLANTSCREENXYZZY",  # a screening's note
    ContentKind.FULL_ASSESSMENT: "PLANTOWNWORDSQUUX",  # the person's own words
}
PLANTED_EVIDENCE = "PLANTEVIDENCEFROB"  # a need's evidence: full assessment only
PLANTED_GOALS = "PLANTGOALSWIBBLE"  # their goals: full assessment only
RECOMMENDATION = "Book a GP appointment for the person"  # a plan action: recommendations


def sharing_consent(person, team, by, pairs, *, decision="given", at=None, **extra):
    consent = Consent.objects.create(
        person=person, team=team, purpose=Purpose.SHARING, decision=decision, recorded_by=by,
        recorded_at=at or timezone.now() - dt.timedelta(minutes=5), **extra,
    )  # fmt: skip
    ConsentScope.objects.bulk_create(
        ConsentScope(consent=consent, recipient_kind=r, content_kind=c) for r, c in pairs
    )
    return consent


def court_consent(person, team, by, *kinds):
    return sharing_consent(person, team, by, [("court", kind) for kind in kinds])


@pytest.fixture
def assessed(episode_a, practitioner):
    """Episode A with a complete assessment (planted text), a plan action and a complete screening."""
    return assess(episode_a, practitioner)


def assess(episode_a, practitioner):
    now = timezone.now()
    assessment = Assessment.objects.create(
        episode=episode_a, number=1, status=AssessmentStatus.COMPLETE,
        own_words=PLANTED[ContentKind.FULL_ASSESSMENT], goals=PLANTED_GOALS, help_first="Somewhere to live",
        fitness_for_interview="fit_with_adjustments", fitness_for_interview_reason="Needs breaks every hour",
        fitness_for_detention="fit", appropriate_adult="yes", appropriate_adult_reason="Learning disability",
        by=practitioner, completed_at=now, completed_by=practitioner,
    )  # fmt: skip
    Need.objects.create(assessment=assessment, key="housing", level="high", evidence=PLANTED_EVIDENCE)
    Need.objects.create(assessment=assessment, key="risk_to_self", level="moderate", evidence="Low mood")
    plan_action_add(
        actor=practitioner, episode=episode_a, need_key="housing", description=RECOMMENDATION,
        owner_id=practitioner.pk, due=timezone.localdate() + dt.timedelta(days=3),
    )  # fmt: skip
    Screening.objects.create(
        episode=episode_a, instrument_code="phq-9", instrument_version="1", profile="standard",
        status=ScreeningStatus.COMPLETE, total=14, band="moderate", note=PLANTED[ContentKind.SCREENING],
        by=practitioner, completed_at=now, completed_by=practitioner,
    )  # fmt: skip
    return episode_a


def pdf_text(pdf: bytes, tmp_path) -> str:
    import subprocess

    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(  # noqa: S603 - a fixed tool on a file we wrote
        ["/usr/bin/pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return re.sub(r"\s+", " ", result.stdout)


def signed_off(episode, writer, lead, kind="court_report", recipient_kind=None):
    from liaison.reports.services import UNANSWERED_PROMPTS, report_create, report_save, report_sign_off

    version = report_create(actor=writer, episode=episode, kind=kind, recipient_kind=recipient_kind)
    # The draft's prompt lines are answered (here: deleted) before sign-off, as a practitioner would.
    texts = {
        s["code"]: "\n".join(
            line for line in s["text"].splitlines() if line.strip() not in UNANSWERED_PROMPTS
        )
        for s in version.sections
    }
    if not any(text.strip() for text in texts.values()):
        texts["recommendations"] = "Keep the GP appointment"
    if texts != {s["code"]: s["text"] for s in version.sections}:
        version = report_save(actor=writer, version=version, expected=version.version, texts=texts)
    return report_sign_off(actor=lead, version=version, expected=version.version)


def make_link(version, by, *, recipient_kind="court", days=7):
    from liaison.reports.services import share_link_create

    return share_link_create(
        actor=by, version=version, recipient_name="Jo Clerk",
        recipient_organisation="Northtown Magistrates' Court", recipient_email="jo.clerk@justice.example",
        recipient_kind=recipient_kind, days=days,
    )  # fmt: skip
