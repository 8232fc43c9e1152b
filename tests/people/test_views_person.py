"""A person's record: identifiers, demographics, contacts, aliases and every episode as a timeline."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from liaison.core.models import AuditEvent, BreakGlass, Role
from liaison.episodes.models import Contact, EpisodeStatus, Stage, Task
from liaison.people.models import Alias, ContactRelationship, PersonContact
from tests.factories import EpisodeFactory, PersonFactory, member


def _episode_with_history(site, person, worker, *, days_ago: int):
    arrival = timezone.now() - dt.timedelta(days=days_ago, hours=2)
    episode = EpisodeFactory(
        site=site,
        person=person,
        arrival_at=arrival,
        identified_at=arrival,
        allocated_worker=worker,
        stage=Stage.SCREENED,
    )
    EpisodeStatus.objects.create(
        episode=episode,
        stage=Stage.SCREENED,
        at=arrival + dt.timedelta(minutes=30),
        by=worker,
        note="Screened",
    )
    Contact.objects.create(
        episode=episode,
        at=arrival + dt.timedelta(minutes=40),
        channel="in_person",
        successful=True,
        by=worker,
    )
    Contact.objects.create(
        episode=episode,
        at=arrival + dt.timedelta(minutes=50),
        channel="phone",
        successful=False,
        note="Voicemail",
        by=worker,
    )
    Task.objects.create(
        episode=episode,
        title=f"Follow up {days_ago}",
        due=timezone.localdate() + dt.timedelta(days=1),
        owner=worker,
        created_by=worker,
    )
    Task.objects.create(
        episode=episode,
        title=f"Done {days_ago}",
        due=timezone.localdate(),
        owner=worker,
        created_by=worker,
        done_at=arrival + dt.timedelta(hours=1),
        done_by=worker,
    )
    return episode


@pytest.fixture
def full_person(site_a, practitioner):
    person = PersonFactory(
        given_name="Jamie",
        family_name="Synthetic",
        nhs_number="9434765919",
        pnc_id="05/123456R",
        local_id="NT-77",
        interpreter_needed=True,
        language="Polish",
        communication_needs="Hard of hearing: face them when speaking",
        sex="1",
        ethnicity="C",
        no_fixed_abode=True,
    )
    PersonContact.objects.create(
        person=person,
        relationship=ContactRelationship.APPROPRIATE_ADULT,
        name="Pat Helper",
        phone="01234 000000",
    )
    Alias.objects.create(person=person, given_name="Jay", family_name="Madeup", family_name_search="madeup")
    _episode_with_history(site_a, person, practitioner, days_ago=40)
    _episode_with_history(site_a, person, practitioner, days_ago=1)
    return person


def test_the_record_shows_identifiers_demographics_contacts_and_aliases(practitioner_client, full_person):
    response = practitioner_client.get(f"/people/{full_person.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"<title>Person record, Liaison ID {full_person.pk} – Liaison</title>" in html
    assert "Jamie Synthetic" in html
    assert "943 476 5919" in html and "05/123456R" in html and "NT-77" in html
    assert "No fixed abode" in html and "White: any other White background" in html
    assert "Needs an interpreter: Polish" in html
    assert "Hard of hearing: face them when speaking" in html
    assert "Pat Helper" in html and "Appropriate adult" in html
    assert "Jay Madeup" in html


def test_every_episode_is_a_timeline_newest_first(practitioner_client, full_person):
    html = practitioner_client.get(f"/people/{full_person.pk}/").content.decode()
    follow_ups = re.findall(r"Task added: Follow up (\d+)", html)
    assert follow_ups == ["1", "40"]
    for entry in (
        "Moved to screened",
        "In person contact",
        "Phone contact",
        "Voicemail",
        "Task done: Done 1",
    ):
        assert entry in html
    assert "Contact made" in html and "No contact made" in html
    assert html.count('class="nhsuk-card liaison-episode"') == 2


def test_viewing_a_record_is_audited(practitioner_client, practitioner, full_person, team_a):
    practitioner_client.get(f"/people/{full_person.pk}/")
    event = AuditEvent.objects.get(action="person.view")
    assert (event.actor_id, event.person_id, event.team_id) == (practitioner.pk, full_person.pk, team_a.pk)


def test_outsider_gets_404_and_the_attempt_is_audited(outsider_client, outsider, person_a):
    response = outsider_client.get(f"/people/{person_a.pk}/")
    assert response.status_code == 404
    assert "Rivers" not in response.content.decode()
    event = AuditEvent.objects.get(action="access.denied")
    assert (event.actor_id, event.person_id) == (outsider.pk, person_a.pk)
    assert not AuditEvent.objects.filter(action="person.view").exists()


def test_a_missing_person_looks_the_same_as_someone_elses(outsider_client, practitioner_client, person_a):
    missing = practitioner_client.get(f"/people/{person_a.pk + 100}/")
    not_yours = outsider_client.get(f"/people/{person_a.pk}/")
    assert missing.status_code == not_yours.status_code == 404
    assert "Record not found" in missing.content.decode() and "Record not found" in not_yours.content.decode()


def test_break_the_glass_access_shows_a_banner(outsider_client, outsider, person_a, team_b):
    BreakGlass.objects.create(
        user=outsider,
        team=team_b,
        person=person_a,
        reason="Sergeant phoned",
        expires_at=timezone.now() + dt.timedelta(minutes=45),
    )
    html = outsider_client.get(f"/people/{person_a.pk}/").content.decode()
    assert "You are seeing this record because you broke the glass" in html
    assert "Your access ends at" in html
    # They may read, but the other team's episode offers them no actions.
    assert "Record a contact" not in html


def test_only_team_leads_get_the_who_viewed_link(practitioner_client, lead_client, person_a):
    link = f'href="/people/{person_a.pk}/audit"'
    assert link in lead_client.get(f"/people/{person_a.pk}/").content.decode()
    assert link not in practitioner_client.get(f"/people/{person_a.pk}/").content.decode()


def test_support_workers_can_read_the_record(team_a, person_a, client):
    client.force_login(member(team_a, Role.SUPPORT_WORKER))
    assert client.get(f"/people/{person_a.pk}/").status_code == 200


@pytest.mark.parametrize("episodes", [1, 5])
def test_the_record_runs_a_bounded_number_of_queries(
    practitioner_client, practitioner, site_a, episodes, django_assert_max_num_queries
):
    person = PersonFactory(given_name="Query", family_name="Counter")
    for n in range(episodes):
        _episode_with_history(site_a, person, practitioner, days_ago=n * 10 + 1)
    PersonContact.objects.create(
        person=person, relationship=ContactRelationship.NEXT_OF_KIN, name="Kin Person"
    )
    # 24: fixed ones include the screening app's suicide-risk alert ({% suicide_risk_alert person %}), the
    # session's second-factor device (django-otp), the person's open disputes (rights) and the records
    # merged into this one (matching), and the person's latest referrals to services (referrals: one
    # query across every episode, with each referral's service and next appointment), and the newest
    # complete crisis plan (support: one query across every episode), and consent (consent: the team's
    # current agreements to share and the newest disclosures, one query each).
    with django_assert_max_num_queries(28):
        response = practitioner_client.get(f"/people/{person.pk}/")
    assert response.status_code == 200
    assert response.content.decode().count('class="nhsuk-card liaison-episode"') == episodes
