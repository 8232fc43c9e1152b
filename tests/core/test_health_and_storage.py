from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client


def test_healthz_answers_200_without_signing_in_when_the_database_answers(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": connection.vendor}


def test_healthz_answers_503_when_the_database_does_not(db):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="WAL is SQLite's journal mode")
def test_sqlite_runs_in_wal_mode_with_foreign_keys(db):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1


def test_pages_with_personal_data_are_not_cached(practitioner_client, person_a):
    response = practitioner_client.get(f"/people/{person_a.pk}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
