"""Real-time candidates at intake: found despite a misspelt name and a swapped date of birth, only
from people the user's team may know exist, audited, and in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaison.core.models import AuditEvent, AuditEventPerson, Role, User
from liaison.matching.engine import default_model
from liaison.matching.features import NAME_KEY_KINDS, sound
from liaison.matching.models import MatchKey, MergeRecord, TermFrequency
from liaison.matching.queries import intake_record, match_candidates
from liaison.matching.services import duplicates_find, match_keys_rebuild, match_keys_refresh
from liaison.matching.services.keys import tidy
from liaison.people.models import Alias
from liaison.people.services import person_update
from tests.factories import EpisodeFactory, PersonFactory, member

DOB = dt.date(1988, 3, 11)
NHS = "9434765919"


def _person(site, **fields):
    person = EpisodeFactory(site=site, person=PersonFactory(**fields)).person
    match_keys_refresh(person_ids=[person.pk])
    return person


@pytest.fixture
def kieran(site_a):
    return _person(
        site_a,
        given_name="Kieran",
        family_name="Featherstone",
        date_of_birth=DOB,
        sex="1",
        postcode="KX4 7RT",
    )


def test_misspelt_name_and_swapped_date_of_birth_find_the_person(practitioner, kieran, site_a):
    _person(site_a, given_name="Kieran", family_name="Holloway", date_of_birth=dt.date(1979, 6, 2), sex="1")
    arrival = intake_record(
        given_name="Kieron", family_name="Fetherstone", date_of_birth=dt.date(1988, 11, 3), sex="1"
    )
    found = match_candidates(user=practitioner, record=arrival)
    assert [c.person for c in found][:1] == [kieran]
    best = found[0]
    assert best.probability >= default_model().threshold
    levels = {e.field: e.level for e in best.evidence}
    assert levels == {
        "family_name": "close",
        "given_name": "close",
        "date_of_birth": "swapped",
        "sex": "same",
    }
    assert all(e.weight > 0 for e in best.evidence)


def test_nickname_and_other_name_are_compared_too(practitioner, site_a):
    person = _person(site_a, given_name="William", family_name="Ashworth", date_of_birth=DOB, sex="1")
    Alias.objects.create(
        person=person, given_name="Billy", family_name="Kershaw", family_name_search="kershaw"
    )
    match_keys_refresh(person_ids=[person.pk])
    found = match_candidates(
        user=practitioner, record=intake_record(given_name="Bill", family_name="Kershaw", date_of_birth=DOB)
    )
    assert found[0].person == person
    evidence = {e.field: e for e in found[0].evidence}
    assert evidence["family_name"].level == "exact"
    assert "another name" in evidence["family_name"].label


def test_same_nhs_number_finds_the_person_whatever_the_name(practitioner, site_a):
    person = _person(site_a, given_name="Jordan", family_name="Pryce", nhs_number=NHS, date_of_birth=None)
    found = match_candidates(
        user=practitioner,
        record=intake_record(given_name="J", family_name="Price", nhs_number="943 476 5919"),
    )
    assert found[0].person == person
    assert ("nhs_number", "same") in {(e.field, e.level) for e in found[0].evidence}


def test_different_nhs_numbers_count_strongly_against(practitioner, kieran):
    same = intake_record(given_name="Kieran", family_name="Featherstone", date_of_birth=DOB, nhs_number=NHS)
    kieran.nhs_number = "9434765870"
    kieran.save()
    other = match_candidates(user=practitioner, record=same, min_probability=0)
    kieran.nhs_number = ""
    kieran.save()
    unknown = match_candidates(user=practitioner, record=same, min_probability=0)
    assert other[0].probability < unknown[0].probability
    against = next(e for e in other[0].evidence if e.field == "nhs_number")
    assert (against.level, against.weight < -8) == ("different", True)


def test_outsider_team_is_never_offered_people_it_may_not_know_exist(outsider, practitioner, kieran, site_b):
    arrival = intake_record(given_name="Kieran", family_name="Featherstone", date_of_birth=DOB)
    assert match_candidates(user=outsider, record=arrival) == []
    assert not AuditEvent.objects.filter(action="match.candidates", actor_id=outsider.pk).exists()
    # Once team B has its own episode with the person, they know the person exists.
    EpisodeFactory(site=site_b, person=kieran)
    assert [c.person for c in match_candidates(user=outsider, record=arrival)] == [kieran]
    assert [c.person for c in match_candidates(user=practitioner, record=arrival)] == [kieran]


def test_people_without_a_clinical_role_get_no_candidates(team_a, kieran):
    commissioner = member(team_a, Role.COMMISSIONER)
    arrival = intake_record(given_name="Kieran", family_name="Featherstone", date_of_birth=DOB)
    assert match_candidates(user=commissioner, record=arrival) == []


def test_candidates_shown_are_audited_without_the_names_searched_for(practitioner, kieran, team_a):
    arrival = intake_record(given_name="Kieran", family_name="Featherstone", date_of_birth=DOB)
    shown = match_candidates(user=practitioner, record=arrival)
    event = AuditEvent.objects.get(action="match.candidates")
    assert event.actor_id == practitioner.pk
    assert event.team_id == team_a.pk
    assert event.detail["person_ids"] == [c.person.pk for c in shown] == [kieran.pk]
    assert "Featherstone" not in str(event.detail)
    assert list(AuditEventPerson.objects.filter(event_id=event.pk).values_list("person_id", flat=True)) == [
        kieran.pk
    ]


def test_no_candidates_no_audit_event(practitioner, kieran):
    match_candidates(
        user=practitioner,
        record=intake_record(given_name="Zebedee", family_name="Quill", date_of_birth=dt.date(2001, 1, 1)),
    )
    assert not AuditEvent.objects.filter(action="match.candidates").exists()


def test_a_record_merged_into_another_is_not_offered(practitioner, team_lead, kieran, site_a):
    twin = _person(site_a, given_name="Kieran", family_name="Featherstone", date_of_birth=DOB, sex="1")
    MergeRecord.objects.create(survivor=kieran, duplicate=twin, reason="Same person", merged_by=team_lead)
    arrival = intake_record(given_name="Kieran", family_name="Featherstone", date_of_birth=DOB)
    assert [c.person for c in match_candidates(user=practitioner, record=arrival)] == [kieran]


def test_keys_follow_the_names_and_date_of_birth(kieran):
    before = set(MatchKey.objects.filter(person=kieran).values_list("kind", "value"))
    assert {kind for kind, _ in before} == set(NAME_KEY_KINDS)
    kieran.family_name = "Okafor"
    kieran.save()
    match_keys_refresh(person_ids=[kieran.pk])
    after = set(MatchKey.objects.filter(person=kieran).values_list("kind", "value"))
    # Every key that holds the last name changed; first name with postcode ("gp") did not.
    assert after - before and {k for k, _ in after & before} == {"gp"}
    assert all(sound("okafor") in value or "|o|" in value for kind, value in after if kind != "gp")


def test_keys_of_a_person_just_created_are_those_a_refresh_would_write(practitioner, site_a):
    from liaison.people.services import person_create

    person = person_create(
        actor=practitioner,
        team_id=site_a.team_id,
        given_name=" Kieran ",
        family_name="Featherstone-Okafor",
        preferred_name="Kez",
        date_of_birth=DOB,
        postcode="kx4 7rt",
    )
    written = sorted(MatchKey.objects.filter(person=person).values_list("kind", "value"))
    match_keys_refresh(person_ids=[person.pk])
    assert written and sorted(MatchKey.objects.filter(person=person).values_list("kind", "value")) == written


def test_a_changed_date_of_birth_or_postcode_refreshes_the_keys(kieran, practitioner, site_a):
    def keys() -> set[tuple[str, str]]:
        return set(MatchKey.objects.filter(person=kieran).values_list("kind", "value"))

    before = keys()
    kieran = person_update(
        actor=practitioner,
        person=kieran,
        version=kieran.version,
        team_id=site_a.team_id,
        date_of_birth=dt.date(1979, 6, 1),
        postcode="QZ1 1AA",
    )
    after = keys()
    assert ("fy", f"{sound('featherstone')}|1979") in after and ("gp", f"{sound('kieran')}|QZ11AA") in after
    assert not any(value.endswith("|1988") or "KX47RT" in value for _, value in after)
    assert after != before


def _queries_for_search(user_pk: int) -> int:
    user = User.objects.get(pk=user_pk)  # a fresh user object: nothing cached from earlier calls
    arrival = intake_record(given_name="Sam", family_name="Whitworth", date_of_birth=DOB, nhs_number=NHS)
    with CaptureQueriesContext(connection) as captured:
        found = match_candidates(user=user, record=arrival, limit=10)
    assert len(found) == 10
    return len(captured)


def _namesakes(site, count: int) -> None:
    people = [
        EpisodeFactory(
            site=site,
            person=PersonFactory(given_name="Samuel", family_name="Whitworth", date_of_birth=DOB, sex="1"),
        ).person
        for _ in range(count)
    ]
    for person in people[::3]:
        Alias.objects.create(
            person=person, given_name="Sammy", family_name="Whitworth", family_name_search="w"
        )
    match_keys_refresh(person_ids=[p.pk for p in people])


def test_candidate_search_runs_the_same_queries_at_10_and_200_people(practitioner, site_a):
    _namesakes(site_a, 10)
    _queries_for_search(practitioner.pk)  # the very first audit event also creates the chain head
    at_10 = _queries_for_search(practitioner.pk)
    _namesakes(site_a, 190)
    at_200 = _queries_for_search(practitioner.pk)
    assert at_10 == at_200
    # Memberships, name keys, people, their other names, population, then the audit event (chain
    # head, event, per-person index, head update): the same at any size.
    assert at_200 <= 12


def test_intake_weighs_names_by_the_frequencies_the_last_rebuild_kept(practitioner, kieran, site_a):
    for given in ("Amy", "Ben", "Cal"):
        _person(site_a, given_name=given, family_name="Smith", date_of_birth=dt.date(1990, 1, 2))
    arrival = intake_record(
        given_name="Kieran", family_name="Featherstone", date_of_birth=DOB, postcode="KX4 7RT"
    )
    before = match_candidates(user=practitioner, record=arrival)[0]
    assert all(e.share is None for e in before.evidence)  # nothing counted yet: the average weights

    match_keys_rebuild()
    assert TermFrequency.objects.get(kind="*").count == 4
    assert TermFrequency.objects.get(kind="fn", value="smith").count == 3
    assert TermFrequency.objects.get(kind="pc", value="KX47RT").count == 1
    after = match_candidates(user=practitioner, record=arrival)[0]
    shares = {e.field: e.share for e in after.evidence}
    assert shares["family_name"] == shares["given_name"] == shares["postcode"] == 1 / 4
    # One person in four has the name: commoner than the model's average, so it counts for less.
    assert after.match_weight < before.match_weight


def test_the_duplicate_run_keeps_the_frequencies_for_intake(kieran, site_a, team_lead):
    _person(site_a, given_name="Kieran", family_name="Featherstone", date_of_birth=DOB, sex="1")
    duplicates_find(actor=team_lead)
    assert TermFrequency.objects.get(kind="*").count == 2
    assert TermFrequency.objects.get(kind="fn", value="featherstone").count == 2


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_outside_a_transaction_tidies_the_rewritten_tables():
    """VACUUM ANALYZE on PostgreSQL (ANALYZE on SQLite) may only run outside a transaction: a rebuild
    run as the command runs it must not fail there, and the frequencies it kept must stand."""
    PersonFactory(given_name="Kieran", family_name="Featherstone", date_of_birth=DOB)
    people, _ = match_keys_rebuild()
    assert people == 1
    assert TermFrequency.objects.get(kind="fn", value="featherstone").count == 1
    tidy(TermFrequency)  # and on its own, as the duplicate run calls it
