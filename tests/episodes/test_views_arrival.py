"""Recording a new custody arrival: one form for the person and the episode, and a second step, "is
this the same person?", when the team already knows someone who could be them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from liaison.core.models import AuditEvent, Role
from liaison.episodes.models import Episode
from liaison.matching.services import match_keys_refresh
from liaison.people.models import Person
from tests.factories import EpisodeFactory, PersonFactory, member


def _form(default_site, **overrides):
    arrived = timezone.localtime() - dt.timedelta(hours=1)
    data = {
        "given_name": "Morgan",
        "family_name": "Testcase",
        "date_of_birth-day": "9",
        "date_of_birth-month": "2",
        "date_of_birth-year": "2001",
        "sex": "1",
        "ethnicity": "A",
        "nhs_number": "943 476 5919",
        "pnc_id": "",
        "postcode": "ls1 4ap",
        "language": "English",
        "interpreter_needed": "no",
        "communication_needs": "Prefers short sentences",
        "site": str(default_site.pk),
        "pathway_point": "police_custody",
        "referral_source": "E1",
        "offence_category": "theft",
        "custody_number": "NT-0001-26",
        "arrival_at-day": str(arrived.day),
        "arrival_at-month": str(arrived.month),
        "arrival_at-year": str(arrived.year),
        "arrival_at-hour": f"{arrived.hour:02d}",
        "arrival_at-minute": f"{arrived.minute:02d}",
        "allocated_worker": "",
    }
    data.update(overrides)
    return data


def test_the_form_has_labelled_fields_and_nhs_date_inputs(practitioner_client, site_a):
    html = practitioner_client.get("/arrivals/new").content.decode()
    assert "<title>Record a new arrival – Liaison</title>" in html
    assert '<label class="nhsuk-label" for="id_given_name">First name</label>' in html
    assert '<legend class="nhsuk-fieldset__legend">Date of birth</legend>' in html
    for part in ("day", "month", "year"):
        assert f'id="id_date_of_birth-{part}" name="date_of_birth-{part}"' in html
    assert 'id="id_arrival_at-hour"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert f'<option value="{site_a.pk}" selected>{site_a.name}</option>' in html


def test_a_new_arrival_creates_the_person_and_episode(practitioner_client, practitioner, site_a, team_a):
    response = practitioner_client.post("/arrivals/new", _form(site_a, allocated_worker=str(practitioner.pk)))
    person = Person.objects.get(family_name="Testcase")
    assert response.status_code == 302
    assert response["Location"] == f"/people/{person.pk}/"
    assert person.nhs_number == "9434765919"
    assert person.date_of_birth == dt.date(2001, 2, 9)
    assert person.postcode == "LS1 4AP"
    assert person.interpreter_needed is False
    episode = Episode.objects.get(person=person)
    assert (episode.team, episode.site, episode.allocated_worker) == (team_a, site_a, practitioner)
    assert episode.custody_number == "NT-0001-26"
    assert episode.age_group == "adult"
    assert AuditEvent.objects.filter(action="episode.create", person_id=person.pk).exists()
    page = practitioner_client.get(response["Location"]).content.decode()
    assert "New arrival recorded" in page
    assert "Morgan Testcase" in page


def test_bad_input_shows_every_problem_and_keeps_what_was_typed(practitioner_client, site_a):
    data = _form(
        site_a,
        given_name="",
        family_name="Keptname",
        **{"date_of_birth-month": "", "nhs_number": "943 476 5918", "pnc_id": "05/123456X"},
    )
    response = practitioner_client.post("/arrivals/new", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="nhsuk-error-summary"') == 1
    assert "<title>Error: Record a new arrival – Liaison</title>" in html
    assert '<a href="#id_given_name">Enter the person&#x27;s first name</a>' in html
    assert '<a href="#id_date_of_birth-day">Date of birth must include a month</a>' in html
    assert '<a href="#id_nhs_number">Enter a valid NHS number' in html
    assert '<a href="#id_pnc_id">Enter a valid PNC ID' in html
    # Inline messages beside the fields, and the values kept.
    assert 'id="id_given_name-error"' in html
    assert 'value="Keptname"' in html
    assert 'value="943 476 5918"' in html
    assert 'name="date_of_birth-day" type="text" inputmode="numeric" autocomplete="off" value="9"' in html
    assert "Prefers short sentences</textarea>" in html
    assert not Person.objects.filter(family_name="Keptname").exists()


def test_service_rules_land_beside_their_fields(practitioner_client, site_a):
    """The service knows a person cannot be under 10 on arrival; its message goes to date of birth."""
    young = timezone.localdate() - dt.timedelta(days=365 * 8)
    data = _form(
        site_a,
        **{
            "date_of_birth-day": str(young.day),
            "date_of_birth-month": str(young.month),
            "date_of_birth-year": str(young.year),
        },
    )
    html = practitioner_client.post("/arrivals/new", data).content.decode()
    assert '<a href="#id_date_of_birth-day">The person would be under 10 on arrival' in html
    assert not Person.objects.filter(family_name="Testcase").exists()


def test_a_site_of_another_team_is_refused(practitioner_client, site_a, site_b):
    html = practitioner_client.post("/arrivals/new", _form(site_a, site=str(site_b.pk))).content.decode()
    assert "Select one of your team&#x27;s sites" in html
    assert not Episode.objects.filter(site=site_b).exists()


def test_arrival_in_the_future_is_refused(practitioner_client, site_a):
    later = timezone.localtime() + dt.timedelta(days=2)
    data = _form(
        site_a,
        **{
            "arrival_at-day": str(later.day),
            "arrival_at-month": str(later.month),
            "arrival_at-year": str(later.year),
        },
    )
    html = practitioner_client.post("/arrivals/new", data).content.decode()
    assert '<a href="#id_arrival_at-day">Arrival date and time cannot be in the future</a>' in html


def test_support_workers_cannot_record_arrivals(team_a, site_a, client):
    client.force_login(member(team_a, Role.SUPPORT_WORKER))
    assert client.get("/arrivals/new").status_code == 403
    assert client.post("/arrivals/new", _form(site_a)).status_code == 403
    assert not Person.objects.filter(family_name="Testcase").exists()


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.PARTNER])
def test_non_clinical_roles_get_the_no_access_page(team_a, site_a, client, role):
    client.force_login(member(team_a, role))
    response = client.post("/arrivals/new", _form(site_a))
    assert response.status_code == 403
    assert "You cannot see people's records" in response.content.decode()
    assert not Person.objects.exists()


# --- is this the same person? ---------------------------------------------------------------------


@pytest.fixture
def known(site_a):
    """Morgan Testcase, known to team A, born 2 September 2001: the form's 9 February, swapped."""
    person = EpisodeFactory(
        site=site_a,
        person=PersonFactory(
            given_name="Morgan",
            family_name="Testcase",
            date_of_birth=dt.date(2001, 9, 2),
            sex="1",
            communication_needs="Uses a hearing aid",
        ),
        custody_number="NT-0099-25",
    ).person
    match_keys_refresh(person_ids=[person.pk])
    return person


