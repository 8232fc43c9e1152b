"""Destroying a record past retention: two people, every related row deleted, a stub and a log left,
all or nothing; the stub is out of search and matching."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from liaison.core.errors import NotPermitted
from liaison.core.models import AuditEvent, BreakGlass, Role
from liaison.episodes.models import Contact, Episode
from liaison.matching.records import active_people
from liaison.people.models import Person
from liaison.people.queries import search_people
from liaison.rights import destruction as destruction_module
from liaison.rights.destruction import (
    KEPT_AFTER_DESTRUCTION,
    STUB_KEEPS,
    _nodes,
    destruction_approve,
    destruction_plan,
    destruction_propose,
    destruction_reject,
    destruction_rows,
    legal_hold_place,
)
from liaison.rights.export import NOT_EXPORTED, exported_models
from liaison.rights.models import DestructionRecord, ProposalStatus, SubjectAccessRequest
from liaison.rights.retention import ACTIVITY
from tests.factories import member
from tests.rights.conftest import age_activity, client_for
from tests.secondfactor import authenticator, current_code

LONG_AGO = dt.datetime(1990, 3, 1, 10, tzinfo=dt.UTC)


@pytest.fixture
def approver(team_a):
    return member(team_a, Role.ADMIN, "admin")


@pytest.fixture
def old_record(full_record, team_a):
    """The full record, last seen in 1990, its subject access request answered: past retention."""
    person, sar = full_record
    SubjectAccessRequest.objects.filter(pk=sar.pk).update(fulfilled_at=timezone.now())
    Episode.objects.filter(person=person).update(arrival_at=LONG_AGO, closed_at=None)
    Contact.objects.filter(episode__person=person).update(at=LONG_AGO)
    Person.objects.filter(pk=person.pk).update(created_at=LONG_AGO)
    BreakGlass.objects.filter(person=person).update(expires_at=LONG_AGO)
    # The service work counts as contact too (rights.retention.ACTIVITY): it is as old as the rest.
    for _, label, path, column, _ in ACTIVITY:
        age_activity(person, label, path, column, LONG_AGO)
    return Person.objects.get(pk=person.pk)


def _counts(person):
    return {node.label: len(ids) for node, ids in destruction_rows(person)}


def test_destruction_covers_every_model_the_export_finds_and_the_ones_it_leaves_out():
    destroyed = {node.label for node in _nodes(destruction_plan())}
    assert (exported_models() | set(NOT_EXPORTED)) - set(KEPT_AFTER_DESTRUCTION) == destroyed
    # Kept on purpose: the decision and the log entry (and the audit log, which is not a relation).
    assert set(KEPT_AFTER_DESTRUCTION) == {"rights.destructionproposal", "rights.destructionrecord"}
    assert not any(f.is_relation and f.related_model is Person for f in AuditEvent._meta.concrete_fields)


def test_the_proposer_cannot_approve_and_a_second_person_destroys_every_related_row(
    old_record, team_lead, approver
):
    person = old_record
    before = _counts(person)
    assert sum(1 for n in before.values() if n) >= 15  # most kinds of record are there to delete
    proposal = destruction_propose(actor=team_lead, person=person, reason="Past retention, checked")
    with pytest.raises(NotPermitted, match="someone else"):
        destruction_approve(actor=team_lead, proposal=proposal)
    record = destruction_approve(actor=approver, proposal=proposal)

    assert all(n == 0 for n in _counts(person).values())
    assert record.removed == {label: n for label, n in before.items() if n}
    # The stub: the Liaison ID and the destruction, nothing that identifies the person.
    stub = Person.objects.get(pk=person.pk)
    for f in Person._meta.concrete_fields:
        if f.name not in STUB_KEEPS:
            assert getattr(stub, f.attname) == (None if f.null else f.get_default()), f.name
    assert stub.given_name == stub.family_name == stub.nhs_number == "" and stub.date_of_birth is None
    # The log entry.
    assert record.reference == f"DR-{record.pk}" and record.person_id == person.pk
    assert (record.proposed_by, record.approved_by) == (team_lead, approver)
    # Born in May 1990 and seen as a baby in 1990: the children's class (25th birthday) is the longest.
    assert record.retention_date == dt.date(2015, 5, 18)
    assert [(c["code"], c["date"]) for c in record.classes] == [
        ("adult_mental_health", "2010-03-01"),
        ("children", "2015-05-18"),
    ]
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == (ProposalStatus.APPROVED, approver)
    event = AuditEvent.objects.get(action="rights.destruction_approve")
    assert event.person_id == person.pk and event.detail["reference"] == record.reference
    # The audit log is kept: it is the record of who accessed the record.
    assert AuditEvent.objects.filter(person_id=person.pk, action="person.update").exists()


# The service work that hangs off the person's episodes, each kind with a query for its rows: all of it
# goes when the record is destroyed, though several point at each other with PROTECT (an appointment at
# its referral, an advice record at its task, a drop-in visit at its contact).
SERVICE_WORK = {
    "referrals.referral": lambda person: Q(episode__person=person),
    "referrals.referralstatus": lambda person: Q(referral__episode__person=person),
    "referrals.appointment": lambda person: Q(episode__person=person),
    "advice.advicerecord": lambda person: Q(episode__person=person),
    "advice.adviceaction": lambda person: Q(record__episode__person=person),
    "advice.adviceoutcome": lambda person: Q(record__episode__person=person),
    "support.crisisplan": lambda person: Q(episode__person=person),
    "support.crisisevent": lambda person: Q(episode__person=person),
    "outreach.dropinattendance": lambda person: Q(episode__person=person),
    "episodes.task": lambda person: Q(episode__person=person) & ~Q(rule=""),  # tasks rules made
}


@pytest.mark.parametrize("label", sorted(SERVICE_WORK))
def test_destruction_removes_the_service_work(old_record, team_lead, approver, label):
    person = old_record
    model = apps.get_model(label)
    rows = model.objects.filter(SERVICE_WORK[label](person))
    before = rows.count()
    assert before >= 1
    record = destruction_approve(actor=approver, proposal=destruction_propose(actor=team_lead, person=person))
    assert not rows.exists()
    assert record.removed[label] >= before


def test_destruction_keeps_the_team_s_own_service_records(old_record, team_lead, approver):
    """The directory service, the team's notes on it and the drop-in session are the team's, not the
    person's: they stay, and the session no longer lists the person."""
    from liaison.directory.models import LocalKnowledge, NamedContact, Service
    from liaison.outreach.models import DropInSession

    session = DropInSession.objects.get()
    assert session.attendances.count() == 1
    destruction_approve(actor=approver, proposal=destruction_propose(actor=team_lead, person=old_record))
    assert Service.objects.filter(name="Harbour Housing Advice").exists()
    assert LocalKnowledge.objects.exists() and NamedContact.objects.exists()
    assert DropInSession.objects.filter(pk=session.pk).exists() and not session.attendances.exists()


