"""CRAFFT 2.1 (young people's alcohol and drug use). instruments.md section 3.15."""

from __future__ import annotations

from liaison.screening.instruments.catalogue._common import NO_YES, negative_positive
from liaison.screening.instruments.model import Definition, FlagInfo, Item, Licence, Profile, SpecialRule

PART_A = ("1", "2", "3")
PART_B_LETTERS = ("C", "R", "A", "F", "F", "T")

CRAFFT = Definition(
    code="crafft",
    version="2.1",
    title="CRAFFT 2.1 (adolescent alcohol and drug use)",
    short_title="CRAFFT 2.1",
    domain="Alcohol and drugs (young people)",
    items=(
        *(
            Item(
                key,
                f"Part A, question {key}",
                minimum=0,
                maximum=366,
                unit="days",
                hint="Number of days in the past 12 months; 0 if none.",
                scored=False,
            )
            for key in PART_A
        ),
        *(
            Item(
                str(n),
                f"Part B, {letter}" + (" (the CAR question)" if n == 4 else ""),
                NO_YES,
                asked_when_any_nonzero=() if n == 4 else PART_A,
                hint="" if n == 4 else "Ask only if any Part A answer is more than 0.",
            )
            for n, letter in enumerate(PART_B_LETTERS, start=4)
        ),
    ),
    rule="sum",
    scoring="Part A asks on how many days in the past 12 months the young person used alcohol, cannabis, or "
    "anything else to get high. If every Part A answer is 0, ask only the CAR question (item 4); otherwise "
    "ask all six Part B questions (items 4 to 9). The score is the number of Part B 'yes' answers (0 to 6).",
    profiles=(
        Profile(
            "standard",
            "Knight 2002: 2 or more is positive (high risk)",
            bands=negative_positive(2, 6, "Below the cut-off", "Positive: high risk"),
            positive_at=2,
            source="https://m.moam.info/health-fitness-diet-and-weight-loss_597b97831723ddb08ee5fcc6.html",
        ),
    ),
    licence=Licence(
        holder="Boston Children's Hospital / John R. Knight (CRAFFT)",
        summary="Free for clinical use. Terms for electronic/EHR embedding were not confirmed.",
        permitted_use="Clinical use. Get written confirmation from crafft.org before showing item wording "
        "electronically.",
        wording_may_be_shown=False,
        confirmed=False,
    ),
    min_age=12,
    max_age=21,
    youth=True,
    special_rules=(
        SpecialRule(
            "item_at_least",
            "crafft_car",
            {"item": "4", "value": 1},
            "A 'yes' to CAR always triggers riding/driving safety counselling, even below the cut-off.",
        ),
    ),
    flags=(FlagInfo("crafft_car", "Yes to CAR: give riding and driving safety counselling", urgent=True),),
    loinc_panel="71942-7",
    sources=(
        "https://crafft.org/use-the-crafft/",
        "https://m.moam.info/health-fitness-diet-and-weight-loss_597b97831723ddb08ee5fcc6.html",
        "https://fpnotebook.com/legacy/Psych/Exam/CrftQstnr.htm",
    ),
    notes=(
        "Version 2.1 without the nicotine question (2.1+N is not built).",
        "Part B answers given when every Part A answer is 0 are not scored (only CAR is asked), and the "
        "result says so.",
        "A CRAFFT total-score LOINC code was not confirmed; the panel code is 71942-7.",
        "Part A allows up to 366 days (a leap year).",
    ),
)
