"""DAST-10, the Drug Abuse Screening Test. instruments.md section 3.13."""

from __future__ import annotations

from liaison.screening.instruments.catalogue._common import NO_YES
from liaison.screening.instruments.model import Band, Definition, Item, Licence, Option, Profile

# Item 3 is reverse-scored: "No" scores 1. Clients still send yes = 1, no = 0.
REVERSED = (Option(0, "No", points=1), Option(1, "Yes", points=0))

DAST10 = Definition(
    code="dast-10",
    version="1",
    title="Drug Abuse Screening Test (DAST-10)",
    short_title="DAST-10",
    domain="Drugs (not alcohol or tobacco), past 12 months",
    items=tuple(
        Item(
            str(n),
            f"Item {n}",
            REVERSED if n == 3 else NO_YES,
            hint="Reverse-scored: 'No' scores 1." if n == 3 else "",
        )
        for n in range(1, 11)
    ),
    rule="sum",
    scoring="Count of answers scoring 1 (0 to 10): 'Yes' scores 1 on every item except item 3, where 'No' "
    "scores 1. Answers are sent as yes = 1, no = 0 on every item, item 3 included.",
    profiles=(
        Profile(
            "standard",
            "Skinner bands; 3 or more warrants further investigation",
            bands=(
                Band(0, 0, "none", "No problems reported"),
                Band(1, 2, "low", "Low level"),
                Band(3, 5, "moderate", "Moderate level"),
                Band(6, 8, "substantial", "Substantial level"),
                Band(9, 10, "severe", "Severe level"),
            ),
            positive_at=3,
            source="https://comorbidityguidelines.org.au/appendix-w-drug-abuse-screening-test-dast10/dast10-scoring-and-interpretation",
        ),
    ),
    licence=Licence(
        holder="Harvey A. Skinner and the Centre for Addiction and Mental Health (CAMH), 1982",
        summary="May be reproduced for non-commercial clinical, research and training use with credit to "
        "the author.",
        permitted_use="Non-commercial use with credit. Do not show item wording until the non-commercial "
        "determination is made.",
        wording_may_be_shown=False,
        confirmed=False,
    ),
    min_age=18,
    loinc_panel="82666-9",
    loinc_total="82667-7",
    sources=(
        "https://comorbidityguidelines.org.au/appendix-w-drug-abuse-screening-test-dast10/dast10-scoring-and-interpretation",
        "https://cde.nida.nih.gov/node/192",
        "https://camcops.readthedocs.io/en/latest/tasks/dast.html",
        "https://loinc.org/82667-7",
    ),
    notes=(
        "Someone who answers 'No' to every item scores 1, because item 3 is reversed. Decision: the form is "
        "not short-circuited to 0 when item 1 is 'No' - that is not part of the published rule - so the "
        "published total (1, 'Low level') is kept and the result says why.",
        "The reference says 'adults and older youth' without an age; 18 and over is used until the clinical "
        "lead sets a younger limit.",
    ),
)
