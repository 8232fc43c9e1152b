"""The assessment and plan pages: starting, saving a draft, completing, bad input shown beside its field
with what was typed kept, the ordered plan with the person's priorities beside it, overrides, actions,
reviews, and who may do what."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from liaison.assessment.models import ActionStatus, Assessment, AssessmentStatus, PlanAction, PlanOrder
from liaison.assessment.services import (
    assessment_complete,
    assessment_save,
    assessment_start,
    plan_action_add,
)
from liaison.core.models import AuditEvent, Role
from liaison.episodes.models import Stage, Task
from liaison.screening.services import screening_complete, screening_start
from tests.factories import member
from tests.screening.conftest import PHQ9_ITEM_9

TONIGHT_AND_MENTAL_HEALTH = [
    {"key": "mental_health", "level": "high", "evidence": "Hearing voices, stopped medication"},
    {"key": "basic:sleep_tonight", "level": "urgent"},
    {"key": "money", "level": "moderate"},
]


def completed(actor, episode, needs=None, **data):
    assessment = assessment_start(actor=actor, episode=episode)
    data["needs"] = needs if needs is not None else TONIGHT_AND_MENTAL_HEALTH
    assessment = assessment_save(actor=actor, assessment=assessment, version=assessment.version, data=data)
    return assessment_complete(actor=actor, assessment=assessment, version=assessment.version)


def post_assessment(client, assessment, *, action="save", version=None, **fields):
    """What the page posts: only the boxes filled in and the radios chosen, as a browser sends them."""
    data = {"version": assessment.version if version is None else version, "action": action, **fields}
    return client.post(f"/assessments/{assessment.pk}/save", data)


def html_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def draft(practitioner, episode_a):
    return assessment_start(actor=practitioner, episode=episode_a)


@pytest.fixture
def support_client(support_worker, client):
    client.force_login(support_worker)
    return client


# --- starting ---------------------------------------------------------------------------------------


def test_the_episode_page_offers_to_start_an_assessment(practitioner_client, episode_a):
    html = html_of(practitioner_client.get(f"/episodes/{episode_a.pk}/"))
    assert 'id="assessment-heading">Assessment and plan</h2>' in html
    assert "No assessment yet." in html
    assert f'action="/episodes/{episode_a.pk}/assessments/new"' in html


def test_starting_opens_a_draft_with_the_screenings_suggestion_beside_the_domain(
    practitioner_client, practitioner, episode_a
):
    answers = {**PHQ9_ITEM_9, "1": 3, "2": 3, "3": 3, "4": 3, "5": 3, "6": 2}  # 18: moderately severe
    screening = screening_start(actor=practitioner, episode=episode_a, instrument="phq-9", answers=answers)
    screening_complete(actor=practitioner, screening=screening, version=screening.version)
    response = practitioner_client.post(f"/episodes/{episode_a.pk}/assessments/new")
    assessment = Assessment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/assessments/{assessment.pk}/"
    html = html_of(practitioner_client.get(response["Location"]))
    assert "<title>Needs assessment 1 (draft), Liaison ID" in html
    suggestion = re.search(r'id="id_mental_health-level-suggestion">([^<]+)<', html)
    assert suggestion is not None
    assert suggestion.group(1).startswith("Suggested: High, from PHQ-9 18, ")
    # The suggestion is filled in for the practitioner to confirm or change.
    assert 'name="mental_health-level" type="radio" value="high" checked' in html
    assert "Suggested: High" in html and "suicide risk flagged" in html  # item 9: risk to self


def test_starting_again_while_a_draft_exists_opens_that_draft(practitioner_client, draft, episode_a):
    response = practitioner_client.post(f"/episodes/{episode_a.pk}/assessments/new")
    assert response["Location"] == f"/assessments/{draft.pk}/"
    assert Assessment.objects.count() == 1


def test_the_youth_pathway_shows_only_for_a_young_person(
    practitioner_client, practitioner, youth_episode, draft
):
    assert 'id="youth-heading"' not in html_of(practitioner_client.get(f"/assessments/{draft.pk}/"))
    youth = assessment_start(actor=practitioner, episode=youth_episode)
    html = html_of(practitioner_client.get(f"/assessments/{youth.pk}/"))
    assert 'id="youth-heading">Youth pathway</h2>' in html
    assert "Parent or guardian involvement" in html and "Youth justice service contact" in html


# --- drafts -----------------------------------------------------------------------------------------


def test_save_as_draft_keeps_everything_typed_on_the_server(practitioner_client, draft):
    response = post_assessment(
        practitioner_client,
        draft,
        own_words="I got kicked out and I've been sleeping in the park.",
        help_first="Somewhere to stay tonight",
        priority_1="basic:sleep_tonight",
        priority_2="mental_health",
        basic_needs=["basic:sleep_tonight", "basic:food"],
        **{"mental_health-level": "high", "mental_health-evidence": "Hearing voices", "money-level": "low"},
        fitness_for_interview="fit_with_adjustments",
        fitness_for_interview_reason="Needs breaks and an appropriate adult",
    )
    assert response.status_code == 302 and response["Location"] == f"/assessments/{draft.pk}/"
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT and draft.version == 2
    assert draft.own_words.startswith("I got kicked out")
    assert draft.person_priorities == ["basic:sleep_tonight", "mental_health"]
    assert dict(draft.needs.values_list("key", "level")) == {
        "basic:sleep_tonight": "urgent",
        "basic:food": "urgent",
        "mental_health": "high",
        "money": "low",
    }
    # A new visit (another browser, the next day) finds it all.
    html = html_of(practitioner_client.get(f"/assessments/{draft.pk}/"))
    assert "sleeping in the park.</textarea>" in html
    assert 'value="basic:sleep_tonight" checked' in html and 'value="basic:phone" checked' not in html
    assert 'name="mental_health-level" type="radio" value="high" checked' in html
    assert '<option value="basic:sleep_tonight" selected>' in html
    assert 'name="version" value="2"' in html


def test_unticking_a_basic_need_removes_it(practitioner_client, draft):
    post_assessment(practitioner_client, draft, basic_needs=["basic:food"])
    draft.refresh_from_db()
    post_assessment(practitioner_client, draft, basic_needs=[])
    assert not draft.needs.filter(key="basic:food").exists()


def test_autosave_saves_the_draft_and_answers_with_the_new_version(practitioner_client, draft):
    response = post_assessment(practitioner_client, draft, action="autosave", goals="A flat of my own")
    assert response.status_code == 200
    assert response.json()["saved"] is True and response.json()["version"] == 2
    draft.refresh_from_db()
    assert draft.goals == "A flat of my own"
    stale = post_assessment(practitioner_client, draft, action="autosave", version=1, goals="Other")
    assert stale.status_code == 409 and stale.json()["saved"] is False
    bad = post_assessment(practitioner_client, draft, action="autosave", **{"money-level": "extreme"})
    assert bad.status_code == 400
    draft.refresh_from_db()
    assert draft.goals == "A flat of my own" and draft.version == 2


def test_a_level_outside_the_scale_is_shown_beside_the_domain_and_nothing_is_lost(practitioner_client, draft):
    response = post_assessment(
        practitioner_client,
        draft,
        own_words="Words I typed",
        **{"mental_health-level": "extreme", "mental_health-evidence": "What I saw"},
    )
    html = html_of(response)
    assert response.status_code == 200 and "<title>Error: " in html
    assert (
        '<a href="#id_mental_health-level">Choose a level: no need, low, moderate, high or urgent</a>' in html
    )
    assert 'id="id_mental_health-level-error"' in html
    assert "Words I typed</textarea>" in html and "What I saw</textarea>" in html
    draft.refresh_from_db()
    assert draft.version == 1 and draft.own_words == ""


def test_completing_with_no_domain_considered_names_the_problem_and_keeps_the_draft(
    practitioner_client, draft
):
    response = post_assessment(
        practitioner_client,
        draft,
        action="complete",
        own_words="Kept as I said it",
        basic_needs=["basic:food"],
    )
    html = html_of(response)
    assert response.status_code == 200
    assert "Consider at least one domain" in html
    assert '<a href="#id_risk_to_self-level">Consider at least one domain' in html
    assert 'id="id_risk_to_self-level-error"' in html
    assert "Kept as I said it</textarea>" in html
    assert "Your answers are saved as a draft" in html
    draft.refresh_from_db()
    # Saved as a draft, not completed; the page carries the new version so the next save is not a conflict.
    assert draft.status == AssessmentStatus.DRAFT and draft.own_words == "Kept as I said it"
    assert f'name="version" value="{draft.version}"' in html


def test_a_high_need_without_evidence_is_shown_beside_its_evidence_box(practitioner_client, draft):
    response = post_assessment(practitioner_client, draft, action="complete", **{"housing-level": "high"})
    html = html_of(response)
    assert '<a href="#id_housing-evidence">Say what shows a high need for housing</a>' in html
    assert 'id="id_housing-evidence-error"' in html


def test_a_priority_given_twice_is_shown_beside_the_priorities(practitioner_client, draft):
    response = post_assessment(practitioner_client, draft, priority_1="money", priority_2="money")
    html = html_of(response)
    assert (
        '<a href="#id_priority_1">Each need can be one of the person&#x27;s priorities only once</a>' in html
    )
    assert 'id="priorities-error"' in html
    assert html.count('<option value="money" selected>') == 2


def test_a_stale_page_is_a_conflict_that_keeps_what_was_typed(practitioner_client, team_lead, draft):
    assessment_save(actor=team_lead, assessment=draft, version=1, data={"goals": "The lead's"})
    response = post_assessment(practitioner_client, draft, version=1, goals="Mine, typed on an old page")
    html = html_of(response)
    assert response.status_code == 409
    assert "Someone else saved this assessment" in html
    assert "Mine, typed on an old page</textarea>" in html and 'name="version" value="2"' in html
    draft.refresh_from_db()
    assert draft.goals == "The lead's"


def test_a_young_persons_assessment_needs_the_youth_answers_and_safeguarding(
    practitioner_client, practitioner, youth_episode
):
    youth = assessment_start(actor=practitioner, episode=youth_episode)
    response = post_assessment(practitioner_client, youth, action="complete", **{"money-level": "low"})
    html = html_of(response)
    assert '<a href="#id_guardian_involvement">Record whether a parent or guardian is involved</a>' in html
    assert '<a href="#id_education_status">' in html
    assert '<a href="#id_safeguarding-level">For a young person, safeguarding must be assessed</a>' in html
    youth.refresh_from_db()
    response = post_assessment(
        practitioner_client,
        youth,
        action="complete",
        guardian_involvement="present",
        education_status="in_education",
        **{"money-level": "low", "safeguarding-level": "none"},
    )
    assert response.status_code == 302
    youth.refresh_from_db()
    assert youth.status == AssessmentStatus.COMPLETE and youth.guardian_involvement == "present"


# --- completing and the plan ------------------------------------------------------------------------


def test_completing_shows_the_plan_in_order_with_the_persons_priorities_beside(
    practitioner_client, draft, episode_a
):
    response = post_assessment(
        practitioner_client,
        draft,
        action="complete",
        own_words="I need my meds and somewhere to sleep.",
        priority_1="money",
        priority_2="mental_health",
        basic_needs=["basic:sleep_tonight"],
        **{
            "mental_health-level": "high",
            "mental_health-evidence": "Hearing voices",
            "money-level": "moderate",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/episodes/{episode_a.pk}/plan"
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.COMPLETE
    episode_a.refresh_from_db()
    assert episode_a.stage == Stage.ASSESSED
    html = html_of(practitioner_client.get(response["Location"]))
    assert "<title>Plan, Liaison ID" in html
    order = re.findall(r'<span class="nhsuk-u-visually-hidden">(\d+)\. </span>([^<]+)</h3>', html)
    assert order == [
        ("1", "A safe place to sleep tonight"),
        ("2", "Money, benefits and debt"),
        ("3", "Mental health"),
    ]
    assert (
        "Why here:</span> Basic needs today" in html
        and "Why here:</span> The person&#x27;s own priority" in html
    )
    assert "Their 1st priority" in html and "Their 2nd priority" in html
    assert "I need my meds and somewhere to sleep." in html
    assert "In the plan: 2nd" in html  # their first priority, and where the plan puts it


def test_the_episode_page_shows_the_plan_in_short(practitioner_client, practitioner, episode_a):
    completed(practitioner, episode_a)
    html = html_of(practitioner_client.get(f"/episodes/{episode_a.pk}/"))
    assert "Needs assessment 1 completed" in html
    assert html.index("A safe place to sleep tonight") < html.index("Mental health")
    assert f'href="/episodes/{episode_a.pk}/plan"' in html and "Review the assessment" in html


def test_an_override_without_a_reason_is_refused_beside_the_reason(
    practitioner_client, practitioner, episode_a
):
    completed(practitioner, episode_a)
    data = {
        "order-position_mental_health": "1",
        "order-position_basic_sleep_tonight": "2",
        "order-position_money": "3",
        "order-reason": "",
    }
    response = practitioner_client.post(f"/episodes/{episode_a.pk}/plan/order", data)
    html = html_of(response)
    assert '<a href="#id_order-reason">Give the reason for changing the order</a>' in html
    assert 'nhsuk-details" open' in html  # the form stays open, with the positions chosen
    assert '<option value="1" selected>1</option>' in html
    assert not PlanOrder.objects.exists()

    data["order-reason"] = "Has a bed at his sister's tonight; the voices are the emergency"
    response = practitioner_client.post(f"/episodes/{episode_a.pk}/plan/order", data)
    assert response.status_code == 302
    html = html_of(practitioner_client.get(f"/episodes/{episode_a.pk}/plan"))
    assert "The order was changed</strong> by" in html
    assert "Has a bed at his sister&#x27;s tonight" in html
    order = re.findall(r'<span class="nhsuk-u-visually-hidden">(\d+)\. </span>([^<]+)</h3>', html)
    assert order[0] == ("1", "Mental health")
    assert "the rule puts it 2nd" in html


def test_two_needs_in_one_position_are_refused(practitioner_client, practitioner, episode_a):
    completed(practitioner, episode_a)
    data = {
        "order-position_mental_health": "1",
        "order-position_basic_sleep_tonight": "1",
        "order-position_money": "3",
        "order-reason": "Because",
    }
    html = html_of(practitioner_client.post(f"/episodes/{episode_a.pk}/plan/order", data))
    assert "Position 1 is given to more than one need" in html
    assert not PlanOrder.objects.exists()


def test_an_action_without_an_owner_is_refused_beside_the_owner_and_keeps_what_was_typed(
    practitioner_client, practitioner, episode_a
):
    completed(practitioner, episode_a)
    today = timezone.localdate()
    data = {
        "action-need_key": "basic:sleep_tonight",
        "action-description": "Call the council's out-of-hours housing team",
        "action-owner": "",
        "action-due-day": str(today.day),
        "action-due-month": str(today.month),
        "action-due-year": str(today.year),
    }
    response = practitioner_client.post(f"/episodes/{episode_a.pk}/plan/actions", data)
    html = html_of(response)
    assert '<a href="#id_action-owner">Choose who will do this</a>' in html
    assert 'id="id_action-owner-error"' in html
    assert 'value="Call the council&#x27;s out-of-hours housing team"' in html
    assert not PlanAction.objects.exists()

    data["action-owner"] = str(practitioner.pk)
    response = practitioner_client.post(f"/episodes/{episode_a.pk}/plan/actions", data)
    assert response.status_code == 302
    assert response["Location"] == f"/episodes/{episode_a.pk}/plan#need-basic-sleep_tonight"
    action = PlanAction.objects.get()
    assert action.task.owner == practitioner and action.task.due == today
    html = html_of(practitioner_client.get(f"/episodes/{episode_a.pk}/plan"))
    assert "Call the council&#x27;s out-of-hours housing team" in html
    # And it is a task on the episode.
    assert "A safe place to sleep tonight: Call the council" in html_of(
        practitioner_client.get(f"/episodes/{episode_a.pk}/")
    )


def test_an_action_is_moved_on_from_its_own_page_and_its_task_follows(
    practitioner_client, practitioner, episode_a
):
    completed(practitioner, episode_a)
    action = plan_action_add(
        actor=practitioner,
        episode=episode_a,
        need_key="money",
        description="Check the benefit claim",
        owner_id=practitioner.pk,
        due=timezone.localdate(),
    )
    html = html_of(practitioner_client.get(f"/plan-actions/{action.pk}/"))
    assert '<h1 class="nhsuk-heading-l">Check the benefit claim</h1>' in html
    due = action.due
    form = {"owner": practitioner.pk, "due-day": due.day, "due-month": due.month, "due-year": due.year}
    stale = practitioner_client.post(
        f"/plan-actions/{action.pk}/", {"version": 7, "status": "in_progress", **form}
    )
    assert stale.status_code == 409 and "Someone else changed this action" in html_of(stale)
    assert 'type="radio" value="in_progress" checked' in html_of(stale)
    response = practitioner_client.post(
        f"/plan-actions/{action.pk}/", {"version": 1, "status": "done", **form}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and Task.objects.get().done_at is not None
    # A finished action is kept as it was: its page no longer offers changes.
    html = html_of(practitioner_client.get(f"/plan-actions/{action.pk}/"))
    assert 'id="action-form"' not in html and "This action is finished" in html


# --- reviews and the person page --------------------------------------------------------------------


def test_a_review_is_a_new_version_copied_from_the_last_and_every_version_is_kept(
    practitioner_client, practitioner, episode_a
):
    first = completed(practitioner, episode_a, own_words="First time")
    response = practitioner_client.post(f"/episodes/{episode_a.pk}/assessments/new")
    review = Assessment.objects.get(number=2)
    assert response["Location"] == f"/assessments/{review.pk}/"
    html = html_of(practitioner_client.get(f"/assessments/{review.pk}/"))
    assert "Needs assessment: review 1" in html and "First time</textarea>" in html
    assert 'name="mental_health-level" type="radio" value="high" checked' in html
    post_assessment(
        practitioner_client,
        review,
        action="complete",
        own_words="Better now",
        basic_needs=[],
        **{"mental_health-level": "moderate", "money-level": "moderate"},
    )
    review.refresh_from_db()
    assert review.status == AssessmentStatus.COMPLETE
    first_html = html_of(practitioner_client.get(f"/assessments/{first.pk}/"))
    assert "A later version replaces it" in first_html and "First time" in first_html
    person_html = html_of(practitioner_client.get(f"/people/{episode_a.person_id}/"))
    assert 'id="needs-changed-heading">How needs changed</h3>' in person_html
    assert "Better now" in person_html and "First time" not in person_html
    assert "Lower" in person_html  # mental health went from high to moderate


def test_the_person_page_shows_the_plan_and_their_own_words_near_the_top(
    practitioner_client, practitioner, episode_a
):
    completed(
        practitioner,
        episode_a,
        own_words="I just want my kids back.",
        person_priorities=["relationships"],
        needs=[*TONIGHT_AND_MENTAL_HEALTH, {"key": "relationships", "level": "moderate"}],
    )
    plan_action_add(
        actor=practitioner,
        episode=episode_a,
        need_key="mental_health",
        description="Book a GP review",
        owner_id=practitioner.pk,
        due=timezone.localdate(),
    )
    html = html_of(practitioner_client.get(f"/people/{episode_a.person_id}/"))
    assert 'id="person-plan-heading">Current plan</h2>' in html
    assert html.index("I just want my kids back.") < html.index(">Episodes</h2>")
    assert "Book a GP review" in html and "Their 1st priority" in html
    assert "How needs changed" not in html  # only one version


def test_the_person_page_costs_no_more_queries_with_a_bigger_plan(
    practitioner_client, practitioner, team_a, episode_a, person_a
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert practitioner_client.get(f"/people/{person_a.pk}/").status_code == 200
        return len(queries)

    practitioner_client.get(f"/people/{person_a.pk}/")  # the audit chain's first event, the session
    without = count()
    completed(practitioner, episode_a)
    small = count()
    assert small - without <= 4  # the complete assessments, their needs, the override, the actions
    lead = member(team_a, Role.TEAM_LEAD)
    review = assessment_start(actor=practitioner, episode=episode_a)
    assessment_save(
        actor=practitioner,
        assessment=review,
        version=review.version,
        data={
            "needs": [
                {"key": k, "level": "moderate", "evidence": "x"}
                for k in ("mental_health", "money", "housing", "employment", "relationships", "substance_use")
            ],
        },
    )
    review.refresh_from_db()
    assessment_complete(actor=practitioner, assessment=review, version=review.version)
    for n in range(5):
        plan_action_add(
            actor=practitioner,
            episode=episode_a,
            need_key="money",
            description=f"Step {n}",
            owner_id=lead.pk,
            due=timezone.localdate(),
        )
    assert count() == small


# --- who may ------------------------------------------------------------------------------------------


def test_a_support_worker_may_add_actions_but_not_change_the_assessment(
    support_client, support_worker, practitioner, episode_a, draft
):
    assert support_client.post(f"/episodes/{episode_a.pk}/assessments/new").status_code == 403
    assert post_assessment(support_client, draft, goals="Support worker's words").status_code == 403
    html = html_of(support_client.get(f"/assessments/{draft.pk}/"))
    assert "<textarea" not in html and "Only practitioners and team leads can record assessments." in html
    draft.refresh_from_db()
    assert draft.goals == "" and draft.version == 1
    assessment_save(
        actor=practitioner, assessment=draft, version=1, data={"needs": TONIGHT_AND_MENTAL_HEALTH}
    )
    draft.refresh_from_db()
    assessment_complete(actor=practitioner, assessment=draft, version=draft.version)
    plan_html = html_of(support_client.get(f"/episodes/{episode_a.pk}/plan"))
    assert 'id="add-action"' in plan_html and 'id="change-order"' not in plan_html
    order = {
        "order-position_mental_health": "1",
        "order-position_basic_sleep_tonight": "2",
        "order-position_money": "3",
        "order-reason": "I think so",
    }
    assert support_client.post(f"/episodes/{episode_a.pk}/plan/order", order).status_code == 403
    today = timezone.localdate()
    response = support_client.post(
        f"/episodes/{episode_a.pk}/plan/actions",
        {
            "action-need_key": "money",
            "action-description": "Go with them to the job centre",
            "action-owner": support_worker.pk,
            "action-due-day": today.day,
            "action-due-month": today.month,
            "action-due-year": today.year,
        },
    )
    assert response.status_code == 302
    assert PlanAction.objects.get().owner == support_worker


def test_a_commissioner_is_refused_every_page(commissioner_client, practitioner, episode_a):
    assessment = completed(practitioner, episode_a)
    # Commissioners see aggregate reports only: to them a person's records do not exist.
    for url in (f"/assessments/{assessment.pk}/", f"/episodes/{episode_a.pk}/plan"):
        assert commissioner_client.get(url).status_code == 404
    assert commissioner_client.post(f"/episodes/{episode_a.pk}/assessments/new").status_code == 404
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/episodes/{episode}/assessments/new"),
        ("get", "/assessments/{assessment}/"),
        ("post", "/assessments/{assessment}/save"),
        ("get", "/episodes/{episode}/plan"),
        ("post", "/episodes/{episode}/plan/actions"),
        ("post", "/episodes/{episode}/plan/order"),
        ("get", "/plan-actions/{action}/"),
        ("post", "/plan-actions/{action}/"),
    ],
)
def test_an_outsider_gets_404_and_is_audited(
    outsider_client, outsider, practitioner, episode_a, method, path
):
    assessment = completed(practitioner, episode_a)
    action = plan_action_add(
        actor=practitioner,
        episode=episode_a,
        need_key="money",
        description="x",
        owner_id=practitioner.pk,
        due=timezone.localdate(),
    )
    url = path.format(episode=episode_a.pk, assessment=assessment.pk, action=action.pk)
    data = {"version": 2, "action": "save", "goals": "Outsider", "status": "done", "owner": outsider.pk}
    response = getattr(outsider_client, method)(url, data) if method == "post" else outsider_client.get(url)
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", actor_id=outsider.pk).exists()
    assert Assessment.objects.count() == 1 and PlanAction.objects.get().status == ActionStatus.PLANNED
    assert b"Rivers" not in response.content


def test_a_closed_episodes_assessment_is_read_only(practitioner_client, practitioner, episode_a):
    assessment = completed(practitioner, episode_a)
    episode_a.stage = Stage.CLOSED
    episode_a.save(update_fields=["stage"])
    html = html_of(practitioner_client.get(f"/assessments/{assessment.pk}/"))
    assert "Review the assessment" not in html and "<textarea" not in html
    plan_html = html_of(practitioner_client.get(f"/episodes/{episode_a.pk}/plan"))
    assert 'id="add-action"' not in plan_html and 'id="change-order"' not in plan_html


def test_open_actions_for_a_need_a_review_left_out_stay_on_the_plan(
    practitioner_client, practitioner, episode_a
):
    completed(practitioner, episode_a)
    plan_action_add(
        actor=practitioner,
        episode=episode_a,
        need_key="money",
        description="Chase the missing benefit payment",
        owner_id=practitioner.pk,
        due=timezone.localdate(),
    )
    completed(practitioner, episode_a, needs=[{"key": "mental_health", "level": "low"}])
    html = html_of(practitioner_client.get(f"/episodes/{episode_a.pk}/plan"))
    assert "Open actions for needs no longer in the plan" in html
    assert "Chase the missing benefit payment" in html and "Money, benefits and debt" in html


# --- audit and query counts -------------------------------------------------------------------------


def test_every_step_is_audited(practitioner_client, practitioner, episode_a):
    practitioner_client.post(f"/episodes/{episode_a.pk}/assessments/new")
    assessment = Assessment.objects.get()
    post_assessment(practitioner_client, assessment, **{"money-level": "low"})
    assessment.refresh_from_db()
    post_assessment(
        practitioner_client,
        assessment,
        action="complete",
        **{"money-level": "high", "money-evidence": "Sanctioned", "housing-level": "low"},
    )
    practitioner_client.get(f"/episodes/{episode_a.pk}/plan")
    practitioner_client.post(
        f"/episodes/{episode_a.pk}/plan/order",
        {
            "order-position_money": "2",
            "order-position_housing": "1",
            "order-reason": "Eviction notice",
        },
    )
    today = timezone.localdate()
    practitioner_client.post(
        f"/episodes/{episode_a.pk}/plan/actions",
        {
            "action-need_key": "housing",
            "action-description": "Ring the landlord",
            "action-owner": practitioner.pk,
            "action-due-day": today.day,
            "action-due-month": today.month,
            "action-due-year": today.year,
        },
    )
    actions = set(
        AuditEvent.objects.filter(actor_id=practitioner.pk, person_id=episode_a.person_id).values_list(
            "action", flat=True
        )
    )
    assert {
        "assessment.create",
        "assessment.update",
        "assessment.complete",
        "assessment.view",
        "plan.view",
        "plan.reorder",
        "plan.action_add",
    } <= actions


def test_the_plan_page_runs_the_same_queries_for_2_and_10_needs(
    practitioner_client, practitioner, site_a, episode_a
):
    from tests.factories import EpisodeFactory

    keys = [
        "mental_health",
        "money",
        "housing",
        "employment",
        "relationships",
        "substance_use",
        "physical_health",
        "ld_neurodiversity",
        "basic:food",
        "basic:phone",
    ]
    counts = []
    for episode, needs in ((episode_a, 2), (EpisodeFactory(site=site_a), 10)):
        completed(practitioner, episode, needs=[{"key": k, "level": "moderate"} for k in keys[:needs]])
        for key in keys[:needs]:
            plan_action_add(
                actor=practitioner,
                episode=episode,
                need_key=key,
                description=f"Do {key}",
                owner_id=practitioner.pk,
                due=timezone.localdate() + dt.timedelta(days=3),
            )
        practitioner_client.get(f"/episodes/{episode.pk}/plan")  # warm the session and the audit chain
        with CaptureQueriesContext(connection) as queries:
            response = practitioner_client.get(f"/episodes/{episode.pk}/plan")
        assert response.status_code == 200
        assert response.content.decode().count('class="liaison-plan__item ') == needs
        counts.append(len(queries))
    assert counts[0] == counts[1] and counts[0] <= 20, counts


@pytest.mark.parametrize(("rank", "word"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"),
                                            (12, "12th"), (13, "13th"), (21, "21st")])  # fmt: skip
def test_positions_read_as_ordinals(rank, word):
    from liaison.assessment.presenters import ordinal

    assert ordinal(rank) == word
