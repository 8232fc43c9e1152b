"""The episode stage machine: only the allowed moves, each leaving an immutable status row."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from liaison.core.errors import NotPermitted, StaleWrite
from liaison.episodes.models import ClosureReason, EpisodeStatus, Stage
from liaison.episodes.services import TRANSITIONS, episode_move

ALL = list(Stage.values)


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [(s, t, t in TRANSITIONS[s]) for s in ALL for t in ALL],
)
def test_stage_moves_follow_the_machine(episode_a, practitioner, start, target, allowed):
    episode_a.stage = start
    episode_a.save(update_fields=["stage"])
    extra = {"closure_reason": ClosureReason.NO_FURTHER_NEED} if target == Stage.CLOSED else {}
    if allowed:
        moved = episode_move(
            actor=practitioner, episode=episode_a, version=episode_a.version, to_stage=target, **extra
        )
        assert moved.stage == target
        assert EpisodeStatus.objects.filter(episode=episode_a).last().stage == target
    else:
        with pytest.raises(ValidationError) as exc:
            episode_move(
                actor=practitioner, episode=episode_a, version=episode_a.version, to_stage=target, **extra
            )
        assert "stage" in exc.value.message_dict
        episode_a.refresh_from_db()
        assert episode_a.stage == start


def test_closing_needs_a_reason(episode_a, practitioner):
    with pytest.raises(ValidationError) as exc:
        episode_move(actor=practitioner, episode=episode_a, version=1, to_stage=Stage.CLOSED)
    assert "closure_reason" in exc.value.message_dict


def test_close_before_arrival_is_refused(episode_a, practitioner):
    with pytest.raises(ValidationError) as exc:
        episode_move(
            actor=practitioner,
            episode=episode_a,
            version=1,
            to_stage=Stage.CLOSED,
            closure_reason=ClosureReason.DECLINED,
            at=episode_a.arrival_at.replace(year=episode_a.arrival_at.year - 1),
        )
    assert "at" in exc.value.message_dict
    episode_a.refresh_from_db()
    assert episode_a.stage == Stage.IDENTIFIED


def test_stale_version_is_refused_and_nothing_changes(episode_a, practitioner):
    episode_move(actor=practitioner, episode=episode_a, version=1, to_stage=Stage.SCREENED)
    with pytest.raises(StaleWrite):
        episode_move(
            actor=practitioner,
            episode=episode_a,
            version=1,
            to_stage=Stage.CLOSED,
            closure_reason=ClosureReason.DECLINED,
        )
    episode_a.refresh_from_db()
    assert episode_a.stage == Stage.SCREENED
    assert list(EpisodeStatus.objects.filter(episode=episode_a).values_list("stage", flat=True)) == [
        "identified",
        "screened",
    ]


def test_outsider_cannot_move_another_teams_episode(episode_a, outsider):
    with pytest.raises(NotPermitted):
        episode_move(actor=outsider, episode=episode_a, version=1, to_stage=Stage.SCREENED)
