"""The screening API: the instruments (definitions and pure scoring), screenings within an episode,
and FHIR R4 exports (a Questionnaire per instrument, a QuestionnaireResponse per screening).

Scoring an instrument touches no record, so it needs no access check and writes no audit event.
Screenings are reached only through the access helpers (404 for "missing" and "not yours" alike,
audited), and every write calls screening.services, which checks the role and audits.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from liaison.api.common import ERROR_CODES, actor
from liaison.api.idempotency import idempotent
from liaison.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, paginate
from liaison.api.problems import ApiProblem, Problem, field_problem, service_errors, validation_problem
from liaison.core.access import get_episode_for_user
from liaison.screening import instruments
from liaison.screening.instruments import Definition, ScoringError, UnknownInstrument, fhir
from liaison.screening.models import Screening
from liaison.screening.presenters import band_label, definition_of, stored_result
from liaison.screening.queries import get_screening_for_user, screenings_of_episode
from liaison.screening.services import screening_complete, screening_save_answers, screening_start

router = Router(tags=["screening"])

FHIR_JSON = "application/fhir+json"


def _fhir_answer(resource_type: str) -> dict[str, Any]:
    """Documents the 200 answer as what it is, application/fhir+json (not Ninja's application/json)."""
    schema = {
        "type": "object",
        "description": f"A FHIR R4 {resource_type} resource",
        "properties": {"resourceType": {"type": "string", "const": resource_type}},
        "required": ["resourceType"],
    }
    return {"responses": {200: {"content": {FHIR_JSON: {"schema": schema}}}}}


def _definition(code: str) -> Definition:
    try:
        return instruments.get(code)
    except UnknownInstrument:
        raise ApiProblem(
            404, f"There is no instrument {code!r}: GET /api/v1/instruments lists them"
        ) from None


def _scoring_problem(exc: ScoringError) -> ApiProblem:
    return validation_problem([{"field": p.field, "message": p.message} for p in exc.problems])


# --- instruments ------------------------------------------------------------------------------------


class OptionOut(Schema):
    value: int
    label: str
    points: int
    loinc: str


class ItemOut(Schema):
    key: str = Field(description="The item's published number: the key to send its answer under")
    label: str
    kind: str = Field(description="choice: send one of the options' values; integer: a whole number")
    text: str = Field(description="The wording, only where the licence lets it be shown")
    topic: str
    hint: str
    required: bool
    scored: bool
    options: list[OptionOut]
    minimum: int | None
    maximum: int | None
    unit: str
    asked_when_any_nonzero: list[str]
    skippable_after: str
    loinc: str


class BandOut(Schema):
    low: int
    high: int
    code: str
    label: str


class ProfileOut(Schema):
    code: str
    label: str
    default: bool
    positive_at: int | None
    bands: list[BandOut]
    options: list[OptionOut] = Field(description="Replaces every item's options under this profile, if any")
    source: str
    note: str


class FlagOut(Schema):
    code: str
    label: str
    suicide_risk: bool
    urgent: bool


class LicenceOut(Schema):
    holder: str
    summary: str
    permitted_use: str
    wording_may_be_shown: bool
    confirmed: bool


class InstrumentSummary(Schema):
    code: str
    version: str
    title: str
    short_title: str
    domain: str
    min_age: int | None
    max_age: int | None
    youth: bool
    result_capture: bool
    wording_may_be_shown: bool
    default_profile: str
    profiles: list[str]
    loinc_panel: str


class InstrumentOut(InstrumentSummary):
    scoring: str
    stem: str
    items: list[ItemOut]
    profiles_detail: list[ProfileOut]
    flags: list[FlagOut]
    special_rules: list[str]
    licence: LicenceOut
    loinc_total: str
    sources: list[str]
    notes: list[str]


def _option(option: instruments.Option) -> dict[str, Any]:
    return {"value": option.value, "label": option.label, "points": option.score, "loinc": option.loinc}


def _summary(d: Definition) -> dict[str, Any]:
    return {
        "code": d.code,
        "version": d.version,
        "title": d.title,
        "short_title": d.short_title,
        "domain": d.domain,
        "min_age": d.min_age,
        "max_age": d.max_age,
        "youth": d.youth,
        "result_capture": d.result_capture,
        "wording_may_be_shown": d.wording_may_be_shown,
        "default_profile": d.default_profile.code,
        "profiles": [p.code for p in d.profiles],
        "loinc_panel": d.loinc_panel,
    }


def _detail(d: Definition) -> dict[str, Any]:
    shown = d.wording_may_be_shown
    return {
        **_summary(d),
        "scoring": d.scoring,
        "stem": d.stem if shown else "",
        "items": [
            {
                "key": i.key,
                "label": i.label,
                "kind": i.kind,
                "text": i.text if shown else "",
                "topic": i.topic if shown else "",
                "hint": i.hint,
                "required": i.required,
                "scored": i.scored,
                "options": [_option(o) for o in i.options],
                "minimum": i.minimum,
                "maximum": i.maximum,
                "unit": i.unit,
                "asked_when_any_nonzero": list(i.asked_when_any_nonzero),
                "skippable_after": i.skippable_after,
                "loinc": i.loinc,
            }
            for i in d.items
        ],
        "profiles_detail": [
            {
                "code": p.code,
                "label": p.label,
                "default": p is d.default_profile,
                "positive_at": p.positive_at,
                "bands": [{"low": b.low, "high": b.high, "code": b.code, "label": b.label} for b in p.bands],
                "options": [_option(o) for o in p.options],
                "source": p.source,
                "note": p.note,
            }
            for p in d.profiles
        ],
        "flags": [
            {"code": f.code, "label": f.label, "suicide_risk": f.suicide_risk, "urgent": f.urgent}
            for f in d.flags
        ],
        "special_rules": [r.description for r in d.special_rules if r.description],
        "licence": {
            "holder": d.licence.holder,
            "summary": d.licence.summary,
            "permitted_use": d.licence.permitted_use,
            "wording_may_be_shown": d.licence.wording_may_be_shown,
            "confirmed": d.licence.confirmed,
        },
        "loinc_total": d.loinc_total,
        "sources": list(d.sources),
        "notes": list(d.notes),
    }


@router.get("/instruments", response={200: list[InstrumentSummary], ERROR_CODES: Problem})
def list_instruments(
    request: HttpRequest, age: int | None = Query(None, ge=0, le=130)
) -> list[dict[str, Any]]:
    """Every instrument (current versions). With `age`, only those suited to someone that old."""
    definitions = instruments.all_current() if age is None else instruments.for_age(age)
    return [_summary(d) for d in definitions]


@router.get("/instruments/{code}", response={200: InstrumentOut, ERROR_CODES: Problem})
def get_instrument(request: HttpRequest, code: str) -> dict[str, Any]:
    """The definition: items and answer values, scoring rule, profiles and bands, flags, licence, codes.
    Item wording is included only where the licence lets it be shown."""
    return _detail(_definition(code))


class ScoreIn(Schema):
    model_config = ConfigDict(extra="forbid")

    answers: dict[str, Any] = Field(
        description='Item number to its published value, e.g. {"1": 0, "2": 3}; yes = 1, no = 0',
        examples=[{"1": 0, "2": 1, "3": 2, "4": 0, "5": 1, "6": 0, "7": 0, "8": 0, "9": 1}],
    )
    profile: str | None = Field(None, max_length=40, description="A cut-off profile; the UK one by default")


class ResultOut(Schema):
    instrument: str
    version: str
    profile: str
    total: int | None
    band: str | None
    band_label: str | None
    positive: bool | None = Field(description="null where the instrument has no single cut-off")
    flags: list[str]
    subscores: dict[str, int]
    prorated: bool
    notes: list[str]


@router.post("/instruments/{code}/score", response={200: ResultOut, ERROR_CODES: Problem})
def score_instrument(request: HttpRequest, code: str, payload: ScoreIn) -> dict[str, Any]:
    """Score answers without saving anything. Each problem names its item: field "answers.10".

    Not idempotency-keyed: it changes nothing, so retrying is always safe.
    """
    definition = _definition(code)
    try:
        result = instruments.score(definition.code, payload.answers, payload.profile)
    except ScoringError as exc:
        raise _scoring_problem(exc) from exc
    return result.as_dict()


@router.get(
    "/fhir/Questionnaire/{code}",
    response={200: None, ERROR_CODES: Problem},
    openapi_extra=_fhir_answer("Questionnaire"),
)
def get_fhir_questionnaire(request: HttpRequest, code: str) -> HttpResponse:
    """The instrument as a FHIR R4 Questionnaire (application/fhir+json)."""
    return _fhir(fhir.questionnaire(_definition(code)))


def _fhir(resource: dict[str, Any]) -> HttpResponse:
    return HttpResponse(json.dumps(resource, cls=DjangoJSONEncoder), content_type=FHIR_JSON)


# --- screenings -------------------------------------------------------------------------------------


class ScreeningOut(Schema):
    id: int
    version: int
    episode_id: int
    person_id: int
    instrument: str
    instrument_version: str
    profile: str
    status: str = Field(description="draft or complete")
    answers: dict[str, int]
    note: str
    total: int | None
    band: str
    band_label: str
    positive: bool | None
    flags: list[str]
    subscores: dict[str, int]
    result_notes: list[str]
    suicide_risk: bool
    urgent_task_id: int | None
    started_at: dt.datetime
    started_by_id: int
    completed_at: dt.datetime | None
    completed_by_id: int | None


def _out(screening: Screening) -> dict[str, Any]:
    definition = definition_of(screening)
    return {
        "id": screening.pk,
        "version": screening.version,
        "episode_id": screening.episode_id,
        "person_id": screening.episode.person_id,
        "instrument": screening.instrument_code,
        "instrument_version": screening.instrument_version,
        "profile": screening.profile,
        "status": screening.status,
        "answers": screening.answers,
        "note": screening.note,
        "total": screening.total,
        "band": screening.band,
        "band_label": band_label(definition, screening.profile, screening.band),
        "positive": screening.positive,
        "flags": screening.flags,
        "subscores": screening.subscores,
        "result_notes": screening.result_notes,
        "suicide_risk": screening.suicide_risk,
        "urgent_task_id": screening.urgent_task_id,
        "started_at": screening.started_at,
        "started_by_id": screening.by_id,
        "completed_at": screening.completed_at,
        "completed_by_id": screening.completed_by_id,
    }


class ScreeningIn(Schema):
    model_config = ConfigDict(extra="forbid")

    instrument: str = Field(max_length=30, description="An instrument code from GET /instruments")
    profile: str = Field("", max_length=40, description="A cut-off profile; the UK one by default")
    answers: dict[str, Any] = Field(default_factory=dict, description="Any answers so far (partial is fine)")
    note: str = Field("", max_length=5000)


class ScreeningPatchIn(Schema):
    """Send `version` (from your last read) and the answers to add or change; null removes an answer."""

    model_config = ConfigDict(extra="forbid")

    version: int
    answers: dict[str, Any] = Field(default_factory=dict)
    profile: str | None = Field(None, max_length=40)
    note: str | None = Field(None, max_length=5000)


class CompleteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int


def _answers_field(name: str) -> str | None:
    return None if name in {"screening", "episode"} else name


@router.get("/episodes/{episode_id}/screenings", response={200: Page[ScreeningOut], ERROR_CODES: Problem})
def list_screenings(
    request: HttpRequest,
    episode_id: int,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """The episode's screenings, newest first."""
    episode, _ = get_episode_for_user(actor(request), episode_id, action="screening.list")
    rows, next_cursor = paginate(
        screenings_of_episode(episode).select_related("episode"),
        kind="screenings",
        order=("-started_at", "-id"),
        cursor=cursor,
        limit=limit,
    )
    return {"items": [_out(s) for s in rows], "next_cursor": next_cursor}


@router.post("/episodes/{episode_id}/screenings", response={201: ScreeningOut, ERROR_CODES: Problem})
@idempotent
def create_screening(request: HttpRequest, episode_id: int, payload: ScreeningIn) -> Status:
    """Start a screening in the episode. The instrument must suit the person's age today."""
    user = actor(request)
    episode, _ = get_episode_for_user(user, episode_id)
    with service_errors(_answers_field):
        screening = screening_start(
            actor=user,
            episode=episode,
            instrument=payload.instrument,
            profile=payload.profile,
            answers=payload.answers,
            note=payload.note,
        )
    screening.episode = episode
    return Status(201, _out(screening))


@router.get("/screenings/{screening_id}", response={200: ScreeningOut, ERROR_CODES: Problem})
def get_screening(request: HttpRequest, screening_id: int) -> dict[str, Any]:
    screening, _ = get_screening_for_user(actor(request), screening_id)
    return _out(screening)


@router.patch("/screenings/{screening_id}", response={200: ScreeningOut, ERROR_CODES: Problem})
def update_screening(request: HttpRequest, screening_id: int, payload: ScreeningPatchIn) -> dict[str, Any]:
    """Add or change a draft's answers (null removes one). A stale `version` is refused with 409."""
    user = actor(request)
    screening, _ = get_screening_for_user(user, screening_id)
    if not payload.answers and payload.profile is None and payload.note is None:
        raise field_problem("body", "Send answers, a profile or a note to change, with the version")
    merged = dict(screening.answers)
    for key, value in payload.answers.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    with service_errors(_answers_field):
        saved = screening_save_answers(
            actor=user,
            screening=screening,
            version=payload.version,
            answers=merged,
            profile=payload.profile,
            note=payload.note,
        )
    return _out(saved)


@router.post("/screenings/{screening_id}/complete", response={200: ScreeningOut, ERROR_CODES: Problem})
@idempotent
def complete_screening(request: HttpRequest, screening_id: int, payload: CompleteIn) -> dict[str, Any]:
    """Score the saved answers and store the result. Each missing or bad answer is named ("answers.9");
    a suicide-risk flag adds an urgent task due today; the episode moves from identified to screened."""
    user = actor(request)
    screening, _ = get_screening_for_user(user, screening_id)
    with service_errors(_answers_field):
        done = screening_complete(actor=user, screening=screening, version=payload.version)
    return _out(done)


@router.get(
    "/screenings/{screening_id}/fhir",
    response={200: None, ERROR_CODES: Problem},
    openapi_extra=_fhir_answer("QuestionnaireResponse"),
)
def get_screening_fhir(request: HttpRequest, screening_id: int) -> HttpResponse:
    """The screening as a FHIR R4 QuestionnaireResponse (application/fhir+json)."""
    screening, _ = get_screening_for_user(actor(request), screening_id, action="screening.export")
    definition = definition_of(screening)
    result = stored_result(screening, definition)
    resource = fhir.questionnaire_response(
        definition,
        response_id=f"screening-{screening.pk}",
        answers=screening.answers,
        result=result,
        completed=screening.is_complete,
        subject_id=screening.episode.person_id,
        authored=screening.completed_at or screening.updated_at,
        author=str(screening.completed_by or screening.by),
    )
    return _fhir(resource)
