"""The crisis plan pages: writing a plan with its six parts, completing it (and what stops that),
the version kept as it was, the review form with the crises since, the pocket card, the crisis log,
the plan on the episode and person pages, and who may see or do what."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from liaison.assessment.services import assessment_save, assessment_start
from liaison.core.models import AuditEvent
from liaison.support.models import CrisisEvent, CrisisPlan, CrisisPlanStatus
from liaison.support.services import crisis_event_add, crisis_plan_save, crisis_plan_start
from tests.support.conftest import SELF_HELP, WARNING_SIGNS, complete_plan

pytestmark = pytest.mark.django_db

DRAFT_SECRET = "ZEBRA-DRAFT-WORDS-7731"
ASSESSMENT_SECRET = "QUOKKA-CLINICAL-NOTE-4410"


def html_of(response) -> str:
    return response.content.decode()


def text_of(response) -> str:
    """The page's words without tags, so a check is not fooled by markup."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html_of(response)))


def form_data(plan, **changes):
    review_on = timezone.localdate() + dt.timedelta(days=60)
    data = {
        "version": str(plan.version),
        "what_matters": "My daughter Maya",
        "warning_signs": WARNING_SIGNS,
        "self_help": SELF_HELP,
        "helpful_people_places": "The allotment",
        "person_1_name": "Jo, my sister",
        "person_1_how": "07700 900123",
        "other_professionals": "",
        "safer": "Jo keeps my spare tablets",
        "review_on-day": str(review_on.day),
        "review_on-month": str(review_on.month),
        "review_on-year": str(review_on.year),
        "written_with_person": "on",
        "action": "save",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def draft(practitioner, episode_a):
    return crisis_plan_start(actor=practitioner, episode=episode_a)


def test_starting_a_plan_from_the_episode_opens_the_draft(practitioner_client, episode_a):
    page = practitioner_client.get(f"/episodes/{episode_a.pk}/")
    assert "No crisis plan yet." in text_of(page) and "Start a crisis plan" in text_of(page)
    response = practitioner_client.post(f"/episodes/{episode_a.pk}/crisis-plan/new")
    plan = CrisisPlan.objects.get(episode=episode_a)
    assert response.status_code == 302 and response["Location"] == f"/crisis-plans/{plan.pk}/"
    form = practitioner_client.get(response["Location"])
    text = text_of(form)
    for label in (
        "1. My warning signs",
        "2. Things I can do myself",
        "3. People and places that help me",
        "4. People I can ask for help",
        "5. Professionals and crisis lines",
        "6. Making my situation safer",
        "What matters to me",
    ):
        assert label in text


def test_saving_a_draft_keeps_what_was_typed(practitioner_client, draft):
    response = practitioner_client.post(f"/crisis-plans/{draft.pk}/", form_data(draft))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.warning_signs == WARNING_SIGNS
    assert draft.people_to_ask == [{"name": "Jo, my sister", "how": "07700 900123"}]
    assert draft.status == CrisisPlanStatus.DRAFT
    assert WARNING_SIGNS in html_of(practitioner_client.get(f"/crisis-plans/{draft.pk}/"))


def test_completing_with_services_shows_the_plan_and_its_review_date(
    practitioner_client, draft, crisis_services
):
    data = form_data(draft, action="complete", service_ids="svc-line")
    response = practitioner_client.post(f"/crisis-plans/{draft.pk}/", data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_complete and draft.services[0]["name"] == "Northside Crisis Line"
    page = practitioner_client.get(response["Location"], follow=True)
    text = text_of(page)
    assert "Crisis plan complete" in text
    assert "Northside Crisis Line" in text and "0800 123 4567" in text and "Every day, 24 hours" in text
    assert f"Review by {draft.review_on.day} {draft.review_on:%B %Y}" in text
    assert "Start a review" in text and "Download the pocket card" in text


def test_the_service_list_offers_crisis_services_first_with_numbers_and_hours(
    practitioner_client, draft, crisis_services
):
    html = html_of(practitioner_client.get(f"/crisis-plans/{draft.pk}/"))
    line, food = html.index("Northside Crisis Line"), html.index("Apple Tree Food Bank")
    assert line < food
    assert "0161 496 0000. Every day, 6pm to midnight." in text_of(
        practitioner_client.get(f"/crisis-plans/{draft.pk}/")
    )


def test_an_incomplete_plan_is_saved_and_shows_what_is_missing(practitioner_client, draft):
    data = form_data(
        draft,
        action="complete",
        warning_signs="",
        person_1_name="",
        person_1_how="",
        written_with_person=None,
    )
    response = practitioner_client.post(f"/crisis-plans/{draft.pk}/", data)
    assert response.status_code == 200
    html = html_of(response)
    assert "<title>Error:" in html and "There is a problem" in html
    assert 'href="#id_warning_signs"' in html
    assert "Add at least one person they can ask for help" in html
    assert 'href="#id_person_1_name"' in html
    assert "Confirm the plan was written with the person" in html
    # What they typed is kept, and saved as a draft.
    assert SELF_HELP in html
    draft.refresh_from_db()
    assert draft.self_help == SELF_HELP and draft.status == CrisisPlanStatus.DRAFT


@pytest.mark.parametrize(
    ("days", "message"),
    [(0, "Review date must be in the future"), (400, "Review date must be within 12 months")],
)
def test_a_bad_review_date_is_shown_beside_the_field(practitioner_client, draft, days, message):
    day = timezone.localdate() + dt.timedelta(days=days)
    data = form_data(
        draft,
        **{"review_on-day": str(day.day), "review_on-month": str(day.month), "review_on-year": str(day.year)},
    )
    html = html_of(practitioner_client.post(f"/crisis-plans/{draft.pk}/", data))
    assert message in html and 'href="#id_review_on-day"' in html
    draft.refresh_from_db()
    assert draft.version == 1


def test_a_stale_edit_is_a_conflict_that_keeps_what_was_typed(practitioner_client, practitioner, draft):
    crisis_plan_save(actor=practitioner, plan=draft, version=1, data={"warning_signs": "Theirs"})
    typed = "Mine, typed while they saved"
    response = practitioner_client.post(
        f"/crisis-plans/{draft.pk}/", form_data(draft, version="1", warning_signs=typed)
    )
    assert response.status_code == 409
    html = html_of(response)
    assert "Someone else saved this crisis plan" in html and typed in html
    assert 'name="version" value="2"' in html
    draft.refresh_from_db()
    assert draft.warning_signs == "Theirs"


def test_a_complete_version_is_read_only_and_cannot_be_posted_to(
    practitioner_client, practitioner, episode_a
):
    plan = complete_plan(practitioner, episode_a)
    page = html_of(practitioner_client.get(f"/crisis-plans/{plan.pk}/"))
    assert 'id="crisis-plan-form"' not in page and WARNING_SIGNS in page
    response = practitioner_client.post(f"/crisis-plans/{plan.pk}/", form_data(plan, warning_signs="Changed"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.warning_signs == WARNING_SIGNS


def test_the_review_form_shows_the_crises_since_the_last_plan(practitioner_client, practitioner, episode_a):
    complete_plan(practitioner, episode_a)
    crisis_event_add(
        actor=practitioner,
        episode=episode_a,
        happened_at=timezone.now() - dt.timedelta(hours=5),
        what_happened="Panic on the bus home",
        what_helped="Ringing Jo",
        what_did_not_help="Being told to calm down",
    )
    response = practitioner_client.post(f"/episodes/{episode_a.pk}/crisis-plan/new")
    review = CrisisPlan.objects.get(episode=episode_a, number=2)
    assert response["Location"] == f"/crisis-plans/{review.pk}/"
    text = text_of(practitioner_client.get(response["Location"]))
    assert "Review the crisis plan" in text and "Crises since the last plan" in text
    assert "Panic on the bus home" in text and "Ringing Jo" in text and "Being told to calm down" in text
    assert WARNING_SIGNS in html_of(practitioner_client.get(response["Location"]))


def test_the_version_list_keeps_every_version(practitioner_client, practitioner, episode_a):
    complete_plan(practitioner, episode_a)
    second = crisis_plan_start(actor=practitioner, episode=episode_a)
    text = text_of(practitioner_client.get(f"/episodes/{episode_a.pk}/crisis-plan"))
    assert "Version 1" in text and "Version 2" in text and "Continue the draft" in text
    assert "Start a review" not in text  # one draft at a time
    assert second.number == 2


# --- the pocket card ------------------------------------------------------------------------------


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "card.pdf"
    path.write_bytes(content)
    # pdftotext (poppler-utils) is installed by .ci/run; the arguments are ours, not user input.
    command = [shutil.which("pdftotext") or "pdftotext", "-layout", str(path), "-"]
    result = subprocess.run(command, capture_output=True, check=True, text=True)  # noqa: S603
    return re.sub(r"\s+", " ", result.stdout)


def test_the_pocket_card_has_the_plan_and_crisis_lines_and_nothing_else(
    practitioner_client, practitioner, episode_a, crisis_services, tmp_path
):
    # A clinical assessment with a distinctive note, and a later draft with distinctive words:
    # neither may reach the card, nor may the Liaison ID or the team's name.
    assessment = assessment_start(actor=practitioner, episode=episode_a)
    assessment_save(
        actor=practitioner,
        assessment=assessment,
        version=assessment.version,
        data={
            "own_words": ASSESSMENT_SECRET,
            "needs": [{"key": "mental_health", "level": "high", "evidence": ASSESSMENT_SECRET}],
        },
    )
    plan = complete_plan(practitioner, episode_a, service_ids=["svc-cafe"])
    review = crisis_plan_start(actor=practitioner, episode=episode_a)
    crisis_plan_save(
        actor=practitioner, plan=review, version=review.version, data={"warning_signs": DRAFT_SECRET}
    )

    response = practitioner_client.get(f"/crisis-plans/{plan.pk}/card.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"] and response["Cache-Control"] == "no-store"
    text = pdf_text(response.content, tmp_path)
    assert WARNING_SIGNS in text and SELF_HELP in text
    assert "Jo, my sister" in text and "07700 900123" in text
    assert (
        "Riverside Crisis Café" in text and "0161 496 0000" in text and "Every day, 6pm to midnight" in text
    )
    assert "999" in text and "111" in text and "option 2" in text
    assert DRAFT_SECRET not in text and ASSESSMENT_SECRET not in text
    assert "Liaison" not in text and episode_a.team.name not in text
    assert AuditEvent.objects.filter(action="crisis_plan.card", object_id=str(plan.pk)).exists()


def test_a_draft_has_no_card(practitioner_client, draft):
    response = practitioner_client.get(f"/crisis-plans/{draft.pk}/card.pdf")
    assert response.status_code == 302 and response["Location"] == f"/crisis-plans/{draft.pk}/"


# --- the crisis log -------------------------------------------------------------------------------


def _event_form(**changes):
    when = timezone.localtime() - dt.timedelta(hours=2)
    data = {
        "happened_at-day": str(when.day),
        "happened_at-month": str(when.month),
        "happened_at-year": str(when.year),
        "happened_at-hour": f"{when.hour:02d}",
        "happened_at-minute": f"{when.minute:02d}",
        "what_happened": "Could not stop shaking at the bus stop",
        "what_helped": "Ringing Jo",
        "what_did_not_help": "",
    }
    data.update(changes)
    return data


def test_logging_a_crisis(practitioner_client, episode_a):
    response = practitioner_client.post(f"/episodes/{episode_a.pk}/crisis-events", _event_form())
    assert response.status_code == 302
    event = CrisisEvent.objects.get(episode=episode_a)
    assert event.what_helped == "Ringing Jo"
    text = text_of(practitioner_client.get(response["Location"], follow=True))
    assert "Crisis logged" in text and "Could not stop shaking at the bus stop" in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"what_happened": "  "}, "Say what happened"),
        ({"happened_at-hour": ""}, "When it happened must include an hour"),
        ({"happened_at-year": str(timezone.localdate().year + 1)}, "When it happened must be in the past"),
    ],
)
def test_a_bad_crisis_entry_is_shown_with_what_was_typed(practitioner_client, episode_a, changes, message):
    response = practitioner_client.post(f"/episodes/{episode_a.pk}/crisis-events", _event_form(**changes))
    assert response.status_code == 200
    html = html_of(response)
    assert message in html and "There is a problem" in html and "Ringing Jo" in html
    assert not CrisisEvent.objects.exists()


