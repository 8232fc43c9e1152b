"""Reads for assessments and plans, each fetched through the access policy and audited."""

from __future__ import annotations

from django.db.models import QuerySet

from liaison.assessment.models import Assessment, PlanAction
from liaison.core.access import Access, _get_child_for_user
from liaison.core.models import User


def get_assessment_for_user(
    user: User, pk: object, *, action: str = "assessment.view"
) -> tuple[Assessment, Access]:
    queryset: QuerySet[Assessment] = Assessment.objects.select_related(
        "episode", "episode__person", "episode__team", "episode__site", "by", "completed_by"
    )
    return _get_child_for_user(user, queryset, pk, "assessment", action)


def get_plan_action_for_user(
    user: User, pk: object, *, action: str = "plan_action.view"
) -> tuple[PlanAction, Access]:
    queryset: QuerySet[PlanAction] = PlanAction.objects.select_related("episode", "owner", "task")
    return _get_child_for_user(user, queryset, pk, "plan_action", action)
