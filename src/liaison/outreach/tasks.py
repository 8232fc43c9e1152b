"""Background tasks (Django's tasks API), run by `liaison worker`."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from liaison.core.models import IdempotencyRecord
from liaison.outreach.rules import evaluate


@task()
def evaluate_outreach_rules() -> dict[str, int]:
    """Every team's outreach rules, once. Idempotent: a second run creates nothing twice."""
    result = evaluate()
    return {f"created_{name}": count for name, count in result.created.items()}


@task()
def purge_expired_idempotency_keys() -> int:
    """Drop stored API answers whose Idempotency-Key has expired (they are never replayed again)."""
    expired_before = timezone.now() - dt.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=expired_before).delete()
    return deleted


PERIODIC = (evaluate_outreach_rules, purge_expired_idempotency_keys)
