"""The intake pages use the matching engine: the same presenter and include on the new-arrival form and
the arrivals review, the evidence in words, and nothing shown or confirmable beyond the access policy
(another team's people, a record merged into another, a break-the-glass grant)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from liaison.core.models import AuditEvent, AuditEventPerson, BreakGlass, Role
from liaison.episodes.models import Episode
from liaison.identification.models import Arrival
from liaison.identification.services import arrival_flags_set
from liaison.matching.engine import Evidence, default_model
from liaison.matching.features import COMPARISONS
from liaison.matching.models import MergeRecord
from liaison.matching.presenters import (
    NEW_PERSON,
    SHOWN_IN_ORDER,
    candidate_choices,
    evidence_lines,
    likelihood,
    percent,
)
from liaison.matching.queries import Candidate, intake_record, match_candidates
from liaison.matching.services import match_keys_refresh
from liaison.people.models import Alias, Person
from tests.episodes.test_views_arrival import _form
from tests.factories import EpisodeFactory, PersonFactory, member
from tests.identification.conftest import csv_bytes, run_import, when

DOB = dt.date(1990, 4, 7)


def _known(site, **fields) -> Person:
    fields.setdefault("date_of_birth", DOB)
    person = EpisodeFactory(site=site, person=PersonFactory(**fields)).person
    match_keys_refresh(person_ids=[person.pk])
    return person


def _candidates(html: str) -> list[str]:
    """Each offered person as the page says it, in plain text."""
    items = re.findall(r'<div class="nhsuk-radios__item liaison-candidate">(.*?)</div>\s*</div>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


class Bound:
    """Just what `candidate_choices` reads of a form's bound field."""

    def __init__(self, value: str | None = None) -> None:
        self.auto_id, self.html_name, self._value = "id_who", "who", value

    def value(self) -> str | None:
        return self._value


# --- the presenter ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("probability", "words", "colour"),
    [
        (0.9999, "Very likely the same person (over 99%)", "green"),
        (0.97, "Very likely the same person (97%)", "green"),
        (0.7, "Likely the same person (70%)", "blue"),
        (0.43, "Possibly the same person (43%)", "yellow"),
        (0.05, "Unlikely to be the same person (5%)", "grey"),
        (0.001, "Unlikely to be the same person (under 1%)", "grey"),
    ],
)
def test_the_probability_in_words_and_numbers(probability, words, colour):
    tag = likelihood(probability)
    assert (tag.label, tag.colour) == (words, colour)


def test_percent_never_claims_certainty():
    assert (percent(1.0), percent(0.0), percent(0.5)) == ("over 99%", "under 1%", "50%")
    assert (percent(0.994), percent(0.005), percent(0.01)) == ("99%", "under 1%", "1%")
    assert default_model().threshold > 0.2  # "likely" starts at the model's own threshold


def test_every_comparison_has_a_place_and_words():
    from liaison.matching.features import LEVELS
    from liaison.matching.presenters import LEVEL_WORDS

    assert set(SHOWN_IN_ORDER) == set(COMPARISONS)
    assert {name: set(words) for name, words in LEVEL_WORDS.items()} == {
        name: {code for code, _ in levels} for name, levels in LEVELS.items()
    }


def test_the_evidence_says_what_was_compared_field_by_field(practitioner, site_a):
    person = _known(
        site_a,
        given_name="John",
        family_name="Okafor",
        nhs_number="9434765919",
        postcode="KX4 7RT",
        sex="1",
    )
    record = intake_record(
        given_name="Jon",
        family_name="Okafor",
        date_of_birth=dt.date(1990, 7, 4),
        sex="1",
        nhs_number="943 476 5919",
        postcode="kx4 9ab",
    )
    (found,) = match_candidates(user=practitioner, record=record)
    lines = [line.text for line in evidence_lines(found, record)]
    assert lines == [
        "First name: Jon ↔ John, a known short form",
        "Last name: Okafor, the same",
        "Date of birth: 04/07/1990 ↔ 07/04/1990, day and month swapped",
        "Sex: Male, the same",
        "NHS number: 943 476 5919, the same",
        "Postcode: KX4 9AB ↔ KX4 7RT, same district",
    ]
    assert found.person == person


def test_another_name_they_are_known_by_is_shown_as_theirs(practitioner, site_a):
    person = _known(site_a, given_name="Wilhelmina", family_name="Ashworth")
    Alias.objects.create(
        person=person, given_name="Billie", family_name="Kershaw", family_name_search="kershaw"
    )
    match_keys_refresh(person_ids=[person.pk])
    record = intake_record(given_name="Billie", family_name="Kershow", date_of_birth=DOB)
    (found,) = match_candidates(user=practitioner, record=record)
    texts = [line.text for line in evidence_lines(found, record)]
    assert texts[:2] == [
        "First name: Billie, the same (another name they are known by)",
        "Last name: Kershow ↔ Kershaw, spelt nearly the same (another name they are known by)",
    ]


def test_evidence_against_is_kept_apart_from_evidence_for(practitioner, site_a):
    _known(site_a, given_name="Jordan", family_name="Pryce", sex="2")
    record = intake_record(given_name="Jordan", family_name="Pryce", date_of_birth=DOB, sex="1")
    found = match_candidates(user=practitioner, record=record)
    (row,) = candidate_choices(found, record=record, bound=Bound()).rows
    assert [line.field for line in row.supporting] == ["First name", "Last name", "Date of birth"]
    assert [line.text for line in row.against] == ["Sex: Male ↔ Female, different"]


def test_radio_ids_follow_nhs_frontend_and_keep_the_answer(practitioner, site_a):
    people = [_known(site_a, given_name="Jordan", family_name="Pryce") for _ in range(2)]
    record = intake_record(given_name="Jordan", family_name="Pryce", date_of_birth=DOB)
    found = match_candidates(user=practitioner, record=record)
    choices = candidate_choices(found, record=record, bound=Bound(str(people[1].pk)))
    assert [(r.id, r.checked) for r in choices.rows] == [("id_who", False), ("id_who-2", True)]
    assert (choices.new_id, choices.new_checked) == ("id_who-3", False)
    nobody = candidate_choices([], record=record, bound=Bound(NEW_PERSON))
    assert (bool(nobody), nobody.new_id, nobody.new_checked) == (False, "id_who", True)


def test_a_person_the_engine_did_not_fetch_aliases_for_costs_no_query(
    practitioner, site_a, django_assert_num_queries
):
    _known(site_a, given_name="Jordan", family_name="Pryce")
    record = intake_record(given_name="Jordan", family_name="Pryce", date_of_birth=DOB)
    found = match_candidates(user=practitioner, record=record)
    with django_assert_num_queries(0):
        candidate_choices(found, record=record, bound=Bound())


# --- both intake pages ----------------------------------------------------------------------------------


def _flagged_arrival(practitioner, site, row: str) -> Arrival:
    run_import(practitioner, site, csv_bytes(row))
    arrival = Arrival.objects.latest("pk")
    return arrival_flags_set(
        actor=practitioner, arrival=arrival, version=arrival.version, codes=["adhd"], note=""
    )


def test_both_intake_pages_show_a_candidate_the_same_way(practitioner_client, practitioner, site_a):
    _known(site_a, given_name="Jonathan", family_name="Okafor", date_of_birth=dt.date(1990, 7, 4))
    arrival = _flagged_arrival(practitioner, site_a, f"{when(1)},KF-1,Jon,Okafor,07/04/1990,Theft,")
    from_list = _candidates(practitioner_client.get(f"/arrivals/{arrival.pk}/episode").content.decode())
    typed = _form(
        site_a,
        given_name="Jon",
        family_name="Okafor",
        sex="0",
        nhs_number="",
        postcode="",
        **{"date_of_birth-day": "7", "date_of_birth-month": "4", "date_of_birth-year": "1990"},
    )
    from_form = _candidates(practitioner_client.post("/arrivals/new", typed).content.decode())
    assert from_list == from_form and len(from_list) == 1
    assert "First name: Jon ↔ , and on their record, Jonathan, a known short form" in from_list[0]


def test_each_page_shown_is_audited_once_by_the_engine_and_indexed_per_person(
    practitioner_client, practitioner, site_a
):
    person = _known(site_a, given_name="Jordan", family_name="Pryce")
    arrival = _flagged_arrival(practitioner, site_a, f"{when(1)},KF-2,Jordan,Pryce,07/04/1990,Theft,")
    practitioner_client.get(f"/arrivals/{arrival.pk}/episode")
    typed = _form(site_a, given_name="Jordan", family_name="Pryce", nhs_number="", **{
        "date_of_birth-day": "7", "date_of_birth-month": "4", "date_of_birth-year": "1990"
    })  # fmt: skip
    practitioner_client.post("/arrivals/new", typed)
    events = list(AuditEvent.objects.filter(action="match.candidates"))
    assert len(events) == 2
    assert all(e.detail["person_ids"] == [person.pk] for e in events)
    indexed = AuditEventPerson.objects.filter(person_id=person.pk).values_list("event_id", flat=True)
    assert {e.id for e in events} <= set(indexed)
    assert not AuditEvent.objects.filter(action="arrival.match").exists()
    assert all("Pryce" not in str(e.detail) for e in events)