def test_a_failure_part_way_leaves_everything(old_record, team_lead, approver, monkeypatch):
    person = old_record
    before = _counts(person)
    proposal = destruction_propose(actor=team_lead, person=person)
    real_delete = destruction_module._delete

    def delete_then_fail(rows):
        real_delete(rows)  # every row is gone inside the transaction...
        raise RuntimeError("disk full")  # ...and then the stub cannot be written

    monkeypatch.setattr(destruction_module, "_delete", delete_then_fail)
    with pytest.raises(RuntimeError):
        destruction_approve(actor=approver, proposal=proposal)
    assert _counts(person) == before
    assert all(before[label] for label in SERVICE_WORK)  # the service work was rolled back with the rest
    assert Person.objects.get(pk=person.pk).given_name == "Alex"
    assert not DestructionRecord.objects.exists()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED


def test_a_hold_placed_after_the_proposal_stops_the_approval(old_record, team_lead, approver):
    proposal = destruction_propose(actor=team_lead, person=old_record)
    legal_hold_place(actor=team_lead, person=old_record, reason="litigation", reference="Claim 12")
    with pytest.raises(Exception, match="legal hold"):
        destruction_approve(actor=approver, proposal=proposal)
    assert Person.objects.get(pk=old_record.pk).given_name == "Alex"


def test_a_rejection_keeps_the_record_and_needs_a_reason(old_record, team_lead, approver):
    proposal = destruction_propose(actor=team_lead, person=old_record)
    with pytest.raises(NotPermitted):
        destruction_reject(actor=team_lead, proposal=proposal, note="No")
    destruction_reject(actor=approver, proposal=proposal, note="The family has asked for it")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED
    assert Person.objects.get(pk=old_record.pk).given_name == "Alex"


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.SUPPORT_WORKER, Role.COMMISSIONER])
def test_other_roles_cannot_approve(old_record, team_a, team_lead, role):
    proposal = destruction_propose(actor=team_lead, person=old_record)
    with pytest.raises(NotPermitted):
        destruction_approve(actor=member(team_a, role, f"r-{role}"), proposal=proposal)


