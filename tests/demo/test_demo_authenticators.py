"""Demo logins sign in with both factors: `demo-logins` sets up their authenticators and prints the
keys; `demo-code` prints the code an app would show now, and that code signs in through the pages."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from liaison.demo.staff import DEMO_PASSWORD, roster_create


@pytest.fixture
def roster(db, settings):
    settings.DEMO = True
    return roster_create()


def test_a_demo_login_signs_in_with_the_printed_code(roster):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert "authenticator key" in out.getvalue() and "demo-code" in out.getvalue()
    client = Client()
    response = client.post("/sign-in", {"username": "practitioner", "password": DEMO_PASSWORD})
    assert response["Location"].startswith("/sign-in/code")  # set up already: straight to the code
    code = io.StringIO()
    call_command("demo_code", "practitioner", stdout=code)
    response = client.post("/sign-in/code", {"code": code.getvalue().strip()})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_demo_code_is_for_demo_logins_only(roster, settings):
    with pytest.raises(CommandError, match="not a demo login"):
        call_command("demo_code", "someone.real")
    settings.DEMO = settings.DEBUG = False
    with pytest.raises(CommandError, match="LIAISON_DEMO"):
        call_command("demo_code", "practitioner")


def test_signing_in_twice_in_one_half_minute_gets_the_next_code(roster):
    call_command("demo_logins", stdout=io.StringIO())
    for _ in range(2):
        client = Client()
        client.post("/sign-in", {"username": "practitioner", "password": DEMO_PASSWORD})
        code = io.StringIO()
        call_command("demo_code", "practitioner", stdout=code)
        assert client.post("/sign-in/code", {"code": code.getvalue().strip()})["Location"] == "/"
