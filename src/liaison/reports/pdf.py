"""A report as PDF: WeasyPrint (core.pdf) from the same document template the pages use, with a print
stylesheet.

No network fetches: the NHS logo is inline SVG and the fonts are the system's.
"""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string

from liaison.core.pdf import html_to_pdf
from liaison.reports.presenters import Document

STYLESHEET = Path(__file__).parent / "templates" / "reports" / "report.css"


def report_html(document: Document) -> str:
    return render_to_string("reports/pdf.html", {"doc": document})


def report_pdf(document: Document) -> bytes:
    return html_to_pdf(report_html(document), STYLESHEET)


def pdf_filename(document: Document) -> str:
    return f"{document.kind_label.lower().replace(' ', '-')}-v{document.version_number}.pdf"
