"""The court report PDF reads like a professional document: letterhead, the person's identifiers, title,
date, author and sign-off, the sections, page numbers and the confidentiality line on every page.

A copy is written to /tmp/court-report.pdf for people to look at (pdftoppm -png -r 70).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from liaison.consent.models import ContentKind
from liaison.reports.pdf import report_pdf
from liaison.reports.presenters import document_for
from liaison.reports.services import report_save, sharing_check
from tests.reports.conftest import court_consent, pdf_text, signed_off

LONG = (
    "Mr Rivers has been supported by the Liaison and Diversion service since his arrest. He engaged well "
    "with assessment and agreed to this report being shared with the court.\n\n"
)


def test_the_court_report_pdf_has_everything_a_reader_looks_for(assessed, practitioner, team_lead, tmp_path):
    person = assessed.person
    person.date_of_birth, person.nhs_number = dt.date(1990, 5, 17), "9434765919"
    person.save()
    court_consent(person, assessed.team, practitioner, ContentKind.RECOMMENDATIONS, ContentKind.NEEDS_SUMMARY)
    version = signed_off(assessed, practitioner, team_lead)
    version = report_save(
        actor=practitioner, version=version, expected=version.version,
        texts={"bail_remand": LONG * 8, "treatment_requirements": "Mental health treatment requirement: "
               "suitable; he agrees to it.\nDrug rehabilitation requirement: not indicated."},
    )  # fmt: skip
    from liaison.reports.services import report_sign_off

    version = report_sign_off(actor=team_lead, version=version, expected=version.version)
    pdf = report_pdf(document_for(version, check=sharing_check(version, "court")))
    Path("/tmp/court-report.pdf").write_bytes(pdf)  # noqa: S108 - for people to look at
    text = pdf_text(pdf, tmp_path)
    for expected in (
        "Northtown L&D",
        "Liaison and Diversion service",
        "Liaison and Diversion report to the court",
        "Alex Rivers",
        "17 May 1990",
        "943 476 5919",
        "Written by",
        f"Signed off by {team_lead}",
        "Needs in brief",
        "Recommendations",
        "Suitability for treatment requirements",
        "Bail and remand considerations",
        "Page 1 of 2",
        "Page 2 of 2",
        "Confidential: shared under the person's consent for the court",
    ):
        assert expected in text, expected
    # The identifiers and the confidentiality line repeat on every page.
    assert text.count("Confidential: shared under") == 2
    assert text.count("NHS number 943 476 5919") == 2  # the details table, and the running head on page 2
