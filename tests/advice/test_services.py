"""Advice services: who may allocate and record, what is refused and why, the same-day task, the duty
to refer, outcomes, closing, and stale edits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from liaison.advice.models import AdviceAction, AdviceOutcome, AdviceRecord, AdviceStatus
from liaison.advice.presenters import outcome_text
from liaison.advice.services import (
    SAME_DAY_RULE,
    advice_action_add,
    advice_allocate,
    advice_close,
    advice_outcome_add,
    advice_reallocate,
    duty_to_refer_record,
)
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.models import AuditEvent, Role
from liaison.episodes.models import Stage, Task
from tests.factories import member

NOON = dt.datetime(2026, 3, 24, 12, 0, tzinfo=dt.UTC)


def allocate(actor, episode, adviser=None, **fields):
    fields.setdefault("advice_type", "housing")
    return advice_allocate(actor=actor, episode=episode, adviser_id=adviser.pk if adviser else None, **fields)


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def today() -> dt.date:
    return timezone.localdate()


# --- who may do what ----------------------------------------------------------------------------


ALLOCATORS = [
    ("practitioner", True),
    ("support_worker", True),
    ("adviser", True),
    ("team_lead", True),
    ("commissioner", False),
    ("partner", False),
    ("outsider", False),  # a practitioner in team B
    ("adviser_b", False),  # an adviser in team B
]


@pytest.mark.parametrize(("who", "allowed"), ALLOCATORS)
def test_who_may_allocate_advice_work(request, episode_a, adviser, who, allowed):
    actor = request.getfixturevalue(who)
    if allowed:
        record = allocate(actor, episode_a, adviser)
        assert record.adviser == adviser
    else:
        with pytest.raises(NotPermitted):
            allocate(actor, episode_a, adviser)
        assert not AdviceRecord.objects.exists()
        assert not Task.objects.exists()


RECORDERS = [
    ("adviser", True),
    ("team_lead", True),
    ("practitioner", False),
    ("support_worker", False),
    ("commissioner", False),
    ("partner", False),
    ("outsider", False),
    ("adviser_b", False),
]


@pytest.mark.parametrize(("who", "allowed"), RECORDERS)
def test_who_may_keep_the_advice_record(request, practitioner, episode_a, adviser, who, allowed):
    record = allocate(practitioner, episode_a, adviser)
    actor = request.getfixturevalue(who)
    attempts = [
        lambda: advice_action_add(actor=actor, record=record, done_on=today(), what="Rang the council"),
        lambda: advice_outcome_add(
            actor=actor, record=record, kind="no_outcome", achieved_on=today(), note="Moved away"
        ),
        lambda: duty_to_refer_record(
            actor=actor,
            record=record,
            version=AdviceRecord.objects.get(pk=record.pk).version,
            authority="Northtown City Council",
            referred_on=today(),
            consent=True,
        ),
    ]
    for attempt in attempts:
        if allowed:
            attempt()
        else:
            with pytest.raises(NotPermitted):
                attempt()
    assert AdviceAction.objects.count() == (1 if allowed else 0)
    assert AdviceOutcome.objects.count() == (1 if allowed else 0)


# --- allocation: the same-day task, and what is refused ---------------------------------------------


@time_machine.travel(NOON)
def test_allocating_makes_a_task_due_today_for_the_adviser(practitioner, episode_a, adviser):
    record = allocate(practitioner, episode_a, adviser, need_key="basic:sleep_tonight")
    task = Task.objects.get()
    assert record.task == task
    assert (task.due, task.owner, task.rule) == (dt.date(2026, 3, 24), adviser, SAME_DAY_RULE)
    assert task.title == "Advice today: housing options and homelessness"
    assert (record.allocated_at, record.allocated_by, record.due_on) == (NOON, practitioner, task.due)
    event = AuditEvent.objects.get(action="advice.allocate")
    assert (event.person_id, event.actor_id, event.role) == (
        episode_a.person_id,
        practitioner.pk,
        Role.PRACTITIONER,
    )


def test_left_on_the_team_list_the_task_has_no_owner_until_an_adviser_takes_it(
    practitioner, episode_a, adviser
):
    with time_machine.travel(NOON):
        record = allocate(practitioner, episode_a)
    assert (record.adviser, record.allocated_at, Task.objects.get().owner) == (None, None, None)
    # Taken the next morning: the adviser is expected that day.
    with time_machine.travel(NOON + dt.timedelta(days=1)):
        record = advice_reallocate(
            actor=adviser, record=record, version=record.version, adviser_id=adviser.pk
        )
    task = Task.objects.get()
    assert (task.owner, task.due, record.due_on) == (adviser, dt.date(2026, 3, 25), dt.date(2026, 3, 25))
    assert record.adviser == adviser
    assert AuditEvent.objects.filter(action="advice.reallocate", actor_id=adviser.pk).exists()


def _inactive_adviser(team_a):
    user = member(team_a, Role.ADVISER, "gone")
    user.is_active = False
    user.save()
    return user


ALLOCATION_ERRORS = [
    ("a practitioner", lambda f: {"adviser": f["practitioner"]}, "adviser", "adviser or team lead"),
    ("a support worker", lambda f: {"adviser": f["support_worker"]}, "adviser", "adviser or team lead"),
    ("team B's adviser", lambda f: {"adviser": f["adviser_b"]}, "adviser", "episode's team"),
    ("a leaver", lambda f: {"adviser": _inactive_adviser(f["team_a"])}, "adviser", "adviser or team lead"),
    ("no type", lambda f: {"advice_type": "holiday"}, "advice_type", "Choose what kind of advice"),
    ("unknown need", lambda f: {"need_key": "basic:yacht"}, "need_key", "one of the assessment's needs"),
    ("claim, no benefit", lambda f: {"advice_type": "benefits"}, "benefit", "Choose which benefit"),
    (
        "another benefit, unnamed",
        lambda f: {"advice_type": "benefits", "benefit": "other"},
        "benefit_other",
        "Enter the name of the benefit",
    ),
    (
        "benefit on a debt record",
        lambda f: {"advice_type": "debt", "benefit": "pip"},
        "benefit",
        "Only a benefit claim names a benefit",
    ),
]


@pytest.mark.parametrize(
    ("case", "change", "field", "message"), ALLOCATION_ERRORS, ids=[c[0] for c in ALLOCATION_ERRORS]
)
def test_allocation_refuses_with_a_clear_error(
    request, practitioner, episode_a, adviser, case, change, field, message
):
    names = ("team_a", "practitioner", "support_worker", "adviser_b")
    fixtures = {name: request.getfixturevalue(name) for name in names}
    fields = {"adviser": adviser, **change(fixtures)}
    with pytest.raises(ValidationError) as excinfo:
        allocate(practitioner, episode_a, **fields)
    assert message in " ".join(errors_of(excinfo)[field])
    assert not AdviceRecord.objects.exists() and not Task.objects.exists()


def test_a_closed_episode_takes_no_new_advice_work(practitioner, episode_a, adviser):
    episode_a.stage = Stage.CLOSED
    episode_a.save()
    with pytest.raises(ValidationError) as excinfo:
        allocate(practitioner, episode_a, adviser)
    assert "episode is closed" in errors_of(excinfo)["episode"][0]


def test_a_team_lead_can_be_given_advice_work(practitioner, team_lead, episode_a):
    record = allocate(practitioner, episode_a, team_lead, advice_type="benefits", benefit="pip")
    assert (record.adviser, Task.objects.get().owner) == (team_lead, team_lead)


# --- actions --------------------------------------------------------------------------------------


def test_the_first_action_meets_the_same_day_expectation_and_closes_its_task(
    practitioner, episode_a, adviser
):
    record = allocate(practitioner, episode_a, adviser)
    advice_action_add(actor=adviser, record=record, done_on=today(), what="Saw them at the court cells")
    task = Task.objects.get()
    assert task.done_at is not None and task.done_by == adviser
    advice_action_add(actor=adviser, record=record, done_on=today(), what="Rang housing options")
    assert Task.objects.count() == 1
    record.refresh_from_db()
    assert record.version == 3  # each action touches the record


@pytest.mark.parametrize(
    ("done_on", "what", "field", "message"),
    [
        (None, "Rang", "done_on", "Enter the date it was done"),
        ("tomorrow", "Rang", "done_on", "cannot be in the future"),
        ("today", "   ", "what", "Say what was done"),
        ("today", "x" * 5001, "what", "5,000 characters or fewer"),
    ],
)
def test_an_action_needs_a_past_date_and_what_was_done(
    practitioner, episode_a, adviser, done_on, what, field, message
):
    record = allocate(practitioner, episode_a, adviser)
    day = {"today": today(), "tomorrow": today() + dt.timedelta(days=1), None: None}[done_on]
    with pytest.raises(ValidationError) as excinfo:
        advice_action_add(actor=adviser, record=record, done_on=day, what=what)
    assert message in errors_of(excinfo)[field][0]
    assert not AdviceAction.objects.exists()


# --- the duty to refer ------------------------------------------------------------------------------


def refer(actor, record, **fields):
    values = {
        "authority": "Northtown City Council",
        "referred_on": today(),
        "consent": True,
        "response": "",
        "response_on": None,
        "version": record.version,
    }
    values.update(fields)
    return duty_to_refer_record(actor=actor, record=record, **values)


DTR_ERRORS = [
    ({"authority": " "}, "authority", "Enter the name of the local housing authority"),
    ({"consent": None}, "consent", "Say whether the person agreed"),
    ({"consent": False}, "consent", "needs the person's consent"),
    ({"referred_on": None}, "referred_on", "Enter the date the referral was made"),
    ({"referred_on": "tomorrow"}, "referred_on", "cannot be in the future"),
    ({"response": "accepted"}, "response_on", "Enter the date the authority responded"),
    ({"response_on": "today"}, "response", "Choose the authority's response"),
    (
        {"referred_on": "today", "response": "accepted", "response_on": "yesterday"},
        "response_on",
        "cannot have responded before the referral",
    ),
]


@pytest.mark.parametrize(("change", "field", "message"), DTR_ERRORS)
def test_a_duty_to_refer_needs_the_authority_the_date_and_consent(
    practitioner, episode_a, adviser, change, field, message
):
    record = allocate(practitioner, episode_a, adviser)
    days = {
        "today": today(),
        "yesterday": today() - dt.timedelta(days=1),
        "tomorrow": today() + dt.timedelta(days=1),
    }
    change = {k: days.get(v, v) if isinstance(v, str) and k.endswith("_on") else v for k, v in change.items()}
    with pytest.raises(ValidationError) as excinfo:
        refer(adviser, record, **change)
    assert message in errors_of(excinfo)[field][0]
    record.refresh_from_db()
    assert (record.dtr_referred_on, record.dtr_authority, record.version) == (None, "", 1)


def test_a_duty_to_refer_is_kept_with_the_authority_s_response(practitioner, episode_a, adviser):
    record = allocate(practitioner, episode_a, adviser)
    record = refer(adviser, record, referred_on=today() - dt.timedelta(days=2))
    record = refer(
        adviser, record, referred_on=today() - dt.timedelta(days=2), response="accepted", response_on=today()
    )
    assert (record.dtr_authority, record.dtr_consent, record.dtr_response) == (
        "Northtown City Council",
        True,
        "accepted",
    )
    assert AuditEvent.objects.filter(action="advice.duty_to_refer").count() == 2


def test_a_duty_to_refer_belongs_on_a_housing_record(practitioner, episode_a, adviser):
    record = allocate(practitioner, episode_a, adviser, advice_type="id_documents")
    with pytest.raises(ValidationError) as excinfo:
        refer(adviser, record)
    assert "housing" in errors_of(excinfo)["record"][0]


# --- outcomes -------------------------------------------------------------------------------------


OUTCOME_ERRORS = [
    ("benefits", {"kind": "award_made", "frequency": "weekly"}, "amount", "Enter the amount awarded"),
    ("benefits", {"kind": "award_made", "amount": Decimal("85.50")}, "frequency", "how often"),
    (
        "benefits",
        {"kind": "award_made", "amount": Decimal("0"), "frequency": "weekly"},
        "amount",
        "more than £0",
    ),
    ("grants", {"kind": "grant_awarded"}, "amount", "Enter the amount awarded"),
    ("housing", {"kind": "tenancy_secured", "amount": Decimal("10")}, "amount", "Only an award or a grant"),
    ("bank_account", {"kind": "tenancy_secured"}, "kind", "is not an outcome of bank account advice"),
    ("housing", {"kind": "dtr_accepted"}, "kind", "Record the duty-to-refer referral first"),
    ("debt", {"kind": "no_outcome"}, "note", "Say why there was no outcome"),
    (
        "debt",
        {"kind": "debt_plan_agreed", "achieved_on": "tomorrow"},
        "achieved_on",
        "cannot be in the future",
    ),
    (
        "debt",
        {"kind": "debt_plan_agreed", "achieved_on": None},
        "achieved_on",
        "Enter the date of the outcome",
    ),
    ("debt", {"kind": "won_the_lottery"}, "kind", "Choose what the outcome was"),
]


@pytest.mark.parametrize(("advice_type", "fields", "field", "message"), OUTCOME_ERRORS)
def test_an_outcome_is_refused_with_a_clear_error(
    practitioner, episode_a, adviser, advice_type, fields, field, message
):
    extra = {"benefit": "universal_credit"} if advice_type == "benefits" else {}
    record = allocate(practitioner, episode_a, adviser, advice_type=advice_type, **extra)
    fields = {"achieved_on": "today", **fields}
    fields["achieved_on"] = {"today": today(), "tomorrow": today() + dt.timedelta(days=1), None: None}[
        fields["achieved_on"]
    ]
    with pytest.raises(ValidationError) as excinfo:
        advice_outcome_add(actor=adviser, record=record, **fields)
    assert message in errors_of(excinfo)[field][0]
    assert not AdviceOutcome.objects.exists()


@pytest.mark.parametrize(
    ("advice_type", "fields", "reads"),
    [
        ("benefits", {"kind": "claim_made"}, "Claim or application made"),
        (
            "benefits",
            {"kind": "award_made", "amount": Decimal("85.50"), "frequency": "weekly"},
            "Award made: £85.50 every week",
        ),
        ("grants", {"kind": "grant_awarded", "amount": Decimal("250")}, "Grant awarded: £250 as one payment"),
        ("housing", {"kind": "tenancy_secured"}, "Tenancy secured"),
        ("housing", {"kind": "temporary_accommodation"}, "Placed in temporary accommodation"),
        ("id_documents", {"kind": "id_obtained"}, "ID obtained"),
        ("bank_account", {"kind": "bank_account_opened"}, "Bank account opened"),
        ("debt", {"kind": "debt_plan_agreed"}, "Debt plan agreed"),
    ],
)
def test_outcomes_are_kept_as_they_read(practitioner, episode_a, adviser, advice_type, fields, reads):
    extra = {"benefit": "pip"} if advice_type == "benefits" else {}
    record = allocate(practitioner, episode_a, adviser, advice_type=advice_type, **extra)
    outcome = advice_outcome_add(actor=adviser, record=record, achieved_on=today(), **fields)
    assert outcome_text(outcome) == reads
    assert AuditEvent.objects.filter(action="advice.outcome_add", object_id=str(record.pk)).exists()


def test_duty_to_refer_accepted_is_an_outcome_once_the_referral_is_made(practitioner, episode_a, adviser):
    record = refer(adviser, allocate(practitioner, episode_a, adviser))
    outcome = advice_outcome_add(actor=adviser, record=record, kind="dtr_accepted", achieved_on=today())
    assert outcome_text(outcome) == "Duty-to-refer accepted by the housing authority"


# --- closing, and stale edits ---------------------------------------------------------------------


def test_closing_needs_an_outcome_that_was_recorded_or_a_reason_for_none(practitioner, episode_a, adviser):
    record = allocate(practitioner, episode_a, adviser, advice_type="id_documents")
    with pytest.raises(ValidationError) as excinfo:
        advice_close(actor=adviser, record=record, version=record.version, closing_outcome="id_obtained")
    assert "has not been recorded: record the outcome first" in errors_of(excinfo)["closing_outcome"][0]
    with pytest.raises(ValidationError) as excinfo:
        advice_close(actor=adviser, record=record, version=record.version, closing_outcome="no_outcome")
    assert "Say why" in errors_of(excinfo)["note"][0]
    advice_outcome_add(actor=adviser, record=record, kind="id_obtained", achieved_on=today())
    record.refresh_from_db()
    record = advice_close(actor=adviser, record=record, version=record.version, closing_outcome="id_obtained")
    assert (record.status, record.closing_outcome, record.closed_by) == (
        AdviceStatus.CLOSED,
        "id_obtained",
        adviser,
    )
    # The same-day task goes with it, and the closed record takes nothing more.
    assert Task.objects.get().done_at is not None
    with pytest.raises(ValidationError) as excinfo:
        advice_action_add(actor=adviser, record=record, done_on=today(), what="More")
    assert "closed" in errors_of(excinfo)["record"][0]


@pytest.mark.parametrize("edit", ["close", "reallocate", "duty_to_refer"])
def test_a_stale_edit_is_refused_and_changes_nothing(practitioner, episode_a, adviser, other_adviser, edit):
    record = allocate(practitioner, episode_a, adviser)
    stale = record.version
    advice_action_add(actor=adviser, record=record, done_on=today(), what="Someone else's change")
    record.refresh_from_db()
    before = AdviceRecord.objects.values().get(pk=record.pk)
    calls = {
        "close": lambda: advice_close(
            actor=adviser, record=record, version=stale, closing_outcome="no_outcome", note="Moved away"
        ),
        "reallocate": lambda: advice_reallocate(
            actor=practitioner, record=record, version=stale, adviser_id=other_adviser.pk
        ),
        "duty_to_refer": lambda: refer(adviser, record, version=stale),
    }
    with pytest.raises(StaleWrite):
        calls[edit]()
    assert AdviceRecord.objects.values().get(pk=record.pk) == before
