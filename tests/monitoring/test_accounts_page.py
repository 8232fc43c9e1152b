"""The team accounts page: the team lead or administrator deactivates a leaver, who is signed out at once."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from liaison.core.models import AuditEvent, Role
from tests.factories import PASSWORD, member
from tests.monitoring.conftest import DAY, local
from tests.secondfactor import sign_in

REASON = "Left the team on 31 March"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _signed_in(user) -> Client:
    """A real sign-in (both factors), so the session is tracked as the user's."""
    client = Client()
    sign_in(client, user, PASSWORD)
    assert client.get("/").status_code == 200
    return client


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.TEAM_LEAD, True),
        (Role.ADMIN, True),
        (Role.PRACTITIONER, False),
        (Role.SUPPORT_WORKER, False),
        (Role.COMMISSIONER, False),
        (Role.PARTNER, False),
    ],
)
def test_who_may_see_the_teams_accounts(team_a, practitioner, role, allowed):
    client = _client(user := member(team_a, role))
    response = client.get("/team/accounts")
    assert response.status_code == (200 if allowed else 403)
    assert ("Team accounts" in client.get("/team/switch").content.decode()) is allowed  # the header link
    deactivate = client.get(f"/team/accounts/{practitioner.pk}/deactivate")
    assert deactivate.status_code == (200 if allowed else 404)
    if not allowed:
        assert AuditEvent.objects.filter(
            action="access.denied", actor_id=user.pk, object_type="user"
        ).exists()


def test_the_list_shows_name_role_last_sign_in_and_whether_active(team_a, team_b, team_lead, practitioner):
    leaver = member(team_a, Role.SUPPORT_WORKER, "leaver")
    leaver.is_active = False
    leaver.save()
    member(team_b, Role.PRACTITIONER, "elsewhere")
    with time_machine.travel(local(DAY, 8, 5), tick=False):
        _signed_in(practitioner)
    page = _client(team_lead).get("/team/accounts")
    rows = {row["membership"].user.username: row for row in page.context["rows"]}
    assert set(rows) == {"lead", "prac", "leaver"}  # not another team's
    assert rows["prac"]["last_sign_in"] == local(DAY, 8, 5)
    assert rows["leaver"]["last_sign_in"] is None
    html = page.content.decode()
    assert "24 March 2026 at 08:05" in html and "Deactivated" in html and "This is you" in html
    assert f"/team/accounts/{practitioner.pk}/deactivate" in html
    assert f"/team/accounts/{team_lead.pk}/deactivate" not in html
    assert list(rows)[-1] == "leaver"  # active accounts first


@pytest.mark.parametrize("manager_role", [Role.TEAM_LEAD, Role.ADMIN])
def test_deactivating_a_leaver_ends_their_sessions_at_once_and_is_audited(team_a, practitioner, manager_role):
    manager = member(team_a, manager_role)
    leaver_browser = _signed_in(practitioner)
    client = _client(manager)
    confirm = client.get(f"/team/accounts/{practitioner.pk}/deactivate")
    assert confirm.status_code == 200 and "signed out of every session at once" in confirm.content.decode()
    response = client.post(f"/team/accounts/{practitioner.pk}/deactivate", {"reason": REASON})
    assert response.status_code == 302 and response["Location"] == "/team/accounts"
    practitioner.refresh_from_db()
    assert not practitioner.is_active
    # The leaver's open session is gone: their next request is sent to sign in.
    after = leaver_browser.get("/")
    assert after.status_code == 302 and after["Location"].startswith("/sign-in")
    done = AuditEvent.objects.get(action="user.deactivate")
    why = AuditEvent.objects.get(action="user.deactivate_reason")
    assert (done.actor_id, done.object_id, done.detail["sessions_ended"]) == (
        manager.pk,
        str(practitioner.pk),
        1,
    )
    assert (why.actor_id, why.object_id, why.reason, why.team_id) == (
        manager.pk,
        str(practitioner.pk),
        REASON,
        team_a.pk,
    )
    assert "Their open session was ended at once" in client.get("/team/accounts").content.decode()


@pytest.mark.parametrize(("reason", "error"), [("", "Enter why"), ("Left", "at least 10 characters")])
def test_a_reason_is_needed(lead_client, practitioner, reason, error):
    response = lead_client.post(f"/team/accounts/{practitioner.pk}/deactivate", {"reason": reason})
    assert response.status_code == 200 and error in response.content.decode()
    practitioner.refresh_from_db()
    assert practitioner.is_active


def test_nobody_deactivates_themselves(lead_client, team_lead):
    for response in (
        lead_client.get(f"/team/accounts/{team_lead.pk}/deactivate"),
        lead_client.post(f"/team/accounts/{team_lead.pk}/deactivate", {"reason": REASON}),
    ):
        assert response.status_code == 403
    team_lead.refresh_from_db()
    assert team_lead.is_active


def test_a_superuser_is_not_deactivated_from_here(lead_client, team_a):
    boss = member(team_a, Role.PRACTITIONER, "boss")
    boss.is_superuser = True
    boss.save()
    assert "Superuser" in lead_client.get("/team/accounts").content.decode()
    response = lead_client.post(f"/team/accounts/{boss.pk}/deactivate", {"reason": REASON})
    assert response.status_code == 403
    boss.refresh_from_db()
    assert boss.is_active


def test_another_teams_lead_and_an_outsider_get_404_and_are_audited(
    team_b, practitioner, outsider_client, outsider
):
    other_lead = member(team_b, Role.TEAM_LEAD)
    for user, client in ((other_lead, _client(other_lead)), (outsider, outsider_client)):
        for method in ("get", "post"):
            response = getattr(client, method)(
                f"/team/accounts/{practitioner.pk}/deactivate", {"reason": REASON}
            )
            assert response.status_code == 404
        assert AuditEvent.objects.filter(
            action="access.denied", actor_id=user.pk, object_id=str(practitioner.pk)
        ).exists()
    practitioner.refresh_from_db()
    assert practitioner.is_active


def test_an_account_already_deactivated_is_said_so(lead_client, practitioner):
    practitioner.is_active = False
    practitioner.save()
    response = lead_client.get(f"/team/accounts/{practitioner.pk}/deactivate", follow=True)
    assert "already deactivated" in response.content.decode()
    assert not AuditEvent.objects.filter(action="user.deactivate").exists()
