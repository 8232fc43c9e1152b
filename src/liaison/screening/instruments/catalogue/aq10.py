"""AQ-10 (adult), the Autism Spectrum Quotient 10-item screen. instruments.md section 3.20."""

from __future__ import annotations

from liaison.screening.instruments.catalogue._common import negative_positive
from liaison.screening.instruments.model import Definition, Item, Licence, Option, Profile

LABELS = ("Definitely agree", "Slightly agree", "Slightly disagree", "Definitely disagree")
AGREE_SCORES = tuple(Option(v, label, points=1 if v < 2 else 0) for v, label in enumerate(LABELS))
DISAGREE_SCORES = tuple(Option(v, label, points=1 if v >= 2 else 0) for v, label in enumerate(LABELS))
AGREE_ITEMS = {1, 7, 8, 10}
REFER = "consider referral for a specialist autism assessment"

AQ10 = Definition(
    code="aq-10",
    version="1",
    title="Autism Spectrum Quotient 10-item (AQ-10), adult",
    short_title="AQ-10",
    domain="Autism",
    items=tuple(
        Item(
            str(n),
            f"Item {n}",
            AGREE_SCORES if n in AGREE_ITEMS else DISAGREE_SCORES,
            hint="Scores 1 for agree." if n in AGREE_ITEMS else "Scores 1 for disagree.",
        )
        for n in range(1, 11)
    ),
    rule="sum",
    scoring="Answers are sent as 0 definitely agree, 1 slightly agree, 2 slightly disagree, 3 definitely "
    "disagree. Items 1, 7, 8 and 10 score 1 for either agree; items 2, 3, 4, 5, 6 and 9 score 1 for either "
    "disagree. Total 0 to 10.",
    profiles=(
        Profile(
            "nhs-6-or-above",
            "6 or above (NICE-derived NHS practice; CamCOPS)",
            bands=negative_positive(6, 10, "Below the cut-off", "At or above the cut-off: " + REFER),
            positive_at=6,
            source="https://github.com/ucam-department-of-psychiatry/camcops/blob/master/docs/source/tasks/aq10.rst",
        ),
        Profile(
            "printed-form-more-than-6",
            "More than 6, i.e. 7 or above (as the printed form says)",
            bands=negative_positive(7, 10, "Below the cut-off", "Above the cut-off: " + REFER),
            positive_at=7,
            source="https://slidelegend.com/autism-spectrum-quotient-autism-research-centre_5b74b52d097c4778698b4576.html",
        ),
    ),
    licence=Licence(
        holder="SBC/CA/BA, Autism Research Centre (ARC), University of Cambridge",
        summary="Professional, scientific, clinical or personal use allowed; no commercial use; no "
        "adaptation or modification without permission. Acknowledge the ARC and Allison et al. 2012.",
        permitted_use="Non-commercial use only, unchanged. Do not show item wording until the non-commercial "
        "determination is made.",
        wording_may_be_shown=False,
        confirmed=False,
    ),
    min_age=16,
    sources=(
        "https://github.com/ucam-department-of-psychiatry/camcops/blob/master/docs/source/tasks/aq10.rst",
        "https://slidelegend.com/autism-spectrum-quotient-autism-research-centre_5b74b52d097c4778698b4576.html",
    ),
    notes=(
        "The sources differ on the cut-off: the printed form says 'more than 6'; CamCOPS and common NHS "
        "practice say '6 or above'. The reference could not confirm which the original Allison 2012 paper "
        "used. Both are profiles; the NHS one is the default.",
        "For adults (16 and over) without a learning disability. Separate adolescent and child versions "
        "exist and are not built.",
        "No LOINC codes were found; the questionnaire uses local codes.",
    ),
)
