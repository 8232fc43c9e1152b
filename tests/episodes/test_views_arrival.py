"""Recording a new custody arrival: one form for the person and the episode."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from liaison.core.models import AuditEvent, Role
from liaison.episodes.models import Episode
from liaison.people.models import Person
from tests.factories import member


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
