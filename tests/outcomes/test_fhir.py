"""The FHIR R4 export of a person: valid by an independent FHIR library, self-contained, and only theirs."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from liaison.assessment.models import ActionStatus, Assessment, AssessmentStatus, Need, PlanAction
from liaison.consent.models import Consent, ConsentScope, Decision, Purpose
from liaison.core.models import AuditEvent, BreakGlass, Role
from liaison.directory.models import Organization, Service
from liaison.episodes.models import ClosureReason, JusticeOutcome, Stage, Task
from liaison.identification.models import EpisodeFlag, FlagSource
from liaison.outcomes.fhir import LIAISON_ID, NHS_NUMBER, person_bundle
from liaison.referrals.models import Appointment, Attendance, Kind, Referral, ReferralStatus, Status
from liaison.screening import instruments
from liaison.screening.models import Screening, ScreeningStatus
from tests.api.conftest import get, problem
from tests.factories import EpisodeFactory, PersonFactory, member

PHQ9 = {"1": 2, "2": 2, "3": 1, "4": 1, "5": 0, "6": 1, "7": 0, "8": 0, "9": 0}


def screening(episode, by, code, answers, *, complete=True):
    definition = instruments.get(code)
    fields: dict[str, Any] = {}
    if complete:
        result = instruments.score(code, answers)
        fields = {
            "status": ScreeningStatus.COMPLETE,
            "total": result.total,
            "band": result.band or "",
            "positive": result.positive,
            "flags": list(result.flags),
            "subscores": result.subscores,
            "completed_at": timezone.now(),
            "completed_by": by,
        }
    return Screening.objects.create(
        episode=episode,
        instrument_code=code,
        instrument_version=definition.version,
        profile=definition.default_profile.code,
        answers=answers,
        by=by,
        **fields,
    )


@pytest.fixture
def full_record(person_a, episode_a, practitioner, team_lead, team_a, site_a):
    """Alex Rivers with every kind of record, and a second, closed episode."""
    person = person_a
    person.nhs_number = "9434765919"
    person.sex = "1"
    person.ethnicity = "M"
    person.preferred_name = "Lex"
    person.save()
    closed = EpisodeFactory(
        person=person,
        site=site_a,
        stage=Stage.CLOSED,
        arrival_at=timezone.now() - dt.timedelta(days=90),
        identified_at=timezone.now() - dt.timedelta(days=90),
        closed_at=timezone.now() - dt.timedelta(days=60),
        closure_reason=ClosureReason.CONNECTED,
        justice_outcome=JusticeOutcome.COMMUNITY_ORDER_MHTR,
    )
    EpisodeFlag.objects.create(
        episode=episode_a, flag_id="learning_disability", source=FlagSource.PARTNER, raised_by=practitioner
    )
    phq = screening(episode_a, practitioner, "phq-9", PHQ9)
    screening(episode_a, practitioner, "dast-10", {str(n): 0 for n in range(1, 11)})
    screening(episode_a, practitioner, "gad-7", {"1": 1}, complete=False)
    assessment = Assessment.objects.create(
        episode=episode_a,
        number=1,
        status=AssessmentStatus.COMPLETE,
        by=practitioner,
        completed_at=timezone.now(),
        completed_by=practitioner,
        own_words="Private words that stay in Liaison",
    )
    Need.objects.create(assessment=assessment, key="housing", level="high", evidence="Sofa surfing")
    Need.objects.create(assessment=assessment, key="basic:sleep_tonight", level="urgent")
    Need.objects.create(assessment=assessment, key="money", level="")  # not rated: not exported
    Assessment.objects.create(episode=episode_a, number=2, by=practitioner)  # a draft: not exported
    task = Task.objects.create(
        episode=episode_a, title="Call the Nightstop", due=timezone.localdate(), created_by=practitioner
    )
    PlanAction.objects.create(
        episode=episode_a,
        need_key="housing",
        description="Refer to Harbour Nightstop",
        owner=practitioner,
        due=timezone.localdate(),
        status=ActionStatus.IN_PROGRESS,
        task=task,
        created_by=practitioner,
    )
    organization = Organization.objects.create(
        id="org-harbour",
        name="Harbour Trust",
        extra={"organization_identifiers": [{"identifier_scheme": "GB-ODS", "identifier": "RX1"}]},
    )
    service = Service.objects.create(id="svc-nightstop", organization=organization, name="Harbour Nightstop")
    referral = Referral.objects.create(
        episode=episode_a,
        team=team_a,
        need_key="housing",
        service=service,
        kind=Kind.ACTIVE,
        status=Status.APPOINTMENT_BOOKED,
        created_by=practitioner,
    )
    ReferralStatus.objects.create(referral=referral, status=Status.DRAFT, at=timezone.now(), by=practitioner)
    signpost = Referral.objects.create(
        episode=episode_a,
        team=team_a,
        need_key="basic:food",
        service=service,
        kind=Kind.SIGNPOSTING,
        status=Status.CLOSED,
        outcome="person_declined",
        created_by=practitioner,
    )
    Appointment.objects.create(
        episode=episode_a,
        referral=referral,
        service=service,
        starts_at=timezone.now() + dt.timedelta(days=2),
        created_by=practitioner,
    )
    Appointment.objects.create(
        episode=episode_a,
        service=service,
        starts_at=timezone.now() - dt.timedelta(days=2),
        ends_at=timezone.now() - dt.timedelta(days=2) + dt.timedelta(hours=1),
        attendance=Attendance.MISSED,
        created_by=practitioner,
    )
    sharing = Consent.objects.create(
        person=person,
        team=team_a,
        episode=episode_a,
        purpose=Purpose.SHARING,
        decision=Decision.GIVEN,
        recorded_by=practitioner,
    )
    for recipient, content in (
        ("police", "recommendations"),
        ("court", "needs_summary"),
        ("court", "screening"),
    ):
        ConsentScope.objects.create(consent=sharing, recipient_kind=recipient, content_kind=content)
    Consent.objects.create(
        person=person,
        team=team_a,
        episode=episode_a,
        purpose=Purpose.ASSESSMENT,
        decision=Decision.GIVEN,
        recorded_by=practitioner,
        withdrawn_at=timezone.now(),
        withdrawn_by=practitioner,
    )
    return {"person": person, "closed": closed, "phq": phq, "referral": referral, "signpost": signpost}


@pytest.fixture
def other_person(site_a, practitioner):
    """Someone else in the same team, with their own screening: none of it may appear."""
    other = EpisodeFactory(
        site=site_a,
        person=PersonFactory(given_name="Blair", family_name="Otherperson", nhs_number="4010232137"),
    )
    screening(other, practitioner, "phq-9", {**PHQ9, "1": 3})
    return other.person


def resources(bundle: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for entry in bundle["entry"]:
        found.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    return found


def references(value: Any) -> list[str]:
    if isinstance(value, dict):
        own = [value["reference"]] if isinstance(value.get("reference"), str) else []
        return own + [ref for child in value.values() for ref in references(child)]
    if isinstance(value, list):
        return [ref for child in value for ref in references(child)]
    return []


def test_the_bundle_validates_as_fhir_r4_with_fhir_resources(full_record, other_person):
    bundle = person_bundle(full_record["person"])
    text = json.dumps(bundle)
    parsed = Bundle.model_validate_json(text)
    assert parsed.type == "collection"
    for entry in bundle["entry"]:
        model = get_fhir_model_class(entry["resource"]["resourceType"])
        model.model_validate(entry["resource"])  # each entry on its own, too
    found = resources(bundle)
    assert {kind: len(items) for kind, items in found.items()} == {
        "Patient": 1,
        "Organization": 2,  # the team, and the service's organisation
        "EpisodeOfCare": 2,
        "QuestionnaireResponse": 3,
        "Observation": 2 + 2,  # two completed screenings, two rated needs
        "CarePlan": 1,
        "ServiceRequest": 2,
        "Appointment": 2,
        "Consent": 2,
    }


def test_every_reference_resolves_inside_the_bundle(full_record):
    bundle = person_bundle(full_record["person"])
    full_urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(full_urls) == len(set(full_urls))
    assert all(url.startswith("urn:uuid:") for url in full_urls)
    for entry in bundle["entry"]:
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
    refs = references([entry["resource"] for entry in bundle["entry"]])
    assert refs and set(refs) <= set(full_urls)


def test_the_same_record_gets_the_same_full_urls_each_time(full_record):
    first = [e["fullUrl"] for e in person_bundle(full_record["person"])["entry"]]
    assert [e["fullUrl"] for e in person_bundle(full_record["person"])["entry"]] == first


def test_patient_uses_the_uk_core_nhs_number_system_and_ethnic_category(full_record):
    patient = resources(person_bundle(full_record["person"]))["Patient"][0]
    assert patient["identifier"][0] == {"system": NHS_NUMBER, "value": "9434765919"}
    assert "extension" not in patient["identifier"][0]  # verification status unknown: not claimed
    assert patient["gender"] == "male" and patient["birthDate"] == "1990-05-17"
    assert patient["name"][0] == {"use": "official", "family": "Rivers", "given": ["Alex"]}
    assert patient["name"][1] == {"use": "usual", "given": ["Lex"]}
    ethnicity = patient["extension"][0]
    assert ethnicity["url"] == "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory"
    assert ethnicity["valueCodeableConcept"]["coding"][0] == {
        "system": "https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland",
        "code": "M",
        "display": "Black or Black British: Caribbean",
    }


@pytest.mark.parametrize("nhs_number", ["", "1234567890"])
def test_no_nhs_number_identifier_without_a_valid_number(full_record, nhs_number):
    person = full_record["person"]
    person.nhs_number = nhs_number
    person.ethnicity = "99"
    patient = resources(person_bundle(person))["Patient"][0]
    assert NHS_NUMBER not in {i["system"] for i in patient["identifier"]}
    assert "extension" not in patient  # ethnicity not known: no extension


def test_no_data_from_another_person(full_record, other_person):
    text = json.dumps(person_bundle(full_record["person"]))
    their_id = json.dumps({"system": LIAISON_ID, "value": str(other_person.pk)})
    for secret in ("Blair", "Otherperson", "4010232137", their_id):
        assert secret not in text
    bundle = person_bundle(full_record["person"])
    patient_url = bundle["entry"][0]["fullUrl"]
    for resource in (e["resource"] for e in bundle["entry"]):
        for field in ("subject", "patient"):
            if field in resource:
                assert resource[field] == {"reference": patient_url}


def test_free_text_stays_in_liaison(full_record):
    text = json.dumps(person_bundle(full_record["person"]))
    assert "Private words" not in text and "Sofa surfing" not in text


def test_screenings_carry_loinc_codes_and_point_at_their_answers(full_record):
    found = resources(person_bundle(full_record["person"]))
    phq = full_record["phq"]
    observation = next(o for o in found["Observation"] if o["code"]["coding"][0]["code"] == "44261-6")
    assert observation["code"]["coding"][0]["system"] == "http://loinc.org"
    assert {"system": "http://snomed.info/sct", "code": "758711000000105"} in observation["code"]["coding"]
    assert observation["valueInteger"] == phq.total == 7
    response = next(r for r in found["QuestionnaireResponse"] if r["questionnaire"].endswith("phq-9|1"))
    assert observation["derivedFrom"] == [{"reference": f"urn:uuid:{response['id']}"}]
    assert response["status"] == "completed"
    statuses = sorted(r["status"] for r in found["QuestionnaireResponse"])
    assert statuses == ["completed", "completed", "in-progress"]


def test_plan_referrals_appointments_and_consents(full_record):
    found = resources(person_bundle(full_record["person"]))
    plan = found["CarePlan"][0]
    assert plan["status"] == "active" and plan["intent"] == "plan"
    assert plan["activity"][0]["detail"]["status"] == "in-progress"
    housing_need = next(o for o in found["Observation"] if o["code"]["coding"][0]["code"] == "housing")
    assert plan["activity"][0]["detail"]["reasonReference"] == [
        {"reference": f"urn:uuid:{housing_need['id']}"}
    ]
    assert housing_need["valueCodeableConcept"]["coding"][0]["code"] == "high"
    requests = {r["intent"]: r for r in found["ServiceRequest"]}
    assert requests["order"]["status"] == "active"
    assert requests["proposal"]["status"] == "revoked"  # signposting the person declined
    receiving = next(o for o in found["Organization"] if o["name"] == "Harbour Trust")
    assert receiving["identifier"][0] == {
        "system": "https://fhir.nhs.uk/Id/ods-organization-code",
        "value": "RX1",
    }
    assert requests["order"]["performer"] == [{"reference": f"urn:uuid:{receiving['id']}"}]
    appointments = {a["status"]: a for a in found["Appointment"]}
    assert set(appointments) == {"booked", "noshow"}
    assert appointments["booked"]["basedOn"] == [{"reference": f"urn:uuid:{requests['order']['id']}"}]
    assert appointments["booked"]["end"] == appointments["booked"]["start"]  # no end recorded
    consents = {c["scope"]["coding"][0]["code"]: c for c in found["Consent"]}
    sharing = consents["patient-privacy"]
    assert sharing["status"] == "active" and sharing["provision"]["type"] == "permit"
    recipients = {
        p["actor"][0]["reference"]["identifier"]["value"]: [c["coding"][0]["code"] for c in p["code"]]
        for p in sharing["provision"]["provision"]
    }
    assert recipients == {"court": ["needs_summary", "screening"], "police": ["recommendations"]}
    assert (
        consents["treatment"]["status"] == "inactive"
        and "end" in consents["treatment"]["provision"]["period"]
    )
    episodes = {e["status"]: e for e in found["EpisodeOfCare"]}
    assert set(episodes) == {"active", "finished"}
    assert episodes["active"]["type"][0]["coding"][0]["code"] == "D02"


def test_the_bundle_takes_a_fixed_number_of_queries(full_record, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        person_bundle(full_record["person"])


# --- the API ---------------------------------------------------------------------------------------


def test_api_gives_the_bundle_as_fhir_json_and_audits_it(full_record, practitioner, practitioner_client):
    person = full_record["person"]
    response = get(practitioner_client, f"/people/{person.pk}/fhir")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    Bundle.model_validate_json(response.content)
    event = AuditEvent.objects.get(action="outcomes.fhir_export")
    assert event.person_id == person.pk and event.actor_id == practitioner.pk
    assert event.role == Role.PRACTITIONER


def test_team_lead_may_export(full_record, lead_client):
    assert get(lead_client, f"/people/{full_record['person'].pk}/fhir").status_code == 200


@pytest.mark.parametrize("who", ["outsider_client", "commissioner_client"])
def test_someone_without_access_gets_404_and_it_is_audited(full_record, who, request):
    client = request.getfixturevalue(who)
    person = full_record["person"]
    problem(get(client, f"/people/{person.pk}/fhir"), 404)
    assert AuditEvent.objects.filter(action="access.denied", person_id=person.pk).exists()
    assert not AuditEvent.objects.filter(action="outcomes.fhir_export").exists()


@pytest.mark.parametrize("person_id", ["999999", "9223372036854775807", "9223372036854775808"])
def test_missing_or_absurd_ids_are_404_or_422_never_500(practitioner_client, db, person_id):
    response = get(practitioner_client, f"/people/{person_id}/fhir")
    assert response.status_code in {404, 422}


def test_a_support_worker_sees_the_record_but_may_not_export_it(full_record, support_worker, client):
    client.force_login(support_worker)
    problem(get(client, f"/people/{full_record['person'].pk}/fhir"), 403)
    assert not AuditEvent.objects.filter(action="outcomes.fhir_export").exists()


def test_breaking_the_glass_does_not_allow_an_export(full_record, outsider, outsider_client, team_b):
    BreakGlass.objects.create(
        user=outsider,
        team=team_b,
        person=full_record["person"],
        reason="Urgent enquiry from custody",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    response = get(outsider_client, f"/people/{full_record['person'].pk}/fhir")
    assert "glass" in problem(response, 403)["detail"]


# --- the command -----------------------------------------------------------------------------------


def test_command_writes_the_bundle(full_record, practitioner, tmp_path):
    path = tmp_path / "alex.json"
    err = io.StringIO()
    call_command(
        "export_fhir",
        "--person",
        str(full_record["person"].pk),
        "--user",
        "prac",
        "--out",
        str(path),
        stderr=err,
    )
    assert "Wrote a bundle of" in err.getvalue()
    Bundle.model_validate_json(path.read_text(encoding="utf-8"))


def test_command_to_standard_output(full_record, practitioner):
    out = io.StringIO()
    call_command("export_fhir", "--person", str(full_record["person"].pk), "--user", "prac", stdout=out)
    assert json.loads(out.getvalue())["resourceType"] == "Bundle"


@pytest.mark.parametrize(
    ("user", "person", "message"),
    [
        ("outsider", "person", "no person"),
        ("prac", "999999", "no person"),
        ("prac", "not-a-number", "no person"),
        ("support", "person", "may not export"),
        ("nobody", "person", "no active user"),
    ],
)
def test_command_refuses_clearly(full_record, practitioner, outsider, support_worker, user, person, message):
    person_id = str(full_record["person"].pk) if person == "person" else person
    with pytest.raises(CommandError, match=message):
        call_command("export_fhir", "--person", person_id, "--user", user)
    assert not AuditEvent.objects.filter(action="outcomes.fhir_export").exists()


def test_an_adviser_member_cannot_export(full_record, team_a):
    member(team_a, Role.ADVISER, "adv")
    with pytest.raises(CommandError, match="may not export"):
        call_command("export_fhir", "--person", str(full_record["person"].pk), "--user", "adv")
