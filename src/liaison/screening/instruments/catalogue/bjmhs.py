"""BJMHS, the Brief Jail Mental Health Screen. instruments.md section 3.7.

No total: four decision rules, any one of which means referral for further mental health evaluation.
The reference summarises the items; this definition shows those summaries, not the form's wording.
"""

from __future__ import annotations

from liaison.screening.instruments.catalogue._common import NO_YES
from liaison.screening.instruments.model import Band, Definition, FlagInfo, Item, Licence, Profile

TOPICS = (
    "Believes others can insert thoughts into, or remove thoughts from, their mind",
    "Believes others can read their mind",
    "Unintended weight change of about 2 lb a week for several weeks",
    "Much more active than usual",
    "Talking or moving more slowly than usual",
    "A few weeks of feeling useless or sinful",
    "Currently taking prescribed medication for emotional or mental health problems",
    "Ever in hospital for emotional or mental health problems",
)

BJMHS = Definition(
    code="bjmhs",
    version="1",
    title="Brief Jail Mental Health Screen (BJMHS)",
    short_title="BJMHS",
    domain="Serious mental illness (custody intake)",
    items=(
        *(Item(str(n), f"Item {n}", NO_YES, topic=topic) for n, topic in enumerate(TOPICS, start=1)),
        Item(
            "9",
            "Officer referral",
            NO_YES,
            topic="The officer refers the person for any other reason (observation or discretion)",
            hint="From the form's officer-observation section: not a numbered item on the printed screen.",
        ),
    ),
    rule="bjmhs",
    scoring="No total. Refer for further mental health evaluation if any rule fires: (a) yes to item 7 "
    "(current psychiatric medication); (b) yes to item 8 (prior psychiatric hospitalisation); (c) yes "
    "to 2 or more of items 1 to 6 (current symptoms); (d) the officer refers for any other reason.",
    profiles=(
        Profile(
            "standard",
            "The four decision rules (Steadman et al.)",
            bands=(
                Band(0, 0, "no-referral", "No referral indicated by the decision rules"),
                Band(1, 1, "refer", "Refer for further mental health evaluation"),
            ),
            source="https://pmc.ncbi.nlm.nih.gov/articles/PMC6857168",
        ),
    ),
    licence=Licence(
        holder="Policy Research Associates (developed with National Institute of Justice funding)",
        summary="Described by PRA as a free tool for jail personnel.",
        permitted_use="Free use. The wording is public; this definition shows the reference's summaries.",
        wording_may_be_shown=True,
        confirmed=True,
    ),
    min_age=18,
    flags=(
        FlagInfo("bjmhs_rule_a", "Rule (a): currently taking psychiatric medication (item 7)"),
        FlagInfo("bjmhs_rule_b", "Rule (b): previous psychiatric hospital admission (item 8)"),
        FlagInfo("bjmhs_rule_c", "Rule (c): 2 or more current symptoms (items 1 to 6)"),
        FlagInfo("bjmhs_rule_d", "Rule (d): the officer referred for another reason"),
    ),
    sources=(
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC6857168",
        "https://prainc.com/resources/bjmhs",
        "https://nij.ojp.gov/library/publications/validating-brief-jail-mental-health-screen-final-technical-report",
    ),
    notes=(
        "Use the original 8 items for everyone: the adapted 12-item BJMHS-R for women performed worse.",
        "Correctly classified 73.5% of men and 61.6% of women in the original validation.",
        "No LOINC codes were found; the questionnaire uses local codes.",
        "Item 9 (officer referral) is our numbering for the officer-observation section's referral.",
        "Designed for adults at custody intake; 18 and over.",
    ),
)
