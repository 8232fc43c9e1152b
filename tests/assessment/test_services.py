"""Assessment and plan services: the rules a wrong input, a wrong person or a stale edit must not pass."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from liaison.assessment.models import ActionStatus, Assessment, AssessmentStatus, PlanAction, PlanOrder
from liaison.assessment.presenters import needs_history, plan_for
from liaison.assessment.services import (
    assessment_complete,
    assessment_save,
    assessment_start,
    completion_problems,
    plan_action_add,
    plan_action_update,
    plan_reorder,
)
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.models import AuditEvent, Role
from liaison.episodes.models import EpisodeStatus, Stage, Task
from liaison.episodes.services import episode_move, task_complete
from liaison.screening.services import screening_complete, screening_start
from tests.factories import member
from tests.screening.conftest import PHQ9_ITEM_9

TONIGHT_AND_MENTAL_HEALTH = [
    {"key": "mental_health", "level": "high", "evidence": "Hearing voices, stopped medication"},
    {"key": "basic:sleep_tonight", "level": "urgent"},
    {"key": "employment", "level": "low"},
    {"key": "money", "level": "moderate"},
]


def draft(actor, episode, **data):
    assessment = assessment_start(actor=actor, episode=episode)
    if data:
        assessment = assessment_save(
            actor=actor, assessment=assessment, version=assessment.version, data=data
        )
    return assessment


def completed(actor, episode, **data):
    data.setdefault("needs", TONIGHT_AND_MENTAL_HEALTH)
    assessment = draft(actor, episode, **data)
    return assessment_complete(actor=actor, assessment=assessment, version=assessment.version)


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- who may ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "may_record", "may_plan"),
    [
        (Role.PRACTITIONER, True, True),
        (Role.TEAM_LEAD, True, True),
        (Role.SUPPORT_WORKER, False, True),
        (Role.COMMISSIONER, False, False),
        (Role.PARTNER, False, False),
        (Role.ADMIN, False, False),
    ],
)
def test_who_may_record_an_assessment_and_act_on_the_plan(
    team_a, practitioner, episode_a, role, may_record, may_plan
):
    user = member(team_a, role)
    if may_record:
        assert assessment_start(actor=user, episode=episode_a).status == AssessmentStatus.DRAFT
    else:
        with pytest.raises(NotPermitted):
            assessment_start(actor=user, episode=episode_a)
    completed(practitioner, episode_a) if not Assessment.objects.exists() else None
    if may_record:
        assessment = Assessment.objects.get(episode=episode_a)
        assessment_save(actor=practitioner, assessment=assessment, version=assessment.version, data={
            "needs": TONIGHT_AND_MENTAL_HEALTH
        })  # fmt: skip
        assessment.refresh_from_db()
        assessment_complete(actor=practitioner, assessment=assessment, version=assessment.version)
    add = {
        "episode": episode_a,
        "need_key": "mental_health",
        "description": "Book GP",
        "due": timezone.localdate(),
    }
    if may_plan:
        action = plan_action_add(actor=user, owner_id=user.pk, **add)
        assert action.task.owner == user
    else:
        with pytest.raises(NotPermitted):
            plan_action_add(actor=user, owner_id=practitioner.pk, **add)


def test_an_outsider_can_do_nothing_to_another_teams_assessment(outsider, practitioner, episode_a):
    assessment = completed(practitioner, episode_a)
    with pytest.raises(NotPermitted):
        assessment_start(actor=outsider, episode=episode_a)
    with pytest.raises(NotPermitted):
        plan_reorder(actor=outsider, assessment=assessment, keys=["mental_health"], reason="x")
    with pytest.raises(NotPermitted):
        plan_action_add(
            actor=outsider,
            episode=episode_a,
            need_key="mental_health",
            description="x",
            owner_id=outsider.pk,
            due=timezone.localdate(),
        )
    assert not PlanOrder.objects.exists() and not PlanAction.objects.exists()


# --- drafts ----------------------------------------------------------------------------------------


def test_a_draft_keeps_what_was_typed_and_is_audited(practitioner, episode_a):
    assessment = draft(
        practitioner,
        episode_a,
        own_words="I got kicked out last week and I've been sleeping in the park.",
        help_first="Somewhere to stay",
        person_priorities=["basic:sleep_tonight", "money"],
        fitness_for_interview="fit_with_adjustments",
        needs=[{"key": "mental_health", "level": "moderate"}],
    )
    fresh = Assessment.objects.get(pk=assessment.pk)
    assert fresh.status == AssessmentStatus.DRAFT
    assert fresh.own_words.startswith("I got kicked out")
    assert fresh.person_priorities == ["basic:sleep_tonight", "money"]
    assert fresh.fitness_for_interview == "fit_with_adjustments"
    assert dict(fresh.needs.values_list("key", "level")) == {"mental_health": "moderate"}
    assert fresh.needs.get().raised_by == "practitioner"  # a level with nobody named was the practitioner's
    assert list(AuditEvent.objects.filter(object_type="assessment").values_list("action", flat=True)) == [
        "assessment.create",
        "assessment.update",
    ]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"needs": [{"key": "mental_health", "level": "severe"}]}, "needs.mental_health.level"),
        (
            {"needs": [{"key": "mental_health", "level": "high", "raised_by": "police"}]},
            "needs.mental_health.raised_by",
        ),
        ({"needs": [{"key": "astrology", "level": "low"}]}, "needs.astrology"),
        ({"needs": [{"key": "money", "level": "low"}, {"key": "money", "level": "high"}]}, "needs.money"),
        ({"needs": "mental_health"}, "needs"),
        ({"needs": [{"key": "money", "level": "low", "evidence": "x" * 5001}]}, "needs.money.evidence"),
        ({"own_words": "x" * 5001}, "own_words"),
        ({"youth_justice_contact": "x" * 201}, "youth_justice_contact"),
        ({"fitness_for_interview": "probably"}, "fitness_for_interview"),
        ({"education_status": "university"}, "education_status"),
        ({"person_priorities": ["money", "money"]}, "person_priorities"),
        ({"person_priorities": ["lottery"]}, "person_priorities"),
        ({"person_priorities": "money"}, "person_priorities"),
        (
            {"person_priorities": ["money", "housing", "employment", "goals", "food", "relationships"]},
            "person_priorities",
        ),
        ({"status": "complete"}, "status"),
        ({"completed_at": "2026-01-01"}, "completed_at"),
    ],
)
def test_a_bad_value_is_refused_by_name_and_nothing_is_saved(practitioner, episode_a, data, field):
    assessment = draft(practitioner, episode_a, own_words="Kept", needs=[{"key": "money", "level": "low"}])
    with pytest.raises(ValidationError) as excinfo:
        assessment_save(actor=practitioner, assessment=assessment, version=assessment.version, data=data)
    assert field in errors_of(excinfo)
    fresh = Assessment.objects.get(pk=assessment.pk)
    assert (fresh.version, fresh.own_words, fresh.status) == (
        assessment.version,
        "Kept",
        AssessmentStatus.DRAFT,
    )
    assert dict(fresh.needs.values_list("key", "level")) == {"money": "low"}


def test_a_stale_edit_is_refused_and_the_other_edit_survives(practitioner, team_lead, episode_a):
    assessment = draft(practitioner, episode_a)
    opened_at = assessment.version
    assessment_save(
        actor=team_lead, assessment=assessment, version=opened_at, data={"goals": "Team lead's words"}
    )
    with pytest.raises(StaleWrite):
        assessment_save(actor=practitioner, assessment=assessment, version=opened_at, data={"goals": "Mine"})
    assert Assessment.objects.get(pk=assessment.pk).goals == "Team lead's words"


def test_the_database_itself_refuses_a_second_draft(practitioner, episode_a):
    # The service checks under a lock; the partial unique index is the last word, for any path that
    # writes around the service. (A migration once dropped it on PostgreSQL without a failing test.)
    first = draft(practitioner, episode_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(episode=episode_a, number=first.number + 1, by=practitioner)
    assert Assessment.objects.filter(episode=episode_a, status=AssessmentStatus.DRAFT).count() == 1


def test_one_draft_per_episode_and_none_on_a_closed_episode(practitioner, episode_a):
    draft(practitioner, episode_a)
    with pytest.raises(ValidationError) as excinfo:
        assessment_start(actor=practitioner, episode=episode_a)
    assert "already has a draft" in str(errors_of(excinfo)["assessment"])
    Assessment.objects.all().delete()
    episode_move(
        actor=practitioner,
        episode=episode_a,
        version=episode_a.version,
        to_stage=Stage.CLOSED,
        closure_reason="declined",
    )
    episode_a.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        assessment_start(actor=practitioner, episode=episode_a)
    assert "closed" in str(errors_of(excinfo)["episode"])


# --- completing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "needs"),
        ({"needs": [{"key": "basic:sleep_tonight", "level": "urgent"}]}, "needs"),
        ({"needs": [{"key": "mental_health", "level": ""}]}, "needs"),
        ({"needs": [{"key": "mental_health", "level": "high"}]}, "needs.mental_health.evidence"),
        (
            {"needs": [{"key": "risk_to_self", "level": "urgent", "evidence": " "}]},
            "needs.risk_to_self.evidence",
        ),
        (
            {"needs": [{"key": "money", "level": "low"}], "person_priorities": ["housing"]},
            "person_priorities",
        ),
        (
            {"needs": [{"key": "money", "level": "low"}, {"key": "housing", "level": "none"}],
             "person_priorities": ["housing"]},
            "person_priorities",
        ),
        (
            {"needs": [{"key": "money", "level": "low"}], "fitness_for_interview": "not_fit"},
            "fitness_for_interview_reason",
        ),
        (
            {"needs": [{"key": "money", "level": "low"}], "fitness_for_detention": "fit_with_adjustments"},
            "fitness_for_detention_reason",
        ),
        ({"needs": [{"key": "money", "level": "low"}], "appropriate_adult": "yes"},
         "appropriate_adult_reason"),
        ({"needs": [{"key": "money", "level": "low"}], "capacity_concerns": "yes"},
         "capacity_concerns_reason"),
        (
            {"needs": [{"key": "money", "level": "low"}], "communication_support": "yes"},
            "communication_support_reason",
        ),
    ],
)  # fmt: skip
def test_completing_an_incomplete_assessment_is_refused_and_the_draft_kept(
    practitioner, episode_a, data, field
):
    assessment = draft(practitioner, episode_a, own_words="Still here", **data)
    with pytest.raises(ValidationError) as excinfo:
        assessment_complete(actor=practitioner, assessment=assessment, version=assessment.version)
    assert field in errors_of(excinfo)
    fresh = Assessment.objects.get(pk=assessment.pk)
    assert (fresh.status, fresh.own_words) == (AssessmentStatus.DRAFT, "Still here")
    episode_a.refresh_from_db()
    assert episode_a.stage == Stage.IDENTIFIED and episode_a.assessed_at is None


def test_no_need_at_all_is_a_considered_domain(practitioner, episode_a):
    assessment = draft(practitioner, episode_a, needs=[{"key": "mental_health", "level": "none"}])
    assert completion_problems(assessment) == {}
    assessment_complete(actor=practitioner, assessment=assessment, version=assessment.version)
    assert plan_for(Assessment.objects.get(pk=assessment.pk)).items == []


def test_positive_findings_with_reasons_complete(practitioner, episode_a):
    assessment = completed(
        practitioner,
        episode_a,
        fitness_for_interview="fit_with_adjustments",
        fitness_for_interview_reason="Needs breaks every 30 minutes; questions one at a time",
        appropriate_adult="yes",
        appropriate_adult_reason="Mild learning disability: struggles to follow the caution",
        capacity_concerns="no",
        communication_support="yes",
        communication_support_reason="Easy-read material",
    )
    assert assessment.status == AssessmentStatus.COMPLETE


@pytest.mark.parametrize(
    ("data", "missing"),
    [
        ({}, {"guardian_involvement", "education_status", "needs.safeguarding.level"}),
        (
            {"guardian_involvement": "not_appropriate", "education_status": "excluded",
             "needs": [{"key": "money", "level": "low"}, {"key": "safeguarding", "level": "moderate"}]},
            {"guardian_detail"},
        ),
        (
            {"guardian_involvement": "present", "needs": [{"key": "safeguarding", "level": "none"}]},
            {"education_status"},
        ),
    ],
)  # fmt: skip
def test_a_young_persons_assessment_needs_the_youth_pathway(practitioner, youth_episode, data, missing):
    data.setdefault("needs", [{"key": "money", "level": "low"}])
    assessment = draft(practitioner, youth_episode, **data)
    assert missing <= set(completion_problems(assessment))
    with pytest.raises(ValidationError):
        assessment_complete(actor=practitioner, assessment=assessment, version=assessment.version)


def test_a_young_persons_complete_assessment(practitioner, youth_episode):
    assessment = completed(
        practitioner,
        youth_episode,
        guardian_involvement="present",
        education_status="excluded",
        youth_justice_contact="Youth justice service duty officer",
        needs=[{"key": "safeguarding", "level": "moderate", "evidence": "Known to children's social care"}],
    )
    assert assessment.status == AssessmentStatus.COMPLETE


def test_an_adult_does_not_need_the_youth_pathway(practitioner, episode_a):
    assessment = draft(practitioner, episode_a, needs=[{"key": "money", "level": "low"}])
    assert completion_problems(assessment) == {}


def test_completion_moves_an_identified_episode_through_screened_to_assessed(practitioner, episode_a):
    assessment = completed(practitioner, episode_a)
    episode_a.refresh_from_db()
    assert episode_a.stage == Stage.ASSESSED
    assert episode_a.assessed_at == assessment.completed_at == episode_a.screened_at
    assert list(EpisodeStatus.objects.filter(episode=episode_a).values_list("stage", flat=True)) == [
        "identified",
        "screened",
        "assessed",
    ]
    # Only the domains that were considered are kept.
    assert set(assessment.needs.values_list("key", flat=True)) == {
        n["key"] for n in TONIGHT_AND_MENTAL_HEALTH
    }
    event = AuditEvent.objects.get(action="assessment.complete")
    assert event.detail["needs"]["basic:sleep_tonight"] == "urgent"


def test_a_review_keeps_the_first_assessment_date_and_every_version(practitioner, episode_a):
    first = completed(practitioner, episode_a)
    episode_a.refresh_from_db()
    assessed_at = episode_a.assessed_at
    review = assessment_start(actor=practitioner, episode=episode_a)
    # A review starts as a copy of the last version.
    assert review.number == 2
    assert dict(review.needs.values_list("key", "level")) == dict(first.needs.values_list("key", "level"))
    review = assessment_save(
        actor=practitioner,
        assessment=review,
        version=review.version,
        data={
            "needs": [{"key": "mental_health", "level": "moderate"}, {"key": "money", "level": "moderate"}]
        },
    )
    assessment_complete(actor=practitioner, assessment=review, version=review.version)
    episode_a.refresh_from_db()
    assert episode_a.stage == Stage.ASSESSED and episode_a.assessed_at == assessed_at
    versions, rows = needs_history(episode_a)
    assert [v.number for v in versions] == [1, 2]
    history = {row.key: (row.levels, row.direction) for row in rows}
    assert history["mental_health"] == (["high", "moderate"], "down")
    assert history["basic:sleep_tonight"] == (["urgent", ""], "")
    # The first version is untouched.
    assert Assessment.objects.get(pk=first.pk).needs.get(key="mental_health").level == "high"


def test_a_complete_assessment_cannot_be_edited(practitioner, episode_a):
    assessment = completed(practitioner, episode_a)
    with pytest.raises(ValidationError) as excinfo:
        assessment_save(
            actor=practitioner, assessment=assessment, version=assessment.version, data={"goals": "x"}
        )
    assert "start a review" in str(errors_of(excinfo)["assessment"])


# --- screening suggestions -------------------------------------------------------------------------


def _screen(actor, episode, instrument, answers):
    screening = screening_start(actor=actor, episode=episode, instrument=instrument, answers=answers)
    return screening_complete(actor=actor, screening=screening, version=screening.version)


def test_screening_results_suggest_levels_the_practitioner_confirms_or_changes(practitioner, episode_a):
    _screen(practitioner, episode_a, "phq-9", {str(n): 2 for n in range(1, 10)})  # 18, moderately severe
    # DAST-10 item 3 is reverse-scored: "yes, I can always stop" scores 0.
    _screen(practitioner, episode_a, "dast-10", {**{str(n): 0 for n in range(1, 11)}, "3": 1})  # 0: none
    assessment = assessment_start(actor=practitioner, episode=episode_a)
    needs = {need.key: need for need in assessment.needs.all()}
    assert (needs["mental_health"].suggested_level, needs["mental_health"].level) == ("high", "high")
    assert needs["mental_health"].raised_by == "screening"
    assert "PHQ-9 18" in needs["mental_health"].suggested_from
    assert "moderately severe" in needs["mental_health"].suggested_from.lower()
    assert needs["risk_to_self"].suggested_level == "high"  # item 9 answered above "not at all"
    assert needs["substance_use"].suggested_level == "none"
    # The practitioner changes one; the suggestion is kept beside the decision.
    assessment = assessment_save(
        actor=practitioner,
        assessment=assessment,
        version=assessment.version,
        data={
            "needs": [
                {
                    "key": "mental_health",
                    "level": "moderate",
                    "evidence": "Low mood, coping",
                    "raised_by": "screening",
                },
                {
                    "key": "risk_to_self",
                    "level": "high",
                    "evidence": "Thoughts, no plan",
                    "raised_by": "screening",
                },
            ]
        },
    )
    kept = assessment.needs.get(key="mental_health")
    assert (kept.level, kept.suggested_level) == ("moderate", "high")
    # A suggestion the practitioner cleared is still there to see, but not a need.
    assert assessment.needs.get(key="substance_use").level == ""


def test_an_acute_asq_suggests_an_urgent_risk_to_self(practitioner, youth_episode):
    answers = {"1": 1, "2": 0, "3": 0, "4": 0, "5": 1}  # item 5 (thoughts now) yes: acute positive
    _screen(practitioner, youth_episode, "asq", answers)
    needs = {n.key: n for n in assessment_start(actor=practitioner, episode=youth_episode).needs.all()}
    assert needs["risk_to_self"].suggested_level == "urgent"


def test_a_suicide_risk_flag_suggests_a_risk_to_self_need(practitioner, episode_a):
    _screen(practitioner, episode_a, "phq-9", PHQ9_ITEM_9)
    needs = {n.key: n for n in assessment_start(actor=practitioner, episode=episode_a).needs.all()}
    assert needs["risk_to_self"].suggested_level == "high"
    assert "suicide risk" in needs["risk_to_self"].suggested_from


# --- the plan: order and actions -------------------------------------------------------------------


def test_the_plan_puts_tonight_first_and_shows_the_persons_priority(practitioner, episode_a):
    assessment = completed(practitioner, episode_a, person_priorities=["employment"])
    plan = plan_for(assessment)
    assert [item.key for item in plan.items] == [
        "basic:sleep_tonight",
        "employment",
        "mental_health",
        "money",
    ]
    assert [item.tier_label for item in plan.items][:2] == ["Basic needs today", "The person's own priority"]
    assert plan.items[1].person_rank == 1
    assert plan.person_priorities == [(1, "employment", "Employment, education and training")]


def test_an_override_reorders_and_keeps_every_reason(practitioner, team_lead, episode_a):
    assessment = completed(practitioner, episode_a)
    rule = [item.key for item in plan_for(assessment).items]
    plan_reorder(
        actor=practitioner,
        assessment=assessment,
        keys=["mental_health", *[k for k in rule if k != "mental_health"]],
        reason="Crisis team can see him tonight; hostel bed booked for after",
    )
    plan = plan_for(assessment)
    assert plan.items[0].key == "mental_health" and plan.items[0].rule_position == 2 and plan.overridden
    assert plan.override.reason.startswith("Crisis team")
    plan_reorder(
        actor=team_lead, assessment=assessment, keys=rule, reason="Back to the rule: bed fell through"
    )
    assert [item.key for item in plan_for(assessment).items] == rule
    assert list(PlanOrder.objects.values_list("reason", flat=True)) == [
        "Back to the rule: bed fell through",
        "Crisis team can see him tonight; hostel bed booked for after",
    ]
    assert AuditEvent.objects.filter(action="plan.reorder").count() == 2


@pytest.mark.parametrize(
    ("keys", "reason", "field"),
    [
        (None, "", "reason"),
        (None, "   ", "reason"),
        (["mental_health"], "Reason", "keys"),
        (["mental_health", "mental_health", "basic:sleep_tonight", "money", "employment"], "Reason", "keys"),
        (["mental_health", "basic:sleep_tonight", "money", "employment", "housing"], "Reason", "keys"),
    ],
)
def test_an_override_without_a_reason_or_with_a_wrong_list_is_refused(
    practitioner, episode_a, keys, reason, field
):
    assessment = completed(practitioner, episode_a)
    keys = keys or [item.key for item in reversed(plan_for(assessment).items)]
    with pytest.raises(ValidationError) as excinfo:
        plan_reorder(actor=practitioner, assessment=assessment, keys=keys, reason=reason)
    assert field in errors_of(excinfo)
    assert not PlanOrder.objects.exists()


def test_only_the_current_version_can_be_reordered(practitioner, episode_a):
    first = completed(practitioner, episode_a)
    review = assessment_start(actor=practitioner, episode=episode_a)
    assessment_complete(actor=practitioner, assessment=review, version=review.version)
    with pytest.raises(ValidationError):
        plan_reorder(actor=practitioner, assessment=first, keys=["money"], reason="Old plan")


def test_an_action_makes_a_task_and_finishing_either_finishes_both(practitioner, support_worker, episode_a):
    completed(practitioner, episode_a)
    due = timezone.localdate() + dt.timedelta(days=1)
    action = plan_action_add(
        actor=practitioner,
        episode=episode_a,
        need_key="basic:sleep_tonight",
        description="Ring the council's housing options line",
        owner_id=support_worker.pk,
        due=due,
    )
    task = action.task
    assert (task.owner, task.due, task.episode) == (support_worker, due, episode_a)
    assert "safe place to sleep tonight" in task.title and "housing options" in task.title
    assert action.status == ActionStatus.PLANNED
    # Done on the plan: the task is done.
    action = plan_action_update(actor=support_worker, action=action, version=action.version, status="done")
    assert Task.objects.get(pk=task.pk).done_at is not None
    # A finished action is not reopened: a new one is added instead.
    with pytest.raises(ValidationError) as excinfo:
        plan_action_update(actor=support_worker, action=action, version=action.version, status="planned")
    assert "add a new action" in str(errors_of(excinfo)["status"])
    # Done on the episode page: the action is done.
    second = plan_action_add(
        actor=practitioner,
        episode=episode_a,
        need_key="mental_health",
        description="Ask the GP to restart medication",
        owner_id=practitioner.pk,
        due=due,
    )
    task_complete(actor=practitioner, task=second.task, version=second.task.version)
    second.refresh_from_db()
    assert second.status == ActionStatus.DONE
    assert set(AuditEvent.objects.filter(object_type="plan_action").values_list("action", flat=True)) == {
        "plan.action_add",
        "plan.action_update",
    }


def test_a_new_owner_or_date_moves_the_task_too(practitioner, team_lead, episode_a):
    completed(practitioner, episode_a)
    action = plan_action_add(
        actor=practitioner,
        episode=episode_a,
        need_key="money",
        description="Benefits check",
        owner_id=practitioner.pk,
        due=timezone.localdate(),
    )
    later = timezone.localdate() + dt.timedelta(days=7)
    action = plan_action_update(
        actor=practitioner, action=action, version=action.version, owner_id=team_lead.pk, due=later
    )
    task = Task.objects.get(pk=action.task_id)
    assert (task.owner, task.due, action.owner, action.due) == (team_lead, later, team_lead, later)
    with pytest.raises(StaleWrite):
        plan_action_update(
            actor=practitioner, action=action, version=action.version - 1, status="in_progress"
        )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"owner_id": None}, "owner"),
        ({"owner": "outsider"}, "owner"),
        ({"owner": "commissioner"}, "owner"),
        ({"need_key": "housing"}, "need_key"),
        ({"need_key": "astrology"}, "need_key"),
        ({"description": "  "}, "description"),
        ({"description": "x" * 301}, "description"),
        ({"due": None}, "due"),
        ({"due": dt.date(2001, 1, 1)}, "due"),
    ],
)
def test_a_bad_action_is_refused_by_name(practitioner, outsider, commissioner, episode_a, change, field):
    completed(practitioner, episode_a)
    owners = {"outsider": outsider.pk, "commissioner": commissioner.pk}
    values = {
        "need_key": "money",
        "description": "Benefits check",
        "owner_id": practitioner.pk,
        "due": timezone.localdate(),
    }
    if "owner" in change:
        values["owner_id"] = owners[change.pop("owner")]
    values.update(change)
    with pytest.raises(ValidationError) as excinfo:
        plan_action_add(actor=practitioner, episode=episode_a, **values)
    assert field in errors_of(excinfo)
    assert not PlanAction.objects.exists() and not Task.objects.filter(episode=episode_a).exists()


def test_no_actions_before_an_assessment(practitioner, episode_a):
    with pytest.raises(ValidationError) as excinfo:
        plan_action_add(
            actor=practitioner,
            episode=episode_a,
            need_key="money",
            description="x",
            owner_id=practitioner.pk,
            due=timezone.localdate(),
        )
    assert "Complete an assessment first" in str(errors_of(excinfo)["need_key"])


def test_actions_for_a_need_a_review_took_out_stay_on_the_plan(practitioner, episode_a):
    completed(practitioner, episode_a)
    action = plan_action_add(
        actor=practitioner,
        episode=episode_a,
        need_key="money",
        description="Benefits check",
        owner_id=practitioner.pk,
        due=timezone.localdate(),
    )
    review = assessment_start(actor=practitioner, episode=episode_a)
    review = assessment_save(
        actor=practitioner,
        assessment=review,
        version=review.version,
        data={"needs": [{"key": "mental_health", "level": "moderate"}, {"key": "money", "level": "none"}]},
    )
    review = assessment_complete(actor=practitioner, assessment=review, version=review.version)
    plan = plan_for(review)
    assert [item.key for item in plan.items] == ["mental_health"]
    assert plan.other_actions == [action]
