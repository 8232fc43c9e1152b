"""K10 and K6 (psychological distress). instruments.md sections 3.5 and 3.6.

The K10's wording is not shown: the reference could not confirm its licence from the official home
(the Harvard NCS page), so the practitioner reads the items from their own copy.
"""

from __future__ import annotations

from liaison.screening.instruments.model import (
    Band,
    Definition,
    FlagInfo,
    Item,
    Licence,
    Option,
    Profile,
    SpecialRule,
    Subscore,
)

# Australian (ABS) convention, the one the published bands are written for.
AU_OPTIONS = (
    Option(1, "None of the time"),
    Option(2, "A little of the time"),
    Option(3, "Some of the time"),
    Option(4, "Most of the time"),
    Option(5, "All of the time"),
)
US_OPTIONS = tuple(Option(o.value - 1, o.label) for o in AU_OPTIONS)

KESSLER_LICENCE = Licence(
    holder="R. C. Kessler / Harvard Medical School (National Comorbidity Survey)",
    summary="Widely described as public domain and promoted freely by CRUfAD; not confirmed from the "
    "primary source.",
    permitted_use="Scoring and recording. Do not show item wording until the licence is confirmed.",
    wording_may_be_shown=False,
    confirmed=False,
)

NO_CUT_OFF = "The reference gives bands but no single screening cut-off, so no positive/negative is given."
K6_ITEMS = ("2", "4", "5", "8", "9", "10")  # the K10 positions of the six K6 items

K10 = Definition(
    code="k10",
    version="1",
    title="Kessler Psychological Distress Scale (K10)",
    short_title="K10",
    domain="Psychological distress",
    items=tuple(
        Item(
            str(n),
            f"Item {n}",
            AU_OPTIONS,
            skippable_after={3: "2", 6: "5"}.get(n, ""),
            hint=(
                f"May be skipped when item {n - 1} is 'None of the time': it then scores as 'None of the "
                "time'."
                if n in (3, 6)
                else ""
            ),
        )
        for n in range(1, 11)
    ),
    rule="sum",
    scoring="Sum of items 1 to 10: 10 to 50 scoring each item 1 to 5 (Australian convention), or 0 to 40 "
    "scoring 0 to 4 (US convention). Items 3 and 6 may be skipped when the item before is 'None of "
    "the time'; a skipped item scores as 'None of the time'. K6 is derived from items 2, 4, 5, 8, 9 "
    "and 10 rescored 0 to 4.",
    profiles=(
        Profile(
            "au-abs",
            "Items scored 1 to 5; ABS bands",
            bands=(
                Band(10, 15, "low", "Low distress"),
                Band(16, 21, "moderate", "Moderate distress"),
                Band(22, 29, "high", "High distress"),
                Band(30, 50, "very-high", "Very high distress"),
            ),
            source="http://abs.gov.au/ausstats/abs@.nsf/Lookup/34333D54F054CE51CA2579D50015D786",
            note=NO_CUT_OFF,
        ),
        Profile(
            "au-andrews-slade",
            "Items scored 1 to 5; Andrews and Slade (CRUfAD) bands",
            bands=(
                Band(10, 19, "likely-well", "Likely to be well"),
                Band(20, 24, "mild", "Likely to have a mild disorder"),
                Band(25, 29, "moderate", "Likely to have a moderate disorder"),
                Band(30, 50, "severe", "Likely to have a severe disorder"),
            ),
            source="https://mindtherapy.com.au/anxiety/test-your-anxiety/check-your-k10-score/",
            note=NO_CUT_OFF,
        ),
        Profile(
            "us-0-4",
            "Items scored 0 to 4 (US convention); no bands",
            options=US_OPTIONS,
            source="http://abs.gov.au/ausstats/abs@.nsf/Lookup/34333D54F054CE51CA2579D50015D786",
            note="The published bands are for the 10-50 scale: none are applied to the 0-40 total.",
        ),
    ),
    licence=KESSLER_LICENCE,
    min_age=18,
    special_rules=(
        SpecialRule(
            "subscore_at_least",
            "k6_probable_smi",
            {"subscore": "k6", "value": 13},
            "The derived K6 (0-24) at 13 or more indicates probable serious mental illness (Kessler 2003).",
        ),
    ),
    flags=(FlagInfo("k6_probable_smi", "Derived K6 is 13 or more: probable serious mental illness"),),
    subscores=(Subscore("k6", "K6 (items 2, 4, 5, 8, 9, 10 rescored 0-4)", K6_ITEMS, from_zero=True),),
    sources=(
        "http://abs.gov.au/ausstats/abs@.nsf/Lookup/34333D54F054CE51CA2579D50015D786",
        "https://mindtherapy.com.au/anxiety/test-your-anxiety/check-your-k10-score/",
        "https://docest.com/doc/220509/kessler-psychological-distress-scale-k10",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC3659799",
    ),
    notes=(
        "Licence not confirmed from the primary source (the Harvard NCS page): confirm before showing the "
        "wording.",
        "A pro-rating rule is published (docest.com source) but the reference does not give its terms, "
        "so it is not applied: a complete form is required.",
        "No K10 LOINC panel was found in the sources consulted; the questionnaire uses local codes.",
        "The reference gives no age range; 18 and over is used until the clinical lead confirms.",
        "K6 item 4 is K10 item 9: some K10 versions say 'so sad' where the K6 says 'so depressed'.",
    ),
)

K6 = Definition(
    code="k6",
    version="1",
    title="Kessler Psychological Distress Scale (K6)",
    short_title="K6",
    domain="Psychological distress; serious mental illness",
    items=tuple(Item(str(n), f"Item {n}", US_OPTIONS) for n in range(1, 7)),
    rule="sum",
    scoring="Sum of items 1 to 6, each scored 0 to 4 (US convention; total 0 to 24).",
    profiles=(
        Profile(
            "standard",
            "Kessler 2003 (13 or more) and Prochaska 2012 (5 to 12)",
            bands=(
                Band(0, 4, "below-moderate", "Below the moderate distress range"),
                Band(5, 12, "moderate", "Moderate mental distress"),
                Band(13, 24, "probable-smi", "Probable serious mental illness"),
            ),
            positive_at=13,
            source="https://pmc.ncbi.nlm.nih.gov/articles/PMC3659799",
        ),
    ),
    licence=KESSLER_LICENCE,
    min_age=18,
    loinc_panel="62746-3",
    sources=("https://pmc.ncbi.nlm.nih.gov/articles/PMC3659799", "https://loinc.org/62746-3"),
    notes=(
        "Items are the K10 items 2, 4, 5, 8, 9 and 10, in that order.",
        "LOINC: PhenX panel 62746-3; no standalone K6 total code was confirmed.",
        "The reference gives no age range; 18 and over is used until the clinical lead confirms.",
        "The 0-4 band label is ours: the reference names only the 5-12 and 13+ ranges.",
    ),
)
