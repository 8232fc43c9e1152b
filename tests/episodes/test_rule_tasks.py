"""Rule-made tasks are idempotent, name their rule, and close when what they chased has happened."""

import datetime as dt

import pytest

from liaison.core.models import AuditEvent
from liaison.episodes.models import Task
from liaison.episodes.services import rule_task_ensure, rule_tasks_close

pytestmark = pytest.mark.django_db


def test_the_same_key_makes_one_task(episode_a, practitioner):
    first, made = rule_task_ensure(
        episode=episode_a,
        rule="referral.no_acknowledgement",
        dedupe_key="referral:1:no_ack",
        title="Chase the referral",
        due=dt.date(2026, 12, 2),
        created_by=practitioner,
    )
    again, made_again = rule_task_ensure(
        episode=episode_a,
        rule="referral.no_acknowledgement",
        dedupe_key="referral:1:no_ack",
        title="Chase the referral",
        due=dt.date(2026, 12, 2),
        created_by=practitioner,
    )
    assert made and not made_again
    assert again.pk == first.pk
    assert Task.objects.filter(dedupe_key="referral:1:no_ack").count() == 1
    assert first.rule == "referral.no_acknowledgement"
    assert AuditEvent.objects.filter(action="task.create_by_rule", object_id=str(first.pk)).count() == 1


def test_closing_marks_only_open_tasks_with_the_keys(episode_a, practitioner):
    chased, _ = rule_task_ensure(
        episode=episode_a,
        rule="r",
        dedupe_key="k1",
        title="A",
        due=dt.date(2026, 12, 2),
        created_by=practitioner,
    )
    other, _ = rule_task_ensure(
        episode=episode_a,
        rule="r",
        dedupe_key="k2",
        title="B",
        due=dt.date(2026, 12, 2),
        created_by=practitioner,
    )
    assert rule_tasks_close(dedupe_keys=["k1", "missing"], by=practitioner) == 1
    assert rule_tasks_close(dedupe_keys=["k1"], by=practitioner) == 0
    chased.refresh_from_db()
    other.refresh_from_db()
    assert chased.done_at is not None and chased.done_by == practitioner
    assert other.done_at is None