def test_the_crisis_log_is_paginated_with_bounded_queries(
    practitioner_client, practitioner, episode_a, django_assert_max_num_queries
):
    for n in range(12):
        crisis_event_add(
            actor=practitioner,
            episode=episode_a,
            happened_at=timezone.now() - dt.timedelta(days=n + 1),
            what_happened=f"Crisis number {n}",
        )
    with django_assert_max_num_queries(25):
        first = text_of(practitioner_client.get(f"/episodes/{episode_a.pk}/crisis-events"))
    assert "Crisis number 0" in first and "Crisis number 11" not in first
    assert "Crisis number 11" in text_of(
        practitioner_client.get(f"/episodes/{episode_a.pk}/crisis-events?page=2")
    )


def test_the_plan_pages_run_bounded_queries(
    practitioner_client, practitioner, episode_a, crisis_services, django_assert_max_num_queries
):
    complete_plan(practitioner, episode_a, service_ids=["svc-cafe", "svc-line"])
    review = crisis_plan_start(actor=practitioner, episode=episode_a)
    for n in range(3):
        crisis_event_add(
            actor=practitioner, episode=episode_a, happened_at=timezone.now(), what_happened=f"E{n}"
        )
    with django_assert_max_num_queries(25):
        practitioner_client.get(f"/episodes/{episode_a.pk}/crisis-plan")
    with django_assert_max_num_queries(30):
        practitioner_client.get(f"/crisis-plans/{review.pk}/")


