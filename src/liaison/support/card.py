"""The pocket card: the complete plan, in the person's words, as a small PDF they can keep.

A6, printed two-sided (or folded), large clear type. Only what the person needs in a crisis: no
Liaison ID, no diagnosis, no team name (a card found by someone else must not say they were in
custody or court). Rendered by WeasyPrint from an HTML template with its own print stylesheet; no
network fetches, so a card never depends on anything outside the server.
"""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string

from liaison.core.pdf import html_to_pdf
from liaison.support.models import CrisisPlan
from liaison.support.presenters import card_for

# Beside the card template, so it is packaged with the templates.
STYLESHEET = Path(__file__).parent / "templates" / "support" / "card.css"


def card_html(plan: CrisisPlan) -> str:
    return render_to_string("support/card.html", {"card": card_for(plan)})


def card_pdf(plan: CrisisPlan) -> bytes:
    return html_to_pdf(card_html(plan), STYLESHEET)
