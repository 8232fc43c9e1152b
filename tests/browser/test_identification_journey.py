"""Finding someone at 2am, in real Chromium: sign in, upload tonight's custody list, see it on the review
worklist, flag an arrival, open an episode for them (creating the person), screen them with the PHQ-9
(item 9 positive), and see the suicide-risk alert on their record and the urgent task due today.

Every page on the way is checked with axe-core (no serious or critical WCAG problems) and for
JavaScript errors, as in the main journey; screenshots go to test-results/identification-*.png.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from liaison.episodes.models import Episode, ReferralSource, Stage, Task
from liaison.identification.models import Arrival, ArrivalStatus, EpisodeFlag, ImportBatch
from liaison.people.models import Person
from liaison.screening.models import Screening
from tests.browser import test_journey as journey
from tests.factories import PASSWORD
from tests.secondfactor import browser_sign_in

# The main journey's fixtures: Chromium (skipped with a message when absent, a failure under CI), the
# Northtown team with its custody suite and court, and its night nurse with some work on the worklist.
browser_page = journey.browser_page
javascript = journey.javascript
service = journey.service

pytestmark = pytest.mark.browser

CUSTODY_SUITE = "Northtown Custody Suite"
HEADER = (
    "Custody Number,Arrival Date,Arrival Time,Surname,Forenames,Date of Birth,PNC ID,"
    "Reason for Arrest,Warning Markers"
)


def check_page(page, name: str) -> None:
    """axe-core on the page (fail on serious or critical violations), no JavaScript errors or blocked
    content, and a screenshot."""
    journey.RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(journey.RESULTS / f"identification-{name}.png"), full_page=True)
    # Through the DevTools protocol, not an inline <script> a Content Security Policy would block.
    page.evaluate(journey.AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {
                type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
            },
            resultTypes: ['violations'],
        })"""
    )
    bad = [v for v in result["violations"] if v["impact"] in {"serious", "critical"}]
    summary = [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in bad
    ]
    assert not bad, f"axe found serious problems on the {name} page:\n" + json.dumps(summary, indent=2)
    assert not page.js_errors, f"JavaScript errors on the {name} page: {page.js_errors}"
    blocked = getattr(page, "csp_violations", [])  # collected by the main journey's fixture, if it does
    assert not blocked, f"Content Security Policy violations on the {name} page: {blocked}"


def custody_list() -> str:
    """Tonight's list as the custody system exports it (synthetic people), with one bad row."""
    now = timezone.localtime()

    def at(hours_ago: float) -> tuple[str, str]:
        moment = now - dt.timedelta(hours=hours_ago)
        return moment.strftime("%d/%m/%Y"), moment.strftime("%H:%M")

    rows = [
        (
            "NT/26/00141",
            *at(0.5),
            "Testcase",
            "Riley",
            "14/02/1994",
            "",
            "Theft from a shop",
            "MH; self harm",
        ),
        ("NT/26/00139", *at(2), "Sampleford", "Jamie", "03/07/1988", "", "Criminal damage", ""),
        ("NT/26/00137", *at(3.5), "Placeholder", "Kit", "", "", "Drunk and disorderly", "Alcohol; NFA"),
        # A date of birth that cannot be right: reported by line, the other rows still load.
        ("NT/26/00135", *at(5), "Mockley", "Sam", "31/02/1990", "", "Breach of bail conditions", ""),
    ]
    return "\r\n".join([HEADER, *(",".join(row) for row in rows)]) + "\r\n"


