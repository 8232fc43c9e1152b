"""Drop-in sessions: the register counts as contact, anonymous visitors are counted not named, and the
safety cases (another team's person, a closed episode, the stale edit, roles) are refused clearly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.models import AuditEvent, Role
from liaison.episodes.models import Channel, Contact, Stage
from liaison.outreach.models import DropInSession
from liaison.outreach.rules import evaluate
from liaison.outreach.services import attendance_add, session_create, session_update
from tests.factories import EpisodeFactory, PersonFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(team_a, support_worker):
    now = timezone.now()
    return session_create(
        actor=support_worker,
        team=team_a,
        place="Harbour Café, back room",
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=2),
        staff_ids=[support_worker.pk],
    )


def test_a_known_person_at_the_drop_in_is_a_successful_contact_and_quiets_the_outreach_rule(
    session, support_worker, site_a
):
    episode = EpisodeFactory(
        site=site_a, stage=Stage.SUPPORT, support_at=timezone.now() - dt.timedelta(days=20)
    )
    attendance_add(actor=support_worker, session=session, episode=episode, note="Asked about a food bank")
    contact = Contact.objects.get(episode=episode)
    assert contact.channel == Channel.DROP_IN and contact.successful
    assert "Harbour Café" in contact.note and "food bank" in contact.note
    assert evaluate().created["no_successful_contact"] == 0
    assert AuditEvent.objects.filter(action="drop_in.attend", person_id=episode.person_id).exists()


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("other_team", "Choose someone your team is working with"),
        ("closed", "Their episode is closed"),
        ("twice", "already on this session's register"),
    ],
)
def test_who_cannot_go_on_the_register(session, support_worker, site_a, site_b, case, message):
    episode = EpisodeFactory(site=site_b if case == "other_team" else site_a, stage=Stage.SUPPORT)
    if case == "closed":
        episode.stage = Stage.CLOSED
        episode.save()
    if case == "twice":
        attendance_add(actor=support_worker, session=session, episode=episode)
    before = Contact.objects.count()
    with pytest.raises(ValidationError) as error:
        attendance_add(actor=support_worker, session=session, episode=episode)
    assert message in " ".join(error.value.messages)
    assert Contact.objects.count() == before  # nothing half-saved


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.PRACTITIONER, True),
        (Role.SUPPORT_WORKER, True),
        (Role.ADVISER, True),
        (Role.TEAM_LEAD, True),
        (Role.COMMISSIONER, False),
        (Role.PARTNER, False),
        (Role.ADMIN, False),
    ],
)
def test_roles_that_run_drop_ins(team_a, role, allowed):
    user = member(team_a, role, f"u-{role}")
    now = timezone.now()
    kwargs = {
        "actor": user,
        "team": team_a,
        "place": "Hall",
        "starts_at": now,
        "ends_at": now + dt.timedelta(hours=2),
        "staff_ids": [],
    }
    if allowed:
        assert session_create(**kwargs).pk
    else:
        with pytest.raises(NotPermitted):
            session_create(**kwargs)


def test_the_outsider_cannot_record_in_another_teams_session(session, outsider, site_b):
    with pytest.raises(NotPermitted):
        attendance_add(
            actor=outsider, session=session, episode=EpisodeFactory(site=site_b, stage=Stage.SUPPORT)
        )


@pytest.mark.parametrize(
    ("starts", "ends", "field", "message"),
    [
        (0, -1, "ends_at", "The drop-in must end after it starts"),
        (0, 13, "ends_at", "12 hours at most"),
        (24 * 400, 24 * 400 + 2, "starts_at", "within a year of today"),
    ],
)
def test_session_times_are_checked(team_a, support_worker, starts, ends, field, message):
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        session_create(
            actor=support_worker,
            team=team_a,
            place="Hall",
            starts_at=now + dt.timedelta(hours=starts),
            ends_at=now + dt.timedelta(hours=ends),
            staff_ids=[],
        )
    assert message in " ".join(error.value.message_dict[field])


def test_staff_must_be_from_the_team(team_a, support_worker, outsider):
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        session_create(
            actor=support_worker,
            team=team_a,
            place="Hall",
            starts_at=now,
            ends_at=now + dt.timedelta(hours=1),
            staff_ids=[outsider.pk],
        )
    assert "staff" in error.value.message_dict


def test_the_stale_count_is_refused_and_the_newer_one_kept(session, support_worker):
    session_update(actor=support_worker, session=session, version=1, anonymous_count=4, notes="")
    with pytest.raises(StaleWrite):
        session_update(actor=support_worker, session=session, version=1, anonymous_count=2, notes="")
    assert DropInSession.objects.get(pk=session.pk).anonymous_count == 4


def test_the_register_page_finds_the_teams_people_and_adds_them(
    session, practitioner_client, site_a, site_b, django_assert_max_num_queries
):
    mine = EpisodeFactory(
        site=site_a, stage=Stage.SUPPORT, person=PersonFactory(given_name="Robin", family_name="Hale")
    )
    EpisodeFactory(
        site=site_b, stage=Stage.SUPPORT, person=PersonFactory(given_name="Robin", family_name="Other")
    )
    with django_assert_max_num_queries(20):
        page = practitioner_client.get(f"/drop-in/{session.pk}/?q=robin")
    html = page.content.decode()
    assert "Robin Hale" in html and "Robin Other" not in html
    response = practitioner_client.post(
        f"/drop-in/{session.pk}/register", {"attend-episode": mine.pk, "attend-note": "Came for a coffee"}
    )
    assert response.status_code == 302
    html = practitioner_client.get(f"/drop-in/{session.pk}/").content.decode()
    assert "Robin Hale" in html and "Came for a coffee" in html and "1 named" in html


def test_another_teams_session_is_a_404_and_audited(session, outsider_client):
    assert outsider_client.get(f"/drop-in/{session.pk}/").status_code == 404
    assert outsider_client.post(f"/drop-in/{session.pk}/count", {"count-version": 1}).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", object_type="drop_in").count() == 2


def test_adding_a_session_from_the_page_keeps_what_was_typed_on_an_error(practitioner_client):
    data = {
        "session-place": "Harbour Café",
        "session-starts_at-day": "1",
        "session-starts_at-month": "12",
        "session-starts_at-year": "2026",
        "session-starts_at-hour": "14",
        "session-starts_at-minute": "00",
        "session-ends_at-day": "1",
        "session-ends_at-month": "12",
        "session-ends_at-year": "2026",
        "session-ends_at-hour": "13",
        "session-ends_at-minute": "00",
    }
    response = practitioner_client.post("/drop-in/", data)
    html = response.content.decode()
    assert "The drop-in must end after it starts" in html
    assert 'value="Harbour Café"' in html
    data["session-ends_at-hour"] = "16"
    assert practitioner_client.post("/drop-in/", data).status_code == 302
