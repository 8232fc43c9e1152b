"""GAD-7 and GAD-2 (anxiety). instruments.md sections 3.3 and 3.4."""

from __future__ import annotations

from liaison.screening.instruments.catalogue._common import PHQ_LICENCE, negative_positive
from liaison.screening.instruments.model import Band, Definition, FlagInfo, Item, Option, Profile, SpecialRule

# The same frequency options as the PHQ-9. CamCOPS warns of a widespread reproduction error that
# prints "Not at all sure" as the zero option: it is "Not at all". The reference gives no LOINC
# answer codes for the GAD-7, so none are claimed here.
FREQUENCY = (
    Option(0, "Not at all"),
    Option(1, "Several days"),
    Option(2, "More than half the days"),
    Option(3, "Nearly every day"),
)
DIFFICULTY = (
    Option(0, "Not difficult at all"),
    Option(1, "Somewhat difficult"),
    Option(2, "Very difficult"),
    Option(3, "Extremely difficult"),
)
STEM = "Over the last 2 weeks, how often have you been bothered by the following problems?"

GAD7_WORDING = (
    ("69725-0", "Feeling nervous, anxious or on edge"),
    ("68509-9", "Not being able to stop or control worrying"),
    ("69733-4", "Worrying too much about different things"),
    ("69734-2", "Trouble relaxing"),
    ("69735-9", "Being so restless that it is hard to sit still"),
    ("69689-8", "Becoming easily annoyed or irritable"),
    ("69736-7", "Feeling afraid as if something awful might happen"),
)
AGE_NOTE = (
    "The reference gives no age range for the GAD-7 or GAD-2; 12 and over follows the PHQ family and "
    "the youth-pathway mapping in section 3.23. Confirm with the clinical lead."
)

GAD7 = Definition(
    code="gad-7",
    version="1",
    title="Generalized Anxiety Disorder 7-item scale (GAD-7)",
    short_title="GAD-7",
    domain="Anxiety",
    stem=STEM,
    items=(
        *(
            Item(str(n), f"Item {n}", FREQUENCY, text=text, loinc=loinc)
            for n, (loinc, text) in enumerate(GAD7_WORDING, start=1)
        ),
        Item(
            "8",
            "Item 8",
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
    scoring="Sum of items 1 to 7, each 0 to 3 (total 0 to 21). Item 8 (difficulty) is not scored.",
    profiles=(
        Profile(
            "standard",
            "Severity bands, referral cut-off 10 (sensitivity 89%, specificity 82% for GAD)",
            bands=(
                Band(0, 4, "minimal", "Minimal"),
                Band(5, 9, "mild", "Mild"),
                Band(10, 14, "moderate", "Moderate"),
                Band(15, 21, "severe", "Severe"),
            ),
            positive_at=10,
            source="https://github.com/ucam-department-of-psychiatry/camcops/blob/master/docs/source/tasks/gad7.rst",
        ),
    ),
    licence=PHQ_LICENCE,
    min_age=12,
    loinc_panel="69737-5",
    loinc_total="70274-6",
    sources=(
        "https://www.mrcpsych.uk/search/label/GAD-7",
        "https://github.com/ucam-department-of-psychiatry/camcops/blob/master/docs/source/tasks/gad7.rst",
        "https://github.com/ucam-department-of-psychiatry/camcops/blob/master/server/camcops_server/extra_strings/gad7.xml",
    ),
    notes=(
        AGE_NOTE,
        "Item wording was entered from the published form: check it against the sources before release.",
    ),
)

GAD2 = Definition(
    code="gad-2",
    version="1",
    title="Generalized Anxiety Disorder 2-item scale (GAD-2)",
    short_title="GAD-2",
    domain="Anxiety (pre-screen)",
    stem=STEM,
    items=tuple(
        Item(str(n), f"Item {n}", FREQUENCY, text=text, loinc=loinc)
        for n, (loinc, text) in enumerate(GAD7_WORDING[:2], start=1)
    ),
    rule="sum",
    scoring="Sum of GAD-7 items 1 and 2, each 0 to 3 (total 0 to 6).",
    profiles=(
        Profile(
            "standard",
            "Cut-off 3",
            bands=negative_positive(3, 6, "Negative", "Positive: give the full GAD-7"),
            positive_at=3,
            source="https://share-notes.forestry.md/2-uni/y1-2/papfmh/notes/generalised-anxiety-disorder-assessment/",
        ),
    ),
    licence=PHQ_LICENCE,
    min_age=12,
    special_rules=(
        SpecialRule("positive", "administer_full_gad7", description="If positive, give the full GAD-7."),
    ),
    flags=(FlagInfo("administer_full_gad7", "Positive: give the full GAD-7"),),
    sources=(
        "https://share-notes.forestry.md/2-uni/y1-2/papfmh/notes/generalised-anxiety-disorder-assessment/",
    ),
    notes=(
        AGE_NOTE,
        "Item codes are shared with the GAD-7. A GAD-2 total-score LOINC code was not confirmed in the "
        "sources the reference consulted, so none is claimed.",
    ),
)
