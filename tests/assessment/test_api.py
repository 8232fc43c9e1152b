"""The assessment API: assessments (draft, then complete), the plan's order and the plan's actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from liaison.assessment.codes import codes
from liaison.assessment.models import Assessment, Need, PlanAction, PlanOrder
from liaison.assessment.services import (
    assessment_complete,
    assessment_save,
    assessment_start,
    plan_action_add,
)
from liaison.core.models import AuditEvent
from liaison.episodes.models import Episode, Stage, Task
from tests.api.conftest import fields, get, patch, post, problem, send
from tests.factories import EpisodeFactory, PersonFactory
from tests.screening.conftest import PHQ9_ITEM_9


def _days(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


def _assess(actor, episode, needs: list[dict[str, str]], priorities: tuple[str, ...] = ()) -> Assessment:
    """A complete assessment made through the services (the API is tested on top of it)."""
    draft = assessment_start(actor=actor, episode=episode)
    draft = assessment_save(
        actor=actor,
        assessment=draft,
        version=draft.version,
        data={"needs": needs, "person_priorities": list(priorities)},
    )
    return assessment_complete(actor=actor, assessment=draft, version=draft.version)


@dataclass
class World:
    """An episode with a complete assessment (its plan, one action) and a review started as a draft."""

    episode: Episode
    current: Assessment
    draft: Assessment
    action: PlanAction

    @property
    def plan_keys(self) -> list[str]:
        return ["basic:sleep_tonight", "mental_health", "substance_use"]


@pytest.fixture
def world(practitioner, episode_a) -> World:
    current = _assess(
        practitioner,
        episode_a,
        [
            {"key": "mental_health", "level": "high", "evidence": "Low mood, not sleeping"},
            {"key": "substance_use", "level": "moderate"},
            {"key": "basic:sleep_tonight", "level": "urgent"},
        ],
    )
    action = plan_action_add(
        actor=practitioner,
        episode=episode_a,
        need_key="basic:sleep_tonight",
        description="Ring the council's out-of-hours housing line",
        owner_id=practitioner.pk,
        due=timezone.localdate(),
    )
    draft = assessment_start(actor=practitioner, episode=episode_a)
    # The review has considered no domain yet: only tonight's bed.
    draft = assessment_save(
        actor=practitioner,
        assessment=draft,
        version=draft.version,
        data={"needs": [{"key": "basic:sleep_tonight", "level": "urgent"}]},
    )
    episode_a.refresh_from_db()
    return World(episode_a, current, draft, action)


def _snapshot() -> tuple:
    """Everything the assessment API can change."""
    return (
        list(Assessment.objects.order_by("pk").values_list("pk", "version", "status", "person_priorities")),
        list(
            Need.objects.order_by("pk").values_list("assessment_id", "key", "level", "evidence", "raised_by")
        ),
        list(PlanOrder.objects.values_list("pk", "keys", "reason")),
        list(PlanAction.objects.order_by("pk").values_list("pk", "version", "status", "owner_id", "due")),
        list(Task.objects.order_by("pk").values_list("pk", "version", "owner_id", "due", "done_at")),
        list(Episode.objects.order_by("pk").values_list("pk", "stage", "version")),
    )


# --- the whole journey ------------------------------------------------------------------------------


def test_start_save_complete_reorder_and_carry_out_the_plan(practitioner_client, practitioner, episode_a):
    started = post(practitioner_client, f"/episodes/{episode_a.pk}/assessments")
    assert started.status_code == 201, started.content
    draft = started.json()
    assert (draft["status"], draft["number"], draft["version"], draft["needs"]) == ("draft", 1, 1, [])
    assert draft["completion_problems"] == {
        "needs": "Consider at least one domain: choose a level for each domain you assessed"
    }
    aid = draft["id"]

    saved = patch(
        practitioner_client,
        f"/assessments/{aid}",
        {
            "version": 1,
            "own_words": "I got kicked out last week and I'm not coping",
            "help_first": "Somewhere to stay",
            "person_priorities": ["substance_use"],
            "appropriate_adult": "yes",
            "appropriate_adult_reason": "Struggles to follow what is said when stressed",
            "needs": [
                {"key": "mental_health", "level": "high", "evidence": "Low mood, not sleeping"},
                {"key": "substance_use", "level": "moderate", "raised_by": "person"},
                {"key": "basic:sleep_tonight", "level": "urgent", "evidence": "Sofa-surfing ended"},
                {"key": "housing", "level": "none"},
            ],
        },
    )
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["version"] == 2 and body["completion_problems"] == {}
    assert body["own_words"] == "I got kicked out last week and I'm not coping"
    # Code-list order, with the label; a level given without who raised it is the practitioner's.
    assert [(n["key"], n["label"], n["level"], n["raised_by"]) for n in body["needs"]] == [
        ("mental_health", "Mental health", "high", "practitioner"),
        ("substance_use", "Substance use", "moderate", "person"),
        ("housing", "Housing", "none", "practitioner"),
        ("basic:sleep_tonight", "A safe place to sleep tonight", "urgent", "practitioner"),
    ]

    done = post(practitioner_client, f"/assessments/{aid}/complete", {"version": 2})
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["completion_problems"]) == ("complete", None)
    episode_a.refresh_from_db()
    assert episode_a.stage == Stage.ASSESSED

    plan = get(practitioner_client, f"/episodes/{episode_a.pk}/plan").json()
    assert plan["assessment_id"] == aid and plan["overridden"] is False
    assert [(n["key"], n["tier"]) for n in plan["needs"]] == [
        ("basic:sleep_tonight", "Basic needs today"),
        ("substance_use", "The person's own priority"),
        ("mental_health", "By level"),
    ]

    reordered = post(
        practitioner_client,
        f"/assessments/{aid}/order",
        {
            "keys": ["basic:sleep_tonight", "mental_health", "substance_use"],
            "reason": "Mood is driving the use",
        },
    )
    assert reordered.status_code == 200, reordered.content
    plan = reordered.json()
    assert [n["key"] for n in plan["needs"]] == ["basic:sleep_tonight", "mental_health", "substance_use"]
    assert [n["rule_position"] for n in plan["needs"]] == [1, 3, 2]
    assert (plan["overridden"], plan["override_reason"]) == (True, "Mood is driving the use")

    added = post(
        practitioner_client,
        f"/episodes/{episode_a.pk}/plan-actions",
        {
            "need_key": "basic:sleep_tonight",
            "description": "Ring the council's out-of-hours housing line",
            "owner_id": practitioner.pk,
            "due": _days(0),
        },
    )
    assert added.status_code == 201, added.content
    action = added.json()
    task = Task.objects.get(pk=action["task_id"])
    assert task.title == "A safe place to sleep tonight: Ring the council's out-of-hours housing line"
    assert (task.owner_id, task.due, task.done_at) == (practitioner.pk, timezone.localdate(), None)
    assert (action["status"], action["owner_name"], action["version"]) == ("planned", str(practitioner), 1)

    plan = get(practitioner_client, f"/episodes/{episode_a.pk}/plan").json()
    assert plan["needs"][0]["actions"] == [action["id"]]
    assert [a["id"] for a in plan["actions"]] == [action["id"]]

    finished = patch(practitioner_client, f"/plan-actions/{action['id']}", {"version": 1, "status": "done"})
    assert finished.status_code == 200, finished.content
    assert (finished.json()["status"], finished.json()["version"]) == ("done", 2)
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by_id == practitioner.pk

    audited = list(AuditEvent.objects.filter(actor_id=practitioner.pk).values_list("action", flat=True))
    for expected in (
        "assessment.create",
        "assessment.update",
        "assessment.complete",
        "plan.view",
        "plan.reorder",
        "plan.action_add",
        "plan.action_update",
    ):
        assert expected in audited


# The rule (ordering.py): safety domains at high or urgent, then basic needs today, then the person's
# own priorities in their order, then everything else by level; "none" is not a need.
ORDER_CASES = {
    "nowhere to sleep tonight comes before high mental health": (
        [
            {"key": "mental_health", "level": "high", "evidence": "x"},
            {"key": "basic:sleep_tonight", "level": "low"},
        ],
        [],
        ["basic:sleep_tonight", "mental_health"],
    ),
    "high and urgent risk come before basic needs, urgent first": (
        [
            {"key": "mental_health", "level": "high", "evidence": "x"},
            {"key": "basic:sleep_tonight", "level": "urgent"},
            {"key": "risk_to_self", "level": "high", "evidence": "x"},
            {"key": "risk_to_others", "level": "urgent", "evidence": "x"},
        ],
        [],
        ["risk_to_others", "risk_to_self", "basic:sleep_tonight", "mental_health"],
    ),
    "moderate risk is ordered by level; the person's priority comes first": (
        [
            {"key": "risk_to_self", "level": "moderate"},
            {"key": "mental_health", "level": "high", "evidence": "x"},
            {"key": "housing", "level": "low"},
        ],
        ["housing"],
        ["housing", "mental_health", "risk_to_self"],
    ),
    "no need is left out of the plan": (
        [
            {"key": "money", "level": "none"},
            {"key": "substance_use", "level": "low"},
            {"key": "basic:food", "level": "low"},
        ],
        [],
        ["basic:food", "substance_use"],
    ),
}


@pytest.mark.parametrize(("needs", "priorities", "expected"), ORDER_CASES.values(), ids=ORDER_CASES.keys())
def test_plan_order_follows_the_rule(practitioner_client, episode_a, needs, priorities, expected):
    aid = post(practitioner_client, f"/episodes/{episode_a.pk}/assessments").json()["id"]
    saved = patch(
        practitioner_client,
        f"/assessments/{aid}",
        {"version": 1, "needs": needs, "person_priorities": priorities},
    )
    assert saved.status_code == 200, saved.content
    assert post(practitioner_client, f"/assessments/{aid}/complete", {"version": 2}).status_code == 200
    plan = get(practitioner_client, f"/episodes/{episode_a.pk}/plan").json()
    assert [n["key"] for n in plan["needs"]] == expected
    assert [n["position"] for n in plan["needs"]] == list(range(1, len(expected) + 1))


def test_an_episode_without_a_complete_assessment_has_an_empty_plan(practitioner_client, episode_a):
    post(practitioner_client, f"/episodes/{episode_a.pk}/assessments")
    plan = get(practitioner_client, f"/episodes/{episode_a.pk}/plan")
    assert plan.status_code == 200
    assert plan.json() == {
        "assessment_id": None,
        "assessment_number": None,
        "overridden": False,
        "override_reason": None,
        "person_priorities": [],
        "needs": [],
        "actions": [],
    }
    assert AuditEvent.objects.filter(action="plan.view", object_id=str(episode_a.pk)).count() == 1


def test_a_first_draft_shows_what_screenings_suggest(practitioner_client, episode_a):
    sid = post(
        practitioner_client,
        f"/episodes/{episode_a.pk}/screenings",
        {"instrument": "phq-9", "answers": PHQ9_ITEM_9},
    ).json()["id"]
    assert post(practitioner_client, f"/screenings/{sid}/complete", {"version": 1}).status_code == 200
    draft = post(practitioner_client, f"/episodes/{episode_a.pk}/assessments").json()
    needs = {n["key"]: n for n in draft["needs"]}
    assert (needs["risk_to_self"]["level"], needs["risk_to_self"]["suggested_level"]) == ("high", "high")
    assert needs["risk_to_self"]["raised_by"] == "screening"
    assert needs["risk_to_self"]["suggested_from"].startswith("PHQ-9 3,")
    assert "suicide risk flagged" in needs["risk_to_self"]["suggested_from"]
    assert needs["mental_health"]["suggested_level"] == "none"
    # Suggested high with the screening as its evidence: nothing more is needed to complete.
    assert draft["completion_problems"] == {}


def test_a_youth_draft_asks_for_the_youth_pathway_fields(practitioner_client, youth_episode):
    draft = post(practitioner_client, f"/episodes/{youth_episode.pk}/assessments").json()
    assert draft["youth"] is True
    assert {"guardian_involvement", "education_status", "needs.safeguarding.level"} <= set(
        draft["completion_problems"]
    )
    body = problem(post(practitioner_client, f"/assessments/{draft['id']}/complete", {"version": 1}), 422)
    assert {"guardian_involvement", "education_status", "needs.safeguarding.level"} <= fields(body)
    saved = patch(
        practitioner_client,
        f"/assessments/{draft['id']}",
        {
            "version": 1,
            "guardian_involvement": "not_appropriate",
            "guardian_detail": "Says home is where the harm is",
            "education_status": "excluded",
            "youth_justice_contact": "Northtown YJS duty worker",
            "needs": [{"key": "safeguarding", "level": "urgent", "evidence": "Disclosed harm at home"}],
        },
    ).json()
    assert saved["completion_problems"] == {}
    assert (
        post(practitioner_client, f"/assessments/{draft['id']}/complete", {"version": 2}).status_code == 200
    )


def test_list_is_newest_first_and_paginated(practitioner_client, world):
    first = get(practitioner_client, f"/episodes/{world.episode.pk}/assessments?limit=1").json()
    assert [(a["number"], a["status"]) for a in first["items"]] == [(2, "draft")]
    assert set(first["items"][0]["completion_problems"]) == {"needs"}
    rest = get(
        practitioner_client, f"/episodes/{world.episode.pk}/assessments?limit=1&cursor={first['next_cursor']}"
    ).json()
    assert [(a["number"], a["status"]) for a in rest["items"]] == [(1, "complete")]
    assert rest["next_cursor"] is None
    assert [n["key"] for n in rest["items"][0]["needs"]] == [
        "mental_health",
        "substance_use",
        "basic:sleep_tonight",
    ]
    assert AuditEvent.objects.filter(action="assessment.list").count() == 2


def test_starting_is_idempotent_with_a_key(practitioner_client, episode_a):
    key = {"Idempotency-Key": "assess-1"}
    first = post(practitioner_client, f"/episodes/{episode_a.pk}/assessments", **key)
    again = post(practitioner_client, f"/episodes/{episode_a.pk}/assessments", **key)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert Assessment.objects.count() == 1


def test_needs_replace_the_drafts_whole_set(practitioner_client, world):
    patched = patch(
        practitioner_client,
        f"/assessments/{world.draft.pk}",
        {
            "version": world.draft.version,
            "needs": [{"key": "housing", "level": "high", "evidence": "Evicted"}],
        },
    ).json()
    assert [n["key"] for n in patched["needs"]] == ["housing"]
    # The complete version it was copied from keeps its own.
    current = get(practitioner_client, f"/assessments/{world.current.pk}").json()
    assert [n["key"] for n in current["needs"]] == ["mental_health", "substance_use", "basic:sleep_tonight"]


# --- bad input: a clear error naming the field, and nothing changed ----------------------------------


@dataclass(frozen=True)
class Bad:
    method: str
    path: Callable[[World], str]
    body: Callable[[World, Any], Any]
    status: int
    fields: set[str | None]
    message: str


BAD = {
    "level outside the scale": Bad(
        "PATCH",
        lambda w: f"/assessments/{w.draft.pk}",
        lambda w, u: {"version": w.draft.version, "needs": [{"key": "mental_health", "level": "severe"}]},
        422,
        {"needs.mental_health.level"},
        "Choose a level: no need, low, moderate, high or urgent",
    ),
    "unknown need key": Bad(
        "PATCH",
        lambda w: f"/assessments/{w.draft.pk}",
        lambda w, u: {"version": w.draft.version, "needs": [{"key": "astrology", "level": "low"}]},
        422,
        {"needs.astrology"},
        "Unknown need 'astrology'",
    ),
    "a need listed twice": Bad(
        "PATCH",
        lambda w: f"/assessments/{w.draft.pk}",
        lambda w, u: {
            "version": w.draft.version,
            "needs": [{"key": "housing", "level": "low"}, {"key": "housing", "level": "high"}],
        },
        422,
        {"needs.housing"},
        "Housing is listed twice",
    ),
    "raised by someone not on the list": Bad(
        "PATCH",
        lambda w: f"/assessments/{w.draft.pk}",
        lambda w, u: {
            "version": w.draft.version,
            "needs": [{"key": "housing", "level": "low", "raised_by": "neighbour"}],
        },
        422,
        {"needs.housing.raised_by"},
        "Choose who raised it",
    ),
    "a finding outside its list": Bad(
        "PATCH",
        lambda w: f"/assessments/{w.draft.pk}",
        lambda w, u: {"version": w.draft.version, "fitness_for_interview": "probably"},
        422,
        {"fitness_for_interview"},
        "Choose one of the answers listed",
    ),
    "too many priorities": Bad(
        "PATCH",
        lambda w: f"/assessments/{w.draft.pk}",
        lambda w, u: {"version": w.draft.version, "person_priorities": list(codes().keys[:6])},
        422,
        {"person_priorities"},
        "Record up to 5 priorities",
    ),
    "a field the API does not have": Bad(
        "PATCH",
        lambda w: f"/assessments/{w.draft.pk}",
        lambda w, u: {"version": w.draft.version, "status": "complete"},
        422,
        {"status"},
        "This field is not allowed here",
    ),
    "nothing to change": Bad(
        "PATCH",
        lambda w: f"/assessments/{w.draft.pk}",
        lambda w, u: {"version": w.draft.version},
        422,
        {"body"},
        "Send at least one field to change",
    ),
    "patch with a stale version": Bad(
        "PATCH",
        lambda w: f"/assessments/{w.draft.pk}",
        lambda w, u: {"version": w.draft.version - 1, "own_words": "Late"},
        409,
        {"version"},
        "",
    ),
    "patch a complete assessment": Bad(
        "PATCH",
        lambda w: f"/assessments/{w.current.pk}",
        lambda w, u: {"version": w.current.version, "own_words": "Rewriting history"},
        422,
        {None},
        "This assessment is complete and kept as it was",
    ),
    "complete with no domain considered": Bad(
        "POST",
        lambda w: f"/assessments/{w.draft.pk}/complete",
        lambda w, u: {"version": w.draft.version},
        422,
        {"needs"},
        "Consider at least one domain",
    ),
    "complete with a stale version": Bad(
        "POST",
        lambda w: f"/assessments/{w.draft.pk}/complete",
        lambda w, u: {"version": w.draft.version + 1},
        409,
        {"version"},
        "",
    ),
    "a second draft": Bad(
        "POST",
        lambda w: f"/episodes/{w.episode.pk}/assessments",
        lambda w, u: {},
        409,
        {None},
        "This episode already has a draft assessment: continue that one",
    ),
    "override without a reason": Bad(
        "POST",
        lambda w: f"/assessments/{w.current.pk}/order",
        lambda w, u: {"keys": w.plan_keys, "reason": "   "},
        422,
        {"reason"},
        "Give the reason for changing the order",
    ),
    "override leaving a need out": Bad(
        "POST",
        lambda w: f"/assessments/{w.current.pk}/order",
        lambda w, u: {"keys": w.plan_keys[:2], "reason": "Housing first"},
        422,
        {"keys"},
        "The new order must list every need in the plan",
    ),
    "override of a draft's plan": Bad(
        "POST",
        lambda w: f"/assessments/{w.draft.pk}/order",
        lambda w, u: {"keys": ["basic:sleep_tonight"], "reason": "Housing first"},
        422,
        {None},
        "Only the current, complete assessment's plan can be reordered",
    ),
    "action without owner": Bad(
        "POST",
        lambda w: f"/episodes/{w.episode.pk}/plan-actions",
        lambda w, u: {"need_key": "mental_health", "description": "Refer to the CMHT", "due": _days(7)},
        422,
        {"owner_id"},
        "This field is required",
    ),
    "action owned by someone outside the team": Bad(
        "POST",
        lambda w: f"/episodes/{w.episode.pk}/plan-actions",
        lambda w, u: {
            "need_key": "mental_health",
            "description": "Refer to the CMHT",
            "owner_id": u.pk,
            "due": _days(7),
        },
        422,
        {"owner_id"},
        "Give the action to a member of the episode's team",
    ),
    "action for a need not in the plan": Bad(
        "POST",
        lambda w: f"/episodes/{w.episode.pk}/plan-actions",
        lambda w, u: {
            "need_key": "housing",
            "description": "Find a flat",
            "owner_id": w.action.owner_id,
            "due": _days(7),
        },
        422,
        {"need_key"},
        "Choose one of the needs in the plan",
    ),
    "action due years away": Bad(
        "POST",
        lambda w: f"/episodes/{w.episode.pk}/plan-actions",
        lambda w, u: {
            "need_key": "mental_health",
            "description": "Refer to the CMHT",
            "owner_id": w.action.owner_id,
            "due": _days(6 * 366),
        },
        422,
        {"due"},
        "Due date must be within a year before today and five years after",
    ),
    "action status not on the list": Bad(
        "PATCH",
        lambda w: f"/plan-actions/{w.action.pk}",
        lambda w, u: {"version": w.action.version, "status": "finished"},
        422,
        {"status"},
        "Choose a status",
    ),
    "action patched with nothing to change": Bad(
        "PATCH",
        lambda w: f"/plan-actions/{w.action.pk}",
        lambda w, u: {"version": w.action.version},
        422,
        {"body"},
        "Send a status, owner or due date",
    ),
    "action patched with a stale version": Bad(
        "PATCH",
        lambda w: f"/plan-actions/{w.action.pk}",
        lambda w, u: {"version": w.action.version + 5, "status": "done"},
        409,
        {"version"},
        "",
    ),
}


@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(
    practitioner_client, outsider, world, case
):
    before = _snapshot()
    body = problem(
        send(practitioner_client, case.method, case.path(world), case.body(world, outsider)), case.status
    )
    assert fields(body) == case.fields
    assert case.message in body["detail"]
    assert all(e["message"] for e in body["errors"])
    assert _snapshot() == before


def test_stale_version_and_second_draft_say_what_is_current(practitioner_client, world):
    stale = problem(
        patch(practitioner_client, f"/assessments/{world.draft.pk}", {"version": 1, "own_words": "x"}), 409
    )
    assert (stale["current_version"], stale["your_version"]) == (world.draft.version, 1)
    again = problem(post(practitioner_client, f"/episodes/{world.episode.pk}/assessments"), 409)
    assert again["draft_id"] == world.draft.pk
    assert again["type"] == "urn:liaison:problem:draft-exists"


def test_a_finished_action_cannot_be_reopened(practitioner_client, world):
    url = f"/plan-actions/{world.action.pk}"
    assert patch(practitioner_client, url, {"version": 1, "status": "not_needed"}).status_code == 200
    body = problem(patch(practitioner_client, url, {"version": 2, "status": "planned"}), 422)
    assert body["errors"] == [
        {"field": "status", "message": "This action is finished: add a new action instead of reopening it"}
    ]


def test_giving_an_action_to_someone_else_moves_its_task(practitioner_client, team_lead, world):
    moved = patch(
        practitioner_client,
        f"/plan-actions/{world.action.pk}",
        {"version": 1, "owner_id": team_lead.pk, "due": _days(3), "status": "in_progress"},
    ).json()
    assert (moved["owner_id"], moved["owner_name"], moved["due"], moved["status"]) == (
        team_lead.pk,
        str(team_lead),
        _days(3),
        "in_progress",
    )
    task = Task.objects.get(pk=world.action.task_id)
    assert (task.owner_id, task.due.isoformat(), task.done_at) == (team_lead.pk, _days(3), None)


CLOSED = {
    "start": ("POST", lambda w: f"/episodes/{w.episode.pk}/assessments", lambda w: {}),
    "save": (
        "PATCH",
        lambda w: f"/assessments/{w.draft.pk}",
        lambda w: {"version": w.draft.version, "goals": "x"},
    ),
    "complete": (
        "POST",
        lambda w: f"/assessments/{w.draft.pk}/complete",
        lambda w: {"version": w.draft.version},
    ),
    "reorder": (
        "POST",
        lambda w: f"/assessments/{w.current.pk}/order",
        lambda w: {"keys": w.plan_keys, "reason": "Late change"},
    ),
    "add action": (
        "POST",
        lambda w: f"/episodes/{w.episode.pk}/plan-actions",
        lambda w: {
            "need_key": "mental_health",
            "description": "Refer to the CMHT",
            "owner_id": w.action.owner_id,
            "due": _days(1),
        },
    ),
}


@pytest.mark.parametrize(("method", "path", "body"), CLOSED.values(), ids=CLOSED.keys())
def test_a_closed_episode_is_not_assessed_or_planned(practitioner_client, world, method, path, body):
    Episode.objects.filter(pk=world.episode.pk).update(stage=Stage.CLOSED)
    before = _snapshot()
    answer = problem(send(practitioner_client, method, path(world), body(world)), 422)
    assert fields(answer) == {None}
    assert "This episode is closed" in answer["detail"]
    assert _snapshot() == before


# --- who may do what ---------------------------------------------------------------------------------

ROUTES: dict[str, tuple[str, Callable[[World], str], Callable[[World], Any]]] = {
    "list assessments": ("GET", lambda w: f"/episodes/{w.episode.pk}/assessments", lambda w: None),
    "start assessment": ("POST", lambda w: f"/episodes/{w.episode.pk}/assessments", lambda w: {}),
    "get assessment": ("GET", lambda w: f"/assessments/{w.current.pk}", lambda w: None),
    "save assessment": (
        "PATCH",
        lambda w: f"/assessments/{w.draft.pk}",
        lambda w: {"version": w.draft.version, "own_words": "Changed"},
    ),
    "complete assessment": (
        "POST",
        lambda w: f"/assessments/{w.draft.pk}/complete",
        lambda w: {"version": w.draft.version},
    ),
    "get plan": ("GET", lambda w: f"/episodes/{w.episode.pk}/plan", lambda w: None),
    "reorder plan": (
        "POST",
        lambda w: f"/assessments/{w.current.pk}/order",
        lambda w: {"keys": list(reversed(w.plan_keys)), "reason": "The person asked"},
    ),
    "add plan action": (
        "POST",
        lambda w: f"/episodes/{w.episode.pk}/plan-actions",
        lambda w: {
            "need_key": "mental_health",
            "description": "Refer to the CMHT",
            "owner_id": w.action.owner_id,
            "due": _days(2),
        },
    ),
    "update plan action": (
        "PATCH",
        lambda w: f"/plan-actions/{w.action.pk}",
        lambda w: {"version": w.action.version, "status": "in_progress"},
    ),
}


@pytest.mark.parametrize(("method", "path", "body"), ROUTES.values(), ids=ROUTES.keys())
def test_outsider_gets_404_on_every_route_and_is_audited(
    outsider_client, outsider, world, method, path, body
):
    before = _snapshot()
    problem(send(outsider_client, method, path(world), body(world)), 404)
    denied = AuditEvent.objects.filter(action="access.denied", actor_id=outsider.pk)
    assert denied.count() == 1 and denied.get().person_id == world.episode.person_id
    assert not AuditEvent.objects.filter(actor_id=outsider.pk).exclude(action="access.denied").exists()
    assert _snapshot() == before


@pytest.mark.parametrize(("method", "path", "body"), ROUTES.values(), ids=ROUTES.keys())
def test_commissioner_is_refused_every_route(commissioner_client, world, method, path, body):
    before = _snapshot()
    problem(send(commissioner_client, method, path(world), body(world)), 404)
    assert _snapshot() == before


# A support worker helps carry out the plan; the assessment itself is clinical work.
SUPPORT_WORKER = {
    "list assessments": 200,
    "start assessment": 403,
    "get assessment": 200,
    "save assessment": 403,
    "complete assessment": 403,
    "get plan": 200,
    "reorder plan": 403,
    "add plan action": 201,
    "update plan action": 200,
}


@pytest.mark.parametrize(("route", "status"), SUPPORT_WORKER.items(), ids=SUPPORT_WORKER.keys())
def test_support_worker_may_carry_out_the_plan_but_not_assess(client, support_worker, world, route, status):
    client.force_login(support_worker)
    method, path, body = ROUTES[route]
    before = _snapshot()
    response = send(client, method, path(world), body(world))
    if status == 403:
        assert "assessment.record" in problem(response, 403)["detail"]
        assert _snapshot() == before
    else:
        assert response.status_code == status, response.content


def test_team_lead_may_record_an_assessment(lead_client, world):
    saved = patch(
        lead_client, f"/assessments/{world.draft.pk}", {"version": world.draft.version, "goals": "Stay"}
    )
    assert saved.status_code == 200 and saved.json()["goals"] == "Stay"


# --- bounded queries ---------------------------------------------------------------------------------


def _episode_with(practitioner, site, n: int) -> tuple[Episode, Assessment]:
    episode = EpisodeFactory(site=site, person=PersonFactory(), allocated_worker=practitioner)
    keys = codes().keys[:n]
    assessment = _assess(practitioner, episode, [{"key": key, "level": "moderate"} for key in keys])
    for key in keys:
        plan_action_add(
            actor=practitioner,
            episode=episode,
            need_key=key,
            description=f"Follow up {key}",
            owner_id=practitioner.pk,
            due=timezone.localdate(),
        )
    return episode, assessment


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert get(client, path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("route", ["plan", "assessment", "list"])
def test_reads_take_the_same_queries_for_2_or_10_needs_and_actions(
    practitioner_client, practitioner, site_a, route
):
    counts = []
    for n in (2, 10):
        episode, assessment = _episode_with(practitioner, site_a, n)
        path = {
            "plan": f"/episodes/{episode.pk}/plan",
            "assessment": f"/assessments/{assessment.pk}",
            "list": f"/episodes/{episode.pk}/assessments",
        }[route]
        counts.append(_queries(practitioner_client, path))
        if route == "plan":
            assert len(get(practitioner_client, path).json()["actions"]) == n
    assert counts[0] == counts[1], counts
