from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from liaison.core.models import ApiToken


def test_issued_token_opens_the_api_and_is_stored_hashed(practitioner, person_a, capsys):
    call_command("api_token", practitioner.username, "tests")
    token = capsys.readouterr().out.strip().splitlines()[-1]
    stored = ApiToken.objects.get(user=practitioner)
    assert token not in (stored.digest, stored.prefix)
    response = Client().get(f"/api/v1/people/{person_a.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()["family_name"] == "Rivers"


def test_unknown_user_is_refused(db):
    with pytest.raises(CommandError, match="No active user"):
        call_command("api_token", "nobody", "tests")
