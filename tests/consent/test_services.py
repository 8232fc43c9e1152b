"""Consent services: recording (with clear errors), withdrawing (version-locked), the lawful-basis
override path, and the disclosure log."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone

from liaison.consent.models import BasisStatus, Capacity, Consent, Decision, Disclosure, Guardian, Purpose
from liaison.consent.rules import ShareDecision, may_share
from liaison.consent.services import (
    decide_basis,
    record_consent,
    record_disclosure,
    request_basis,
    withdraw_consent,
)
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.models import AuditEvent
from tests.consent.conftest import share
from tests.factories import EpisodeFactory, PersonFactory


def errors(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- recording consent ------------------------------------------------------------------------------


def test_recording_a_sharing_consent_keeps_its_pairs_and_is_audited(practitioner, person_a, team_a):
    consent = share(practitioner, person_a, team_a, [("court", "recommendations"), ("gp", "screening")])
    assert sorted(consent.scopes.values_list("recipient_kind", "content_kind")) == [
        ("court", "recommendations"),
        ("gp", "screening"),
    ]
    event = AuditEvent.objects.get(action="consent.record")
    assert (event.person_id, event.object_id) == (person_a.pk, str(consent.pk))


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"purpose": "sharing", "pairs": []}, "pairs", "at least one"),
        ({"purpose": "sharing", "pairs": [("press", "recommendations")]}, "pairs", "from the list"),
        ({"purpose": "sharing", "pairs": ["court"]}, "pairs", "names a kind of recipient"),
        ({"purpose": "assessment", "pairs": [("court", "recommendations")]}, "pairs", "does not name"),
        ({"purpose": "treatment"}, "purpose", "what the consent is for"),
        ({"decision": "maybe"}, "decision", "whether the person agreed"),
        ({"capacity": "perhaps"}, "capacity", "capacity"),
        ({"capacity": Capacity.LACKS_CAPACITY}, "capacity_note", "why the person lacked capacity"),
        ({"note": "x" * 2001}, "note", "2,000 characters"),
        ({"at": timezone.now() + dt.timedelta(days=1)}, "at", "today or in the past"),
    ],
)
def test_bad_input_gets_a_clear_error_and_saves_nothing(practitioner, person_a, team_a, fields, field, says):
    data = {"purpose": Purpose.SHARING, "decision": Decision.GIVEN, "pairs": [("court", "recommendations")]}
    data.update(fields)
    with pytest.raises(ValidationError) as excinfo:
        record_consent(actor=practitioner, person=person_a, team=team_a, **data)
    assert says in " ".join(errors(excinfo)[field])
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    ("guardian", "name", "field"),
    [("", "", "guardian"), (Guardian.NOT_RECORDED, "", "guardian"), (Guardian.AGREED, "", "guardian_name")],
)
def test_an_under_18_needs_the_guardian_question_answered(
    practitioner, team_a, site_a, guardian, name, field
):
    child = PersonFactory(date_of_birth=timezone.localdate() - relativedelta(years=16))
    EpisodeFactory(site=site_a, person=child)
    with pytest.raises(ValidationError) as excinfo:
        share(
            practitioner, child, team_a, [("court", "recommendations")], guardian=guardian, guardian_name=name
        )
    assert field in errors(excinfo)


def test_an_adults_stray_guardian_answer_is_not_kept(practitioner, person_a, team_a):
    consent = share(
        practitioner,
        person_a,
        team_a,
        [("court", "recommendations")],
        guardian=Guardian.AGREED,
        guardian_name="X",
    )
    assert (consent.guardian, consent.guardian_name) == (Guardian.NOT_RECORDED, "")


def test_an_outsider_cannot_record_consent_for_another_team(outsider, person_a, team_a):
    with pytest.raises(NotPermitted):
        share(outsider, person_a, team_a, [("court", "recommendations")])


def test_an_episode_of_another_person_is_refused(practitioner, person_a, team_a, site_a):
    other = EpisodeFactory(site=site_a)
    with pytest.raises(ValidationError) as excinfo:
        share(practitioner, person_a, team_a, [("court", "recommendations")], episode=other)
    assert "episode" in errors(excinfo)


# --- withdrawing -------------------------------------------------------------------------------------


def test_withdrawing_stops_sharing_and_keeps_the_consent_in_history(practitioner, person_a, team_a):
    consent = share(practitioner, person_a, team_a, [("court", "recommendations")])
    withdrawn = withdraw_consent(actor=practitioner, consent=consent, version=1, note="Phoned to say no")
    assert withdrawn.withdrawn_at is not None and withdrawn.version == 2
    assert Consent.objects.filter(pk=consent.pk).exists()
    assert not may_share(
        person_a, team=team_a, recipient_kind="court", content_kind="recommendations"
    ).allowed
    assert AuditEvent.objects.filter(action="consent.withdraw", object_id=str(consent.pk)).exists()


def test_a_stale_withdrawal_is_refused(practitioner, person_a, team_a):
    consent = share(practitioner, person_a, team_a, [("court", "recommendations")])
    withdraw_consent(actor=practitioner, consent=consent, version=1)
    with pytest.raises(StaleWrite):
        withdraw_consent(actor=practitioner, consent=consent, version=1)


@pytest.mark.parametrize("decision", [Decision.REFUSED])
def test_a_refusal_cannot_be_withdrawn(practitioner, person_a, team_a, decision):
    consent = share(practitioner, person_a, team_a, [("court", "recommendations")], decision=decision)
    with pytest.raises(ValidationError) as excinfo:
        withdraw_consent(actor=practitioner, consent=consent, version=1)
    assert "nothing to withdraw" in errors(excinfo)["consent"][0]


def test_withdrawing_twice_says_so(practitioner, person_a, team_a):
    consent = share(practitioner, person_a, team_a, [("court", "recommendations")])
    withdraw_consent(actor=practitioner, consent=consent, version=1)
    with pytest.raises(ValidationError) as excinfo:
        withdraw_consent(actor=practitioner, consent=consent, version=2)
    assert "already withdrawn" in errors(excinfo)["consent"][0]


# --- the override: a lawful basis -------------------------------------------------------------------


def _ask(actor, person, team, **fields):
    data = {
        "recipient_kind": "police",
        "content_kinds": ["recommendations", "needs_summary"],
        "basis": "serious_harm",
        "reason": "Threatened to harm a named person on release",
    }
    data.update(fields)
    return request_basis(actor=actor, person=person, team=team, **data)


def _police(person, team, content="recommendations", **kwargs):
    return may_share(person, team=team, recipient_kind="police", content_kind=content, **kwargs)


def test_the_override_path(practitioner, second_lead, team_lead, person_a, team_a):
    consent = share(practitioner, person_a, team_a, [("police", "recommendations")])
    withdraw_consent(actor=practitioner, consent=consent, version=1)
    asked = _ask(practitioner, person_a, team_a)
    # Requested: not allowed yet.
    assert not _police(person_a, team_a).allowed
    approved = decide_basis(actor=team_lead, sharing_basis=asked, version=1, approve=True)
    assert approved.status == BasisStatus.APPROVED and approved.decided_by == team_lead
    # Approved: allowed even though consent was withdrawn, for the named content and recipient only.
    decision = _police(person_a, team_a)
    assert decision.allowed and decision.basis == "lawful_basis" and decision.sharing_basis_id == asked.pk
    assert _police(person_a, team_a, "needs_summary").allowed
    assert not _police(person_a, team_a, "full_assessment").allowed
    assert not may_share(
        person_a, team=team_a, recipient_kind="court", content_kind="recommendations"
    ).allowed
    actions = list(AuditEvent.objects.filter(object_type="sharing_basis").values_list("action", flat=True))
    assert actions == ["consent.basis_request", "consent.basis_approve"]


def test_an_expired_basis_no_longer_allows(practitioner, team_lead, person_a, team_a):
    asked = _ask(practitioner, person_a, team_a, expires_at=timezone.now() + dt.timedelta(days=1))
    decide_basis(actor=team_lead, sharing_basis=asked, version=1, approve=True)
    assert _police(person_a, team_a).allowed
    assert not _police(person_a, team_a, at=timezone.now() + dt.timedelta(days=2)).allowed


def test_a_refused_basis_does_not_allow(practitioner, team_lead, person_a, team_a):
    asked = _ask(practitioner, person_a, team_a)
    decide_basis(actor=team_lead, sharing_basis=asked, version=1, approve=False, note="Not serious harm")
    assert not _police(person_a, team_a).allowed
    assert AuditEvent.objects.filter(action="consent.basis_refuse").exists()


def test_refusing_needs_a_note(practitioner, team_lead, person_a, team_a):
    asked = _ask(practitioner, person_a, team_a)
    with pytest.raises(ValidationError) as excinfo:
        decide_basis(actor=team_lead, sharing_basis=asked, version=1, approve=False)
    assert "why" in errors(excinfo)["note"][0]


def test_the_requester_cannot_approve_their_own_request(team_lead, second_lead, person_a, team_a):
    asked = _ask(team_lead, person_a, team_a)
    with pytest.raises(NotPermitted):
        decide_basis(actor=team_lead, sharing_basis=asked, version=1, approve=True)
    assert decide_basis(actor=second_lead, sharing_basis=asked, version=1, approve=True).status == "approved"


def test_a_practitioner_cannot_approve(practitioner, team_lead, person_a, team_a):
    asked = _ask(team_lead, person_a, team_a)
    with pytest.raises(NotPermitted):
        decide_basis(actor=practitioner, sharing_basis=asked, version=1, approve=True)


def test_a_support_worker_cannot_request(support_worker, person_a, team_a):
    with pytest.raises(NotPermitted):
        _ask(support_worker, person_a, team_a)


def test_a_stale_or_second_decision_is_refused(practitioner, team_lead, second_lead, person_a, team_a):
    asked = _ask(practitioner, person_a, team_a)
    decide_basis(actor=team_lead, sharing_basis=asked, version=1, approve=True)
    with pytest.raises(StaleWrite):
        decide_basis(actor=second_lead, sharing_basis=asked, version=1, approve=False, note="No")
    with pytest.raises(ValidationError) as excinfo:
        decide_basis(actor=second_lead, sharing_basis=asked, version=2, approve=False, note="No")
    assert "already decided" in errors(excinfo)["decision"][0]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"reason": "  "}, "reason"),
        ({"content_kinds": []}, "content_kinds"),
        ({"content_kinds": ["everything"]}, "content_kinds"),
        ({"recipient_kind": "press"}, "recipient_kind"),
        ({"basis": "because"}, "basis"),
        ({"expires_at": timezone.now() - dt.timedelta(days=1)}, "expires_at"),
    ],
)
def test_a_request_with_bad_input_is_refused(practitioner, person_a, team_a, fields, field):
    with pytest.raises(ValidationError) as excinfo:
        _ask(practitioner, person_a, team_a, **fields)
    assert field in errors(excinfo)


# --- the disclosure log -----------------------------------------------------------------------------


def _disclose(actor, person, team, decision, **fields):
    data = {
        "episode": None,
        "recipient_kind": "court",
        "recipient_name": "Northtown Magistrates' Court",
        "content_kinds": ["recommendations"],
        "what": "Court report, version 1",
        "method": "download",
        "decision": decision,
    }
    data.update(fields)
    return record_disclosure(actor=actor, person=person, team=team, **data)


def test_a_disclosure_is_logged_with_its_basis_and_audited(practitioner, person_a, team_a, episode_a):
    consent = share(practitioner, person_a, team_a, [("court", "recommendations")])
    decision = may_share(person_a, team=team_a, recipient_kind="court", content_kind="recommendations")
    disclosure = _disclose(
        practitioner, person_a, team_a, decision, episode=episode_a, source_type="report_version", source_id=7
    )
    assert (disclosure.basis, disclosure.consent_id, disclosure.by) == ("consent", consent.pk, practitioner)
    event = AuditEvent.objects.get(action="disclosure.record")
    assert (event.person_id, event.detail["source"]) == (person_a.pk, "report_version:7")


def test_a_refused_decision_cannot_be_logged_as_a_disclosure(practitioner, person_a, team_a):
    decision = may_share(person_a, team=team_a, recipient_kind="court", content_kind="recommendations")
    with pytest.raises(ValueError, match="Not allowed"):
        _disclose(practitioner, person_a, team_a, decision)
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"content_kinds": []},
        {"content_kinds": ["everything"]},
        {"recipient_kind": "press"},
        {"method": "carrier pigeon"},
        {"recipient_name": " "},
        {"decision": ShareDecision(True, "ok")},
    ],
)
def test_a_malformed_disclosure_is_refused(practitioner, person_a, team_a, fields):
    share(practitioner, person_a, team_a, [("court", "recommendations")])
    decision = may_share(person_a, team=team_a, recipient_kind="court", content_kind="recommendations")
    with pytest.raises(ValueError):
        _disclose(practitioner, person_a, team_a, fields.pop("decision", decision), **fields)
    assert not Disclosure.objects.exists()
