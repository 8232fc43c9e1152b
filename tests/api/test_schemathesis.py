"""Schemathesis against /api/v1/openapi.json, once for each role: every operation with generated data.

Each role calls the API with its own bearer token over a small seeded data set (two teams, A and B).
For every operation Schemathesis generates requests from the OpenAPI document and sends them to the
WSGI application in-process: no server and no network, so CI needs nothing running. Every answer must:

- not be a server error (5xx);
- have a status code, content type and body that the document declares for the operation;
- never show a record across teams: anyone who may not see a record (the other team's practitioner,
  a commissioner, a justice partner) gets no 2xx naming it, in the path they asked for or anywhere
  in the body (the `id` of the records answered with, or a `person_id`, `episode_id`, `task_id`).

Path parameters are mostly drawn from the seeded ids (the user's own team's, the other team's, and an
id that does not exist), so the answers include real records and real refusals, not only 404s for
random numbers. Requests that break the document (negative data) are sent for the practitioner only:
input validation runs the same way for every role.

Bounded and repeatable for CI: a few examples per operation, derandomized, no shrinking, no example
database. The fuzzing changes the seeded records as it goes; that is fine, as each role starts afresh.
For a deeper search locally, multiply the examples:

    LIAISON_SCHEMATHESIS_SCALE=10 .venv/bin/pytest tests/api/test_schemathesis.py
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from liaison.assessment.services import (
    assessment_complete,
    assessment_save,
    assessment_start,
    plan_action_add,
)
from liaison.config.wsgi import application
from liaison.core.api_auth import api_token_create
from liaison.core.models import Role
from liaison.episodes.services import contact_log, task_add
from liaison.partners.services import referral_create
from liaison.people.services import alias_add, person_contact_add
from liaison.screening.services import screening_complete, screening_save_answers, screening_start
from tests.api.conftest import fields, problem, send, token_client
from tests.api.test_openapi import EXPECTED
from tests.factories import EpisodeFactory, PersonFactory, SiteFactory, TeamFactory, member

OPENAPI = "/api/v1/openapi.json"
SCALE = int(os.environ.get("LIAISON_SCHEMATHESIS_SCALE", "1"))
# Examples per operation. Small: this runs in `make test`, for six roles.
POSITIVE = 6 * SCALE
NEGATIVE = 6 * SCALE
ROLES = {
    "practitioner": {GenerationMode.POSITIVE: POSITIVE, GenerationMode.NEGATIVE: NEGATIVE},
    "team_lead": {GenerationMode.POSITIVE: POSITIVE},
    "support_worker": {GenerationMode.POSITIVE: POSITIVE},
    "commissioner": {GenerationMode.POSITIVE: POSITIVE},
    "partner": {GenerationMode.POSITIVE: POSITIVE},
    "outsider": {GenerationMode.POSITIVE: POSITIVE},
}
PHQ9 = {"1": 1, "2": 1, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0, "8": 0, "9": 0}
MISSING_ID = 2_000_000_000
INSTRUMENTS = ["phq-9", "gad-7", "audit-c", "crafft"]

# The kind of record a path parameter names ("contact_id" depends on the path: see _param_kind).
PARAM_KIND = {
    "person_id": "person",
    "episode_id": "episode",
    "screening_id": "screening",
    "assessment_id": "assessment",
    "action_id": "plan_action",
    "task_id": "task",
    "alias_id": "alias",
    "referral_id": "referral",
    "service_referral_id": "service_referral",
    "appointment_id": "appointment",
}
# Keys that name a record of a kind, wherever they appear in an answer.
BODY_KEY_KIND = {"person_id": "person", "episode_id": "episode", "task_id": "task", "urgent_task_id": "task"}
# The kind of record an answer is (its `id`, or each item's in a page), by the operation's path.
PATH_KIND = {
    "/people": "person",
    "/people/{person_id}": "person",
    "/people/{person_id}/contacts": "person_contact",
    "/people/{person_id}/aliases": "alias",
    "/episodes": "episode",
    "/episodes/{episode_id}": "episode",
    "/episodes/{episode_id}/stage": "episode",
    "/episodes/{episode_id}/contacts": "contact",
    "/contacts/{contact_id}": "contact",
    "/episodes/{episode_id}/tasks": "task",
    "/tasks/{task_id}": "task",
    "/tasks/{task_id}/complete": "task",
    "/episodes/{episode_id}/screenings": "screening",
    "/screenings/{screening_id}": "screening",
    "/screenings/{screening_id}/complete": "screening",
    "/episodes/{episode_id}/assessments": "assessment",
    "/assessments/{assessment_id}": "assessment",
    "/assessments/{assessment_id}/complete": "assessment",
    "/episodes/{episode_id}/plan-actions": "plan_action",
    "/plan-actions/{action_id}": "plan_action",
    "/referrals": "referral",
    "/referrals/{referral_id}": "referral",
    "/episodes/{episode_id}/service-referrals": "service_referral",
    "/service-referrals/{service_referral_id}": "service_referral",
    "/service-referrals/{service_referral_id}/moves": "service_referral",
    "/service-referrals/{service_referral_id}/consent": "service_referral",
    "/service-referrals/{service_referral_id}/appointments": "appointment",
    "/appointments/{appointment_id}/attendance": "appointment",
    "/appointments": "appointment",
}


def _param_kind(path: str, name: str) -> str | None:
    if name == "contact_id":
        return "person_contact" if path.startswith("/people/") else "contact"
    return PARAM_KIND.get(name)


# --- the data set ----------------------------------------------------------------------------------

Ids = dict[str, set[int]]


def _seed_team(code: str, name: str) -> tuple[Any, Any, Ids]:
    """A team with a site, a practitioner and two people's episodes: one with a completed screening,
    a completed assessment and a review in draft, a plan action, a task, a contact, a person contact
    and an alias; the other just arrived, with a screening in draft."""
    team = TeamFactory(code=code, name=name)
    site = SiteFactory(team=team)
    worker = member(team, Role.PRACTITIONER, f"{code}-worker")
    ids: Ids = {}

    def note(kind: str, pk: int) -> None:
        ids.setdefault(kind, set()).add(pk)

    episode = EpisodeFactory(site=site, person=PersonFactory(), allocated_worker=worker)
    waiting = EpisodeFactory(site=site, person=PersonFactory(), allocated_worker=worker)
    for each in (episode, waiting):
        note("person", each.person_id)
        note("episode", each.pk)
    screening = screening_start(actor=worker, episode=episode, instrument="phq-9")
    screening = screening_save_answers(
        actor=worker, screening=screening, version=screening.version, answers=PHQ9
    )
    note("screening", screening_complete(actor=worker, screening=screening, version=screening.version).pk)
    note("screening", screening_start(actor=worker, episode=waiting, instrument="gad-7").pk)
    assessment = assessment_start(actor=worker, episode=episode)
    needs = [
        {"key": "mental_health", "level": "high", "evidence": "Low mood, not sleeping"},
        {"key": "basic:sleep_tonight", "level": "urgent", "evidence": "Nowhere to stay tonight"},
    ]
    assessment = assessment_save(
        actor=worker, assessment=assessment, version=assessment.version, data={"needs": needs}
    )
    note(
        "assessment", assessment_complete(actor=worker, assessment=assessment, version=assessment.version).pk
    )
    action = plan_action_add(
        actor=worker,
        episode=episode,
        need_key="mental_health",
        description="Refer to the community mental health team",
        owner_id=worker.pk,
        due=timezone.localdate() + dt.timedelta(days=3),
    )
    note("plan_action", action.pk)
    note("task", action.task_id)
    note("assessment", assessment_start(actor=worker, episode=episode).pk)
    note("task", task_add(actor=worker, episode=episode, title="Phone the GP", due=timezone.localdate()).pk)
    contact = contact_log(actor=worker, episode=episode, channel="in_person", successful=True, note="Seen")
    note("contact", contact.pk)
    person, role = episode.person, Role.PRACTITIONER
    note(
        "person_contact",
        person_contact_add(
            actor=worker, person=person, team_id=team.pk, role=role, relationship="parent_guardian", name="Jo"
        ).pk,
    )
    note("alias", alias_add(actor=worker, person=person, team_id=team.pk, role=role, family_name="Smyth").pk)
    _seed_service_referrals(worker, episode, code, note)
    return team, site, ids


def _seed_service_referrals(worker: Any, episode: Any, code: str, note: Callable[[str, int], None]) -> None:
    """A referral to a directory service with an upcoming appointment, and a signposting draft."""
    from tests.referrals.conftest import booked, draft, make_service, moved

    service = make_service(f"{code} housing advice")
    referral = moved(worker, draft(worker, episode, service), "sent", "accepted")
    note("service_referral", referral.pk)
    note("appointment", booked(worker, referral).pk)
    note("service_referral", draft(worker, episode, service, kind="signposting").pk)


def _refer(partner: Any, team: Any, site: Any, ids: Ids, family_name: str) -> int:
    """A justice partner's referral, with the person and episode it makes."""
    referral = referral_create(
        actor=partner,
        team=team,
        site_id=site.pk,
        given_name="Casey",
        family_name=family_name,
        reason="Very withdrawn at court",
        urgency="soon",
        source="court",
    )
    ids.setdefault("referral", set()).add(referral.pk)
    ids.setdefault("person", set()).add(referral.episode.person_id)
    ids.setdefault("episode", set()).add(referral.episode_id)
    return referral.pk


