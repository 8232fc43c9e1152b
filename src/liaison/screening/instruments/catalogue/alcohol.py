"""AUDIT (UK version) and AUDIT-C. instruments.md sections 3.9 and 3.10.

The full AUDIT's wording is not shown: the WHO manual allows reproduction only for non-commercial
purposes, and whether this deployment counts is a decision still to be made. AUDIT-C is described as
public domain, and its UK (PHE) wording is shown.
"""

from __future__ import annotations

from liaison.screening.instruments.catalogue._common import scores
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

ITEMS_9_10 = (
    Option(0, "No"),
    Option(2, "Yes, but not in the last year"),
    Option(4, "Yes, during the last year"),
)

UK_BANDS = (
    Band(0, 7, "lower-risk", "Lower risk"),
    Band(8, 15, "increasing-risk", "Increasing risk"),
    Band(16, 19, "higher-risk", "Higher risk"),
    Band(20, 40, "possible-dependence", "Possible dependence"),
)
WHO_BANDS = (
    Band(0, 7, "zone-1", "Zone I: low risk (alcohol education)"),
    Band(8, 15, "zone-2", "Zone II: hazardous drinking (simple advice)"),
    Band(16, 19, "zone-3", "Zone III: harmful drinking (brief counselling and monitoring)"),
    Band(20, 40, "zone-4", "Zone IV: refer for diagnostic evaluation"),
)
AUDIT_ITEM_LOINC = {1: "68518-0", 2: "68519-8", 3: "68520-6"}
AUDIT_SOURCE = "https://comorbidityguidelines.org.au/appendix-u-alcohol-use-disorders-identification-test-audit/audit-scoring-clinician-use-only"

AUDIT = Definition(
    code="audit",
    version="1",
    title="Alcohol Use Disorders Identification Test (AUDIT), UK version",
    short_title="AUDIT",
    domain="Alcohol",
    items=(
        *(
            Item(str(n), f"Item {n}", scores(0, 1, 2, 3, 4), loinc=AUDIT_ITEM_LOINC.get(n, ""))
            for n in range(1, 9)
        ),
        Item("9", "Item 9", ITEMS_9_10),
        Item("10", "Item 10", ITEMS_9_10),
    ),
    rule="sum",
    scoring="Sum of items 1 to 10 (0 to 40). Items 1 to 8 score 0 to 4; items 9 and 10 score 0, 2 or 4 "
    "only. The UK version counts UK units; binge drinking is 6 or more units (women) or 8 or more (men).",
    profiles=(
        Profile(
            "uk",
            "UK (OHID) labels; escalate when any of items 4-6 scores 2 or more",
            bands=UK_BANDS,
            positive_at=8,
            params={"dependence": "any"},
            source="https://info.5y1.org/drinking-alcohol-the-day-before-surgery_1_004ceb.html",
        ),
        Profile(
            "uk-dependence-all",
            "UK (OHID) labels; escalate only when all of items 4-6 score 2 or more",
            bands=UK_BANDS,
            positive_at=8,
            params={"dependence": "all"},
            source="https://info.5y1.org/drinking-alcohol-the-day-before-surgery_1_004ceb.html",
        ),
        Profile(
            "who",
            "WHO risk zones; escalate when any of items 4-6 scores 2 or more",
            bands=WHO_BANDS,
            positive_at=8,
            params={"dependence": "any"},
            source=AUDIT_SOURCE,
        ),
        Profile(
            "who-women-over-65",
            "WHO risk zones with the cut-off one point lower (7) for women and people over 65",
            bands=WHO_BANDS,
            positive_at=7,
            params={"dependence": "any"},
            source=AUDIT_SOURCE,
            note="Positive from 7, although 7 is still in zone I: the WHO note lowers the cut-off only.",
        ),
    ),
    licence=Licence(
        holder="World Health Organization (UK version published by PHE/OHID on gov.uk)",
        summary="The WHO manual may be freely reproduced, but not for sale or in conjunction with "
        "commercial purposes. LOINC calls the panel public domain.",
        permitted_use="Non-commercial use, unless legal advises otherwise. Do not show item wording until "
        "the non-commercial determination is made.",
        wording_may_be_shown=False,
        confirmed=False,
    ),
    min_age=18,
    special_rules=(
        SpecialRule(
            "custom",
            "audit_escalation_dependence",
            {"name": "audit_dependence"},
            "Move to the next level of intervention when the dependence items (4-6) score 2 or more: "
            "'any' or 'all' of them, by profile (the WHO manual is ambiguous).",
        ),
        SpecialRule(
            "custom",
            "audit_escalation_items_9_10",
            {"name": "audit_items_9_10"},
            "Move to the next level of intervention when item 9 or item 10 scores 4.",
        ),
    ),
    flags=(
        FlagInfo(
            "audit_escalation_dependence",
            "Dependence items (4-6) score 2 or more: move to the next level of intervention",
        ),
        FlagInfo(
            "audit_escalation_items_9_10",
            "Item 9 or 10 scores 4 (in the last year): move to the next level of intervention",
        ),
    ),
    subscores=(Subscore("audit_c", "AUDIT-C (items 1 to 3)", ("1", "2", "3")),),
    loinc_panel="72110-0",
    loinc_total="75624-7",
    sources=(
        AUDIT_SOURCE,
        "https://info.5y1.org/drinking-alcohol-the-day-before-surgery_1_004ceb.html",
        "https://github.com/ucam-department-of-psychiatry/camcops/blob/master/docs/source/tasks/audit.rst",
        "https://docsbay.net/alcohol-screening-tool",
        "https://cdn.loinc.org/72110-0",
    ),
    notes=(
        "Item LOINC codes: items 1-3 are 68518-0, 68519-8, 68520-6; the reference lists items 4-10 only as "
        "'97734-8 ... 97740-5', so they are not assigned until each code is confirmed.",
        "The reference gives no age range; 18 and over is used (CRAFFT is the youth alcohol screen).",
    ),
)
AUDIT_C_WORDING = (
    (
        "68518-0",
        "How often do you have a drink containing alcohol?",
        (
            "Never",
            "Monthly or less",
            "2 to 4 times per month",
            "2 to 3 times per week",
            "4 or more times per week",
        ),
    ),
    (
        "68519-8",
        "How many units of alcohol do you drink on a typical day when you are drinking?",
        ("0 to 2", "3 to 4", "5 to 6", "7 to 9", "10 or more"),
    ),
    (
        "68520-6",
        "How often have you had 6 or more units if female, or 8 or more if male, on a single occasion in "
        "the last year?",
        ("Never", "Less than monthly", "Monthly", "Weekly", "Daily or almost daily"),
    ),
)

