"""Screening in real Chromium: open an episode, start the PHQ-9, answer item by item (saving part-way),
complete it with item 9 positive, and see the result, the suicide-risk alert and the urgent task.

Every page on the way is checked with axe-core (no serious or critical WCAG problems) and for
JavaScript errors, as in the main journey; screenshots go to test-results/.
"""

from __future__ import annotations

import pytest

from liaison.episodes.models import Stage, Task
from liaison.screening.models import Screening
from tests.browser import test_journey as journey
from tests.factories import PASSWORD, EpisodeFactory, PersonFactory
from tests.secondfactor import browser_sign_in

# The main journey's fixtures (Chromium, the team and its night nurse) and its axe check.
browser_page = journey.browser_page
javascript = journey.javascript
service = journey.service
check_accessibility = journey.check_accessibility

pytestmark = pytest.mark.browser

# PHQ-9: a low total (3, "None or minimal") but item 9 above 0 - the case that must never be missed.
ANSWERS = {1: "Several days", 2: "Several days", 9: "Several days"}


def test_phq9_with_item_9_positive_raises_the_alert_and_an_urgent_task(live_server, service, browser_page):
    page, base = browser_page, live_server.url
    person = PersonFactory(given_name="Morgan", family_name="Samplewood")
    episode = EpisodeFactory(site=service["site"], person=person, allocated_worker=service["user"])

    browser_sign_in(page, base, "night.nurse", PASSWORD)
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/episodes/{episode.pk}/")
    assert "No screenings yet." in page.locator("#screening").inner_text()
    page.get_by_role("button", name="Start a screening").click()
    page.wait_for_url("**/screenings/new")
    assert "CRAFFT" not in page.locator("main").inner_text()  # a youth instrument: not for an adult
    check_accessibility(page, "screening-start")
    page.get_by_label("PHQ-9: Depression").check()
    page.get_by_role("button", name="Start screening").click()
    page.wait_for_url("**/screenings/*/")
    check_accessibility(page, "screening-answer")

    def answer(number: int, label: str) -> None:
        group = page.get_by_role("group", name=f"Item {number}:")
        group.get_by_label(label, exact=True).check()

    # Part-way: two answers, saved to finish later.
    answer(1, ANSWERS[1])
    answer(2, ANSWERS[2])
    page.get_by_role("button", name="Save and finish later").click()
    page.wait_for_url("**/screenings/*/")
    assert "Answers saved" in page.locator(".nhsuk-notification-banner").inner_text()
    screening = Screening.objects.get()
    assert screening.answers == {"1": 1, "2": 1}

    # Completing with items left out names each one.
    page.get_by_role("button", name="Complete and score").click()
    summary = page.locator(".nhsuk-error-summary")
    assert "Item 3 needs an answer" in summary.inner_text()
    assert "Item 9 needs an answer" in summary.inner_text()
    assert page.title().startswith("Error: ")
    check_accessibility(page, "screening-errors")

    for number in range(3, 10):
        answer(number, ANSWERS.get(number, "Not at all"))
    page.get_by_role("button", name="Complete and score").click()
    page.wait_for_url("**/screenings/*/")

    alert = page.locator("#suicide-risk")
    assert alert.is_visible()
    assert "Suicide risk flagged" in alert.inner_text()
    assert "Urgent: suicide risk flagged by PHQ-9" in alert.inner_text()
    result = page.locator("main").inner_text()
    assert "None or minimal" in result and "Item 9" in result
    check_accessibility(page, "screening-result")

    task = Task.objects.get(episode=episode)
    assert task.title.startswith("Urgent: suicide risk") and task.done_at is None
    episode.refresh_from_db()
    assert episode.stage == Stage.SCREENED and episode.screened_at is not None

    # The person's record carries the alert, above everything else.
    page.goto(f"{base}/people/{person.pk}/")
    person_alert = page.locator("#suicide-risk-alert")
    assert person_alert.is_visible()
    assert "PHQ-9" in person_alert.inner_text() and "Urgent task open" in person_alert.inner_text()
    check_accessibility(page, "person-suicide-risk-alert")

    # And the episode lists the screening and its open urgent task.
    page.goto(f"{base}/episodes/{episode.pk}/")
    assert "3: None or minimal" in page.locator("#screening").inner_text()
    assert "Urgent: suicide risk flagged by PHQ-9" in page.locator("main").inner_text()
    check_accessibility(page, "episode-screened")
    assert "Morgan" not in page.url and "Samplewood" not in page.url


def test_a_licensed_instrument_is_answered_against_item_numbers(live_server, service, browser_page):
    page, base = browser_page, live_server.url
    episode = EpisodeFactory(site=service["site"], allocated_worker=service["user"])
    browser_sign_in(page, base, "night.nurse", PASSWORD)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/episodes/{episode.pk}/screenings/new")
    page.get_by_label("DAST-10: Drugs", exact=False).check()
    page.get_by_role("button", name="Start screening").click()
    page.wait_for_url("**/screenings/*/")
    assert "own licensed copy of the DAST-10" in page.locator("main").inner_text()
    for number in range(1, 11):
        page.get_by_role("group", name=f"Item {number}", exact=True).get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Complete and score").click()
    page.wait_for_url("**/screenings/*/")
    assert "Low level" in page.locator("main").inner_text()  # all "No" scores 1: item 3 is reversed
    check_accessibility(page, "screening-licensed")
