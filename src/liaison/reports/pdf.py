"""A report as PDF: WeasyPrint from the same document template the pages use, with a print stylesheet.

No network fetches: the NHS logo is inline SVG and the fonts are the system's.
"""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string

from liaison.reports.presenters import Document

STYLESHEET = Path(__file__).parent / "templates" / "reports" / "report.css"


def _no_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    raise ValueError(f"A report fetches nothing: {url[:60]}")


def report_html(document: Document) -> str:
    return render_to_string("reports/pdf.html", {"doc": document})


def report_pdf(document: Document) -> bytes:
    # Imported here: WeasyPrint loads Pango on import, which only the PDF needs.
    from weasyprint import CSS, HTML

    stylesheet = CSS(filename=str(STYLESHEET), url_fetcher=_no_fetch)
    pdf = HTML(string=report_html(document), url_fetcher=_no_fetch).write_pdf(stylesheets=[stylesheet])
    if pdf is None:  # only when given a target to write to, which we never do
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf


def pdf_filename(document: Document) -> str:
    return f"{document.kind_label.lower().replace(' ', '-')}-v{document.version_number}.pdf"
