"""A person's contacts and other names over the API: read, add, remove; scoped, audited, retry-safe."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from liaison.core.models import AuditEvent, BreakGlass
from liaison.people.models import Alias, ContactRelationship, PersonContact
from tests.api.conftest import fields, get, post, problem, send, token_client
from tests.factories import EpisodeFactory

KEY = {"Idempotency-Key": "0b7e2a52-6a7e-4d3f-8f40-3a9c1d2e5f61"}
CONTACT = {"relationship": "appropriate_adult", "name": "Northtown AA Service", "phone": "01632 960001"}


def delete(client: Client, path: str, **headers: str):
    return send(client, "DELETE", path, **headers)


@pytest.fixture
def contact(person_a):
    return PersonContact.objects.create(
        person=person_a,
        relationship=ContactRelationship.NEXT_OF_KIN,
        name="Kim Example",
        phone="07700 900123",
    )


@pytest.fixture
def alias(person_a):
    return Alias.objects.create(
        person=person_a, given_name="Lex", family_name="McRae", family_name_search="mcrae"
    )


# --- contacts ----------------------------------------------------------------------------------------


def test_list_contacts_returns_the_persons_contacts_and_audits_the_read(
    practitioner_client, practitioner, person_a, contact
):
    response = get(practitioner_client, f"/people/{person_a.pk}/contacts")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "items": [
            {
                "id": contact.pk,
                "person_id": person_a.pk,
                "relationship": "next_of_kin",
                "name": "Kim Example",
                "phone": "07700 900123",
                "email": "",
                "notes": "",
            }
        ],
        "next_cursor": None,
    }
    event = AuditEvent.objects.get(action="person_contact.list")
    assert (event.actor_id, event.person_id) == (practitioner.pk, person_a.pk)


def test_create_contact_returns_201_and_audits(practitioner_client, practitioner, person_a, team_a):
    response = post(practitioner_client, f"/people/{person_a.pk}/contacts", CONTACT)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["person_id"], body["relationship"], body["name"]) == (
        person_a.pk,
        "appropriate_adult",
        "Northtown AA Service",
    )
    created = PersonContact.objects.get(pk=body["id"])
    assert created.person_id == person_a.pk
    event = AuditEvent.objects.get(action="person_contact.create")
    assert (event.actor_id, event.person_id, event.team_id) == (practitioner.pk, person_a.pk, team_a.pk)
    assert event.detail == {"relationship": "appropriate_adult"}


def test_create_contact_retried_with_the_same_key_creates_one(practitioner_client, person_a):
    first = post(practitioner_client, f"/people/{person_a.pk}/contacts", CONTACT, **KEY)
    again = post(practitioner_client, f"/people/{person_a.pk}/contacts", CONTACT, **KEY)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert PersonContact.objects.count() == 1
    assert AuditEvent.objects.filter(action="person_contact.create").count() == 1


@pytest.mark.parametrize(
    ("body", "bad"),
    [
        ({**CONTACT, "relationship": "friend"}, {"relationship"}),
        ({**CONTACT, "name": " "}, {"name"}),
        ({**CONTACT, "phone": "ring the desk", "email": "kim@"}, {"phone", "email"}),
        ({**CONTACT, "name": "x" * 151}, {"name"}),  # the schema's own limit
        ({"relationship": "carer"}, {"name"}),
        ({**CONTACT, "person_id": 1}, {"person_id"}),  # unknown fields are refused, not ignored
    ],
)
def test_create_contact_with_bad_input_is_422_naming_the_fields(practitioner_client, person_a, body, bad):
    assert fields(problem(post(practitioner_client, f"/people/{person_a.pk}/contacts", body), 422)) == bad
    assert not PersonContact.objects.exists()


def test_delete_contact_returns_204_and_audits(practitioner_client, practitioner, person_a, contact):
    response = delete(practitioner_client, f"/people/{person_a.pk}/contacts/{contact.pk}")
    assert response.status_code == 204
    assert response.content == b""
    assert not PersonContact.objects.exists()
    event = AuditEvent.objects.get(action="person_contact.delete")
    assert (event.actor_id, event.object_id) == (practitioner.pk, str(contact.pk))
    # Gone now: a second DELETE answers 404 like any record that does not exist.
    problem(delete(practitioner_client, f"/people/{person_a.pk}/contacts/{contact.pk}"), 404)


def test_a_contact_of_another_person_is_404_through_this_one(practitioner_client, person_a, site_a):
    other = EpisodeFactory(site=site_a).person
    theirs = PersonContact.objects.create(person=other, relationship="carer", name="Not Theirs")
    problem(delete(practitioner_client, f"/people/{person_a.pk}/contacts/{theirs.pk}"), 404)
    assert PersonContact.objects.filter(pk=theirs.pk).exists()
    assert AuditEvent.objects.get(action="access.denied").object_type == "person_contact"


def test_support_worker_may_list_but_not_change_contacts(support_worker, person_a, contact):
    client = token_client(support_worker)
    assert get(client, f"/people/{person_a.pk}/contacts").status_code == 200
    problem(post(client, f"/people/{person_a.pk}/contacts", CONTACT), 403)
    problem(delete(client, f"/people/{person_a.pk}/contacts/{contact.pk}"), 403)
    assert list(PersonContact.objects.values_list("pk", flat=True)) == [contact.pk]


def test_session_writes_need_the_csrf_token(practitioner, person_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(practitioner)
    body = problem(post(client, f"/people/{person_a.pk}/contacts", CONTACT), 403)
    assert "CSRF" in body["detail"]
    assert not PersonContact.objects.exists()


# --- aliases -----------------------------------------------------------------------------------------


def test_list_aliases_and_audit_the_read(practitioner_client, practitioner, person_a, alias):
    response = get(practitioner_client, f"/people/{person_a.pk}/aliases")
    assert response.status_code == 200
    assert response.json()["items"] == [
        {"id": alias.pk, "person_id": person_a.pk, "given_name": "Lex", "family_name": "McRae"}
    ]
    assert AuditEvent.objects.get(action="alias.list").person_id == person_a.pk


def test_create_alias_returns_201_fills_the_search_copy_and_audits(
    practitioner_client, practitioner, person_a
):
    response = post(practitioner_client, f"/people/{person_a.pk}/aliases", {"family_name": "Okoro"}, **KEY)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["person_id"], body["given_name"], body["family_name"]) == (person_a.pk, "", "Okoro")
    assert Alias.objects.get().family_name_search == "okoro"
    event = AuditEvent.objects.get(action="alias.create")
    assert (event.actor_id, event.person_id, event.object_id) == (
        practitioner.pk,
        person_a.pk,
        str(body["id"]),
    )
    again = post(practitioner_client, f"/people/{person_a.pk}/aliases", {"family_name": "Okoro"}, **KEY)
    assert again.content == response.content and Alias.objects.count() == 1


def test_create_alias_with_bad_input_is_422(practitioner_client, person_a, alias):
    assert fields(
        problem(post(practitioner_client, f"/people/{person_a.pk}/aliases", {"given_name": "X"}), 422)
    ) == {"family_name"}
    duplicate = post(
        practitioner_client, f"/people/{person_a.pk}/aliases", {"given_name": "lex", "family_name": "mcrae"}
    )
    assert fields(problem(duplicate, 422)) == {"family_name"}
    assert Alias.objects.count() == 1


def test_delete_alias_returns_204_and_audits(practitioner_client, person_a, alias):
    assert delete(practitioner_client, f"/people/{person_a.pk}/aliases/{alias.pk}").status_code == 204
    assert not Alias.objects.exists()
    assert AuditEvent.objects.get(action="alias.delete").object_id == str(alias.pk)


def test_support_worker_may_list_but_not_change_aliases(support_worker, person_a, alias):
    client = token_client(support_worker)
    assert get(client, f"/people/{person_a.pk}/aliases").status_code == 200
    problem(post(client, f"/people/{person_a.pk}/aliases", {"family_name": "Other"}), 403)
    problem(delete(client, f"/people/{person_a.pk}/aliases/{alias.pk}"), 403)
    assert Alias.objects.count() == 1


# --- outsiders ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/contacts", None),
        ("POST", "/contacts", CONTACT),
        ("DELETE", "/contacts/{contact}", None),
        ("GET", "/aliases", None),
        ("POST", "/aliases", {"family_name": "Other"}),
        ("DELETE", "/aliases/{alias}", None),
    ],
)
def test_outsider_gets_404_on_every_route_is_audited_and_changes_nothing(
    outsider, person_a, contact, alias, method, path, body
):
    client = token_client(outsider)
    url = f"/people/{person_a.pk}" + path.format(contact=contact.pk, alias=alias.pk)
    body_out = problem(send(client, method, url, body), 404)
    assert "Rivers" not in str(body_out) and "Kim" not in str(body_out)
    event = AuditEvent.objects.get(action="access.denied")
    assert (event.actor_id, event.person_id) == (outsider.pk, person_a.pk)
    assert list(PersonContact.objects.values_list("pk", flat=True)) == [contact.pk]
    assert list(Alias.objects.values_list("pk", flat=True)) == [alias.pk]
    assert not AuditEvent.objects.filter(action__in=["person_contact.list", "alias.list"]).exists()


def test_breaking_the_glass_is_read_only_over_the_api_too(outsider, person_a, team_b, contact):
    BreakGlass.objects.create(
        user=outsider,
        team=team_b,
        person=person_a,
        reason="Sergeant phoned",
        expires_at=timezone.now() + dt.timedelta(minutes=30),
    )
    client = token_client(outsider)
    assert get(client, f"/people/{person_a.pk}/contacts").status_code == 200
    for response in (
        post(client, f"/people/{person_a.pk}/contacts", CONTACT),
        delete(client, f"/people/{person_a.pk}/contacts/{contact.pk}"),
        post(client, f"/people/{person_a.pk}/aliases", {"family_name": "Other"}),
        send(client, "PATCH", f"/people/{person_a.pk}", {"version": 1, "preferred_name": "Al"}),
    ):
        assert "read-only" in problem(response, 403)["detail"]
    assert list(PersonContact.objects.values_list("pk", flat=True)) == [contact.pk]
    person_a.refresh_from_db()
    assert person_a.preferred_name == ""


def test_an_id_too_big_for_the_database_is_404(practitioner_client, person_a):
    problem(delete(practitioner_client, f"/people/{person_a.pk}/contacts/{2**70}"), 404)
    problem(delete(practitioner_client, f"/people/{person_a.pk}/aliases/{2**70}"), 404)
