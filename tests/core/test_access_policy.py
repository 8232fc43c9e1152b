"""The access policy as a table: role x relationship x break-glass, including the outsider."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from liaison.core.access import get_person_for_user, person_access, visible_people, visible_person_ids
from liaison.core.models import AuditEvent, BreakGlass, Role
from liaison.core.permissions import OPERATIONS, can
from tests.factories import member

CLINICAL = {Role.PRACTITIONER, Role.SUPPORT_WORKER, Role.ADVISER, Role.TEAM_LEAD}


@pytest.mark.parametrize("role", list(Role.values))
@pytest.mark.parametrize("relationship", ["own_team", "other_team", "glass_active", "glass_expired"])
def test_who_may_see_a_person(person_a, team_a, team_b, role, relationship):
    team = team_a if relationship == "own_team" else team_b
    user = member(team, role)
    if relationship.startswith("glass"):
        expires = timezone.now() + dt.timedelta(minutes=30 if relationship == "glass_active" else -1)
        BreakGlass.objects.create(
            user=user, team=team_b, person=person_a, reason="Called by custody sergeant", expires_at=expires
        )
    expected = role in CLINICAL and relationship in {"own_team", "glass_active"}
    access = person_access(user, person_a.pk)
    assert access.allowed is expected
    assert (person_a in visible_people(user)) is expected
    # The ids a search intersects with the names: the same people, on the same grounds.
    assert (person_a.pk in set(visible_person_ids(user))) is expected
    if expected:
        assert access.via == ("relationship" if relationship == "own_team" else "break_glass")


def test_team_that_recorded_a_person_sees_them_before_any_episode(team_a, team_b):
    from liaison.people.services import person_create

    recorder = member(team_a, Role.PRACTITIONER)
    other = member(team_b, Role.PRACTITIONER)
    person = person_create(actor=recorder, team_id=team_a.pk, given_name="Sam", family_name="Okoro")
    assert person_access(recorder, person.pk).allowed
    assert not person_access(other, person.pk).allowed
    assert list(visible_people(other)) == []
    assert list(visible_person_ids(other)) == []
    assert list(visible_person_ids(recorder)) == [person.pk]


def test_deactivated_user_sees_nothing(person_a, practitioner):
    practitioner.is_active = False
    practitioner.save()
    assert not person_access(practitioner, person_a.pk).allowed


def test_outsider_gets_404_and_is_audited(person_a, outsider):
    with pytest.raises(Http404):
        get_person_for_user(outsider, person_a.pk)
    event = AuditEvent.objects.get(action="access.denied")
    assert event.actor_id == outsider.pk
    assert event.person_id == person_a.pk
    assert not AuditEvent.objects.filter(action="person.view").exists()


def test_missing_person_looks_the_same_as_someone_elses(person_a, practitioner):
    with pytest.raises(Http404):
        get_person_for_user(practitioner, person_a.pk + 1000)
    with pytest.raises(Http404):
        get_person_for_user(practitioner, "not-a-number")
    assert AuditEvent.objects.filter(action="access.denied").count() == 2


def test_every_read_of_a_person_is_audited_with_team_and_role(person_a, practitioner, team_a):
    for _ in range(3):
        get_person_for_user(practitioner, person_a.pk)
    events = AuditEvent.objects.filter(action="person.view", person_id=person_a.pk)
    assert events.count() == 3
    assert {(e.actor_id, e.team_id, e.role) for e in events} == {
        (practitioner.pk, team_a.pk, Role.PRACTITIONER)
    }


EXPECTED_MATRIX = {
    # operation: roles that may do it (in their own team)
    "people.view": CLINICAL,
    "people.edit": {Role.PRACTITIONER, Role.TEAM_LEAD},
    "episodes.create": {Role.PRACTITIONER, Role.TEAM_LEAD},
    "episodes.edit": {Role.PRACTITIONER, Role.TEAM_LEAD},
    "episodes.change_stage": {Role.PRACTITIONER, Role.TEAM_LEAD},
    "episodes.log_contact": CLINICAL,
    "episodes.add_task": CLINICAL,
    "episodes.complete_task": CLINICAL,
    "screening.record": {Role.PRACTITIONER, Role.TEAM_LEAD},
    "assessment.record": {Role.PRACTITIONER, Role.TEAM_LEAD},
    "assessment.plan": CLINICAL,
    "core.view_audit": {Role.TEAM_LEAD},
    "people.merge": {Role.TEAM_LEAD},
    "rights.subject_access": {Role.TEAM_LEAD},
    "rights.correct": {Role.PRACTITIONER, Role.TEAM_LEAD},
    "monitoring.review_alerts": {Role.TEAM_LEAD},
    "rights.retention_propose": {Role.TEAM_LEAD},
    "rights.retention_approve": {Role.TEAM_LEAD, Role.ADMIN},
    "core.break_glass": {Role.PRACTITIONER, Role.TEAM_LEAD},
    "core.manage_accounts": {Role.TEAM_LEAD, Role.ADMIN},
    "identification.view_arrivals": CLINICAL,
    "identification.import_arrivals": {Role.PRACTITIONER, Role.TEAM_LEAD},
    "identification.review_arrivals": {Role.PRACTITIONER, Role.TEAM_LEAD},
    "directory.view": CLINICAL,
    "directory.edit": {Role.TEAM_LEAD},
    "directory.local_knowledge": CLINICAL,
    "referrals.make": CLINICAL,
    "referrals.update": CLINICAL,
    "referrals.appointments": CLINICAL,
    "support.crisis_plan": CLINICAL,
    "outreach.drop_in": CLINICAL,
    "advice.allocate": CLINICAL,
    "advice.record": {Role.ADVISER, Role.TEAM_LEAD},
    "partners.refer": {Role.PARTNER},
    "consent.record": CLINICAL,
    "consent.request_basis": {Role.PRACTITIONER, Role.TEAM_LEAD},
    "consent.approve_basis": {Role.TEAM_LEAD},
    "reports.write": {Role.PRACTITIONER, Role.TEAM_LEAD},
    "reports.sign_off": {Role.TEAM_LEAD},
    "reports.share": {Role.PRACTITIONER, Role.TEAM_LEAD},
    "reports.view_feedback": {Role.PRACTITIONER, Role.TEAM_LEAD},
    "training.record": {Role.PRACTITIONER, Role.TEAM_LEAD},
    "outcomes.view": {Role.TEAM_LEAD, Role.COMMISSIONER},
    "outcomes.drill_down": {Role.TEAM_LEAD},
    "outcomes.export_dataset": {Role.TEAM_LEAD},
    "outcomes.export_fhir": {Role.PRACTITIONER, Role.TEAM_LEAD},
}


def test_the_matrix_covers_every_operation():
    assert set(EXPECTED_MATRIX) == set(OPERATIONS)


@pytest.mark.parametrize("role", list(Role.values))
@pytest.mark.parametrize("operation", sorted(EXPECTED_MATRIX))
def test_role_operation_matrix(team_a, team_b, role, operation):
    user = member(team_a, role)
    assert can(user, operation, team_a) is (role in EXPECTED_MATRIX[operation])
    # The same role gives nothing in a team the user does not belong to.
    assert can(user, operation, team_b) is False


def test_superuser_flag_opens_nothing(person_a, team_b):
    admin = member(team_b, Role.ADMIN)
    admin.is_superuser = True
    admin.save()
    assert not person_access(admin, person_a.pk).allowed
    assert not can(admin, "episodes.create", team_b)


@pytest.mark.parametrize("pk", ["99999999999999999999", str(2**63), "-1", "0"])
def test_out_of_range_ids_are_an_audited_404_not_a_crash(practitioner, person_a, pk):
    with pytest.raises(Http404):
        get_person_for_user(practitioner, pk)
    assert AuditEvent.objects.filter(action="access.denied", object_id=pk[:40]).exists()


def test_out_of_range_id_in_a_page_address_is_a_404(practitioner_client):
    assert practitioner_client.get("/people/99999999999999999999/").status_code == 404
    assert practitioner_client.get("/episodes/99999999999999999999/").status_code == 404
