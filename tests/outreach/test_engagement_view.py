"""The team's engagement page: longest out of contact first, own team only, audited, bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from liaison.core.models import AuditEvent
from liaison.episodes.models import Channel, Contact, Stage
from tests.factories import EpisodeFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _in_support(site, worker, given, *, last_contact_days=None, failed=0):
    now = timezone.now()
    episode = EpisodeFactory(
        site=site,
        stage=Stage.SUPPORT,
        allocated_worker=worker,
        person=PersonFactory(given_name=given, family_name="Test"),
        support_at=now - dt.timedelta(days=60),
    )
    if last_contact_days is not None:
        Contact.objects.create(
            episode=episode,
            at=now - dt.timedelta(days=last_contact_days),
            channel=Channel.PHONE,
            successful=True,
            by=worker,
        )
    for n in range(failed):
        Contact.objects.create(
            episode=episode,
            at=now - dt.timedelta(hours=n + 1),
            channel=Channel.PHONE,
            successful=False,
            by=worker,
        )
    return episode


def _prefers(episode, by, words):
    from liaison.assessment.services import assessment_complete, assessment_save, assessment_start

    draft = assessment_start(actor=by, episode=episode)
    data = {"contact_preference": words, "needs": [{"key": "money", "level": "low"}]}
    draft = assessment_save(actor=by, assessment=draft, version=draft.version, data=data)
    assessment_complete(actor=by, assessment=draft, version=draft.version)


def test_longest_out_of_contact_first_with_status_words(
    practitioner_client, practitioner, site_a, site_b, outsider, django_assert_max_num_queries
):
    recent = _in_support(site_a, practitioner, "Recent", last_contact_days=2)
    _prefers(recent, practitioner, "Text first, never a letter to the hostel")
    _in_support(site_a, practitioner, "Drifting", last_contact_days=10)
    _in_support(site_a, practitioner, "Failing", last_contact_days=3, failed=3)
    _in_support(site_a, practitioner, "Never")  # no contact since support began 60 days ago
    _in_support(site_b, outsider, "OtherTeam", last_contact_days=50)
    with django_assert_max_num_queries(
        17
    ):  # the page's frame (session, factors, team, audit) and 2 for the list
        response = practitioner_client.get("/team/engagement")
    assert response.status_code == 200
    html = response.content.decode()
    order = [html.index(name) for name in ("Never Test", "Drifting Test", "Failing Test", "Recent Test")]
    assert order == sorted(order)
    assert "OtherTeam" not in html
    assert html.count("Out of contact") >= 2  # 60 days silent; three failed attempts
    assert "Drifting</strong>" in html and "In touch</strong>" in html
    assert "Text first, never a letter to the hostel" in html and "Not recorded" in html
    event = AuditEvent.objects.get(action="engagement.view")
    assert len(event.detail["person_ids"]) == 4


def test_the_number_of_queries_does_not_grow_with_the_list(practitioner_client, practitioner, site_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _in_support(site_a, practitioner, "One", last_contact_days=9)
    practitioner_client.get("/team/engagement")  # the first page of a session does some once-only work
    with CaptureQueriesContext(connection) as few:
        practitioner_client.get("/team/engagement")
    for n in range(8):
        _in_support(site_a, practitioner, f"More{n}", last_contact_days=n + 8, failed=n % 3)
    with CaptureQueriesContext(connection) as many:
        practitioner_client.get("/team/engagement")
    assert len(many) == len(few)


def test_a_commissioner_sees_no_names(commissioner):
    from django.test import Client

    client = Client()
    client.force_login(commissioner)
    assert client.get("/team/engagement").status_code == 403
