"""Consent fixtures: a second team lead in team A (to approve what the first asked for)."""

from __future__ import annotations

import pytest

from liaison.consent.models import Capacity, Decision, Purpose
from liaison.consent.services import record_consent
from tests.factories import Role, member


@pytest.fixture
def second_lead(team_a):
    return member(team_a, Role.TEAM_LEAD, "lead2")


def share(actor, person, team, pairs, *, decision=Decision.GIVEN, **fields):
    """Record a sharing consent for the pairs (adult defaults; pass guardian= for a child)."""
    return record_consent(
        actor=actor,
        person=person,
        team=team,
        purpose=Purpose.SHARING,
        decision=decision,
        pairs=pairs,
        capacity=fields.pop("capacity", Capacity.HAS_CAPACITY),
        capacity_note=fields.pop("capacity_note", ""),
        **fields,
    )
