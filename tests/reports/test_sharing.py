"""Sharing through a time-limited link for one named recipient, or a download for secure email: consent is
checked at every open, every open and download is a logged disclosure, and anything wrong shows nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from liaison.consent.models import Disclosure, SharingBasis
from liaison.core.models import AuditEvent
from liaison.reports.models import PartnerFeedback, ShareLink
from liaison.reports.services import LINK_DAYS_MAX, link_digest, share_link_revoke
from tests.reports.conftest import RECOMMENDATION, court_consent, make_link, signed_off


@pytest.fixture
def shared(assessed, practitioner, team_lead):
    consent = court_consent(assessed.person, assessed.team, practitioner, "recommendations")
    version = signed_off(assessed, practitioner, team_lead)
    link, token = make_link(version, practitioner)
    return {"consent": consent, "version": version, "link": link, "token": token, "episode": assessed}


def _actions(action):
    return AuditEvent.objects.filter(action=action).count()


def test_the_recipient_opens_the_link_without_an_account_and_each_open_is_a_disclosure(shared, practitioner):
    anonymous = Client()
    for _ in range(2):
        response = anonymous.get(f"/shared/{shared['token']}")
        assert response.status_code == 200
        assert RECOMMENDATION in response.content.decode()
        assert response["Referrer-Policy"] == "no-referrer"
        assert "no-store" in response["Cache-Control"]
    disclosures = Disclosure.objects.filter(method="link")
    assert disclosures.count() == 2
    row = disclosures.first()
    assert (row.recipient_kind, row.basis, row.consent_id) == ("court", "consent", shared["consent"].pk)
    assert row.recipient_name == "Jo Clerk, Northtown Magistrates' Court"
    assert row.content_kinds == ["recommendations"]
    assert row.what == "Court report, version 1"
    assert row.by == practitioner
    assert (row.source_type, row.source_id) == ("report_version", shared["version"].pk)
    assert _actions("report_link.open") == 2
    shared["link"].refresh_from_db()
    assert shared["link"].open_count == 2


def test_the_pdf_download_from_the_link_is_a_disclosure_too(shared):
    response = Client().get(f"/shared/{shared['token']}/report.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert Disclosure.objects.filter(method="download").count() == 1
    assert _actions("report_link.download") == 1


def test_only_the_digest_of_the_token_is_kept(shared):
    link = ShareLink.objects.get()
    assert link.digest == link_digest(shared["token"])
    assert shared["token"] not in str(list(ShareLink.objects.values()))


def _broken(token: str) -> str:
    middle = len(token) // 2
    return token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]


@pytest.mark.parametrize(
    ("case", "status", "title", "action"),
    [
        ("expired", 410, "This link has expired", "report_link.expired"),
        ("tampered", 404, "This link is not valid", "report_link.invalid"),
        ("unknown", 404, "This link is not valid", "report_link.invalid"),
        ("revoked", 410, "This report is no longer available", "report_link.refused"),
        ("consent_withdrawn", 410, "This report is no longer available", "report_link.refused"),
        ("basis_expired", 410, "This report is no longer available", "report_link.refused"),
    ],
)
def test_a_link_that_no_longer_works_shows_nothing_and_is_audited(
    shared, practitioner, team_lead, case, status, title, action
):
    token = shared["token"]
    if case == "expired":
        ShareLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    elif case == "tampered":
        token = _broken(token)
    elif case == "unknown":
        token = "x"
    elif case == "revoked":
        share_link_revoke(actor=practitioner, link=shared["link"])
    elif case == "consent_withdrawn":
        shared["consent"].withdrawn_at = timezone.now() - dt.timedelta(seconds=1)
        shared["consent"].withdrawn_by = practitioner
        shared["consent"].save()
    elif case == "basis_expired":
        # Shared under a lawful basis instead of consent; the basis then ran out.
        shared["consent"].delete()
        SharingBasis.objects.create(
            person=shared["episode"].person, team=shared["episode"].team, recipient_kind="court",
            content_kinds=["recommendations"], basis="court_order", reason="Ordered", status="approved",
            requested_by=practitioner, decided_by=team_lead, decided_at=timezone.now() - dt.timedelta(days=2),
            expires_at=timezone.now() - dt.timedelta(seconds=1),
        )  # fmt: skip
    before = Disclosure.objects.count()
    for path in (f"/shared/{token}", f"/shared/{token}/report.pdf"):
        response = Client().get(path)
        assert response.status_code == status
        page = response.content.decode()
        assert title in page
        assert RECOMMENDATION not in page
        assert "Alex" not in page and "Rivers" not in page
    assert Disclosure.objects.count() == before
    assert _actions(action) == 2


def test_a_lawful_basis_lets_the_link_work_without_consent_and_the_log_says_so(
    shared, practitioner, team_lead
):
    shared["consent"].delete()
    basis = SharingBasis.objects.create(
        person=shared["episode"].person, team=shared["episode"].team, recipient_kind="court",
        content_kinds=["recommendations"], basis="court_order", reason="Ordered", status="approved",
        requested_by=practitioner, decided_by=team_lead, decided_at=timezone.now() - dt.timedelta(hours=1),
    )  # fmt: skip
    response = Client().get(f"/shared/{shared['token']}")
    assert response.status_code == 200
    assert "a lawful basis approved by a team lead" in response.content.decode()
    row = Disclosure.objects.get()
    assert (row.basis, row.sharing_basis_id) == ("lawful_basis", basis.pk)


@pytest.mark.parametrize("recipient_kind", ["police", "probation", "youth_justice", "gp"])
def test_a_recipient_kind_outside_the_consent_is_refused_audited_and_nothing_made(
    shared, practitioner, recipient_kind
):
    with pytest.raises(ValidationError, match="cannot be shared with them"):
        make_link(shared["version"], practitioner, recipient_kind=recipient_kind)
    assert ShareLink.objects.count() == 1
    assert AuditEvent.objects.filter(action="report.share_blocked").count() == 1


def test_sharing_after_withdrawal_is_refused_on_the_page(shared, practitioner, practitioner_client):
    shared["consent"].withdrawn_at = timezone.now()
    shared["consent"].withdrawn_by = practitioner
    shared["consent"].save()
    response = practitioner_client.post(
        f"/reports/{shared['version'].report_id}/share",
        {
            "number": 1, "recipient_name": "Jo Clerk", "recipient_organisation": "Court",
            "recipient_email": "jo@court.example", "recipient_kind": "court", "days": 7,
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "withdrew their consent" in response.content.decode()
    assert ShareLink.objects.count() == 1


def test_the_link_is_made_on_the_page_and_shown_once(shared, practitioner_client):
    response = practitioner_client.post(
        f"/reports/{shared['version'].report_id}/share",
        {
            "number": 1, "recipient_name": "Sam Usher", "recipient_organisation": "Northtown Crown Court",
            "recipient_email": "sam@court.example", "recipient_kind": "court", "days": 14,
        },
    )  # fmt: skip
    assert response.status_code == 200
    link = ShareLink.objects.get(recipient_name="Sam Usher")
    assert (link.expires_at - link.created_at).days == 14
    assert "/shared/" in response.content.decode()
    assert (
        "/shared/" not in practitioner_client.get(f"/reports/{shared['version'].report_id}/").content.decode()
    )


@pytest.mark.parametrize("days", [0, LINK_DAYS_MAX + 1])
def test_a_link_lasts_between_one_and_thirty_days(shared, practitioner, days):
    with pytest.raises(ValidationError, match="between 1 and 30 days"):
        make_link(shared["version"], practitioner, days=days)


def test_the_download_for_secure_email_is_checked_and_logged(shared, practitioner_client):
    response = practitioner_client.post(
        f"/reports/{shared['version'].report_id}/download",
        {"number": 1, "recipient_name": "Pat Officer", "recipient_organisation": "Northtown Probation",
         "recipient_kind": "court"},
    )  # fmt: skip
    assert response["Content-Type"] == "application/pdf"
    row = Disclosure.objects.get(method="download")
    assert row.recipient_name == "Pat Officer, Northtown Probation"
    assert _actions("report.download") == 1
    refused = practitioner_client.post(
        f"/reports/{shared['version'].report_id}/download",
        {"number": 1, "recipient_name": "Pat Officer", "recipient_organisation": "Northtown Probation",
         "recipient_kind": "probation"},
    )  # fmt: skip
    assert refused["Content-Type"].startswith("text/html")
    assert Disclosure.objects.filter(method="download").count() == 1
    assert _actions("report.download_blocked") == 1


def test_feedback_is_given_once_per_link(shared):
    anonymous = Client()
    url = f"/shared/{shared['token']}"
    first = anonymous.post(url, {"usefulness": "4", "what_else": "Earlier on the day of the hearing"})
    assert first.status_code == 200
    assert "Thank you for your feedback" in first.content.decode()
    again = anonymous.post(url, {"usefulness": "1", "what_else": "Second go"})
    assert again.status_code == 400
    assert "already been given" in again.content.decode()
    assert list(PartnerFeedback.objects.values_list("usefulness", flat=True)) == [4]
    assert "you have already sent feedback" in anonymous.get(url).content.decode()
    assert _actions("report_link.feedback") == 1


@pytest.mark.parametrize("usefulness", ["", "0", "6", "lots"])
def test_feedback_needs_a_score_from_one_to_five(shared, usefulness):
    response = Client().post(f"/shared/{shared['token']}", {"usefulness": usefulness})
    assert response.status_code == 400
    assert not PartnerFeedback.objects.exists()


def test_feedback_on_an_expired_link_is_refused(shared):
    ShareLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = Client().post(f"/shared/{shared['token']}", {"usefulness": "5"})
    assert response.status_code == 410
    assert not PartnerFeedback.objects.exists()


def test_a_feedback_mistake_is_shown_with_the_report_and_what_they_typed(shared):
    response = Client().post(f"/shared/{shared['token']}", {"what_else": "More about the bail address"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "nhsuk-error-summary" in page
    assert "Choose how useful the report was, from 1 to 5" in page
    assert "More about the bail address" in page
    assert RECOMMENDATION in page
    assert "<title>Error: " in page
    # Showing the report again is a disclosure like any other open.
    assert Disclosure.objects.filter(method="link").count() == 1
