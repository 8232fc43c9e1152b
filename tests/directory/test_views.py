"""The directory pages: browse and search, a service's page, editing (team leads), the team's notes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from liaison.core.models import AuditEvent, Role
from liaison.directory.importer import directory_import
from liaison.directory.models import LocalKnowledge, NamedContact, Schedule, Service, ServiceArea
from tests.directory.samples import dumps, service
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelter(db):
    directory_import(data=dumps([service(1), service(2, name="Advice Line", attributes=[])]))
    return Service.objects.get(id="svc-1")


def _detail(pk):
    return reverse("directory:service_detail", kwargs={"pk": pk})


def test_the_list_searches_and_filters_by_need(practitioner_client, shelter, django_assert_max_num_queries):
    url = reverse("directory:service_list")
    with django_assert_max_num_queries(12):
        page = practitioner_client.get(url).content.decode()
    assert "Night Shelter 1" in page and "Advice Line" in page
    page = practitioner_client.get(url, {"q": "advice"}).content.decode()
    assert "Advice Line" in page and "Night Shelter 1" not in page
    page = practitioner_client.get(url, {"q": "shelter trust 1"}).content.decode()
    assert "Night Shelter 1" in page
    page = practitioner_client.get(url, {"need": "housing"}).content.decode()
    assert "Night Shelter 1" in page and "Advice Line" not in page
    page = practitioner_client.get(url, {"status": "defunct"}).content.decode()
    assert "No services found" in page


def test_the_list_is_paginated(practitioner_client, db):
    directory_import(data=dumps([service(n) for n in range(1, 30)]))
    first = practitioner_client.get(reverse("directory:service_list")).content.decode()
    assert "29 services" in first and first.count('href="/directory/services/') == 25
    second = practitioner_client.get(reverse("directory:service_list"), {"page": 2}).content.decode()
    assert second.count('href="/directory/services/') == 4


def test_the_service_page_says_what_a_practitioner_needs_at_2am(
    practitioner_client, practitioner, team_a, shelter, django_assert_max_num_queries
):
    LocalKnowledge.objects.create(
        team=team_a,
        service=shelter,
        relationship_notes="Ask for the night manager",
        referral_routes=["phone", "self"],
        typical_wait_days=0,
        accepts_from_custody=True,
    )
    NamedContact.objects.create(team=team_a, service=shelter, name="Sam Okafor", role="Night manager")
    with django_assert_max_num_queries(25):
        page = practitioner_client.get(_detail("svc-1")).content.decode()
    for text in [
        "Beds for people with nowhere to sleep tonight.",
        "Aged 18 to 65",
        "Women only",
        "Covers Leeds: postcode areas LS, WF1",
        "Every day, 8pm to 8am (overnight)",
        "Open on bank holidays",
        "1 Park Row",
        "0113 496 0000",
        "Duty desk",
        "Housing",
        "Ask for the night manager",
        "Phone and Self-referral",
        "Sam Okafor",
        "Your team has not referred anyone here yet.",
    ]:
        assert text in page, text


def test_another_teams_notes_and_contacts_are_never_shown(outsider_client, team_a, shelter):
    LocalKnowledge.objects.create(team=team_a, service=shelter, relationship_notes="TEAM-A-SECRET")
    NamedContact.objects.create(team=team_a, service=shelter, name="Hidden Person")
    page = outsider_client.get(_detail("svc-1"))
    assert page.status_code == 200  # the directory itself is shared
    assert b"TEAM-A-SECRET" not in page.content and b"Hidden Person" not in page.content
    assert b"Your team has no notes on this service yet." in page.content


def test_an_unknown_service_is_404(practitioner_client, shelter):
    assert practitioner_client.get(_detail("no-such-service")).status_code == 404


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.PARTNER, Role.ADMIN])
def test_non_clinical_roles_cannot_read_the_directory(client, team_a, shelter, role):
    client.force_login(member(team_a, role))
    assert client.get(reverse("directory:service_list")).status_code == 403
    assert client.get(_detail("svc-1")).status_code == 403


def _form(**changes):
    data = {
        "version": "1",
        "name": "Crisis Café",
        "organization_name": "Mind in Leeds",
        "description": "Somewhere to go in a crisis",
        "status": "active",
        "minimum_age": "18",
        "maximum_age": "",
        "eligible_sex": "any",
        "areas_served": "ls wf1",
        "rows": "2",
        "row0_days": "Friday to Sunday",
        "row0_opens": "18:00",
        "row0_closes": "02:00",
        "row1_days": "",
        "row1_opens": "",
        "row1_closes": "",
        "open_bank_holidays": "on",
        "published": "on",
        "action": "save",
    }
    data.update(changes)
    return data


def test_a_team_lead_adds_a_service_with_opening_times(lead_client):
    response = lead_client.post(reverse("directory:service_new"), _form())
    assert response.status_code == 302
    created = Service.objects.get(name="Crisis Café")
    assert (created.minimum_age, created.published, created.open_bank_holidays) == (18, True, True)
    assert ServiceArea.objects.get(service=created).postcode_prefixes == "LS WF1"
    schedule = Schedule.objects.get(service=created)
    assert (schedule.byday, schedule.opens_at.hour, schedule.closes_at.hour) == ("FR,SA,SU", 18, 2)
    page = lead_client.get(response["Location"]).content.decode()
    assert "Friday to Sunday, 6pm to 2am (overnight)" in page
    assert AuditEvent.objects.filter(action="directory.service_create", object_id=created.id).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"row0_opens": "25:00"},
            "Opening times row 1: the opening time &quot;25:00&quot; is not a time of day",
        ),
        ({"row0_days": "Funday"}, "Opening times row 1: enter the days like Monday to Friday"),
        ({"row0_closes": ""}, "Opening times row 1: enter the closing time"),
        ({"name": ""}, "Enter the service&#x27;s name"),
        (
            {"minimum_age": "30", "maximum_age": "20"},
            "The oldest age must be the same as or more than the youngest",
        ),
        ({"areas_served": "Leeds"}, "LEEDS is not a postcode area"),
    ],
)
def test_bad_input_is_shown_with_what_was_typed_and_nothing_saved(lead_client, changes, message):
    response = lead_client.post(reverse("directory:service_new"), _form(**changes))
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "nhsuk-error-summary" in page and "<title>Error:" in page
    assert not Service.objects.exists()


def test_a_team_lead_edits_a_service_and_a_stale_edit_changes_nothing(lead_client, shelter):
    url = reverse("directory:service_edit", kwargs={"pk": "svc-1"})
    form = lead_client.get(url).content.decode()
    assert 'value="Every day"' in form and 'value="20:00"' in form
    schedule_id = Schedule.objects.get(service=shelter).id
    changes = _form(
        name="Night Shelter (renamed)",
        eligible_sex="female",
        row0_id=schedule_id,
        row0_days="every day",
        row0_opens="21:00",
        row0_closes="08:00",
    )
    assert lead_client.post(url, changes).status_code == 302
    shelter.refresh_from_db()
    assert (shelter.name, shelter.version, shelter.eligible_sex) == ("Night Shelter (renamed)", 2, "female")
    assert Schedule.objects.get(service=shelter).id == schedule_id  # the same row, changed
    stale = lead_client.post(url, _form(name="Someone else's edit"))
    assert stale.status_code == 409
    assert "Someone else changed this service" in stale.content.decode()
    shelter.refresh_from_db()
    assert shelter.name == "Night Shelter (renamed)"


def test_a_practitioner_cannot_edit_a_service(practitioner_client, shelter):
    url = reverse("directory:service_edit", kwargs={"pk": "svc-1"})
    assert practitioner_client.get(url).status_code == 403
    assert practitioner_client.post(url, _form()).status_code == 403
    assert practitioner_client.post(reverse("directory:service_new"), _form()).status_code == 403


def test_adding_a_row_keeps_what_was_typed(lead_client):
    response = lead_client.post(reverse("directory:service_new"), _form(action="add_row", name="Typed"))
    page = response.content.decode()
    assert 'name="row2_days"' in page and 'value="Typed"' in page
    assert not Service.objects.exists()


def _notes(**changes):
    data = {
        "version": "0",
        "referral_routes": ["phone", "form"],
        "how_to_refer": "Ring the duty desk",
        "typical_wait_days": "3",
        "accepts_from_custody": "yes",
        "accepts_from_court": "not_known",
        "relationship_notes": "Good relationship",
    }
    data.update(changes)
    return data


def test_the_team_keeps_its_own_notes_with_a_version_check(practitioner_client, team_a, shelter):
    url = reverse("directory:local_knowledge", kwargs={"pk": "svc-1"})
    assert practitioner_client.post(url, _notes()).status_code == 302
    knowledge = LocalKnowledge.objects.get(team=team_a, service=shelter)
    assert (knowledge.referral_routes, knowledge.typical_wait_days, knowledge.accepts_from_custody) == (
        ["phone", "form"],
        3,
        True,
    )
    assert knowledge.accepts_from_court is None
    stale = practitioner_client.post(url, _notes(how_to_refer="Overwrite"))
    assert stale.status_code == 409
    knowledge.refresh_from_db()
    assert knowledge.how_to_refer == "Ring the duty desk"
    assert practitioner_client.post(url, _notes(version="1", typical_wait_days="-2")).status_code == 200
    assert AuditEvent.objects.filter(action="directory.local_knowledge_update").count() == 1


def test_named_contacts_are_added_and_removed_by_the_team_only(
    practitioner_client, outsider_client, team_a, shelter
):
    add = reverse("directory:contact_new", kwargs={"pk": "svc-1"})
    assert practitioner_client.post(add, {"name": "Sam Okafor", "phone": "0113 496 0001"}).status_code == 302
    contact = NamedContact.objects.get()
    assert contact.team == team_a
    bad = practitioner_client.post(add, {"name": "", "email": "nope"})
    assert "Enter the contact&#x27;s name" in bad.content.decode()
    remove = reverse("directory:contact_remove", kwargs={"pk": "svc-1", "contact_pk": contact.pk})
    assert outsider_client.post(remove).status_code == 404
    assert NamedContact.objects.exists()
    assert practitioner_client.post(remove).status_code == 302
    assert not NamedContact.objects.exists()
    assert AuditEvent.objects.filter(action="directory.contact_remove").exists()


def test_the_header_links_to_the_directory(practitioner_client):
    page = practitioner_client.get(reverse("directory:service_list")).content.decode()
    assert 'aria-current="page"' in page and ">Directory<" in page


def test_the_notes_form_shows_what_the_team_recorded(practitioner_client, team_a, shelter):
    url = reverse("directory:local_knowledge", kwargs={"pk": "svc-1"})
    empty = practitioner_client.get(url)
    assert empty.status_code == 200 and 'name="version" value="0"' in empty.content.decode()
    LocalKnowledge.objects.create(
        team=team_a, service=shelter, referral_routes=["email"], how_to_refer="Email the form", version=4
    )
    page = practitioner_client.get(url).content.decode()
    assert 'value="email" checked' in page and "Email the form" in page and 'value="4"' in page