@dataclass
class World:
    """The user under test, every seeded record, and the records that user must never be shown."""

    user: Any
    ids: Ids
    forbidden: Ids
    statuses: dict[str, list[int]] = field(default_factory=dict)


def _seed(role: str) -> World:
    team_a, site_a, ids_a = _seed_team("team-a", "Northtown L&D")
    team_b, site_b, ids_b = _seed_team("team-b", "Southport L&D")
    partner = member(team_a, Role.PARTNER, "partner-a")
    own_referral = _refer(partner, team_a, site_a, ids_a, "Morrow")
    _refer(member(team_a, Role.PARTNER, "partner-a2"), team_a, site_a, ids_a, "Quinn")
    _refer(member(team_b, Role.PARTNER, "partner-b"), team_b, site_b, ids_b, "Achebe")
    users: dict[str, Callable[[], Any]] = {
        "practitioner": lambda: member(team_a, Role.PRACTITIONER, "prac"),
        "team_lead": lambda: member(team_a, Role.TEAM_LEAD, "lead"),
        "support_worker": lambda: member(team_a, Role.SUPPORT_WORKER, "support"),
        "commissioner": lambda: member(team_a, Role.COMMISSIONER, "commish"),
        "partner": lambda: partner,
        "outsider": lambda: member(team_b, Role.PRACTITIONER, "outsider"),
    }
    every = {kind: ids_a.get(kind, set()) | ids_b.get(kind, set()) for kind in ids_a.keys() | ids_b.keys()}
    if role in {"commissioner", "partner"}:
        # No clinical role: no person's record in either team. A partner reads back what they sent.
        forbidden = {kind: set(pks) for kind, pks in every.items()}
        if role == "partner":
            forbidden["referral"] -= {own_referral}
    else:
        # A clinical member of one team sees none of the other team's records.
        forbidden = {kind: set(pks) for kind, pks in (ids_a if role == "outsider" else ids_b).items()}
    return World(users[role](), every, forbidden)


