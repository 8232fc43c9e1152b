"""The outsider case for every HTML route that names a record: 404, nothing changed, and an audit event.

Routes are read from the URL configuration itself, so a new route that takes a record id is covered
the day it is added (and must be listed below with the record its id refers to).
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, get_resolver, reverse

from liaison.assessment.models import Assessment, PlanAction, PlanOrder
from liaison.core.models import AuditEvent
from liaison.episodes.models import Contact, Episode, EpisodeStatus, Task
from liaison.identification.models import Arrival, EpisodeFlag
from liaison.identification.services import arrivals_import
from liaison.people.models import Alias, ContactRelationship, Person, PersonContact
from liaison.screening.models import Screening

# Route name -> which fixture's id fills each URL parameter.
ROUTE_IDS = {
    "person_detail": {"pk": "person"},
    "person_audit": {"pk": "person"},
    "person_break_glass": {"pk": "person"},
    "person_edit": {"pk": "person"},
    "person_contact_new": {"pk": "person"},
    "person_contact_remove": {"pk": "person", "contact_pk": "person_contact"},
    "person_alias_new": {"pk": "person"},
    "person_alias_remove": {"pk": "person", "alias_pk": "alias"},
    "episode_detail": {"pk": "episode"},
    "episode_contact": {"pk": "episode"},
    "episode_task": {"pk": "episode"},
    "episode_task_done": {"pk": "episode", "task_pk": "task"},
    "episode_stage": {"pk": "episode"},
    "episode_reopen": {"pk": "episode"},
    "screening_new": {"pk": "episode"},
    "screening_detail": {"pk": "screening"},
    "screening_answers": {"pk": "screening"},
    "screening_acknowledge": {"pk": "screening"},
}
ROUTE_IDS.update(
    {
        "import_batch": {"pk": "import_batch"},
        "arrival_detail": {"pk": "arrival"},
        "arrival_reviewed": {"pk": "arrival"},
        "arrival_flag": {"pk": "arrival"},
        "arrival_episode": {"pk": "arrival"},
        "referral_detail": {"pk": "referral"},
        "assessment_new": {"pk": "episode"},
        "assessment_detail": {"pk": "assessment"},
        "assessment_save": {"pk": "assessment"},
        "plan_detail": {"pk": "episode"},
        "plan_action_new": {"pk": "episode"},
        "plan_order": {"pk": "episode"},
        "plan_action_detail": {"pk": "plan_action"},
    }
)
# Privacy monitoring and the team's accounts (monitoring app).
ROUTE_IDS.update(
    {
        "privacy_alert_detail": {"pk": "privacy_alert"},
        "privacy_alert_access": {"pk": "privacy_alert"},
        "account_deactivate": {"pk": "account"},
    }
)
# Rights and records: subject access requests, the history of a person's details, disputes.
ROUTE_IDS.update(
    {
        "sar_new": {"pk": "person"},
        "sar_detail": {"pk": "sar"},
        "sar_extend": {"pk": "sar"},
        "sar_export": {"pk": "sar"},
        "person_history": {"pk": "person"},
        "person_correction_new": {"pk": "person"},
        "person_dispute_new": {"pk": "person"},
        "person_dispute_resolve": {"pk": "person", "dispute_pk": "dispute"},
        # Retention: legal holds, and proposals to destroy a record past its retention date.
        "destruction_propose": {"pk": "person"},
        "destruction_detail": {"pk": "destruction_proposal"},
        "destruction_approve": {"pk": "destruction_proposal"},
        "destruction_reject": {"pk": "destruction_proposal"},
        "legal_hold_new": {"pk": "person"},
        "legal_hold_lift": {"pk": "person", "hold_pk": "legal_hold"},
    }
)
# Person matching: the duplicate review, merge confirmation, undoing a merge, a merged-away record.
ROUTE_IDS.update(
    {
        "duplicate_pair": {"pk": "duplicate_pair"},
        "duplicate_pair_merge": {"pk": "duplicate_pair"},
        "person_merged": {"pk": "merged_person"},
        "person_unmerge": {"pk": "person", "merge_pk": "merge"},
    }
)
# Crisis plans and the crisis event log (issue 7).
ROUTE_IDS.update(
    {
        "crisis_plan": {"pk": "episode"},
        "crisis_plan_new": {"pk": "episode"},
        "crisis_event_log": {"pk": "episode"},
        "crisis_plan_version": {"pk": "crisis_plan"},
        "crisis_plan_card": {"pk": "crisis_plan"},
    }
)
# Service matching: services for one need of an episode (need_key is a need's code, not an id).
ROUTE_IDS.update({"directory:need_services": {"pk": "episode", "need_key": "need_key"}})
# The directory's own pages use string service ids (shared reference data, readable by any clinical
# member of any team); only removing a team's named contact names a record of one team.
ROUTE_IDS.update({"directory:contact_remove": {"pk": "directory_service", "contact_pk": "named_contact"}})
# Referrals to services and appointments (issue 5).
ROUTE_IDS.update(
    {
        "referrals:referral_new": {"pk": "episode"},
        "referrals:referral_detail": {"pk": "service_referral"},
        "referrals:referral_move": {"pk": "service_referral"},
        "referrals:referral_consent": {"pk": "service_referral"},
        "referrals:appointment_new": {"pk": "service_referral"},
        "referrals:appointment_attendance": {"pk": "appointment"},
    }
)
# Housing and benefits advice in the team (issue 7).
ROUTE_IDS.update(
    {
        "advice_new": {"pk": "episode"},
        "advice_detail": {"pk": "advice_record"},
        "advice_reallocate": {"pk": "advice_record"},
        "advice_action": {"pk": "advice_record"},
        "advice_outcome": {"pk": "advice_record"},
        "advice_duty_to_refer": {"pk": "advice_record"},
        "advice_close": {"pk": "advice_record"},
    }
)
# Drop-in sessions: the register names the team's people (issue 7).
ROUTE_IDS.update(
    {
        "drop_in_detail": {"pk": "drop_in"},
        "drop_in_update": {"pk": "drop_in"},
        "drop_in_attend": {"pk": "drop_in"},
    }
)
# Consent and sharing (issue 6).
ROUTE_IDS.update(
    {
        "consent:person_consent": {"pk": "person"},
        "consent:consent_record": {"pk": "person"},
        "consent:consent_withdraw": {"pk": "person", "consent_id": "consent"},
        "consent:basis_new": {"pk": "person"},
        "consent:person_disclosures": {"pk": "person"},
        "consent:basis_decide": {"pk": "sharing_basis"},
    }
)
# Reports to justice partners and their share links (issue 6).
ROUTE_IDS.update(
    {
        "reports:episode_reports": {"pk": "episode"},
        "reports:report_detail": {"pk": "report"},
        "reports:report_sign_off": {"pk": "report"},
        "reports:report_revise": {"pk": "report"},
        "reports:report_share": {"pk": "report"},
        "reports:report_download": {"pk": "report"},
        "reports:report_preview": {"pk": "report"},
        "reports:link_revoke": {"pk": "report", "link_pk": "share_link"},
    }
)
# Break-the-glass pages are open to outsiders by design: a reason is asked before anything is shown.
OPEN_TO_OUTSIDERS = {"person_break_glass"}


def _routes_with_ids() -> set[str]:
    names = set()
    for pattern in get_resolver().url_patterns:
        for sub in getattr(pattern, "url_patterns", [pattern]):
            if isinstance(sub, URLPattern) and sub.name and "<int:" in str(sub.pattern):
                # Apps with an app_name (directory, referrals) are reversed by "namespace:name".
                namespace = getattr(pattern, "namespace", None)
                names.add(f"{namespace}:{sub.name}" if namespace else sub.name)
    return names


def test_every_route_with_a_record_id_is_in_the_table():
    assert _routes_with_ids() == set(ROUTE_IDS)


@pytest.fixture
def records(episode_a, practitioner):
    task = Task.objects.create(episode=episode_a, title="Call GP", due="2026-12-01", created_by=practitioner)
    contact = PersonContact.objects.create(
        person=episode_a.person, relationship=ContactRelationship.NEXT_OF_KIN, name="Kin Person"
    )
    alias = Alias.objects.create(person=episode_a.person, family_name="Other", family_name_search="other")
    arrivals = arrivals_import(
        actor=practitioner,
        site=episode_a.site,
        file_name="list.csv",
        data=b"arrival_time,given_name,family_name,officer_flags\n01/01/2026 10:00,Alex,Rivers,MH\n",
    )
    referral = _partner_referral(episode_a)
    assessment, plan_action = _assessment_and_action(episode_a, practitioner)
    return {
        "assessment": assessment.pk,
        "plan_action": plan_action.pk,
        "import_batch": arrivals.batch.pk,
        "arrival": Arrival.objects.get().pk,
        "referral": referral.pk,
        **_monitoring_records(episode_a, practitioner),
        **_rights_records(episode_a, practitioner),
        **_matching_records(episode_a, practitioner),
        **_support_records(episode_a, practitioner),
        **_referral_records(episode_a, practitioner),
        **_directory_records(episode_a),
        **_advice_records(episode_a, practitioner),
        **_consent_records(episode_a, practitioner),
        **_report_records(episode_a, practitioner),
        "drop_in": _drop_in(episode_a, practitioner),
        "person": episode_a.person_id,
        "episode": episode_a.pk,
        "need_key": "housing",
        "task": task.pk,
        "person_contact": contact.pk,
        "alias": alias.pk,
        "screening": Screening.objects.create(
            episode=episode_a,
            instrument_code="phq-9",
            instrument_version="1",
            profile="standard",
            by=practitioner,
        ).pk,
    }


def _drop_in(episode_a, practitioner):
    import datetime as dt

    from django.utils import timezone

    from liaison.outreach.services import attendance_add, session_create

    now = timezone.now()
    session = session_create(
        actor=practitioner,
        team=episode_a.team,
        place="Hall",
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=1),
        staff_ids=[practitioner.pk],
    )
    attendance_add(actor=practitioner, session=session, episode=episode_a)
    return session.pk


def _partner_referral(episode_a):
    from liaison.core.models import Role
    from liaison.partners.services import referral_create
    from tests.factories import member

    return referral_create(
        actor=member(episode_a.team, Role.PARTNER),
        team=episode_a.team,
        site_id=episode_a.site_id,
        given_name="Alex",
        family_name="Rivers",
        reason="Worried",
        urgency="urgent",
        source="police",
    )


def _assessment_and_action(episode_a, practitioner):
    from django.utils import timezone

    from liaison.assessment.services import (
        assessment_complete,
        assessment_save,
        assessment_start,
        plan_action_add,
    )

    draft = assessment_start(actor=practitioner, episode=episode_a)
    draft = assessment_save(
        actor=practitioner, assessment=draft, version=1, data={"needs": [{"key": "money", "level": "low"}]}
    )
    assessment = assessment_complete(actor=practitioner, assessment=draft, version=draft.version)
    action = plan_action_add(
        actor=practitioner,
        episode=episode_a,
        need_key="money",
        description="Check the claim",
        owner_id=practitioner.pk,
        due=timezone.localdate(),
    )
    return assessment, action


def _advice_records(episode_a, practitioner):
    from liaison.advice.services import advice_allocate

    record = advice_allocate(actor=practitioner, episode=episode_a, advice_type="housing", adviser_id=None)
    return {"advice_record": record.pk}


def _advice_state() -> tuple[object, ...]:
    from liaison.advice.models import AdviceAction, AdviceOutcome, AdviceRecord

    return (
        tuple(AdviceRecord.objects.order_by("pk").values_list("pk", "version", "status", "adviser_id")),
        AdviceAction.objects.count(),
        AdviceOutcome.objects.count(),
    )


def _directory_records(episode_a):
    from liaison.directory.models import NamedContact, Organization, Service

    organization = Organization.objects.create(id="outsider-test-org", name="Org")
    service = Service.objects.create(id="outsider-test-service", name="Shelter", organization=organization)
    contact = NamedContact.objects.create(team=episode_a.team, service=service, name="Sam Okafor")
    return {"directory_service": service.pk, "named_contact": contact.pk}


def _referral_records(episode_a, practitioner):
    from tests.referrals.conftest import booked, draft, make_service, moved

    referral = moved(practitioner, draft(practitioner, episode_a, make_service()), "sent", "accepted")
    appointment = booked(practitioner, referral)
    return {"service_referral": referral.pk, "appointment": appointment.pk}


def _directory_state() -> tuple[object, ...]:
    from liaison.directory.models import NamedContact

    return (tuple(NamedContact.objects.order_by("pk").values_list("pk", "name")),)


def _referral_state() -> tuple[object, ...]:
    from liaison.referrals.models import Appointment, Referral, ReferralStatus

    return (
        tuple(Referral.objects.order_by("pk").values_list("pk", "version", "status", "consent")),
        ReferralStatus.objects.count(),
        tuple(Appointment.objects.order_by("pk").values_list("pk", "version", "attendance")),
    )


def _support_records(episode_a, practitioner):
    from liaison.support.services import crisis_plan_start

    return {"crisis_plan": crisis_plan_start(actor=practitioner, episode=episode_a).pk}


def _support_state() -> tuple[object, ...]:
    from liaison.support.models import CrisisEvent, CrisisPlan

    return (
        tuple(CrisisPlan.objects.order_by("pk").values_list("pk", "version", "status")),
        CrisisEvent.objects.count(),
    )


def _monitoring_records(episode_a, practitioner):
    from liaison.monitoring.models import AlertRule, PrivacyAlert

    alert = PrivacyAlert.objects.create(
        rule=AlertRule.DAILY_CEILING, team=episode_a.team, user=practitioner, day="2026-03-24", numbers={}
    )
    return {"privacy_alert": alert.pk, "account": practitioner.pk}


def _rights_records(episode_a, practitioner):
    from django.utils import timezone

    from liaison.rights.models import DestructionProposal, FieldDispute, LegalHold, SubjectAccessRequest

    today = timezone.localdate()
    sar = SubjectAccessRequest.objects.create(
        person=episode_a.person,
        team=episode_a.team,
        received_on=today,
        identity_verified="Known to the team",
        requester="person",
        statutory_due_on=today,
        due_on=today,
        created_by=practitioner,
    )
    dispute = FieldDispute.objects.create(
        person=episode_a.person,
        field="family_name",
        recorded_value="Rivers",
        person_says="It is Rivers-Lee",
        team=episode_a.team,
        raised_by=practitioner,
    )
    hold = LegalHold.objects.create(
        person=episode_a.person,
        team=episode_a.team,
        reason="inquiry",
        reference="Inquiry 1",
        placed_by=practitioner,
    )
    proposal = DestructionProposal.objects.create(
        person=episode_a.person, team=episode_a.team, retention_date=today, proposed_by=practitioner
    )
    return {"sar": sar.pk, "dispute": dispute.pk, "legal_hold": hold.pk, "destruction_proposal": proposal.pk}


def _matching_records(episode_a, practitioner):
    from liaison.matching.models import DuplicatePair, MergeRecord
    from tests.factories import EpisodeFactory, PersonFactory

    other = EpisodeFactory(site=episode_a.site, person=PersonFactory(given_name="Alex", family_name="Rivers"))
    merged = EpisodeFactory(site=episode_a.site).person
    a, b = sorted((episode_a.person_id, other.person_id))
    pair = DuplicatePair.objects.create(
        person_a_id=a, person_b_id=b, probability=0.9, match_weight=20, model_version="test"
    )
    merge = MergeRecord.objects.create(
        survivor=episode_a.person, duplicate=merged, merged_by=practitioner, reason="Same person"
    )
    return {"duplicate_pair": pair.pk, "merge": merge.pk, "merged_person": merged.pk}


def _state() -> tuple[object, ...]:
    """Everything an outsider's request could change on team A's records."""
    return (
        Contact.objects.count(),
        Task.objects.count(),
        EpisodeStatus.objects.count(),
        PersonContact.objects.count(),
        Alias.objects.count(),
        tuple(Person.objects.order_by("pk").values_list("pk", "version", "given_name")),
        tuple(Screening.objects.order_by("pk").values_list("pk", "version", "status", "acknowledged_at")),
        tuple(Arrival.objects.order_by("pk").values_list("pk", "version", "status")),
        Episode.objects.count(),
        EpisodeFlag.objects.count(),
        tuple(Assessment.objects.order_by("pk").values_list("pk", "version", "status")),
        tuple(PlanAction.objects.order_by("pk").values_list("pk", "version", "status")),
        PlanOrder.objects.count(),
        _monitoring_state(),
        _rights_state(),
        _matching_state(),
        _support_state(),
        _referral_state(),
        _directory_state(),
        _advice_state(),
        _consent_state(),
        _report_state(),
    )


def _consent_records(episode_a, practitioner):
    from liaison.consent.services import record_consent, request_basis

    person, team_id = episode_a.person, episode_a.team_id
    consent = record_consent(
        actor=practitioner,
        person=person,
        team=team_id,
        purpose="sharing",
        decision="given",
        pairs=[("court", "recommendations")],
    )
    basis = request_basis(
        actor=practitioner,
        person=person,
        team=team_id,
        recipient_kind="police",
        content_kinds=["recommendations"],
        basis="serious_harm",
        reason="Threats to a named person",
    )
    return {"consent": consent.pk, "sharing_basis": basis.pk}


def _consent_state() -> tuple[object, ...]:
    from liaison.consent.models import Consent, Disclosure, SharingBasis

    return (
        tuple(Consent.objects.order_by("pk").values_list("pk", "version", "withdrawn_at")),
        tuple(SharingBasis.objects.order_by("pk").values_list("pk", "version", "status")),
        Disclosure.objects.count(),
    )


def _report_records(episode_a, practitioner):
    from liaison.core.models import Role
    from tests.factories import member
    from tests.reports.conftest import court_consent, make_link, signed_off

    court_consent(episode_a.person, episode_a.team, practitioner, "recommendations")
    version = signed_off(episode_a, practitioner, member(episode_a.team, Role.TEAM_LEAD, "report-lead"))
    link, _token = make_link(version, practitioner)
    return {"report": version.report_id, "share_link": link.pk}


def _report_state() -> tuple[object, ...]:
    from liaison.consent.models import Disclosure
    from liaison.reports.models import PartnerFeedback, Report, ReportSettings, ReportVersion, ShareLink

    return (
        tuple(Report.objects.order_by("pk").values_list("pk", "status")),
        tuple(ReportVersion.objects.order_by("pk").values_list("pk", "version", "signed_off_at")),
        tuple(ShareLink.objects.order_by("pk").values_list("pk", "revoked_at", "open_count")),
        PartnerFeedback.objects.count(),
        ReportSettings.objects.count(),
        Disclosure.objects.count(),
    )


def _monitoring_state() -> tuple[object, ...]:
    from liaison.core.models import User
    from liaison.monitoring.models import PrivacyAlert

    return (
        tuple(PrivacyAlert.objects.order_by("pk").values_list("pk", "closed_at", "outcome")),
        tuple(User.objects.order_by("pk").values_list("pk", "is_active")),
    )


def _matching_state() -> tuple[object, ...]:
    from liaison.matching.models import DuplicatePair, MergeRecord

    return (
        tuple(DuplicatePair.objects.order_by("pk").values_list("pk", "status")),
        tuple(MergeRecord.objects.order_by("pk").values_list("pk", "unmerged_at")),
    )


def _rights_state() -> tuple[object, ...]:
    from liaison.rights.models import (
        DestructionProposal,
        DestructionRecord,
        FieldChange,
        FieldDispute,
        LegalHold,
        SubjectAccessRequest,
    )

    return (
        tuple(
            SubjectAccessRequest.objects.order_by("pk").values_list("pk", "version", "fulfilled_at", "due_on")
        ),
        FieldChange.objects.count(),
        tuple(FieldDispute.objects.order_by("pk").values_list("pk", "resolved_at", "outcome")),
        tuple(LegalHold.objects.order_by("pk").values_list("pk", "lifted_at")),
        tuple(DestructionProposal.objects.order_by("pk").values_list("pk", "status")),
        DestructionRecord.objects.count(),
    )


@pytest.mark.parametrize("name", sorted(set(ROUTE_IDS) - OPEN_TO_OUTSIDERS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_gets_404_on_every_route_and_is_audited(outsider_client, outsider, records, name, method):
    url = reverse(name, kwargs={k: records[v] for k, v in ROUTE_IDS[name].items()})
    before = _state()
    # Enough for every form to be valid, so a missing access check would show as a change.
    data = {
        "version": 1,
        "channel": "phone",
        "successful": "yes",
        "title": "x",
        "stage": "screened",
        "given_name": "Changed",
        "family_name": "Changed",
        "sex": "0",
        "ethnicity": "99",
        "language": "English",
        "interpreter_needed": "no",
        "veteran": "not_known",
        "care_leaver": "not_known",
        "relationship": "other",
        "name": "Intruder",
        "instrument": "phq-9",
        "item_1": "1",
        "flag-version": 1,
        "flag-flags": "adhd",
        "episode-version": 1,
        "episode-person": "new",
        "episode-offence_category": "other",
        "action": "save",
        "goals": "Changed",
        "status": "done",
        "owner": 1,
        "action-need_key": "money",
        "action-description": "x",
        "order-position_money": "1",
        "order-reason": "x",
        "outcome": "no_concern",
        "note": "Looked into it",
        "reason": "Left the team on 31 March",
        "field": "given_name",
        "person_says": "It is Rivers-Lee",
        "received_on-day": "1",
        "received_on-month": "3",
        "received_on-year": "2026",
        "identity_verified": "Passport seen",
        "requester": "person",
        "months": "1",
        "detail": "Records from three teams",
        "what_happened": "Intruder",
        "happened_at-day": "1",
        "happened_at-month": "3",
        "happened_at-year": "2026",
        "happened_at-hour": "10",
        "happened_at-minute": "00",
        "advice_type": "housing",
        "adviser": "team",
        "action-what": "Rang the council",
        "action-done_on-day": "1",
        "action-done_on-month": "3",
        "action-done_on-year": "2026",
    }
    response = getattr(outsider_client, method)(url, data) if method == "post" else outsider_client.get(url)
    assert response.status_code in (404, 405), (url, response.status_code)
    if response.status_code == 404:
        assert AuditEvent.objects.filter(action="access.denied", actor_id=outsider.pk).exists()
    assert _state() == before
    if response.status_code == 404:
        assert b"Alex" not in response.content and b"Rivers" not in response.content
