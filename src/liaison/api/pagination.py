"""Cursor (keyset) pagination: stable pages however many rows there are, and however deep.

A cursor is opaque to clients: URL-safe base64 of the list's name and the last item's id (never
its sort key, which may be a name). The next page is "rows after that row's key" in the list's
order, which an index answers directly, and rows added or removed meanwhile never make a page
repeat or skip an item.
Every sort field must be NOT NULL (NULLs do not compare), and the order must end with the id.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from ninja import Field, Schema

from liaison.api.problems import field_problem

MAX_LIMIT = 100
DEFAULT_LIMIT = min(settings.PAGE_SIZE, MAX_LIMIT)

M = TypeVar("M", bound=Model)
Item = TypeVar("Item")


class Page(Schema, Generic[Item]):
    items: list[Item]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page.",
    )


def encode_cursor(kind: str, last_id: int) -> str:
    raw = json.dumps([kind, last_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str) -> int:
    bad = field_problem("cursor", "This cursor is not valid here: start again from the first page")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded_kind, last_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError, binascii.Error):
        raise bad from None
    if (
        decoded_kind != kind
        or not isinstance(last_id, int)
        or isinstance(last_id, bool)
        or not 0 < last_id < 2**63
    ):
        raise bad
    return last_id


def _after(order: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows strictly after `values` in `order` ("-field" for descending): a lexicographic comparison."""
    condition = Q()
    for i, term in enumerate(order):
        name = term.lstrip("-")
        step = Q(**{f"{name}__{'lt' if term.startswith('-') else 'gt'}": values[i]})
        for j in range(i):
            step &= Q(**{order[j].lstrip("-"): values[j]})
        condition |= step
    return condition


def paginate(
    queryset: QuerySet[M], *, kind: str, order: Sequence[str], cursor: str | None, limit: int
) -> tuple[list[M], str | None]:
    """One page of `queryset` in `order` (which must end with "id" or "-id") and the next cursor."""
    if order[-1].lstrip("-") not in {"id", "pk"}:
        raise ValueError("the order must end with the id, so that every row has a distinct key")
    fields = [term.lstrip("-") for term in order]
    if cursor:
        # The cursor holds only the last row's id; its sort key is looked up again here, inside the
        # same scoped query, so a cursor never carries a name and a row you cannot see anchors nothing.
        last_id = decode_cursor(kind, cursor)
        anchor = queryset.filter(pk=last_id).values(*fields).first()
        if anchor is None:
            raise field_problem("cursor", "This cursor is not valid here: start again from the first page")
        values = [anchor[name] for name in fields]
        queryset = queryset.filter(_after(order, values))
    rows = list(queryset.order_by(*order)[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode_cursor(kind, last.pk)
