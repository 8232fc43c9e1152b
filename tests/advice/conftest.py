"""Advice fixtures: the team's adviser, a second adviser, team B's adviser, and their clients."""

from __future__ import annotations

import pytest
from django.test import Client

from liaison.core.models import Role
from tests.factories import member


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def adviser(team_a):
    return member(team_a, Role.ADVISER, "adviser")


@pytest.fixture
def other_adviser(team_a):
    return member(team_a, Role.ADVISER, "adviser2")


@pytest.fixture
def adviser_b(team_b, site_b):
    """An adviser in another team: never sees or touches team A's advice."""
    return member(team_b, Role.ADVISER, "adviser_b")


@pytest.fixture
def partner(team_a):
    return member(team_a, Role.PARTNER, "partner")


@pytest.fixture
def adviser_client(adviser):
    return client_for(adviser)
