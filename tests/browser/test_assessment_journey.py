"""The needs assessment in real Chromium, start to finish: open an episode whose PHQ-9 came out high,
start an assessment, write down the person's own view and priorities, rate the domains (nowhere to
sleep tonight, a high mental health need), let it save itself, save it as a draft, close the page and
find the draft again, complete it (after one mistake), work from the ordered plan, add an action with
an owner and a due date, and see the plan and the person's own words on their record.

Every page on the way is checked with axe-core (no serious or critical WCAG problems), for JavaScript
errors and for Content Security Policy violations; full-page screenshots go to /tmp/assess-*.png.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from liaison.assessment.models import Assessment, AssessmentStatus, PlanAction
from liaison.episodes.models import Stage
from liaison.screening.services import screening_complete, screening_start
from tests.browser import test_journey as journey
from tests.factories import PASSWORD, EpisodeFactory, PersonFactory
from tests.secondfactor import authenticator, current_code

# The main journey's fixtures (Chromium, the team and its night nurse) and its axe check.
browser_page = journey.browser_page
javascript = journey.javascript
service = journey.service

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp")  # noqa: S108 - screenshots for people to look at, as the brief for these pages asks
OWN_WORDS = "My mum kicked me out on Sunday. I've been sleeping in the stairwell and the voices are back."
HELP_FIRST = "Somewhere to sleep tonight, and to get my tablets again."
# PHQ-9 of 18 ("moderately severe"): the assessment suggests a high mental health need from it.
PHQ9_18 = {"1": 3, "2": 3, "3": 3, "4": 3, "5": 3, "6": 3, "7": 0, "8": 0, "9": 0}


def check(page, name: str) -> None:
    journey.check_accessibility(page, f"assess-{name}")
    page.screenshot(path=str(SHOTS / f"assess-{name}.png"), full_page=True)


def sign_in(page, base: str, user) -> None:
    """The password, then the authenticator's code when the service asks for it."""
    device = authenticator(user)
    page.goto(f"{base}/sign-in")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/sign-in/" in page.url:
        page.get_by_label("Code from your authenticator app").fill(current_code(device))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/")


