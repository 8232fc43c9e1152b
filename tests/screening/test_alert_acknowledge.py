"""Acknowledging a suicide-risk alert: who may, what must be recorded, stale edits, the person page
before (red urgent banner) and after (a quieter summary), the audit event, and a bounded page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from liaison.core.models import AuditEvent, BreakGlass
from liaison.core.presenters import AUDIT_ACTION_LABELS
from liaison.episodes.models import Task
from liaison.screening.models import AlertAction, Screening
from liaison.screening.services import screening_acknowledge, screening_complete, screening_start
from tests.screening.conftest import PHQ9_ITEM_9

NOTE = "Saw them in the cell at 14:00; safety plan agreed with the custody nurse."


@pytest.fixture
def alert(practitioner, episode_a):
    """A completed PHQ-9 with item 9 above 0: the suicide-risk alert and its urgent task."""
    draft = screening_start(actor=practitioner, episode=episode_a, instrument="phq-9", answers=PHQ9_ITEM_9)
    return screening_complete(actor=practitioner, screening=draft, version=draft.version)


def _post(client, screening, *, version=None, action=AlertAction.SAFETY_PLAN.value, note=NOTE):
    data = {"version": screening.version if version is None else version, "action": action, "note": note}
    return client.post(f"/screenings/{screening.pk}/acknowledge", data)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("practitioner", 302),
        ("team_lead", 302),
        ("support_worker", 403),
        ("commissioner", 404),  # not a clinical role: the record is not theirs to see at all
    ],
)
def test_who_may_acknowledge(request, alert, who, status):
    user = request.getfixturevalue(who)
    client = _client(user)
    assert client.get(f"/screenings/{alert.pk}/acknowledge").status_code == (200 if status == 302 else status)
    response = _post(client, alert)
    assert response.status_code == status
    alert.refresh_from_db()
    if status == 302:
        assert response["Location"] == f"/people/{alert.episode.person_id}/"
        assert alert.acknowledged_by == user and alert.acknowledged_at is not None
        assert alert.acknowledged_action == "safety_plan" and alert.acknowledged_note == NOTE
    else:
        assert alert.acknowledged_at is None and alert.version == 2


def test_an_outsider_gets_404_and_is_audited(outsider_client, outsider, alert):
    assert outsider_client.get(f"/screenings/{alert.pk}/acknowledge").status_code == 404
    response = _post(outsider_client, alert)
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        action="access.denied", actor_id=outsider.pk, object_type="screening", object_id=str(alert.pk)
    ).exists()
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_break_glass_is_read_only_and_cannot_acknowledge(outsider, team_b, alert):
    BreakGlass.objects.create(
        user=outsider,
        team=team_b,
        person=alert.episode.person,
        reason="Crisis call from the custody sergeant",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    client = _client(outsider)
    person_page = client.get(f"/people/{alert.episode.person_id}/").content.decode()
    assert 'id="suicide-risk-alert"' in person_page and "/acknowledge" not in person_page
    assert client.get(f"/screenings/{alert.pk}/acknowledge").status_code == 403
    response = _post(client, alert)
    assert response.status_code == 403 and "read-only" in response.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


@pytest.mark.parametrize(
    ("action", "note", "message"),
    [
        ("", NOTE, "Select what was done"),
        ("made_up", NOTE, "Select what was done"),
        ("other", "", "Enter a note of what was done"),
        ("other", "   ", "Enter a note of what was done"),
    ],
)
def test_what_was_done_and_a_note_are_required(practitioner_client, alert, action, note, message):
    response = _post(practitioner_client, alert, action=action, note=note)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "<title>Error: " in html
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_the_service_refuses_missing_fields_and_a_second_acknowledgement(practitioner, alert):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        screening_acknowledge(actor=practitioner, screening=alert, version=alert.version, action="", note="")
    assert set(error.value.message_dict) == {"action", "note"}
    done = screening_acknowledge(
        actor=practitioner, screening=alert, version=alert.version, action="assessed", note=NOTE
    )
    with pytest.raises(ValidationError, match="already been acknowledged"):
        screening_acknowledge(
            actor=practitioner, screening=done, version=done.version, action="other", note="x"
        )


def test_a_stale_acknowledgement_is_refused_with_a_clear_conflict(practitioner_client, team_lead, alert):
    opened = alert.version
    screening_acknowledge(
        actor=team_lead, screening=alert, version=opened, action="referred", note="Crisis team"
    )
    response = _post(practitioner_client, alert, version=opened, note="My note")
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this screening after you opened it" in html
    assert "Nothing you entered has been saved yet" in html
    alert.refresh_from_db()
    assert alert.acknowledged_note == "Crisis team" and alert.acknowledged_action == "referred"


def test_an_old_version_is_a_conflict_even_before_anyone_acknowledged(practitioner_client, alert):
    response = _post(practitioner_client, alert, version=alert.version - 1)
    assert response.status_code == 409
    html = response.content.decode()
    # What was entered is kept, with the current version, so submitting again works.
    assert (
        "Someone else changed this screening" in html and "safety plan agreed with the custody nurse" in html
    )
    assert f'name="version" value="{alert.version}"' in html
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_acknowledging_is_audited_and_the_label_is_known(practitioner_client, practitioner, alert):
    _post(practitioner_client, alert)
    event = AuditEvent.objects.get(action="screening.alert_acknowledged")
    assert event.actor_id == practitioner.pk and event.object_id == str(alert.pk)
    assert event.person_id == alert.episode.person_id and event.detail == {"action": "safety_plan"}
    assert NOTE not in str(event.detail)  # the note is clinical text: kept on the record, not the log
    assert "screening.alert_acknowledged" in AUDIT_ACTION_LABELS


def test_acknowledging_does_not_complete_the_urgent_task(practitioner_client, alert):
    page = practitioner_client.get(f"/screenings/{alert.pk}/acknowledge").content.decode()
    assert "It does not complete the urgent task" in page
    _post(practitioner_client, alert)
    task = Task.objects.get(pk=alert.urgent_task_id)
    assert task.done_at is None


def test_the_person_page_turns_the_red_banner_into_a_quiet_summary(practitioner_client, practitioner, alert):
    person_url = f"/people/{alert.episode.person_id}/"
    before = practitioner_client.get(person_url).content.decode()
    assert 'id="suicide-risk-alert"' in before and "nhsuk-card--care--urgent" in before
    assert f'href="/screenings/{alert.pk}/acknowledge"' in before
    assert 'id="suicide-risk-acknowledged"' not in before

    response = _post(practitioner_client, alert)
    after = practitioner_client.get(response["Location"]).content.decode()
    alert.refresh_from_db()
    local = timezone.localtime(alert.acknowledged_at)
    when = timezone.localtime(alert.completed_at)
    assert 'id="suicide-risk-alert"' not in after and "nhsuk-card--care--urgent" not in after
    assert 'id="suicide-risk-acknowledged"' in after
    expected = (
        f"Suicide risk flagged on {when.day} {when:%B %Y} (PHQ-9)</a>. "
        f"Acknowledged by {practitioner} at {local:%H:%M} on {local.day} {local:%B %Y}: "
        f"Safety plan agreed with the person — {NOTE}"
    )
    assert expected in after.replace("&#x27;", "'")
    assert "The urgent task is still open." in after
    assert "Alert acknowledged. The urgent task stays open until someone marks it done." in after


def test_unacknowledged_alerts_come_first_and_stay_urgent(
    practitioner_client, practitioner, episode_a, alert
):
    screening_acknowledge(
        actor=practitioner, screening=alert, version=alert.version, action="other", note="Old"
    )
    draft = screening_start(actor=practitioner, episode=episode_a, instrument="phq-9", answers=PHQ9_ITEM_9)
    newer = screening_complete(actor=practitioner, screening=draft, version=draft.version)
    html = practitioner_client.get(f"/people/{episode_a.person_id}/").content.decode()
    assert html.index('id="suicide-risk-alert"') < html.index('id="suicide-risk-acknowledged"')
    urgent = html[html.index('id="suicide-risk-alert"') : html.index('id="suicide-risk-acknowledged"')]
    assert f"/screenings/{newer.pk}/acknowledge" in urgent and f"/screenings/{alert.pk}/" not in urgent


def test_support_workers_are_not_offered_the_acknowledge_link(support_worker, alert):
    html = _client(support_worker).get(f"/people/{alert.episode.person_id}/").content.decode()
    assert 'id="suicide-risk-alert"' in html and "/acknowledge" not in html


def test_a_screening_without_an_alert_has_nothing_to_acknowledge(
    practitioner_client, practitioner, episode_a
):
    draft = screening_start(actor=practitioner, episode=episode_a, instrument="phq-9")
    response = _post(practitioner_client, draft)
    assert response.status_code == 302 and response["Location"] == f"/screenings/{draft.pk}/"
    assert Screening.objects.get(pk=draft.pk).acknowledged_at is None


@pytest.mark.parametrize("acknowledged", [False, True])
def test_the_person_page_stays_bounded_with_alerts(
    practitioner_client, practitioner, episode_a, alert, acknowledged, django_assert_max_num_queries
):
    if acknowledged:
        screening_acknowledge(
            actor=practitioner, screening=alert, version=alert.version, action="other", note="x"
        )
    # The same bound as tests/people/test_views_person.py less its extra records: who acknowledged is folded
    # into the alert query; consent adds two (agreements to share, newest disclosures).
    with django_assert_max_num_queries(26):
        response = practitioner_client.get(f"/people/{episode_a.person_id}/")
    assert response.status_code == 200