AUDIT_C = Definition(
    code="audit-c",
    version="1",
    title="AUDIT-C (alcohol consumption), UK version",
    short_title="AUDIT-C",
    domain="Alcohol (pre-screen)",
    items=tuple(
        Item(
            str(n),
            f"Item {n}",
            tuple(Option(v, label) for v, label in enumerate(labels)),
            text=text,
            loinc=loinc,
        )
        for n, (loinc, text, labels) in enumerate(AUDIT_C_WORDING, start=1)
    ),
    rule="sum",
    scoring="Sum of AUDIT items 1 to 3, each 0 to 4 (total 0 to 12).",
    profiles=(
        Profile(
            "uk",
            "UK (PHE): positive at 5 or more",
            bands=(
                Band(0, 4, "negative", "Negative (below 5)"),
                Band(5, 12, "positive", "Positive: complete the remaining 7 AUDIT questions"),
            ),
            positive_at=5,
            params={"full_audit_next": True},
            source="https://nursing-notebook.com/en-ie/simplepage.cfm?ID=x20100811113013564221&linkID=73434",
        ),
        Profile(
            "uk-local-bands",
            "UK cut-off 5 with one NHS trust's local bands",
            bands=(
                Band(0, 0, "abstainer", "Abstainer"),
                Band(1, 4, "low-risk", "Low risk"),
                Band(5, 7, "increasing-risk", "Increasing risk"),
                Band(8, 10, "higher-risk", "Higher risk"),
                Band(11, 12, "possible-dependence", "Possible dependence"),
            ),
            positive_at=5,
            params={"full_audit_next": True},
            source="https://northerncarealliance.nhs.uk/patient-information/patient-leaflets/alcohol-services-alcohol-brief-intervention-advice",
            note="A local variant published by one NHS trust.",
        ),
        Profile(
            "us-men",
            "US (Bush 1998 / Bradley 2003): positive at 4 or more for men",
            bands=(Band(0, 3, "negative", "Negative (below 4)"), Band(4, 12, "positive", "Positive")),
            positive_at=4,
            params={"item_1_only_review": True},
            source="https://loinc.org/75626-2",
        ),
        Profile(
            "us-women",
            "US (Bush 1998 / Bradley 2003): positive at 3 or more for women",
            bands=(Band(0, 2, "negative", "Negative (below 3)"), Band(3, 12, "positive", "Positive")),
            positive_at=3,
            params={"item_1_only_review": True},
            source="https://loinc.org/75626-2",
        ),
    ),
    licence=Licence(
        holder="Public domain (SAMHSA, quoted by CamCOPS); UK form published by PHE",
        summary="Available for use in the public domain.",
        permitted_use="Any use. Item wording may be shown.",
        wording_may_be_shown=True,
        confirmed=True,
    ),
    min_age=18,
    special_rules=(
        SpecialRule(
            "custom",
            "administer_full_audit",
            {"name": "audit_c_uk_next_step"},
            "UK profiles: if positive, complete the remaining 7 AUDIT items.",
        ),
        SpecialRule(
            "custom",
            "auditc_points_from_item_1_only",
            {"name": "audit_c_item_1_only"},
            "US profiles: when all the points come from item 1, the person is probably drinking below "
            "limits; review.",
        ),
    ),
    flags=(
        FlagInfo("administer_full_audit", "Positive: complete the remaining 7 AUDIT questions"),
        FlagInfo(
            "auditc_points_from_item_1_only",
            "All the points come from item 1: probably drinking below limits; review",
        ),
    ),
    loinc_panel="72109-2",
    loinc_total="75626-2",
    sources=(
        "https://loinc.org/75626-2",
        "https://primarycare.ementalhealth.ca/index.php?ID=58&hideFormatting=1&m=printSurveyScoring",
        "https://northerncarealliance.nhs.uk/patient-information/patient-leaflets/alcohol-services-alcohol-brief-intervention-advice",
        "https://nursing-notebook.com/en-ie/simplepage.cfm?ID=x20100811113013564221&linkID=73434",
    ),
    notes=(
        "UK wording and answer labels (UK units) were entered from the PHE form: check them against the "
        "sources before release.",
        "The reference gives no age range; 18 and over is used (CRAFFT is the youth alcohol screen).",
    ),
)
