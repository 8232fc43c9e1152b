"""Crisis plan rules: versions kept, what a plan needs before it is complete, review dates, stale edits,
who may write one, the audit trail, and crises feeding the next review."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.models import AuditEvent, Role
from liaison.episodes.models import Stage
from liaison.support.models import CrisisPlan, CrisisPlanStatus
from liaison.support.queries import crisis_events_for_review, crisis_service_choices
from liaison.support.services import (
    crisis_event_add,
    crisis_plan_complete,
    crisis_plan_save,
    crisis_plan_start,
)
from tests.factories import member
from tests.support.conftest import WARNING_SIGNS, complete_plan, full_data

pytestmark = pytest.mark.django_db


def _draft(actor, episode, **changes):
    draft = crisis_plan_start(actor=actor, episode=episode)
    return crisis_plan_save(actor=actor, plan=draft, version=draft.version, data=full_data(**changes))


def test_a_first_plan_starts_empty_with_a_review_date_three_months_ahead(practitioner, episode_a):
    plan = crisis_plan_start(actor=practitioner, episode=episode_a)
    assert (plan.number, plan.status, plan.warning_signs) == (1, CrisisPlanStatus.DRAFT, "")
    today = timezone.localdate()
    assert plan.review_on is not None and 89 <= (plan.review_on - today).days <= 92
    assert AuditEvent.objects.filter(action="crisis_plan.create", object_id=str(plan.pk)).exists()


def test_a_review_copies_the_last_complete_version_and_never_changes_it(practitioner, episode_a):
    first = complete_plan(practitioner, episode_a)
    review = crisis_plan_start(actor=practitioner, episode=episode_a)
    assert review.number == 2
    assert review.warning_signs == WARNING_SIGNS
    assert review.people_to_ask == first.people_to_ask
    # Written with the person is confirmed afresh for each version.
    assert review.written_with_person is False
    crisis_plan_save(
        actor=practitioner, plan=review, version=review.version, data={"warning_signs": "Not sleeping"}
    )
    first.refresh_from_db()
    assert first.warning_signs == WARNING_SIGNS and first.status == CrisisPlanStatus.COMPLETE
    with pytest.raises(ValidationError) as caught:
        crisis_plan_save(actor=practitioner, plan=first, version=first.version, data={"safer": "x"})
    assert "start a review" in str(caught.value)


def test_only_one_draft_at_a_time(practitioner, episode_a):
    crisis_plan_start(actor=practitioner, episode=episode_a)
    with pytest.raises(ValidationError, match="already has a draft"):
        crisis_plan_start(actor=practitioner, episode=episode_a)


NO_WAY_TO_GET_HELP = {"people_to_ask": [], "service_ids": [], "other_professionals": ""}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"warning_signs": "  "}, "warning_signs", "warning signs"),
        ({"self_help": ""}, "self_help", "at least one thing they can do themselves"),
        (NO_WAY_TO_GET_HELP, "people_to_ask", "at least one person they can ask for help"),
        ({"written_with_person": False}, "written_with_person", "written with the person"),
        ({"review_on": None}, "review_on", "Enter a review date"),
    ],
)
def test_a_plan_cannot_be_completed_without(practitioner, episode_a, changes, field, message):
    draft = _draft(practitioner, episode_a, **changes)
    with pytest.raises(ValidationError) as caught:
        crisis_plan_complete(actor=practitioner, plan=draft, version=draft.version)
    assert message in " ".join(caught.value.message_dict[field])
    draft.refresh_from_db()
    assert draft.status == CrisisPlanStatus.DRAFT


@pytest.mark.parametrize(
    "changes",
    [
        {**NO_WAY_TO_GET_HELP, "other_professionals": "My GP, 0161 496 0999"},
        {**NO_WAY_TO_GET_HELP, "service_ids": ["svc-line"]},
        {**NO_WAY_TO_GET_HELP, "people_to_ask": [{"name": "Jo", "how": ""}]},
    ],
)
def test_any_one_way_to_get_help_is_enough(practitioner, episode_a, crisis_services, changes):
    draft = _draft(practitioner, episode_a, **changes)
    assert crisis_plan_complete(actor=practitioner, plan=draft, version=draft.version).is_complete


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (0, "must be in the future"),
        (-3, "must be in the future"),
        (367, "within 12 months"),
        (1, None),
        (364, None),
    ],
)
def test_review_date_is_in_the_future_and_within_a_year(practitioner, episode_a, days, message):
    draft = crisis_plan_start(actor=practitioner, episode=episode_a)
    review_on = timezone.localdate() + dt.timedelta(days=days)
    if message is None:
        saved = crisis_plan_save(
            actor=practitioner, plan=draft, version=draft.version, data={"review_on": review_on}
        )
        assert saved.review_on == review_on
        return
    with pytest.raises(ValidationError) as caught:
        crisis_plan_save(actor=practitioner, plan=draft, version=draft.version, data={"review_on": review_on})
    assert message in caught.value.message_dict["review_on"][0]


def test_chosen_services_are_kept_as_a_snapshot_with_numbers_and_opening_times(
    practitioner, episode_a, crisis_services
):
    draft = _draft(practitioner, episode_a, service_ids=["svc-cafe", "svc-line"])
    assert [s["name"] for s in draft.services] == ["Riverside Crisis Café", "Northside Crisis Line"]
    assert draft.services[0]["phones"] == [{"number": "0161 496 0000", "label": ""}]
    assert draft.services[0]["opening"] == "Every day, 6pm to midnight"
    assert draft.services[1]["opening"] == "Every day, 24 hours"


@pytest.mark.parametrize(
    ("service_ids", "message"),
    [
        (["svc-nowhere"], "no longer in the directory"),
        ([f"svc-{n}" for n in range(9)], "up to 8"),
        ("svc-line", "Choose services from the list"),
    ],
)
def test_bad_service_choices_are_refused(practitioner, episode_a, crisis_services, service_ids, message):
    draft = crisis_plan_start(actor=practitioner, episode=episode_a)
    with pytest.raises(ValidationError) as caught:
        crisis_plan_save(
            actor=practitioner, plan=draft, version=draft.version, data={"service_ids": service_ids}
        )
    assert message in caught.value.message_dict["service_ids"][0]


def test_crisis_services_are_listed_first(crisis_services):
    names = [s.name for s in crisis_service_choices()]
    assert names == ["Northside Crisis Line", "Riverside Crisis Café", "Apple Tree Food Bank"]
    # Already chosen ones come first of all, so a choice is never lost off the end of the list.
    assert crisis_service_choices(["svc-food"])[0].name == "Apple Tree Food Bank"


def test_a_stale_edit_changes_nothing(practitioner, episode_a):
    draft = crisis_plan_start(actor=practitioner, episode=episode_a)
    crisis_plan_save(actor=practitioner, plan=draft, version=1, data={"warning_signs": "First"})
    with pytest.raises(StaleWrite):
        crisis_plan_save(actor=practitioner, plan=draft, version=1, data={"warning_signs": "Second"})
    draft.refresh_from_db()
    assert (draft.warning_signs, draft.version) == ("First", 2)


def test_a_person_to_ask_needs_a_name(practitioner, episode_a):
    draft = crisis_plan_start(actor=practitioner, episode=episode_a)
    with pytest.raises(ValidationError) as caught:
        crisis_plan_save(
            actor=practitioner,
            plan=draft,
            version=1,
            data={"people_to_ask": [{"name": "", "how": "07700 900123"}]},
        )
    assert "Enter the name" in caught.value.message_dict["people_to_ask.0.name"][0]


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.PARTNER])
def test_roles_without_the_permission_cannot_write(episode_a, practitioner, role):
    someone = member(episode_a.team, role)
    with pytest.raises(NotPermitted):
        crisis_plan_start(actor=someone, episode=episode_a)
    draft = crisis_plan_start(actor=practitioner, episode=episode_a)
    with pytest.raises(NotPermitted):
        crisis_plan_save(actor=someone, plan=draft, version=1, data={"warning_signs": "x"})
    with pytest.raises(NotPermitted):
        crisis_event_add(actor=someone, episode=episode_a, happened_at=timezone.now(), what_happened="x")


def test_support_workers_write_crisis_plans_too(support_worker, episode_a):
    assert complete_plan(support_worker, episode_a).is_complete


def test_the_outsiders_team_cannot_write(outsider, episode_a):
    with pytest.raises(NotPermitted):
        crisis_plan_start(actor=outsider, episode=episode_a)


def test_a_closed_episode_keeps_its_plan_as_it_was(practitioner, episode_a):
    complete_plan(practitioner, episode_a)
    episode_a.stage = Stage.CLOSED
    episode_a.save(update_fields=["stage"])
    with pytest.raises(ValidationError, match="closed"):
        crisis_plan_start(actor=practitioner, episode=episode_a)


def test_every_write_is_audited(practitioner, episode_a):
    plan = complete_plan(practitioner, episode_a)
    crisis_event_add(actor=practitioner, episode=episode_a, happened_at=timezone.now(), what_happened="x")
    actions = set(AuditEvent.objects.filter(actor_id=practitioner.pk).values_list("action", flat=True))
    assert {
        "crisis_plan.create",
        "crisis_plan.update",
        "crisis_plan.complete",
        "crisis_event.create",
    } <= actions
    complete = AuditEvent.objects.get(action="crisis_plan.complete")
    assert (complete.person_id, complete.object_id) == (episode_a.person_id, str(plan.pk))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"what_happened": "   "}, "what_happened"),
        ({"happened_at": timezone.now() + dt.timedelta(hours=2)}, "happened_at"),
        ({"what_helped": "x" * 3001}, "what_helped"),
    ],
)
def test_a_crisis_event_needs_what_happened_in_the_past(practitioner, episode_a, changes, field):
    values = {"happened_at": timezone.now() - dt.timedelta(hours=1), "what_happened": "Panic at night"}
    values.update(changes)
    with pytest.raises(ValidationError) as caught:
        crisis_event_add(actor=practitioner, episode=episode_a, **values)
    assert field in caught.value.message_dict


def test_crises_since_the_last_plan_feed_the_review(practitioner, episode_a):
    crisis_event_add(
        actor=practitioner,
        episode=episode_a,
        happened_at=timezone.now() - dt.timedelta(days=2),
        what_happened="Before the plan",
    )
    first = crisis_plan_start(actor=practitioner, episode=episode_a)
    assert [e.what_happened for e in crisis_events_for_review(first)] == ["Before the plan"]
    crisis_plan_save(actor=practitioner, plan=first, version=1, data=full_data())
    crisis_plan_complete(actor=practitioner, plan=first, version=2)
    crisis_event_add(
        actor=practitioner,
        episode=episode_a,
        happened_at=timezone.now() - dt.timedelta(hours=3),
        what_happened="Panic on the bus",
        what_helped="Ringing Jo",
    )
    review = crisis_plan_start(actor=practitioner, episode=episode_a)
    assert [e.what_happened for e in crisis_events_for_review(review)] == ["Panic on the bus"]
    assert CrisisPlan.objects.filter(episode=episode_a).count() == 2
