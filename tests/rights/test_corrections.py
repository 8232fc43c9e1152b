"""Corrections keep history (old value, new value, who, when, why) and need a reason; disputes are shown
beside the details and resolved with an outcome."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from liaison.core.errors import NotPermitted
from liaison.core.models import AuditEvent, Role
from liaison.people.services import EDITABLE_FIELDS, person_update
from liaison.rights.history import TRACKED_FIELDS
from liaison.rights.models import ChangeVia, FieldChange, FieldDispute
from liaison.rights.services import field_dispute_raise, field_dispute_resolve, person_correct
from tests.rights.conftest import client_for

REASON = "He showed his passport at the court"


def _correct(client, person, field, data, reason=REASON, version=None):
    return client.post(
        f"/people/{person.pk}/corrections/new?field={field}",
        {"field": field, "version": person.version if version is None else version, "reason": reason, **data},
    )


def test_the_history_covers_every_detail_the_record_can_change():
    assert TRACKED_FIELDS == EDITABLE_FIELDS


def test_a_correction_keeps_the_old_value_the_new_one_who_when_and_why(
    practitioner_client, practitioner, person_a
):
    response = _correct(
        practitioner_client,
        person_a,
        "date_of_birth",
        {"date_of_birth-day": "18", "date_of_birth-month": "5", "date_of_birth-year": "1990"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/people/{person_a.pk}/history"
    person_a.refresh_from_db()
    assert person_a.date_of_birth == dt.date(1990, 5, 18)
    change = FieldChange.objects.get()
    assert (change.field, change.old_value, change.new_value) == ("date_of_birth", "1990-05-17", "1990-05-18")
    assert (change.changed_by, change.reason, change.via, change.role) == (
        practitioner,
        REASON,
        ChangeVia.CORRECTION,
        Role.PRACTITIONER,
    )
    assert change.from_version == 1
    # Audited twice: the change (person.update, as every change is) and the correction with its reason.
    assert AuditEvent.objects.filter(action="person.update", person_id=person_a.pk).exists()
    assert AuditEvent.objects.get(action="rights.correct").reason == REASON
    html = practitioner_client.get(response["Location"]).content.decode()
    assert "17 May 1990" in html and "18 May 1990" in html and REASON in html


@pytest.mark.parametrize(
    ("reason", "message"), [("", "Enter why the record was wrong"), ("passport", "at least 10")]
)
def test_a_correction_needs_a_reason(practitioner_client, person_a, reason, message):
    response = _correct(
        practitioner_client, person_a, "given_name", {"given_name": "Alexander"}, reason=reason
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    person_a.refresh_from_db()
    assert person_a.given_name == "Alex" and not FieldChange.objects.exists()


def test_a_correction_to_what_the_record_already_says_is_refused(practitioner, person_a, team_a):
    with pytest.raises(ValidationError, match="already"):
        person_correct(
            actor=practitioner,
            person=person_a,
            version=1,
            team_id=team_a.pk,
            reason=REASON,
            given_name="Alex",
        )


def test_a_correction_made_after_someone_elses_change_saves_nothing(
    practitioner_client, practitioner, person_a, team_a
):
    person_update(actor=practitioner, person=person_a, version=1, team_id=team_a.pk, preferred_name="Al")
    response = _correct(practitioner_client, person_a, "given_name", {"given_name": "Alexander"}, version=1)
    assert response.status_code == 409
    assert "Someone else changed this record" in response.content.decode()
    person_a.refresh_from_db()
    assert person_a.given_name == "Alex"
    assert list(FieldChange.objects.values_list("field", flat=True)) == ["preferred_name"]


def test_every_change_keeps_history_even_from_the_personal_details_page(
    practitioner_client, practitioner, person_a
):
    from liaison.people.forms import PersonEditForm

    data = {k: v for k, v in PersonEditForm.initial_for(person_a).items() if v is not None}
    data.update(
        {
            "given_name": "Alexander",
            "interpreter_needed": "no",
            "veteran": "not_known",
            "care_leaver": "not_known",
            "date_of_birth-day": "17",
            "date_of_birth-month": "5",
            "date_of_birth-year": "1990",
        }
    )
    data.pop("date_of_birth", None)
    response = practitioner_client.post(f"/people/{person_a.pk}/edit", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    change = FieldChange.objects.get()
    assert (change.field, change.old_value, change.new_value, change.via, change.reason) == (
        "given_name",
        "Alex",
        "Alexander",
        ChangeVia.EDIT,
        "",
    )
    html = practitioner_client.get(f"/people/{person_a.pk}/history").content.decode()
    assert "No reason recorded" in html


def test_a_stale_update_keeps_no_history(practitioner, person_a, team_a):
    from liaison.core.errors import StaleWrite

    person_update(actor=practitioner, person=person_a, version=1, team_id=team_a.pk, preferred_name="Al")
    with pytest.raises(StaleWrite):
        person_update(actor=practitioner, person=person_a, version=1, team_id=team_a.pk, preferred_name="Lex")
    assert list(FieldChange.objects.values_list("new_value", flat=True)) == ["Al"]


def test_a_yes_no_detail_is_corrected_with_radios(practitioner_client, person_a):
    response = _correct(practitioner_client, person_a, "easy_read", {"easy_read": "yes"})
    assert response.status_code == 302
    change = FieldChange.objects.get()
    assert (change.old_value, change.new_value) == (False, True)


def test_the_correction_page_asks_which_detail_when_it_was_not_said(practitioner_client, person_a):
    html = practitioner_client.get(f"/people/{person_a.pk}/corrections/new").content.decode()
    assert "Which detail is wrong?" in html and 'value="date_of_birth"' in html
    html = practitioner_client.get(f"/people/{person_a.pk}/corrections/new?field=nhs_number").content.decode()
    assert "Correct nhs number" in html and "The record says" in html


# --- who may -----------------------------------------------------------------------------------------

WHO_MAY = [
    ("practitioner", "history", 200),
    ("team_lead", "history", 200),
    ("support_worker", "history", 200),
    ("commissioner", "history", 404),
    ("partner", "history", 404),
    ("outsider", "history", 404),
    ("practitioner", "correct", 200),
    ("team_lead", "correct", 200),
    ("support_worker", "correct", 403),
    ("commissioner", "correct", 404),
    ("outsider", "correct", 404),
    ("practitioner", "dispute", 200),
    ("team_lead", "dispute", 200),
    ("support_worker", "dispute", 403),
    ("commissioner", "dispute", 404),
    ("outsider", "dispute", 404),
    ("practitioner", "resolve", 200),
    ("support_worker", "resolve", 403),
    ("outsider", "resolve", 404),
]
PAGES = {
    "history": "/people/{p}/history",
    "correct": "/people/{p}/corrections/new?field=given_name",
    "dispute": "/people/{p}/disputes/new",
    "resolve": "/people/{p}/disputes/{d}/resolve",
}


@pytest.fixture
def dispute(practitioner, person_a, team_a):
    return field_dispute_raise(
        actor=practitioner,
        person=person_a,
        team_id=team_a.pk,
        field="family_name",
        person_says="It is Rivers-Lee",
    )


@pytest.mark.parametrize(("who", "page", "status"), WHO_MAY)
def test_who_may_use_the_history_correction_and_dispute_pages(request, person_a, dispute, who, page, status):
    user = request.getfixturevalue(who)
    response = client_for(user).get(PAGES[page].format(p=person_a.pk, d=dispute.pk))
    assert response.status_code == status, (who, page)
    if status == 404:
        assert AuditEvent.objects.filter(action="access.denied", actor_id=user.pk).exists()
        assert "Rivers" not in response.content.decode()


def test_breaking_the_glass_reads_the_history_but_corrects_nothing(
    outsider, outsider_client, person_a, team_b
):
    from liaison.core.services import break_glass_grant

    break_glass_grant(actor=outsider, team=team_b, person_id=person_a.pk, reason="Custody phoned about him")
    assert outsider_client.get(f"/people/{person_a.pk}/history").status_code == 200
    response = _correct(outsider_client, person_a, "given_name", {"given_name": "Changed"})
    assert response.status_code == 403 and "read-only" in response.content.decode()
    with pytest.raises(NotPermitted):
        person_correct(
            actor=outsider, person=person_a, version=1, team_id=team_b.pk, reason=REASON, given_name="Changed"
        )
    person_a.refresh_from_db()
    assert person_a.given_name == "Alex"


# --- disputes ----------------------------------------------------------------------------------------


def test_a_dispute_is_shown_beside_the_details_on_the_person_page(
    practitioner_client, practitioner, person_a
):
    response = practitioner_client.post(
        f"/people/{person_a.pk}/disputes/new",
        {"field": "date_of_birth", "person_says": "I was born on the 18th"},
    )
    assert response.status_code == 302
    dispute = FieldDispute.objects.get()
    assert (dispute.field, dispute.recorded_value, dispute.raised_by) == (
        "date_of_birth",
        "1990-05-17",
        practitioner,
    )
    assert AuditEvent.objects.filter(action="rights.dispute_raise", object_id=str(dispute.pk)).exists()
    html = practitioner_client.get(f"/people/{person_a.pk}/").content.decode()
    details = html[html.index('id="personal-details"') :]
    assert details.index("The person disputes this detail") < details.index(
        'nhsuk-summary-list__key">NHS number'
    )
    assert (
        '<strong>Date of birth</strong> <strong class="nhsuk-tag nhsuk-tag--orange">Disputed</strong>' in html
    )
    assert "I was born on the 18th" in html
    # One open dispute per detail.
    response = practitioner_client.post(
        f"/people/{person_a.pk}/disputes/new", {"field": "date_of_birth", "person_says": "Again"}
    )
    assert "disputed already" in response.content.decode()


def test_resolving_as_corrected_needs_the_correction_first(practitioner, person_a, team_a, dispute):
    with pytest.raises(ValidationError, match="correct it first"):
        field_dispute_resolve(
            actor=practitioner, dispute=dispute, team_id=team_a.pk, outcome="corrected", note="Agreed"
        )
    person_correct(
        actor=practitioner,
        person=person_a,
        version=1,
        team_id=team_a.pk,
        reason=REASON,
        family_name="Rivers-Lee",
    )
    resolved = field_dispute_resolve(
        actor=practitioner, dispute=dispute, team_id=team_a.pk, outcome="corrected", note="Passport seen"
    )
    assert (resolved.outcome, resolved.resolved_by) == ("corrected", practitioner)
    assert AuditEvent.objects.filter(action="rights.dispute_resolve", object_id=str(dispute.pk)).exists()
    with pytest.raises(ValidationError, match="resolved already"):
        field_dispute_resolve(
            actor=practitioner, dispute=resolved, team_id=team_a.pk, outcome="kept", note="x"
        )


@pytest.mark.parametrize(("outcome", "still_shown"), [("kept", "The person disagrees"), ("withdrawn", None)])
def test_a_dispute_not_corrected_stays_beside_the_detail(
    practitioner_client, practitioner, person_a, team_a, dispute, outcome, still_shown
):
    response = practitioner_client.post(
        f"/people/{person_a.pk}/disputes/{dispute.pk}/resolve",
        {"outcome": outcome, "note": "Checked with the court"},
    )
    assert response.status_code == 302
    html = practitioner_client.get(f"/people/{person_a.pk}/").content.decode()
    if still_shown:
        assert still_shown in html and "It is Rivers-Lee" in html
        # Once the record is corrected after all, the mark goes.
        person_correct(
            actor=practitioner,
            person=person_a,
            version=1,
            team_id=team_a.pk,
            reason=REASON,
            family_name="Rivers-Lee",
        )
        html = practitioner_client.get(f"/people/{person_a.pk}/").content.decode()
    assert "It is Rivers-Lee" not in html
    history = practitioner_client.get(f"/people/{person_a.pk}/history").content.decode()
    assert "It is Rivers-Lee" in history and "Checked with the court" in history


def test_a_dispute_of_another_person_is_not_found(practitioner_client, person_a, dispute, site_a):
    from tests.factories import EpisodeFactory

    other = EpisodeFactory(site=site_a).person
    response = practitioner_client.get(f"/people/{other.pk}/disputes/{dispute.pk}/resolve")
    assert response.status_code == 404
