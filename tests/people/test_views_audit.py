"""Who viewed this record: team leads only; everyone else gets the same audited 404."""

from __future__ import annotations

import pytest
from django.test import Client

from liaison.core.audit import audit
from liaison.core.models import AuditEvent, Role
from tests.factories import member


def test_team_lead_sees_who_viewed_the_record(
    lead_client, practitioner_client, practitioner, person_a, team_a
):
    practitioner_client.get(f"/people/{person_a.pk}/")
    audit(
        actor=practitioner,
        action="break_glass.grant",
        person_id=person_a.pk,
        team_id=team_a.pk,
        role=Role.PRACTITIONER,
        reason="Custody sergeant phoned",
    )
    response = lead_client.get(f"/people/{person_a.pk}/audit")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Who viewed this record – Liaison</title>" in html
    assert str(practitioner) in html and practitioner.username in html
    assert "Viewed the record" in html and "Broke the glass" in html
    assert "Practitioner" in html and "Northtown L&amp;D" in html
    assert "Custody sergeant phoned" in html
    assert '<th class="nhsuk-table__header" scope="col">Reason</th>' in html
    assert AuditEvent.objects.filter(action="person.audit.view", person_id=person_a.pk).exists()


def test_the_audit_page_is_paginated(lead_client, practitioner, person_a, settings):
    settings.PAGE_SIZE = 3
    for _ in range(5):
        audit(actor=practitioner, action="person.view", person_id=person_a.pk)
    first = lead_client.get(f"/people/{person_a.pk}/audit").content.decode()
    assert first.count("<time datetime=") == 3
    assert 'aria-label="Page 2"' in first


@pytest.mark.parametrize("who", ["practitioner", "outsider", "other_lead"])
def test_anyone_but_the_teams_lead_gets_404_and_is_audited(who, request, person_a, team_b):
    user = member(team_b, Role.TEAM_LEAD) if who == "other_lead" else request.getfixturevalue(who)
    client = Client()
    client.force_login(user)
    response = client.get(f"/people/{person_a.pk}/audit")
    assert response.status_code == 404
    assert "Rivers" not in response.content.decode()
    event = AuditEvent.objects.get(action="access.denied")
    assert (event.actor_id, event.person_id, event.object_type) == (user.pk, person_a.pk, "person_audit")
    assert not AuditEvent.objects.filter(action="person.audit.view").exists()


def test_who_viewed_lists_worklist_search_and_api_list_reads(lead_client, practitioner_client, person_a):
    """Bulk reads count as viewing the record: each list that showed the person is on the page."""
    practitioner_client.get("/")
    practitioner_client.post("/people/search", {"name": "Rivers"})
    practitioner_client.get("/api/v1/people")
    practitioner_client.get("/api/v1/episodes")
    page = lead_client.get(f"/people/{person_a.pk}/audit").content.decode()
    assert "Saw the person on a worklist" in page
    assert "Found the person in a search" in page
    assert "Listed through the API" in page


def test_break_glass_does_not_open_who_viewed_for_another_teams_lead(person_a, team_b):
    import datetime as dt

    from django.test import Client
    from django.utils import timezone

    from liaison.core.models import BreakGlass, Role
    from tests.factories import member

    other_lead = member(team_b, Role.TEAM_LEAD)
    BreakGlass.objects.create(
        user=other_lead,
        team=team_b,
        person=person_a,
        reason="Checking a safeguarding concern",
        expires_at=timezone.now() + dt.timedelta(minutes=30),
    )
    client = Client()
    client.force_login(other_lead)
    assert client.get(f"/people/{person_a.pk}/").status_code == 200
    assert client.get(f"/people/{person_a.pk}/audit").status_code == 404
