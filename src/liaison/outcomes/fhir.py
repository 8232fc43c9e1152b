"""A person's record as a FHIR R4 Bundle (type "collection"): `liaison export-fhir` and the API.

One Patient; an Organization for each team and each receiving service's organisation; an EpisodeOfCare
per episode; a QuestionnaireResponse per screening and an Observation per completed one; an Observation
per rated need in each completed assessment; a CarePlan per episode with a plan; a ServiceRequest per
referral to a service; an Appointment per appointment; a Consent per consent record.

Every entry's fullUrl is a `urn:uuid:` derived from the record's type and id (the same record always
gets the same one), and every reference inside the bundle points at one, so references resolve within
the bundle without a server. Coded and structured fields only: free-text notes and the person's own
words stay in Liaison (docs/fhir.md lists what goes out and why).

Access: `person_fhir_export` is the only entry point; it checks the person through core.access (404 for
missing and not-yours alike, audited) and the role's `outcomes.export_fhir` in the team that reached
them, and audits the export.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.crypto import salted_hmac

from liaison.assessment.codes import LEVEL_LABELS
from liaison.assessment.codes import codes as need_codes
from liaison.assessment.models import ActionStatus, Assessment, AssessmentStatus, Need, PlanAction
from liaison.consent.models import Consent, ContentKind, Decision, Purpose, RecipientKind
from liaison.core.access import DENIED, Access, get_person_for_user, person_access, record_id
from liaison.core.errors import NotPermitted
from liaison.core.models import Team, User
from liaison.core.permissions import can
from liaison.directory.models import Organization
from liaison.episodes.models import ClosureReason, Episode, JusticeOutcome, OffenceCategory, PathwayPoint
from liaison.outcomes.dataset import ods_code
from liaison.people.identifiers import nhs_number_problem
from liaison.people.models import Ethnicity, Person
from liaison.referrals.models import Appointment, Attendance, Kind, Referral, Status
from liaison.screening.instruments import fhir as screening_fhir
from liaison.screening.models import Screening
from liaison.screening.presenters import band_label, definition_of, stored_result

OPERATION = "outcomes.export_fhir"
FHIR_JSON = "application/fhir+json"

# Our own namespace, shared with the screening Questionnaires (screening.instruments.fhir).
BASE = screening_fhir.BASE
LIAISON_ID = screening_fhir.LIAISON_ID
LOINC = screening_fhir.LOINC
SNOMED = "http://snomed.info/sct"
NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
ODS_CODE = "https://fhir.nhs.uk/Id/ods-organization-code"
UK_CORE_ETHNIC_CATEGORY = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory"
UK_CORE_ETHNIC_CODES = "https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"

TEAM_ID = f"{BASE}/Id/team"
ORGANIZATION_ID = f"{BASE}/Id/directory-organization"
EPISODE_ID = f"{BASE}/Id/episode"
TEAM_TYPE = f"{BASE}/CodeSystem/service-or-team-type"
PATHWAY_POINT = f"{BASE}/CodeSystem/pathway-point"
REFERRAL_SOURCE = f"{BASE}/CodeSystem/source-of-referral"
OFFENCE_CATEGORY = f"{BASE}/CodeSystem/alleged-offence-category"
JUSTICE_OUTCOME = f"{BASE}/CodeSystem/justice-outcome"
CLOSURE_REASON = f"{BASE}/CodeSystem/closure-reason"
INSTRUMENT_SCORE = f"{BASE}/CodeSystem/instrument-score"
SCREENING_BAND = f"{BASE}/CodeSystem/screening-band"
NEED = f"{BASE}/CodeSystem/need"
NEED_LEVEL = f"{BASE}/CodeSystem/need-level"
RECIPIENT_KIND = f"{BASE}/CodeSystem/recipient-kind"
CONTENT_KIND = f"{BASE}/CodeSystem/content-kind"
SHARING_POLICY = f"{BASE}/policy/information-sharing"
EXTENSION = f"{BASE}/StructureDefinition"

# UK PHQ-9 score concept (instruments.md section 4, from CamCOPS' SNOMED CT mapping).
SNOMED_SCORES = {"phq-9": "758711000000105"}


SEX_TO_GENDER = {"1": "male", "2": "female", "9": "other", "0": "unknown"}
TEAM_TYPES = {"D02": "Criminal Justice Liaison and Diversion Service"}
REFERRAL_STATUS = {
    Status.DRAFT: "draft",
    Status.DECLINED: "revoked",
    Status.CLOSED: "completed",
}
ATTENDANCE = {
    Attendance.UPCOMING: "booked",
    Attendance.ATTENDED: "fulfilled",
    Attendance.MISSED: "noshow",
    Attendance.CANCELLED: "cancelled",
}
ACTION_STATUS = {
    ActionStatus.PLANNED: "not-started",
    ActionStatus.IN_PROGRESS: "in-progress",
    ActionStatus.DONE: "completed",
    ActionStatus.NOT_NEEDED: "cancelled",
}


class Bundler:
    """Collects resources, each once, under stable urn:uuid fullUrls."""

    def __init__(self) -> None:
        self.entries: dict[str, dict[str, Any]] = {}
        # Keyed by this deployment's secret: stable here, and two deployments' ids never collide.
        self.namespace = uuid.UUID(salted_hmac("liaison.outcomes.fhir", "namespace").hexdigest()[:32])

    def url(self, resource_type: str, key: object) -> str:
        return f"urn:uuid:{uuid.uuid5(self.namespace, f'{resource_type}/{key}')}"

    def ref(self, resource_type: str, key: object) -> dict[str, str]:
        return {"reference": self.url(resource_type, key)}

    def add(self, resource_type: str, key: object, resource: dict[str, Any]) -> None:
        full_url = self.url(resource_type, key)
        if full_url in self.entries:
            return
        resource = {"resourceType": resource_type, "id": full_url.removeprefix("urn:uuid:"), **resource}
        self.entries[full_url] = {"fullUrl": full_url, "resource": resource}


def _instant(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _coding(system: str, code: str, display: str = "") -> dict[str, str]:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def _concept(system: str, code: str, display: str = "") -> dict[str, Any]:
    concept: dict[str, Any] = {"coding": [_coding(system, code, display)]}
    if display:
        concept["text"] = display
    return concept


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


# --- the resources ------------------------------------------------------------------------------------


def _patient(person: Person) -> dict[str, Any]:
    identifiers: list[dict[str, Any]] = []
    if person.nhs_number and nhs_number_problem(person.nhs_number) is None:
        # No verification-status extension: Liaison does not trace numbers against PDS, so it cannot
        # say whether one is verified (UK Core makes the extension optional).
        identifiers.append({"system": NHS_NUMBER, "value": person.nhs_number})
    identifiers.append({"system": LIAISON_ID, "value": str(person.pk)})
    names: list[dict[str, Any]] = [
        {"use": "official", "family": person.family_name, "given": [person.given_name]}
    ]
    if person.preferred_name and person.preferred_name != person.given_name:
        names.append({"use": "usual", "given": [person.preferred_name]})
    resource: dict[str, Any] = {
        "identifier": identifiers,
        "name": names,
        "gender": SEX_TO_GENDER.get(person.sex, "unknown"),
    }
    if person.date_of_birth:
        resource["birthDate"] = person.date_of_birth.isoformat()
    # UK Core ethnic category: the NHS Data Dictionary codes A to S and Z. "99" (not known) is left out:
    # no extension says the category is not known.
    if person.ethnicity and person.ethnicity != Ethnicity.NOT_KNOWN:
        resource["extension"] = [
            {
                "url": UK_CORE_ETHNIC_CATEGORY,
                "valueCodeableConcept": _concept(
                    UK_CORE_ETHNIC_CODES, person.ethnicity, _label(Ethnicity, person.ethnicity)
                ),
            }
        ]
    if person.language and person.interpreter_needed:
        resource["communication"] = [{"language": {"text": person.language}, "preferred": True}]
    return resource


def _team(team: Team) -> dict[str, Any]:
    return {
        "identifier": [{"system": TEAM_ID, "value": team.code}],
        "active": True,
        "type": [
            {
                "coding": [_coding(TEAM_TYPE, team.team_type, TEAM_TYPES.get(team.team_type, ""))],
                "text": TEAM_TYPES.get(team.team_type, team.team_type),
            }
        ],
        "name": team.name,
    }


def _organization(org: Organization) -> dict[str, Any]:
    identifiers = [{"system": ORGANIZATION_ID, "value": org.pk}]
    ods = ods_code(org.extra)
    if ods:
        identifiers.insert(0, {"system": ODS_CODE, "value": ods})
    return {"identifier": identifiers, "name": org.name}


def _episode_of_care(b: Bundler, episode: Episode, patient: dict[str, str]) -> dict[str, Any]:
    period: dict[str, str] = {"start": _instant(episode.identified_at)}
    if episode.closed_at:
        period["end"] = _instant(episode.closed_at)
    extensions = [
        {
            "url": f"{EXTENSION}/source-of-referral",
            "valueCoding": _coding(
                REFERRAL_SOURCE, episode.referral_source, episode.get_referral_source_display()
            ),
        },
        {
            "url": f"{EXTENSION}/alleged-offence-category",
            "valueCoding": _coding(
                OFFENCE_CATEGORY, episode.offence_category, _label(OffenceCategory, episode.offence_category)
            ),
        },
    ]
    if episode.justice_outcome:
        extensions.append(
            {
                "url": f"{EXTENSION}/justice-outcome",
                "valueCoding": _coding(
                    JUSTICE_OUTCOME, episode.justice_outcome, _label(JusticeOutcome, episode.justice_outcome)
                ),
            }
        )
    if episode.closure_reason:
        extensions.append(
            {
                "url": f"{EXTENSION}/closure-reason",
                "valueCoding": _coding(
                    CLOSURE_REASON, episode.closure_reason, _label(ClosureReason, episode.closure_reason)
                ),
            }
        )
    return {
        "extension": extensions,
        "identifier": [{"system": EPISODE_ID, "value": str(episode.pk)}],
        "status": "finished" if episode.closed_at else "active",
        "type": [
            _concept(TEAM_TYPE, episode.team.team_type, TEAM_TYPES.get(episode.team.team_type, "")),
            _concept(PATHWAY_POINT, episode.pathway_point, _label(PathwayPoint, episode.pathway_point)),
        ],
        "patient": patient,
        "managingOrganization": b.ref("Organization", f"team-{episode.team_id}"),
        "period": period,
    }


def _screening(b: Bundler, screening: Screening, patient: dict[str, str]) -> None:
    definition = definition_of(screening)
    label = band_label(definition, screening.profile, screening.band) if screening.band else ""
    result = stored_result(screening, definition)
    response = screening_fhir.questionnaire_response(
        definition,
        response_id="unused",
        answers=screening.answers,
        result=result,
        completed=screening.is_complete,
        subject_id=screening.episode.person_id,
        authored=screening.completed_at or screening.updated_at,
    )
    response.pop("resourceType")
    response.pop("id")
    response["subject"] = patient
    b.add("QuestionnaireResponse", screening.pk, response)
    if not screening.is_complete:
        return
    codings = []
    if definition.loinc_total:
        codings.append(_coding(LOINC, definition.loinc_total))
    if screening.instrument_code in SNOMED_SCORES:
        codings.append(_coding(SNOMED, SNOMED_SCORES[screening.instrument_code]))
    codings.append(_coding(INSTRUMENT_SCORE, definition.code, f"{definition.title}: result"))
    observation: dict[str, Any] = {
        "status": "final",
        "category": [_concept(OBSERVATION_CATEGORY, "survey", "Survey")],
        "code": {"coding": codings, "text": f"{definition.title}: result"},
        "subject": patient,
        "effectiveDateTime": _instant(screening.completed_at or screening.updated_at),
        "derivedFrom": [b.ref("QuestionnaireResponse", screening.pk)],
    }
    if screening.total is not None:
        observation["valueInteger"] = screening.total
    elif screening.positive is not None:
        observation["valueBoolean"] = screening.positive
    elif screening.band:
        observation["valueCodeableConcept"] = _concept(SCREENING_BAND, screening.band, label)
    if screening.band:
        observation["interpretation"] = [
            _concept(f"{SCREENING_BAND}/{definition.code}", screening.band, label or screening.band)
        ]
    b.add("Observation", f"screening-{screening.pk}", observation)


def _need(b: Bundler, need: Need, assessment: Assessment, patient: dict[str, str]) -> None:
    code_list = need_codes()
    b.add(
        "Observation",
        f"need-{need.pk}",
        {
            "status": "final",
            "category": [_concept(OBSERVATION_CATEGORY, "social-history", "Social History")],
            "code": _concept(NEED, need.key, code_list.label(need.key)),
            "subject": patient,
            "effectiveDateTime": _instant(assessment.completed_at or assessment.updated_at),
            "valueCodeableConcept": _concept(
                NEED_LEVEL, need.level, LEVEL_LABELS.get(need.level, need.level)
            ),
        },
    )


def _care_plan(
    b: Bundler,
    episode: Episode,
    actions: list[PlanAction],
    latest_needs: dict[str, int],
    patient: dict[str, str],
) -> dict[str, Any]:
    code_list = need_codes()
    activities = []
    for action in actions:
        detail: dict[str, Any] = {
            "code": _concept(NEED, action.need_key, code_list.label(action.need_key)),
            "status": ACTION_STATUS.get(ActionStatus(action.status), "unknown"),
            "scheduledPeriod": {"end": action.due.isoformat()},
            "description": action.description,
        }
        if action.need_key in latest_needs:
            detail["reasonReference"] = [b.ref("Observation", f"need-{latest_needs[action.need_key]}")]
        activities.append({"detail": detail})
    plan: dict[str, Any] = {
        "status": "completed" if episode.closed_at else "active",
        "intent": "plan",
        "title": "Liaison and Diversion plan",
        "subject": patient,
        "period": {"start": _instant(episode.identified_at)},
    }
    if episode.closed_at:
        plan["period"]["end"] = _instant(episode.closed_at)
    if latest_needs:
        plan["supportingInfo"] = [b.ref("Observation", f"need-{pk}") for pk in latest_needs.values()]
    if activities:
        plan["activity"] = activities
    return plan


def _service_request(
    b: Bundler, referral: Referral, latest_needs: dict[str, int], patient: dict[str, str]
) -> dict[str, Any]:
    code_list = need_codes()
    status = REFERRAL_STATUS.get(Status(referral.status), "active")
    if referral.status == Status.CLOSED and referral.outcome in {"declined_by_service", "person_declined"}:
        status = "revoked"
    request: dict[str, Any] = {
        "identifier": [{"system": f"{BASE}/Id/service-referral", "value": str(referral.pk)}],
        "status": status,
        # An active referral asks the service to act; signposting only proposes it to the person.
        "intent": "order" if referral.kind == Kind.ACTIVE else "proposal",
        "category": [_concept(SNOMED, "3457005", "Patient referral")],
        "code": {"text": referral.service.name},
        "subject": patient,
        "authoredOn": _instant(referral.created_at),
        "performer": [b.ref("Organization", referral.service.organization_id)],
    }
    if referral.need_key in latest_needs:
        request["reasonReference"] = [b.ref("Observation", f"need-{latest_needs[referral.need_key]}")]
    else:
        request["reasonCode"] = [_concept(NEED, referral.need_key, code_list.label(referral.need_key))]
    return request


def _appointment(b: Bundler, appointment: Appointment, patient: dict[str, str]) -> dict[str, Any]:
    status = ATTENDANCE.get(Attendance(appointment.attendance), "booked")
    service = appointment.service or (appointment.referral.service if appointment.referral else None)
    resource: dict[str, Any] = {
        "status": status,
        "description": f"Appointment with {service.name}" if service else "Appointment",
        "start": _instant(appointment.starts_at),
        # FHIR wants an end whenever there is a start: when none was recorded, the start stands for both.
        "end": _instant(appointment.ends_at or appointment.starts_at),
        "created": _instant(appointment.created_at),
        "participant": [
            {
                "actor": patient,
                "status": "declined" if appointment.attendance == Attendance.CANCELLED else "accepted",
            }
        ],
    }
    if appointment.referral_id:
        resource["basedOn"] = [b.ref("ServiceRequest", appointment.referral_id)]
    return resource


def _consent(b: Bundler, consent: Consent, patient: dict[str, str]) -> dict[str, Any]:
    sharing = consent.purpose == Purpose.SHARING
    provision: dict[str, Any] = {
        "type": "permit" if consent.decision == Decision.GIVEN else "deny",
        "period": {"start": _instant(consent.recorded_at)},
    }
    if consent.withdrawn_at:
        provision["period"]["end"] = _instant(consent.withdrawn_at)
    if sharing:
        by_recipient: dict[str, list[str]] = {}
        for scope in consent.scopes.all():
            by_recipient.setdefault(scope.recipient_kind, []).append(scope.content_kind)
        provision["provision"] = [
            {
                "type": provision["type"],
                "actor": [
                    {
                        "role": _concept(PARTICIPATION_TYPE, "IRCP", "information recipient"),
                        "reference": {
                            "identifier": {"system": RECIPIENT_KIND, "value": recipient},
                            "display": _label(RecipientKind, recipient),
                        },
                    }
                ],
                "code": [
                    _concept(CONTENT_KIND, content, _label(ContentKind, content))
                    for content in sorted(contents)
                ],
            }
            for recipient, contents in sorted(by_recipient.items())
        ]
    return {
        "status": "inactive" if consent.withdrawn_at else "active",
        "scope": _concept(
            CONSENT_SCOPE,
            "patient-privacy" if sharing else "treatment",
            "Privacy Consent" if sharing else "Treatment",
        ),
        "category": [_concept(LOINC, "59284-0", "Patient Consent")],
        "patient": patient,
        "dateTime": _instant(consent.recorded_at),
        "organization": [b.ref("Organization", f"team-{consent.team_id}")],
        "policy": [{"uri": SHARING_POLICY if sharing else f"{BASE}/policy/assessment"}],
        "provision": provision,
    }


# --- the bundle -----------------------------------------------------------------------------------------


def _latest_needs(assessments: Iterable[Assessment]) -> dict[str, int]:
    """Need key -> the need row of the newest completed assessment that rated it."""
    latest: dict[str, int] = {}
    for assessment in sorted(assessments, key=lambda a: a.number):
        for need in assessment.needs.all():
            if need.level:
                latest[need.key] = need.pk
    return latest


def person_bundle(person: Person, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything below, for one person. A fixed number of queries, whatever the record's size."""
    b = Bundler()
    patient = b.ref("Patient", person.pk)
    b.add("Patient", person.pk, _patient(person))
    complete = Assessment.objects.filter(status=AssessmentStatus.COMPLETE).prefetch_related("needs")
    episodes = list(
        Episode.objects.filter(person=person)
        .select_related("team")
        .prefetch_related(
            Prefetch("screenings", queryset=Screening.objects.order_by("started_at", "pk")),
            Prefetch("assessments", queryset=complete.order_by("number"), to_attr="complete_assessments"),
            Prefetch("plan_actions", queryset=PlanAction.objects.order_by("due", "pk")),
            Prefetch(
                "referrals",
                queryset=Referral.objects.select_related("service__organization").order_by(
                    "created_at", "pk"
                ),
            ),
            Prefetch(
                "appointments",
                queryset=Appointment.objects.select_related("service", "referral__service").order_by(
                    "starts_at", "pk"
                ),
            ),
        )
        .order_by("identified_at", "pk")
    )
    consents = list(
        Consent.objects.filter(person=person)
        .select_related("team")
        .prefetch_related("scopes")
        .order_by("recorded_at", "pk")
    )
    for episode in episodes:
        b.add("Organization", f"team-{episode.team_id}", _team(episode.team))
    for consent in consents:
        b.add("Organization", f"team-{consent.team_id}", _team(consent.team))
    for episode in episodes:
        b.add("EpisodeOfCare", episode.pk, _episode_of_care(b, episode, patient))
        for screening in episode.screenings.all():
            screening.episode = episode  # already loaded: no query per screening
            _screening(b, screening, patient)
        for assessment in episode.complete_assessments:
            for need in assessment.needs.all():
                if need.level:
                    _need(b, need, assessment, patient)
        latest = _latest_needs(episode.complete_assessments)
        actions = list(episode.plan_actions.all())
        if actions or latest:
            b.add("CarePlan", episode.pk, _care_plan(b, episode, actions, latest, patient))
        for referral in episode.referrals.all():
            organization = referral.service.organization
            b.add("Organization", organization.pk, _organization(organization))
            b.add("ServiceRequest", referral.pk, _service_request(b, referral, latest, patient))
        for appointment in episode.appointments.all():
            b.add("Appointment", appointment.pk, _appointment(b, appointment, patient))
    for consent in consents:
        b.add("Consent", consent.pk, _consent(b, consent, patient))
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": _instant(now or timezone.now())},
        "identifier": {"system": f"{BASE}/Id/bundle", "value": str(uuid.uuid4())},
        "type": "collection",
        "timestamp": _instant(now or timezone.now()),
        "entry": list(b.entries.values()),
    }


def fhir_access(actor: User, person_id: object) -> Access:
    """May the actor export this person? Raises NotPermitted when they may see them but not export.

    Does not audit and does not say whether a person they cannot see exists: for those it answers
    DENIED, and `person_fhir_export` then refuses through the access helper (404, audited).
    """
    pid = record_id(person_id)
    access = person_access(actor, pid) if pid is not None else DENIED
    if not access.allowed:
        return access
    if access.via == "break_glass":
        raise NotPermitted("Breaking the glass lets you read a record, not export it")
    if not can(actor, OPERATION, access.team_id):
        raise NotPermitted("Your role does not allow exporting a person's record")
    return access


def person_fhir_export(*, actor: User, person_id: object) -> dict[str, Any]:
    """The person's Bundle, for a practitioner or team lead of a team working with them; audited.

    Raises Http404 (audited as access.denied) for a person the actor may not see or who does not
    exist, NotPermitted for one they may see but whose record their role may not export.
    """
    fhir_access(actor, person_id)
    person, _ = get_person_for_user(actor, person_id, action="outcomes.fhir_export")
    return person_bundle(person)
