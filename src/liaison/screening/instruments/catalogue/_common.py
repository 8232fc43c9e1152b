"""Building blocks the definitions share: yes/no answers and the licence statements they repeat."""

from __future__ import annotations

from liaison.screening.instruments.model import Band, Licence, Option

NO_YES = (Option(0, "No"), Option(1, "Yes"))


def scores(*values: int) -> tuple[Option, ...]:
    """Options labelled only by what they score, for forms whose answer wording is not held here:
    the practitioner reads the options from their own licensed copy."""
    return tuple(Option(v, f"Scores {v}") for v in values)


def negative_positive(cut: int, top: int, negative: str, positive: str) -> tuple[Band, ...]:
    return (Band(0, cut - 1, "negative", negative), Band(cut, top, "positive", positive))


PHQ_LICENCE = Licence(
    holder="Pfizer Inc.",
    summary="Free; Pfizer states no permission is required to reproduce, translate, display or distribute.",
    permitted_use="Any use, including in software. Item wording may be shown.",
    wording_may_be_shown=True,
    confirmed=True,
)
