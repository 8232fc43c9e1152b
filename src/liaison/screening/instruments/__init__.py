"""Validated screening instruments as versioned data, and their scoring. Pure Python: no Django.

    from liaison.screening import instruments
    result = instruments.score("phq-9", {"1": 0, "2": 1, ..., "9": 1})
    result.total, result.band, result.positive, result.flags, result.subscores

Definitions live in `catalogue/`, one module per instrument family, written from
shared/design/instruments.md; `engine.py` compiles and scores them; `fhir.py` renders them as FHIR R4.
"""

from liaison.screening.instruments.engine import all_current, check, compiled, for_age, get, score
from liaison.screening.instruments.model import (
    AnswerProblem,
    Band,
    Definition,
    FlagInfo,
    Item,
    Licence,
    Option,
    Profile,
    Result,
    ScoringError,
    SpecialRule,
    Subscore,
    UnknownInstrument,
)

__all__ = [
    "AnswerProblem",
    "Band",
    "Definition",
    "FlagInfo",
    "Item",
    "Licence",
    "Option",
    "Profile",
    "Result",
    "ScoringError",
    "SpecialRule",
    "Subscore",
    "UnknownInstrument",
    "all_current",
    "check",
    "compiled",
    "for_age",
    "get",
    "score",
]
