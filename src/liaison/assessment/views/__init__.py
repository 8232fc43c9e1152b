"""Pages for the needs assessment (views/assessment.py) and the plan (views/plan.py) within an episode."""

from liaison.assessment.views.assessment import (
    assessment_detail,
    assessment_new,
    assessment_save_view,
)
from liaison.assessment.views.plan import (
    plan_action_detail,
    plan_action_new,
    plan_detail,
    plan_order,
)

__all__ = [
    "assessment_detail",
    "assessment_new",
    "assessment_save_view",
    "plan_action_detail",
    "plan_action_new",
    "plan_detail",
    "plan_order",
]