def test_an_assessment_from_first_words_to_a_plan_with_actions(live_server, service, browser_page):
    page, base, user = browser_page, live_server.url, service["user"]
    person = PersonFactory(given_name="Rowan", family_name="Testbridge", date_of_birth=dt.date(1994, 2, 9))
    episode = EpisodeFactory(site=service["site"], person=person, allocated_worker=user)
    screening = screening_start(actor=user, episode=episode, instrument="phq-9", answers=PHQ9_18)
    screening_complete(actor=user, screening=screening, version=screening.version)

    sign_in(page, base, user)

    # The episode offers an assessment; starting one opens the draft, with the screening's suggestion.
    page.goto(f"{base}/episodes/{episode.pk}/")
    section = page.locator("#assessment")
    assert "No assessment yet." in section.inner_text()
    section.get_by_role("button", name="Start an assessment").click()
    page.wait_for_url("**/assessments/*/")
    mental_health = page.get_by_role("group", name="Mental health", exact=True)
    assert "Suggested: High, from PHQ-9 18, Moderately severe" in mental_health.inner_text()
    assert mental_health.get_by_label("High", exact=True).is_checked()
    check(page, "1-draft-started")

    # Their own view, in their words, and what matters most to them.
    page.get_by_label("What is going on for them").fill(OWN_WORDS)
    page.get_by_label("What they want help with first").fill(HELP_FIRST)
    page.get_by_label("How they want to be contacted").fill("Text first. Never a letter to my mum's.")
    page.get_by_label("First", exact=True).select_option(label="Mental health")
    page.get_by_label("Second", exact=True).select_option(
        label="A safe place to sleep tonight (basic need today)"
    )

    # Nowhere to sleep tonight, and the domains.
    page.get_by_label("A safe place to sleep tonight").check()
    page.get_by_label("Food").check()
    mental_health.get_by_label("High", exact=True).check()
    page.locator("#domain-mental_health").get_by_label("Evidence").fill(
        "Hearing voices again; stopped olanzapine two weeks ago. PHQ-9 18."
    )
    housing = page.get_by_role("group", name="Housing", exact=True)
    housing.get_by_label("High", exact=True).check()
    page.locator("#domain-housing").get_by_label("Evidence").fill("Thrown out by family; no address.")
    page.locator("#domain-housing").get_by_label("Who raised it").select_option(label="The person")
    page.get_by_role("group", name="Money, benefits and debt", exact=True).get_by_label(
        "Moderate", exact=True
    ).check()
    page.get_by_role("group", name="Fitness for interview").get_by_label(
        "Fit, with adjustments or safeguards"
    ).check()
    page.get_by_label("Reasons for fitness for interview").fill("Needs breaks; appropriate adult present.")

    # It saves itself in the background a few seconds after the last change (assessment autosave).
    status = page.locator("#autosave-status")
    status.filter(has_text="Draft saved automatically").wait_for(timeout=20_000)
    assert Assessment.objects.get().own_words == OWN_WORDS

    page.locator("#assessment-form").get_by_role("button", name="Save as draft").click()
    page.wait_for_url("**/assessments/*/")
    assert "Saved as a draft" in page.locator(".nhsuk-notification-banner").inner_text()
    check(page, "2-draft-saved")

    # Close the page (a shift ends, a browser closes): the draft is on the server, found from the episode.
    context = page.context
    page.close()
    page = context.new_page()
    page.on("pageerror", lambda exc: browser_page.js_errors.append(str(exc)))
    page.js_errors, page.csp_violations = browser_page.js_errors, browser_page.csp_violations
    page.on(
        "console",
        lambda message: (
            page.csp_violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{base}/episodes/{episode.pk}/")
    assert "Draft" in page.locator("#assessment").inner_text()
    check(page, "3-episode-with-draft")
    page.locator("#assessment").get_by_role("button", name="Continue the draft").click()
    page.wait_for_url("**/assessments/*/")
    assert page.get_by_label("What is going on for them").input_value() == OWN_WORDS
    assert page.get_by_label("A safe place to sleep tonight").is_checked()
    assert page.get_by_role("group", name="Housing", exact=True).get_by_label("High", exact=True).is_checked()

    # One mistake on the way: a high need with its evidence taken out. The error is beside the box,
    # the summary links to it, and what was typed is still there.
    page.locator("#domain-housing").get_by_label("Evidence").fill("")
    page.get_by_role("button", name="Complete assessment").click()
    summary = page.locator(".nhsuk-error-summary")
    assert "Say what shows a high need for housing" in summary.inner_text()
    assert "Say what shows a high need for housing" in page.locator("#domain-housing").inner_text()
    assert page.title().startswith("Error: ")
    assert page.get_by_label("What is going on for them").input_value() == OWN_WORDS
    check(page, "4-complete-refused")
    summary.get_by_role("link", name="Say what shows a high need for housing").click()
    page.locator("#domain-housing").get_by_label("Evidence").fill("Thrown out by family; no address.")
    page.get_by_role("button", name="Complete assessment").click()

    # The plan: housing tonight above mental health, each with the reason for its place, and the
    # person's own order beside.
    page.wait_for_url(f"**/episodes/{episode.pk}/plan")
    assert "Assessment 1 is complete" in page.locator(".nhsuk-notification-banner").inner_text()
    titles = page.locator(".liaison-plan__title").all_inner_texts()
    assert titles[0].endswith("A safe place to sleep tonight") and titles[1].endswith("Food")
    sleep_at = next(i for i, t in enumerate(titles) if t.endswith("A safe place to sleep tonight"))
    mental_at = next(i for i, t in enumerate(titles) if t.endswith("Mental health"))
    assert sleep_at < mental_at
    tonight = page.locator("#need-basic-sleep_tonight")
    assert "Why here: Basic needs today" in tonight.inner_text()
    assert "Their 2nd priority" in tonight.inner_text()
    assert "Their 1st priority" in page.locator("#need-mental_health").inner_text()
    their_view = page.locator(".liaison-person-view")
    assert HELP_FIRST in their_view.inner_text()
    assert "1st Mental health" in " ".join(their_view.inner_text().split())
    check(page, "5-plan")

    # Changing the order needs a reason: refused without one, beside the box, with the positions kept.
    page.get_by_text("Put the needs in a different order").click()
    order = page.locator("#change-order")
    order.get_by_label("Mental health").select_option("1")
    order.get_by_label("A safe place to sleep tonight").select_option("3")
    order.get_by_role("button", name="Save the new order").click()
    assert "Give the reason for changing the order" in page.locator(".nhsuk-error-summary").inner_text()
    assert page.locator("#change-order").get_by_label("Mental health").input_value() == "1"
    check(page, "5b-order-needs-a-reason")
    tonight = page.locator("#need-basic-sleep_tonight")

    # An action for tonight, with an owner and a due date: it becomes a task.
    tonight.get_by_role("link", name="Add an action").click()
    form = page.locator("#add-action")
    assert form.get_by_label("Which need is it for?").input_value() == "basic:sleep_tonight"
    form.get_by_label("What will be done?").fill("Ring the council's out-of-hours homeless line before 5pm")
    form.get_by_label("Who will do it?").select_option(label="Sam Night")
    due = timezone.localdate() + dt.timedelta(days=1)
    form.get_by_label("Day").fill(str(due.day))
    form.get_by_label("Month").fill(str(due.month))
    form.get_by_label("Year").fill(str(due.year))
    form.get_by_role("button", name="Add action").click()
    page.wait_for_url("**/plan#need-basic-sleep_tonight")
    assert "Action added" in page.locator(".nhsuk-notification-banner").inner_text()
    action = PlanAction.objects.get()
    assert (action.owner, action.due, action.task.owner) == (user, due, user)

    # Reload: everything is kept.
    page.reload()
    tonight = page.locator("#need-basic-sleep_tonight")
    assert "Ring the council's out-of-hours homeless line before 5pm" in tonight.inner_text()
    assert "Sam Night" in tonight.inner_text() and "Planned" in tonight.inner_text()
    check(page, "6-plan-with-action")
    assessment = Assessment.objects.get()
    assert assessment.status == AssessmentStatus.COMPLETE and assessment.own_words == OWN_WORDS
    episode.refresh_from_db()
    assert episode.stage == Stage.ASSESSED

    # The person's record: the plan, with their own words near the top.
    page.goto(f"{base}/people/{person.pk}/")
    plan = page.locator("#plan")
    assert plan.is_visible()
    assert OWN_WORDS in plan.inner_text() and HELP_FIRST in plan.inner_text()
    assert (
        plan.bounding_box()["y"]
        < page.get_by_role("heading", name="Episodes", exact=True).bounding_box()["y"]
    )
    assert "Ring the council's out-of-hours homeless line" in plan.inner_text()
    check(page, "7-person")

    # The episode page: the plan in short, and the action's task.
    page.goto(f"{base}/episodes/{episode.pk}/")
    assert "Needs assessment 1 completed" in page.locator("#assessment").inner_text()
    assert "A safe place to sleep tonight: Ring the council" in page.locator("main").inner_text()
    check(page, "8-episode-assessed")
    assert "Rowan" not in page.url and "Testbridge" not in page.url
