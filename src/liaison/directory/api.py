"""The directory API (filled in by issue 5)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["directory"])
