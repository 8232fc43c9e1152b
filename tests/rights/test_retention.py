"""Retention classes (the longest wins), legal holds, the list of records past retention, and who may."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from liaison.core.errors import NotPermitted
from liaison.core.models import AuditEvent, Role
from liaison.episodes.models import ClosureReason, Contact, Episode
from liaison.people.models import Person
from liaison.rights.destruction import destruction_propose, legal_hold_lift, legal_hold_place
from liaison.rights.models import SubjectAccessRequest
from liaison.rights.retention import (
    ACTIVITY,
    DATA,
    Facts,
    RetentionConfigError,
    evaluate,
    facts_of,
    parse_classes,
    retention_due,
    retention_of,
    team_past_retention,
    with_facts,
)
from tests.factories import EpisodeFactory, PersonFactory, member
from tests.rights.conftest import age_activity, client_for

D = dt.date


def _codes(retention):
    return {a.code: a.date for a in retention.applied}


@pytest.mark.parametrize(
    ("facts", "expected_date", "expected_classes"),
    [
        # An adult: 20 years after the last contact.
        (Facts(D(1980, 1, 1), D(2001, 3, 1), D(2005, 6, 30)), D(2025, 6, 30), {"adult_mental_health"}),
        # An adult who died: 8 years after death, being sooner than 20 after the last contact.
        (
            Facts(D(1980, 1, 1), D(2001, 3, 1), D(2005, 6, 30), died_on=D(2006, 1, 10)),
            D(2014, 1, 10),
            {"adult_mental_health"},
        ),
        # A child of 16 at the end of care: until the 25th birthday, but 20 years after contact is later.
        (
            Facts(D(2000, 5, 1), D(2016, 6, 1), D(2016, 7, 1)),
            D(2036, 7, 1),
            {"adult_mental_health", "children"},
        ),
        # A child of 17 at the end of care, who died: the 26th birthday is later than 8 years after death.
        (
            Facts(D(2000, 5, 1), D(2017, 6, 1), D(2017, 7, 1), died_on=D(2017, 8, 1)),
            D(2026, 5, 1),
            {"adult_mental_health", "children"},
        ),
        # Several classes: the longest wins (the child's 25th birthday beats 8 years after death).
        (
            Facts(D(2000, 5, 1), D(2016, 6, 1), D(2016, 7, 1), died_on=D(2016, 8, 1)),
            D(2025, 5, 1),
            {"adult_mental_health", "children"},
        ),
        # A 29 February birthday lands on 28 February.
        (Facts(D(2000, 2, 29), D(2010, 1, 1), D(2010, 1, 1), died_on=D(2010, 2, 1)), D(2025, 2, 28), None),
        # A legal hold: never, while it is on, whatever the other dates.
        (
            Facts(D(1950, 1, 1), D(1980, 1, 1), D(1980, 1, 1), legal_hold=True),
            None,
            {"adult_mental_health", "legal_hold"},
        ),
        # An open subject access request: the same.
        (
            Facts(D(1950, 1, 1), D(1980, 1, 1), D(1980, 1, 1), open_subject_access_request=True),
            None,
            {"adult_mental_health", "subject_access"},
        ),
    ],
)
def test_the_retention_date_is_the_latest_of_every_class_that_applies(facts, expected_date, expected_classes):
    retention = evaluate(facts)
    assert retention.date == expected_date
    if expected_classes is not None:
        assert set(_codes(retention)) == expected_classes
    if expected_date is None:
        assert retention.blocked_by and not retention.due(D(2100, 1, 1))


def test_the_classes_are_checked_strictly():
    good = json.loads(DATA.read_text())
    assert parse_classes(good)
    bad_cases = [
        lambda d: d["classes"][0].update(years=20),  # an unknown key
        lambda d: d["classes"][0]["terms"][0].update(years=0),
        lambda d: d["classes"][0]["terms"][0].update(years="20"),
        lambda d: d["classes"][0]["terms"][0].update(after="discharge"),
        lambda d: d["classes"][0].update(applies_when="sometimes"),
        lambda d: d["classes"][1].update(code="adult_mental_health"),  # codes are unique
        lambda d: d["classes"][2].update(terms=[{"years": 1, "after": "birth"}]),  # indefinite and dated
        lambda d: d["classes"][0].pop("citation"),
        lambda d: d.update(classes=[]),
    ]
    for spoil in bad_cases:
        document = copy.deepcopy(good)
        spoil(document)
        with pytest.raises(RetentionConfigError):
            parse_classes(document)


BORN, ARRIVED = D(1960, 1, 1), D(1990, 3, 1)


def _old_person(site, *, born=BORN, arrived=ARRIVED, **person):
    at = dt.datetime.combine(arrived, dt.time(10), tzinfo=dt.UTC)
    episode = EpisodeFactory(site=site, person=PersonFactory(date_of_birth=born, **person), arrival_at=at)
    Person.objects.filter(pk=episode.person_id).update(created_at=at)
    return Person.objects.get(pk=episode.person_id), episode


def test_last_contact_is_the_newest_of_arrival_closing_and_contact(site_a, practitioner):
    person, episode = _old_person(site_a)
    assert retention_of(person).date == D(2010, 3, 1)
    Episode.objects.filter(pk=episode.pk).update(closed_at=dt.datetime(1991, 4, 2, 12, tzinfo=dt.UTC))
    assert retention_of(person).date == D(2011, 4, 2)
    Contact.objects.create(
        episode=episode,
        at=dt.datetime(1992, 5, 3, 12, tzinfo=dt.UTC),
        channel="phone",
        successful=True,
        by=practitioner,
    )
    assert retention_of(person).date == D(2012, 5, 3)
    # Closed because the person died: 8 years after, if sooner.
    Episode.objects.filter(pk=episode.pk).update(closure_reason=ClosureReason.DIED)
    assert retention_of(person).date == D(1999, 4, 2)
    assert retention_due(person)


def _last_contact(person):
    return facts_of(with_facts(Person.objects.filter(pk=person.pk)).get()).last_contact


@pytest.mark.parametrize("label", [label for _, label, _, _, _ in ACTIVITY])
def test_work_with_the_person_counts_as_contact(full_record, label):
    """Every kind of service work moves the last contact on: an old record with a referral step, an
    appointment, advice, a crisis plan or a crisis told to the team last year is not due."""
    person, sar = full_record
    SubjectAccessRequest.objects.filter(pk=sar.pk).update(fulfilled_at=dt.datetime.now(dt.UTC))
    long_ago = dt.datetime(1990, 3, 1, 10, tzinfo=dt.UTC)
    Episode.objects.filter(person=person).update(arrival_at=long_ago, closed_at=None)
    Contact.objects.filter(episode__person=person).update(at=long_ago)
    for _, other, path, column, _ in ACTIVITY:
        age_activity(person, other, path, column, long_ago)
    assert _last_contact(person) == D(1990, 3, 1) and retention_due(person)
    _, _, path, column, _ = next(a for a in ACTIVITY if a[1] == label)
    assert age_activity(person, label, path, column, dt.datetime(2025, 6, 10, 12, tzinfo=dt.UTC))
    assert _last_contact(person) == D(2025, 6, 10)
    assert not retention_due(person)


def test_a_cancelled_appointment_is_not_contact(full_record):
    from liaison.referrals.models import Appointment

    person, _ = full_record
    later = dt.datetime(2099, 1, 1, 10, tzinfo=dt.UTC)
    Appointment.objects.filter(episode__person=person).update(starts_at=later)
    assert _last_contact(person) == D(2099, 1, 1)
    Appointment.objects.filter(episode__person=person).update(attendance="cancelled")
    assert _last_contact(person) < D(2099, 1, 1)


def test_a_legal_hold_blocks_until_lifted_and_is_audited(site_a, team_a, team_lead):
    person, _ = _old_person(site_a)
    assert retention_due(person)
    hold = legal_hold_place(
        actor=team_lead, person=person, reason="litigation", reference="Claim QB-2026-001", detail=""
    )
    assert not retention_due(person)
    with pytest.raises(ValidationError, match="legal hold"):
        destruction_propose(actor=team_lead, person=person)
    legal_hold_lift(actor=team_lead, hold=hold, reason="The claim was settled")
    hold.refresh_from_db()
    assert (hold.lifted_by, hold.lift_reason) == (team_lead, "The claim was settled")
    assert retention_due(person)
    actions = list(AuditEvent.objects.filter(person_id=person.pk).values_list("action", flat=True))
    assert "rights.hold_place" in actions and "rights.hold_lift" in actions


def test_an_open_subject_access_request_blocks_destruction(site_a, team_a, team_lead):
    person, _ = _old_person(site_a)
    SubjectAccessRequest.objects.create(
        person=person,
        team=team_a,
        received_on=D(2026, 1, 1),
        identity_verified="seen",
        requester="person",
        statutory_due_on=D(2026, 2, 1),
        due_on=D(2026, 2, 1),
        created_by=team_lead,
    )
    assert not retention_due(person)
    with pytest.raises(ValidationError, match="subject access request"):
        destruction_propose(actor=team_lead, person=person)


def test_a_record_not_yet_due_is_refused_with_the_date(team_lead, person_a):
    with pytest.raises(ValidationError, match="kept until"):
        destruction_propose(actor=team_lead, person=person_a)


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.SUPPORT_WORKER, Role.ADMIN, Role.COMMISSIONER])
def test_only_team_leads_hold_or_propose(site_a, team_a, role):
    person, _ = _old_person(site_a)
    user = member(team_a, role, f"who-{role}")
    with pytest.raises(NotPermitted):
        legal_hold_place(actor=user, person=person, reason="inquiry", reference="X")
    with pytest.raises(NotPermitted):
        destruction_propose(actor=user, person=person)


def test_the_list_shows_the_teams_records_past_retention_in_bounded_queries(
    site_a, team_a, team_lead, person_a, django_assert_max_num_queries
):
    old = [_old_person(site_a, arrived=D(1990, 1, day))[0] for day in range(1, 4)]
    _old_person(site_a, arrived=D(2020, 1, 1))  # not due
    held, _ = _old_person(site_a)
    legal_hold_place(actor=team_lead, person=held, reason="inquiry", reference="Inquiry 7")
    assert [item.person.pk for item in team_past_retention(team_a.pk)] == [p.pk for p in old]
    client = client_for(team_lead)
    client.get(reverse("retention_list"))  # warm the session and memberships
    with django_assert_max_num_queries(20):
        response = client.get(reverse("retention_list"))
    for _ in range(10):
        _old_person(site_a)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("retention_list")).status_code == 200
    assert response.status_code == 200
    body = response.content.decode()
    assert all(f"Liaison ID {p.pk}" in body for p in old)
    assert f"Liaison ID {held.pk}<" not in body
    event = AuditEvent.objects.filter(action="rights.retention_list").order_by("id")[1]
    assert set(event.detail["person_ids"]) == {p.pk for p in old}


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.SUPPORT_WORKER, Role.COMMISSIONER])
def test_the_list_is_the_team_leads(team_a, role):
    assert client_for(member(team_a, role, f"u-{role}")).get(reverse("retention_list")).status_code == 403


def test_the_person_page_shows_the_retention_panel_and_holds(site_a, team_lead):
    person, _ = _old_person(site_a)
    legal_hold_place(actor=team_lead, person=person, reason="complaint", reference="Complaint 42")
    body = client_for(team_lead).get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "Retention" in body and "Adult mental health record" in body
    assert "Complaint 42" in body and reverse("legal_hold_new", args=[person.pk]) in body


def test_hold_pages_place_and_lift(site_a, team_lead):
    person, _ = _old_person(site_a)
    client = client_for(team_lead)
    url = reverse("legal_hold_new", args=[person.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "inquiry"}).status_code == 200  # the reference is missing
    response = client.post(url, {"reason": "inquiry", "reference": "Inquiry 9"})
    assert response.status_code == 302
    hold = person.legal_holds.get()
    lift = reverse("legal_hold_lift", args=[person.pk, hold.pk])
    assert client.post(lift, {"reason": "The inquiry closed"}).status_code == 302
    hold.refresh_from_db()
    assert not hold.is_on


def test_the_report_prints_counts_per_team_without_names(site_a, team_a, capsys):
    _old_person(site_a, given_name="Zebedee")
    call_command("retention_report")
    out = capsys.readouterr().out
    assert "team-a" in out and "1 past retention" in out and "Zebedee" not in out


def test_sharing_and_reports_are_not_contact(full_record):
    """A report written, signed off or revised, a consent recorded or withdrawn, a lawful basis decided,
    a disclosure (a clerk opening a link) or a partner's feedback today does not move the last contact
    of a record last seen in 1990 (rights.retention.NOT_CONTACT)."""
    from liaison.rights.retention import NOT_CONTACT

    person, sar = full_record
    SubjectAccessRequest.objects.filter(pk=sar.pk).update(fulfilled_at=dt.datetime.now(dt.UTC))
    long_ago = dt.datetime(1990, 3, 1, 10, tzinfo=dt.UTC)
    Episode.objects.filter(person=person).update(arrival_at=long_ago, closed_at=None)
    Contact.objects.filter(episode__person=person).update(at=long_ago)
    for _, label, path, column, _ in ACTIVITY:
        age_activity(person, label, path, column, long_ago)
    assert person.disclosures.filter(at__year__gte=2026).count() == 3  # shared today
    assert _last_contact(person) == D(1990, 3, 1) and retention_due(person)
    assert not set(NOT_CONTACT) & {a.model for a in ACTIVITY}
    assert all(reason.strip() for reason in NOT_CONTACT.values())
