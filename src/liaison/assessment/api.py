"""API routes for assessments, needs and plan actions."""

from ninja import Router

router = Router(tags=["assessment"])
