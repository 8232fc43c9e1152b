"""The "you will be signed out soon" warning in real Chromium, with the session limits cut to seconds.

It opens as an accessible alert dialog before the idle limit, "Stay signed in" keeps the session on
the server without reloading the page (what was typed stays), and when time runs out it says so and
leaves the typed text on the page to copy.
"""

from __future__ import annotations

import re
import time

import pytest

from liaison.core import middleware
from tests.browser import test_journey as journey

browser_page = journey.browser_page
javascript = journey.javascript
service = journey.service
check_accessibility = journey.check_accessibility

pytestmark = pytest.mark.browser

IDLE = 20
WARNING = 10


@pytest.fixture
def short_sessions(settings, monkeypatch):
    settings.SESSION_IDLE_SECONDS = IDLE
    settings.SESSION_WARNING_SECONDS = WARNING
    # The server's idle clock is normally kept to 30 seconds; here it must be exact.
    monkeypatch.setattr(middleware, "LAST_SEEN_RESOLUTION", 0)


def test_the_warning_keeps_the_session_and_the_typing(live_server, service, browser_page, short_sessions):
    page, base = browser_page, live_server.url
    journey._sign_in(page, base, "night.nurse")
    page.goto(f"{base}/arrivals/new")
    started = time.monotonic()
    page.get_by_label("First name").fill("Typed but not saved")

    dialog = page.get_by_role("alertdialog", name="You will be signed out soon")
    dialog.wait_for(state="visible", timeout=(IDLE - WARNING + 5) * 1000)
    assert "will sign you out in" in dialog.inner_text()
    stay = dialog.get_by_role("button", name="Stay signed in")
    assert stay.evaluate("button => document.activeElement === button")
    check_accessibility(page, "session-warning")
    stay.click()
    dialog.wait_for(state="hidden")
    assert page.locator("#session-timeout-status").inner_text() == "You are still signed in."

    # Past the time the session would have ended without "Stay signed in": still signed in.
    time.sleep(max(0, IDLE + 2 - (time.monotonic() - started)))
    clock = page.request.get(f"{base}/session", max_redirects=0)
    assert clock.status == 200, clock.status
    assert page.get_by_label("First name").input_value() == "Typed but not saved"

    # Left alone, it ends: said plainly, with the typing still on the page to copy.
    ended = page.get_by_role("alertdialog", name="You have been signed out")
    ended.wait_for(state="visible", timeout=(IDLE + 10) * 1000)
    assert ended.get_by_role("link", name="Sign in again").is_visible()
    assert page.get_by_label("First name").input_value() == "Typed but not saved"
    check_accessibility(page, "session-ended")
    ended.get_by_role("link", name="Sign in again").click()
    page.wait_for_url(re.compile(r"/sign-in\?next=/arrivals/new$"))
    assert "You were signed out because you had not used Liaison" in page.locator("main").inner_text()
