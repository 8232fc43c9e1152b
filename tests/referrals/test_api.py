"""The referrals API: the same rules as the pages, as problem+json, with Idempotency-Key on POST."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from liaison.episodes.models import Task
from liaison.referrals.models import Appointment, Referral, ReferralStatus, Status
from tests.api.conftest import fields, get, post, problem, token_client
from tests.referrals.conftest import booked, draft, moved


def _create(client, episode, service, **overrides):
    body = {
        "need_key": "housing",
        "service_id": service.pk,
        "kind": "active",
        "consent": "given",
        **overrides,
    }
    return post(client, f"/episodes/{episode.pk}/service-referrals", body)


def test_create_list_and_get_a_referral(practitioner, episode_a, service):
    client = token_client(practitioner)
    response = _create(client, episode_a, service, reason="A bed tonight")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["kind"], body["service_name"]) == (
        "draft",
        "active",
        "Harbour Housing Advice",
    )
    assert body["next_moves"] == ["sent", "closed"]
    listed = get(client, f"/episodes/{episode_a.pk}/service-referrals").json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    assert get(client, f"/service-referrals/{body['id']}").json()["history"][0]["status"] == "draft"


def test_an_ineligible_person_is_a_422_naming_the_service(practitioner, episode_a):
    from tests.referrals.conftest import make_service

    service = make_service(maximum_age=21)
    body = problem(_create(token_client(practitioner), episode_a, service), 422)
    assert fields(body) == {"service_id"}
    assert "takes people aged up to 21; this person is" in body["detail"]
    assert not Referral.objects.exists()


def test_an_unknown_service_is_a_422(practitioner, episode_a, db):
    body = problem(_create(token_client(practitioner), episode_a, type("S", (), {"pk": "svc-none"})()), 422)
    assert fields(body) == {"service_id"}


def test_moves_follow_the_state_machine(practitioner, episode_a, service):
    client = token_client(practitioner)
    referral = draft(practitioner, episode_a, service)
    sent = post(client, f"/service-referrals/{referral.pk}/moves", {"version": 1, "status": "sent"}).json()
    assert sent["status"] == "sent" and Task.objects.filter(rule="referral.no_acknowledgement").exists()
    body = problem(
        post(client, f"/service-referrals/{referral.pk}/moves", {"version": 2, "status": "attended"}), 422
    )
    assert fields(body) == {"status"} and "Book an appointment first" in body["detail"]
    body = problem(
        post(client, f"/service-referrals/{referral.pk}/moves", {"version": 1, "status": "accepted"}), 409
    )
    assert body["current_version"] == 2
    assert ReferralStatus.objects.filter(referral=referral).count() == 2


def test_sending_without_consent_is_refused(practitioner, episode_a, service):
    client = token_client(practitioner)
    referral = draft(practitioner, episode_a, service, consent="refused")
    body = problem(
        post(client, f"/service-referrals/{referral.pk}/moves", {"version": 1, "status": "sent"}), 422
    )
    assert "did not agree" in body["detail"]
    ok = post(client, f"/service-referrals/{referral.pk}/consent", {"version": 1, "consent": "given"})
    assert ok.json()["consent"] == "given"
    assert (
        post(client, f"/service-referrals/{referral.pk}/moves", {"version": 2, "status": "sent"}).status_code
        == 200
    )


def test_book_then_record_a_missed_appointment(practitioner, support_worker, episode_a, service):
    client = token_client(practitioner)
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT, Status.ACCEPTED)
    past = (timezone.now() - dt.timedelta(days=1)).isoformat()
    body = problem(
        post(
            client,
            f"/service-referrals/{referral.pk}/appointments",
            {"version": 3, "starts_at": past, "place": "Hall"},
        ),
        422,
    )
    assert fields(body) == {"starts_at"}
    soon = (timezone.now() + dt.timedelta(days=1)).isoformat()
    response = post(
        client,
        f"/service-referrals/{referral.pk}/appointments",
        {"version": 3, "starts_at": soon, "place": "Hall", "accompanied_by_id": support_worker.pk},
    )
    assert response.status_code == 201, response.content
    appointment = response.json()
    assert appointment["attendance"] == "upcoming" and appointment["service_name"] == "Harbour Housing Advice"
    Appointment.objects.filter(pk=appointment["id"]).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    recorded = post(
        client, f"/appointments/{appointment['id']}/attendance", {"version": 1, "attendance": "missed"}
    )
    assert recorded.json()["attendance"] == "missed"
    assert get(client, f"/service-referrals/{referral.pk}").json()["status"] == "did_not_attend"
    assert Task.objects.filter(rule="appointment.outreach", done_at__isnull=True).count() == 1


def test_idempotency_key_makes_a_retry_safe(practitioner, episode_a, service):
    client = token_client(practitioner)
    body = {"need_key": "housing", "service_id": service.pk, "kind": "signposting"}
    first = post(
        client, f"/episodes/{episode_a.pk}/service-referrals", body, **{"Idempotency-Key": "abc-123"}
    )
    again = post(
        client, f"/episodes/{episode_a.pk}/service-referrals", body, **{"Idempotency-Key": "abc-123"}
    )
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Referral.objects.count() == 1


def test_my_appointments(practitioner, support_worker, episode_a, service):
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT, Status.ACCEPTED)
    appointment = booked(practitioner, referral, accompanied_by_id=support_worker.pk)
    items = get(token_client(support_worker), "/appointments").json()["items"]
    assert [item["id"] for item in items] == [appointment.pk]
    assert (
        get(token_client(practitioner), "/appointments?upcoming=true").json()["items"][0]["id"]
        == appointment.pk
    )


def test_the_outsider_gets_404_everywhere(outsider, practitioner, episode_a, service):
    client = token_client(outsider)
    referral = moved(practitioner, draft(practitioner, episode_a, service), Status.SENT, Status.ACCEPTED)
    appointment = booked(practitioner, referral)
    problem(get(client, f"/service-referrals/{referral.pk}"), 404)
    problem(get(client, f"/episodes/{episode_a.pk}/service-referrals"), 404)
    problem(post(client, f"/service-referrals/{referral.pk}/moves", {"version": 3, "status": "closed"}), 404)
    problem(
        post(client, f"/appointments/{appointment.pk}/attendance", {"version": 1, "attendance": "cancelled"}),
        404,
    )
    assert get(client, "/appointments").json()["items"] == []
    assert Referral.objects.get().status == Status.APPOINTMENT_BOOKED
