"""The screening pages: choosing an instrument for the person's age, answering item by item, partial
saves, completion, the result, and the alert and urgent task a suicide-risk flag raises."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from liaison.core.models import AuditEvent
from liaison.episodes.models import Stage, Task
from liaison.screening.models import Screening, ScreeningStatus
from liaison.screening.services import screening_complete, screening_start
from tests.screening.conftest import PHQ9_CLEAR, PHQ9_ITEM_9


def _post_answers(client, screening, answers, *, action="save", version=None, **extra):
    data = {
        "version": screening.version if version is None else version,
        "action": action,
        "note": "",
        **extra,
    }
    data.update({f"item_{k}": str(v) for k, v in answers.items()})
    return client.post(f"/screenings/{screening.pk}/answers", data)


def test_start_page_offers_instruments_for_an_adult(practitioner_client, episode_a):
    html = practitioner_client.get(f"/episodes/{episode_a.pk}/screenings/new").content.decode()
    assert "PHQ-9" in html and "AUDIT-C" in html and "BJMHS" in html
    assert "CRAFFT" not in html  # a youth instrument, 12 to 21
    assert "<title>Start a screening, Liaison ID" in html


def test_start_page_offers_youth_instruments_under_18(practitioner_client, youth_episode):
    html = practitioner_client.get(f"/episodes/{youth_episode.pk}/screenings/new").content.decode()
    assert "CRAFFT 2.1" in html and "ASQ" in html and "on the youth pathway" in html
    assert 'value="audit"' not in html and 'value="bjmhs"' not in html


def test_starting_a_screening_opens_its_page(practitioner_client, episode_a):
    response = practitioner_client.post(f"/episodes/{episode_a.pk}/screenings/new", {"instrument": "phq-9"})
    screening = Screening.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/screenings/{screening.pk}/"


def test_a_tampered_youth_instrument_for_an_adult_is_a_form_error(practitioner_client, episode_a):
    response = practitioner_client.post(f"/episodes/{episode_a.pk}/screenings/new", {"instrument": "crafft"})
    assert response.status_code == 200
    assert "Select an instrument from the list" in response.content.decode()
    assert not Screening.objects.exists()


def test_support_workers_are_not_offered_screening(support_worker, episode_a, client):
    client.force_login(support_worker)
    assert client.get(f"/episodes/{episode_a.pk}/screenings/new").status_code == 403
    assert "Start a screening" not in client.get(f"/episodes/{episode_a.pk}/").content.decode()


def test_answer_page_shows_each_item_as_radios_in_a_fieldset_with_the_wording(
    practitioner_client, practitioner, episode_a
):
    screening = screening_start(actor=practitioner, episode=episode_a, instrument="phq-9")
    html = practitioner_client.get(f"/screenings/{screening.pk}/").content.decode()
    assert html.count('<fieldset class="nhsuk-fieldset"') >= 10
    assert "Item 9: Thoughts that you would be better off dead or of hurting yourself in some way" in html
    assert 'name="item_9" type="radio" value="3"' in html
    assert "Over the last 2 weeks" in html


def test_where_the_wording_may_not_be_shown_the_page_asks_for_the_licensed_copy(
    practitioner_client, practitioner, episode_a
):
    screening = screening_start(actor=practitioner, episode=episode_a, instrument="dast-10")
    html = practitioner_client.get(f"/screenings/{screening.pk}/").content.decode()
    assert "own licensed copy of the DAST-10" in html
    assert '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Item 3</legend>' in html


def test_partial_answers_are_saved(practitioner_client, practitioner, episode_a):
    screening = screening_start(actor=practitioner, episode=episode_a, instrument="phq-9")
    response = _post_answers(practitioner_client, screening, {"1": 2, "2": 1})
    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening.answers == {"1": 2, "2": 1} and screening.status == ScreeningStatus.DRAFT
    html = practitioner_client.get(f"/screenings/{screening.pk}/").content.decode()
    assert 'id="id_item_1-3" name="item_1" type="radio" value="2" checked' in html


def test_completing_with_a_missing_item_names_it_and_saves_nothing(
    practitioner_client, practitioner, episode_a
):
    screening = screening_start(actor=practitioner, episode=episode_a, instrument="phq-9", answers={"1": 1})
    answers = {k: v for k, v in PHQ9_ITEM_9.items() if k != "9"}
    response = _post_answers(practitioner_client, screening, answers, action="complete")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_item_9">Item 9 needs an answer</a>' in html
    assert "<title>Error: " in html
    screening.refresh_from_db()
    assert screening.answers == {"1": 1} and screening.version == 1  # nothing saved changed
    # The answers typed are still on the page to correct.
    assert 'name="item_8" type="radio" value="0" checked' in html


def test_a_stale_page_is_a_conflict_that_keeps_the_answers_typed(
    practitioner_client, practitioner, episode_a
):
    screening = screening_start(actor=practitioner, episode=episode_a, instrument="gad-2")
    _post_answers(practitioner_client, screening, {"1": 1})
    response = _post_answers(practitioner_client, screening, {"1": 3}, version=1)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this screening" in html
    assert 'name="item_1" type="radio" value="3" checked' in html
    assert 'name="version" value="2"' in html
    screening.refresh_from_db()
    assert screening.answers == {"1": 1}


def test_completing_phq9_with_item_9_shows_the_result_alert_and_urgent_task(
    practitioner_client, practitioner, episode_a
):
    screening = screening_start(actor=practitioner, episode=episode_a, instrument="phq-9")
    response = _post_answers(practitioner_client, screening, PHQ9_ITEM_9, action="complete")
    assert response.status_code == 302
    page = practitioner_client.get(response["Location"])
    html = page.content.decode()
    assert "Suicide risk flagged" in html and "nhsuk-card--care--urgent" in html
    assert re.search(r"<strong>3</strong>", html) and "None or minimal" in html
    assert "Urgent: suicide risk flagged by PHQ-9" in html
    task = Task.objects.get()
    assert task.due == timezone.localdate()
    person_html = practitioner_client.get(f"/people/{episode_a.person_id}/").content.decode()
    assert 'id="suicide-risk-alert"' in person_html
    assert "Suicide risk flagged at screening" in person_html and "Urgent task open" in person_html
    episode_html = practitioner_client.get(f"/episodes/{episode_a.pk}/").content.decode()
    assert "3: None or minimal" in episode_html and "Suicide risk" in episode_html
    episode_a.refresh_from_db()
    assert episode_a.stage == Stage.SCREENED


def test_no_alert_without_a_suicide_risk_flag(practitioner_client, practitioner, episode_a):
    screening = screening_start(actor=practitioner, episode=episode_a, instrument="phq-9", answers=PHQ9_CLEAR)
    screening_complete(actor=practitioner, screening=screening, version=1)
    person_html = practitioner_client.get(f"/people/{episode_a.person_id}/").content.decode()
    assert "suicide-risk-alert" not in person_html


def test_a_complete_screening_cannot_be_changed_from_the_page(practitioner_client, practitioner, episode_a):
    screening = screening_start(actor=practitioner, episode=episode_a, instrument="phq-9", answers=PHQ9_CLEAR)
    done = screening_complete(actor=practitioner, screening=screening, version=1)
    response = _post_answers(practitioner_client, done, PHQ9_ITEM_9, action="complete")
    assert response.status_code == 302
    done.refresh_from_db()
    assert done.answers == PHQ9_CLEAR


def test_profile_choice_is_offered_and_saved(practitioner_client, practitioner, episode_a):
    screening = screening_start(actor=practitioner, episode=episode_a, instrument="audit-c")
    html = practitioner_client.get(f"/screenings/{screening.pk}/").content.decode()
    assert "Cut-off profile" in html and "US (Bush 1998" in html
    response = _post_answers(
        practitioner_client, screening, {"1": 2, "2": 1, "3": 1}, action="complete", profile="us-men"
    )
    assert response.status_code == 302
    screening.refresh_from_db()
    assert (screening.profile, screening.total, screening.positive) == ("us-men", 4, True)


@pytest.mark.parametrize("path", ["/episodes/{episode}/screenings/new", "/screenings/{screening}/"])
def test_outsiders_get_404_and_are_audited(outsider_client, outsider, practitioner, episode_a, path):
    screening = screening_start(actor=practitioner, episode=episode_a, instrument="phq-9")
    response = outsider_client.get(path.format(episode=episode_a.pk, screening=screening.pk))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", actor_id=outsider.pk).exists()
    response = outsider_client.post(f"/screenings/{screening.pk}/answers", {"version": 1, "item_1": "3"})
    assert response.status_code == 404
    screening.refresh_from_db()
    assert screening.answers == {}


def test_reading_a_screening_is_audited(practitioner_client, practitioner, episode_a):
    screening = screening_start(actor=practitioner, episode=episode_a, instrument="phq-9")
    practitioner_client.get(f"/screenings/{screening.pk}/")
    event = AuditEvent.objects.filter(action="screening.view").get()
    assert (event.person_id, event.object_id) == (episode_a.person_id, str(screening.pk))


def test_person_page_queries_do_not_grow_with_screenings(
    practitioner_client, practitioner, episode_a, django_assert_max_num_queries
):
    for _ in range(3):
        screening = screening_start(
            actor=practitioner, episode=episode_a, instrument="phq-9", answers=PHQ9_ITEM_9
        )
        screening_complete(actor=practitioner, screening=screening, version=1)
    practitioner_client.get(f"/people/{episode_a.person_id}/")  # warm the session
    with django_assert_max_num_queries(40) as counted:
        practitioner_client.get(f"/people/{episode_a.person_id}/")
    few = len(counted.captured_queries)
    for _ in range(4):
        screening = screening_start(
            actor=practitioner, episode=episode_a, instrument="phq-9", answers=PHQ9_ITEM_9
        )
        screening_complete(actor=practitioner, screening=screening, version=1)
    with django_assert_max_num_queries(few):
        practitioner_client.get(f"/people/{episode_a.person_id}/")