# --- the cross-team check --------------------------------------------------------------------------


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _objects(item)


def leaks(world: World, path: str, path_parameters: dict[str, Any], status: int, body: Any) -> list[str]:
    """How a 2xx answer shows a record `world.user` may not see; empty when it does not."""
    if not 200 <= status < 300:
        return []
    found = []
    for name, value in path_parameters.items():
        kind = _param_kind(path, name)
        if kind and isinstance(value, int) and value in world.forbidden.get(kind, set()):
            found.append(f"{status} for {kind} {value}, named in the path")
    for obj in _objects(body):
        for key, kind in BODY_KEY_KIND.items():
            if isinstance(obj.get(key), int) and obj[key] in world.forbidden.get(kind, set()):
                found.append(f"{key} {obj[key]} in the answer")
    record_kind = PATH_KIND.get(path)
    if record_kind and isinstance(body, dict):
        records = body["items"] if isinstance(body.get("items"), list) else [body]
        for record in records:
            if (
                isinstance(record, dict)
                and isinstance(record.get("id"), int)
                and record["id"] in world.forbidden.get(record_kind, set())
            ):
                found.append(f"{record_kind} {record['id']} in the answer")
    return found


def no_cross_team_access(world: World) -> Callable[..., None]:
    """A Schemathesis check: no 2xx answer shows the user a record of a team they may not see."""

    def no_cross_team_access(
        ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Any
    ) -> None:
        world.statuses.setdefault(case.operation.label, []).append(response.status_code)
        body = None
        content_type = (response.headers.get("content-type") or [""])[0].split(";")[0]
        if content_type.endswith("json") and response.content:
            body = response.json()
        path = case.operation.path.removeprefix("/api/v1")
        found = leaks(world, path, dict(case.path_parameters or {}), response.status_code, body)
        assert not found, "Cross-team access: " + "; ".join(found)

    return no_cross_team_access


# --- running it ------------------------------------------------------------------------------------


@functools.cache
def _schema() -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_wsgi(OPENAPI, application)


