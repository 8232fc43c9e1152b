"""The partner feedback page: shares, feedback and mean usefulness per kind of partner and per site, and
what else partners needed, newest first, a page at a time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from liaison.core.models import AuditEvent
from liaison.reports.models import PartnerFeedback
from liaison.reports.queries import feedback_by_recipient_kind, feedback_by_site
from liaison.reports.services import feedback_add
from tests.factories import EpisodeFactory, SiteFactory
from tests.reports.conftest import make_link, sharing_consent, signed_off


@pytest.fixture
def shares(assessed, practitioner, team_lead, team_a):
    court_site = SiteFactory(team=team_a, name="Northtown Magistrates")
    court_episode = EpisodeFactory(site=court_site, person=assessed.person, allocated_worker=practitioner)
    for episode in (assessed, court_episode):
        sharing_consent(
            episode.person, team_a, practitioner,
            [("court", "recommendations"), ("probation", "recommendations"), ("police", "recommendations")],
        )  # fmt: skip
    court = signed_off(assessed, practitioner, team_lead)
    probation = signed_off(court_episode, practitioner, team_lead, kind="probation_handover")
    links = [
        make_link(court, practitioner)[0],
        make_link(court, practitioner)[0],
        make_link(probation, practitioner, recipient_kind="probation")[0],
        make_link(probation, practitioner, recipient_kind="probation")[0],
        make_link(probation, practitioner, recipient_kind="probation")[0],
    ]
    feedback_add(link=links[0], usefulness=5, what_else="Nothing: it was clear")
    feedback_add(link=links[1], usefulness=2, what_else="The bail address")
    feedback_add(link=links[2], usefulness=4, what_else="")
    return links


def test_sums_per_kind_of_partner_and_per_site(shares, team_a):
    by_kind = {row.label: row for row in feedback_by_recipient_kind(team_a.pk)}
    assert (by_kind["Court"].shares, by_kind["Court"].feedback, by_kind["Court"].mean) == (2, 2, 3.5)
    assert (by_kind["Probation"].shares, by_kind["Probation"].feedback, by_kind["Probation"].mean) == (
        3,
        1,
        4.0,
    )
    by_site = {row.label: row for row in feedback_by_site(team_a.pk)}
    assert by_site["Northtown Custody Suite"].shares == 2
    assert by_site["Northtown Magistrates"].shares == 3


def test_the_page_shows_comments_newest_first(shares, practitioner_client, django_assert_max_num_queries):
    PartnerFeedback.objects.filter(what_else="The bail address").update(
        at=timezone.now() + dt.timedelta(hours=1)
    )
    with django_assert_max_num_queries(15):
        response = practitioner_client.get("/reports/feedback")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("The bail address") < page.index("Nothing: it was clear")
    assert "3.5" in page
    assert AuditEvent.objects.filter(action="report_feedback.view").exists()


def test_comments_are_paginated(assessed, practitioner, team_lead, practitioner_client):
    sharing_consent(assessed.person, assessed.team, practitioner, [("court", "recommendations")])
    version = signed_off(assessed, practitioner, team_lead)
    for number in range(12):
        feedback_add(
            link=make_link(version, practitioner)[0], usefulness=3, what_else=f"Comment number {number}"
        )
    first = practitioner_client.get("/reports/feedback").content.decode()
    second = practitioner_client.get("/reports/feedback?page=2").content.decode()
    assert "Comment number 11" in first and "Comment number 0" not in first
    assert "Comment number 0" in second


def test_other_teams_and_roles_do_not_see_it(shares, outsider_client, commissioner_client, support_worker):
    from django.test import Client

    assert "Nothing: it was clear" not in outsider_client.get("/reports/feedback").content.decode()
    assert commissioner_client.get("/reports/feedback").status_code == 403
    client = Client()
    client.force_login(support_worker)
    assert client.get("/reports/feedback").status_code == 403