def test_the_pages_propose_approve_and_show_the_stub(old_record, team_a, team_lead, approver):
    person = old_record
    lead = client_for(team_lead)
    url = reverse("destruction_propose", args=[person.pk])
    assert lead.get(url).status_code == 200
    response = lead.post(url, {"reason": ""})
    assert response.status_code == 302
    proposal = person.destruction_proposals.get()
    detail = reverse("destruction_detail", args=[proposal.pk])
    page = lead.get(detail).content.decode()
    assert "someone else must approve" in page and "Alex" not in page
    assert lead.post(reverse("destruction_approve", args=[proposal.pk])).status_code == 403
    admin = client_for(approver)
    assert "Approve and destroy" in admin.get(detail).content.decode()
    approve = reverse("destruction_approve", args=[proposal.pk])
    # Re-authentication: no code, or a wrong one, destroys nothing and is audited.
    good = current_code(authenticator(approver))
    for typed in ("", f"{(int(good) + 1) % 1_000_000:06d}"):
        response = admin.post(approve, {"code": typed})
        assert response.status_code == 400 and "authenticator app" in response.content.decode()
        assert not DestructionRecord.objects.exists()
        authenticator(approver).throttle_reset()
    assert (
        AuditEvent.objects.filter(action="rights.destruction_reauth_failed", actor_id=approver.pk).count()
        == 2
    )
    assert admin.post(approve, {"code": current_code(authenticator(approver))}).status_code == 302
    record = DestructionRecord.objects.get()
    stub_page = lead.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert f"Record destroyed on {timezone.localdate():%-d %B %Y}" in stub_page
    assert "Adult mental health record" in stub_page and record.reference in stub_page
    assert "Rivers" not in stub_page


@pytest.mark.parametrize("who", ["outsider", "outsider_lead"])
def test_an_outsider_gets_404_on_a_proposal_and_is_audited(old_record, team_lead, who, request):
    proposal = destruction_propose(actor=team_lead, person=old_record)
    user = request.getfixturevalue(who)
    client = client_for(user)
    for name in ("destruction_detail", "destruction_approve", "destruction_reject"):
        method = client.get if name == "destruction_detail" else client.post
        assert method(reverse(name, args=[proposal.pk])).status_code == 404
    assert (
        AuditEvent.objects.filter(
            actor_id=user.pk, action="access.denied", object_type="destruction_proposal"
        ).count()
        == 3
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED


def test_a_destroyed_record_vanishes_from_search_and_matching(old_record, team_lead, approver, practitioner):
    person = old_record
    assert active_people().filter(pk=person.pk).exists()
    destruction_approve(actor=approver, proposal=destruction_propose(actor=team_lead, person=person))
    assert not active_people().filter(pk=person.pk).exists()
    assert not search_people(user=team_lead, name="").filter(pk=person.pk).exists()
    assert not Person.objects.filter(Q(given_name="Alex") | Q(family_name="Rivers")).exists()


def test_every_model_found_by_destruction_is_a_real_model():
    for node in _nodes(destruction_plan()):
        assert apps.get_model(node.label) is node.model


# Consent and sharing: all of it is the person's record and goes with it, the disclosure log included
# (docs/rights.md, "Retention"). Disclosure rows point at consents and lawful bases, a link at its report
# version and feedback at its link, all with PROTECT.
SHARING = {
    "consent.consent": lambda person: Q(person=person),
    "consent.consentscope": lambda person: Q(consent__person=person),
    "consent.sharingbasis": lambda person: Q(person=person),
    "consent.disclosure": lambda person: Q(person=person),
    "reports.report": lambda person: Q(episode__person=person),
    "reports.reportversion": lambda person: Q(report__episode__person=person),
    "reports.sharelink": lambda person: Q(report_version__report__episode__person=person),
    "reports.partnerfeedback": lambda person: Q(link__report_version__report__episode__person=person),
}


def test_destruction_removes_consent_sharing_and_reports_and_keeps_the_audit_of_each_disclosure(
    old_record, team_lead, approver
):
    person = old_record
    before = {
        label: apps.get_model(label).objects.filter(SHARING[label](person)).count() for label in SHARING
    }
    assert all(before.values()), before
    assert before["consent.disclosure"] == 3 and before["reports.reportversion"] == 2
    # Shared today, yet the record is past its date: a disclosure or a report is not contact.
    record = destruction_approve(actor=approver, proposal=destruction_propose(actor=team_lead, person=person))
    for label, rows in SHARING.items():
        assert not apps.get_model(label).objects.filter(rows(person)).exists(), label
        assert record.removed[label] == before[label]
    # Who disclosed what, when, stays accountable in the audit log, by the person's id only.
    disclosed = AuditEvent.objects.filter(person_id=person.pk, action="disclosure.record")
    assert disclosed.count() == 3
    assert all("recipient_name" not in (event.detail or {}) for event in disclosed)
