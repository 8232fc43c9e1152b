"""Shared fixtures: two teams, one user per role in team A, an outsider in team B, and clients for each."""

from __future__ import annotations

import pytest
from django.db.backends.signals import connection_created
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from liaison.core.models import Role
from tests.factories import EpisodeFactory, PersonFactory, SiteFactory, TeamFactory, member
from tests.secondfactor import authenticator

# A test client signed in with force_login has passed both factors, as a real sign-in has; the
# second-factor tests use password_only_login for a session that has only a password.
_password_only_login = Client.force_login


def _force_login_with_second_factor(self, user, backend=None):
    _password_only_login(self, user, backend)
    session = self.session
    session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
    session.save()


Client.password_only_login = _password_only_login  # type: ignore[attr-defined]
Client.force_login = _force_login_with_second_factor  # type: ignore[method-assign]


@pytest.fixture
def team_a(db):
    return TeamFactory(code="team-a", name="Northtown L&D")


@pytest.fixture
def team_b(db):
    return TeamFactory(code="team-b", name="Southport L&D")


@pytest.fixture
def site_a(team_a):
    return SiteFactory(team=team_a, name="Northtown Custody Suite")


@pytest.fixture
def site_b(team_b):
    return SiteFactory(team=team_b, name="Southport Custody Suite")


@pytest.fixture
def practitioner(team_a):
    return member(team_a, Role.PRACTITIONER, "prac")


@pytest.fixture
def team_lead(team_a):
    return member(team_a, Role.TEAM_LEAD, "lead")


@pytest.fixture
def support_worker(team_a):
    return member(team_a, Role.SUPPORT_WORKER, "support")


@pytest.fixture
def commissioner(team_a):
    return member(team_a, Role.COMMISSIONER, "commish")


@pytest.fixture
def outsider(team_b, site_b):
    """A practitioner in another team: must never see team A's people."""
    return member(team_b, Role.PRACTITIONER, "outsider")


@pytest.fixture
def person_a(site_a, practitioner):
    return EpisodeFactory(
        site=site_a,
        person=PersonFactory(given_name="Alex", family_name="Rivers"),
        allocated_worker=practitioner,
    ).person


@pytest.fixture
def episode_a(person_a):
    return person_a.episodes.get()


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def practitioner_client(practitioner):
    return _client_for(practitioner)


@pytest.fixture
def lead_client(team_lead):
    return _client_for(team_lead)


@pytest.fixture
def outsider_client(outsider):
    return _client_for(outsider)


@pytest.fixture
def commissioner_client(commissioner):
    return _client_for(commissioner)


@pytest.fixture(scope="session", autouse=True)
def _close_stray_postgresql_sessions(django_db_setup, django_db_blocker):
    """Live-server request threads can leave a PostgreSQL session open after the browser tests;
    end them so the test database can be dropped cleanly at the close of the run."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def _allow_audit_truncate(sender, connection, **kwargs):
    # The suite resets PostgreSQL between transactional tests with TRUNCATE, which the audit
    # tables refuse unless a session says it is doing maintenance (migration core 0004).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET liaison.audit_maintenance = 'on'")


connection_created.connect(_allow_audit_truncate)


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests (live server, threads) empty every table when they finish, including the
    code lists that data migrations load. Put them back for whichever test comes next."""
    if not {"db", "transactional_db", "live_server"} & set(request.fixturenames):
        return
    import importlib

    from django.apps import apps

    from liaison.identification.models import VulnerabilityFlag

    request.getfixturevalue("db" if "db" in request.fixturenames else "transactional_db")
    if not VulnerabilityFlag.objects.exists():
        loader = importlib.import_module("liaison.identification.migrations.0002_load_vulnerability_flags")
        loader.load_flags(apps, None)
