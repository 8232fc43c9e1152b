"""Merge and unmerge: every row that refers to either person is accounted for before and after, a
failure half-way changes nothing, and an unmerge after later edits keeps those edits."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from liaison.core.errors import NotPermitted
from liaison.core.models import AuditEvent, BreakGlass, Membership, Role
from liaison.demo.models import SyntheticProfile
from liaison.episodes.models import Contact, Episode, Stage
from liaison.matching.models import DuplicatePair, MatchKey, MergeRecord, PairStatus
from liaison.matching.queries import intake_record, match_candidates, merged_into
from liaison.matching.services import (
    MergeRefused,
    match_keys_refresh,
    person_merge,
    person_relations,
    person_unmerge,
)
from liaison.matching.services import merge as merge_module
from liaison.partners.models import PartnerReferral
from liaison.people.models import Alias, Person, PersonContact
from tests.factories import EpisodeFactory, PersonFactory, UserFactory, member

DOB = dt.date(1991, 7, 4)


def _relations_to_person() -> set[tuple[str, str]]:
    """Every field of every model that refers to a person, found independently of the service."""
    found = set()
    for model in apps.get_models(include_auto_created=True):
        for f in model._meta.get_fields():
            if getattr(f, "concrete", False) and f.is_relation and f.related_model is Person:
                found.add((model._meta.label_lower, f.name))
    return found


def snapshot(*people: Person) -> dict[tuple[str, Any, str], Any]:
    """(model, pk, field) -> person id, for every row anywhere that refers to these people (except
    matching's own bookkeeping: its keys are rebuilt, and its pairs and merges name both people)."""
    ids = [p.pk for p in people]
    rows: dict[tuple[str, Any, str], Any] = {}
    for label, field in _relations_to_person():
        if label in merge_module.BOOKKEEPING:
            continue
        model = apps.get_model(label)
        column = model._meta.get_field(field).attname
        for pk, value in model._base_manager.filter(**{f"{column}__in": ids}).values_list("pk", column):
            rows[(label, pk, field)] = value
    return rows


def keys_of(person: Person) -> set[tuple[str, str]]:
    return set(MatchKey.objects.filter(person=person).values_list("kind", "value"))


def person_rows(*people: Person) -> list[dict[str, Any]]:
    return list(Person.objects.filter(pk__in=[p.pk for p in people]).order_by("pk").values())


def sharing(person, episode, by, lead, *, organisation="Northtown Magistrates' Court"):
    """Consent and sharing for one record: a consent to share with the court (with what it covers), one
    with the police since withdrawn, a lawful basis for probation, a court report with two versions, a
    share link with the recipient's feedback, and the disclosures the link and a download made.
    Returns every row made, for the tests to follow."""
    from liaison.consent.models import Consent, ConsentScope, Disclosure, SharingBasis
    from liaison.reports.models import PartnerFeedback, Report, ReportVersion, ShareLink

    now = timezone.now()
    court = Consent.objects.create(
        person=person, team_id=episode.team_id, episode=episode, purpose="sharing", decision="given",
        recorded_by=by, recorded_at=now - dt.timedelta(hours=1),
    )  # fmt: skip
    police = Consent.objects.create(
        person=person, team_id=episode.team_id, episode=episode, purpose="sharing", decision="given",
        recorded_by=by, recorded_at=now - dt.timedelta(hours=2), withdrawn_at=now, withdrawn_by=by,
    )  # fmt: skip
    scopes = [
        ConsentScope.objects.create(consent=court, recipient_kind="court", content_kind="recommendations"),
        ConsentScope.objects.create(consent=police, recipient_kind="police", content_kind="recommendations"),
    ]
    basis = SharingBasis.objects.create(
        person=person, team_id=episode.team_id, episode=episode, recipient_kind="probation",
        content_kinds=["recommendations"], basis="serious_harm", reason="Risk to his partner",
        status="approved", requested_by=by, decided_by=lead, decided_at=now - dt.timedelta(hours=1),
    )  # fmt: skip
    report = Report.objects.create(
        episode=episode, team_id=episode.team_id, kind="court_report", recipient_kind="court", created_by=by
    )
    versions = [
        ReportVersion.objects.create(
            report=report,
            number=n,
            created_by=by,
            updated_by=by,
            sections=[
                {
                    "code": "recommendations",
                    "heading": "Recommendations",
                    "content_kind": "recommendations",
                    "text": f"Version {n}",
                }
            ],
            signed_off_by=lead if n == 1 else None,
            signed_off_at=now if n == 1 else None,
        )  # fmt: skip
        for n in (1, 2)
    ]
    link = ShareLink.objects.create(
        report_version=versions[0], digest=secrets.token_hex(32), recipient_name="Jo Clerk",
        recipient_organisation=organisation, recipient_email="jo@justice.example", recipient_kind="court",
        expires_at=now + dt.timedelta(days=7), created_by=by,
    )  # fmt: skip
    feedback = PartnerFeedback.objects.create(link=link, usefulness=4, what_else="His medication")
    disclosures = [
        Disclosure.objects.create(
            person=person,
            team_id=episode.team_id,
            episode=episode,
            recipient_kind=kind,
            recipient_name=name,
            content_kinds=["recommendations"],
            what="Court report, version 1",
            method=method,
            by=by,
            source_type="report_version",
            source_id=versions[0].pk,
            **(
                {"basis": "consent", "consent": court}
                if kind == "court"
                else {"basis": "lawful_basis", "sharing_basis": basis}
            ),
        )  # fmt: skip
        for kind, name, method in (
            ("court", f"Jo Clerk, {organisation}", "link"),
            ("probation", "Pat Officer, Northtown PDU", "download"),
        )
    ]
    return [court, police, *scopes, basis, report, *versions, link, feedback, *disclosures]


@pytest.fixture
def pair(site_a, practitioner, team_a, team_lead):
    """Two records of one person in team A, each with episodes, names, contacts, consent and sharing,
    reports and more."""
    survivor = EpisodeFactory(
        site=site_a,
        person=PersonFactory(given_name="Jermaine", family_name="Walcott", date_of_birth=DOB, sex="1"),
        stage=Stage.CLOSED,
    ).person
    duplicate = EpisodeFactory(
        site=site_a,
        person=PersonFactory(given_name="Jay", family_name="Walcot", date_of_birth=DOB, sex="1"),
        allocated_worker=practitioner,
    ).person
    episode = duplicate.episodes.get()
    EpisodeFactory(site=site_a, person=duplicate, stage=Stage.CLOSED)
    Contact.objects.create(
        episode=episode, at=timezone.now(), channel="in_person", successful=True, by=practitioner, note="Seen"
    )
    Alias.objects.create(person=duplicate, given_name="J", family_name="Walker", family_name_search="walker")
    Alias.objects.create(person=survivor, given_name="", family_name="Wolcott", family_name_search="wolcott")
    PersonContact.objects.create(person=duplicate, relationship="next_of_kin", name="Marcia Walcott")
    PersonContact.objects.create(person=survivor, relationship="carer", name="Leon Grant")
    for person in (survivor, duplicate):
        SyntheticProfile.objects.create(
            person=person,
            seed=1,
            severe_mental_illness=False,
            depression_or_anxiety=True,
            alcohol_or_drug_dependence=False,
            personality_disorder=False,
            other_mental_health_problem=False,
            any_diagnosable_mental_health_problem=True,
            two_or_more_mental_health_problems=False,
        )
    partner = member(team_a, Role.PARTNER)
    PartnerReferral.objects.create(
        reference="REF-0001",
        team=team_a,
        site=site_a,
        referred_by=partner,
        source="police",
        urgency="routine",
        reason="Seemed very low",
        given_name="Jay",
        family_name="Walcot",
        person=duplicate,
        episode=episode,
    )
    BreakGlass.objects.create(
        user=UserFactory(), team=team_a, person=duplicate, reason="Crisis call", expires_at=timezone.now()
    )
    sharing(duplicate, episode, practitioner, team_lead)
    sharing(survivor, survivor.episodes.get(), practitioner, team_lead, organisation="Southport Crown Court")
    match_keys_refresh(person_ids=[survivor.pk, duplicate.pk])
    return survivor, duplicate


def test_every_relation_to_a_person_is_moved_or_kept_by_a_stated_rule():
    discovered = {(r.label, r.field.name) for r in person_relations()}
    bookkeeping = {(label, f) for label, f in _relations_to_person() if label in merge_module.BOOKKEEPING}
    assert discovered == _relations_to_person() - bookkeeping
    assert {
        ("episodes.episode", "person"),
        ("people.alias", "person"),
        ("people.personcontact", "person"),
        ("partners.partnerreferral", "person"),
        ("core.breakglass", "person"),
        ("demo.syntheticprofile", "person"),
    } <= discovered
    rules = {(r.label, r.stays_because is None) for r in person_relations()}
    assert ("episodes.episode", True) in rules
    assert ("core.breakglass", False) in rules  # a grant stays on the record it was given for
    assert ("demo.syntheticprofile", False) in rules  # one per person


def test_merge_then_unmerge_puts_every_row_back_exactly(pair, team_lead):
    survivor, duplicate = pair
    before = snapshot(survivor, duplicate)
    people_before = person_rows(survivor, duplicate)
    keys_before = (keys_of(survivor), keys_of(duplicate))
    of_duplicate = {key for key, owner in before.items() if owner == duplicate.pk}
    assert len(of_duplicate) >= 7
    # Consent and sharing refer to the person and are accounted for like every other row.
    assert {"consent.consent", "consent.sharingbasis", "consent.disclosure"} <= {
        key[0] for key in of_duplicate
    }

    record = person_merge(actor=team_lead, survivor=survivor, duplicate=duplicate, reason="Same NHS record")

    after = snapshot(survivor, duplicate)
    moved = {(m["model"], m["pk"], m["field"]) for m in record.moved}
    kept = {(k["model"], k["pk"], k["field"]) for k in record.kept}
    assert moved | kept == of_duplicate and not moved & kept  # every row of the duplicate, once
    assert {m["old"] for m in record.moved} == {duplicate.pk}
    assert {key[0] for key in kept} == {"core.breakglass", "demo.syntheticprofile"}
    for key in of_duplicate:
        assert after[key] == (duplicate.pk if key in kept else survivor.pk)
    for key, owner in before.items():
        if owner == survivor.pk:
            assert after[key] == survivor.pk  # the survivor's own rows are untouched
    created = Alias.objects.get(pk=record.created[0]["pk"])
    assert (created.person_id, created.given_name, created.family_name) == (survivor.pk, "Jay", "Walcot")
    assert merged_into(duplicate) == record
    assert Person.objects.filter(pk=duplicate.pk).exists()  # never deleted
    assert not MatchKey.objects.filter(person=duplicate).exists()

    person_unmerge(actor=team_lead, merge=record, reason="Different people after all")

    assert snapshot(survivor, duplicate) == before
    assert person_rows(survivor, duplicate) == people_before
    assert not Alias.objects.filter(pk=created.pk).exists()
    assert merged_into(duplicate) is None
    assert (keys_of(survivor), keys_of(duplicate)) == keys_before
    record.refresh_from_db()
    assert record.unmerge_report["not_restored"] == []
    assert record.unmerge_report["restored"] == len(record.moved)


def test_a_round_trip_takes_the_service_work_with_its_episodes(pair, team_lead, practitioner):
    """Referrals, appointments, advice, crisis plans and drop-in visits hang off episodes, not the
    person: they go where their episode goes, and come back with it."""
    from liaison.advice.models import AdviceRecord
    from liaison.referrals.models import Appointment, Referral
    from liaison.support.models import CrisisPlan
    from tests.referrals.conftest import make_service

    survivor, duplicate = pair
    service = make_service()

    def service_work(episode):
        referral = Referral.objects.create(
            episode=episode,
            team_id=episode.team_id,
            need_key="housing",
            service=service,
            kind="active",
            created_by=practitioner,
        )
        return [
            referral,
            Appointment.objects.create(
                episode=episode, referral=referral, starts_at=timezone.now(), created_by=practitioner
            ),
            AdviceRecord.objects.create(
                episode=episode, advice_type="housing", due_on=timezone.localdate(), created_by=practitioner
            ),
            CrisisPlan.objects.create(episode=episode, number=1, by=practitioner),
        ]

    def owners(rows):
        return [type(row).objects.select_related("episode").get(pk=row.pk).episode.person_id for row in rows]

    theirs = service_work(duplicate.episodes.filter(stage=Stage.CLOSED).get())
    theirs += service_work(duplicate.episodes.exclude(stage=Stage.CLOSED).get())
    ours = service_work(survivor.episodes.get())

    record = person_merge(actor=team_lead, survivor=survivor, duplicate=duplicate, reason="Same NHS record")
    assert owners(theirs) == [survivor.pk] * len(theirs) and owners(ours) == [survivor.pk] * len(ours)

    person_unmerge(actor=team_lead, merge=record, reason="Different people after all")
    assert owners(theirs) == [duplicate.pk] * len(theirs)
    assert owners(ours) == [survivor.pk] * len(ours)
    # Nothing was copied or left behind: each row is still the one row, on its own episode.
    assert Referral.objects.count() == 3 and CrisisPlan.objects.count() == 3


def test_merge_and_unmerge_audit_both_people(pair, team_lead, team_a):
    survivor, duplicate = pair
    record = person_merge(actor=team_lead, survivor=survivor, duplicate=duplicate, reason="Same NHS record")
    person_unmerge(actor=team_lead, merge=record, reason="Wrong")
    events = list(
        AuditEvent.objects.filter(object_type="merge")
        .order_by("id")
        .values_list("action", "person_id", "team_id")
    )
    assert events == [
        ("person.merge", survivor.pk, team_a.pk),
        ("person.merged", duplicate.pk, team_a.pk),
        ("person.unmerge", survivor.pk, team_a.pk),
        ("person.unmerged", duplicate.pk, team_a.pk),
    ]
    merged = AuditEvent.objects.get(action="person.merge")
    assert merged.reason == "Same NHS record"
    assert merged.detail["moved"]["episodes.episode"] == 2


def test_unmerge_after_later_edits_keeps_the_edits(pair, team_lead, site_a, practitioner):
    survivor, duplicate = pair
    moved_episode = duplicate.episodes.exclude(stage=Stage.CLOSED).get()
    record = person_merge(actor=team_lead, survivor=survivor, duplicate=duplicate, reason="Same person")
    assert {"model": "episodes.episode", "pk": moved_episode.pk, "field": "person", "old": duplicate.pk} in (
        record.moved
    )
    # Later work on the merged record: a stage moved, a contact logged, a new episode, an alias removed.
    Episode.objects.filter(pk=moved_episode.pk).update(
        stage=Stage.SCREENED, version=moved_episode.version + 1
    )
    later_contact = Contact.objects.create(
        episode=moved_episode,
        at=timezone.now(),
        channel="phone",
        successful=True,
        by=practitioner,
        note="Rang back",
    )
    new_episode = EpisodeFactory(site=site_a, person=survivor)
    gone = next(m["pk"] for m in record.moved if m["model"] == "people.alias")
    Alias.objects.filter(pk=gone).delete()
    survivor.refresh_from_db()
    Person.objects.filter(pk=survivor.pk).update(postcode="KX4 7RT")

    person_unmerge(actor=team_lead, merge=record, reason="Different people")

    moved_episode.refresh_from_db()
    assert (moved_episode.person_id, moved_episode.stage) == (duplicate.pk, Stage.SCREENED)
    assert Contact.objects.get(pk=later_contact.pk).episode.person_id == duplicate.pk
    assert Episode.objects.get(pk=new_episode.pk).person_id == survivor.pk
    assert Person.objects.get(pk=survivor.pk).postcode == "KX4 7RT"
    record.refresh_from_db()
    assert record.unmerge_report["not_restored"] == [
        {"model": "people.alias", "pk": gone, "why": "deleted since the merge"}
    ]


@pytest.mark.django_db(transaction=True)
def test_a_merge_that_fails_half_way_changes_nothing(pair, team_lead, monkeypatch):
    survivor, duplicate = pair
    before = snapshot(survivor, duplicate)
    events = AuditEvent.objects.count()
    real_move = merge_module._move_rows
    calls = []

    def failing(relation, **kwargs):
        calls.append(relation.label)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real_move(relation, **kwargs)

    monkeypatch.setattr(merge_module, "_move_rows", failing)
    with pytest.raises(RuntimeError):
        person_merge(actor=team_lead, survivor=survivor, duplicate=duplicate, reason="Same person")
    assert len(calls) == 3  # it really did move rows before failing
    assert snapshot(survivor, duplicate) == before
    assert not MergeRecord.objects.exists()
    assert AuditEvent.objects.count() == events
    assert not transaction.get_connection().in_atomic_block


def test_open_episodes_with_different_teams_both_stay_open(team_a, team_b, site_a, site_b):
    lead = member(team_a, Role.TEAM_LEAD)
    Membership.objects.create(user=lead, team=team_b, role=Role.TEAM_LEAD)
    survivor = EpisodeFactory(site=site_a, person=PersonFactory(date_of_birth=DOB)).person
    duplicate = EpisodeFactory(site=site_b, person=PersonFactory(date_of_birth=DOB)).person
    record = person_merge(actor=lead, survivor=survivor, duplicate=duplicate, reason="Same person")
    episodes = list(survivor.episodes.order_by("pk").values_list("team_id", "stage"))
    assert episodes == [(team_a.pk, Stage.IDENTIFIED), (team_b.pk, Stage.IDENTIFIED)]
    detail = AuditEvent.objects.get(action="person.merge").detail
    assert detail["open_episode_teams"] == {"survivor": [team_a.pk], "duplicate": [team_b.pk]}
    assert record.moved


def test_only_a_lead_whose_team_works_with_both_may_merge(pair, practitioner, team_b, site_b):
    survivor, duplicate = pair
    with pytest.raises(NotPermitted):
        person_merge(actor=practitioner, survivor=survivor, duplicate=duplicate, reason="Same")
    other_lead = member(team_b, Role.TEAM_LEAD)
    elsewhere = EpisodeFactory(site=site_b, person=PersonFactory()).person
    with pytest.raises(NotPermitted):
        person_merge(actor=other_lead, survivor=elsewhere, duplicate=duplicate, reason="Same")
    assert not MergeRecord.objects.exists()


def test_refusals_say_why(pair, team_lead, site_a):
    survivor, duplicate = pair
    with pytest.raises(ValidationError):
        person_merge(actor=team_lead, survivor=survivor, duplicate=duplicate, reason="   ")
    with pytest.raises(MergeRefused, match="itself"):
        person_merge(actor=team_lead, survivor=survivor, duplicate=survivor, reason="Same")
    record = person_merge(actor=team_lead, survivor=survivor, duplicate=duplicate, reason="Same")
    with pytest.raises(MergeRefused, match="already merged"):
        person_merge(actor=team_lead, survivor=survivor, duplicate=duplicate, reason="Again")
    with pytest.raises(MergeRefused, match="merge into that record"):
        person_merge(actor=team_lead, survivor=duplicate, duplicate=survivor, reason="Backwards")
    third = EpisodeFactory(site=site_a, person=PersonFactory()).person
    later = person_merge(actor=team_lead, survivor=third, duplicate=survivor, reason="All one person")
    with pytest.raises(MergeRefused, match="undo that merge first"):
        person_unmerge(actor=team_lead, merge=record, reason="Wrong")
    person_unmerge(actor=team_lead, merge=later, reason="Wrong")
    person_unmerge(actor=team_lead, merge=record, reason="Wrong")
    with pytest.raises(MergeRefused, match="already been undone"):
        person_unmerge(actor=team_lead, merge=record, reason="Wrong")


def test_the_review_pair_follows_the_merge(pair, team_lead):
    survivor, duplicate = pair
    a, b = sorted((survivor.pk, duplicate.pk))
    found = DuplicatePair.objects.create(
        person_a_id=a, person_b_id=b, probability=0.99, match_weight=20, model_version="t"
    )
    record = person_merge(actor=team_lead, survivor=survivor, duplicate=duplicate, reason="Same")
    found.refresh_from_db()
    assert (found.status, record.pair_id) == (PairStatus.MERGED, found.pk)
    person_unmerge(actor=team_lead, merge=record, reason="Not the same")
    found.refresh_from_db()
    assert found.status == PairStatus.REJECTED
    assert list(found.statuses.values_list("status", flat=True)) == [PairStatus.MERGED, PairStatus.REJECTED]


def test_after_a_merge_the_old_name_finds_the_survivor(pair, team_lead, practitioner):
    survivor, duplicate = pair
    person_merge(actor=team_lead, survivor=survivor, duplicate=duplicate, reason="Same")
    found = match_candidates(
        user=practitioner, record=intake_record(given_name="Jay", family_name="Walcot", date_of_birth=DOB)
    )
    assert [c.person for c in found] == [survivor]


def _owners(rows):
    """The person each row is about: its own person, or its episode's (reports and what hangs from them,
    scopes through their consent)."""
    from liaison.consent.models import ConsentScope
    from liaison.reports.models import PartnerFeedback, ReportVersion, ShareLink

    found = []
    for row in rows:
        row = type(row).objects.get(pk=row.pk)
        if isinstance(row, ConsentScope):
            row = row.consent
        elif isinstance(row, PartnerFeedback):
            row = row.link
        if isinstance(row, ShareLink):
            row = row.report_version
        if isinstance(row, ReportVersion):
            row = row.report
        found.append(row.person_id if hasattr(row, "person_id") else row.episode.person_id)
    return found


def test_a_round_trip_takes_consent_sharing_and_reports_with_the_person(pair, team_lead, practitioner):
    """Consents (with what they cover and their withdrawals), lawful bases and disclosures move to the
    survivor and back; reports, their versions, links and feedback go with their episodes. What the
    consent allows follows the rows: the survivor may share with the court under the duplicate's consent
    only while the records are merged."""
    from liaison.consent.models import Consent, Disclosure
    from liaison.consent.rules import may_share
    from liaison.reports.models import Report

    survivor, duplicate = pair
    theirs = sharing(duplicate, duplicate.episodes.filter(stage=Stage.CLOSED).get(), practitioner, team_lead)
    theirs_all = theirs + [
        row
        for model in (Consent, Disclosure)
        for row in model.objects.filter(person=duplicate).exclude(pk__in=[r.pk for r in theirs])
    ]
    ours = [*Consent.objects.filter(person=survivor), *Report.objects.filter(episode__person=survivor)]

    def court_for(person):
        return may_share(
            Person.objects.get(pk=person.pk), team=person.episodes.first().team_id,
            recipient_kind="court", content_kind="recommendations",
        ).consent_id  # fmt: skip

    survivor_court = court_for(survivor)
    record = person_merge(actor=team_lead, survivor=survivor, duplicate=duplicate, reason="Same NHS record")
    assert _owners(theirs_all) == [survivor.pk] * len(theirs_all)
    assert _owners(ours) == [survivor.pk] * len(ours)
    # The newest consent for the pair now decides for the one person: the duplicate's, made last.
    assert court_for(survivor) == theirs[0].pk != survivor_court
    moved = {entry["model"] for entry in record.moved}
    assert {"consent.consent", "consent.sharingbasis", "consent.disclosure"} <= moved
    assert not {"consent.consentscope", "reports.report", "reports.sharelink"} & moved  # they hang below

    person_unmerge(actor=team_lead, merge=record, reason="Different people after all")
    assert _owners(theirs_all) == [duplicate.pk] * len(theirs_all)
    assert _owners(ours) == [survivor.pk] * len(ours)
    assert court_for(survivor) == survivor_court and court_for(duplicate) == theirs[0].pk
    record.refresh_from_db()
    assert record.unmerge_report["not_restored"] == [] and record.unmerge_report["followed_episode"] == []
    # Nothing was copied or left behind.
    assert Report.objects.count() == 3 and Disclosure.objects.count() == 6


def test_consent_and_sharing_recorded_after_the_merge_follow_their_episode_back(
    pair, team_lead, practitioner
):
    """A consent, a lawful basis and a disclosure recorded on the duplicate's episode while the records
    were merged go back with that episode; one recorded on no episode stays with the survivor."""
    from liaison.consent.models import Consent, Disclosure, SharingBasis
    from liaison.partners.models import PartnerReferral

    survivor, duplicate = pair
    episode = duplicate.episodes.exclude(stage=Stage.CLOSED).get()
    record = person_merge(actor=team_lead, survivor=survivor, duplicate=duplicate, reason="Same person")
    survivor.refresh_from_db()
    later = sharing(survivor, Episode.objects.get(pk=episode.pk), practitioner, team_lead)
    on_no_episode = Consent.objects.create(
        person=survivor,
        team_id=episode.team_id,
        purpose="assessment",
        decision="given",
        recorded_by=practitioner,
    )
    with_person = [row for row in later if hasattr(row, "person_id")]
    assert _owners(later) == [survivor.pk] * len(later)

    person_unmerge(actor=team_lead, merge=record, reason="Different people")

    assert _owners(later) == [duplicate.pk] * len(later)
    assert Consent.objects.get(pk=on_no_episode.pk).person_id == survivor.pk
    # No row is left about one person on another person's episode.
    for model in (Consent, SharingBasis, Disclosure, PartnerReferral):
        assert not model.objects.exclude(episode=None).exclude(episode__person_id=F("person_id")).exists()
    record.refresh_from_db()
    followed = record.unmerge_report["followed_episode"]
    assert {(entry["model"], entry["pk"]) for entry in followed} == {
        (type(row)._meta.label_lower, row.pk) for row in with_person
    }
    assert {entry["episode"] for entry in followed} == {episode.pk}
    event = AuditEvent.objects.get(action="person.unmerge")
    assert event.detail["followed_episode"] == {
        "consent.consent": 2,
        "consent.disclosure": 2,
        "consent.sharingbasis": 1,
    }


def test_the_unmerge_page_says_what_followed_its_episode(pair, team_lead, practitioner, lead_client):
    from django.urls import reverse

    survivor, duplicate = pair
    episode = duplicate.episodes.exclude(stage=Stage.CLOSED).get()
    record = person_merge(actor=team_lead, survivor=survivor, duplicate=duplicate, reason="Same person")
    sharing(Person.objects.get(pk=survivor.pk), Episode.objects.get(pk=episode.pk), practitioner, team_lead)
    person_unmerge(actor=team_lead, merge=record, reason="Different people")
    html = lead_client.get(reverse("person_unmerge", args=[survivor.pk, record.pk])).content.decode()
    assert (
        f"5 records made while the records were merged, on an episode that is Liaison ID {duplicate.pk}"
        in html
    )
    assert "went back with their episode" in html
