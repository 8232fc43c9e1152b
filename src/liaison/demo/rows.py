"""A model instance as a plain row for liaison.demo.directory.insert_rows (attname -> value)."""

from __future__ import annotations

from typing import Any

from django.db import models


def plain_row(obj: models.Model) -> dict[str, Any]:
    """Every concrete column but an auto-increment id. A foreign key set to an instance that was saved
    after it was assigned (bulk_create gives ids later) takes that instance's id, as save() would."""
    row: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.primary_key and isinstance(f, models.AutoField):
            continue
        value = getattr(obj, f.attname)
        if value is None and f.is_relation:
            related = f.get_cached_value(obj, None)  # type: ignore[attr-defined]
            if related is not None:
                if related.pk is None:
                    raise ValueError(f"{obj._meta.label}.{f.name} points at an unsaved row")
                value = related.pk
        row[f.attname] = value
    return row
