"""Referral fixtures: a directory service with one location, and referrals at each stage."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from liaison.directory.models import Location, Organization, Service, ServiceAtLocation
from liaison.referrals.models import Consent, Kind
from liaison.referrals.services import appointment_book, referral_create, referral_move


def make_service(name: str = "Harbour Housing Advice", **fields) -> Service:
    organization, _ = Organization.objects.get_or_create(id="org-harbour", defaults={"name": "Harbour Trust"})
    service = Service.objects.create(
        id=f"svc-{Service.objects.count() + 1}", organization=organization, name=name, **fields
    )
    location = Location.objects.create(
        id=f"loc-{service.pk}",
        name=f"{name} office",
        address_1="1 Quay Street",
        city="Northtown",
        postal_code="NT1 1AA",
    )
    ServiceAtLocation.objects.create(id=f"sal-{service.pk}", service=service, location=location)
    return service


@pytest.fixture
def service(db):
    return make_service()


def draft(actor, episode, service, *, kind=Kind.ACTIVE, consent=Consent.GIVEN, need_key="housing"):
    return referral_create(
        actor=actor,
        episode=episode,
        need_key=need_key,
        service=service,
        kind=kind,
        consent=consent,
        reason="Needs somewhere to stay",
    )


def moved(actor, referral, *statuses, **kwargs):
    for status in statuses:
        referral = referral_move(
            actor=actor, referral=referral, version=referral.version, to_status=status, **kwargs
        )
    return referral


def booked(actor, referral, *, starts_in=dt.timedelta(days=3), **kwargs):
    kwargs.setdefault("place", "The service's front desk")
    return appointment_book(
        actor=actor,
        referral=referral,
        version=referral.version,
        starts_at=timezone.now() + starts_in,
        **kwargs,
    )
