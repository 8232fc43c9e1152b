"""POST /api/v1/referrals and GET /api/v1/referrals/{id}: problem+json for bad input, idempotent,
and a partner reads back only what they sent."""

from __future__ import annotations

import pytest

from liaison.core.models import AuditEvent
from liaison.episodes.models import Episode, ReferralSource
from liaison.partners.models import PartnerReferral
from liaison.people.models import Person
from tests.api.conftest import fields, get, nhs_number, post, problem, token_client

KEY = {"Idempotency-Key": "b9b8d1c4-0c1f-4a53-8c3e-5d2f0a6e7b11"}


def body(site, **overrides):
    data = {
        "site_id": site.pk,
        "person": {"given_name": "Robin", "family_name": "Achebe", "date_of_birth": "1999-01-31"},
        "reason": "Very withdrawn at court; says they hear voices.",
        "urgency": "soon",
        "source": "court",
        "flags": ["mental_health"],
    }
    data.update(overrides)
    return data


@pytest.fixture
def partner_api(partner):
    return token_client(partner)


def test_post_creates_a_referral_and_the_episode(partner_api, site_a, team_a):
    response = post(
        partner_api,
        "/referrals",
        body(site_a, person={"given_name": "Robin", "family_name": "Achebe", "nhs_number": nhs_number(7)}),
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["source"] == "court" and data["source_code"] == "E2" and data["urgency"] == "soon"
    assert data["person"]["family_name"] == "Achebe" and data["flags"] == ["mental_health"]
    assert data["reference"].startswith("LD-")
    assert "person_id" not in data and "episode_id" not in data
    episode = Episode.objects.get()
    assert episode.team == team_a and episode.referral_source == ReferralSource.COURTS


def test_bad_input_is_problem_json_naming_each_field_and_saves_nothing(partner_api, site_a, site_b):
    bad = body(
        site_b,
        person={"given_name": "", "family_name": "Achebe", "pnc_id": "05/123456A"},
        urgency="whenever",
        source="neighbour",
        flags=["mental_health", "made_up"],
        reason="",
    )
    answer = problem(post(partner_api, "/referrals", bad), 422)
    assert fields(answer) == {
        "person.given_name",
        "person.pnc_id",
        "urgency",
        "source",
        "flags",
        "reason",
        "site_id",
    }
    assert (
        not Person.objects.exists() and not Episode.objects.exists() and not PartnerReferral.objects.exists()
    )


def test_a_refused_person_with_an_otherwise_good_referral_is_422_and_saves_nothing(partner_api, site_a):
    # The episode's checks pass with the stand-in person used to collect every error at once;
    # nothing may then be written for it.
    answer = problem(
        post(partner_api, "/referrals", body(site_a, person={"given_name": "", "family_name": "Achebe"})), 422
    )
    assert fields(answer) == {"person.given_name"}
    assert (
        not Person.objects.exists() and not Episode.objects.exists() and not PartnerReferral.objects.exists()
    )


def test_malformed_and_unknown_fields_are_refused(partner_api, site_a):
    answer = problem(post(partner_api, "/referrals", body(site_a, colour="blue")), 422)
    assert fields(answer) == {"colour"}
    answer = problem(post(partner_api, "/referrals", {"site_id": site_a.pk}), 422)
    assert {"person", "reason", "urgency", "source"} <= fields(answer)


def test_post_is_idempotent(partner_api, site_a):
    first = post(partner_api, "/referrals", body(site_a), **KEY)
    again = post(partner_api, "/referrals", body(site_a), **KEY)
    assert first.status_code == again.status_code == 201
    assert first.content == again.content and again["Idempotent-Replayed"] == "true"
    assert PartnerReferral.objects.count() == 1 and Person.objects.count() == 1
    assert AuditEvent.objects.filter(action="referral.create").count() == 1


def test_practitioners_and_commissioners_cannot_post(practitioner, commissioner, site_a):
    for user in (practitioner, commissioner):
        answer = problem(post(token_client(user), "/referrals", body(site_a)), 403)
        assert "None of your teams" in answer["detail"]
    assert not PartnerReferral.objects.exists()


def test_get_by_the_sender_the_team_and_nobody_else(
    partner_api, practitioner, outsider, commissioner, site_a
):
    created = post(partner_api, "/referrals", body(site_a)).json()
    url = f"/referrals/{created['id']}"
    assert get(partner_api, url).json() == created
    assert get(token_client(practitioner), url).status_code == 200
    for user in (outsider, commissioner):
        problem(get(token_client(user), url), 404)
        assert AuditEvent.objects.filter(action="access.denied", actor_id=user.pk).exists()
    problem(get(partner_api, "/referrals/999999999"), 404)
    problem(get(partner_api, "/referrals/99999999999999999999"), 404)


def test_list_is_the_senders_own(partner_api, site_a):
    post(partner_api, "/referrals", body(site_a))
    items = get(partner_api, "/referrals").json()["items"]
    assert [i["person"]["family_name"] for i in items] == ["Achebe"]


def test_reference_lists_for_clients(partner_api, site_a):
    sites = get(partner_api, "/referral-sites").json()
    assert [s["id"] for s in sites] == [site_a.pk]
    flags = get(partner_api, "/vulnerability-flags").json()
    assert flags[0] == {"code": "mental_health", "label": "Mental health", "hint": ""}
    assert len(flags) == 17
