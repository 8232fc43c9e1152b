"""The pocket card: the complete plan, in the person's words, as a small PDF they can keep.

A6, printed two-sided (or folded), large clear type. Only what the person needs in a crisis: no
Liaison ID, no diagnosis, no team name (a card found by someone else must not say they were in
custody or court). Rendered by WeasyPrint from an HTML template with its own print stylesheet; no
network fetches, so a card never depends on anything outside the server.
"""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string

from liaison.support.models import CrisisPlan
from liaison.support.presenters import card_for

# Beside the card template, so it is packaged with the templates.
STYLESHEET = Path(__file__).parent / "templates" / "support" / "card.css"


def card_html(plan: CrisisPlan) -> str:
    return render_to_string("support/card.html", {"card": card_for(plan)})


def _no_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    raise ValueError(f"The pocket card fetches nothing: {url[:60]}")


def card_pdf(plan: CrisisPlan) -> bytes:
    # Imported here: WeasyPrint loads Pango on import, which only the card needs.
    from weasyprint import CSS, HTML

    stylesheet = CSS(filename=str(STYLESHEET), url_fetcher=_no_fetch)
    pdf = HTML(string=card_html(plan), url_fetcher=_no_fetch).write_pdf(stylesheets=[stylesheet])
    if pdf is None:  # only when given a target to write to, which we never do
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf
