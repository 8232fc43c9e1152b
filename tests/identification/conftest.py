"""Helpers for the arrivals tests: synthetic custody lists as CSV bytes, and importing them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from liaison.identification.services import arrivals_import

HEADER = "arrival_time,custody_number,given_name,family_name,date_of_birth,alleged_offence,officer_flags"


def when(hours_ago: float) -> str:
    """A local arrival time as a custody list writes it: 27/03/2026 14:30."""
    moment = timezone.localtime(timezone.now() - dt.timedelta(hours=hours_ago))
    return moment.strftime("%d/%m/%Y %H:%M")


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def three_arrivals() -> bytes:
    return csv_bytes(
        f"{when(1)},KF-1001,Jordan,Blake,12/04/1991,Theft from a shop,MH; self harm",
        f"{when(2)},KF-1002,Priya,Nandra,1985-09-30,Criminal damage,",
        f"{when(3)},KF-1003,Tom,Okello,03/01/2009,Assault (ABH),juvenile / drugs",
    )


def run_import(user, site, data: bytes, **options: Any):
    return arrivals_import(actor=user, site=site, file_name="list.csv", data=data, **options)


@pytest.fixture
def imported(practitioner, site_a):
    """Three arrivals at team A's custody suite, newest first: Blake, Nandra, Okello."""
    run_import(practitioner, site_a, three_arrivals())
    from liaison.identification.models import Arrival

    return list(Arrival.objects.order_by("-arrival_at"))
