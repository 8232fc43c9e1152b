"""A justice partner refers a person: it lands on the team's worklist as an identified episode with
the partner's source; the partner sees a reference and their own referrals, never the person."""

from __future__ import annotations

import re

from liaison.core.models import AuditEvent, Role
from liaison.episodes.models import Episode, ReferralSource, Stage
from liaison.identification.models import EpisodeFlag, FlagSource
from liaison.partners.models import PartnerReferral
from liaison.people.models import Person
from tests.factories import member
from tests.partners.conftest import referral_form


def test_referral_creates_an_identified_episode_on_the_teams_worklist(
    partner_client, partner, practitioner_client, site_a, team_a
):
    page = partner_client.get("/referrals/new")
    assert page.status_code == 200 and "Refer someone to the team" in page.content.decode()
    response = partner_client.post("/referrals/new", referral_form(site_a))
    referral = PartnerReferral.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/referrals/{referral.pk}/"
    episode = Episode.objects.get()
    assert episode.team == team_a and episode.site == site_a and episode.stage == Stage.IDENTIFIED
    assert episode.referral_source == ReferralSource.POLICE
    assert episode.person.family_name == "Morrow" and episode.person.registered_by_team == team_a
    assert referral.episode == episode and referral.referred_by == partner
    assert re.fullmatch(r"LD-[2-9A-Z]{4}-[2-9A-Z]{4}", referral.reference)
    flags = {(f.flag_id, f.source) for f in EpisodeFlag.objects.filter(episode=episode)}
    assert flags == {("self_harm_suicide", FlagSource.PARTNER), ("charge_related_risk", FlagSource.PARTNER)}
    event = AuditEvent.objects.get(action="referral.create")
    assert event.person_id == episode.person_id and event.detail["urgency"] == "urgent"
    worklist = practitioner_client.get("/").content.decode()
    assert "Casey Morrow" in worklist
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Urgent</strong>' in worklist
    assert "Referred by police" in worklist
    episode_page = practitioner_client.get(f"/episodes/{episode.pk}/").content.decode()
    assert "Urgent referral from a justice partner" in episode_page
    assert "Talking about ending their life" in episode_page and referral.reference in episode_page


def test_partner_sees_a_confirmation_with_the_reference_and_no_clinical_detail(partner_client, site_a):
    response = partner_client.post("/referrals/new", referral_form(site_a), follow=True)
    html = response.content.decode()
    referral = PartnerReferral.objects.get()
    assert "Referral sent" in html and referral.reference in html
    assert "Urgent referral" in html
    assert "Casey Morrow" in html  # what they sent
    assert "Identified" not in html and f"/episodes/{referral.episode_id}/" not in html
    assert f"/people/{referral.person_id}/" not in html


def test_partner_lists_only_their_own_referrals(partner_client, partner, team_a, site_a, client):
    partner_client.post("/referrals/new", referral_form(site_a))
    other = member(team_a, Role.PARTNER)
    client.force_login(other)
    client.post("/referrals/new", referral_form(site_a, given_name="Other", family_name="Sender"))
    html = partner_client.get("/referrals").content.decode()
    assert "Casey Morrow" in html and "Other Sender" not in html
    event = AuditEvent.objects.filter(action="referral.list", actor_id=partner.pk).get()
    assert len(event.detail["referral_ids"]) == 1
    mine = PartnerReferral.objects.get(referred_by=partner)
    theirs = PartnerReferral.objects.exclude(pk=mine.pk).get()
    assert partner_client.get(f"/referrals/{theirs.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", actor_id=partner.pk).exists()


def test_partner_cannot_open_the_person_or_the_episode(partner_client, partner, site_a):
    partner_client.post("/referrals/new", referral_form(site_a))
    referral = PartnerReferral.objects.get()
    assert partner_client.get(f"/people/{referral.person_id}/").status_code == 404
    assert partner_client.get(f"/episodes/{referral.episode_id}/").status_code == 404
    assert partner_client.get("/").status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor_id=partner.pk).count() == 2
    assert not AuditEvent.objects.filter(action="person.view", actor_id=partner.pk).exists()


def test_bad_input_names_each_field_keeps_the_values_and_saves_nothing(partner_client, site_a):
    data = referral_form(
        site_a,
        given_name="",
        reason="",
        urgency="",
        nhs_number="943 476 5918",
        **{"date_of_birth-year": "94"},
    )
    response = partner_client.post("/referrals/new", data)
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    for message in (
        "Enter the person&#x27;s first name",
        "Enter why you are referring the person",
        "Select how urgent the referral is",
        "check digit",
        "Year must include 4 numbers",
    ):
        assert message in html
    assert 'value="Morrow"' in html and 'value="01632 960 123"' in html
    assert re.search(r'value="self_harm_suicide" checked', html)
    assert (
        not Person.objects.exists() and not Episode.objects.exists() and not PartnerReferral.objects.exists()
    )


def test_a_person_too_young_is_refused_by_the_service(partner_client, site_a):
    html = partner_client.post(
        "/referrals/new", referral_form(site_a, **{"date_of_birth-year": "2020"})
    ).content.decode()
    assert "would be under 10" in html
    assert not Person.objects.exists() and not PartnerReferral.objects.exists()


def test_practitioner_is_told_referrals_are_for_partners(practitioner_client, site_a):
    response = practitioner_client.post("/referrals/new", referral_form(site_a))
    assert response.status_code == 403 and "sent by justice partners" in response.content.decode()
    assert not PartnerReferral.objects.exists()


def test_practitioner_reads_the_referral_of_their_team(
    partner_client, practitioner_client, practitioner, site_a
):
    partner_client.post("/referrals/new", referral_form(site_a))
    referral = PartnerReferral.objects.get()
    html = practitioner_client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Go to the episode" in html and "Talking about ending their life" in html
    assert AuditEvent.objects.filter(
        action="referral.view", actor_id=practitioner.pk, person_id=referral.person_id
    ).exists()


def test_commissioner_gets_no_access(commissioner_client, commissioner, partner_client, site_a):
    partner_client.post("/referrals/new", referral_form(site_a))
    referral = PartnerReferral.objects.get()
    assert commissioner_client.get("/referrals/new").status_code == 403
    assert commissioner_client.post("/referrals/new", referral_form(site_a)).status_code == 403
    assert commissioner_client.get("/referrals").status_code == 403
    assert commissioner_client.get(f"/referrals/{referral.pk}/").status_code == 404
    assert PartnerReferral.objects.count() == 1


def test_outsider_gets_404_and_is_audited(outsider_client, outsider, partner_client, site_a):
    partner_client.post("/referrals/new", referral_form(site_a))
    referral = PartnerReferral.objects.get()
    response = outsider_client.get(f"/referrals/{referral.pk}/")
    assert response.status_code == 404 and "Morrow" not in response.content.decode()
    event = AuditEvent.objects.get(action="access.denied", actor_id=outsider.pk)
    assert event.object_type == "partner_referral" and event.person_id == referral.person_id


def test_partner_menu_offers_referrals_and_nothing_clinical(partner_client):
    html = partner_client.get("/referrals").content.decode()
    assert 'href="/referrals/new"' in html and "Your referrals" in html
    assert 'href="/arrivals/review"' not in html and "Find a person" not in html
    no_access = partner_client.get("/").content.decode()
    assert "Refer someone" in no_access
