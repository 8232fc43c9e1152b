"""Outreach rules as a table of cases: which episodes get a task, once, naming the rule that made it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from liaison.core.models import Role, User
from liaison.episodes.models import Channel, Contact, Stage, Task
from liaison.outreach.rules import WORKER_USERNAME, evaluate, rules_for
from tests.factories import EpisodeFactory, member

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)  # a Wednesday


def _episode(site, worker, *, stage=Stage.SUPPORT, support_days_ago=30):
    return EpisodeFactory(
        site=site,
        stage=stage,
        allocated_worker=worker,
        identified_at=NOW - dt.timedelta(days=support_days_ago + 5),
        arrival_at=NOW - dt.timedelta(days=support_days_ago + 5),
        support_at=NOW - dt.timedelta(days=support_days_ago) if stage == Stage.SUPPORT else None,
    )


def _contact(episode, by, *, days_ago, successful):
    return Contact.objects.create(
        episode=episode,
        at=NOW - dt.timedelta(days=days_ago),
        channel=Channel.PHONE,
        successful=successful,
        by=by,
    )


@pytest.mark.parametrize(
    ("contacts", "stage", "expected"),
    [
        # (days ago, successful) ...
        ([(2, True)], Stage.SUPPORT, False),  # in touch
        ([(8, True)], Stage.SUPPORT, True),  # a week and a day of silence
        ([(8, True), (1, False)], Stage.SUPPORT, True),  # a failed attempt is not contact
        ([], Stage.SUPPORT, True),  # never reached since support began 30 days ago
        ([(8, True)], Stage.ASSESSED, False),  # the rule is for people in support
        ([(40, True)], Stage.CLOSED, False),  # closed episodes are left alone
    ],
)
def test_no_successful_contact_for_seven_days(site_a, practitioner, contacts, stage, expected):
    episode = _episode(site_a, practitioner, stage=stage)
    for days_ago, successful in contacts:
        _contact(episode, practitioner, days_ago=days_ago, successful=successful)
    evaluate(NOW)
    tasks = Task.objects.filter(episode=episode, rule="outreach.no_successful_contact")
    assert tasks.exists() is expected
    if expected:
        task = tasks.get()
        assert task.owner == practitioner
        assert task.title.startswith("Reach out: no successful contact for")
        assert task.due == dt.date(2026, 12, 3)  # the next working day
        assert task.created_by.username == WORKER_USERNAME


def test_running_twice_creates_nothing_twice(site_a, practitioner):
    episode = _episode(site_a, practitioner)
    _contact(episode, practitioner, days_ago=9, successful=True)
    first = evaluate(NOW)
    second = evaluate(NOW + dt.timedelta(hours=1))
    assert first.created["no_successful_contact"] == 1
    assert second.total_created == 0
    assert Task.objects.filter(episode=episode).count() == 1


def test_a_new_silence_after_a_new_contact_makes_a_new_task(site_a, practitioner):
    episode = _episode(site_a, practitioner)
    _contact(episode, practitioner, days_ago=20, successful=True)
    evaluate(NOW - dt.timedelta(days=10))  # 10 days after that contact: one task
    _contact(episode, practitioner, days_ago=9, successful=True)  # reached again
    evaluate(NOW)  # silent again for 9 days: a second task, about the new silence
    assert Task.objects.filter(episode=episode, rule="outreach.no_successful_contact").count() == 2


def test_a_long_silence_makes_one_task_a_week_not_one_a_run(site_a, practitioner):
    episode = _episode(site_a, practitioner, support_days_ago=60)
    for hours in range(0, 24 * 14, 6):  # a run every 6 hours for a fortnight
        evaluate(NOW + dt.timedelta(hours=hours))
    assert Task.objects.filter(episode=episode).count() == 3  # days 60, 63 and 70 fall in 3 periods


def test_three_failed_attempts_go_to_the_team_lead(site_a, practitioner, team_a):
    lead = member(team_a, Role.TEAM_LEAD, "the-lead")
    episode = _episode(site_a, practitioner)
    _contact(episode, practitioner, days_ago=5, successful=True)
    for days_ago in (4, 3):
        _contact(episode, practitioner, days_ago=days_ago, successful=False)
    evaluate(NOW)
    assert not Task.objects.filter(rule="outreach.failed_attempts").exists()
    _contact(episode, practitioner, days_ago=1, successful=False)
    evaluate(NOW)
    evaluate(NOW)
    task = Task.objects.get(rule="outreach.failed_attempts")
    assert task.owner == lead
    assert task.title == "Discuss with the team lead: 3 contact attempts failed"
    assert task.due == dt.date(2026, 12, 4)  # two working days


def test_failed_attempts_before_the_last_success_do_not_count(site_a, practitioner):
    episode = _episode(site_a, practitioner)
    for days_ago in (9, 8, 7):
        _contact(episode, practitioner, days_ago=days_ago, successful=False)
    _contact(episode, practitioner, days_ago=2, successful=True)
    evaluate(NOW)
    assert not Task.objects.filter(rule="outreach.failed_attempts").exists()


def test_a_team_can_change_or_turn_off_a_rule(site_a, practitioner, team_a):
    episode = _episode(site_a, practitioner)
    _contact(episode, practitioner, days_ago=9, successful=True)
    document = {
        "default": {
            "no_successful_contact": {"enabled": True, "days": 7},
            "failed_attempts": {"enabled": True},
        },
        "teams": {team_a.code: {"no_successful_contact": {"days": 14}}},
    }
    assert rules_for(team_a.code, document)["no_successful_contact"].days == 14
    assert rules_for("another-team", document)["no_successful_contact"].days == 7
    evaluate(NOW, document=document)
    assert not Task.objects.filter(episode=episode).exists()  # 9 days is within this team's 14
    document["teams"][team_a.code] = {"no_successful_contact": {"enabled": False}}
    evaluate(NOW + dt.timedelta(days=30), document=document)
    assert not Task.objects.filter(episode=episode).exists()


def test_the_worker_account_cannot_sign_in_and_a_real_account_is_never_borrowed(site_a, practitioner):
    episode = _episode(site_a, practitioner)
    evaluate(NOW)
    worker = User.objects.get(username=WORKER_USERNAME)
    assert not worker.is_active and not worker.has_usable_password()
    assert not worker.memberships.exists()
    Task.objects.filter(episode=episode).delete()
    worker.is_active = True
    worker.save()
    with pytest.raises(ImproperlyConfigured):
        evaluate(NOW)
    assert timezone.now()  # the clock is real: only NOW is fixed


def _plan(episode, by, *, number, completed_days_ago=None, review_in_days=60, status="complete"):
    from liaison.support.models import CrisisPlan

    return CrisisPlan.objects.create(
        episode=episode,
        number=number,
        status=status,
        by=by,
        warning_signs="Not sleeping",
        completed_at=NOW - dt.timedelta(days=completed_days_ago) if completed_days_ago is not None else None,
        review_on=(NOW + dt.timedelta(days=review_in_days)).date(),
    )


@pytest.mark.parametrize(
    ("plans", "expected"),
    [
        ([{"number": 1, "completed_days_ago": 30}], False),  # a month old, review date ahead
        ([{"number": 1, "completed_days_ago": 100}], True),  # more than three months old
        ([{"number": 1, "completed_days_ago": 30, "review_in_days": -1}], True),  # review date passed
        (
            [{"number": 1, "completed_days_ago": 200}, {"number": 2, "completed_days_ago": 10}],
            False,
        ),  # reviewed
        (
            [{"number": 1, "completed_days_ago": 100}, {"number": 2, "status": "draft"}],
            False,
        ),  # review under way
    ],
)
def test_crisis_plan_review(site_a, practitioner, plans, expected):
    episode = _episode(site_a, practitioner)
    _contact(episode, practitioner, days_ago=1, successful=True)
    for plan in plans:
        _plan(episode, practitioner, **plan)
    evaluate(NOW)
    evaluate(NOW)
    tasks = Task.objects.filter(episode=episode, rule="outreach.crisis_plan_review")
    assert tasks.count() == (1 if expected else 0)
    if expected:
        assert tasks.get().due == dt.date(2026, 12, 9)  # five working days


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ({"default": {"no_reply_in_a_week": {"enabled": True}}}, "default.no_reply_in_a_week: no such rule"),
        (
            {"default": {}, "teams": {"t": {"failed_attempts": {"tries": 3}}}},
            "teams.t.failed_attempts.tries: no such",
        ),
        ({"default": {"no_successful_contact": {"days": 0}}}, "no_successful_contact.days: a whole number"),
        (
            {"default": {"failed_attempts": {"stages": ["asleep"]}}},
            "failed_attempts.stages: a list of episode stages",
        ),
        ({"default": {"failed_attempts": {"enabled": "yes"}}}, "failed_attempts.enabled: true or false"),
        ({"teams": {}}, "'default' must be an object of rules"),
    ],
)
def test_a_rule_or_setting_the_worker_does_not_know_is_a_clear_error(document, says):
    with pytest.raises(ImproperlyConfigured) as error:
        rules_for("t", document)
    assert says in str(error.value)


def test_the_shipped_rules_file_is_valid():
    import json

    from liaison.outreach.rules import DATA, check_rules

    check_rules(json.loads(DATA.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    ("now", "due", "why"),
    [
        (
            dt.datetime(2026, 12, 4, 10, tzinfo=dt.UTC),
            dt.date(2026, 12, 7),
            "Friday: next working day is Monday",
        ),
        (
            dt.datetime(2026, 12, 5, 10, tzinfo=dt.UTC),
            dt.date(2026, 12, 7),
            "Saturday: the first working day after it, Monday",
        ),
        (
            dt.datetime(2026, 12, 24, 10, tzinfo=dt.UTC),
            dt.date(2026, 12, 29),
            "Christmas and Boxing Day (28th)",
        ),
        (dt.datetime(2027, 3, 25, 10, tzinfo=dt.UTC), dt.date(2027, 3, 30), "Good Friday and Easter Monday"),
    ],
)
def test_due_dates_skip_weekends_and_bank_holidays(site_a, practitioner, now, due, why):
    episode = _episode(site_a, practitioner)
    Contact.objects.create(
        episode=episode,
        at=now - dt.timedelta(days=9),
        channel=Channel.PHONE,
        successful=True,
        by=practitioner,
    )
    evaluate(now)
    assert Task.objects.get(episode=episode).due == due, why


def test_a_run_killed_half_way_is_completed_by_the_next_and_nothing_is_doubled(
    site_a, practitioner, monkeypatch
):
    from liaison.outreach import rules

    episodes = [_episode(site_a, practitioner) for _ in range(4)]
    real = rules.rule_task_ensure
    calls = {"n": 0}

    def dies_on_the_third(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("killed")
        return real(**kwargs)

    monkeypatch.setattr(rules, "rule_task_ensure", dies_on_the_third)
    with pytest.raises(SystemExit):
        evaluate(NOW)
    assert Task.objects.count() == 2  # what was made before the kill is kept
    monkeypatch.setattr(rules, "rule_task_ensure", real)
    second = evaluate(NOW)
    assert second.created["no_successful_contact"] == 2 and second.already["no_successful_contact"] == 2
    assert sorted(Task.objects.values_list("episode_id", flat=True)) == sorted(e.pk for e in episodes)
