"""One episode: its page, logging contacts, tasks, and moving its stage without losing anyone's change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from liaison.core.models import AuditEvent, BreakGlass, Role
from liaison.episodes.models import Contact, EpisodeStatus, Stage, Task
from liaison.episodes.services import episode_update
from tests.factories import member


def _when(moment: dt.datetime, prefix: str) -> dict[str, str]:
    local = timezone.localtime(moment)
    return {
        f"{prefix}-day": str(local.day),
        f"{prefix}-month": str(local.month),
        f"{prefix}-year": str(local.year),
        f"{prefix}-hour": f"{local.hour:02d}",
        f"{prefix}-minute": f"{local.minute:02d}",
    }


def _task(episode, owner, *, title="Phone the GP surgery", due=None):
    return Task.objects.create(
        episode=episode, title=title, due=due or timezone.localdate(), owner=owner, created_by=owner
    )


# --- the page -------------------------------------------------------------------------------------


def test_episode_page_shows_the_episode_its_timeline_and_forms(practitioner_client, episode_a, practitioner):
    Contact.objects.create(
        episode=episode_a,
        at=timezone.now(),
        channel="phone",
        successful=False,
        note="No answer",
        by=practitioner,
    )
    response = practitioner_client.get(f"/episodes/{episode_a.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Alex Rivers" in html
    assert "Phone contact" in html and "No contact made" in html and "No answer" in html
    for form_id in ("log-contact", "add-task", "stage"):
        assert f'id="{form_id}"' in html
    assert f'name="stage-version" value="{episode_a.version}"' in html
    assert AuditEvent.objects.filter(action="episode.view", object_id=str(episode_a.pk)).exists()


def test_outsider_gets_404_for_an_episode_and_is_audited(outsider_client, outsider, episode_a):
    response = outsider_client.get(f"/episodes/{episode_a.pk}/")
    assert response.status_code == 404
    assert "Rivers" not in response.content.decode()
    event = AuditEvent.objects.get(action="access.denied")
    assert (event.actor_id, event.object_type, event.person_id) == (
        outsider.pk,
        "episode",
        episode_a.person_id,
    )


def test_outsider_cannot_post_to_an_episode(outsider_client, episode_a):
    data = {"contact-channel": "phone", "contact-successful": "yes", **_when(timezone.now(), "contact-at")}
    assert outsider_client.post(f"/episodes/{episode_a.pk}/contacts", data).status_code == 404
    assert not Contact.objects.exists()


# --- contacts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("answer", "successful"), [("yes", True), ("no", False)])
def test_logging_a_contact_successful_or_not(
    practitioner_client, practitioner, episode_a, answer, successful
):
    data = {
        "contact-channel": "in_person",
        "contact-successful": answer,
        "contact-note": "Seen in the cell block",
        **_when(timezone.now() - dt.timedelta(minutes=5), "contact-at"),
    }
    response = practitioner_client.post(f"/episodes/{episode_a.pk}/contacts", data)
    assert response.status_code == 302
    assert response["Location"] == f"/episodes/{episode_a.pk}/"
    contact = Contact.objects.get(episode=episode_a)
    assert (contact.channel, contact.successful, contact.note, contact.by) == (
        "in_person",
        successful,
        "Seen in the cell block",
        practitioner,
    )
    assert AuditEvent.objects.filter(action="contact.create", person_id=episode_a.person_id).exists()
    assert "Contact recorded" in practitioner_client.get(response["Location"]).content.decode()


def test_a_contact_with_missing_answers_keeps_the_note(practitioner_client, episode_a):
    data = {"contact-channel": "", "contact-note": "Kept note", **_when(timezone.now(), "contact-at")}
    response = practitioner_client.post(f"/episodes/{episode_a.pk}/contacts", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_contact-channel">Select how the contact was made</a>' in html
    assert '<a href="#id_contact-successful">Select yes if you reached the person</a>' in html
    assert "Kept note</textarea>" in html
    assert not Contact.objects.exists()


def test_a_contact_in_the_future_is_refused_by_the_service(practitioner_client, episode_a):
    data = {
        "contact-channel": "phone",
        "contact-successful": "yes",
        **_when(timezone.now() + dt.timedelta(days=1), "contact-at"),
    }
    html = practitioner_client.post(f"/episodes/{episode_a.pk}/contacts", data).content.decode()
    assert '<a href="#id_contact-at-day">Contact time cannot be in the future</a>' in html
    assert not Contact.objects.exists()


# --- tasks ----------------------------------------------------------------------------------------


def test_adding_a_task_for_a_team_member(practitioner_client, episode_a, team_a):
    colleague = member(team_a, Role.SUPPORT_WORKER)
    due = timezone.localdate() + dt.timedelta(days=2)
    data = {
        "task-title": "Go with them to the housing office",
        "task-due-day": str(due.day),
        "task-due-month": str(due.month),
        "task-due-year": str(due.year),
        "task-owner": str(colleague.pk),
    }
    response = practitioner_client.post(f"/episodes/{episode_a.pk}/tasks", data)
    assert response.status_code == 302
    task = Task.objects.get(episode=episode_a)
    assert (task.title, task.due, task.owner) == ("Go with them to the housing office", due, colleague)


def test_a_task_without_a_title_keeps_the_date(practitioner_client, episode_a, practitioner, outsider):
    data = {
        "task-title": "",
        "task-due-day": "31",
        "task-due-month": "12",
        "task-due-year": "2030",
        "task-owner": str(outsider.pk),
    }
    html = practitioner_client.post(f"/episodes/{episode_a.pk}/tasks", data).content.decode()
    assert '<a href="#id_task-title">Enter what needs doing</a>' in html
    assert '<a href="#id_task-owner">Give the task to a member of the episode&#x27;s team</a>' in html
    assert 'name="task-due-year" type="text" inputmode="numeric" autocomplete="off" value="2030"' in html
    assert not Task.objects.exists()


def test_marking_a_task_done(practitioner_client, practitioner, episode_a):
    task = _task(episode_a, practitioner)
    response = practitioner_client.post(
        f"/episodes/{episode_a.pk}/tasks/{task.pk}/done", {"version": str(task.version)}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by == practitioner


def test_marking_a_task_done_with_a_stale_version_changes_nothing(
    practitioner_client, practitioner, episode_a
):
    task = _task(episode_a, practitioner)
    response = practitioner_client.post(f"/episodes/{episode_a.pk}/tasks/{task.pk}/done", {"version": "99"})
    assert response.status_code == 409
    assert "Someone else changed this task" in response.content.decode()
    task.refresh_from_db()
    assert task.done_at is None


def test_a_task_of_another_episode_cannot_be_completed_through_this_one(
    practitioner_client, practitioner, episode_a, site_b, outsider
):
    from tests.factories import EpisodeFactory

    other_task = _task(EpisodeFactory(site=site_b), outsider)
    response = practitioner_client.post(
        f"/episodes/{episode_a.pk}/tasks/{other_task.pk}/done", {"version": str(other_task.version)}
    )
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", object_type="task").exists()
    other_task.refresh_from_db()
    assert other_task.done_at is None


# --- stage ----------------------------------------------------------------------------------------


def test_moving_to_the_next_stage(practitioner_client, practitioner, episode_a):
    response = practitioner_client.post(
        f"/episodes/{episode_a.pk}/stage",
        {"stage-version": "1", "stage-to_stage": "screened", "stage-note": "Screened with the L&D tool"},
    )
    assert response.status_code == 302
    episode_a.refresh_from_db()
    assert episode_a.stage == Stage.SCREENED
    assert EpisodeStatus.objects.filter(episode=episode_a).last().note == "Screened with the L&D tool"
    assert "Episode moved to screened" in practitioner_client.get(response["Location"]).content.decode()


def test_closing_needs_a_reason_and_keeps_the_choices(practitioner_client, episode_a):
    data = {
        "stage-version": "1",
        "stage-to_stage": "closed",
        "stage-justice_outcome": "rui",
        "stage-note": "Released",
    }
    html = practitioner_client.post(f"/episodes/{episode_a.pk}/stage", data).content.decode()
    assert '<a href="#id_stage-closure_reason">Select why the episode is being closed</a>' in html
    assert 'value="closed" checked' in html
    assert '<option value="rui" selected>' in html
    assert "Released</textarea>" in html
    episode_a.refresh_from_db()
    assert episode_a.stage == Stage.IDENTIFIED


def test_closing_with_a_reason_and_justice_outcome(practitioner_client, episode_a):
    data = {
        "stage-version": "1",
        "stage-to_stage": "closed",
        "stage-closure_reason": "not_seen",
        "stage-justice_outcome": "nfa",
    }
    assert practitioner_client.post(f"/episodes/{episode_a.pk}/stage", data).status_code == 302
    episode_a.refresh_from_db()
    assert (episode_a.stage, episode_a.closure_reason, episode_a.justice_outcome) == (
        "closed",
        "not_seen",
        "nfa",
    )
    page = practitioner_client.get(f"/episodes/{episode_a.pk}/").content.decode()
    assert 'id="stage"' not in page  # nothing left to move


def test_a_stale_version_explains_the_conflict_and_keeps_the_entered_values(
    practitioner_client, team_lead, episode_a
):
    # Someone else changes the episode after the practitioner opened it (version 1 -> 2).
    episode_update(actor=team_lead, episode=episode_a, version=1, custody_number="NT-9")
    data = {
        "stage-version": "1",
        "stage-to_stage": "closed",
        "stage-closure_reason": "declined",
        "stage-note": "Declined at the cell door",
    }
    response = practitioner_client.post(f"/episodes/{episode_a.pk}/stage", data)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this episode after you opened it" in html
    assert html.count("nhsuk-error-summary__list") == 1
    assert "Declined at the cell door</textarea>" in html
    assert '<option value="declined" selected>' in html
    assert 'value="closed" checked' in html
    assert 'name="stage-version" value="2"' in html  # the next save is a deliberate one
    episode_a.refresh_from_db()
    assert (episode_a.stage, episode_a.version) == (Stage.IDENTIFIED, 2)


def test_support_workers_see_no_stage_form_and_cannot_move_the_stage(team_a, episode_a, client):
    client.force_login(member(team_a, Role.SUPPORT_WORKER))
    page = client.get(f"/episodes/{episode_a.pk}/").content.decode()
    assert 'id="stage"' not in page and 'id="log-contact"' in page
    response = client.post(
        f"/episodes/{episode_a.pk}/stage", {"stage-version": "1", "stage-to_stage": "screened"}
    )
    assert response.status_code == 403
    assert "You cannot do this" in response.content.decode()
    episode_a.refresh_from_db()
    assert episode_a.stage == Stage.IDENTIFIED


def test_break_glass_viewers_can_read_but_not_change_another_teams_episode(
    outsider_client, outsider, episode_a, team_b
):
    BreakGlass.objects.create(
        user=outsider,
        team=team_b,
        person=episode_a.person,
        reason="Sergeant phoned",
        expires_at=timezone.now() + dt.timedelta(minutes=30),
    )
    page = outsider_client.get(f"/episodes/{episode_a.pk}/").content.decode()
    assert "You are seeing this record because you broke the glass" in page
    assert 'id="log-contact"' not in page
    data = {"contact-channel": "phone", "contact-successful": "yes", **_when(timezone.now(), "contact-at")}
    assert outsider_client.post(f"/episodes/{episode_a.pk}/contacts", data).status_code == 403
    assert not Contact.objects.exists()