def _answer(default_site, person, **overrides):
    return _form(default_site, step="same_person", same_person=str(person), **overrides)


def test_a_possible_match_asks_is_this_the_same_person_and_saves_nothing(
    practitioner_client, practitioner, site_a, known
):
    response = practitioner_client.post("/arrivals/new", _form(site_a))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Is this the same person? – Record a new arrival – Liaison</title>" in html
    assert (
        '<label class="nhsuk-label nhsuk-radios__label" for="id_same_person">This is Morgan Testcase</label>'
        in html
    )
    assert "day and month swapped" in html and "Very likely the same person" in html
    assert 'value="new"' in html and "None of these: a new person" in html
    # Everything typed rides along in the form (a POST body), to be saved on the next step.
    for name, value in [
        ("given_name", "Morgan"),
        ("date_of_birth-day", "9"),
        ("nhs_number", "943 476 5919"),
        ("communication_needs", "Prefers short sentences"),
        ("custody_number", "NT-0001-26"),
        ("arrival_at-hour", _form(site_a)["arrival_at-hour"]),
    ]:
        assert f'<input type="hidden" name="{name}" value="{value}">' in html
    assert '<input type="hidden" name="step"' not in html  # the buttons say which step
    assert Person.objects.count() == 1 and Episode.objects.count() == 1
    shown = AuditEvent.objects.get(action="match.candidates")
    assert shown.detail["person_ids"] == [known.pk] and "Morgan" not in str(shown.detail)
    assert shown.actor_id == practitioner.pk


