"""Referrals and liaison.consent: sending an active referral shares a summary of needs, so it needs the
person's consent (or an approved lawful basis) for that kind of recipient; a sent referral is logged as a
disclosure."""

from __future__ import annotations

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone

from liaison.consent.models import Consent as SharingConsent
from liaison.consent.models import Disclosure
from liaison.consent.services import decide_basis, request_basis, withdraw_consent
from liaison.core.models import AuditEvent
from liaison.referrals.models import Consent, Status
from liaison.referrals.services import recipient_kind_for, referral_consent
from tests.factories import EpisodeFactory, PersonFactory, Role, member
from tests.referrals.conftest import draft, moved


@pytest.mark.parametrize(
    ("need_key", "kind"),
    [
        ("mental_health", "mental_health"),
        ("housing", "other_service"),
        ("basic:sleep_tonight", "other_service"),
    ],
)
def test_the_recipient_kind_follows_the_need(need_key, kind):
    assert recipient_kind_for(need_key) == kind


def test_the_referral_forms_answer_records_a_real_consent(practitioner, episode_a, service):
    draft(practitioner, episode_a, service, consent=Consent.GIVEN, need_key="mental_health")
    consent = SharingConsent.objects.get()
    assert (consent.purpose, consent.decision, consent.episode_id) == ("sharing", "given", episode_a.pk)
    assert list(consent.scopes.values_list("recipient_kind", "content_kind")) == [
        ("mental_health", "needs_summary")
    ]


def test_not_asked_records_no_consent(practitioner, episode_a, service):
    draft(practitioner, episode_a, service, consent=Consent.NOT_ASKED)
    assert not SharingConsent.objects.exists()


def test_a_sent_referral_is_logged_as_a_disclosure(practitioner, episode_a, service):
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT)
    disclosure = Disclosure.objects.get()
    assert (disclosure.method, disclosure.recipient_name, disclosure.content_kinds) == (
        "referral",
        service.name,
        ["needs_summary"],
    )
    assert (disclosure.source_type, disclosure.source_id, disclosure.basis) == (
        "service_referral",
        referral.pk,
        "consent",
    )
    assert AuditEvent.objects.filter(action="disclosure.record", person_id=episode_a.person_id).exists()


def test_withdrawn_consent_blocks_the_send_and_nothing_is_disclosed(practitioner, episode_a, service):
    referral = draft(practitioner, episode_a, service)
    consent = SharingConsent.objects.get()
    withdraw_consent(actor=practitioner, consent=consent, version=1)
    with pytest.raises(ValidationError) as excinfo:
        moved(practitioner, referral, Status.SENT)
    assert "withdrew their consent" in excinfo.value.message_dict["to_status"][0]
    assert not Disclosure.objects.exists()
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT
    event = AuditEvent.objects.get(action="service_referral.send_refused")
    assert "withdrew" in event.detail["reason"]


def test_consent_for_another_kind_of_recipient_does_not_count(practitioner, episode_a, service):
    # Agreed for a housing service (other services); a mental health referral needs its own agreement.
    draft(practitioner, episode_a, service, consent=Consent.GIVEN, need_key="housing")
    referral = draft(practitioner, episode_a, service, consent=Consent.NOT_ASKED, need_key="mental_health")
    with pytest.raises(ValidationError) as excinfo:
        moved(practitioner, referral, Status.SENT)
    assert "Mental health team" in excinfo.value.message_dict["to_status"][0]


def test_an_approved_lawful_basis_lets_it_be_sent(practitioner, team_lead, episode_a, service):
    referral = draft(practitioner, episode_a, service, consent=Consent.REFUSED)
    basis = request_basis(
        actor=practitioner,
        person=episode_a.person,
        team=episode_a.team_id,
        recipient_kind="other_service",
        content_kinds=["needs_summary"],
        basis="serious_harm",
        reason="Sleeping rough in sub-zero temperatures after release",
    )
    decide_basis(actor=team_lead, sharing_basis=basis, version=1, approve=True)
    moved(practitioner, referral, Status.SENT)
    disclosure = Disclosure.objects.get()
    assert (disclosure.basis, disclosure.sharing_basis_id) == ("lawful_basis", basis.pk)


def test_a_child_needs_the_guardian_question_answered_first(practitioner, site_a, service):
    child = PersonFactory(date_of_birth=timezone.localdate() - relativedelta(years=16))
    episode = EpisodeFactory(site=site_a, person=child, age_group="youth")
    referral = draft(practitioner, episode, service, consent=Consent.GIVEN)
    with pytest.raises(ValidationError) as excinfo:
        moved(practitioner, referral, Status.SENT)
    assert "under 18" in excinfo.value.message_dict["to_status"][0]


def test_recording_consent_on_a_draft_records_a_real_consent(practitioner, episode_a, service):
    referral = draft(practitioner, episode_a, service, consent=Consent.NOT_ASKED)
    referral_consent(actor=practitioner, referral=referral, version=1, consent=Consent.REFUSED)
    assert SharingConsent.objects.get().decision == "refused"


def test_a_support_worker_records_consent_through_the_referral(team_a, episode_a, service):
    worker = member(team_a, Role.SUPPORT_WORKER)
    draft(worker, episode_a, service, consent=Consent.GIVEN)
    assert SharingConsent.objects.get().recorded_by == worker
