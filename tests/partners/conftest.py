from __future__ import annotations

import pytest
from django.test import Client

from liaison.core.models import Role
from tests.factories import member


@pytest.fixture
def partner(team_a, site_a):
    return member(team_a, Role.PARTNER, "sergeant")


@pytest.fixture
def partner_client(partner) -> Client:
    client = Client()
    client.force_login(partner)
    return client


def referral_form(site, **overrides):
    data = {
        "given_name": "Casey",
        "family_name": "Morrow",
        "date_of_birth-day": "4",
        "date_of_birth-month": "6",
        "date_of_birth-year": "1994",
        "site": site.pk,
        "urgency": "urgent",
        "source": "police",
        "reason": "Talking about ending their life after being charged.",
        "flags": ["self_harm_suicide", "charge_related_risk"],
        "referrer_contact": "01632 960 123",
    }
    data.update(overrides)
    return data