@pytest.fixture
def in_process_requests():
    """Django closes the database connection as each request ends; these requests run inside the
    test's transaction, so keep it open, as Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _path_values(world: World, path: str, names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """For each path parameter naming a record: one of the user's own records, one they may not see or
    that does not exist, or None to keep the generated value. Instrument codes: real ones, or None."""
    drawn = {}
    for name in names:
        kind = _param_kind(path, name)
        if kind and world.ids.get(kind):
            own = sorted(world.ids[kind] - world.forbidden.get(kind, set())) or sorted(world.ids[kind])
            others = [*sorted(world.forbidden.get(kind, set())), MISSING_ID]
            drawn[name] = st.one_of(st.sampled_from(own), st.sampled_from(others), st.none())
        elif name == "code":
            drawn[name] = st.one_of(st.sampled_from(INSTRUMENTS), st.none())
    return st.fixed_dictionaries(drawn)


def _fuzz(operation: Any, world: World, headers: dict[str, str], mode: GenerationMode, examples: int) -> None:
    path = operation.path.removeprefix("/api/v1")
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
        no_cross_team_access(world),
    ]

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(
        case=operation.as_strategy(generation_mode=mode),
        path_values=_path_values(world, path, [p.name for p in operation.path_parameters]),
    )
    def run(case: Any, path_values: dict[str, Any]) -> None:
        if mode is GenerationMode.POSITIVE:
            case.path_parameters.update({k: v for k, v in path_values.items() if v is not None})
        case.call_and_validate(headers=headers, checks=checks)

    run()


@pytest.mark.parametrize("role", list(ROLES))
def test_every_operation_for_role(role, db, in_process_requests):
    schema = _schema()
    world = _seed(role)
    _, token = api_token_create(actor=world.user, user=world.user, name="schemathesis")
    headers = {"Authorization": f"Bearer {token}"}
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == sum(len(methods) for methods in EXPECTED.values())
    for operation in operations:
        for mode, examples in ROLES[role].items():
            try:
                _fuzz(operation, world, headers, mode, examples)
            # A failed check raises a FailureGroup, a BaseExceptionGroup: report every operation's.
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"--- {operation.label} ({mode.value})\n{exc}")
    assert not failures, f"{len(failures)} failing operations for {role}:\n\n" + "\n\n".join(failures)

    # Not vacuous: every request was authenticated, and the user's own records were really answered.
    statuses = [status for answers in world.statuses.values() for status in answers]
    assert len(world.statuses) == len(operations)
    assert 401 not in statuses
    answered = {label for label, answers in world.statuses.items() if any(200 <= s < 300 for s in answers)}
    reads = {op.label for op in operations if op.method.upper() == "GET"}
    if role in {"practitioner", "team_lead", "support_worker", "outsider"}:
        assert len(answered & reads) >= len(reads) * 3 // 4, sorted(reads - answered)
    else:
        assert answered & reads, "no read answered at all"


def test_what_the_fuzzing_found_is_refused_naming_the_field(db):
    """Each of these was a 500, found by the fuzzing above (or, for the NHS number, by the same
    mistake next to one it found); each is now a 422 naming the field.

    - A body or query id too big for the database reached SQLite, which cannot compare it
      (OverflowError). Ids are now documented as 1 to 2**63 - 1 and checked.
    - "³" and "¹" pass str.isdigit() but int() refuses them: an answer key, an NHS number.
    """
    world = _seed("practitioner")
    client = token_client(world.user)
    big = 2**65
    episode = min(world.ids["episode"] - world.forbidden["episode"])
    action = min(world.ids["plan_action"] - world.forbidden["plan_action"])
    due = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    need = {"need_key": "mental_health", "description": "Call", "due": due}
    for method, path, body, name in [
        ("GET", f"/episodes?person_id={big}", None, "person_id"),
        ("GET", f"/episodes?team_id={big}", None, "team_id"),
        ("GET", f"/episodes?allocated_worker_id={big}", None, "allocated_worker_id"),
        ("PATCH", f"/episodes/{episode}", {"version": 1, "allocated_worker_id": big}, "allocated_worker_id"),
        ("POST", f"/episodes/{episode}/tasks", {"title": "Call", "due": due, "owner_id": big}, "owner_id"),
        ("POST", f"/episodes/{episode}/plan-actions", {**need, "owner_id": big}, "owner_id"),
        ("PATCH", f"/plan-actions/{action}", {"version": 1, "owner_id": big}, "owner_id"),
        ("POST", "/instruments/audit-c/score", {"answers": {"1": 0, "2": 0, "3": 0, "³": 1}}, "answers.³"),
        ("POST", "/people/search", {"nhs_number": "¹²³⁴⁵⁶⁷⁸⁹⁰"}, "nhs_number"),
        ("POST", "/people/search", {"nhs_number": "٩٤٣٤٧٦٥٩١٩"}, "nhs_number"),  # Arabic-Indic digits
    ]:
        answer = problem(send(client, method, path, body), 422)
        assert fields(answer) == {name}, (method, path, answer)
