"""The duplicate batch over the whole database, its review, and the command."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from liaison.core.errors import NotPermitted
from liaison.core.models import AuditEvent
from liaison.matching.models import DuplicatePair, PairStatus
from liaison.matching.queries import duplicate_queue
from liaison.matching.services import duplicate_pair_review, duplicates_find
from tests.factories import EpisodeFactory, PersonFactory

DOB = dt.date(1984, 2, 9)


@pytest.fixture
def people(site_a, site_b):
    """One person recorded twice (at two teams), and two different people who share a surname."""
    first = EpisodeFactory(
        site=site_a,
        person=PersonFactory(
            given_name="Rebecca", family_name="Greenhalgh", date_of_birth=DOB, sex="2", postcode="KX4 7RT"
        ),
    ).person
    second = EpisodeFactory(
        site=site_b,
        person=PersonFactory(
            given_name="Becky", family_name="Greenhalg", date_of_birth=dt.date(1984, 9, 2), sex="2"
        ),
    ).person
    EpisodeFactory(
        site=site_a,
        person=PersonFactory(
            given_name="Trevor", family_name="Greenhalgh", date_of_birth=dt.date(1950, 1, 3), sex="1"
        ),
    )
    EpisodeFactory(
        site=site_a,
        person=PersonFactory(given_name="Amy", family_name="Okafor", date_of_birth=DOB, sex="2"),
    )
    return first, second


def test_finds_the_duplicate_and_only_the_duplicate(people):
    first, second = people
    run = duplicates_find()
    pair = DuplicatePair.objects.get()
    assert (pair.person_a_id, pair.person_b_id) == tuple(sorted((first.pk, second.pk)))
    assert pair.status == PairStatus.OPEN and pair.probability > 0.9
    assert pair.evidence[[e[0] for e in pair.evidence].index("date_of_birth")][:2] == [
        "date_of_birth",
        "swapped",
    ]
    assert (run.people, run.found, run.created) == (4, 1, 1)
    assert AuditEvent.objects.get(action="duplicates.find").detail["found"] == 1


def test_a_second_run_keeps_decisions_and_adds_nothing_twice(people, team_lead, site_a):
    first, second = people
    duplicates_find()
    pair = DuplicatePair.objects.get()
    pair.status = PairStatus.REJECTED
    pair.save()
    run = duplicates_find()
    assert (run.found, run.created, run.kept_decided) == (1, 0, 1)
    assert DuplicatePair.objects.get().status == PairStatus.REJECTED


def test_dry_run_records_nothing(people):
    run = duplicates_find(dry_run=True)
    assert run.found == 1
    assert not DuplicatePair.objects.exists()
    assert not AuditEvent.objects.filter(action="duplicates.find").exists()


def test_review_needs_a_lead_whose_team_works_with_both(people, team_lead, team_a, team_b, practitioner):
    duplicates_find()
    pair = DuplicatePair.objects.get()
    # Team A's lead cannot see the record team B holds: not in their queue, and no review.
    assert list(duplicate_queue(user=team_lead)) == []
    with pytest.raises(NotPermitted):
        duplicate_pair_review(actor=team_lead, pair=pair, status=PairStatus.CONFIRMED)
    from liaison.core.models import Membership, Role

    Membership.objects.create(user=team_lead, team=team_b, role=Role.TEAM_LEAD)
    team_lead = type(team_lead).objects.get(pk=team_lead.pk)
    assert list(duplicate_queue(user=team_lead)) == [pair]
    reviewed = duplicate_pair_review(
        actor=team_lead, pair=pair, status=PairStatus.CONFIRMED, note="Same NHS no."
    )
    assert reviewed.status == PairStatus.CONFIRMED
    assert list(reviewed.statuses.values_list("status", "by", "note")) == [
        (PairStatus.CONFIRMED, team_lead.pk, "Same NHS no.")
    ]
    event = AuditEvent.objects.get(action="duplicate_pair.review")
    assert event.detail["person_ids"] == sorted([pair.person_a_id, pair.person_b_id])
    with pytest.raises(ValueError):
        duplicate_pair_review(actor=team_lead, pair=pair, status=PairStatus.MERGED)


def test_find_duplicates_command(people):
    out = StringIO()
    call_command("find_duplicates", "--dry-run", stdout=out)
    assert "Would record 1 possible duplicate pairs" in out.getvalue()
    call_command("find_duplicates", stdout=out)
    assert "1 new" in out.getvalue()
    assert DuplicatePair.objects.count() == 1
