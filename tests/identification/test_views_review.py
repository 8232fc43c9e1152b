"""The review worklist and one arrival: scoped, audited, paginated, bounded; mark reviewed, flag,
and open an episode with the person found (by the matching engine, with its evidence) or created."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaison.core.models import AuditEvent, AuditEventPerson, Role
from liaison.episodes.models import Episode, ReferralSource, Stage
from liaison.identification.models import Arrival, ArrivalStatus, EpisodeFlag, FlagSource
from liaison.matching.models import MergeRecord
from liaison.matching.services import match_keys_refresh
from liaison.people.models import Alias, Person
from tests.factories import EpisodeFactory, PersonFactory, member
from tests.identification.conftest import csv_bytes, run_import, when

LIST = "/arrivals/review"


def _names(html: str) -> list[str]:
    return re.findall(r'<a class="nhsuk-link" href="/arrivals/\d+/">([^<]+)</a>', html)


def test_review_list_shows_the_teams_arrivals_newest_first(
    practitioner_client, practitioner, outsider, imported, site_b
):
    run_import(outsider, site_b, csv_bytes(f"{when(0.5)},MB-1,Other,Teamsperson,,,"))
    html = practitioner_client.get(LIST).content.decode()
    assert _names(html) == ["Jordan Blake", "Priya Nandra", "Tom Okello"]
    assert "Teamsperson" not in html
    assert "3 arrivals" in html
    assert "Mental health</strong>" in html and "Officer: MH; self harm" in html
    assert '<strong class="nhsuk-tag nhsuk-tag--pink">Youth</strong>' in html  # Okello, born 2009


def test_review_list_view_is_audited_once_per_page_with_ids_only(
    practitioner_client, practitioner, imported, team_a
):
    practitioner_client.get(LIST)
    event = AuditEvent.objects.get(action="arrival.list")
    assert event.actor_id == practitioner.pk and event.team_id == team_a.pk
    assert event.detail["arrival_ids"] == [a.pk for a in imported]
    assert "Blake" not in str(event.detail)


def test_review_list_is_paginated_and_filtered(practitioner_client, imported, settings):
    settings.PAGE_SIZE = 2
    first = practitioner_client.get(LIST).content.decode()
    assert _names(first) == ["Jordan Blake", "Priya Nandra"]
    assert _names(practitioner_client.get(LIST, {"page": 2}).content.decode()) == ["Tom Okello"]
    assert AuditEvent.objects.filter(action="arrival.list").count() == 2
    imported[0].status = ArrivalStatus.NO_CONCERNS
    imported[0].save()
    assert _names(practitioner_client.get(LIST, {"status": "no_concerns"}).content.decode()) == [
        "Jordan Blake"
    ]


@pytest.mark.parametrize("count", [3, 30])
def test_review_list_runs_a_bounded_number_of_queries(
    practitioner_client, practitioner, site_a, count, django_assert_max_num_queries
):
    rows = [f"{when(n + 1)},KF-{n},Load{n},Test,17/05/1990,Theft,MH; drugs" for n in range(count)]
    run_import(practitioner, site_a, csv_bytes(*rows))
    with django_assert_max_num_queries(14):
        response = practitioner_client.get(LIST)
    assert response.status_code == 200
    assert len(_names(response.content.decode())) == min(count, 25)


def test_mark_reviewed_with_no_concerns_takes_it_off_the_list(practitioner_client, practitioner, imported):
    blake = imported[0]
    response = practitioner_client.post(
        f"/arrivals/{blake.pk}/reviewed", {"version": blake.version, "next": LIST + "?site="}
    )
    assert response.status_code == 302 and response["Location"] == LIST + "?site="
    blake.refresh_from_db()
    assert blake.status == ArrivalStatus.NO_CONCERNS and blake.reviewed_by == practitioner
    assert AuditEvent.objects.filter(action="arrival.review", object_id=str(blake.pk)).exists()
    assert "Jordan Blake" not in practitioner_client.get(LIST).content.decode()


def test_a_stale_review_is_refused_and_nothing_changes(practitioner_client, imported):
    blake = imported[0]
    response = practitioner_client.post(f"/arrivals/{blake.pk}/reviewed", {"version": blake.version + 5})
    assert response.status_code == 409
    assert "Someone else reviewed this arrival" in response.content.decode()
    blake.refresh_from_db()
    assert blake.status == ArrivalStatus.TO_REVIEW


def test_the_arrival_page_is_audited_and_ticks_the_officers_flags(
    practitioner_client, practitioner, imported
):
    blake = imported[0]
    html = practitioner_client.get(f"/arrivals/{blake.pk}/").content.decode()
    assert "Jordan Blake" in html and "KF-1001" in html
    assert re.search(r'value="mental_health" checked', html)
    assert re.search(r'value="self_harm_suicide" checked', html)
    assert not re.search(r'value="autism" checked', html)
    assert AuditEvent.objects.filter(
        action="arrival.view", object_id=str(blake.pk), actor_id=practitioner.pk
    ).exists()


def test_flagging_records_the_practitioners_flags(practitioner_client, practitioner, imported):
    nandra = imported[1]
    response = practitioner_client.post(
        f"/arrivals/{nandra.pk}/flags",
        {"flag-version": nandra.version, "flag-flags": ["autism", "housing"], "flag-note": "Sleeping rough"},
    )
    assert response.status_code == 302
    nandra.refresh_from_db()
    assert nandra.status == ArrivalStatus.FLAGGED and nandra.review_note == "Sleeping rough"
    flags = {(f.flag_id, f.source, f.raised_by_id) for f in nandra.flags.all()}
    assert flags == {
        ("autism", FlagSource.PRACTITIONER, practitioner.pk),
        ("housing", FlagSource.PRACTITIONER, practitioner.pk),
    }
    event = AuditEvent.objects.get(action="arrival.flag")
    assert event.detail == {"added": ["autism", "housing"], "removed": []}


def test_unticking_an_officers_flag_removes_it(practitioner_client, imported):
    blake = imported[0]
    practitioner_client.post(
        f"/arrivals/{blake.pk}/flags", {"flag-version": blake.version, "flag-flags": ["mental_health"]}
    )
    assert list(blake.flags.values_list("flag_id", "source")) == [
        ("mental_health", FlagSource.CUSTODY_RECORD)
    ]


def test_flag_errors_keep_what_was_entered(practitioner_client, imported):
    nandra = imported[1]
    response = practitioner_client.post(
        f"/arrivals/{nandra.pk}/flags", {"flag-version": nandra.version, "flag-note": "Kept note"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Error: " in html and "Select at least one vulnerability" in html
    assert "Kept note" in html
    response = practitioner_client.post(
        f"/arrivals/{nandra.pk}/flags", {"flag-version": nandra.version, "flag-flags": ["not_a_flag"]}
    )
    assert "Select vulnerabilities from the list" in response.content.decode()
    nandra.refresh_from_db()
    assert nandra.status == ArrivalStatus.TO_REVIEW and not nandra.flags.exists()


def _flag(client, arrival, codes=("mental_health",)):
    arrival.refresh_from_db()
    response = client.post(
        f"/arrivals/{arrival.pk}/flags",
        {"flag-version": arrival.version, "flag-flags": list(codes), "open_episode": "1"},
    )
    assert response.status_code == 302 and response["Location"] == f"/arrivals/{arrival.pk}/episode"
    arrival.refresh_from_db()
    return arrival


def test_convert_with_a_new_person(practitioner_client, practitioner, imported, team_a):
    nandra = _flag(practitioner_client, imported[1], ["autism", "housing"])
    page = practitioner_client.get(f"/arrivals/{nandra.pk}/episode").content.decode()
    assert "Nobody your team knows" in page
    response = practitioner_client.post(
        f"/arrivals/{nandra.pk}/episode",
        {
            "episode-version": nandra.version,
            "episode-person": "new",
            "episode-offence_category": "criminal_damage",
        },
    )
    episode = Episode.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/episodes/{episode.pk}/"
    person = episode.person
    assert (person.given_name, person.family_name, str(person.date_of_birth)) == (
        "Priya",
        "Nandra",
        "1985-09-30",
    )
    assert person.registered_by_team_id == team_a.pk
    assert episode.referral_source == ReferralSource.PROACTIVE and episode.stage == Stage.IDENTIFIED
    assert episode.arrival_at == nandra.arrival_at and episode.custody_number == "KF-1002"
    assert episode.offence_category == "criminal_damage"
    assert set(EpisodeFlag.objects.filter(episode=episode).values_list("flag_id", flat=True)) == {
        "autism",
        "housing",
    }
    nandra.refresh_from_db()
    assert nandra.status == ArrivalStatus.EPISODE and nandra.episode == episode
    event = AuditEvent.objects.get(action="arrival.convert")
    assert event.person_id == person.pk and event.detail["person"] == "created"
    # The episode page shows the flags copied across.
    html = practitioner_client.get(f"/episodes/{episode.pk}/").content.decode()
    assert "Autism</strong>" in html and "Practitioner" in html
    # It has left the review list and is on the team's worklist.
    assert "Priya Nandra" not in practitioner_client.get(LIST).content.decode()
    assert "Priya Nandra" in practitioner_client.get("/").content.decode()


def test_convert_with_a_person_the_team_already_knows(
    practitioner_client, practitioner, imported, site_a, site_b
):
    known = EpisodeFactory(
        site=site_a,
        person=PersonFactory(given_name="Jordan", family_name="Blake", date_of_birth="1991-04-12"),
    ).person
    # The same name and birth date in another team: never offered.
    EpisodeFactory(
        site=site_b,
        person=PersonFactory(given_name="Jordan", family_name="Blake", date_of_birth="1991-04-12"),
    )
    blake = _flag(practitioner_client, imported[0], ["mental_health", "self_harm_suicide"])
    page = practitioner_client.get(f"/arrivals/{blake.pk}/episode").content.decode()
    assert f'value="{known.pk}"' in page and "This is Jordan Blake" in page
    assert page.count('name="episode-person"') == 2  # the known person, and "create a new person"
    # The matching engine audits who it offered, once, indexed per person; nothing else repeats it.
    match = AuditEvent.objects.get(action="match.candidates")
    assert match.detail["person_ids"] == [known.pk]
    assert not AuditEvent.objects.filter(action="arrival.match").exists()
    # Being offered as a match shows the person's details: it is on their "who viewed this record".
    assert AuditEventPerson.objects.filter(event_id=match.id, person_id=known.pk).exists()
    response = practitioner_client.post(
        f"/arrivals/{blake.pk}/episode",
        {
            "episode-version": blake.version,
            "episode-person": str(known.pk),
            "episode-offence_category": "theft",
        },
    )
    assert response.status_code == 302
    episode = Episode.objects.get(person=known, custody_number="KF-1001")
    assert Person.objects.filter(family_name="Blake").count() == 2  # nobody new
    flags = {(f.flag_id, f.source) for f in EpisodeFlag.objects.filter(episode=episode)}
    assert flags == {
        ("mental_health", FlagSource.CUSTODY_RECORD),
        ("self_harm_suicide", FlagSource.CUSTODY_RECORD),
    }
    assert AuditEvent.objects.get(action="arrival.convert").detail["person"] == "found"
    lead = member(site_a.team, Role.TEAM_LEAD)
    practitioner_client.force_login(lead)
    audit_page = practitioner_client.get(f"/people/{known.pk}/audit").content.decode()
    assert "Saw the person offered as a possible match" in audit_page
    assert "Opened an episode from a custody or court list" in audit_page


def test_a_person_from_another_team_cannot_be_posted(practitioner_client, practitioner, imported, site_b):
    """A forged id gets the audited 404 of any person the team may not see, and nothing changes."""
    stranger = EpisodeFactory(site=site_b).person
    blake = _flag(practitioner_client, imported[0])
    response = practitioner_client.post(
        f"/arrivals/{blake.pk}/episode",
        {
            "episode-version": blake.version,
            "episode-person": str(stranger.pk),
            "episode-offence_category": "theft",
        },
    )
    assert response.status_code == 404
    assert stranger.family_name not in response.content.decode()
    denied = AuditEvent.objects.get(action="access.denied", actor_id=practitioner.pk)
    assert (denied.object_type, denied.person_id) == ("person", stranger.pk)
    assert not Episode.objects.filter(person=stranger).exclude(site=site_b).exists()
    assert Arrival.objects.get(pk=blake.pk).status == ArrivalStatus.FLAGGED


def test_an_unflagged_arrival_cannot_become_an_episode(practitioner_client, imported):
    response = practitioner_client.get(f"/arrivals/{imported[1].pk}/episode")
    assert response.status_code == 409
    assert "Flag at least one vulnerability" in response.content.decode()


def test_a_converted_arrival_sends_you_to_its_episode(practitioner_client, imported):
    nandra = _flag(practitioner_client, imported[1])
    practitioner_client.post(
        f"/arrivals/{nandra.pk}/episode",
        {"episode-version": nandra.version, "episode-person": "new", "episode-offence_category": "other"},
    )
    episode = Episode.objects.get()
    assert practitioner_client.get(f"/arrivals/{nandra.pk}/episode")["Location"] == f"/episodes/{episode.pk}/"
    assert (
        practitioner_client.post(
            f"/arrivals/{nandra.pk}/reviewed", {"version": nandra.version + 2}
        ).status_code
        == 409
    )
    assert Episode.objects.count() == 1


def test_service_errors_from_the_episode_land_on_the_page(practitioner_client, practitioner, site_a):
    run_import(practitioner, site_a, csv_bytes(f"{when(1)},KF-7,Baby,Young,01/01/2020,Theft,"))
    arrival = _flag(practitioner_client, Arrival.objects.get())
    response = practitioner_client.post(
        f"/arrivals/{arrival.pk}/episode",
        {"episode-version": arrival.version, "episode-person": "new", "episode-offence_category": "theft"},
    )
    assert "would be under 10 on arrival" in response.content.decode()
    assert not Episode.objects.exists() and not Person.objects.exists()
    assert Arrival.objects.get().status == ArrivalStatus.FLAGGED


def test_outsider_gets_404_and_is_audited_on_every_arrival_route(outsider_client, outsider, imported):
    blake = imported[0]
    batch_id = blake.batch_id
    for method, url in [
        ("get", f"/arrivals/{blake.pk}/"),
        ("post", f"/arrivals/{blake.pk}/reviewed"),
        ("post", f"/arrivals/{blake.pk}/flags"),
        ("get", f"/arrivals/{blake.pk}/episode"),
        ("post", f"/arrivals/{blake.pk}/episode"),
        ("get", f"/arrivals/imports/{batch_id}/"),
    ]:
        response = getattr(outsider_client, method)(
            url, {"version": 1, "flag-version": 1, "flag-flags": ["adhd"]}
        )
        assert response.status_code == 404, url
        assert "Blake" not in response.content.decode()
    assert AuditEvent.objects.filter(action="access.denied", actor_id=outsider.pk).count() == 6
    blake.refresh_from_db()
    assert blake.status == ArrivalStatus.TO_REVIEW and blake.version == 1
    assert "Blake" not in outsider_client.get(LIST).content.decode()


def test_commissioner_gets_404_on_an_arrival(commissioner_client, commissioner, imported):
    assert commissioner_client.get(f"/arrivals/{imported[0].pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", actor_id=commissioner.pk).exists()


def _candidate_texts(html: str) -> list[str]:
    """Each offered person's label and what the page says about them, as plain text."""
    items = re.findall(r'<div class="nhsuk-radios__item liaison-candidate">(.*?)</div>\s*</div>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def test_a_misspelt_name_and_swapped_birthday_are_offered_with_the_evidence(
    practitioner_client, imported, site_a
):
    """The list says Jordan Blake, 12 April 1991; the team knows Jordan Blayke, 4 December 1991."""
    known = EpisodeFactory(
        site=site_a,
        person=PersonFactory(
            given_name="Jordan", family_name="Blayke", date_of_birth="1991-12-04", nhs_number="9434765919"
        ),
    ).person
    weaker = EpisodeFactory(
        site=site_a,
        person=PersonFactory(given_name="Jorden", family_name="Blake", date_of_birth="1991-06-30"),
    ).person
    match_keys_refresh(person_ids=[known.pk, weaker.pk])
    blake = _flag(practitioner_client, imported[0])
    html = practitioner_client.get(f"/arrivals/{blake.pk}/episode").content.decode()
    first, second = _candidate_texts(html)
    assert first.startswith("This is Jordan Blayke Very likely the same person (")
    assert "NHS number 943 476 5919" in first and f"Liaison ID {known.pk}" in first
    assert "First name: Jordan, the same" in first
    assert "Last name: Blake ↔ , and on their record, Blayke, spelt nearly the same" in first
    assert "Date of birth: 12/04/1991 ↔ , and on their record, 04/12/1991, day and month swapped" in first
    assert second.startswith("This is Jorden Blake")
    assert "Date of birth: 12/04/1991 ↔ , and on their record, 30/06/1991, same year only" in second
    assert "Points to a different person" in second
    assert "None of these: create a new person from the list&#x27;s details" in html
    assert 'value="new" checked' not in html  # with people offered, nothing is chosen for them


