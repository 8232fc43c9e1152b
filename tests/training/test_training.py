"""Awareness training: recording a session with anonymous scores (bad input refused clearly), the summary
numbers on a hand-built set, and the pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from liaison.core.errors import NotPermitted
from liaison.core.models import AuditEvent
from liaison.training.models import KnowledgeScore, TrainingSession
from liaison.training.queries import training_summary
from liaison.training.services import parse_scores, record_session
from tests.factories import Role, member


def html_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def session(actor, team, **fields):
    data = {
        "agency_kind": "police",
        "agency_name": "Northtown Police custody",
        "audience": "Custody sergeants",
        "topic": "Spotting a learning disability",
        "delivered_on": timezone.localdate() - dt.timedelta(days=3),
        "attendees": 10,
        "facilitator": "Jo Trainer",
        "scores": [],
    }
    data.update(fields)
    return record_session(actor=actor, team=team, **data)


def test_recording_a_session_with_scores_is_audited(practitioner, team_a):
    recorded = session(practitioner, team_a, scores=[(4, 7), (None, 8), (5, None)])
    assert sorted(
        KnowledgeScore.objects.filter(session=recorded).values_list("pre", "post"), key=str
    ) == sorted([(4, 7), (None, 8), (5, None)], key=str)
    assert AuditEvent.objects.filter(action="training.record", object_id=str(recorded.pk)).exists()


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        (
            {"delivered_on": timezone.localdate() + dt.timedelta(days=1)},
            "delivered_on",
            "today or in the past",
        ),
        ({"delivered_on": None}, "delivered_on", "Enter the date"),
        ({"attendees": 0}, "attendees", "between 1 and"),
        ({"attendees": None}, "attendees", "Enter the number"),
        ({"attendees": 2, "scores": [(1, 2), (3, 4), (5, 6)]}, "scores", "3 rows of scores but 2 attendees"),
        ({"scores": [(11, 5)]}, "scores", "from 0 to 10"),
        ({"scores": [(4, -1)]}, "scores", "from 0 to 10"),
        ({"scores": [(None, None)]}, "scores", "before, after, or both"),
        ({"agency_kind": "army"}, "agency_kind", "kind of agency"),
        ({"topic": " "}, "topic", "Enter the topic"),
        ({"facilitator": "x" * 201}, "facilitator", "200 characters"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(practitioner, team_a, fields, field, says):
    with pytest.raises(ValidationError) as excinfo:
        session(practitioner, team_a, **fields)
    assert says in " ".join(excinfo.value.message_dict[field])
    assert not TrainingSession.objects.exists()


def test_a_support_worker_cannot_record(support_worker, team_a):
    with pytest.raises(NotPermitted):
        session(support_worker, team_a)


@pytest.mark.parametrize(
    ("text", "rows", "problems"),
    [
        ("4, 7\n\n5,\n, 8\n", [(4, 7), (5, None), (None, 8)], []),
        ("4 7", [], ["Line 1: write the score before, a comma, then the score after"]),
        ("4, seven", [], ["Line 1: scores must be whole numbers from 0 to 10"]),
        ("4, 7\n-1, 3", [(4, 7)], ["Line 2: scores must be whole numbers from 0 to 10"]),
    ],
)
def test_parsing_the_score_lines(text, rows, problems):
    assert parse_scores(text) == (rows, problems)


def test_the_summary_on_a_hand_built_set(practitioner, team_a, team_b):
    # Police: two sessions, 10 + 6 reached. Scores (4,7) (6,8) (None,9) (5,None) | (2,6).
    session(practitioner, team_a, attendees=10, scores=[(4, 7), (6, 8), (None, 9), (5, None)])
    session(practitioner, team_a, attendees=6, scores=[(2, 6)])
    # Court staff: one session of 20, no scores.
    session(practitioner, team_a, agency_kind="court", attendees=20)
    # Another team's session is not counted.
    session(member(team_b, Role.PRACTITIONER), team_b, attendees=99, scores=[(0, 10)])
    rows, total = training_summary(team_a.pk)
    police, court = rows
    assert (police.label, police.sessions, police.reached) == ("Police", 2, 16)
    assert police.mean_pre == pytest.approx((4 + 6 + 5 + 2) / 4)  # 4.25
    assert police.mean_post == pytest.approx((7 + 8 + 9 + 6) / 4)  # 7.5
    assert police.change == pytest.approx((3 + 2 + 4) / 3)  # paired only: 3.0
    assert (court.label, court.sessions, court.reached, court.mean_pre, court.change) == (
        "Court staff",
        1,
        20,
        None,
        None,
    )
    assert (total.sessions, total.reached) == (3, 36)
    assert total.change == pytest.approx(3.0)


def test_the_pages(practitioner_client, practitioner, team_a, settings, django_assert_max_num_queries):
    settings.PAGE_SIZE = 2
    for n in range(3):
        session(practitioner, team_a, topic=f"Topic {n}", scores=[(3, 6)])
    with django_assert_max_num_queries(12):
        response = practitioner_client.get("/training/")
    page = html_of(response)
    assert response.status_code == 200
    assert '<th class="nhsuk-table__header" scope="row">Police</th>' in page
    assert "+3.0" in page and page.count("Topic ") == 2
    assert "Record a session" in page


def test_recording_through_the_form_and_its_errors(practitioner_client):
    today = timezone.localdate()
    data = {
        "agency_kind": "probation",
        "agency_name": "Northtown Probation",
        "audience": "Probation officers",
        "topic": "Mental health treatment requirements",
        "delivered_on-day": str(today.day),
        "delivered_on-month": str(today.month),
        "delivered_on-year": str(today.year + 1),
        "attendees": "2",
        "facilitator": "Jo Trainer",
        "scores": "4, 7\n5, 12\n",
    }
    page = html_of(practitioner_client.post("/training/new", data))
    assert "Line 2: scores must be whole numbers from 0 to 10" in page
    data["scores"] = "4, 7\n5, 8\n6, 9"
    page = html_of(practitioner_client.post("/training/new", data))
    assert "The date of the session must be today or in the past" in page
    assert "3 rows of scores but 2 attendees" in page
    data["delivered_on-year"] = str(today.year)
    data["scores"] = "4, 7\n, 8"
    assert practitioner_client.post("/training/new", data).status_code == 302
    assert TrainingSession.objects.get().scores.count() == 2


def test_a_support_worker_sees_the_summary_but_cannot_record(support_worker, client):
    client.force_login(support_worker)
    assert client.get("/training/").status_code == 200
    assert client.get("/training/new").status_code == 403


def test_a_commissioner_has_no_access(commissioner_client):
    assert commissioner_client.get("/training/").status_code == 403
