"""The consent pages: the person's consent page (grid, history, record and withdraw), asking for a lawful
basis, the team lead's queue, and the disclosure log. Outsiders get 404."""

from __future__ import annotations

import re

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from liaison.consent.models import BasisStatus, Consent, Disclosure, SharingBasis
from liaison.consent.rules import may_share
from liaison.consent.services import record_disclosure, request_basis
from liaison.core.models import AuditEvent
from tests.consent.conftest import share
from tests.factories import EpisodeFactory, PersonFactory


def html_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _ask(actor, person, team):
    return request_basis(
        actor=actor,
        person=person,
        team=team,
        recipient_kind="police",
        content_kinds=["recommendations"],
        basis="serious_harm",
        reason="Threats to a named person",
    )


# --- outsiders ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/people/{pk}/consent/"),
        ("post", "/people/{pk}/consent/record"),
        ("post", "/people/{pk}/consent/{consent}/withdraw"),
        ("get", "/people/{pk}/consent/basis/new"),
        ("get", "/people/{pk}/disclosures/"),
    ],
)
def test_an_outsider_gets_404_and_is_audited(outsider_client, practitioner, person_a, team_a, method, path):
    consent = share(practitioner, person_a, team_a, [("court", "recommendations")])
    response = getattr(outsider_client, method)(path.format(pk=person_a.pk, consent=consent.pk))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", person_id=person_a.pk).exists()
    assert Consent.objects.get().withdrawn_at is None


def test_another_team_lead_cannot_decide_this_teams_request(practitioner, person_a, team_a, team_b, client):
    from tests.factories import Role, member

    asked = _ask(practitioner, person_a, team_a)
    other_lead = member(team_b, Role.TEAM_LEAD)
    client.force_login(other_lead)
    response = client.post(
        f"/consent/requests/{asked.pk}/decide",
        {f"decide-{asked.pk}-version": 1, f"decide-{asked.pk}-decision": "approve"},
    )
    assert response.status_code == 404
    assert SharingBasis.objects.get().status == BasisStatus.REQUESTED


# --- the consent page -----------------------------------------------------------------------------------


def test_the_consent_page_shows_the_grid_with_reasons_and_history(
    practitioner_client, practitioner, person_a, team_a
):
    consent = share(
        practitioner, person_a, team_a, [("court", "recommendations")], note="Happy for the court to know"
    )
    response = practitioner_client.get(f"/people/{person_a.pk}/consent/")
    page = html_of(response)
    assert response.status_code == 200
    assert '<th class="nhsuk-table__header" scope="row">Court</th>' in page
    assert "The person agreed to share recommendations only with: Court" in page
    assert "The person has not been asked about sharing the full assessment with: Police" in page
    assert "Happy for the court to know" in page
    assert f"/people/{person_a.pk}/consent/{consent.pk}/withdraw" in page
    assert AuditEvent.objects.filter(action="consent.view", person_id=person_a.pk).exists()


