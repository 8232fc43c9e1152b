"""Subject access requests: recording one, its due date, extending it, who may, and the team's list."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from liaison.core.errors import NotPermitted
from liaison.core.models import AuditEvent, AuditEventPerson, Role
from liaison.rights.models import SubjectAccessRequest
from liaison.rights.services import subject_access_request_extend, subject_access_request_record
from tests.factories import EpisodeFactory, PersonFactory, member
from tests.rights.conftest import client_for

D = dt.date


def _date_parts(day: dt.date, name: str = "received_on") -> dict[str, str]:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def test_a_team_lead_records_a_request_with_its_statutory_due_date(lead_client, team_lead, person_a):
    with time_machine.travel(dt.datetime(2026, 2, 3, 10, 0, tzinfo=dt.UTC), tick=False):
        response = lead_client.post(
            f"/people/{person_a.pk}/subject-access/new",
            {
                **_date_parts(D(2026, 1, 31)),
                "identity_verified": "Passport seen in person",
                "requester": "representative",
                "requester_name": "Jo Advocate",
                "authority": "Signed consent from the person, dated 30 January",
            },
        )
    sar = SubjectAccessRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/subject-access/{sar.pk}"
    assert (sar.received_on, sar.statutory_due_on, sar.due_on) == (
        D(2026, 1, 31),
        D(2026, 2, 28),
        D(2026, 2, 28),
    )
    assert (sar.requester, sar.requester_name, sar.created_by) == ("representative", "Jo Advocate", team_lead)
    event = AuditEvent.objects.get(action="rights.sar_record")
    assert (event.person_id, event.object_id, event.role) == (person_a.pk, str(sar.pk), Role.TEAM_LEAD)
    # No name, NHS number or date of birth in the address: the request's own id only.
    assert "Rivers" not in response["Location"] and "1990" not in response["Location"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"requester": "person", "identity_verified": "ID seen"}, "received_on", "Enter the date"),
        (
            {**_date_parts(D(2099, 1, 1)), "requester": "person", "identity_verified": "ID seen"},
            "received_on",
            "today or in the past",
        ),
        ({**_date_parts(D(2026, 1, 5)), "requester": "person"}, "identity_verified", "how you checked"),
        ({**_date_parts(D(2026, 1, 5)), "identity_verified": "ID seen"}, "requester", "Select who made"),
        (
            {**_date_parts(D(2026, 1, 5)), "requester": "representative", "identity_verified": "ID seen"},
            "requester_name",
            "Enter the name of the person acting for them",
        ),
    ],
)
def test_a_request_needs_its_date_identity_check_and_requester(lead_client, person_a, data, field, message):
    response = lead_client.post(f"/people/{person_a.pk}/subject-access/new", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SubjectAccessRequest.objects.exists()


# --- extending ---------------------------------------------------------------------------------------


def test_the_time_can_be_extended_once_by_up_to_two_months_with_a_reason(lead_client, team_lead, sar):
    response = lead_client.post(
        f"/subject-access/{sar.pk}/extend",
        {
            "version": sar.version,
            "months": "2",
            "reason": "complex",
            "detail": "Records from three teams; told by letter",
        },
    )
    assert response.status_code == 302
    sar.refresh_from_db()
    from liaison.rights.deadlines import extended_due

    assert (sar.extension_months, sar.extension_reason, sar.extended_by) == (2, "complex", team_lead)
    assert sar.due_on == extended_due(sar.received_on, 2)
    assert sar.statutory_due_on < sar.due_on
    assert AuditEvent.objects.filter(action="rights.sar_extend", object_id=str(sar.pk)).exists()
    # Once only.
    with pytest.raises(ValidationError, match="only once"):
        subject_access_request_extend(
            actor=team_lead,
            sar=sar,
            version=sar.version,
            months=1,
            reason="numerous",
            detail="Asked again since",
        )


@pytest.mark.parametrize(
    ("months", "reason", "detail", "message"),
    [
        (3, "complex", "Records from three teams", "1 or 2"),
        (1, "busy", "Records from three teams", "Select why more time is needed"),
        (1, "complex", "", "Say what makes the request complex"),
    ],
)
def test_an_extension_needs_one_or_two_months_a_lawful_reason_and_an_explanation(
    team_lead, sar, months, reason, detail, message
):
    with pytest.raises(ValidationError, match=message):
        subject_access_request_extend(
            actor=team_lead, sar=sar, version=sar.version, months=months, reason=reason, detail=detail
        )
    sar.refresh_from_db()
    assert sar.extension_months is None and sar.due_on == sar.statutory_due_on


def test_an_extension_is_decided_within_the_first_month(team_lead, sar):
    with pytest.raises(ValidationError, match="within one month of the request"):
        subject_access_request_extend(
            actor=team_lead,
            sar=sar,
            version=sar.version,
            months=2,
            reason="complex",
            detail="Records from three teams",
            today=sar.statutory_due_on + dt.timedelta(days=1),
        )
    # On the last day of the month it still can be.
    extended = subject_access_request_extend(
        actor=team_lead,
        sar=sar,
        version=sar.version,
        months=1,
        reason="complex",
        detail="Records from three teams",
        today=sar.statutory_due_on,
    )
    assert extended.extension_months == 1


# --- who may ------------------------------------------------------------------------------------------

# (who, page) -> the status code. "sar" pages name the request by its id; "person" pages the person.
WHO_MAY = [
    ("team_lead", "list", 200),
    ("practitioner", "list", 403),
    ("support_worker", "list", 403),
    ("commissioner", "list", 403),
    ("partner", "list", 403),
    ("outsider", "list", 403),
    ("team_lead", "new", 200),
    ("practitioner", "new", 403),
    ("support_worker", "new", 403),
    ("commissioner", "new", 404),
    ("partner", "new", 404),
    ("outsider", "new", 404),
    ("outsider_lead", "new", 404),
    ("team_lead", "detail", 200),
    ("practitioner", "detail", 404),
    ("support_worker", "detail", 404),
    ("commissioner", "detail", 404),
    ("partner", "detail", 404),
    ("outsider", "detail", 404),
    ("outsider_lead", "detail", 404),
    ("team_lead", "extend", 200),
    ("practitioner", "extend", 404),
    ("outsider_lead", "extend", 404),
]
PAGES = {
    "list": lambda sar: "/subject-access",
    "new": lambda sar: f"/people/{sar.person_id}/subject-access/new",
    "detail": lambda sar: f"/subject-access/{sar.pk}",
    "extend": lambda sar: f"/subject-access/{sar.pk}/extend",
}


@pytest.mark.parametrize(("who", "page", "status"), WHO_MAY)
def test_who_may_use_the_subject_access_pages(request, sar, who, page, status):
    user = request.getfixturevalue(who)
    response = client_for(user).get(PAGES[page](sar))
    assert response.status_code == status, (who, page, response.status_code)
    if status == 404:
        assert AuditEvent.objects.filter(action="access.denied", actor_id=user.pk).exists()
        assert "Rivers" not in response.content.decode()
    if status != 200:
        assert not AuditEvent.objects.filter(action="rights.sar_view", actor_id=user.pk).exists()


def test_the_services_refuse_anyone_but_the_team_lead(practitioner, outsider_lead, person_a, team_a, sar):
    for actor in (practitioner, outsider_lead):
        with pytest.raises(NotPermitted):
            subject_access_request_record(
                actor=actor,
                person=person_a,
                team_id=team_a.pk,
                received_on=timezone.localdate(),
                identity_verified="Known to the team",
                requester="person",
            )
        with pytest.raises(NotPermitted):
            subject_access_request_extend(
                actor=actor,
                sar=sar,
                version=sar.version,
                months=1,
                reason="complex",
                detail="Three teams' records",
            )


def test_breaking_the_glass_does_not_open_subject_access(team_b, person_a):
    from liaison.core.services import break_glass_grant

    team_b_lead = member(team_b, Role.TEAM_LEAD, "b.lead")
    break_glass_grant(
        actor=team_b_lead, team=team_b, person_id=person_a.pk, reason="Sergeant phoned urgently"
    )
    response = client_for(team_b_lead).get(f"/people/{person_a.pk}/subject-access/new")
    assert response.status_code == 403
    assert "team leads" in response.content.decode()


# --- the team's list ---------------------------------------------------------------------------------


def _request(lead, team, *, received: dt.date, person=None, site=None):
    person = person or EpisodeFactory(site=site, person=PersonFactory()).person
    return subject_access_request_record(
        actor=lead,
        person=person,
        team_id=team.pk,
        received_on=received,
        identity_verified="ID seen",
        requester="person",
    )


def test_the_list_shows_open_requests_overdue_first_and_marked(
    lead_client, team_lead, team_a, site_a, site_b, team_b
):
    today = timezone.localdate()
    later = _request(team_lead, team_a, received=today - dt.timedelta(days=2), site=site_a)
    overdue = _request(team_lead, team_a, received=today - dt.timedelta(days=40), site=site_a)
    answered = _request(team_lead, team_a, received=today - dt.timedelta(days=50), site=site_a)
    SubjectAccessRequest.objects.filter(pk=answered.pk).update(
        fulfilled_at=timezone.now(), fulfilled_by=team_lead
    )
    other_lead = member(team_b, Role.TEAM_LEAD, "b.lead")
    elsewhere = _request(other_lead, team_b, received=today - dt.timedelta(days=60), site=site_b)

    html = lead_client.get("/subject-access").content.decode()
    assert html.index(f"Request {overdue.pk}<") < html.index(f"Request {later.pk}<")
    assert "1 request overdue" in html
    assert "Overdue by" in html and "nhsuk-tag--red" in html
    assert f"Request {answered.pk}<" not in html
    assert f"Request {elsewhere.pk}<" not in html
    # The list shows names, so the people it showed are recorded as having been seen.
    event = AuditEvent.objects.filter(action="rights.sar_list").latest("id")
    shown = set(AuditEventPerson.objects.filter(event_id=event.id).values_list("person_id", flat=True))
    assert shown == {later.person_id, overdue.person_id}


@pytest.mark.parametrize("requests", [2, 12])
def test_the_list_runs_a_bounded_number_of_queries(
    lead_client, team_lead, team_a, site_a, requests, django_assert_max_num_queries
):
    for n in range(requests):
        _request(team_lead, team_a, received=timezone.localdate() - dt.timedelta(days=n * 5), site=site_a)
    with django_assert_max_num_queries(16):
        response = lead_client.get("/subject-access")
    assert response.content.decode().count('href="/subject-access/') == requests


def test_the_request_page_shows_the_due_date_and_asks_for_a_code(lead_client, sar):
    html = lead_client.get(f"/subject-access/{sar.pk}").content.decode()
    from liaison.core.presenters import long_date

    assert long_date(sar.due_on) in html
    assert "Enter a new code from your authenticator app" in html
    assert 'autocomplete="one-time-code"' in html
    assert AuditEvent.objects.filter(action="rights.sar_view", object_id=str(sar.pk)).exists()
