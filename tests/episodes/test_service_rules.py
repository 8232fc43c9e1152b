"""Episode write rules found by the safety review: each a case a practitioner could hit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from liaison.core.errors import NotPermitted
from liaison.core.models import BreakGlass, Role
from liaison.episodes.models import ClosureReason, Episode, Stage
from liaison.episodes.services import episode_move, episode_open, task_add
from tests.factories import member


def test_breaking_the_glass_never_turns_into_a_relationship(person_a, outsider, team_b, site_b):
    BreakGlass.objects.create(
        user=outsider,
        team=team_b,
        person=person_a,
        reason="Custody sergeant called about risk",
        expires_at=timezone.now() + dt.timedelta(minutes=30),
    )
    with pytest.raises(NotPermitted, match="read-only"):
        episode_open(
            actor=outsider,
            team=team_b,
            person=person_a,
            site_id=site_b.pk,
            pathway_point="police_custody",
            referral_source="X1",
            arrival_at=timezone.now(),
        )
    assert not Episode.objects.filter(team=team_b).exists()


def test_break_glass_episode_over_the_api_is_403(person_a, outsider, outsider_client, team_b, site_b):
    BreakGlass.objects.create(
        user=outsider,
        team=team_b,
        person=person_a,
        reason="Custody sergeant called about risk",
        expires_at=timezone.now() + dt.timedelta(minutes=30),
    )
    response = outsider_client.post(
        "/api/v1/episodes",
        {
            "person_id": person_a.pk,
            "site_id": site_b.pk,
            "pathway_point": "police_custody",
            "referral_source": "X1",
            "arrival_at": timezone.now().isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Episode.objects.filter(team=team_b).exists()


def test_a_stage_change_cannot_be_dated_before_the_last_one(episode_a, practitioner):
    episode_move(actor=practitioner, episode=episode_a, version=1, to_stage=Stage.SCREENED)
    episode_a.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        episode_move(
            actor=practitioner,
            episode=episode_a,
            version=episode_a.version,
            to_stage=Stage.CLOSED,
            closure_reason=ClosureReason.DECLINED,
            at=episode_a.screened_at - dt.timedelta(minutes=5),
        )
    assert "last change" in exc.value.message_dict["at"][0]


def test_an_arrival_before_2000_is_refused(person_a, practitioner, team_a, site_a):
    with pytest.raises(ValidationError) as exc:
        episode_open(
            actor=practitioner,
            team=team_a,
            person=person_a,
            site_id=site_a.pk,
            pathway_point="police_custody",
            referral_source="X1",
            arrival_at=dt.datetime(1026, 1, 1, tzinfo=dt.UTC),
        )
    assert "arrival_at" in exc.value.message_dict


@pytest.mark.parametrize("days", [-400, 365 * 6])
def test_task_due_dates_far_outside_today_are_refused(episode_a, practitioner, days):
    with pytest.raises(ValidationError) as exc:
        task_add(
            actor=practitioner, episode=episode_a, title="Call", due=timezone.localdate() + dt.timedelta(days)
        )
    assert "due" in exc.value.message_dict


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.PARTNER, Role.ADMIN])
def test_work_is_never_given_to_someone_who_cannot_open_the_record(episode_a, practitioner, team_a, role):
    other = member(team_a, role)
    with pytest.raises(ValidationError) as exc:
        task_add(
            actor=practitioner, episode=episode_a, title="Call", due=timezone.localdate(), owner_id=other.pk
        )
    assert "owner" in exc.value.message_dict
