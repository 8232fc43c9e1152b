"""Screening services: start, save partial answers, complete; the rules a wrong input must not pass."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.models import AuditEvent
from liaison.episodes.models import EpisodeStatus, Stage, Task
from liaison.episodes.services import episode_move
from liaison.screening.models import Screening, ScreeningStatus
from liaison.screening.services import screening_complete, screening_save_answers, screening_start
from tests.screening.conftest import PHQ9_CLEAR, PHQ9_ITEM_9


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict


def test_start_stores_the_instrument_version_and_default_profile_and_is_audited(practitioner, episode_a):
    screening = screening_start(actor=practitioner, episode=episode_a, instrument="audit-c")
    assert (screening.instrument_code, screening.instrument_version, screening.profile) == (
        "audit-c",
        "1",
        "uk",
    )
    assert screening.status == ScreeningStatus.DRAFT and screening.answers == {}
    event = AuditEvent.objects.get(action="screening.create")
    assert (event.person_id, event.object_id) == (episode_a.person_id, str(screening.pk))


def test_support_workers_cannot_screen(support_worker, episode_a):
    with pytest.raises(NotPermitted):
        screening_start(actor=support_worker, episode=episode_a, instrument="phq-9")
    assert not Screening.objects.exists()


def test_the_wrong_instrument_for_the_persons_age_is_refused_naming_it(
    practitioner, episode_a, youth_episode
):
    with pytest.raises(ValidationError) as caught:
        screening_start(actor=practitioner, episode=episode_a, instrument="crafft")
    message = _messages(caught.value)["instrument"][0]
    assert message.startswith("CRAFFT 2.1 is for people aged 12 to 21: this person is ")
    with pytest.raises(ValidationError) as caught:
        screening_start(actor=practitioner, episode=youth_episode, instrument="audit")
    assert _messages(caught.value)["instrument"][0].startswith("AUDIT is for people aged 18 and over")
    assert (
        screening_start(actor=practitioner, episode=youth_episode, instrument="crafft").instrument_version
        == "2.1"
    )
    assert Screening.objects.count() == 1


def test_unknown_instrument_profile_and_closed_episode_are_refused(practitioner, episode_a):
    with pytest.raises(ValidationError) as caught:
        screening_start(actor=practitioner, episode=episode_a, instrument="c-ssrs")
    assert "instrument" in _messages(caught.value)
    with pytest.raises(ValidationError) as caught:
        screening_start(actor=practitioner, episode=episode_a, instrument="audit-c", profile="scotland")
    assert "profile" in _messages(caught.value)
    episode_move(
        actor=practitioner,
        episode=episode_a,
        version=episode_a.version,
        to_stage=Stage.CLOSED,
        closure_reason="other",
    )
    episode_a.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        screening_start(actor=practitioner, episode=episode_a, instrument="phq-9")
    assert "episode" in _messages(caught.value)
    assert not Screening.objects.exists()


def test_partial_answers_are_saved_and_bad_ones_refused_naming_the_item(practitioner, episode_a):
    screening = screening_start(actor=practitioner, episode=episode_a, instrument="phq-9", answers={"1": 2})
    saved = screening_save_answers(
        actor=practitioner, screening=screening, version=1, answers={"1": 2, "2": 3}
    )
    assert (saved.answers, saved.version, saved.status) == ({"1": 2, "2": 3}, 2, ScreeningStatus.DRAFT)
    with pytest.raises(ValidationError) as caught:
        screening_save_answers(
            actor=practitioner, screening=saved, version=2, answers={"1": 2, "3": 7, "12": 1}
        )
    assert set(_messages(caught.value)) == {"answers.3", "answers.12"}
    saved.refresh_from_db()
    assert saved.answers == {"1": 2, "2": 3} and saved.version == 2


def test_a_stale_version_is_refused(practitioner, episode_a):
    screening = screening_start(actor=practitioner, episode=episode_a, instrument="gad-2")
    screening_save_answers(actor=practitioner, screening=screening, version=1, answers={"1": 1})
    with pytest.raises(StaleWrite):
        screening_save_answers(actor=practitioner, screening=screening, version=1, answers={"1": 3})
    with pytest.raises(StaleWrite):
        screening_complete(actor=practitioner, screening=screening, version=1)


def test_completing_with_a_missing_item_changes_nothing(practitioner, episode_a):
    answers = {k: v for k, v in PHQ9_ITEM_9.items() if k != "9"}
    screening = screening_start(actor=practitioner, episode=episode_a, instrument="phq-9", answers=answers)
    with pytest.raises(ValidationError) as caught:
        screening_complete(actor=practitioner, screening=screening, version=1)
    assert _messages(caught.value) == {"answers.9": ["Item 9 needs an answer"]}
    screening.refresh_from_db()
    episode_a.refresh_from_db()
    assert (screening.status, screening.version, screening.total) == (ScreeningStatus.DRAFT, 1, None)
    assert episode_a.stage == Stage.IDENTIFIED and episode_a.screened_at is None
    assert not Task.objects.exists()


def test_completion_stores_the_score_and_moves_the_episode_to_screened(practitioner, episode_a):
    screening = screening_start(actor=practitioner, episode=episode_a, instrument="phq-9", answers=PHQ9_CLEAR)
    done = screening_complete(actor=practitioner, screening=screening, version=1)
    assert (done.status, done.total, done.band, done.positive, done.flags) == (
        "complete",
        2,
        "none-minimal",
        False,
        [],
    )
    assert done.subscores == {"phq2": 2} and done.instrument_version == "1"
    assert done.completed_by == practitioner and done.completed_at is not None
    assert not done.suicide_risk and done.urgent_task is None
    episode_a.refresh_from_db()
    assert episode_a.stage == Stage.SCREENED and episode_a.screened_at == done.completed_at
    assert EpisodeStatus.objects.filter(episode=episode_a, stage=Stage.SCREENED).count() == 1
    assert AuditEvent.objects.filter(action="screening.complete", object_id=str(done.pk)).exists()
    with pytest.raises(ValidationError):
        screening_complete(actor=practitioner, screening=done, version=done.version)


def test_a_second_screening_leaves_a_screened_episode_where_it_is(practitioner, episode_a):
    for _ in range(2):
        screening = screening_start(
            actor=practitioner, episode=episode_a, instrument="phq-9", answers=PHQ9_CLEAR
        )
        screening_complete(actor=practitioner, screening=screening, version=1)
    assert EpisodeStatus.objects.filter(episode=episode_a, stage=Stage.SCREENED).count() == 1


def test_suicide_risk_creates_an_urgent_task_due_today(practitioner, episode_a):
    screening = screening_start(
        actor=practitioner, episode=episode_a, instrument="phq-9", answers=PHQ9_ITEM_9
    )
    done = screening_complete(actor=practitioner, screening=screening, version=1)
    assert done.suicide_risk and done.flags[0] == "suicide_risk"
    task = done.urgent_task
    assert task is not None and task.episode == episode_a
    assert task.due == timezone.localdate() and task.owner == practitioner
    assert task.title.startswith("Urgent: suicide risk flagged by PHQ-9")


def test_an_asq_positive_is_a_suicide_risk_too(practitioner, youth_episode):
    screening = screening_start(
        actor=practitioner,
        episode=youth_episode,
        instrument="asq",
        answers={"1": 1, "2": 0, "3": 0, "4": 0, "5": 1},
    )
    done = screening_complete(actor=practitioner, screening=screening, version=1)
    assert done.band == "acute-positive" and done.suicide_risk and done.urgent_task is not None


def test_a_negative_asq_makes_no_task(practitioner, youth_episode):
    screening = screening_start(
        actor=practitioner, episode=youth_episode, instrument="asq", answers={"1": 0, "2": 0, "3": 0, "4": 0}
    )
    done = screening_complete(actor=practitioner, screening=screening, version=1)
    assert not done.suicide_risk and not Task.objects.exists()
