"""PHQ-9 and PHQ-2 (depression). instruments.md sections 3.1 and 3.2."""

from __future__ import annotations

from liaison.screening.instruments.catalogue._common import PHQ_LICENCE, negative_positive
from liaison.screening.instruments.model import (
    Band,
    Definition,
    FlagInfo,
    Item,
    Option,
    Profile,
    SpecialRule,
    Subscore,
)

# LOINC answer list LL358-3. The zero option is "Not at all" (never "Not at all sure").
FREQUENCY = (
    Option(0, "Not at all", loinc="LA6568-5"),
    Option(1, "Several days", loinc="LA6569-3"),
    Option(2, "More than half the days", loinc="LA6570-1"),
    Option(3, "Nearly every day", loinc="LA6571-9"),
)
DIFFICULTY = (
    Option(0, "Not difficult at all"),
    Option(1, "Somewhat difficult"),
    Option(2, "Very difficult"),
    Option(3, "Extremely difficult"),
)
STEM = "Over the last 2 weeks, how often have you been bothered by any of the following problems?"

PHQ9_WORDING = (
    ("44250-9", "Little interest or pleasure in doing things"),
    ("44255-8", "Feeling down, depressed, or hopeless"),
    ("44259-0", "Trouble falling or staying asleep, or sleeping too much"),
    ("44254-1", "Feeling tired or having little energy"),
    ("44251-7", "Poor appetite or overeating"),
    (
        "44258-2",
        "Feeling bad about yourself, or that you are a failure or have let yourself or your family down",
    ),
    ("44252-5", "Trouble concentrating on things, such as reading the newspaper or watching television"),
    (
        "44253-3",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite, being so "
        "fidgety or restless that you have been moving around a lot more than usual",
    ),
    ("44260-8", "Thoughts that you would be better off dead or of hurting yourself in some way"),
)

SUICIDE_RISK = FlagInfo(
    "suicide_risk",
    "Suicide risk: item 9 (thoughts of being better off dead or of self-harm) was answered above 0",
    suicide_risk=True,
    urgent=True,
)

PHQ9 = Definition(
    code="phq-9",
    version="1",
    title="Patient Health Questionnaire-9 (PHQ-9)",
    short_title="PHQ-9",
    domain="Depression",
    items=(
        *(
            Item(str(n), f"Item {n}", FREQUENCY, text=text, loinc=loinc)
            for n, (loinc, text) in enumerate(PHQ9_WORDING, start=1)
        ),
        Item(
            "10",
            "Item 10",
            DIFFICULTY,
            text=(
                "If you checked off any problems, how difficult have these problems made it for you to do "
                "your work, take care of things at home, or get along with other people?"
            ),
            required=False,
            scored=False,
            hint="Not scored.",
        ),
    ),
    rule="sum",
    scoring="Sum of items 1 to 9, each 0 to 3 (total 0 to 27). Item 10 (difficulty) is not scored.",
    profiles=(
        Profile(
            "standard",
            "Kroenke 2001 severity bands, screening cut-off 10",
            bands=(
                Band(0, 4, "none-minimal", "None or minimal"),
                Band(5, 9, "mild", "Mild"),
                Band(10, 14, "moderate", "Moderate"),
                Band(15, 19, "moderately-severe", "Moderately severe"),
                Band(20, 27, "severe", "Severe"),
            ),
            positive_at=10,
            source="https://cdn.loinc.org/44261-6",
        ),
    ),
    licence=PHQ_LICENCE,
    min_age=12,
    special_rules=(
        SpecialRule(
            "item_at_least",
            "suicide_risk",
            {"item": "9", "value": 1},
            "Item 9 above 0 always raises a suicide-risk flag, whatever the total.",
        ),
        SpecialRule(
            "custom",
            "phq9_major_depressive_syndrome",
            {"name": "phq9_major_depressive_syndrome"},
            "Optional diagnostic algorithm (as in CamCOPS): at least one of items 1-2 scores 2 or more, "
            "and at least 5 items are positive (items 1-8 at 2 or more, item 9 at 1 or more).",
        ),
    ),
    flags=(
        SUICIDE_RISK,
        FlagInfo(
            "phq9_major_depressive_syndrome",
            "Meets the PHQ-9 algorithm for a major depressive syndrome (not a diagnosis)",
        ),
    ),
    subscores=(Subscore("phq2", "PHQ-2 (items 1 and 2)", ("1", "2")),),
    stem=STEM,
    loinc_panel="44249-1",
    loinc_total="44261-6",
    sources=(
        "https://www.calcipedia.org/calculators/phq-9-calculator",
        "https://cdn.loinc.org/44261-6",
        "https://loinc.org/LL382-3",
        "https://github.com/ucam-department-of-psychiatry/camcops/blob/master/docs/source/tasks/phq9.rst",
        "https://github.com/ucam-department-of-psychiatry/camcops/blob/master/server/camcops_server/extra_strings/phq9.xml",
    ),
    notes=(
        "Item LOINC codes 44253-3 (item 8) and 44260-8 (item 9) were only partly visible in the sources "
        "the reference consulted: confirm against the LOINC panel 44249-1 listing.",
        "Used for adolescents from 12 (a modified teen form, PHQ-A, also exists and is not built).",
        "Item wording was entered from the published form: check it against the sources before release.",
    ),
)

PHQ2 = Definition(
    code="phq-2",
    version="1",
    title="Patient Health Questionnaire-2 (PHQ-2)",
    short_title="PHQ-2",
    domain="Depression (pre-screen)",
    items=tuple(
        Item(str(n), f"Item {n}", FREQUENCY, text=text, loinc=loinc)
        for n, (loinc, text) in enumerate(PHQ9_WORDING[:2], start=1)
    ),
    rule="sum",
    scoring="Sum of PHQ-9 items 1 and 2, each 0 to 3 (total 0 to 6).",
    profiles=(
        Profile(
            "kroenke-2003",
            "Cut-off 3 (Kroenke 2003: sensitivity 83%, specificity 92%)",
            bands=negative_positive(3, 6, "Negative", "Positive: give the rest of the PHQ-9"),
            positive_at=3,
            source="https://pmc.ncbi.nlm.nih.gov/articles/PMC2906530",
        ),
        Profile(
            "arroll-2010",
            "Cut-off 2, for higher sensitivity (Arroll 2010: 86% / 78%)",
            bands=negative_positive(2, 6, "Negative", "Positive: give the rest of the PHQ-9"),
            positive_at=2,
            source="https://pmc.ncbi.nlm.nih.gov/articles/PMC2906530",
        ),
    ),
    licence=PHQ_LICENCE,
    min_age=12,
    special_rules=(
        SpecialRule(
            "positive", "administer_full_phq9", description="If positive, give the rest of the PHQ-9."
        ),
    ),
    flags=(FlagInfo("administer_full_phq9", "Positive: give the full PHQ-9"),),
    stem=STEM,
    loinc_panel="55757-9",
    loinc_total="55758-7",
    sources=("https://cdn.loinc.org/55757-9", "https://pmc.ncbi.nlm.nih.gov/articles/PMC2906530"),
    notes=(
        "PHQ-2 does not include item 9: a negative PHQ-2 says nothing about suicide risk.",
        "LOINC also has a CMS variant panel, 58120-7.",
    ),
)
