"""The privacy scan: each rule as a table of cases, idempotence, and that it works in SQL.

Rules as shipped (monitoring/data/privacy_rules.json): more than 60 different people's records in a
day; or more than 3 times the median of the user's days with any views in the previous 28, once there
are 5 such days, and at least 20 people; every break-glass grant; 3 or more people through break-glass
within 7 days.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaison.core.audit import verify_chain
from liaison.core.models import AuditEvent, Role
from liaison.core.services import break_glass_grant
from liaison.monitoring.models import AlertRule, PrivacyAlert
from liaison.monitoring.services import privacy_scan
from tests.factories import PersonFactory, member
from tests.monitoring.conftest import DAY, append_events, grant, local, viewing_history


def _raised() -> list[tuple[str, str, dt.date]]:
    return sorted(PrivacyAlert.objects.values_list("rule", "user__username", "day"))


# --- the volume rules ----------------------------------------------------------------------------------

# (what, the people viewed on the days before (newest first), people viewed on the day, rule raised)
VOLUME_CASES = [
    ("at the ceiling, new user", [], 60, None),
    ("above the ceiling, new user", [], 61, AlertRule.DAILY_CEILING),
    ("a new user's first morning", [], 5, None),
    ("a new user's busy day: no baseline yet, under the ceiling", [], 45, None),
    ("four days of history is not a baseline yet", [10, 10, 10, 10], 45, None),
    ("more than 3 times the usual day", [10] * 10, 31, AlertRule.ABOVE_BASELINE),
    ("exactly 3 times the usual day", [10] * 10, 30, None),
    ("3 times a quiet usual day, but under the minimum of 20", [4] * 10, 19, None),
    ("more than 3 times a quiet usual day, at the minimum", [4] * 10, 20, AlertRule.ABOVE_BASELINE),
    (
        "the median, not the mean: two busy days do not raise the baseline",
        [2, 2, 2, 50, 50],
        21,
        AlertRule.ABOVE_BASELINE,
    ),
    (
        "a usual day of 30: 61 is over the ceiling though not 3 times usual",
        [30] * 10,
        61,
        AlertRule.DAILY_CEILING,
    ),
    (
        "over the ceiling and far above usual: one alert, the ceiling's",
        [10] * 10,
        61,
        AlertRule.DAILY_CEILING,
    ),
    ("busy every day: 55 is not far above a usual 50", [50] * 20, 55, None),
]


@pytest.mark.parametrize(
    ("history", "today", "expected"), [c[1:] for c in VOLUME_CASES], ids=[c[0] for c in VOLUME_CASES]
)
def test_volume_rules(team_a, viewer, history, today, expected):
    viewing_history(viewer, team_a, per_day=history)
    append_events(user=viewer, team=team_a, at=local(DAY), person_ids=range(1, today + 1))
    privacy_scan(day=DAY)
    assert _raised() == ([(expected, "viewer", DAY)] if expected else [])


def test_history_older_than_the_baseline_window_does_not_count(team_a, viewer):
    viewing_history(viewer, team_a, per_day=[0] * 28 + [10] * 10)  # days 29 to 38 before
    append_events(user=viewer, team=team_a, at=local(DAY), person_ids=range(1, 36))
    privacy_scan(day=DAY)
    assert _raised() == []


@pytest.mark.parametrize(
    ("what", "events", "raised"),
    [
        ("the same person opened 100 times is one person", {"person.view": [7] * 100}, False),
        (
            "a person's episodes, tasks and screenings count as reading them",
            {"person.view": range(1, 31), "episode.view": range(31, 51), "screening.view": range(51, 62)},
            True,
        ),
        (
            "refusals and writes are not reads",
            {"access.denied": range(1, 100), "person.update": range(1, 100)},
            False,
        ),
        ("lists and searches name people without opening them", {"worklist.view": range(1, 100)}, False),
    ],
)
def test_what_counts_as_viewing_a_record(team_a, viewer, what, events, raised):
    for action, person_ids in events.items():
        append_events(user=viewer, team=team_a, at=local(DAY), person_ids=person_ids, action=action)
    privacy_scan(day=DAY)
    assert bool(_raised()) is raised, what


def test_the_day_is_the_local_day_even_when_the_clocks_change(team_a, viewer):
    change = dt.date(2026, 3, 29)  # 23 hours long in London
    append_events(user=viewer, team=team_a, at=local(change, 0, 30), person_ids=range(1, 31))
    append_events(user=viewer, team=team_a, at=local(change, 23, 30), person_ids=range(31, 62))
    append_events(
        user=viewer, team=team_a, at=local(change + dt.timedelta(days=1), 0, 5), person_ids=range(62, 90)
    )
    privacy_scan(day=change)
    alert = PrivacyAlert.objects.get()
    assert (alert.rule, alert.numbers["people_viewed"]) == (AlertRule.DAILY_CEILING, 61)


def test_viewing_is_counted_per_team(team_a, team_b, viewer):
    """The alert goes to the lead of the team the user acted in, so each team's views are its own."""
    from liaison.core.models import Membership

    Membership.objects.create(user=viewer, team=team_b, role=Role.PRACTITIONER)
    append_events(user=viewer, team=team_a, at=local(DAY), person_ids=range(1, 41))
    append_events(user=viewer, team=team_b, at=local(DAY), person_ids=range(41, 81))
    append_events(user=viewer, team=team_b, at=local(DAY, 11), person_ids=range(81, 103))
    privacy_scan(day=DAY)
    assert list(PrivacyAlert.objects.values_list("team__code", "numbers__people_viewed")) == [("team-b", 62)]


