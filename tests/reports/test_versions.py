"""Versions and sign-off: a signed-off version is never changed, stale edits are refused, and only a team
lead who did not write the draft signs it off."""

from __future__ import annotations

import pytest
from django.test import Client

from liaison.core.models import AuditEvent, Role
from liaison.reports.models import Report, ReportStatus, ReportVersion
from liaison.reports.services import UNANSWERED_PROMPTS, report_create, report_save, report_settings_set
from tests.factories import member
from tests.reports.conftest import RECOMMENDATION, court_consent, make_link, signed_off


@pytest.fixture
def draft(assessed, practitioner):
    court_consent(assessed.person, assessed.team, practitioner, "recommendations", "needs_summary")
    return _answered(report_create(actor=practitioner, episode=assessed, kind="court_report"), practitioner)


def _edit(client, version, text, *, lock=None, number=None):
    return client.post(
        f"/reports/{version.report_id}/",
        {
            "version": lock if lock is not None else version.version,
            "number": number or version.number,
            "section_recommendations": text,
        },
    )


def test_the_practitioner_edits_the_draft(draft, practitioner_client):
    before = draft.version
    response = _edit(practitioner_client, draft, "Refer to the community mental health team.")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.number == 1 and draft.version == before + 1
    assert (
        "Refer to the community mental health team." in practitioner_client.get(response.url).content.decode()
    )
    assert AuditEvent.objects.filter(action="report.update", object_id=str(draft.report_id)).exists()


def test_a_stale_edit_is_refused_and_what_was_typed_is_kept(draft, practitioner_client, team_lead):
    other = Client()
    other.force_login(team_lead)
    assert _edit(other, draft, "The lead's words").status_code == 302
    response = _edit(practitioner_client, draft, "My older words")
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this report after you opened it" in page
    assert "My older words" in page
    draft.refresh_from_db()
    assert next(s["text"] for s in draft.sections if s["code"] == "recommendations") == "The lead's words"


def test_editing_after_sign_off_makes_a_new_draft_and_never_alters_the_signed_one(
    draft, practitioner_client, lead_client
):
    assert (
        lead_client.post(
            f"/reports/{draft.report_id}/sign-off", {"version": draft.version, "number": 1}
        ).status_code
        == 302
    )
    signed = ReportVersion.objects.get(pk=draft.pk)
    before = (signed.sections, signed.version, signed.signed_off_at)
    assert Report.objects.get().status == ReportStatus.SIGNED_OFF

    response = _edit(practitioner_client, signed, "A change after sign-off")
    assert response.status_code == 302
    signed.refresh_from_db()
    assert (signed.sections, signed.version, signed.signed_off_at) == before
    new = ReportVersion.objects.get(report_id=draft.report_id, number=2)
    assert not new.is_signed_off
    assert (
        next(s["text"] for s in new.sections if s["code"] == "recommendations") == "A change after sign-off"
    )
    assert Report.objects.get().status == ReportStatus.DRAFT
    # The old version is still there to read, as it was signed off.
    old = practitioner_client.get(f"/reports/{draft.report_id}/?version=1").content.decode()
    assert RECOMMENDATION in old and "A change after sign-off" not in old


def test_an_edit_to_an_older_version_is_stale(draft, practitioner, team_lead, practitioner_client):
    from liaison.reports.services import report_revise, report_sign_off

    report_sign_off(actor=team_lead, version=draft, expected=draft.version)
    report_revise(actor=practitioner, report=draft.report)
    draft.refresh_from_db()
    assert _edit(practitioner_client, draft, "Too late").status_code == 409
    assert ReportVersion.objects.count() == 2


@pytest.mark.parametrize(
    ("who", "status", "signed"),
    [
        ("practitioner", 403, False),
        ("support_worker", 403, False),
        ("commissioner", 404, False),  # no person records at all
        ("lead_who_wrote_it", 200, False),  # told another lead signs it off
        ("other_lead", 302, True),
        ("outsider", 404, False),
    ],
)
def test_who_may_sign_off(assessed, practitioner, team_lead, outsider, who, status, signed):
    court_consent(assessed.person, assessed.team, practitioner, "recommendations")
    writer = team_lead if who == "lead_who_wrote_it" else practitioner
    version = _answered(report_create(actor=writer, episode=assessed, kind="court_report"), writer)
    users = {
        "practitioner": practitioner,
        "support_worker": member(assessed.team, Role.SUPPORT_WORKER, "sw"),
        "commissioner": member(assessed.team, Role.COMMISSIONER, "comm"),
        "lead_who_wrote_it": team_lead,
        "other_lead": team_lead,
        "outsider": outsider,
    }
    client = Client()
    client.force_login(users[who])
    response = client.post(
        f"/reports/{version.report_id}/sign-off", {"version": version.version, "number": 1}
    )
    assert response.status_code == status
    version.refresh_from_db()
    assert version.is_signed_off is signed
    if who == "lead_who_wrote_it":
        assert "another team lead signs it off" in response.content.decode()


def _answered(version, writer):
    """The draft with its prompt lines answered, as the practitioner does before asking for sign-off."""
    texts = {
        s["code"]: "\n".join(
            f"{line.strip()} not indicated." if line.strip() in UNANSWERED_PROMPTS else line
            for line in s["text"].splitlines()
        )
        for s in version.sections
    }
    return report_save(actor=writer, version=version, expected=version.version, texts=texts)


def test_an_unanswered_prompt_line_stops_the_sign_off(assessed, practitioner, team_lead):
    from django.core.exceptions import ValidationError

    from liaison.reports.services import report_sign_off

    court_consent(assessed.person, assessed.team, practitioner, "recommendations")
    draft = report_create(actor=practitioner, episode=assessed, kind="court_report")
    with pytest.raises(ValidationError, match="Answer or delete the line"):
        report_sign_off(actor=team_lead, version=draft, expected=draft.version)
    draft.refresh_from_db()
    assert not draft.is_signed_off


def test_a_draft_cannot_be_shared_while_the_team_requires_sign_off(draft, practitioner, team_lead):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="signed off by a team lead"):
        make_link(draft, practitioner)
    assert AuditEvent.objects.filter(action="report.share_blocked").exists()
    report_settings_set(actor=team_lead, team=draft.report.team, sign_off_required=False)
    _link, token = make_link(draft, practitioner)
    assert Client().get(f"/shared/{token}").status_code == 200


def test_only_a_team_lead_changes_the_sign_off_setting(practitioner_client, lead_client, team_a):
    assert practitioner_client.post("/reports/settings", {"sign_off_required": "no"}).status_code == 403
    assert lead_client.post("/reports/settings", {"sign_off_required": "no"}).status_code == 302
    assert team_a.report_settings.sign_off_required is False
    assert AuditEvent.objects.filter(action="report_settings.update").exists()


def test_signed_off_helper_makes_a_shareable_version(assessed, practitioner, team_lead):
    court_consent(assessed.person, assessed.team, practitioner, "recommendations")
    version = signed_off(assessed, practitioner, team_lead)
    assert version.signed_off_by == team_lead
