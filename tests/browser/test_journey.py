"""The 2am journey in real Chromium: sign in, worklist, record an arrival, open the person, log a contact.

Every page on the way is checked with axe-core and must have no serious or critical WCAG problems,
no JavaScript errors and no Content Security Policy violations (the policy is enforced, so a violation
is something on the page that did not work). Screenshots go to test-results/ for people to look at.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison.core.models import Role, User
from liaison.episodes.models import Contact, Task
from liaison.people.models import Person
from tests.factories import PASSWORD, EpisodeFactory, PersonFactory, SiteFactory, TeamFactory, member
from tests.secondfactor import authenticator, browser_sign_in, code_for_secret, current_code

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
RESULTS = ROOT / "test-results"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


def _chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        message = "Chromium is not on PATH: install it (apt-get install chromium) to run the browser journeys"
        if os.environ.get("CI"):
            pytest.fail(message + " - CI is set, so the browser tests are required")
        pytest.skip(message)
    if not AXE.exists():
        message = "axe-core is missing: run `npm ci`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def javascript() -> bool:
    return True


@pytest.fixture
def browser_page(monkeypatch, javascript):
    executable = _chromium()
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still
    # synchronous and safe, Django just cannot tell.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="en-GB", java_script_enabled=javascript
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors  # type: ignore[attr-defined]
        # Chromium reports each thing the Content Security Policy blocked as a console error.
        violations: list[str] = []
        page.on(
            "console",
            lambda message: (
                violations.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        page.csp_violations = violations  # type: ignore[attr-defined]
        try:
            yield page
        finally:
            context.close()
            browser.close()


def shows(page, text: str) -> None:
    """Wait until the page says `text`.

    After a click that submits a form, the next page may still be loading: `page.content()` read at
    that moment can be empty (seen once on CI). This waits, up to Playwright's timeout, for the text.
    """
    from playwright.sync_api import expect

    expect(page.locator("body")).to_contain_text(text, timeout=15_000)


def check_accessibility(page, name: str) -> None:
    """Run axe-core on the page; fail on serious or critical violations; keep a screenshot."""
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / f"journey-{name}.png"), full_page=True)
    # Evaluated through the DevTools protocol rather than added as an inline <script>, which the
    # page's Content Security Policy rightly blocks.
    page.evaluate(AXE.read_text(encoding="utf-8"))
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
    assert not page.csp_violations, (
        f"Content Security Policy violations on the {name} page: {page.csp_violations}"
    )


@pytest.fixture
def service(transactional_db):
    team = TeamFactory(code="journey", name="Northtown L&D")
    site = SiteFactory(team=team, name="Northtown Custody Suite")
    SiteFactory(team=team, name="Northtown Magistrates' Court")
    user = member(team, Role.PRACTITIONER, "night.nurse")
    user.display_name = "Sam Night"
    user.save()
    # Some work already on the list, one with an overdue follow-up.
    now = timezone.now()
    for hours, given, family in (
        (1, "Jordan", "Testwell"),
        (5, "Casey", "Samplesby"),
        (30, "Robin", "Fictional"),
    ):
        episode = EpisodeFactory(
            site=site,
            person=PersonFactory(given_name=given, family_name=family),
            arrival_at=now - dt.timedelta(hours=hours),
            allocated_worker=user,
        )
        if hours == 30:
            Task.objects.create(
                episode=episode,
                title="Phone GP for medication",
                due=timezone.localdate() - dt.timedelta(days=1),
                owner=user,
                created_by=user,
            )
    return {"team": team, "site": site, "user": user}


def test_night_shift_journey(live_server, service, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}/")
    # Not signed in: sent to sign in.
    assert "/sign-in" in page.url
    check_accessibility(page, "sign-in")
    page.get_by_label("Username").fill("night.nurse")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # First sign-in: set up the authenticator app from the QR code's key, then confirm with a code.
    page.wait_for_url("**/sign-in/set-up-authenticator**")
    check_accessibility(page, "set-up-authenticator")
    assert page.get_by_role("img", name="QR code for your authenticator app").is_visible()
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Confirm and continue").click()
    from playwright.sync_api import expect

    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    check_accessibility(page, "set-up-authenticator-error")
    TOTPDevice.objects.filter(user__username="night.nurse").update(throttling_failure_count=0)
    page.get_by_label("Code from your authenticator app").fill(
        code_for_secret(page.locator(".liaison-secret").inner_text())
    )
    page.get_by_role("button", name="Confirm and continue").click()

    # The worklist, overdue work first.
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Worklist").is_visible()
    first_row = page.locator("tbody tr").first
    assert "Robin Fictional" in first_row.inner_text()
    assert "Overdue task" in first_row.inner_text()
    check_accessibility(page, "worklist")

    # Filters: htmx swaps just the results and keeps the (non-personal) filter in the address.
    page.get_by_label("Site").select_option(label="Northtown Magistrates' Court")
    page.wait_for_url("**/?site=*")
    assert "No open episodes match these filters" in page.locator("#worklist-results").inner_text()
    page.get_by_role("link", name="Show all open episodes").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("tbody tr").count() == 3

    # A new arrival, with one mistake first: the error summary and kept values.
    page.get_by_role("button", name="Record a new arrival").click()
    page.wait_for_url("**/arrivals/new")
    page.get_by_label("First name").fill("Taylor")
    page.get_by_label("Last name").fill("Exampleton")
    dob = page.get_by_role("group", name="Date of birth")
    dob.get_by_label("Day").fill("4")
    dob.get_by_label("Month").fill("11")
    dob.get_by_label("Year").fill("1999")
    page.get_by_label("NHS number (optional)").fill("943 476 5918")  # wrong check digit
    page.get_by_label("Site").select_option(label="Northtown Custody Suite")
    page.get_by_role("button", name="Save arrival").click()
    summary = page.locator(".nhsuk-error-summary")
    assert summary.is_visible()
    assert "check digit" in summary.inner_text()
    assert page.get_by_label("First name").input_value() == "Taylor"
    assert page.title().startswith("Error: ")
    check_accessibility(page, "arrival-error")

    page.get_by_label("NHS number (optional)").fill("943 476 5919")
    page.get_by_label("Custody or case number (optional)").fill("NT-0042-26")
    page.get_by_role("button", name="Save arrival").click()

    # The person page.
    page.wait_for_url("**/people/*/")
    assert page.get_by_role("heading", name="Taylor Exampleton").is_visible()
    assert "943 476 5919" in page.locator("main").inner_text()
    assert "New arrival recorded" in page.locator(".nhsuk-notification-banner").inner_text()
    person = Person.objects.get(family_name="Exampleton")
    assert f"/people/{person.pk}/" in page.url
    check_accessibility(page, "person")

    # Log a contact on the episode.
    page.get_by_role("button", name="Record a contact").first.click()
    page.wait_for_url("**/episodes/*/#log-contact")
    check_accessibility(page, "episode")
    contact_form = page.locator("#log-contact")
    contact_form.get_by_label("How was the contact made?").select_option(label="In person")
    contact_form.get_by_role("group", name="Did you reach the person?").get_by_label("Yes").check()
    contact_form.get_by_label("Note (optional)").fill("Seen in cell 4. Calm, asked for a solicitor.")
    contact_form.get_by_role("button", name="Save contact").click()

    page.wait_for_url("**/episodes/*/")
    assert "Contact recorded" in page.locator(".nhsuk-notification-banner").inner_text()
    timeline = page.locator(".liaison-timeline").inner_text()
    assert "In person contact" in timeline
    assert "Seen in cell 4" in timeline
    contact = Contact.objects.get(episode__person=person)
    assert contact.successful is True
    check_accessibility(page, "contact-logged")
    page.screenshot(path=str(RESULTS / "journey.png"), full_page=True)

    # No personal data ever reached an address.
    assert "Taylor" not in page.url and "Exampleton" not in page.url


def _sign_in(page, base_url: str, username: str) -> None:
    browser_sign_in(page, base_url, username, PASSWORD)


def test_the_other_pages_are_accessible(live_server, service, browser_page):
    """Search, break the glass, the audit and break-glass logs, conflicts and refusals: axe on each."""
    page, base = browser_page, live_server.url
    team = service["team"]
    lead = member(team, Role.TEAM_LEAD, "night.lead")
    other_team = TeamFactory(code="elsewhere", name="Southport L&D")
    SiteFactory(team=other_team, name="Southport Custody Suite")
    member(other_team, Role.PRACTITIONER, "south.nurse")
    member(team, Role.COMMISSIONER, "commissioner")
    person = Person.objects.get(family_name="Fictional")
    episode = person.episodes.get()

    _sign_in(page, base, "night.lead")
    page.goto(f"{base}/people/search")
    page.get_by_label("Name").fill("rob")
    page.get_by_role("button", name="Search").click()
    shows(page, "FICTIONAL, Robin")
    check_accessibility(page, "search-results")

    page.goto(f"{base}/people/{person.pk}/audit")
    assert page.get_by_role("heading", name="Who viewed this record").is_visible()
    check_accessibility(page, "person-audit")

    # A stale stage change: the conflict message, the entered values kept.
    page.goto(f"{base}/episodes/{episode.pk}/")
    from liaison.episodes.services import episode_update

    episode_update(actor=lead, episode=episode, version=episode.version, custody_number="NT-CHANGED")
    stage = page.locator("#stage")
    stage.get_by_label("Close the episode").check()
    stage.get_by_label("Why is it closing?").select_option(label="Declined the service")
    stage.get_by_role("button", name="Save stage").click()
    assert "Someone else changed this episode" in page.locator(".nhsuk-error-summary").inner_text()
    check_accessibility(page, "stage-conflict")

    page.goto(f"{base}/team/break-glass")
    check_accessibility(page, "team-break-glass")
    page.get_by_role("button", name="Sign out").click()

    # Another team's practitioner: not found, then break the glass with a reason.
    _sign_in(page, base, "south.nurse")
    page.goto(f"{base}/people/{person.pk}/")
    assert page.get_by_role("heading", name="Record not found").is_visible()
    check_accessibility(page, "person-not-found")
    page.get_by_role("link", name=f"Break the glass for Liaison ID {person.pk}").click()
    page.get_by_label("Why do you need to see this record?").fill("short")
    page.get_by_role("button", name="Break the glass and open the record").click()
    assert "at least 10 characters" in page.locator(".nhsuk-error-summary").inner_text()
    check_accessibility(page, "break-glass-error")
    page.get_by_label("Why do you need to see this record?").fill(
        "Southport custody sergeant phoned about him at 2am"
    )
    # Re-authentication: a fresh code, even though signed in.
    code = current_code(authenticator(User.objects.get(username="south.nurse")))
    page.get_by_label("Enter a new code from your authenticator app").fill(code)
    page.get_by_role("button", name="Break the glass and open the record").click()
    page.wait_for_url(f"**/people/{person.pk}/")
    assert "because you broke the glass" in page.locator("main").inner_text()
    check_accessibility(page, "person-break-glass")
    page.get_by_role("button", name="Sign out").click()

    # A commissioner: a friendly refusal, not a stack trace.
    _sign_in(page, base, "commissioner")
    assert page.get_by_role("heading", name="You cannot see people's records").is_visible()
    check_accessibility(page, "no-access")

    # Phones: the worklist still reads at 390px wide.
    page.get_by_role("button", name="Sign out").click()
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, base, "night.nurse")
    check_accessibility(page, "worklist-mobile")


@pytest.mark.parametrize("javascript", [False])
def test_the_journey_works_without_javascript(live_server, service, browser_page):
    """Every core journey is plain HTML forms and links: htmx and the NHS.UK script only improve it."""
    page, base = browser_page, live_server.url
    _sign_in(page, base, "night.nurse")
    page.get_by_label("Stage").select_option(label="Identified")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/?*stage=identified*")
    assert page.locator("tbody tr").count() == 3

    page.get_by_role("button", name="Record a new arrival").click()
    page.get_by_label("First name").fill("Noscript")
    page.get_by_label("Last name").fill("Testperson")
    page.get_by_label("Site").select_option(label="Northtown Custody Suite")
    page.get_by_role("button", name="Save arrival").click()
    page.wait_for_url("**/people/*/")
    assert page.get_by_role("heading", name="Noscript Testperson").is_visible()

    page.get_by_role("button", name="Record a contact").first.click()
    form = page.locator("#log-contact")
    form.get_by_label("How was the contact made?").select_option(label="Phone")
    form.get_by_role("group", name="Did you reach the person?").get_by_label("No").check()
    form.get_by_role("button", name="Save contact").click()
    page.wait_for_url("**/episodes/*/")
    assert "Phone contact" in page.locator(".liaison-timeline").inner_text()

    page.get_by_role("link", name="Find a person").click()
    page.get_by_label("Name").fill("noscr")
    page.get_by_role("button", name="Search").click()
    shows(page, "TESTPERSON, Noscript")
    assert page.url == f"{base}/people/search"
