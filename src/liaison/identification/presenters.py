"""How arrivals, imports and flags are shown: tags and labels. (The people offered as a match, and
why, are shown by matching.presenters.) Nothing here queries the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from liaison.core.presenters import Tag
from liaison.episodes.services import ADULT_AGE
from liaison.identification.arrivals_csv import LABELS
from liaison.identification.models import ArrivalStatus, FlagSource

STATUS_TAGS = {
    ArrivalStatus.TO_REVIEW: Tag("To review", "blue"),
    ArrivalStatus.FLAGGED: Tag("Flagged", "orange"),
    ArrivalStatus.NO_CONCERNS: Tag("No concerns", "grey"),
    ArrivalStatus.EPISODE: Tag("Episode opened", "green"),
}
SOURCE_LABELS = dict(FlagSource.choices)


def arrival_status_tag(status: str) -> Tag:
    return STATUS_TAGS.get(status, Tag(status or "Unknown", "grey"))  # type: ignore[call-overload]


def age_on_arrival(date_of_birth: dt.date | None, arrival_at: dt.datetime) -> int | None:
    if date_of_birth is None:
        return None
    day = timezone.localtime(arrival_at).date()
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def is_youth(date_of_birth: dt.date | None, arrival_at: dt.datetime) -> bool:
    age = age_on_arrival(date_of_birth, arrival_at)
    return age is not None and age < ADULT_AGE


def flag_source_label(source: str) -> str:
    return str(SOURCE_LABELS.get(source, source))


def field_label(name: str) -> str:
    return LABELS.get(name, "The row") if name else "The row"


def import_summary(
    *, batch: Any = None, result: Any = None, site: Any = None, file_name: str = ""
) -> dict[str, Any]:
    """One shape for a saved import (a batch) and a dry run (a result nothing was saved from)."""
    if batch is not None:
        return {
            "dry_run": False,
            "site": batch.site,
            "file_name": batch.file_name,
            "at": batch.imported_at,
            "by": batch.imported_by,
            "rows_read": batch.rows_read,
            "created": batch.rows_created,
            "duplicates": batch.rows_duplicate,
            "rejected": batch.rows_rejected,
            "problems": batch.problems,
            "more_problems": batch.rows_rejected
            and len({p["line"] for p in batch.problems}) < batch.rows_rejected,
            "ignored_columns": batch.ignored_columns,
        }
    return {
        "dry_run": True,
        "site": site,
        "file_name": file_name,
        "at": None,
        "by": None,
        "rows_read": result.rows_read,
        "created": result.created,
        "duplicates": result.duplicates,
        "rejected": result.rejected,
        "problems": result.problems,
        "more_problems": False,
        "ignored_columns": result.ignored_columns,
    }
