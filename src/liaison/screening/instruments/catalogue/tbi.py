"""OSU TBI-ID, the Ohio State University TBI Identification Method (short form). instruments.md 3.22.

A structured interview, not a questionnaire with a total. The interviewer uses the official form
unchanged (its licence forbids changes); the items here record the interview's findings in our own
words, and the engine works out the summary indices from them.
"""

from __future__ import annotations

from liaison.screening.instruments.catalogue._common import NO_YES
from liaison.screening.instruments.model import Band, Definition, FlagInfo, Item, Licence, Profile

PROBES = ("1", "2", "3", "4", "5")
PROBE_TOPICS = (
    "Step 1: ever treated in hospital or an emergency department for a head or neck injury",
    "Step 1: ever injured the head or neck in a vehicle accident",
    "Step 1: ever injured the head or neck in a fall or from being hit by something",
    "Step 1: ever injured the head or neck in a fight, assault, or by being shaken",
    "Step 1: ever injured by a blast or explosion",
)
ASKED_AFTER_A_PROBE = "Record when any step 1 probe is yes."

OSU_TBI_ID = Definition(
    code="osu-tbi-id",
    version="1",
    title="Ohio State University TBI Identification Method, short form (OSU TBI-ID)",
    short_title="OSU TBI-ID",
    domain="Lifetime traumatic brain injury history",
    items=(
        *(
            Item(key, f"Probe {key}", NO_YES, topic=topic, scored=False)
            for key, topic in zip(PROBES, PROBE_TOPICS, strict=True)
        ),
        Item(
            "6",
            "Injuries with loss of consciousness",
            minimum=0,
            maximum=99,
            unit="injuries",
            topic="Step 2: how many of the injuries caused a loss of consciousness",
            asked_when_any_nonzero=PROBES,
            hint=ASKED_AFTER_A_PROBE,
            scored=False,
        ),
        Item(
            "7",
            "Injuries with being dazed or memory gaps only",
            minimum=0,
            maximum=99,
            unit="injuries",
            topic="Step 2: how many caused being dazed or a gap in memory, without loss of consciousness",
            asked_when_any_nonzero=PROBES,
            hint=ASKED_AFTER_A_PROBE,
            scored=False,
        ),
        Item(
            "8",
            "Longest loss of consciousness 30 minutes or more",
            NO_YES,
            topic="Step 2: any injury with loss of consciousness lasting 30 minutes or more",
            asked_when_any_nonzero=("6",),
            hint="Record when there was at least one injury with loss of consciousness.",
            scored=False,
        ),
        Item(
            "9",
            "Age at the first injury with loss of consciousness",
            minimum=0,
            maximum=120,
            unit="years",
            topic="Step 2: age at the first injury with loss of consciousness",
            asked_when_any_nonzero=("6",),
            hint="Record when there was at least one injury with loss of consciousness.",
            scored=False,
        ),
        Item(
            "10",
            "Two or more injuries close together",
            NO_YES,
            topic="Two or more of the injuries happened close together in time",
            asked_when_any_nonzero=PROBES,
            hint=ASKED_AFTER_A_PROBE,
            scored=False,
        ),
        Item(
            "11",
            "A period of repeated blows to the head",
            NO_YES,
            topic="Step 3: ever a period of repeated blows to the head",
            scored=False,
        ),
        Item(
            "12",
            "Mild injury in recent weeks",
            NO_YES,
            topic="An injury with being dazed or a short loss of consciousness in the last few weeks",
            asked_when_any_nonzero=PROBES,
            hint=ASKED_AFTER_A_PROBE,
            scored=False,
        ),
        Item(
            "13",
            "More severe injury in recent months",
            NO_YES,
            topic="An injury with a longer loss of consciousness in the last few months",
            asked_when_any_nonzero=PROBES,
            hint=ASKED_AFTER_A_PROBE,
            scored=False,
        ),
        Item(
            "14",
            "Another source of brain compromise",
            NO_YES,
            topic="Any other source of brain compromise alongside the injuries",
            asked_when_any_nonzero=PROBES,
            hint=ASKED_AFTER_A_PROBE,
            scored=False,
        ),
    ),
    rule="osu_tbi",
    scoring="Summary indices, not a total. WORST: any TBI with loss of consciousness of 30 minutes or more. "
    "FIRST: a TBI with loss of consciousness before the profile's age (15 on the NINDS/PhenX form, 20 on "
    "the OSU site). MULTIPLE: 2 or more TBIs close together, or a period of repeated blows. RECENT: a mild "
    "TBI in recent weeks or a more severe one in recent months. OTHER: any TBI plus another source of "
    "brain compromise. Also counts the injuries with loss of consciousness.",
    profiles=(
        Profile(
            "phenx-first-before-15",
            "FIRST index: loss of consciousness before age 15 (NINDS/PhenX form)",
            bands=(
                Band(0, 0, "no-tbi", "No traumatic brain injury reported"),
                Band(1, 1, "tbi-no-index", "TBI reported; no summary index met"),
                Band(2, 2, "tbi-index", "TBI reported; one or more summary indices met"),
            ),
            params={"first_before": 15},
            source="https://commondataelements.ninds.nih.gov/report-viewer/22972/Ohio%2520State%2520University%2520TBI%2520Identification%2520Method%2520Short%2520Form",
        ),
        Profile(
            "osu-first-before-20",
            "FIRST index: loss of consciousness before age 20 (OSU site)",
            bands=(
                Band(0, 0, "no-tbi", "No traumatic brain injury reported"),
                Band(1, 1, "tbi-no-index", "TBI reported; no summary index met"),
                Band(2, 2, "tbi-index", "TBI reported; one or more summary indices met"),
            ),
            params={"first_before": 20},
            source="https://wexnermedical.osu.edu/neurological-institute/neuroscience-research-institute/research-centers/ohio-valley-center-for-brain-injury-prevention-and-rehabilitation/osu-tbi-id",
        ),
    ),
    licence=Licence(
        holder="The Ohio State University",
        summary="Copyright; free without further permission provided no changes are made.",
        permitted_use="Use the official form unchanged; contact the authors for adaptations. The items here "
        "record the interview's findings and summarise it in our words.",
        wording_may_be_shown=True,
        confirmed=True,
    ),
    min_age=10,
    flags=(
        FlagInfo("tbi_worst", "WORST: a TBI with loss of consciousness of 30 minutes or more"),
        FlagInfo("tbi_first", "FIRST: a TBI with loss of consciousness in childhood or adolescence"),
        FlagInfo("tbi_multiple", "MULTIPLE: TBIs close together, or a period of repeated blows"),
        FlagInfo("tbi_recent", "RECENT: a recent TBI"),
        FlagInfo("tbi_other", "OTHER: TBI plus another source of brain compromise"),
    ),
    sources=(
        "http://tbi-network.org/about-tbi/screening/",
        "https://wexnermedical.osu.edu/neurological-institute/neuroscience-research-institute/research-centers/ohio-valley-center-for-brain-injury-prevention-and-rehabilitation/osu-tbi-id",
        "https://commondataelements.ninds.nih.gov/report-viewer/22972/Ohio%2520State%2520University%2520TBI%2520Identification%2520Method%2520Short%2520Form",
        "http://phenxtoolkitstage.rti.org/index.php?pageLink=browse.protocoldetails&id=130601",
    ),
    notes=(
        "The FIRST index's age differs between sources (15 on the NINDS/PhenX form, 20 on the OSU site): "
        "both are profiles. Which one the service uses is not yet confirmed; the PhenX form is the default.",
        "'Any TBI' is taken as at least one injury with loss of consciousness or with being dazed or a "
        "memory gap (items 6 and 7).",
        "The reference gives no age range; the youth pathway maps to this instrument, so 10 and over.",
        "No LOINC codes were found; the questionnaire uses local codes.",
    ),
)