def test_the_episode_page_costs_the_same_queries_for_one_candidate_or_many(
    practitioner_client, imported, site_a
):
    blake = _flag(practitioner_client, imported[0])
    url = f"/arrivals/{blake.pk}/episode"

    def offered(count: int) -> tuple[int, int]:
        people = [
            EpisodeFactory(
                site=site_a,
                person=PersonFactory(given_name="Jordan", family_name="Blake", date_of_birth="1991-04-12"),
            ).person
            for _ in range(count)
        ]
        for person in people[::2]:
            Alias.objects.create(
                person=person, given_name="Jay", family_name="Blake", family_name_search="blake"
            )
        match_keys_refresh(person_ids=[p.pk for p in people])
        with CaptureQueriesContext(connection) as queries:
            html = practitioner_client.get(url).content.decode()
        return html.count('name="episode-person"'), len(queries)

    one, few_queries = offered(1)
    many, many_queries = offered(7)
    assert (one, many) == (2, 9)  # the people offered, and "create a new person"
    assert many_queries == few_queries


def test_a_record_merged_into_another_is_not_offered(practitioner_client, imported, site_a, team_a):
    survivor, duplicate = (
        EpisodeFactory(
            site=site_a,
            person=PersonFactory(given_name="Jordan", family_name=family, date_of_birth="1991-04-12"),
        ).person
        for family in ("Blake", "Blak")
    )
    # A standing merge. The duplicate keeps its episode here, so only the merged-away rule hides it
    # (the merge service's moves are tested in tests/matching/test_merge.py).
    MergeRecord.objects.create(
        survivor=survivor, duplicate=duplicate, reason="Same person", merged_by=member(team_a, Role.TEAM_LEAD)
    )
    blake = _flag(practitioner_client, imported[0])
    html = practitioner_client.get(f"/arrivals/{blake.pk}/episode").content.decode()
    assert f'type="radio" value="{survivor.pk}"' in html
    assert f'type="radio" value="{duplicate.pk}"' not in html
    response = practitioner_client.post(
        f"/arrivals/{blake.pk}/episode",
        {
            "episode-version": blake.version,
            "episode-person": str(duplicate.pk),
            "episode-offence_category": "theft",
        },
    )
    assert response.status_code == 404
    assert Arrival.objects.get(pk=blake.pk).status == ArrivalStatus.FLAGGED