def test_another_teams_people_are_never_offered_on_either_page(outsider_client, outsider, site_a, site_b):
    _known(site_a, given_name="Jordan", family_name="Pryce")
    arrival = _flagged_arrival(outsider, site_b, f"{when(1)},KF-3,Jordan,Pryce,07/04/1990,Theft,")
    html = outsider_client.get(f"/arrivals/{arrival.pk}/episode").content.decode()
    assert _candidates(html) == [] and "Nobody your team knows" in html
    assert 'type="radio" value="new" checked' in html
    typed = _form(site_b, given_name="Jordan", family_name="Pryce", nhs_number="", **{
        "date_of_birth-day": "7", "date_of_birth-month": "4", "date_of_birth-year": "1990"
    })  # fmt: skip
    response = outsider_client.post("/arrivals/new", typed)
    assert response.status_code == 302  # one step: nobody the outsider's team may know
    assert not AuditEvent.objects.filter(action="match.candidates").exists()


@pytest.fixture
def merged(site_a, team_a):
    """Jordan Pryce, and a duplicate record of him merged into it (still linked to the team)."""
    survivor = _known(site_a, given_name="Jordan", family_name="Pryce")
    duplicate = _known(site_a, given_name="Jordon", family_name="Pryce")
    MergeRecord.objects.create(
        survivor=survivor, duplicate=duplicate, reason="Same person", merged_by=member(team_a, Role.TEAM_LEAD)
    )
    return survivor, duplicate


def test_a_record_merged_away_is_not_offered_confirmable_or_found(practitioner_client, site_a, merged):
    survivor, duplicate = merged
    typed = _form(site_a, given_name="Jordan", family_name="Pryce", nhs_number="", **{
        "date_of_birth-day": "7", "date_of_birth-month": "4", "date_of_birth-year": "1990"
    })  # fmt: skip
    html = practitioner_client.post("/arrivals/new", typed).content.decode()
    assert f'type="radio" value="{survivor.pk}"' in html
    assert f'type="radio" value="{duplicate.pk}"' not in html
    forged = practitioner_client.post(
        "/arrivals/new", {**typed, "step": "same_person", "same_person": str(duplicate.pk)}
    )
    assert forged.status_code == 404
    assert not Episode.objects.filter(custody_number="NT-0001-26").exists()
    # Person search lists the surviving record only.
    found = practitioner_client.post("/people/search", {"name": "pryce"}).content.decode()
    assert "PRYCE, Jordan" in found and "PRYCE, Jordon" not in found
    assert "1 person found" in found


def test_a_break_the_glass_record_can_be_seen_but_not_taken_on(
    practitioner_client, practitioner, site_a, site_b
):
    """Breaking the glass lets a practitioner read a record, never open an episode on it."""
    theirs = _known(site_b, given_name="Jordan", family_name="Pryce")
    BreakGlass.objects.create(
        user=practitioner,
        team=site_a.team,
        person=theirs,
        reason="Unconscious in custody, no details",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    typed = _form(site_a, given_name="Jordan", family_name="Pryce", nhs_number="", **{
        "date_of_birth-day": "7", "date_of_birth-month": "4", "date_of_birth-year": "1990"
    })  # fmt: skip
    response = practitioner_client.post(
        "/arrivals/new", {**typed, "step": "same_person", "same_person": str(theirs.pk)}
    )
    assert response.status_code == 403
    assert "breaking the glass" in response.content.decode()
    assert not Episode.objects.filter(custody_number="NT-0001-26").exists()


def test_candidates_only_come_from_the_engine(practitioner, site_a):
    """The arrivals review keeps its old helper's name for other callers; it is the engine now."""
    from liaison.identification.queries import arrival_candidates, candidate_people

    person = _known(site_a, given_name="Jordan", family_name="Pryce")
    arrival = _flagged_arrival(practitioner, site_a, f"{when(1)},KF-4,Jordon,Pryse,04/07/1990,Theft,")
    found = arrival_candidates(practitioner, arrival)
    assert isinstance(found[0], Candidate) and isinstance(found[0].evidence[0], Evidence)
    assert candidate_people(practitioner, arrival) == [person]
