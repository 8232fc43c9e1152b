"""Changing a person's details: a pre-filled form, errors that keep what was typed, and no lost changes."""

from __future__ import annotations

import pytest
from django.test import Client

from liaison.core.errors import StaleWrite
from liaison.core.models import AuditEvent, Role
from liaison.people import views
from liaison.people.models import Person
from liaison.people.services import person_update
from tests.api.conftest import nhs_number, pnc_id
from tests.factories import member


def _form(person: Person, **changes: str) -> dict[str, str]:
    """What the edit form posts for the record as it is, with `changes` typed over it."""
    dob = person.date_of_birth
    data = {
        "version": str(person.version),
        "given_name": person.given_name,
        "family_name": person.family_name,
        "preferred_name": person.preferred_name,
        "date_of_birth-day": str(dob.day) if dob else "",
        "date_of_birth-month": str(dob.month) if dob else "",
        "date_of_birth-year": str(dob.year) if dob else "",
        "sex": person.sex,
        "gender_identity": person.gender_identity,
        "ethnicity": person.ethnicity,
        "nhs_number": person.nhs_number,
        "pnc_id": person.pnc_id,
        "local_id": person.local_id,
        "postcode": person.postcode,
        "language": person.language,
        "interpreter_needed": "yes" if person.interpreter_needed else "no",
        "communication_needs": person.communication_needs,
        "veteran": {True: "yes", False: "no", None: "not_known"}[person.veteran],
        "care_leaver": {True: "yes", False: "no", None: "not_known"}[person.care_leaver],
    }
    if person.no_fixed_abode:
        data["no_fixed_abode"] = "on"
    if person.easy_read:
        data["easy_read"] = "on"
    data.update(changes)
    return data


def _edit(person: Person) -> str:
    return f"/people/{person.pk}/edit"


# --- the form -------------------------------------------------------------------------------------


def test_the_form_is_filled_in_from_the_record_with_its_version(practitioner_client, person_a):
    Person.objects.filter(pk=person_a.pk).update(veteran=True, postcode="NT1 4AB")
    response = practitioner_client.get(_edit(person_a))
    html = response.content.decode()
    assert response.status_code == 200
    # No names in the title: it ends up in the browser history.
    assert f"<title>Change personal details, Liaison ID {person_a.pk} – Liaison</title>" in html
    assert 'name="version" value="1"' in html
    assert 'name="given_name" type="text" value="Alex"' in html
    assert 'name="family_name" type="text" value="Rivers"' in html
    assert 'name="date_of_birth-year" type="text" inputmode="numeric" autocomplete="off" value="1990"' in html
    assert 'id="id_veteran" name="veteran" type="radio" value="yes" checked' in html
    assert 'name="care_leaver" type="radio" value="not_known" checked' in html
    assert 'value="NT1 4AB"' in html
    assert "<script>" not in html  # no inline scripts


def test_the_record_links_to_the_form_for_practitioners(practitioner_client, person_a):
    html = practitioner_client.get(f"/people/{person_a.pk}/").content.decode()
    assert f'href="/people/{person_a.pk}/edit"' in html


def test_saving_changes_only_what_was_changed_and_audits_which_fields(
    practitioner_client, practitioner, person_a, team_a
):
    number = nhs_number(7)
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    data = _form(
        person_a,
        preferred_name="Al",
        nhs_number=spaced,
        pnc_id=pnc_id().lower(),
        postcode="nt1  4ab",
        veteran="no",
        easy_read="on",
    )
    response = practitioner_client.post(_edit(person_a), data)
    assert response.status_code == 302
    assert response["Location"] == f"/people/{person_a.pk}/"
    person_a.refresh_from_db()
    assert (person_a.preferred_name, person_a.nhs_number, person_a.pnc_id) == ("Al", number, pnc_id())
    assert (person_a.postcode, person_a.veteran, person_a.easy_read) == ("NT1 4AB", False, True)
    assert (person_a.given_name, person_a.version) == ("Alex", 2)
    event = AuditEvent.objects.get(action="person.update")
    assert (event.actor_id, event.person_id, event.team_id) == (practitioner.pk, person_a.pk, team_a.pk)
    assert event.detail == {
        "fields": ["easy_read", "nhs_number", "pnc_id", "postcode", "preferred_name", "veteran"]
    }
    page = practitioner_client.get(response["Location"]).content.decode()
    assert "Personal details saved." in page
    assert "Al" in page and "NT1 4AB" in page


