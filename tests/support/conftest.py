"""Crisis plan fixtures: directory services to choose from, and plan helpers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from liaison.directory.models import Attribute, Organization, Phone, Schedule, Service
from liaison.directory.taxonomy import ensure_needs_taxonomy, need_term_id
from liaison.support.services import crisis_plan_complete, crisis_plan_save, crisis_plan_start

WARNING_SIGNS = "I stop answering my phone and walk about all night"
SELF_HELP = "Headphones on, my playlist, walk the dog round the park"


def make_service(pk: str, name: str, *, number: str, need: str | None = None, hours=("00:00", "23:59")):
    org = Organization.objects.get_or_create(id=f"org-{pk}", defaults={"name": f"{name} Trust"})[0]
    service = Service.objects.create(id=pk, organization=org, name=name)
    Phone.objects.create(id=f"phone-{pk}", service=service, number=number)
    Schedule.objects.create(
        id=f"sched-{pk}",
        service=service,
        freq="WEEKLY",
        byday="MO,TU,WE,TH,FR,SA,SU",
        opens_at=dt.time.fromisoformat(hours[0]),
        closes_at=dt.time.fromisoformat(hours[1]),
    )
    if need:
        Attribute.objects.create(id=f"attr-{pk}", service=service, taxonomy_term_id=need_term_id(need))
    return service


@pytest.fixture
def crisis_services(db):
    ensure_needs_taxonomy()
    return {
        "food": make_service("svc-food", "Apple Tree Food Bank", number="0161 496 0100", need=None),
        "line": make_service(
            "svc-line", "Northside Crisis Line", number="0800 123 4567", need="risk_to_self"
        ),
        "cafe": make_service(
            "svc-cafe",
            "Riverside Crisis Café",
            number="0161 496 0000",
            need="mental_health",
            hours=("18:00", "23:59"),
        ),
    }


def full_data(**changes):
    data = {
        "warning_signs": WARNING_SIGNS,
        "self_help": SELF_HELP,
        "helpful_people_places": "The allotment",
        "people_to_ask": [{"name": "Jo, my sister", "how": "07700 900123"}],
        "other_professionals": "",
        "safer": "Jo keeps my spare tablets",
        "what_matters": "My daughter",
        "written_with_person": True,
        "review_on": timezone.localdate() + dt.timedelta(days=90),
    }
    data.update(changes)
    return data


def complete_plan(actor, episode, **changes):
    draft = crisis_plan_start(actor=actor, episode=episode)
    draft = crisis_plan_save(actor=actor, plan=draft, version=draft.version, data=full_data(**changes))
    return crisis_plan_complete(actor=actor, plan=draft, version=draft.version)
