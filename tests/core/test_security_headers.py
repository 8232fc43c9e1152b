"""Headers every answer carries, and pages that a strict Content Security Policy can hold.

The policy is enforced (not report-only): scripts and styles only from our own files, no framing,
forms only to ourselves. The browser journey (tests/browser/test_journey.py) fails on any violation
Chromium reports; these tests pin the header and scan the templates for anything inline.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

import liaison

SRC = Path(liaison.__file__).parent


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("url", ["/sign-in", "/", "/people/search", "/api/v1/people", "/no-such-page"])
def test_every_answer_has_an_enforced_strict_content_security_policy(practitioner_client, url):
    response = practitioner_client.get(url)
    assert "Content-Security-Policy-Report-Only" not in response
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    everything = " ".join(v for values in policy.values() for v in values)
    assert "unsafe-inline" not in everything and "unsafe-eval" not in everything
    assert "*" not in everything and "http:" not in everything and "https:" not in everything


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Cache-Control", "no-store"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ],
)
@pytest.mark.parametrize("signed_in", [False, True])
def test_security_headers_on_pages(practitioner_client, client, signed_in, header, value):
    response = (practitioner_client if signed_in else client).get("/" if signed_in else "/sign-in")
    assert response.status_code == 200
    assert response[header] == value


def test_hsts_is_sent_over_https_for_a_year_with_subdomains(client, db):
    # Outside demo and debug runs (the tests run with production's security settings).
    response = client.get("/sign-in", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_api_answers_are_not_cached_either(practitioner_client, person_a):
    response = practitioner_client.get(f"/api/v1/people/{person_a.pk}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_static_files_keep_their_cache_headers(db):
    response = Client().get("/static/core/liaison.css")
    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"]
    assert "max-age" in response["Cache-Control"]


# --- nothing inline, anywhere ----------------------------------------------------------------------

TEMPLATES = sorted(SRC.rglob("templates/**/*.html"))
# An inline <script> or <style> block, a style="" attribute, an on...="" handler, a javascript: link
# or htmx's own inline handlers (hx-on): each is refused by the policy, so the page would silently break.
INLINE = [
    (re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE), "an inline <script>"),
    (re.compile(r"<style\b", re.IGNORECASE), "a <style> block"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "an inline event handler"),
    (re.compile(r"javascript:", re.IGNORECASE), "a javascript: address"),
    (re.compile(r"\bhx-on", re.IGNORECASE), "an htmx inline handler"),
]


def test_there_are_templates_to_scan():
    assert len(TEMPLATES) > 20


def test_no_template_has_inline_script_or_style():
    found = []
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(SRC)}:{line}: {what}")
    assert found == [], "move these into static files:\n" + "\n".join(found)


def test_the_scan_would_find_inline_code():
    sample = '<p style="color:red"><a onclick="x()" href="javascript:void(0)">x</a></p><script>1</script>'
    assert {what for pattern, what in INLINE if pattern.search(sample)} >= {
        "a style attribute",
        "an inline event handler",
        "a javascript: address",
        "an inline <script>",
    }


def test_static_scripts_use_no_eval():
    scripts = sorted(SRC.rglob("static/**/*.js"))
    assert scripts
    for path in scripts:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\beval\s*\(|new\s+Function\s*\(", text), path


def test_htmx_is_told_not_to_inject_styles_or_evaluate_code(client, db):
    html = client.get("/sign-in").content.decode()
    assert '"includeIndicatorStyles": false' in html
    assert '"allowEval": false' in html
    assert '"allowScriptTags": false' in html
