"""The presenters the pages share: how dates, stages, due tasks and timelines read."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from liaison.core import presenters
from liaison.episodes.models import Contact, EpisodeStatus, Stage, Task

NOW = dt.datetime(2026, 3, 27, 2, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("ago", "expected"),
    [
        (dt.timedelta(seconds=20), "just now"),
        (dt.timedelta(minutes=1), "1 minute ago"),
        (dt.timedelta(minutes=40), "40 minutes ago"),
        (dt.timedelta(hours=5), "5 hours ago"),
        (dt.timedelta(hours=26), "yesterday at 00:30"),
        (dt.timedelta(days=6), "6 days ago"),
        (dt.timedelta(days=20), "2 weeks ago"),
        (dt.timedelta(days=100), "3 months ago"),
        (dt.timedelta(days=800), "2 years ago"),
    ],
)
def test_relative_time_reads_as_people_say_it(ago, expected):
    assert presenters.relative_time(NOW - ago, NOW) == expected


def test_dates_are_in_nhs_style_and_local_time():
    # 01:30 UTC on 1 July is 02:30 in London (BST).
    assert presenters.date_time(dt.datetime(2026, 7, 1, 1, 30, tzinfo=dt.UTC)) == "1 July 2026 at 02:30"
    assert presenters.long_date(dt.date(1990, 5, 7)) == "7 May 1990"


@pytest.mark.parametrize(
    ("offset", "label", "overdue"),
    [
        (-2, "Overdue by 2 days", True),
        (-1, "Overdue by 1 day", True),
        (0, "Due today", False),
        (1, "Due tomorrow", False),
    ],
)
def test_due_status(offset, label, overdue):
    today = dt.date(2026, 3, 27)
    assert presenters.due_status(today + dt.timedelta(days=offset), today) == (label, overdue)


def test_nhs_numbers_read_in_three_groups():
    assert presenters.nhs_number("9434765919") == "943 476 5919"
    assert presenters.nhs_number("") == ""


def test_every_stage_has_its_own_colour():
    colours = {presenters.stage_tag(stage).colour for stage in Stage}
    assert len(colours) == len(Stage)
    assert presenters.stage_tag("closed").css_class == "nhsuk-tag nhsuk-tag--grey"


def test_age_label_gives_age_today():
    assert presenters.age_label(dt.date(2000, 3, 28), dt.date(2026, 3, 27)) == "28 March 2000 (25 years old)"
    assert presenters.age_label(None) == "Not known"


def test_timeline_puts_everything_newest_first_with_closure_on_top(episode_a, practitioner):
    now = timezone.now()
    Contact.objects.create(episode=episode_a, at=now, channel="phone", successful=False, by=practitioner)
    EpisodeStatus.objects.create(
        episode=episode_a, stage=Stage.CLOSED, at=now, by=practitioner, note="Declined"
    )
    Task.objects.create(
        episode=episode_a,
        title="Ring back",
        due=timezone.localdate(),
        owner=practitioner,
        created_by=practitioner,
        created_at=now - dt.timedelta(minutes=5),
        done_at=now - dt.timedelta(minutes=1),
        done_by=practitioner,
    )
    kinds = [(item.kind, item.title) for item in presenters.episode_timeline(episode_a)]
    assert kinds == [
        ("stage", "Episode closed"),
        ("contact", "Phone contact"),
        ("task_done", "Task done: Ring back"),
        ("task_added", "Task added: Ring back"),
        ("stage", "Identified"),
    ]


# --- audit labels -----------------------------------------------------------------------------------

SRC = Path(__file__).resolve().parents[2] / "src" / "liaison"
# `action="arrival.flag"` in an audit(...) call, or `action: str = "person.view"` as a helper's default.
# A dot is required, so argparse's action="store_true" and HTML forms' action="{% url ... %}" are not.
ACTION_LITERAL = re.compile(r'\baction(?:\s*:\s*str)?\s*=\s*"([a-z_]+(?:\.[a-z_]+)+)"')


def audit_actions_in_source() -> dict[str, str]:
    """Every audit action written in the code, and the first file that uses it."""
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        for action in ACTION_LITERAL.findall(path.read_text(encoding="utf-8")):
            found.setdefault(action, str(path.relative_to(SRC)))
    return found


def test_the_scan_finds_the_audit_actions_of_every_app():
    actions = audit_actions_in_source()
    # A broken pattern would find nothing and pass the test below vacuously.
    for expected in (
        "person.view",
        "arrivals.import",
        "arrival.convert",
        "referral.create",
        "screening.complete",
    ):
        assert expected in actions
    assert len(actions) >= 40


def test_every_audit_action_in_the_code_has_a_friendly_label():
    missing = {
        a: where for a, where in audit_actions_in_source().items() if a not in presenters.AUDIT_ACTION_LABELS
    }
    assert not missing, f"Add a label to core.presenters.AUDIT_ACTION_LABELS for: {missing}"


@pytest.mark.parametrize(
    ("action", "label"),
    [
        ("screening.complete", "Completed a screening"),
        ("arrival.convert", "Opened an episode from a custody or court list"),
        ("referral.create", "Referred the person to the team"),
        ("some.new_thing", "Some: new thing"),  # an unknown action still reads as words
    ],
)
def test_audit_action_labels_read_as_sentences(action, label):
    assert presenters.audit_action_label(action) == label
    assert all(
        label[0].isupper() and not label.endswith(".") for label in presenters.AUDIT_ACTION_LABELS.values()
    )
