"""The outcomes API routes."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["outcomes"])
