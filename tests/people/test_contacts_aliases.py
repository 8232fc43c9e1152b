"""A person's contacts (parent or guardian, appropriate adult, next of kin...) and other names they use."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from liaison.core.errors import NotPermitted
from liaison.core.models import AuditEvent, BreakGlass, Role
from liaison.people.models import Alias, ContactRelationship, PersonContact
from liaison.people.queries import search_people
from liaison.people.services import alias_add, alias_remove, person_contact_add, person_contact_remove
from tests.factories import EpisodeFactory, PersonFactory, member

TODAY = dt.datetime(2026, 3, 24, 10, 0, tzinfo=dt.UTC)
WARNING = "Under 18: record a parent, guardian or appropriate adult"


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def _add(actor, person, team, **fields):
    values = {"relationship": ContactRelationship.NEXT_OF_KIN, "name": "Kim Example"} | fields
    return person_contact_add(actor=actor, person=person, team_id=team.pk, role=Role.PRACTITIONER, **values)


# --- the services ----------------------------------------------------------------------------------


def test_adding_a_contact_tidies_it_and_audits_without_personal_data(practitioner, person_a, team_a):
    contact = _add(
        practitioner,
        person_a,
        team_a,
        relationship=ContactRelationship.APPROPRIATE_ADULT,
        name="  Northtown   Appropriate Adult Service ",
        phone=" 01632  960 001 ",
        email="aa@example.org",
        notes=" Book through the custody desk ",
    )
    contact.refresh_from_db()
    assert (contact.name, contact.phone, contact.notes) == (
        "Northtown Appropriate Adult Service",
        "01632 960 001",
        "Book through the custody desk",
    )
    event = AuditEvent.objects.get(action="person_contact.create")
    assert (event.actor_id, event.person_id, event.team_id, event.object_id) == (
        practitioner.pk,
        person_a.pk,
        team_a.pk,
        str(contact.pk),
    )
    assert event.detail == {"relationship": "appropriate_adult"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 151}, "name"),
        ({"relationship": "friend"}, "relationship"),
        ({"relationship": ""}, "relationship"),
        ({"phone": "call the desk"}, "phone"),
        ({"phone": "01632 960 001 ext 4"}, "phone"),
        ({"phone": "0163+2960001"}, "phone"),  # + only at the start
        ({"phone": "()-"}, "phone"),
        ({"phone": "1" * 31}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"notes": "x" * 301}, "notes"),
    ],
)
def test_contact_validation_names_the_bad_field(practitioner, person_a, team_a, fields, field):
    with pytest.raises(ValidationError) as caught:
        _add(practitioner, person_a, team_a, **fields)
    assert set(caught.value.message_dict) == {field}
    assert not PersonContact.objects.exists()
    assert not AuditEvent.objects.filter(action="person_contact.create").exists()


@pytest.mark.parametrize("phone", ["01632 960001", "+44 (0)1632 960 001", "07700-900-123", "999"])
def test_contact_phone_numbers_people_really_write(practitioner, person_a, team_a, phone):
    assert _add(practitioner, person_a, team_a, phone=phone).phone == phone


def test_removing_a_contact_audits_it_once(practitioner, person_a, team_a):
    contact = _add(practitioner, person_a, team_a)
    person_contact_remove(actor=practitioner, contact=contact, team_id=team_a.pk, role=Role.PRACTITIONER)
    person_contact_remove(actor=practitioner, contact=contact, team_id=team_a.pk, role=Role.PRACTITIONER)
    assert not PersonContact.objects.exists()
    event = AuditEvent.objects.get(action="person_contact.delete")
    assert (event.person_id, event.object_id, event.detail) == (
        person_a.pk,
        str(contact.pk),
        {"relationship": "next_of_kin"},
    )


def test_the_services_refuse_a_role_that_may_not_edit(support_worker, practitioner, person_a, team_a):
    with pytest.raises(NotPermitted):
        _add(support_worker, person_a, team_a)
    contact = _add(practitioner, person_a, team_a)
    with pytest.raises(NotPermitted):
        person_contact_remove(actor=support_worker, contact=contact, team_id=team_a.pk, role="")
    with pytest.raises(NotPermitted):
        alias_add(actor=support_worker, person=person_a, team_id=team_a.pk, role="", family_name="Other")
    assert PersonContact.objects.count() == 1 and not Alias.objects.exists()


def test_an_alias_is_searchable_by_its_last_name_and_audited(practitioner, person_a, team_a):
    alias = alias_add(
        actor=practitioner,
        person=person_a,
        team_id=team_a.pk,
        role="",
        given_name=" Lex ",
        family_name="McRae",
    )
    assert (alias.given_name, alias.family_name, alias.family_name_search) == ("Lex", "McRae", "mcrae")
    assert list(search_people(user=practitioner, name="mcr")) == [person_a]
    event = AuditEvent.objects.get(action="alias.create")
    assert (event.person_id, event.object_type, event.object_id) == (person_a.pk, "alias", str(alias.pk))


@pytest.mark.parametrize(
    ("given", "family", "field"),
    [("Lex", "", "family_name"), ("x" * 101, "McRae", "given_name"), ("", "y" * 101, "family_name")],
)
def test_alias_validation_names_the_bad_field(practitioner, person_a, team_a, given, family, field):
    with pytest.raises(ValidationError) as caught:
        alias_add(
            actor=practitioner,
            person=person_a,
            team_id=team_a.pk,
            role="",
            given_name=given,
            family_name=family,
        )
    assert set(caught.value.message_dict) == {field}


def test_the_same_other_name_twice_is_refused(practitioner, person_a, team_a):
    alias_add(
        actor=practitioner, person=person_a, team_id=team_a.pk, role="", given_name="Lex", family_name="McRae"
    )
    with pytest.raises(ValidationError) as caught:
        alias_add(
            actor=practitioner,
            person=person_a,
            team_id=team_a.pk,
            role="",
            given_name="lex",
            family_name="MCRAE",
        )
    assert caught.value.message_dict == {"family_name": ["This name is already recorded for the person"]}


def test_removing_an_alias_audits_it(practitioner, person_a, team_a):
    alias = alias_add(actor=practitioner, person=person_a, team_id=team_a.pk, role="", family_name="McRae")
    alias_remove(actor=practitioner, alias=alias, team_id=team_a.pk, role="")
    assert not Alias.objects.exists()
    assert AuditEvent.objects.get(action="alias.delete").object_id == str(alias.pk)


# --- the contact pages ----------------------------------------------------------------------------


def test_adding_a_contact_from_the_record(practitioner_client, person_a):
    page = practitioner_client.get(f"/people/{person_a.pk}/").content.decode()
    assert f'href="/people/{person_a.pk}/contacts/new"' in page
    form = practitioner_client.get(f"/people/{person_a.pk}/contacts/new")
    assert form.status_code == 200
    assert f"<title>Add a contact, Liaison ID {person_a.pk} – Liaison</title>" in form.content.decode()
    response = practitioner_client.post(
        f"/people/{person_a.pk}/contacts/new",
        {"relationship": "parent_guardian", "name": "Sam Rivers", "phone": "07700 900123"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/people/{person_a.pk}/"
    contact = PersonContact.objects.get()
    assert (contact.person_id, contact.relationship, contact.name) == (
        person_a.pk,
        "parent_guardian",
        "Sam Rivers",
    )
    page = practitioner_client.get(response["Location"]).content.decode()
    assert "Contact added." in page
    assert "Sam Rivers" in page and "Parent or guardian" in page and "07700 900123" in page
    assert f'action="/people/{person_a.pk}/contacts/{contact.pk}/remove"' in page


def test_bad_contact_input_is_explained_and_what_was_typed_is_kept(practitioner_client, person_a):
    data = {
        "relationship": "carer",
        "name": "",
        "phone": "ring the desk",
        "email": "kim@",
        "notes": "Evenings",
    }
    response = practitioner_client.post(f"/people/{person_a.pk}/contacts/new", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Add a contact" in html
    assert '<a href="#id_name">Enter the contact&#x27;s name</a>' in html
    assert 'id="id_name-error"' in html
    assert 'value="carer" checked' in html
    assert 'value="ring the desk"' in html and 'value="kim@"' in html and "Evenings</textarea>" in html
    assert not PersonContact.objects.exists()


def test_service_checks_reach_the_form_when_the_form_itself_is_satisfied(practitioner_client, person_a):
    data = {"relationship": "carer", "name": "Kim", "phone": "ring the desk", "email": "kim@"}
    html = practitioner_client.post(f"/people/{person_a.pk}/contacts/new", data).content.decode()
    assert '<a href="#id_phone">Enter a phone number using only numbers' in html
    assert '<a href="#id_email">Enter an email address in the correct format' in html
    assert 'value="ring the desk"' in html and 'value="Kim"' in html
    assert not PersonContact.objects.exists()


def test_removing_a_contact_from_the_record(practitioner_client, practitioner, person_a, team_a):
    contact = _add(practitioner, person_a, team_a, name="Kim Example")
    assert practitioner_client.get(f"/people/{person_a.pk}/contacts/{contact.pk}/remove").status_code == 405
    response = practitioner_client.post(f"/people/{person_a.pk}/contacts/{contact.pk}/remove")
    assert response.status_code == 302
    assert not PersonContact.objects.exists()
    page = practitioner_client.get(response["Location"]).content.decode()
    assert "Contact removed." in page and "Kim Example" not in page
    assert AuditEvent.objects.get(action="person_contact.delete").actor_id == practitioner.pk


def test_another_persons_contact_cannot_be_removed_through_this_record(
    practitioner_client, practitioner, person_a, site_a, team_a
):
    other = EpisodeFactory(site=site_a).person
    theirs = _add(practitioner, other, team_a)
    response = practitioner_client.post(f"/people/{person_a.pk}/contacts/{theirs.pk}/remove")
    assert response.status_code == 404
    denied = AuditEvent.objects.get(action="access.denied")
    assert (denied.object_type, denied.object_id, denied.person_id) == (
        "person_contact",
        str(theirs.pk),
        person_a.pk,
    )
    assert PersonContact.objects.filter(pk=theirs.pk).exists()


def test_support_worker_sees_contacts_but_cannot_add_or_remove_them(team_a, practitioner, person_a):
    contact = _add(practitioner, person_a, team_a, name="Kim Example")
    client = Client()
    client.force_login(member(team_a, Role.SUPPORT_WORKER))
    page = client.get(f"/people/{person_a.pk}/").content.decode()
    assert "Kim Example" in page
    assert "/contacts/new" not in page and "/remove" not in page and "/aliases/new" not in page
    assert client.get(f"/people/{person_a.pk}/contacts/new").status_code == 403
    refused = client.post(f"/people/{person_a.pk}/contacts/new", {"relationship": "carer", "name": "X"})
    assert refused.status_code == 403
    assert client.post(f"/people/{person_a.pk}/contacts/{contact.pk}/remove").status_code == 403
    assert list(PersonContact.objects.values_list("name", flat=True)) == ["Kim Example"]


@pytest.mark.parametrize("route", ["contacts/new", "aliases/new"])
def test_outsider_gets_404_and_is_audited(outsider_client, outsider, person_a, route):
    response = outsider_client.post(
        f"/people/{person_a.pk}/{route}", {"relationship": "carer", "name": "X", "family_name": "X"}
    )
    assert response.status_code == 404
    assert b"Rivers" not in response.content
    event = AuditEvent.objects.get(action="access.denied")
    assert (event.actor_id, event.person_id) == (outsider.pk, person_a.pk)
    assert not PersonContact.objects.exists() and not Alias.objects.exists()


# --- under 18s ------------------------------------------------------------------------------------


@pytest.fixture
def young_person(site_a, frozen):
    person = PersonFactory(given_name="Robin", family_name="Young", date_of_birth=dt.date(2010, 6, 1))
    EpisodeFactory(site=site_a, person=person, age_group="youth")
    return person


def test_an_under_18_without_a_responsible_adult_gets_a_warning_until_one_is_recorded(
    practitioner_client, practitioner, team_a, young_person
):
    url = f"/people/{young_person.pk}/"
    page = practitioner_client.get(url).content.decode()
    assert WARNING in page
    assert 'class="nhsuk-warning-callout"' in page
    # Next of kin is not enough: custody needs a parent, guardian or appropriate adult.
    _add(practitioner, young_person, team_a, relationship=ContactRelationship.NEXT_OF_KIN)
    assert WARNING in practitioner_client.get(url).content.decode()
    practitioner_client.post(
        f"/people/{young_person.pk}/contacts/new", {"relationship": "parent_guardian", "name": "Jo Young"}
    )
    assert WARNING not in practitioner_client.get(url).content.decode()


def test_an_appropriate_adult_is_enough(practitioner_client, practitioner, team_a, young_person):
    _add(practitioner, young_person, team_a, relationship=ContactRelationship.APPROPRIATE_ADULT)
    assert WARNING not in practitioner_client.get(f"/people/{young_person.pk}/").content.decode()


def test_the_warning_returns_when_the_only_parent_is_removed(
    practitioner_client, practitioner, team_a, young_person
):
    parent = _add(practitioner, young_person, team_a, relationship=ContactRelationship.PARENT_GUARDIAN)
    assert WARNING not in practitioner_client.get(f"/people/{young_person.pk}/").content.decode()
    practitioner_client.post(f"/people/{young_person.pk}/contacts/{parent.pk}/remove")
    assert WARNING in practitioner_client.get(f"/people/{young_person.pk}/").content.decode()


@pytest.mark.parametrize(
    ("born", "warned"),
    [
        (dt.date(2008, 3, 25), True),  # 18 tomorrow
        (dt.date(2008, 3, 24), False),  # 18 today
        (dt.date(1990, 5, 17), False),
        (None, False),  # age not known: nothing to go on
    ],
)
def test_the_warning_is_for_under_18s_only(practitioner_client, site_a, frozen, born, warned):
    person = EpisodeFactory(site=site_a, person=PersonFactory(date_of_birth=born)).person
    assert (WARNING in practitioner_client.get(f"/people/{person.pk}/").content.decode()) is warned


# --- the other-name pages -------------------------------------------------------------------------


def test_adding_and_removing_another_name(practitioner_client, person_a):
    assert practitioner_client.get(f"/people/{person_a.pk}/aliases/new").status_code == 200
    response = practitioner_client.post(
        f"/people/{person_a.pk}/aliases/new", {"given_name": "Lex", "family_name": "McRae"}
    )
    assert response.status_code == 302
    alias = Alias.objects.get()
    assert (alias.person_id, alias.family_name_search) == (person_a.pk, "mcrae")
    page = practitioner_client.get(f"/people/{person_a.pk}/").content.decode()
    assert "Other name added." in page and "Lex McRae" in page
    removed = practitioner_client.post(f"/people/{person_a.pk}/aliases/{alias.pk}/remove")
    assert removed.status_code == 302
    assert not Alias.objects.exists()
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="alias.").order_by("id")] == [
        "alias.create",
        "alias.delete",
    ]


def test_bad_alias_input_keeps_what_was_typed(practitioner_client, person_a):
    response = practitioner_client.post(
        f"/people/{person_a.pk}/aliases/new", {"given_name": "Lex", "family_name": ""}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_family_name">Enter the last name they are also known by</a>' in html
    assert 'name="given_name" type="text" value="Lex"' in html
    assert not Alias.objects.exists()


def test_another_persons_alias_cannot_be_removed_through_this_record(
    practitioner_client, practitioner, person_a, site_a, team_a
):
    other = EpisodeFactory(site=site_a).person
    theirs = alias_add(actor=practitioner, person=other, team_id=team_a.pk, role="", family_name="Else")
    assert practitioner_client.post(f"/people/{person_a.pk}/aliases/{theirs.pk}/remove").status_code == 404
    assert AuditEvent.objects.get(action="access.denied").object_type == "alias"
    assert Alias.objects.filter(pk=theirs.pk).exists()


# --- break the glass, odd ids, every problem at once ----------------------------------------------


@pytest.fixture
def glass(outsider, person_a, team_b):
    return BreakGlass.objects.create(
        user=outsider,
        team=team_b,
        person=person_a,
        reason="Sergeant phoned",
        expires_at=timezone.now() + dt.timedelta(minutes=30),
    )


def test_breaking_the_glass_gives_read_only_access_to_the_record(
    outsider_client, outsider, practitioner, person_a, team_a, team_b, glass
):
    contact = _add(practitioner, person_a, team_a)
    page = outsider_client.get(f"/people/{person_a.pk}/").content.decode()
    assert "Kim Example" in page
    assert "/edit" not in page and "/contacts/new" not in page and "/remove" not in page
    for response in (
        outsider_client.get(f"/people/{person_a.pk}/edit"),
        outsider_client.post(f"/people/{person_a.pk}/contacts/new", {"relationship": "carer", "name": "X"}),
        outsider_client.post(f"/people/{person_a.pk}/contacts/{contact.pk}/remove"),
        outsider_client.post(f"/people/{person_a.pk}/aliases/new", {"family_name": "X"}),
    ):
        assert response.status_code == 403
        assert "breaking the glass, which gives read-only access" in response.content.decode()
    with pytest.raises(NotPermitted):
        _add(outsider, person_a, team_b)
    assert list(PersonContact.objects.values_list("pk", flat=True)) == [contact.pk]
    assert not Alias.objects.exists()


def test_an_id_too_big_for_the_database_is_an_audited_404(practitioner_client, person_a):
    huge = "9" * 30
    response = practitioner_client.post(f"/people/{person_a.pk}/contacts/{huge}/remove")
    assert response.status_code == 404
    assert AuditEvent.objects.get(action="access.denied").object_type == "person_contact"
    assert practitioner_client.post(f"/people/{person_a.pk}/aliases/{huge}/remove").status_code == 404


def test_every_contact_problem_shows_at_once(practitioner_client, person_a):
    data = {"relationship": "carer", "name": "", "phone": "ring the desk", "email": "kim@"}
    html = practitioner_client.post(f"/people/{person_a.pk}/contacts/new", data).content.decode()
    assert '<a href="#id_name">' in html
    assert '<a href="#id_phone">' in html
    assert '<a href="#id_email">Enter an email address in the correct format' in html
