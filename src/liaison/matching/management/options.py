"""Command-line options shared by the matching commands that build a synthetic ground truth."""

from __future__ import annotations

from django.core.management.base import CommandParser

from liaison.matching.synthetic import SURNAME_SPREADS


def add_surnames_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--surnames",
        choices=SURNAME_SPREADS,
        default="long-tail",
        help="how last names are spread: long-tail (as in a real population, the default) or pools "
        "(the demo pools drawn evenly, as evaluations before 2026-11 did)",
    )
