"""`liaison worker --once` queues the periodic work on the tasks API and runs it."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from liaison.core.models import IdempotencyRecord
from liaison.episodes.models import Stage, Task
from tests.factories import EpisodeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_worker_once_runs_the_outreach_rules_and_purges_old_keys(site_a, practitioner):
    episode = EpisodeFactory(
        site=site_a,
        stage=Stage.SUPPORT,
        allocated_worker=practitioner,
        support_at=timezone.now() - dt.timedelta(days=10),
    )
    old = IdempotencyRecord.objects.create(
        user=practitioner, key="old", method="POST", path="/x", request_digest="d", status_code=201, body="{}"
    )
    IdempotencyRecord.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    IdempotencyRecord.objects.create(
        user=practitioner, key="new", method="POST", path="/x", request_digest="d", status_code=201, body="{}"
    )
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    assert "queued the periodic work" in out.getvalue()
    assert Task.objects.filter(episode=episode, rule="outreach.no_successful_contact").count() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    results = DBTaskResult.objects.order_by("task_path")
    assert [r.status for r in results] == ["SUCCESSFUL", "SUCCESSFUL"]
    call_command("worker", "--once", stdout=StringIO())
    assert Task.objects.filter(episode=episode).count() == 1  # idempotent across runs
