"""The privacy alert pages: only the team lead of the user's team sees them; closing with an outcome."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from liaison.core.models import AuditEvent, AuditEventPerson, Role
from liaison.monitoring.models import AlertOutcome, AlertRule, PrivacyAlert
from liaison.monitoring.services import privacy_scan
from tests.factories import PersonFactory, member
from tests.monitoring.conftest import DAY, append_events, grant, local


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alert(team_a, viewer):
    """A ceiling alert about a practitioner in team A, from a day of viewing 65 people."""
    append_events(user=viewer, team=team_a, at=local(DAY), person_ids=range(1001, 1066))
    append_events(user=viewer, team=team_a, at=local(DAY, 15), person_ids=[1001, 1002], via="break_glass")
    privacy_scan(day=DAY)
    return PrivacyAlert.objects.get()


def _denied(user) -> bool:
    return AuditEvent.objects.filter(
        action="access.denied", actor_id=user.pk, object_type="privacy_alert"
    ).exists()


# --- who may see alerts --------------------------------------------------------------------------------


def test_the_team_lead_sees_the_teams_open_alerts_newest_first(lead_client, team_a, team_b, viewer, alert):
    other = member(team_b, Role.PRACTITIONER, "elsewhere")
    grant(other, team_b, local(DAY, 1))
    newer = grant(viewer, team_a, local(DAY, 5))
    privacy_scan(day=DAY)
    response = lead_client.get("/privacy-alerts")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Broke the glass for Liaison ID" in page and "Viewed the records of 65 people (ceiling 60)" in page
    assert "elsewhere" not in page  # team B's alert is team B's lead's
    listed = [row.pk for row in response.context["page"]]
    assert listed == [PrivacyAlert.objects.get(grant=newer).pk, alert.pk]
    assert AuditEvent.objects.filter(action="privacy_alert.list", detail__alert_ids=listed).exists()


def test_the_list_is_paged_and_a_fixed_number_of_queries(lead_client, team_a):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert lead_client.get("/privacy-alerts").status_code == 200
        return len(queries)

    users = [member(team_a, Role.PRACTITIONER) for _ in range(3)]
    for user in users:
        grant(user, team_a, local(DAY, 3))
    privacy_scan(day=DAY)
    few = count()
    for user in users:
        for hour in range(4, 14):
            grant(user, team_a, local(DAY, hour))
    privacy_scan(day=DAY)
    assert PrivacyAlert.objects.count() == 36
    assert count() == few
    assert len(lead_client.get("/privacy-alerts").context["page"]) == 25


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.SUPPORT_WORKER, Role.COMMISSIONER, Role.ADMIN])
def test_other_roles_in_the_team_are_refused(team_a, alert, role):
    client = _client(user := member(team_a, role))
    assert client.get("/privacy-alerts").status_code == 403
    for url in (f"/privacy-alerts/{alert.pk}/", f"/privacy-alerts/{alert.pk}/access"):
        assert client.get(url).status_code == 404
    assert (
        client.post(f"/privacy-alerts/{alert.pk}/", {"outcome": "no_concern", "note": "x"}).status_code == 404
    )
    assert _denied(user)
    alert.refresh_from_db()
    assert alert.is_open


def test_an_outsider_and_another_teams_lead_get_404_and_are_audited(outsider_client, outsider, team_b, alert):
    other_lead = member(team_b, Role.TEAM_LEAD)
    for user, client in ((outsider, outsider_client), (other_lead, _client(other_lead))):
        for url in (
            f"/privacy-alerts/{alert.pk}/",
            f"/privacy-alerts/{alert.pk}/access",
            "/privacy-alerts/999999/",
        ):
            response = client.get(url)
            assert response.status_code == 404
            assert b"viewer" not in response.content
        assert _denied(user)
    assert _client(other_lead).get("/privacy-alerts").context["page"].paginator.count == 0


def test_the_alert_shows_the_numbers_behind_it(lead_client, alert):
    response = lead_client.get(f"/privacy-alerts/{alert.pk}/")
    assert response.status_code == 200
    facts = dict(response.context["facts"])
    assert facts["Rule"] == "Viewed more records in a day than the ceiling"
    assert facts["Different people's records viewed"] == "65"
    assert facts["Daily ceiling"] == "more than 60 people"
    assert facts["Day"] == "24 March 2026"
    assert "Their usual day" in facts  # not known yet: no history
    assert AuditEvent.objects.filter(action="privacy_alert.view", object_id=str(alert.pk)).exists()


def test_a_break_glass_alert_shows_who_whom_why_and_when(lead_client, team_a, viewer):
    person = PersonFactory(given_name="Quinn", family_name="Testcase")
    made = grant(viewer, team_a, local(DAY, 2, 30), person=person, reason="Sergeant phoned from Eastgate")
    privacy_scan(day=DAY)
    alert = PrivacyAlert.objects.get()
    response = lead_client.get(f"/privacy-alerts/{alert.pk}/")
    facts = dict(response.context["facts"])
    assert facts["Liaison ID"] == str(person.pk) and facts["Reason given"] == "Sergeant phoned from Eastgate"
    assert facts["When"] == "24 March 2026 at 02:30"
    assert b"Quinn" not in response.content and made.pk


def test_a_repeated_break_glass_alert_lists_the_grants_it_counted(lead_client, team_a, viewer):
    for index in range(3):
        grant(viewer, team_a, local(DAY - dt.timedelta(days=index), 9), reason=f"Reason number {index}")
    privacy_scan(day=DAY)
    alert = PrivacyAlert.objects.get(rule=AlertRule.REPEATED_BREAK_GLASS)
    response = lead_client.get(f"/privacy-alerts/{alert.pk}/")
    assert [g.reason for g in response.context["grants"]] == [
        "Reason number 0",
        "Reason number 1",
        "Reason number 2",
    ]


def test_the_users_day_is_shown_as_liaison_ids_without_names(lead_client, team_lead, alert):
    PersonFactory(given_name="Quinn", family_name="Testcase")  # a real person; only ids are shown
    response = lead_client.get(f"/privacy-alerts/{alert.pk}/access")
    assert response.status_code == 200
    rows = list(response.context["page"])
    assert len(rows) == 50 and response.context["page"].paginator.count == 65
    assert rows[0] == {
        "person_id": 1001,
        "reads": 2,
        "first": local(DAY),
        "last": local(DAY, 15),
        "through_break_glass": 1,
    }
    assert b"Quinn" not in response.content
    # The lead's own look at these ids is on the record of each person shown.
    event = AuditEvent.objects.get(action="privacy_alert.access", actor_id=team_lead.pk)
    assert AuditEventPerson.objects.filter(event_id=event.id).count() == 50


# --- closing an alert ----------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", AlertOutcome.values)
def test_the_team_lead_closes_an_alert_with_an_outcome_and_a_note(lead_client, team_lead, alert, outcome):
    response = lead_client.post(
        f"/privacy-alerts/{alert.pk}/", {"outcome": outcome, "note": "Covering the night shift for two teams"}
    )
    assert response.status_code == 302 and response["Location"] == "/privacy-alerts"
    alert.refresh_from_db()
    assert (alert.is_open, alert.outcome, alert.closed_by) == (False, outcome, team_lead)
    assert alert.note == "Covering the night shift for two teams"
    event = AuditEvent.objects.get(action="privacy_alert.close")
    assert (event.actor_id, event.object_id, event.reason) == (
        team_lead.pk,
        str(alert.pk),
        "Covering the night shift for two teams",
    )
    assert event.detail["outcome"] == outcome
    assert lead_client.get("/privacy-alerts").context["page"].paginator.count == 0
    closed = lead_client.get("/privacy-alerts?show=closed")
    assert [a.pk for a in closed.context["page"]] == [alert.pk]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"note": "Looked into it"}, "Select the outcome of your review"),
        ({"outcome": "no_concern", "note": "  "}, "Enter a note about what you found"),
        ({"outcome": "ignored", "note": "Looked into it"}, "Select an outcome"),
    ],
)
def test_closing_needs_an_outcome_and_a_note(lead_client, alert, data, error):
    response = lead_client.post(f"/privacy-alerts/{alert.pk}/", data)
    assert response.status_code == 200 and error in response.content.decode()
    alert.refresh_from_db()
    assert alert.is_open and not AuditEvent.objects.filter(action="privacy_alert.close").exists()


def test_a_closed_alert_cannot_be_closed_again(lead_client, alert):
    lead_client.post(f"/privacy-alerts/{alert.pk}/", {"outcome": "no_concern", "note": "First look"})
    again = lead_client.post(f"/privacy-alerts/{alert.pk}/", {"outcome": "escalated", "note": "Second look"})
    assert again.status_code == 403
    alert.refresh_from_db()
    assert (alert.outcome, alert.note) == ("no_concern", "First look")


def test_a_team_lead_cannot_close_an_alert_about_themselves(team_a, team_lead, lead_client):
    append_events(user=team_lead, team=team_a, at=local(DAY), person_ids=range(1, 80))
    privacy_scan(day=DAY)
    alert = PrivacyAlert.objects.get()
    page = lead_client.get(f"/privacy-alerts/{alert.pk}/")
    assert page.status_code == 200 and page.context["form"] is None
    assert "Another team lead of your team" in page.content.decode()
    assert (
        lead_client.post(
            f"/privacy-alerts/{alert.pk}/", {"outcome": "no_concern", "note": "Fine"}
        ).status_code
        == 403
    )
    second_lead = member(team_a, Role.TEAM_LEAD)
    response = _client(second_lead).post(
        f"/privacy-alerts/{alert.pk}/", {"outcome": "discussed", "note": "Talked"}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.closed_by == second_lead


# --- the count in the header ---------------------------------------------------------------------------


def test_the_team_lead_sees_the_open_count_in_the_header(lead_client, practitioner_client, alert):
    assert "Privacy alerts (1 open)" in lead_client.get("/").content.decode()
    assert "Privacy alerts" not in practitioner_client.get("/").content.decode()