def test_each_alert_says_which_rule_and_the_numbers_behind_it(team_a, viewer):
    viewing_history(viewer, team_a, per_day=[8, 10, 12, 10, 9, 11])
    append_events(user=viewer, team=team_a, at=local(DAY), person_ids=range(1, 41))
    privacy_scan(day=DAY)
    alert = PrivacyAlert.objects.get()
    assert alert.rule == AlertRule.ABOVE_BASELINE
    assert alert.numbers == {
        "people_viewed": 40,
        "baseline_median": 10,
        "active_days": 6,
        "baseline_days": 28,
        "multiple": 3.0,
        "minimum_people": 20,
        "ceiling": 60,
    }
    assert (alert.team, alert.user, alert.day, alert.is_open) == (team_a, viewer, DAY, True)


def test_a_switched_off_rule_raises_nothing(team_a, viewer, rules):
    append_events(user=viewer, team=team_a, at=local(DAY), person_ids=range(1, 100))
    off = dataclasses.replace(rules, daily_ceiling=dataclasses.replace(rules.daily_ceiling, enabled=False))
    privacy_scan(day=DAY, rules=off)
    assert _raised() == []


# --- break the glass -----------------------------------------------------------------------------------


def test_every_break_glass_grant_raises_an_alert_with_who_whom_why_and_when(team_a, viewer):
    person = PersonFactory()
    made = grant(
        viewer, team_a, local(DAY, 2, 30), person=person, reason="Sergeant Test phoned from Eastgate"
    )
    grant(viewer, team_a, local(DAY - dt.timedelta(days=1), 23, 59))  # the day before: not this day's
    privacy_scan(day=DAY)
    alert = PrivacyAlert.objects.get()
    assert (alert.rule, alert.user, alert.team, alert.grant, alert.day) == (
        AlertRule.BREAK_GLASS,
        viewer,
        team_a,
        made,
        DAY,
    )
    assert alert.numbers == {"person_id": person.pk, "granted_at": made.granted_at.isoformat()}
    assert alert.grant.reason == "Sergeant Test phoned from Eastgate"


# (what, days before DAY of each grant, index of the person each grant was for, repeated alert?)
REPEATED_CASES = [
    ("three people in a day", [0, 0, 0], [0, 1, 2], True),
    ("three people over the week, the last today", [6, 3, 0], [0, 1, 2], True),
    ("the same person three times", [2, 1, 0], [0, 0, 0], False),
    ("two people", [1, 0], [0, 1], False),
    ("the first of three fell out of the 7-day window", [7, 3, 0], [0, 1, 2], False),
    ("three people, but none today: raised on the day of the third, not again", [3, 2, 1], [0, 1, 2], False),
]


@pytest.mark.parametrize(
    ("days_before", "people", "repeated"), [c[1:] for c in REPEATED_CASES], ids=[c[0] for c in REPEATED_CASES]
)
def test_repeated_break_glass(team_a, viewer, days_before, people, repeated):
    persons = [PersonFactory() for _ in range(3)]
    for back, index in zip(days_before, people, strict=True):
        grant(viewer, team_a, local(DAY - dt.timedelta(days=back), 9, index), person=persons[index])
    privacy_scan(day=DAY)
    alerts = PrivacyAlert.objects.filter(rule=AlertRule.REPEATED_BREAK_GLASS)
    assert alerts.exists() is repeated
    if repeated:
        assert alerts.get().numbers == {"people": 3, "grants": 3, "window_days": 7, "threshold": 3}


