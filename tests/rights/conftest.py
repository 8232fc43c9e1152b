"""Fixtures for the rights tests: a subject access request for team A's person, and clients per role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from liaison.core.models import Role
from liaison.rights.services import subject_access_request_record
from tests.factories import member


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sar(team_lead, person_a, team_a):
    return subject_access_request_record(
        actor=team_lead,
        person=person_a,
        team_id=team_a.pk,
        received_on=timezone.localdate() - dt.timedelta(days=3),
        identity_verified="Photo driving licence seen at the custody suite",
        requester="person",
    )


@pytest.fixture
def outsider_lead(team_b):
    """A team lead in another team: a lead, but not of the team that took the request."""
    return member(team_b, Role.TEAM_LEAD, "outsider.lead")


@pytest.fixture
def partner(team_a):
    return member(team_a, Role.PARTNER, "partner")


def age_activity(person, label, path, column, moment):
    """Set one kind of the person's service work (`rights.retention.ACTIVITY`) to `moment` (its date,
    for a date column)."""
    from django.apps import apps

    model = apps.get_model(label)
    value = moment if model._meta.get_field(column).get_internal_type() == "DateTimeField" else moment.date()
    return model.objects.filter(**{path: person}).update(**{column: value})


PHQ9 = {"1": 1, "2": 1, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0}


@pytest.fixture
def full_record(team_a, site_a, team_b, practitioner, team_lead, outsider):
    """A person with one of every kind of record the export walks to, made through the services
    where they exist. Returns the person and their subject access request."""
    from liaison.assessment.models import PlanOrder
    from liaison.assessment.services import (
        assessment_complete,
        assessment_save,
        assessment_start,
        plan_action_add,
    )
    from liaison.core.services import break_glass_grant
    from liaison.episodes.models import Channel, Contact, Task
    from liaison.identification.models import Arrival, ArrivalFlag, FlagSource, VulnerabilityFlag
    from liaison.identification.services import arrivals_import
    from liaison.partners.services import referral_create
    from liaison.people.models import Alias, ContactRelationship, PersonContact
    from liaison.rights.services import field_dispute_raise, person_correct
    from liaison.screening.services import screening_complete, screening_start

    referral = referral_create(
        actor=member(team_a, Role.PARTNER, "partner.sender"),
        team=team_a,
        site_id=site_a.pk,
        given_name="Alex",
        family_name="Rivers",
        date_of_birth=dt.date(1990, 5, 17),
        reason="Talking about ending his life in the cell",
        urgency="urgent",
        source="police",
        flag_codes=["mental_health"],
    )
    person, episode = referral.person, referral.episode
    Alias.objects.create(person=person, family_name="Brooks", family_name_search="brooks")
    PersonContact.objects.create(
        person=person, relationship=ContactRelationship.NEXT_OF_KIN, name="Sam Rivers"
    )
    Contact.objects.create(
        episode=episode,
        at=timezone.now(),
        channel=Channel.IN_PERSON,
        successful=True,
        note="Seen in cell 4",
        by=practitioner,
    )
    Task.objects.create(episode=episode, title="Call GP", due=timezone.localdate(), created_by=practitioner)
    screening = screening_start(actor=practitioner, episode=episode, instrument="phq-9", answers=PHQ9)
    screening_complete(actor=practitioner, screening=screening, version=screening.version)
    draft = assessment_start(actor=practitioner, episode=episode)
    draft = assessment_save(
        actor=practitioner,
        assessment=draft,
        version=draft.version,
        data={"needs": [{"key": "money", "level": "low"}]},
    )
    assessment = assessment_complete(actor=practitioner, assessment=draft, version=draft.version)
    PlanOrder.objects.create(
        assessment=assessment, keys=["money"], reason="The person's own order", by=practitioner
    )
    plan_action_add(
        actor=practitioner,
        episode=episode,
        need_key="money",
        description="Check the claim",
        owner_id=practitioner.pk,
        due=timezone.localdate(),
    )
    _service_records(episode, team_a, practitioner, team_lead)
    _sharing_records(person, episode, team_a, practitioner, team_lead)
    arrivals_import(
        actor=practitioner,
        site=site_a,
        file_name="list.csv",
        data=b"arrival_time,given_name,family_name\n01/01/2026 10:00,Alex,Rivers\n",
    )
    arrival = Arrival.objects.get()
    Arrival.objects.filter(pk=arrival.pk).update(episode=episode)
    ArrivalFlag.objects.create(
        arrival=arrival,
        flag=VulnerabilityFlag.objects.get(code="adhd"),
        source=FlagSource.CUSTODY_RECORD,
        raised_by=practitioner,
    )
    break_glass_grant(
        actor=outsider, team=team_b, person_id=person.pk, reason="Southport custody phoned about him"
    )
    person = person_correct(
        actor=practitioner,
        person=person,
        version=person.version,
        team_id=team_a.pk,
        role=Role.PRACTITIONER,
        reason="He showed his passport at the court",
        date_of_birth=dt.date(1990, 5, 18),
    )
    field_dispute_raise(
        actor=practitioner,
        person=person,
        team_id=team_a.pk,
        role=Role.PRACTITIONER,
        field="ethnicity",
        person_says="I am White Irish, not 'not known'",
    )
    sar = subject_access_request_record(
        actor=team_lead,
        person=person,
        team_id=team_a.pk,
        received_on=timezone.localdate(),
        identity_verified="Passport seen",
        requester="person",
    )
    return person, sar


def _service_records(episode, team, practitioner, team_lead):
    """The records that hang off an episode from the service work: a referral to a directory service
    (with its status history, an appointment and the rule task booking it makes), an advice record with
    an action and an outcome, two versions of a crisis plan and a crisis event, and a drop-in visit.
    The team's own notes on the service (local knowledge, a named contact) are made too: they are not
    about the person and must stay out of the export."""
    from decimal import Decimal

    from liaison.advice.services import advice_action_add, advice_allocate, advice_outcome_add
    from liaison.directory.models import LocalKnowledge, NamedContact
    from liaison.outreach.services import attendance_add, session_create
    from liaison.referrals.services import appointment_book, referral_create, referral_move
    from liaison.support.services import (
        crisis_event_add,
        crisis_plan_complete,
        crisis_plan_save,
        crisis_plan_start,
    )
    from tests.referrals.conftest import make_service

    now = timezone.now()
    service = make_service("Harbour Housing Advice")
    LocalKnowledge.objects.create(
        team=team, service=service, relationship_notes="Ask for Jo on the desk, she fast-tracks ours"
    )
    NamedContact.objects.create(team=team, service=service, name="Jo Quayside", phone="01632 960111")
    referral = referral_create(
        actor=practitioner,
        episode=episode,
        need_key="housing",
        service=service,
        kind="active",
        consent="given",
        reason="Needs somewhere to stay after court",
    )
    referral = referral_move(
        actor=practitioner, referral=referral, version=referral.version, to_status="sent", note="Emailed"
    )
    appointment_book(
        actor=practitioner,
        referral=referral,
        version=referral.version,
        starts_at=now + dt.timedelta(days=3),
        place="The service's front desk",
        travel_needs="Bus fare",
    )
    record = advice_allocate(
        actor=team_lead,
        episode=episode,
        advice_type="benefits",
        adviser_id=team_lead.pk,
        need_key="money",
        summary="Universal Credit stopped while on remand",
        benefit="universal_credit",
    )
    advice_action_add(actor=team_lead, record=record, done_on=timezone.localdate(), what="Phoned the DWP")
    advice_outcome_add(
        actor=team_lead,
        record=record,
        kind="award_made",
        achieved_on=timezone.localdate(),
        amount=Decimal("393.45"),
        frequency="monthly",
    )
    plan = crisis_plan_start(actor=practitioner, episode=episode)
    plan = crisis_plan_save(
        actor=practitioner,
        plan=plan,
        version=plan.version,
        data={
            "warning_signs": "I stop sleeping and stop answering the phone",
            "self_help": "Walk the dog on the front",
            "people_to_ask": [{"name": "Sam", "how": "07700 900123"}],
            "written_with_person": True,
            "review_on": timezone.localdate() + dt.timedelta(days=30),
        },
    )
    plan = crisis_plan_complete(actor=practitioner, plan=plan, version=plan.version)
    review = crisis_plan_start(actor=practitioner, episode=episode)  # version 2, a draft review
    crisis_plan_save(
        actor=practitioner,
        plan=review,
        version=review.version,
        data={"warning_signs": "I stop sleeping, and I stop eating"},
    )
    crisis_event_add(
        actor=practitioner,
        episode=episode,
        happened_at=now - dt.timedelta(days=2),
        what_happened="Went to the bridge at night",
        what_helped="Calling Sam",
    )
    session = session_create(
        actor=practitioner,
        team=team,
        place="Harbour Café, back room",
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=1),
        staff_ids=[practitioner.pk],
        notes="Busy: Jordan Example came in too",
    )
    attendance_add(actor=practitioner, session=session, episode=episode)


# Words planted in the sharing records, to find them in the export.
WITHDRAWN_NOTE = "He changed his mind about the police once he calmed down"
BASIS_REASON = "Probation must know of the risk to his partner before the hearing"
FEEDBACK_WORDS = "We also needed to know about his medication"


def _sharing_records(person, episode, team, practitioner, team_lead):
    """Consent and sharing, through the services: a consent to share with the police, withdrawn; a
    consent to share recommendations and needs with the court; a lawful basis to share with probation
    without consent, approved by a team lead; a court report signed off (two versions: the signed one
    and a draft revision), shared by a link the clerk opened and left feedback on, and downloaded for
    probation under the lawful basis. The referral sent to a service (`_service_records`) is logged as
    a disclosure too. Returns the share link's token (never exported)."""
    from liaison.consent.services import decide_basis, record_consent, request_basis, withdraw_consent
    from liaison.reports.services import (
        feedback_add,
        link_open,
        report_create,
        report_download,
        report_revise,
        report_save,
        report_sign_off,
        share_link_create,
    )

    earlier = timezone.now() - dt.timedelta(minutes=10)
    police = record_consent(
        actor=practitioner,
        person=person,
        team=team,
        episode=episode,
        purpose="sharing",
        decision="given",
        pairs=[("police", "recommendations")],
        note="Happy for the custody sergeant to know what we advise",
        at=earlier,
    )
    withdraw_consent(actor=practitioner, consent=police, version=police.version, note=WITHDRAWN_NOTE)
    record_consent(
        actor=practitioner,
        person=person,
        team=team,
        episode=episode,
        purpose="sharing",
        decision="given",
        pairs=[("court", "recommendations"), ("court", "needs_summary")],
        capacity="yes",
        at=earlier,
    )
    basis = request_basis(
        actor=practitioner,
        person=person,
        team=team,
        episode=episode,
        recipient_kind="probation",
        content_kinds=["recommendations", "needs_summary"],
        basis="serious_harm",
        reason=BASIS_REASON,
    )
    decide_basis(actor=team_lead, sharing_basis=basis, version=basis.version, approve=True, at=earlier)
    version = report_create(actor=practitioner, episode=episode, kind="court_report")
    version = report_save(
        actor=practitioner,
        version=version,
        expected=version.version,
        texts={
            "recommendations": "A community order with a mental health treatment requirement",
            "treatment_requirements": "Mental health treatment requirement: suitable; agrees to it.",
        },
    )
    version = report_sign_off(actor=team_lead, version=version, expected=version.version)
    link, token = share_link_create(
        actor=practitioner,
        version=version,
        recipient_name="Jo Clerk",
        recipient_organisation="Northtown Magistrates' Court",
        recipient_email="jo.clerk@justice.example",
        recipient_kind="court",
    )
    assert link_open(token=token).state == "ok"
    feedback_add(link=link, usefulness=4, what_else=FEEDBACK_WORDS)
    report_download(
        actor=practitioner,
        version=version,
        recipient_name="Pat Officer",
        recipient_organisation="Northtown Probation Delivery Unit",
        recipient_kind="probation",
    )
    report_revise(actor=practitioner, report=version.report)  # version 2, a draft
    return token
