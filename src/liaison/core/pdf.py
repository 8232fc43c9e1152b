"""PDFs: WeasyPrint from an HTML string and a print stylesheet, fetching nothing, sent as a download.

One path for every PDF the service makes (the court report, the pocket card, the commissioner report):
no network fetches, so a PDF never depends on anything outside the server, and never cached.
"""

from __future__ import annotations

from pathlib import Path

from django.http import HttpResponse


def _no_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    raise ValueError(f"A PDF fetches nothing: {url[:60]}")


def html_to_pdf(html: str, stylesheet: Path) -> bytes:
    # Imported here: WeasyPrint loads Pango on import, which only the PDFs need.
    from weasyprint import CSS, HTML

    css = CSS(filename=str(stylesheet), url_fetcher=_no_fetch)
    pdf = HTML(string=html, url_fetcher=_no_fetch).write_pdf(stylesheets=[css])
    if pdf is None:  # only when given a target to write to, which we never do
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf


def pdf_download(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