# --- on the episode and person pages, and who may do what ----------------------------------------


def test_the_episode_and_person_pages_show_the_plan_with_its_review_date(
    practitioner_client, practitioner, episode_a
):
    plan = complete_plan(practitioner, episode_a)
    review_words = f"Review by {plan.review_on.day} {plan.review_on:%B %Y}"
    episode_page = text_of(practitioner_client.get(f"/episodes/{episode_a.pk}/"))
    assert "Crisis plan" in episode_page and review_words in episode_page
    person_page = html_of(practitioner_client.get(f"/people/{episode_a.person_id}/"))
    assert review_words in text_of(practitioner_client.get(f"/people/{episode_a.person_id}/"))
    assert f'href="/episodes/{episode_a.pk}/crisis-plan"' in person_page


def test_a_review_past_its_date_is_flagged(practitioner_client, practitioner, episode_a):
    plan = complete_plan(practitioner, episode_a)
    CrisisPlan.objects.filter(pk=plan.pk).update(review_on=timezone.localdate() - dt.timedelta(days=1))
    assert "Review due" in text_of(practitioner_client.get(f"/episodes/{episode_a.pk}/"))


@pytest.mark.parametrize(
    "url",
    [
        "/episodes/{episode}/crisis-plan",
        "/episodes/{episode}/crisis-events",
        "/crisis-plans/{plan}/",
        "/crisis-plans/{plan}/card.pdf",
    ],
)
def test_an_outsider_gets_404_and_is_audited(outsider_client, outsider, practitioner, episode_a, url):
    plan = complete_plan(practitioner, episode_a)
    response = outsider_client.get(url.format(episode=episode_a.pk, plan=plan.pk))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", actor_id=outsider.pk).exists()
    assert WARNING_SIGNS.encode() not in response.content


def test_a_commissioner_cannot_write_a_plan(commissioner_client, practitioner, episode_a):
    response = commissioner_client.post(f"/episodes/{episode_a.pk}/crisis-plan/new")
    assert response.status_code in (403, 404)
    assert not CrisisPlan.objects.exists()


def test_viewing_the_plan_is_audited(practitioner_client, practitioner, episode_a):
    plan = complete_plan(practitioner, episode_a)
    practitioner_client.get(f"/crisis-plans/{plan.pk}/")
    assert AuditEvent.objects.filter(
        action="crisis_plan.view", actor_id=practitioner.pk, object_id=str(plan.pk)
    ).exists()
    practitioner_client.get(f"/episodes/{episode_a.pk}/crisis-events")
    assert AuditEvent.objects.filter(action="crisis_event.list", actor_id=practitioner.pk).exists()


def test_a_service_gone_from_the_directory_is_a_clear_error(practitioner_client, draft, crisis_services):
    data = form_data(draft, service_ids="svc-closed-last-week")
    html = html_of(practitioner_client.post(f"/crisis-plans/{draft.pk}/", data))
    assert "A service you chose is no longer in the directory or is closed" in html
    assert 'href="#id_service_ids"' in html and 'id="id_service_ids"' in html