def test_breaking_the_glass_raises_the_alert_at_once_and_the_scan_does_not_repeat_it(
    outsider, team_b, person_a
):
    granted = break_glass_grant(
        actor=outsider, team=team_b, person_id=person_a.pk, reason="Probation asked at court"
    )
    alert = PrivacyAlert.objects.get()
    assert (alert.rule, alert.grant, alert.user, alert.team) == (
        AlertRule.BREAK_GLASS,
        granted,
        outsider,
        team_b,
    )
    result = privacy_scan(day=alert.day)
    assert (result.found, result.raised_total) == (1, 0)
    assert PrivacyAlert.objects.count() == 1


# --- idempotent, and in SQL ----------------------------------------------------------------------------


def test_running_the_scan_twice_raises_nothing_twice(team_a, viewer):
    grant(viewer, team_a, local(DAY, 3))
    append_events(user=viewer, team=team_a, at=local(DAY), person_ids=range(1, 80))
    first = privacy_scan(day=DAY)
    second = privacy_scan(day=DAY)
    assert (first.raised_total, second.raised_total, second.found) == (2, 0, 2)
    assert PrivacyAlert.objects.count() == 2
    # Each run is on the record, with what it raised.
    runs = AuditEvent.objects.filter(action="privacy.scan").order_by("id")
    assert [e.detail["raised"] for e in runs] == [{"break_glass": 1, "daily_ceiling": 1}, {}]
    assert list(verify_chain()) == []


def test_a_dry_run_raises_nothing(team_a, viewer):
    append_events(user=viewer, team=team_a, at=local(DAY), person_ids=range(1, 80))
    result = privacy_scan(day=DAY, dry_run=True)
    assert result.raised_total == 1 and not PrivacyAlert.objects.exists()


def _volume(team, users, day: dt.date, scale: int) -> None:
    """Each user: 10×scale people on the day and 2×scale a day on the 5 days before (100×scale
    events in all), and one break-glass grant on the day."""
    for user in users:
        viewing_history(user, team, per_day=[2 * scale] * 5, before=day)
        append_events(user=user, team=team, at=local(day), person_ids=range(1, 10 * scale + 1))
        grant(user, team, local(day, 4))


def test_the_scan_is_a_fixed_number_of_queries_whatever_the_audit_volume(team_a, rules):
    """The work is aggregates in the database: ten times the events, the same queries."""
    low = dataclasses.replace(rules, daily_ceiling=dataclasses.replace(rules.daily_ceiling, ceiling=9))
    users = [member(team_a, Role.PRACTITIONER) for _ in range(5)]
    counts = {}
    # Two days far enough apart that neither's baseline window reaches the other's events.
    for day, scale in ((DAY - dt.timedelta(days=60), 1), (DAY, 10)):
        _volume(team_a, users, day, scale)
        with CaptureQueriesContext(connection) as queries:
            result = privacy_scan(day=day, rules=low)
        assert result.raised == {"daily_ceiling": 5, "break_glass": 5}
        counts[scale] = len(queries)
    assert AuditEvent.objects.filter(action="person.view").count() == 5 * 20 + 5 * 200
    # Six reads and one insert, the scan's own audit event (four) and two savepoints.
    assert counts[1] == counts[10] <= 14, counts


# --- the command ---------------------------------------------------------------------------------------


def test_the_command_scans_the_day_given(team_a, viewer, capsys):
    append_events(user=viewer, team=team_a, at=local(DAY), person_ids=range(1, 80))
    call_command("privacy_scan", "--day", DAY.isoformat())
    call_command("privacy_scan", "--day", DAY.isoformat())
    out = capsys.readouterr().out
    assert "privacy scan of 2026-03-24: 1 found, raised 1 new" in out
    assert "Viewed more records in a day than the ceiling: 1" in out
    assert "privacy scan of 2026-03-24: 1 found, raised 0 new" in out
    assert PrivacyAlert.objects.count() == 1


def test_the_command_defaults_to_yesterday_and_refuses_bad_days(db, capsys):
    import time_machine

    with time_machine.travel(local(DAY, 0, 15), tick=False):
        call_command("privacy_scan", "--dry-run")
        assert "privacy scan of 2026-03-23: 0 found, would raise 0 new" in capsys.readouterr().out
        with pytest.raises(CommandError, match="YYYY-MM-DD"):
            call_command("privacy_scan", "--day", "24/03/2026")
        with pytest.raises(CommandError, match="has not happened yet"):
            call_command("privacy_scan", "--day", "2026-03-25")