def test_import_flag_open_an_episode_and_screen_with_the_phq9(live_server, service, browser_page, tmp_path):
    page, base = browser_page, live_server.url
    csv_file = tmp_path / "northtown-custody-list.csv"
    csv_file.write_text(custody_list(), encoding="utf-8")

    # Sign in as the night practitioner.
    browser_sign_in(page, base, "night.nurse", PASSWORD)
    page.wait_for_url(f"{base}/")

    # Nothing to review yet: import tonight's list.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Arrivals to review").click()
    page.wait_for_url("**/arrivals/review")
    assert "Every arrival has been reviewed" in page.locator("main").inner_text()
    check_page(page, "review-empty")
    page.get_by_role("button", name="Import a custody or court list").click()
    page.wait_for_url("**/arrivals/import")
    page.get_by_label("Which site is this list for?").select_option(label=CUSTODY_SUITE)
    page.get_by_label("Custody or court list (CSV)").set_input_files(str(csv_file))
    check_page(page, "import")
    page.get_by_role("button", name="Import list").click()

    # The result: three loaded, the bad row named by its line and column.
    page.wait_for_url("**/arrivals/imports/*/")
    banner = page.locator(".nhsuk-notification-banner").inner_text()
    assert "3 new arrivals added" in banner and "1 row has a problem and was not loaded" in banner
    problem = page.locator("table tbody tr").inner_text()  # line, column, problem
    assert problem.startswith("5") and "Date of birth" in problem and "real date of birth" in problem
    batch = ImportBatch.objects.get()
    assert (batch.rows_created, batch.rows_rejected, batch.via) == (3, 1, "upload")
    check_page(page, "import-result")

    # The review worklist, newest first, with the officer's markers turned into flags.
    page.get_by_role("link", name="Go to arrivals to review").click()
    page.wait_for_url("**/arrivals/review?site=*")
    rows = page.locator("tbody tr")
    assert rows.count() == 3
    first = rows.first.inner_text()
    assert "Riley Testcase" in first and "NT/26/00141" in first
    assert "Mental health" in first and "Self-harm or suicide" in first and "Officer: MH; self harm" in first
    assert "Housing or homelessness" in rows.nth(2).inner_text()  # "NFA" on Kit Placeholder's record
    check_page(page, "review-list")

    # Flag Riley Testcase: the officer's flags are already ticked; the practitioner adds what they see.
    page.get_by_role("button", name="Flag Riley Testcase").click()
    page.wait_for_url("**/arrivals/*/#flags")
    flags = page.get_by_role("group", name="Which vulnerabilities do you see?")
    assert flags.get_by_label("Mental health", exact=True).is_checked()
    assert flags.get_by_label("Self-harm or suicide", exact=True).is_checked()
    flags.get_by_label("Substance use", exact=True).check()
    page.get_by_label("Note (optional)").fill("Custody nurse: tearful, fresh cuts on the left forearm.")
    check_page(page, "arrival")
    page.get_by_role("button", name="Save and open an episode").click()

    # Open the episode: nobody the team knows matches, so a new person is made from the list.
    page.wait_for_url("**/arrivals/*/episode")
    assert page.get_by_role("heading", name="Open an episode").is_visible()
    new_person = page.get_by_label("Create a new person from the list's details")
    assert new_person.is_checked()
    assert page.get_by_label("Alleged offence").input_value() == "theft"  # guessed from the list
    page.get_by_label("Allocate to (optional)").select_option(label="Sam Night")
    check_page(page, "open-episode")
    page.get_by_role("button", name="Open episode").click()

    page.wait_for_url("**/episodes/*/")
    assert "Episode opened" in page.locator(".nhsuk-notification-banner").inner_text()
    person = Person.objects.get(family_name="Testcase")
    episode = Episode.objects.get(person=person)
    assert (episode.custody_number, episode.stage) == ("NT/26/00141", Stage.IDENTIFIED)
    assert episode.referral_source == ReferralSource.PROACTIVE
    assert set(EpisodeFlag.objects.filter(episode=episode).values_list("flag_id", flat=True)) == {
        "mental_health",
        "self_harm_suicide",
        "substance_use",
    }
    assert Arrival.objects.get(custody_number="NT/26/00141").status == ArrivalStatus.EPISODE
    vulnerabilities = page.locator("main").inner_text()
    assert "Self-harm or suicide" in vulnerabilities and "Substance use" in vulnerabilities
    check_page(page, "episode")

    # From the episode, start a PHQ-9 and complete it with item 9 positive.
    page.get_by_role("button", name="Start a screening").click()
    page.wait_for_url("**/screenings/new")
    page.get_by_label("PHQ-9: Depression").check()
    page.get_by_role("button", name="Start screening").click()
    page.wait_for_url("**/screenings/*/")
    answers = {9: "Several days", 1: "More than half the days", 2: "Several days"}
    for number in range(1, 10):
        group = page.get_by_role("group", name=f"Item {number}:")
        group.get_by_label(answers.get(number, "Not at all"), exact=True).check()
    check_page(page, "phq9-answers")
    page.get_by_role("button", name="Complete and score").click()
    page.wait_for_url("**/screenings/*/")
    alert = page.locator("#suicide-risk")
    assert alert.is_visible() and "Suicide risk flagged" in alert.inner_text()
    assert "Suicide risk was flagged" in page.locator(".nhsuk-notification-banner").inner_text()
    check_page(page, "phq9-result")
    screening = Screening.objects.get(episode=episode)
    assert screening.suicide_risk and screening.total == 4

    # The urgent task, due today, and the episode moved on to screened.
    task = Task.objects.get(episode=episode, done_at=None)
    assert task.title.startswith("Urgent: suicide risk flagged by PHQ-9")
    assert task.due == timezone.localdate() and screening.urgent_task == task
    episode.refresh_from_db()
    assert episode.stage == Stage.SCREENED and episode.screened_at is not None

    # The person's record: the alert above everything else, with the open urgent task due today.
    page.get_by_role("link", name="Riley Testcase").first.click()
    page.wait_for_url(f"**/people/{person.pk}/")
    person_alert = page.locator("#suicide-risk-alert")
    assert person_alert.is_visible()
    text = person_alert.inner_text()
    assert "PHQ-9" in text and "Urgent task open, due today" in text
    check_page(page, "person-alert")

    # And the team's worklist: the urgent task is the episode's next task, due today.
    menu = page.get_by_role("navigation", name="Menu")
    menu.get_by_role("link", name="Worklist").click()
    page.wait_for_url(f"{base}/")
    row = page.locator("tbody tr", has_text="Riley Testcase")
    assert "Urgent: suicide risk flagged by PHQ-9" in row.inner_text() and "Due today" in row.inner_text()
    check_page(page, "worklist")

    # The review list has moved on: two left, and no personal data ever reached an address.
    menu.get_by_role("link", name="Arrivals to review").click()
    page.wait_for_url("**/arrivals/review")
    assert page.locator("tbody tr").count() == 2
    assert "Testcase" not in page.url and "Riley" not in page.url