def test_a_changed_name_is_found_by_search(practitioner_client, person_a):
    practitioner_client.post(_edit(person_a), _form(person_a, family_name="Brooks"))
    person_a.refresh_from_db()
    assert (person_a.family_name, person_a.family_name_search) == ("Brooks", "brooks")


def test_the_date_of_birth_can_be_cleared_when_it_was_wrong(practitioner_client, person_a):
    data = _form(person_a, **{"date_of_birth-day": "", "date_of_birth-month": "", "date_of_birth-year": ""})
    assert practitioner_client.post(_edit(person_a), data).status_code == 302
    person_a.refresh_from_db()
    assert person_a.date_of_birth is None


def test_saving_with_nothing_changed_saves_nothing(practitioner_client, person_a):
    response = practitioner_client.post(_edit(person_a), _form(person_a))
    assert response.status_code == 302
    person_a.refresh_from_db()
    assert person_a.version == 1
    assert not AuditEvent.objects.filter(action="person.update").exists()
    assert "nothing was saved" in practitioner_client.get(response["Location"]).content.decode()


def test_bad_input_is_explained_beside_each_field_and_what_was_typed_is_kept(practitioner_client, person_a):
    data = _form(
        person_a,
        given_name="",
        nhs_number="123 456 7890",
        **{"date_of_birth-day": "31", "date_of_birth-month": "2", "date_of_birth-year": "1990"},
        preferred_name="Ally",
        communication_needs="Speaks slowly",
    )
    response = practitioner_client.post(_edit(person_a), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("nhsuk-error-summary__list") == 1
    assert "<title>Error: Change personal details" in html
    assert '<a href="#id_given_name">Enter the person&#x27;s first name</a>' in html
    assert '<a href="#id_date_of_birth-day">Date of birth must be a real date</a>' in html
    assert 'href="#id_nhs_number">Enter a valid NHS number' in html
    assert 'id="id_given_name-error"' in html  # and inline, beside the field
    assert 'value="123 456 7890"' in html and 'value="Ally"' in html
    assert 'value="31"' in html and "Speaks slowly</textarea>" in html
    person_a.refresh_from_db()
    assert (person_a.given_name, person_a.preferred_name, person_a.version) == ("Alex", "", 1)


def test_a_postcode_and_no_fixed_abode_together_are_refused(practitioner_client, person_a):
    data = _form(person_a, postcode="NT1 4AB", no_fixed_abode="on")
    html = practitioner_client.post(_edit(person_a), data).content.decode()
    assert "Enter a postcode or select no fixed abode, not both" in html
    assert 'name="no_fixed_abode" type="checkbox" value="on" checked' in html


def test_a_service_only_rule_lands_beside_its_field(practitioner_client, person_a):
    data = _form(person_a, **{"date_of_birth-year": "1850"})
    html = practitioner_client.post(_edit(person_a), data).content.decode()
    assert '<a href="#id_date_of_birth-day">Date of birth must be within the last 120 years</a>' in html
    person_a.refresh_from_db()
    assert person_a.version == 1


# --- two editors ----------------------------------------------------------------------------------


def test_the_second_of_two_editors_is_told_and_keeps_what_they_typed(
    practitioner_client, lead_client, person_a
):
    # Both open the form at version 1.
    assert 'name="version" value="1"' in practitioner_client.get(_edit(person_a)).content.decode()
    assert 'name="version" value="1"' in lead_client.get(_edit(person_a)).content.decode()
    # The team lead saves first.
    assert lead_client.post(_edit(person_a), _form(person_a, preferred_name="Lex")).status_code == 302
    # The practitioner's save, made against version 1, must not overwrite it.
    mine = _form(person_a, pnc_id=pnc_id(), communication_needs="Needs a hearing loop")
    response = practitioner_client.post(_edit(person_a), mine)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this record after you opened it" in html
    assert html.count("nhsuk-error-summary__list") == 1
    assert "<title>Error: Change personal details" in html
    # What was typed is still there, and the form now carries the current version.
    assert f'value="{pnc_id()}"' in html and "Needs a hearing loop</textarea>" in html
    assert 'name="version" value="2"' in html
    # The page shows what the record says now where it differs from the entries.
    assert 'id="saved-now"' in html
    assert "Preferred name</dt>" in html and ">Lex</dd>" in html
    person_a.refresh_from_db()
    assert (person_a.preferred_name, person_a.pnc_id, person_a.version) == ("Lex", "", 2)
    assert AuditEvent.objects.filter(action="person.update").count() == 1

    # Saving again, having seen the other change, is a deliberate decision and goes through.
    again = _form(person_a, pnc_id=pnc_id(), communication_needs="Needs a hearing loop")
    assert practitioner_client.post(_edit(person_a), again).status_code == 302
    person_a.refresh_from_db()
    assert (person_a.preferred_name, person_a.pnc_id, person_a.version) == ("Lex", pnc_id(), 3)


def test_a_save_that_loses_the_race_inside_the_service_is_a_conflict_too(
    practitioner_client, team_lead, person_a, monkeypatch
):
    """The version matched when the page checked it, then someone saved before the update ran."""

    def someone_else_first(**kwargs):
        person_update(actor=team_lead, person=kwargs["person"], version=1, team_id=None, given_name="Alexa")
        return person_update(**kwargs)

    monkeypatch.setattr(views, "person_update", someone_else_first)
    response = practitioner_client.post(_edit(person_a), _form(person_a, preferred_name="Al"))
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this record" in html
    assert 'name="version" value="2"' in html and 'value="Al"' in html
    person_a.refresh_from_db()
    assert (person_a.given_name, person_a.preferred_name) == ("Alexa", "")


def test_a_missing_version_is_treated_as_a_conflict_not_a_blind_save(practitioner_client, person_a):
    data = _form(person_a, preferred_name="Al")
    del data["version"]
    response = practitioner_client.post(_edit(person_a), data)
    assert response.status_code == 409
    person_a.refresh_from_db()
    assert person_a.preferred_name == ""


def test_stale_write_is_the_service_answer_for_an_old_version(practitioner, person_a, team_a):
    person_update(actor=practitioner, person=person_a, version=1, team_id=team_a.pk, preferred_name="A")
    with pytest.raises(StaleWrite):
        person_update(actor=practitioner, person=person_a, version=1, team_id=team_a.pk, preferred_name="B")


# --- who may -------------------------------------------------------------------------------------


def test_support_worker_can_view_the_record_but_not_change_it(team_a, person_a):
    client = Client()
    client.force_login(member(team_a, Role.SUPPORT_WORKER))
    page = client.get(f"/people/{person_a.pk}/")
    assert page.status_code == 200
    assert f'href="/people/{person_a.pk}/edit"' not in page.content.decode()
    form = client.get(_edit(person_a))
    assert form.status_code == 403
    assert "You cannot do this" in form.content.decode()
    posted = client.post(_edit(person_a), _form(person_a, given_name="Changed"))
    assert posted.status_code == 403
    person_a.refresh_from_db()
    assert (person_a.given_name, person_a.version) == ("Alex", 1)
    assert not AuditEvent.objects.filter(action="person.update").exists()


def test_team_lead_can_change_details(lead_client, person_a):
    assert lead_client.post(_edit(person_a), _form(person_a, preferred_name="Lex")).status_code == 302


@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_gets_404_and_is_audited(outsider_client, outsider, person_a, method):
    if method == "get":
        response = outsider_client.get(_edit(person_a))
    else:
        response = outsider_client.post(_edit(person_a), _form(person_a, given_name="Changed"))
    assert response.status_code == 404
    assert b"Rivers" not in response.content
    event = AuditEvent.objects.get(action="access.denied")
    assert (event.actor_id, event.person_id) == (outsider.pk, person_a.pk)
    person_a.refresh_from_db()
    assert (person_a.given_name, person_a.version) == ("Alex", 1)


def test_commissioner_gets_404(commissioner_client, person_a):
    assert commissioner_client.get(_edit(person_a)).status_code == 404


def test_every_problem_shows_at_once_including_the_services_own_rules(practitioner_client, person_a):
    data = _form(person_a, given_name="", **{"date_of_birth-year": "1850"})
    html = practitioner_client.post(_edit(person_a), data).content.decode()
    assert '<a href="#id_given_name">' in html
    assert '<a href="#id_date_of_birth-day">Date of birth must be within the last 120 years</a>' in html
