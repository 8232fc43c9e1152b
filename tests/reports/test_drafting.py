"""A report is drafted only with what consent allows: planted text in every excluded field is absent from
the page, the shared link and every PDF."""

from __future__ import annotations

import html

import pytest
from django.test import Client

from liaison.consent.models import ContentKind
from liaison.reports.models import Report
from tests.reports.conftest import (
    PLANTED,
    PLANTED_EVIDENCE,
    PLANTED_GOALS,
    RECOMMENDATION,
    court_consent,
    make_link,
    pdf_text,
    sharing_consent,
    signed_off,
)

ALL_PLANTED = (*PLANTED.values(), PLANTED_EVIDENCE, PLANTED_GOALS)
# What each content kind, when allowed, brings into a court report.
SHOWS = {
    ContentKind.RECOMMENDATIONS: (RECOMMENDATION,),
    ContentKind.NEEDS_SUMMARY: (PLANTED[ContentKind.NEEDS_SUMMARY],),
    ContentKind.SCREENING: (PLANTED[ContentKind.SCREENING],),
    # The full assessment names each need with its evidence.
    ContentKind.FULL_ASSESSMENT: (
        PLANTED[ContentKind.FULL_ASSESSMENT],
        PLANTED_EVIDENCE,
        PLANTED_GOALS,
        PLANTED[ContentKind.NEEDS_SUMMARY],
    ),
}


def _draft(client, episode, kind="court_report", recipient_kind=""):
    response = client.post(
        f"/episodes/{episode.pk}/reports", {"kind": kind, "recipient_kind": recipient_kind}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Report.objects.get(pk=response.url.rstrip("/").split("/")[-1])


@pytest.mark.parametrize("allowed", list(ContentKind.values))
def test_a_court_report_carries_only_the_content_kind_consent_allows(
    assessed, practitioner, team_lead, practitioner_client, tmp_path, allowed
):
    court_consent(assessed.person, assessed.team, practitioner, allowed)
    report = _draft(practitioner_client, assessed)
    version = report.versions.get()
    assert {s["content_kind"] for s in version.sections} == {allowed}

    page = practitioner_client.get(f"/reports/{report.pk}/").content.decode()
    preview = pdf_text(practitioner_client.get(f"/reports/{report.pk}/preview.pdf").content, tmp_path)
    expected = SHOWS[ContentKind(allowed)]
    for text in expected:
        assert text in page
        assert text in preview
    for text in ALL_PLANTED:
        if text not in expected:
            assert text not in page, text
            assert text not in preview, text
    # The team's page says why each section is left out, in may_share's words; the document itself (the
    # PDF a partner reads) says only that it is not covered, never why: a refusal is itself information.
    assert "has not been asked about sharing" in page
    assert "has not been asked about sharing" not in preview
    assert "consent does not cover sharing them" in " ".join(preview.split())


def test_recommendations_only_reach_the_shared_page_and_pdf_without_anything_excluded(
    assessed, practitioner, team_lead, tmp_path
):
    court_consent(assessed.person, assessed.team, practitioner, ContentKind.RECOMMENDATIONS)
    version = signed_off(assessed, practitioner, team_lead)
    _link, token = make_link(version, practitioner)
    anonymous = Client()
    page = html.unescape(anonymous.get(f"/shared/{token}").content.decode())
    pdf = anonymous.get(f"/shared/{token}/report.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content, tmp_path)
    for shown in (page, text):
        assert RECOMMENDATION in shown
        assert "Confidential: shared under the person's consent for the court (recommendations only)" in shown
        for planted in ALL_PLANTED:
            assert planted not in shown, planted


def test_with_every_kind_agreed_the_planted_text_is_all_there(assessed, practitioner, practitioner_client):
    """The control: the planting works, so its absence above means something."""
    court_consent(assessed.person, assessed.team, practitioner, *ContentKind.values)
    report = _draft(practitioner_client, assessed)
    page = practitioner_client.get(f"/reports/{report.pk}/").content.decode()
    for planted in ALL_PLANTED:
        assert planted in page
    assert "Left out of this report" not in page


def test_no_consent_at_all_drafts_an_empty_report_that_cannot_be_signed_off(
    assessed, practitioner, team_lead, practitioner_client, lead_client
):
    report = _draft(practitioner_client, assessed)
    assert report.versions.get().sections == []
    page = lead_client.get(f"/reports/{report.pk}/").content.decode()
    for planted in ALL_PLANTED:
        assert planted not in page
    assert "there is nothing to sign off" in page


def test_custody_advice_goes_to_the_police_with_fitness_and_appropriate_adult(
    assessed, practitioner, practitioner_client
):
    sharing_consent(assessed.person, assessed.team, practitioner, [("police", "recommendations")])
    report = _draft(practitioner_client, assessed, kind="custody_advice")
    assert report.recipient_kind == "police"
    page = practitioner_client.get(f"/reports/{report.pk}/").content.decode()
    assert "Fit, with adjustments or safeguards. Needs breaks every hour" in page
    assert "Appropriate adult needed: Yes. Learning disability" in page
    assert "Risks:" in page  # left out, with the reason
    assert "Low mood" not in page


def test_a_chosen_recipient_kind_is_checked_against_its_own_consent(
    assessed, practitioner, practitioner_client
):
    court_consent(assessed.person, assessed.team, practitioner, *ContentKind.values)
    report = _draft(practitioner_client, assessed, recipient_kind="youth_justice")
    assert report.recipient_kind == "youth_justice"
    assert report.versions.get().sections == []


def test_only_clinicians_write_reports(assessed, support_worker):
    client = Client()
    client.force_login(support_worker)
    response = client.post(f"/episodes/{assessed.pk}/reports", {"kind": "court_report"})
    assert response.status_code == 403
    assert not Report.objects.exists()
