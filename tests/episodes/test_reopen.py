"""Support is indefinite: a closed episode can be reopened, at the stage it was closed from, with the
whole history kept."""

import pytest
from django.core.exceptions import ValidationError

from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.models import AuditEvent
from liaison.episodes.models import ClosureReason, Stage
from liaison.episodes.services import episode_move, episode_reopen

pytestmark = pytest.mark.django_db


def _to_support_then_closed(episode, actor):
    for stage in (Stage.SCREENED, Stage.ASSESSED, Stage.SUPPORT):
        episode = episode_move(actor=actor, episode=episode, version=episode.version, to_stage=stage)
    return episode_move(
        actor=actor,
        episode=episode,
        version=episode.version,
        to_stage=Stage.CLOSED,
        closure_reason=ClosureReason.LOST_CONTACT,
    )


def test_reopening_returns_to_support_and_keeps_the_closure_in_the_history(episode_a, practitioner):
    closed = _to_support_then_closed(episode_a, practitioner)
    rows_before = closed.statuses.count()
    reopened = episode_reopen(
        actor=practitioner,
        episode=closed,
        version=closed.version,
        reason="Came back to the drop-in asking for help",
    )
    assert reopened.stage == Stage.SUPPORT
    assert reopened.closed_at is None and reopened.closure_reason == ""
    stages = list(reopened.statuses.values_list("stage", flat=True))
    assert stages[-2:] == [Stage.CLOSED, Stage.SUPPORT] and len(stages) == rows_before + 1
    note = reopened.statuses.last().note
    assert "Lost contact after repeated attempts" in note and "drop-in" in note
    assert AuditEvent.objects.filter(action="episode.reopen", object_id=str(episode_a.pk)).exists()


@pytest.mark.parametrize(
    ("case", "field"),
    [("open", "stage"), ("no_reason", "reason")],
)
def test_what_cannot_be_reopened(episode_a, practitioner, case, field):
    episode = episode_a if case == "open" else _to_support_then_closed(episode_a, practitioner)
    with pytest.raises(ValidationError) as error:
        episode_reopen(
            actor=practitioner, episode=episode, version=episode.version, reason="" if field else "x"
        )
    assert field in error.value.message_dict


def test_the_stale_reopen_and_the_wrong_role(episode_a, practitioner, support_worker, outsider):
    closed = _to_support_then_closed(episode_a, practitioner)
    with pytest.raises(StaleWrite):
        episode_reopen(
            actor=practitioner, episode=closed, version=closed.version - 1, reason="Back in touch again"
        )
    for who in (support_worker, outsider):
        with pytest.raises(NotPermitted):
            episode_reopen(actor=who, episode=closed, version=closed.version, reason="Back in touch again")
    closed.refresh_from_db()
    assert closed.stage == Stage.CLOSED


def test_reopening_from_the_episode_page(episode_a, practitioner, practitioner_client):
    closed = _to_support_then_closed(episode_a, practitioner)
    page = practitioner_client.get(f"/episodes/{closed.pk}/").content.decode()
    assert "Reopen the episode" in page
    short = practitioner_client.post(
        f"/episodes/{closed.pk}/reopen", {"reopen-version": closed.version, "reopen-reason": "back"}
    )
    assert "Say why the episode is being reopened" in short.content.decode()
    response = practitioner_client.post(
        f"/episodes/{closed.pk}/reopen",
        {"reopen-version": closed.version, "reopen-reason": "Rang the team from the hostel"},
    )
    assert response.status_code == 302
    closed.refresh_from_db()
    assert closed.stage == Stage.SUPPORT