def test_confirming_the_person_opens_the_episode_on_their_record(
    practitioner_client, practitioner, site_a, team_a, known
):
    response = practitioner_client.post(
        "/arrivals/new", _answer(site_a, known.pk, allocated_worker=str(practitioner.pk))
    )
    assert response.status_code == 302 and response["Location"] == f"/people/{known.pk}/"
    assert Person.objects.count() == 1  # nobody new
    episode = Episode.objects.get(custody_number="NT-0001-26")
    assert (episode.person, episode.team, episode.site) == (known, team_a, site_a)
    assert episode.allocated_worker == practitioner and episode.offence_category == "theft"
    # The record keeps its own details: what was typed differently is not written over them.
    known.refresh_from_db()
    assert known.date_of_birth == dt.date(2001, 9, 2) and known.communication_needs == "Uses a hearing aid"
    assert AuditEvent.objects.filter(action="episode.create", person_id=known.pk).exists()
    # The answer shows nobody, so the engine is not asked (or audited) again.
    assert not AuditEvent.objects.filter(action="match.candidates").exists()
    page = practitioner_client.get(response["Location"]).content.decode()
    assert "New arrival added to their existing record" in page


def test_none_of_these_creates_a_new_person_as_before(practitioner_client, site_a, known):
    response = practitioner_client.post("/arrivals/new", _answer(site_a, "new"))
    person = Person.objects.exclude(pk=known.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/people/{person.pk}/"
    assert (person.given_name, person.date_of_birth) == ("Morgan", dt.date(2001, 2, 9))
    assert person.communication_needs == "Prefers short sentences"
    assert Episode.objects.get(custody_number="NT-0001-26").person == person


def test_no_answer_asks_again_with_the_error_beside_the_question(practitioner_client, site_a, known):
    response = practitioner_client.post("/arrivals/new", _form(site_a, step="same_person"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Is this the same person?" in html
    assert '<a href="#id_same_person">Select the person this is, or a new person</a>' in html
    assert 'id="id_same_person-error"' in html and 'id="id_same_person"' in html
    assert '<input type="hidden" name="given_name" value="Morgan">' in html
    assert Person.objects.count() == 1 and Episode.objects.count() == 1
    garbled = practitioner_client.post("/arrivals/new", _answer(site_a, "someone"))
    assert "Select one of the people offered, or a new person" in garbled.content.decode()


def test_change_the_details_goes_back_with_everything_typed(practitioner_client, site_a, known):
    response = practitioner_client.post("/arrivals/new", _form(site_a, step="details"))
    html = response.content.decode()
    assert "<title>Record a new arrival – Liaison</title>" in html
    assert 'class="nhsuk-error-summary"' not in html
    assert 'value="Morgan"' in html and "Prefers short sentences</textarea>" in html
    assert 'name="date_of_birth-day" type="text" inputmode="numeric" autocomplete="off" value="9"' in html
    assert Person.objects.count() == 1
    # Changed and saved again: asked again, because the details may now match someone else.
    again = practitioner_client.post("/arrivals/new", _form(site_a, **{"date_of_birth-day": "2"}))
    assert "Is this the same person?" in again.content.decode()


def test_a_person_of_another_team_cannot_be_confirmed(practitioner_client, practitioner, site_a, site_b):
    stranger = EpisodeFactory(
        site=site_b,
        person=PersonFactory(given_name="Morgan", family_name="Testcase", date_of_birth=dt.date(2001, 2, 9)),
    ).person
    match_keys_refresh(person_ids=[stranger.pk])
    # Never offered: the details alone go straight through to a new person.
    first = practitioner_client.post("/arrivals/new", _form(site_a, custody_number="NT-A"))
    assert first.status_code == 302
    assert not AuditEvent.objects.filter(action="match.candidates").exists()
    # A forged answer naming them gets the same audited 404 as any person the team may not see.
    response = practitioner_client.post("/arrivals/new", _answer(site_a, stranger.pk, custody_number="NT-B"))
    assert response.status_code == 404
    assert "Testcase" not in response.content.decode()
    denied = AuditEvent.objects.get(action="access.denied", actor_id=practitioner.pk)
    assert (denied.object_type, denied.person_id) == ("person", stranger.pk)
    assert not Episode.objects.filter(custody_number="NT-B").exists()
    assert list(Episode.objects.filter(person=stranger).values_list("site", flat=True)) == [site_b.pk]
