"""Scoping is architecture: views and API routes never fetch person data straight from a model manager.

Person data reaches a request only through the access helpers (core/access.py) and scoped queries
(`queries.py`), which answer 404 for "not yours" and audit the read. This test reads the source of
every view and API module and fails on a direct `.objects` use of a sensitive model.
"""

from __future__ import annotations

import re
from pathlib import Path

import liaison

SENSITIVE = (
    *("Person", "Alias", "PersonContact", "Episode", "EpisodeStatus", "Contact", "Task", "BreakGlass"),
    # Referrals to services and appointments (issue 5); partners' Referral shares the name, and the rule.
    *("Referral", "ReferralStatus", "Appointment"),
    # Consent and disclosures, reports and their share links (issue 6).
    *("Consent", "ConsentScope", "SharingBasis", "Disclosure", "Report", "ReportVersion", "ShareLink"),
)
PATTERN = re.compile(r"\b(" + "|".join(SENSITIVE) + r")\.objects\b")
ROOT = Path(liaison.__file__).parent


def _edge_modules() -> list[Path]:
    files = [
        *ROOT.glob("*/views.py"),
        *ROOT.glob("*/api.py"),
        *ROOT.glob("*/views/*.py"),
        *ROOT.glob("api/*.py"),
    ]
    return sorted(set(files))


def test_there_are_edge_modules_to_check():
    assert any(p.name == "views.py" for p in _edge_modules())


def test_views_and_api_never_touch_sensitive_managers():
    offenders = []
    for path in _edge_modules():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if PATTERN.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "fetch person data through core.access or a scoped query:\n" + "\n".join(
        offenders
    )
