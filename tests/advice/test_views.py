"""The advice pages: the adviser's worklist (order, overdue, paging, query bound, audit), allocating from
an episode and from an assessment need, the record page's forms, and who sees what."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from liaison.advice.models import AdviceAction, AdviceOutcome, AdviceRecord
from liaison.advice.services import advice_action_add, advice_allocate, advice_close
from liaison.assessment.services import assessment_complete, assessment_save, assessment_start
from liaison.core.models import AuditEvent
from liaison.episodes.models import Task
from tests.advice.conftest import client_for
from tests.factories import EpisodeFactory, PersonFactory

NOW = dt.datetime(2026, 3, 24, 12, 0, tzinfo=dt.UTC)
OVERDUE = "Overdue: not seen on the day"


def html_of(response) -> str:
    return response.content.decode()


def person_episode(site, given):
    return EpisodeFactory(site=site, person=PersonFactory(given_name=given, family_name="Testperson"))


def allocate_at(when, actor, episode, adviser=None, **fields):
    fields.setdefault("advice_type", "housing")
    with time_machine.travel(when):
        return advice_allocate(
            actor=actor, episode=episode, adviser_id=adviser.pk if adviser else None, **fields
        )


def day_parts(prefix: str, day: dt.date) -> dict[str, str]:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


# --- the worklist -----------------------------------------------------------------------------------


@pytest.fixture
def worklist_records(site_a, practitioner, adviser, other_adviser):
    days = dt.timedelta(days=1)
    closed = allocate_at(NOW - 5 * days, practitioner, person_episode(site_a, "Closedcase"), adviser)
    advice_close(
        actor=adviser, record=closed, version=closed.version, closing_outcome="no_outcome", note="Moved"
    )
    oldest = allocate_at(NOW - 3 * days, practitioner, person_episode(site_a, "Oldestcase"), adviser)
    waiting = allocate_at(NOW - 2 * days, practitioner, person_episode(site_a, "Waitingcase"))
    seen = allocate_at(NOW - 1 * days, practitioner, person_episode(site_a, "Seencase"), adviser)
    advice_action_add(actor=adviser, record=seen, done_on=(NOW - days).date(), what="Saw them")
    today = allocate_at(NOW, practitioner, person_episode(site_a, "Todaycase"), adviser)
    others = allocate_at(NOW - 4 * days, practitioner, person_episode(site_a, "Otherscase"), other_adviser)
    return {
        "closed": closed,
        "oldest": oldest,
        "waiting": waiting,
        "seen": seen,
        "today": today,
        "others": others,
    }


def order_of(html: str, names: list[str]) -> list[str]:
    found = {name: html.find(name) for name in names if name in html}
    return sorted(found, key=found.__getitem__)


@time_machine.travel(NOW)
def test_worklist_shows_mine_and_the_unallocated_open_first_oldest_first_overdue_marked(
    adviser_client, worklist_records
):
    html = html_of(adviser_client.get("/advice/"))
    names = ["Closedcase", "Oldestcase", "Waitingcase", "Seencase", "Todaycase", "Otherscase"]
    assert order_of(html, names) == ["Oldestcase", "Waitingcase", "Seencase", "Todaycase", "Closedcase"]
    # Not seen on the day they were allocated: the oldest, and the one still on the team's list.
    assert html.count(OVERDUE) == 2
    rows = re.findall(r"<tr class=\"nhsuk-table__row[^\"]*\">.*?</tr>", html, re.S)
    overdue_rows = [row for row in rows if OVERDUE in row]
    assert ["Oldestcase" in overdue_rows[0], "Waitingcase" in overdue_rows[1]] == [True, True]
    assert "Not allocated" in next(row for row in rows if "Waitingcase" in row)
    assert "5 advice records" in html


@time_machine.travel(NOW)
def test_worklist_can_show_everyone_s_work_in_the_team(adviser_client, worklist_records):
    html = html_of(adviser_client.get("/advice/?show=team"))
    assert order_of(html, ["Oldestcase", "Otherscase", "Waitingcase"]) == [
        "Otherscase",
        "Oldestcase",
        "Waitingcase",
    ]
    assert "6 advice records" in html


@time_machine.travel(NOW)
def test_worklist_view_is_audited_with_the_people_shown(adviser_client, adviser, worklist_records):
    adviser_client.get("/advice/")
    event = AuditEvent.objects.get(action="advice.worklist")
    shown = {worklist_records[k].episode.person_id for k in ("closed", "oldest", "waiting", "seen", "today")}
    assert (event.actor_id, set(event.detail["person_ids"])) == (adviser.pk, shown)


def test_worklist_is_paginated(adviser_client, practitioner, site_a, adviser, settings):
    settings.PAGE_SIZE = 2
    for n in range(3):
        allocate_at(
            NOW - dt.timedelta(hours=3 - n), practitioner, person_episode(site_a, f"Paged{n}x"), adviser
        )
    first, second = (html_of(adviser_client.get(f"/advice/?page={n}")) for n in (1, 2))
    assert "Paged0x" in first and "Paged1x" in first and "Paged2x" not in first
    assert "Paged2x" in second and "page 2 of 2" in second


def test_worklist_runs_the_same_number_of_queries_for_2_records_or_12(
    adviser_client, practitioner, site_a, adviser, django_assert_max_num_queries
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert adviser_client.get("/advice/").status_code == 200
        return len(queries)

    for n in range(2):
        allocate_at(NOW, practitioner, person_episode(site_a, f"Few{n}x"), adviser)
    few = count()
    for n in range(10):
        allocate_at(NOW, practitioner, person_episode(site_a, f"Many{n}x"), adviser)
    with django_assert_max_num_queries(few):
        adviser_client.get("/advice/")
    assert few <= 25


@pytest.mark.parametrize("who", ["commissioner", "partner"])
def test_commissioners_and_partners_get_no_names_on_the_worklist(request, worklist_records, who):
    response = client_for(request.getfixturevalue(who)).get("/advice/")
    assert response.status_code == 403
    assert "Testperson" not in html_of(response) and "Oldestcase" not in html_of(response)


@pytest.mark.parametrize("who", ["practitioner", "support_worker"])
def test_the_worklist_is_the_advisers_not_everyone_s(request, worklist_records, who):
    response = client_for(request.getfixturevalue(who)).get("/advice/")
    assert response.status_code == 403
    assert "Only the team&#x27;s advisers and team leads keep advice records." in html_of(response)


def test_another_team_s_adviser_sees_none_of_our_work(adviser_b, worklist_records):
    html = html_of(client_for(adviser_b).get("/advice/"))
    assert "Testperson" not in html and "0 advice records" in html


@pytest.mark.parametrize(("who", "shown"), [("adviser", True), ("team_lead", True), ("practitioner", False)])
def test_the_header_offers_advice_to_advisers_and_team_leads(request, who, shown):
    html = html_of(client_for(request.getfixturevalue(who)).get("/"))
    assert ('href="/advice/"' in html) is shown


# --- allocating from an episode and from an assessment need --------------------------------------


def complete_assessment(actor, episode, needs):
    draft = assessment_start(actor=actor, episode=episode)
    draft = assessment_save(actor=actor, assessment=draft, version=draft.version, data={"needs": needs})
    return assessment_complete(actor=actor, assessment=draft, version=draft.version)


def test_the_episode_page_offers_allocation_for_each_advice_need_in_the_plan(
    practitioner_client, practitioner, episode_a
):
    complete_assessment(
        practitioner,
        episode_a,
        [
            {"key": "basic:sleep_tonight", "level": "urgent", "evidence": "Slept in a car"},
            {"key": "money", "level": "moderate", "evidence": "No income"},
            {"key": "mental_health", "level": "high", "evidence": "Low mood"},
        ],
    )
    html = html_of(practitioner_client.get(f"/episodes/{episode_a.pk}/"))
    assert 'id="advice-heading">Housing and benefits advice</h2>' in html
    assert f'href="/episodes/{episode_a.pk}/advice/new?need=basic%3Asleep_tonight"' in html
    assert f'href="/episodes/{episode_a.pk}/advice/new?need=money"' in html
    assert "need=mental_health" not in html


def test_allocating_from_a_need_gives_the_adviser_a_task_due_today(
    practitioner_client, practitioner, episode_a, adviser
):
    complete_assessment(
        practitioner,
        episode_a,
        [
            {"key": "basic:sleep_tonight", "level": "urgent", "evidence": "Slept in a car"},
            {"key": "substance_use", "level": "low", "evidence": "Drinks at weekends"},
        ],
    )
    form = html_of(practitioner_client.get(f"/episodes/{episode_a.pk}/advice/new?need=basic:sleep_tonight"))
    assert re.search(r'value="housing" checked', form)
    assert re.search(r'<option value="basic:sleep_tonight" selected>', form)
    response = practitioner_client.post(
        f"/episodes/{episode_a.pk}/advice/new",
        {
            "advice_type": "housing",
            "need_key": "basic:sleep_tonight",
            "summary": "Sleeping in a car since Friday",
            "adviser": adviser.pk,
        },
    )
    record = AdviceRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/advice/{record.pk}/"
    assert (record.need_key, record.adviser) == ("basic:sleep_tonight", adviser)
    assert record.due_on == timezone.localdate()
    episode_html = html_of(practitioner_client.get(f"/episodes/{episode_a.pk}/"))
    assert "Advice today: housing options and homelessness" in episode_html
    # The need now has someone on it: no second offer to allocate it.
    assert "need=basic%3Asleep_tonight" not in episode_html
    adviser_html = html_of(client_for(adviser).get("/advice/"))
    assert "Alex Rivers" in adviser_html and OVERDUE not in adviser_html


def test_allocation_to_someone_who_is_not_an_adviser_is_refused_and_what_was_typed_kept(
    practitioner_client, practitioner, episode_a
):
    response = practitioner_client.post(
        f"/episodes/{episode_a.pk}/advice/new",
        {"advice_type": "benefits", "summary": "Needs a UC claim today", "adviser": practitioner.pk},
    )
    html = html_of(response)
    assert response.status_code == 200
    assert "Allocate the work to an adviser or team lead in the episode&#x27;s team" in html
    assert "Needs a UC claim today" in html
    assert not AdviceRecord.objects.exists() and not Task.objects.exists()


def test_a_benefit_claim_without_the_benefit_is_refused_beside_the_field(
    practitioner_client, episode_a, adviser
):
    response = practitioner_client.post(
        f"/episodes/{episode_a.pk}/advice/new", {"advice_type": "benefits", "adviser": adviser.pk}
    )
    assert "Choose which benefit the claim is for" in html_of(response)
    assert html_of(response).startswith("<!DOCTYPE html>") and "<title>Error:" in html_of(response)
    assert not AdviceRecord.objects.exists()


# --- the record page ------------------------------------------------------------------------------


@pytest.fixture
def record(practitioner, episode_a, adviser):
    return advice_allocate(
        actor=practitioner, episode=episode_a, advice_type="benefits", benefit="pip", adviser_id=adviser.pk
    )


def test_the_adviser_keeps_the_record_and_its_view_is_audited(adviser_client, adviser, record):
    html = html_of(adviser_client.get(f"/advice/{record.pk}/"))
    assert "Benefit claim: Personal Independence Payment (PIP)" in html
    assert 'id="action-form"' in html and 'id="outcome-form"' in html and 'id="close-form"' in html
    assert AuditEvent.objects.filter(
        action="advice.view", actor_id=adviser.pk, object_id=str(record.pk)
    ).exists()


def test_a_practitioner_sees_the_record_and_can_reallocate_but_not_record(practitioner_client, record):
    html = html_of(practitioner_client.get(f"/advice/{record.pk}/"))
    assert 'id="allocate-form"' in html and 'id="action-form"' not in html
    response = practitioner_client.post(
        f"/advice/{record.pk}/actions",
        {"action-what": "Rang DWP", **day_parts("action-done_on", timezone.localdate())},
    )
    assert response.status_code == 403 and not AdviceAction.objects.exists()


def test_an_award_without_an_amount_is_refused_and_what_was_typed_kept(adviser_client, record):
    data = {
        "outcome-kind": "award_made",
        "outcome-frequency": "monthly",
        "outcome-note": "Standard rate daily living",
    }
    response = adviser_client.post(
        f"/advice/{record.pk}/outcomes", {**data, **day_parts("outcome-achieved_on", timezone.localdate())}
    )
    html = html_of(response)
    assert "Enter the amount awarded, in pounds" in html and "Standard rate daily living" in html
    assert not AdviceOutcome.objects.exists()
    response = adviser_client.post(
        f"/advice/{record.pk}/outcomes",
        {**data, "outcome-amount": "434.40", **day_parts("outcome-achieved_on", timezone.localdate())},
    )
    assert response.status_code == 302
    assert "Award made: £434.40 every month" in html_of(adviser_client.get(f"/advice/{record.pk}/"))


def test_an_outcome_date_in_the_future_is_refused(adviser_client, record):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = adviser_client.post(
        f"/advice/{record.pk}/outcomes",
        {"outcome-kind": "claim_made", **day_parts("outcome-achieved_on", tomorrow)},
    )
    assert "The date of the outcome cannot be in the future" in html_of(response)
    assert not AdviceOutcome.objects.exists()


def test_a_stale_close_gets_409_keeps_the_note_and_changes_nothing(adviser_client, adviser, record):
    stale = record.version
    advice_action_add(actor=adviser, record=record, done_on=timezone.localdate(), what="Someone else")
    response = adviser_client.post(
        f"/advice/{record.pk}/close",
        {"close-version": stale, "close-closing_outcome": "no_outcome", "close-note": "Moved to Leeds"},
    )
    assert response.status_code == 409
    html = html_of(response)
    assert "Someone else changed this advice record after you opened it" in html and "Moved to Leeds" in html
    record.refresh_from_db()
    assert record.is_open


def test_a_duty_to_refer_without_consent_is_refused_on_the_page(
    adviser_client, practitioner, episode_a, adviser
):
    housing = advice_allocate(
        actor=practitioner, episode=episode_a, advice_type="housing", adviser_id=adviser.pk
    )
    data = {
        "dtr-version": housing.version,
        "dtr-authority": "Northtown City Council",
        "dtr-consent": "no",
        **day_parts("dtr-referred_on", timezone.localdate()),
    }
    html = html_of(adviser_client.post(f"/advice/{housing.pk}/duty-to-refer", data))
    assert "A duty-to-refer referral needs the person&#x27;s consent" in html
    data["dtr-consent"] = "yes"
    assert adviser_client.post(f"/advice/{housing.pk}/duty-to-refer", data).status_code == 302
    html = html_of(adviser_client.get(f"/advice/{housing.pk}/"))
    assert "Northtown City Council" in html and "with the person's consent" in html


@pytest.mark.parametrize("who", ["commissioner", "partner", "adviser_b"])
def test_no_names_on_the_record_page_for_anyone_outside_the_team_s_clinical_roles(request, record, who):
    response = client_for(request.getfixturevalue(who)).get(f"/advice/{record.pk}/")
    assert response.status_code == 404
    assert "Alex" not in html_of(response) and "Rivers" not in html_of(response)
    assert AuditEvent.objects.filter(action="access.denied", object_type="advice_record").exists()


def test_the_episode_page_costs_the_same_with_more_advice_records(
    practitioner_client, practitioner, episode_a, adviser, django_assert_max_num_queries
):
    advice_allocate(actor=practitioner, episode=episode_a, advice_type="debt", adviser_id=adviser.pk)
    practitioner_client.get(f"/episodes/{episode_a.pk}/")  # warm the session
    with CaptureQueriesContext(connection) as one:
        practitioner_client.get(f"/episodes/{episode_a.pk}/")
    for kind in ("grants", "id_documents", "bank_account", "housing"):
        advice_allocate(actor=practitioner, episode=episode_a, advice_type=kind, adviser_id=None)
    with django_assert_max_num_queries(len(one)):
        html = html_of(practitioner_client.get(f"/episodes/{episode_a.pk}/"))
    assert html.count('href="/advice/') == 5
