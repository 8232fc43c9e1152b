"""The team lead's duplicate review pages: the queue, a pair side by side, reject, merge through a
confirmation, undo a merge from the kept record's page, the merged-away record's old address, and who
may (a lead whose team works with both people) and who may not (404, audited; a practitioner, 403)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from liaison.core.models import AuditEvent, Role
from liaison.episodes.models import Episode
from liaison.matching.models import DuplicatePair, MergeRecord, PairStatus
from liaison.matching.services import person_merge
from liaison.people.models import Alias, Person
from tests.factories import EpisodeFactory, PersonFactory, member

DOB = dt.date(1991, 7, 4)
EVIDENCE = [["given_name", "nickname", 4.1], ["family_name", "close", 5.2], ["date_of_birth", "exact", 14.0]]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pair_of(first: Person, second: Person, probability: float = 0.97) -> DuplicatePair:
    a, b = sorted((first.pk, second.pk))
    return DuplicatePair.objects.create(
        person_a_id=a,
        person_b_id=b,
        probability=probability,
        match_weight=23.3,
        evidence=EVIDENCE,
        model_version="test",
    )


@pytest.fixture
def people(site_a):
    older = EpisodeFactory(
        site=site_a,
        person=PersonFactory(
            given_name="Jermaine",
            family_name="Walcott",
            date_of_birth=DOB,
            created_at=timezone.now() - dt.timedelta(days=400),
        ),
    ).person
    newer = EpisodeFactory(
        site=site_a, person=PersonFactory(given_name="Jay", family_name="Walcot", date_of_birth=DOB)
    ).person
    return older, newer


@pytest.fixture
def pair(people):
    return _pair_of(*people)


def test_lead_sees_the_queue_most_likely_first_and_it_is_audited(lead_client, team_lead, site_a, pair):
    low = _pair_of(*(EpisodeFactory(site=site_a).person for _ in range(2)), probability=0.7)
    response = lead_client.get(reverse("duplicate_queue"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(reverse("duplicate_pair", args=[pair.pk])) < html.index(
        reverse("duplicate_pair", args=[low.pk])
    )
    assert "Very likely the same person (97%)" in html
    event = AuditEvent.objects.get(action="duplicate_pair.list")
    assert set(event.detail["person_ids"]) == {
        pair.person_a_id,
        pair.person_b_id,
        low.person_a_id,
        low.person_b_id,
    }
    # The menu's Team link is current here; the Team page links to the queue, for team leads.
    assert 'href="/team/" aria-current="page"' in html
    assert 'href="/duplicates"' in lead_client.get("/team/").content.decode()


def test_queue_leaves_out_pairs_with_a_person_the_team_does_not_work_with(lead_client, people, site_b):
    elsewhere = EpisodeFactory(
        site=site_b, person=PersonFactory(given_name="Jay", family_name="Walcott")
    ).person
    _pair_of(people[0], elsewhere)
    assert b"There are no possible duplicate records" in lead_client.get(reverse("duplicate_queue")).content


def test_practitioner_is_refused_the_queue_and_the_pair(practitioner_client, pair):
    response = practitioner_client.get(reverse("duplicate_queue"))
    assert response.status_code == 403
    assert b'href="/duplicates"' not in practitioner_client.get(reverse("worklist")).content
    assert practitioner_client.get(reverse("duplicate_pair", args=[pair.pk])).status_code == 403
    assert practitioner_client.get(reverse("duplicate_pair_merge", args=[pair.pk])).status_code == 403


def test_pair_page_shows_both_records_the_evidence_and_episodes(lead_client, team_lead, pair, people):
    response = lead_client.get(reverse("duplicate_pair", args=[pair.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for person in people:
        assert f"Liaison ID {person.pk}" in html
        episode = person.episodes.get()
        assert escape(episode.team.name) in html and escape(episode.site.name) in html
    assert "Jay, a known short form" in html  # the intake evidence presentation, first record first
    assert "Walcot, spelt nearly the same" in html and "on the other record" in html
    assert "04/07/1991, the same" in html
    event = AuditEvent.objects.get(action="duplicate_pair.view")
    assert event.actor_id == team_lead.pk
    assert event.detail["person_ids"] == sorted(p.pk for p in people)


def test_lead_whose_team_works_with_only_one_gets_404_and_it_is_audited(site_a, site_b, team_b, people):
    lead_b = member(team_b, Role.TEAM_LEAD, "leadb")
    elsewhere = EpisodeFactory(
        site=site_b, person=PersonFactory(given_name="Jay", family_name="Walcott")
    ).person
    pair = _pair_of(people[0], elsewhere)
    client = _client(lead_b)
    for name in ("duplicate_pair", "duplicate_pair_merge"):
        response = client.get(reverse(name, args=[pair.pk]))
        assert response.status_code == 404
        assert b"Jermaine" not in response.content
    assert AuditEvent.objects.filter(action="access.denied", actor_id=lead_b.pk).count() == 2
    assert client.post(reverse("duplicate_pair", args=[pair.pk]), {"note": "x"}).status_code == 404
    assert DuplicatePair.objects.get().status == PairStatus.OPEN


def test_outsider_gets_404_and_is_audited(outsider_client, outsider, pair):
    assert outsider_client.get(reverse("duplicate_pair", args=[pair.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", actor_id=outsider.pk).exists()
    assert outsider_client.get(reverse("duplicate_queue")).status_code == 403


def test_not_the_same_person_needs_a_note_then_rejects_the_pair(lead_client, team_lead, pair):
    url = reverse("duplicate_pair", args=[pair.pk])
    response = lead_client.post(url, {"note": ""})
    assert response.status_code == 200
    assert b"Enter why these are not the same person" in response.content
    response = lead_client.post(url, {"note": "Different NHS numbers"})
    assert response.status_code == 302 and response.url == reverse("duplicate_queue")
    pair.refresh_from_db()
    assert pair.status == PairStatus.REJECTED
    assert list(pair.statuses.values_list("status", "note", "by")) == [
        (PairStatus.REJECTED, "Different NHS numbers", team_lead.pk)
    ]
    assert AuditEvent.objects.filter(action="duplicate_pair.review").exists()
    assert b"no possible duplicate records" in lead_client.get(reverse("duplicate_queue")).content


def test_merge_confirmation_defaults_to_the_older_record_and_says_what_moves(lead_client, pair, people):
    older, newer = people
    Alias.objects.create(person=newer, given_name="J", family_name="Walker", family_name_search="walker")
    response = lead_client.get(reverse("duplicate_pair_merge", args=[pair.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{older.pk}" checked' in html
    assert f"If you keep Liaison ID {older.pk}, from Liaison ID {newer.pk}" in html
    assert "1 episode moves" in html
    assert AuditEvent.objects.filter(action="duplicate_pair.merge_view").exists()


def test_merge_through_the_pages_moves_the_rows_and_is_audited(lead_client, team_lead, pair, people):
    older, newer = people
    episode = newer.episodes.get()
    url = reverse("duplicate_pair_merge", args=[pair.pk])
    response = lead_client.post(url, {"survivor": older.pk, "reason": ""})
    assert b"Enter why these are the same person" in response.content
    assert not MergeRecord.objects.exists()
    response = lead_client.post(url, {"survivor": older.pk, "reason": "Same custody record and birthday"})
    assert response.status_code == 302 and response.url == reverse("person_detail", args=[older.pk])
    assert Episode.objects.get(pk=episode.pk).person_id == older.pk
    record = MergeRecord.objects.get()
    assert (record.survivor_id, record.duplicate_id, record.merged_by_id) == (
        older.pk,
        newer.pk,
        team_lead.pk,
    )
    pair.refresh_from_db()
    assert pair.status == PairStatus.MERGED
    assert set(AuditEvent.objects.filter(object_type="merge").values_list("action", "person_id")) == {
        ("person.merge", older.pk),
        ("person.merged", newer.pk),
    }
    # The kept record's page lists the merge, with its undo for the lead.
    html = lead_client.get(reverse("person_detail", args=[older.pk])).content.decode()
    assert "Merged records" in html
    assert reverse("person_unmerge", args=[older.pk, record.pk]) in html
    # A decided pair has no actions left.
    assert lead_client.get(url).status_code == 403


def test_merge_can_keep_the_newer_record(lead_client, pair, people):
    older, newer = people
    lead_client.post(
        reverse("duplicate_pair_merge", args=[pair.pk]), {"survivor": newer.pk, "reason": "Newer is right"}
    )
    assert MergeRecord.objects.get().survivor_id == newer.pk


def _merged(team_lead, people) -> MergeRecord:
    return person_merge(actor=team_lead, survivor=people[0], duplicate=people[1], reason="Same person")


def test_unmerge_through_the_pages_restores_the_rows(lead_client, team_lead, pair, people):
    older, newer = people
    episode = newer.episodes.get()
    record = _merged(team_lead, people)
    url = reverse("person_unmerge", args=[older.pk, record.pk])
    assert b"Undo this merge" in lead_client.get(url).content
    assert b"Enter why you are undoing this merge" in lead_client.post(url, {"reason": ""}).content
    response = lead_client.post(url, {"reason": "Different NHS numbers after all"})
    assert response.status_code == 302 and response.url == url
    assert Episode.objects.get(pk=episode.pk).person_id == newer.pk
    record.refresh_from_db()
    assert record.unmerged_by_id == team_lead.pk
    html = lead_client.get(url).content.decode()
    assert "was undone" in html and "Everything the merge moved was put back" in html
    assert AuditEvent.objects.filter(action="person.unmerge", person_id=older.pk).exists()
    # Undone merges are listed without an undo link.
    page = lead_client.get(reverse("person_detail", args=[older.pk])).content.decode()
    assert "undone" in page and url not in page


def test_unmerge_shows_what_could_not_be_restored(lead_client, team_lead, pair, people):
    older, newer = people
    alias = Alias.objects.create(
        person=newer, given_name="J", family_name="Walker", family_name_search="walker"
    )
    record = _merged(team_lead, people)
    Alias.objects.filter(pk=alias.pk).delete()  # removed from the kept record after the merge
    url = reverse("person_unmerge", args=[older.pk, record.pk])
    lead_client.post(url, {"reason": "Different people"})
    html = lead_client.get(url).content.decode()
    assert "1 row could not be put back" in html
    assert f"people.alias {alias.pk}: deleted since the merge" in html


def test_unmerge_is_the_lead_s_only(practitioner_client, outsider_client, outsider, team_lead, people):
    record = _merged(team_lead, people)
    url = reverse("person_unmerge", args=[people[0].pk, record.pk])
    assert practitioner_client.get(url).status_code == 403
    assert practitioner_client.post(url, {"reason": "x"}).status_code == 403
    assert outsider_client.get(url).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", actor_id=outsider.pk).exists()
    assert MergeRecord.objects.get().unmerged_at is None
    # The practitioner sees the merge on the record, without the undo.
    html = practitioner_client.get(reverse("person_detail", args=[people[0].pk])).content.decode()
    assert "Merged records" in html and url not in html


@pytest.mark.parametrize("address", ["person_merged", "person_detail"])
def test_merged_away_record_says_where_it_went_and_nothing_else(
    practitioner_client, team_lead, people, address
):
    older, newer = people
    _merged(team_lead, people)
    # Its own address, and the old person-page address a bookmark or a note may still hold.
    response = practitioner_client.get(reverse(address, args=[newer.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This record was merged into" in html
    assert reverse("person_detail", args=[older.pk]) in html
    assert "Jay" not in html and "Walcot" not in html
    assert AuditEvent.objects.filter(action="person.view_merged", person_id=newer.pk).exists()


def test_merged_away_page_is_404_for_outsiders_and_records_not_merged(
    outsider_client, practitioner_client, team_lead, people
):
    assert practitioner_client.get(reverse("person_merged", args=[people[1].pk])).status_code == 404
    _merged(team_lead, people)
    assert outsider_client.get(reverse("person_merged", args=[people[1].pk])).status_code == 404


def _queue_queries(client: Client) -> int:
    client.get(reverse("duplicate_queue"))  # the session and the team are cached after the first
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("duplicate_queue")).status_code == 200
    return len(queries)


def test_queue_runs_the_same_number_of_queries_at_3_and_30_pairs(lead_client, site_a):
    def add(count: int) -> None:
        for _ in range(count):
            _pair_of(*(EpisodeFactory(site=site_a).person for _ in range(2)))

    add(3)
    at_3 = _queue_queries(lead_client)
    add(27)
    assert _queue_queries(lead_client) == at_3
