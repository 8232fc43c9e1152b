"""ASQ, the Ask Suicide-Screening Questions (NIMH). instruments.md section 3.16."""

from __future__ import annotations

from liaison.screening.instruments.catalogue._common import NO_YES
from liaison.screening.instruments.model import Band, Definition, FlagInfo, Item, Licence, Option, Profile

DECLINED = 9  # "declined to answer": the toolkit counts a refusal on items 1-4 as positive
YES_NO_DECLINED = (Option(0, "No"), Option(1, "Yes"), Option(DECLINED, "Declined to answer"))

WORDING = (
    "In the past few weeks, have you wished you were dead?",
    "In the past few weeks, have you felt that you or your family would be better off if you were dead?",
    "In the past week, have you been having thoughts about killing yourself?",
    "Have you ever tried to kill yourself?",
)

ASQ = Definition(
    code="asq",
    version="1",
    title="Ask Suicide-Screening Questions (ASQ)",
    short_title="ASQ",
    domain="Suicide risk",
    items=(
        *(
            Item(
                str(n),
                f"Item {n}",
                YES_NO_DECLINED,
                text=text,
                hint="If yes, ask how and when, and record it in a contact note." if n == 4 else "",
            )
            for n, text in enumerate(WORDING, start=1)
        ),
        Item(
            "5",
            "Item 5 (acuity)",
            NO_YES,
            text="Are you having thoughts of killing yourself right now?",
            asked_when_any_nonzero=("1", "2", "3", "4"),
            hint="Ask only if any of items 1 to 4 is yes or was declined.",
        ),
    ),
    rule="asq",
    scoring="No total. All of items 1-4 'no': negative (item 5 is not asked). Any 'yes' to items 1-4, or a "
    "refusal to answer, is positive; then item 5: 'yes' is an acute positive (imminent risk), 'no' a "
    "non-acute positive. Send yes = 1, no = 0, declined = 9.",
    profiles=(
        Profile(
            "standard",
            "NIMH ASQ toolkit",
            bands=(
                Band(0, 0, "negative", "Negative"),
                Band(
                    1,
                    1,
                    "non-acute-positive",
                    "Non-acute positive: a brief suicide safety assessment is needed",
                ),
                Band(
                    2,
                    2,
                    "acute-positive",
                    "Acute positive: imminent risk; urgent full mental health evaluation before the person "
                    "leaves",
                ),
            ),
            source="https://www.nimh.nih.gov/labs-at-nimh/asq-toolkit-materials/index.shtml",
        ),
    ),
    licence=Licence(
        holder="National Institute of Mental Health (US federal work)",
        summary="Free NIMH resource; as a US federal work generally public domain. Credit NIMH.",
        permitted_use="Any use with credit to NIMH. Item wording may be shown.",
        wording_may_be_shown=True,
        confirmed=True,
    ),
    min_age=10,
    flags=(
        FlagInfo("suicide_risk", "Suicide risk: the ASQ is positive", suicide_risk=True, urgent=True),
        FlagInfo(
            "asq_acute_positive",
            "Acute positive: imminent risk - urgent full mental health evaluation before the person leaves",
            suicide_risk=True,
            urgent=True,
        ),
        FlagInfo(
            "asq_non_acute_positive",
            "Non-acute positive: a brief suicide safety assessment is needed",
            suicide_risk=True,
            urgent=True,
        ),
        FlagInfo("asq_declined", "Declined to answer one or more of items 1 to 4 (counted as positive)"),
        FlagInfo("asq_resource_list", "Positive: give the patient resource list"),
    ),
    sources=(
        "https://www.nimh.nih.gov/labs-at-nimh/asq-toolkit-materials/index.shtml",
        "https://psypack.com/assessments/ask-suicide-screening-questions/",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC9773543",
    ),
    notes=(
        "Clinical judgement can override a negative screen: record it in a contact note.",
        "If item 5 is answered 'yes' although items 1-4 were all 'no', the result is treated as an acute "
        "positive: the published rule does not cover this case and a 'yes' to current thoughts of suicide "
        "must never be dropped.",
        "Validated for ages 10 to 21 and for adults; the toolkit allows 8 and over. Our cohort starts at 10.",
        "No LOINC codes were found; the questionnaire uses local codes.",
        "Item wording was entered from the NIMH toolkit: check it against the sources before release.",
    ),
)
