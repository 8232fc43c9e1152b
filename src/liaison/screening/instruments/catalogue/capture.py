"""Result capture for licensed tools that are not embedded: LDSQ, HASI and BISI (instruments.md 3.18,
3.19, 3.21). The practitioner gives the tool from their own licensed copy and enters its score and
outcome here; nothing of the tool itself is reproduced."""

from __future__ import annotations

from liaison.screening.instruments.model import Band, Definition, FlagInfo, Item, Licence, Option, Profile

NOT_EMBEDDED = "Do not embed. Record the result produced with a licensed copy."

LDSQ = Definition(
    code="ldsq",
    version="1",
    title="Learning Disability Screening Questionnaire (LDSQ): result",
    short_title="LDSQ result",
    domain="Learning disability (adults)",
    items=(
        Item("1", "Raw score", minimum=0, unit="points", required=False, scored=False),
        Item("2", "Converted score", minimum=0, maximum=100, unit="per cent", required=False, scored=False),
        Item(
            "3",
            "Outcome",
            (
                Option(0, "Does not indicate a learning disability"),
                Option(1, "Indicates a possible learning disability: refer for assessment"),
            ),
            hint="As the LDSQ manual's cut-off gives it.",
            scored=False,
        ),
    ),
    rule="capture",
    rule_params={
        "outcome": "3",
        "flag": "learning_disability_indicated",
        "subscores": {"raw_score": "1", "converted_score": "2"},
    },
    scoring="Not scored here: the raw and converted scores and the outcome come from the LDSQ manual.",
    profiles=(
        Profile(
            "recorded",
            "The outcome as recorded",
            bands=(
                Band(0, 0, "not-indicated", "Does not indicate a learning disability"),
                Band(1, 1, "indicated", "Indicates a possible learning disability"),
            ),
        ),
    ),
    licence=Licence(
        holder="K. McKenzie; Northumbria University and the NHS",
        summary="Copyright; obtained through the authors, not free online.",
        permitted_use=NOT_EMBEDDED,
        wording_may_be_shown=False,
        confirmed=True,
    ),
    min_age=18,
    result_capture=True,
    flags=(FlagInfo("learning_disability_indicated", "LDSQ indicates a possible learning disability"),),
    sources=(
        "https://www.research.ed.ac.uk/en/publications/screening-for-offenders-with-an-intellectual-disability-the-valid",
        "https://corp.northumbria.ac.uk/research/research-impact-at-northumbria/health-impact/breakthrough-screening-tools-for-intellectual-disability/",
    ),
    notes=(
        "The items and the conversion table are not in the sources consulted; one validation paper cites a "
        "percentage cut-off of about 46.6%. Use the manual.",
        "The raw score has no upper limit here because its range is not in the reference.",
        "A child/adolescent sibling tool, CAIDS-Q, exists and is not built.",
    ),
)

HASI_BANDS = (Band(0, 0, "no-referral", "No referral"), Band(1, 1, "refer", "Refer for further assessment"))

HASI = Definition(
    code="hasi",
    version="1",
    title="Hayes Ability Screening Index (HASI / HASI-NV): result",
    short_title="HASI result",
    domain="Intellectual disability (13 and over)",
    items=(
        Item("1", "Index score", minimum=0, maximum=200, unit="index points", scored=False),
        Item(
            "2",
            "Outcome",
            (Option(0, "No referral"), Option(1, "Refer for further assessment")),
            hint="As the HASI scoring gives it.",
            scored=False,
        ),
    ),
    rule="capture",
    rule_params={"outcome": "2", "index": "1", "flag": "hasi_refer", "subscores": {"index": "1"}},
    scoring="Not scored here: the index and outcome come from the HASI. The published cut-off is an "
    "index of 85 (below 85: refer); the result is flagged when the recorded outcome disagrees with it.",
    profiles=(
        Profile(
            "published-85",
            "Published cut-off: below 85 refer",
            bands=HASI_BANDS,
            params={"refer_below": 85},
            source="https://www.hasi.com.au/hasi/",
        ),
        Profile(
            "norwegian-81",
            "Norwegian validation: below 81 refer (better specificity)",
            bands=HASI_BANDS,
            params={"refer_below": 81},
            source="http://sifer.no/publikasjoner/detalj/validation-of-the-norwegian-version-of-the-hayes-ability-screening-index-fo",
        ),
    ),
    licence=Licence(
        holder="Hayes Ability Screening Index (hasi.com.au)",
        summary="Commercial product; performance tasks that cannot sensibly be embedded.",
        permitted_use=NOT_EMBEDDED,
        wording_may_be_shown=False,
        confirmed=True,
    ),
    min_age=13,
    result_capture=True,
    flags=(
        FlagInfo("hasi_refer", "HASI: refer for further assessment"),
        FlagInfo(
            "hasi_outcome_differs_from_cut_off",
            "The recorded outcome disagrees with the index and the cut-off: check the entry",
            urgent=True,
        ),
    ),
    sources=(
        "https://www.hasi.com.au/hasi/",
        "http://sifer.no/publikasjoner/detalj/validation-of-the-norwegian-version-of-the-hayes-ability-screening-index-fo",
    ),
    notes=(
        "Positive when the recorded outcome is 'refer' or the index is below the profile's cut-off: when "
        "the two disagree the safer reading is kept and the result is flagged for checking.",
        "The index range 0-200 is a sanity limit, not from the reference.",
    ),
)

BISI = Definition(
    code="bisi",
    version="1",
    title="Brain Injury Screening Index (BISI): result",
    short_title="BISI result",
    domain="Brain injury (UK prisons)",
    items=(
        Item("1", "Score", minimum=0, unit="points", required=False, scored=False),
        Item(
            "2",
            "Outcome",
            (Option(0, "Does not indicate a brain injury"), Option(1, "Indicates a brain injury")),
            hint="As the BISI gives it.",
            scored=False,
        ),
    ),
    rule="capture",
    rule_params={"outcome": "2", "flag": "brain_injury_indicated", "subscores": {"score": "1"}},
    scoring="Not scored here: the score and outcome come from the BISI.",
    profiles=(
        Profile(
            "recorded",
            "The outcome as recorded",
            bands=(
                Band(0, 0, "not-indicated", "Does not indicate a brain injury"),
                Band(1, 1, "indicated", "Indicates a brain injury"),
            ),
        ),
    ),
    licence=Licence(
        holder="The Disabilities Trust (BISI is a registered mark)",
        summary="Proprietary tool; not reproduced in public sources.",
        permitted_use=NOT_EMBEDDED,
        wording_may_be_shown=False,
        confirmed=True,
    ),
    min_age=18,
    result_capture=True,
    flags=(FlagInfo("brain_injury_indicated", "BISI indicates a brain injury"),),
    sources=(
        "https://thedtgroup.org/foundation/brain-injury-and-offending",
        "https://www.pubmed.gov/31742464/",
    ),
    notes=(
        "11 questions giving an indication of severity; their scoring is not in the reference, so the score "
        "has no upper limit here.",
        "The reference gives no age range; it was developed in adult prisons, so 18 and over.",
        "Use the OSU TBI-ID for an embedded brain-injury screen.",
    ),
)