def test_recording_consent_through_the_form(practitioner_client, person_a):
    response = practitioner_client.post(
        f"/people/{person_a.pk}/consent/record",
        {
            "record-purpose": "sharing",
            "record-decision": "given",
            "record-pairs": ["court:recommendations", "probation:needs_summary"],
            "record-capacity": "yes",
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert sorted(consent.scopes.values_list("recipient_kind", flat=True)) == ["court", "probation"]


def test_a_sharing_consent_with_no_pairs_shows_a_linked_error(practitioner_client, person_a):
    response = practitioner_client.post(
        f"/people/{person_a.pk}/consent/record",
        {"record-purpose": "sharing", "record-decision": "given", "record-capacity": "yes"},
    )
    page = html_of(response)
    assert response.status_code == 200
    assert "<title>Error:" in page
    assert 'href="#id_record-pairs"' in page and 'id="id_record-pairs"' in page
    assert "Choose at least one kind of information and who it may go to" in page
    assert not Consent.objects.exists()


def test_the_form_asks_about_a_guardian_only_for_an_under_18(practitioner_client, practitioner, site_a):
    child = PersonFactory(date_of_birth=timezone.localdate() - relativedelta(years=16))
    EpisodeFactory(site=site_a, person=child)
    page = html_of(practitioner_client.get(f"/people/{child.pk}/consent/"))
    assert "How was a parent or guardian involved?" in page
    response = practitioner_client.post(
        f"/people/{child.pk}/consent/record",
        {
            "record-purpose": "sharing",
            "record-decision": "given",
            "record-pairs": ["court:recommendations"],
            "record-capacity": "yes",
        },
    )
    assert "The person is under 18: say how a parent or guardian was involved" in html_of(response)


def test_an_adults_form_does_not_ask_about_a_guardian(practitioner_client, person_a):
    assert "How was a parent or guardian involved?" not in html_of(
        practitioner_client.get(f"/people/{person_a.pk}/consent/")
    )


def test_withdrawing_through_the_page_and_a_stale_withdraw(
    practitioner_client, practitioner, person_a, team_a
):
    consent = share(practitioner, person_a, team_a, [("court", "recommendations")])
    url = f"/people/{person_a.pk}/consent/{consent.pk}/withdraw"
    data = {f"withdraw-{consent.pk}-version": 1, f"withdraw-{consent.pk}-note": "Changed their mind"}
    assert practitioner_client.post(url, data).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    stale = practitioner_client.post(url, data)
    assert stale.status_code == 409
    assert "Someone else changed this" in html_of(stale)
    page = html_of(practitioner_client.get(f"/people/{person_a.pk}/consent/"))
    assert "Changed their mind" in page and "Withdrawn" in page


def test_a_support_worker_sees_the_page_but_cannot_ask_for_a_basis(support_worker, person_a, client):
    client.force_login(support_worker)
    page = html_of(client.get(f"/people/{person_a.pk}/consent/"))
    assert "Record consent" in page and "Ask to share without consent</a>" not in page
    assert client.get(f"/people/{person_a.pk}/consent/basis/new").status_code == 403


# --- lawful basis: ask, queue, decide -------------------------------------------------------------------


def test_asking_for_a_lawful_basis(practitioner_client, person_a):
    url = f"/people/{person_a.pk}/consent/basis/new"
    empty = practitioner_client.post(url, {"basis-recipient_kind": "police", "basis-basis": "serious_harm"})
    page = html_of(empty)
    assert "Choose at least one kind of information" in page
    assert "Say why the information must be shared without consent" in page
    response = practitioner_client.post(
        url,
        {
            "basis-recipient_kind": "police",
            "basis-content_kinds": ["recommendations"],
            "basis-basis": "serious_harm",
            "basis-reason": "Threats to a named person",
        },
    )
    assert response.status_code == 302
    assert SharingBasis.objects.get().status == BasisStatus.REQUESTED


def test_the_queue_and_deciding(lead_client, team_lead, practitioner, person_a, team_a):
    asked = _ask(practitioner, person_a, team_a)
    own = _ask(team_lead, person_a, team_a)
    page = html_of(lead_client.get("/consent/requests/"))
    assert "Threats to a named person" in page
    assert "You asked for this: another team lead must decide it." in page
    assert f"/consent/requests/{own.pk}/decide" not in page
    refused = lead_client.post(
        f"/consent/requests/{asked.pk}/decide",
        {f"decide-{asked.pk}-version": 1, f"decide-{asked.pk}-decision": "refuse"},
    )
    assert "Say why the request is refused" in html_of(refused)
    own_try = lead_client.post(
        f"/consent/requests/{own.pk}/decide",
        {f"decide-{own.pk}-version": 1, f"decide-{own.pk}-decision": "approve"},
    )
    assert "Another team lead must decide a request you made" in html_of(own_try)
    ok = lead_client.post(
        f"/consent/requests/{asked.pk}/decide",
        {f"decide-{asked.pk}-version": 1, f"decide-{asked.pk}-decision": "approve"},
    )
    assert ok.status_code == 302
    assert SharingBasis.objects.get(pk=asked.pk).status == BasisStatus.APPROVED
    assert SharingBasis.objects.get(pk=own.pk).status == BasisStatus.REQUESTED


def test_a_practitioner_cannot_open_the_queue(practitioner_client):
    assert practitioner_client.get("/consent/requests/").status_code == 403


# --- the disclosure log and the person page -------------------------------------------------------------


def _disclosures(practitioner, person, team, n):
    share(practitioner, person, team, [("court", "recommendations")])
    decision = may_share(person, team=team, recipient_kind="court", content_kind="recommendations")
    for i in range(n):
        record_disclosure(
            actor=practitioner,
            person=person,
            team=team,
            episode=None,
            recipient_kind="court",
            recipient_name=f"Clerk {i}",
            content_kinds=["recommendations"],
            what=f"Court report, version {i + 1}",
            method="download",
            decision=decision,
        )


def test_the_disclosure_log_is_paginated_and_bounded(
    practitioner_client, practitioner, person_a, team_a, settings, django_assert_max_num_queries
):
    settings.PAGE_SIZE = 5
    _disclosures(practitioner, person_a, team_a, 12)
    with django_assert_max_num_queries(14):
        response = practitioner_client.get(f"/people/{person_a.pk}/disclosures/")
    page = html_of(response)
    assert page.count("Court report, version") == 5
    assert "Court report, version 12" in page and "The person&#x27;s consent" in page
    page3 = html_of(practitioner_client.get(f"/people/{person_a.pk}/disclosures/?page=3"))
    assert page3.count("Court report, version") == 2
    assert AuditEvent.objects.filter(action="disclosure.list", person_id=person_a.pk).exists()


def test_the_person_page_shows_consent_and_the_newest_disclosures(
    practitioner_client, practitioner, person_a, team_a
):
    _disclosures(practitioner, person_a, team_a, 7)
    page = html_of(practitioner_client.get(f"/people/{person_a.pk}/"))
    assert "Consent and sharing" in page and "Court: recommendations only" in page
    assert f'href="/people/{person_a.pk}/consent/"' in page
    assert "Information shared" in page and page.count("Court report, version") == 5
    assert f'href="/people/{person_a.pk}/disclosures/"' in page
    assert Disclosure.objects.count() == 7
