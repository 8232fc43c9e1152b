"""An outsider (another team's practitioner) gets 404 on every report route, nothing changes, and the
attempt is audited. The tables for every route live in tests/core (ROUTE_IDS); this covers the posts."""

from __future__ import annotations

import pytest

from liaison.core.models import AuditEvent
from liaison.reports.models import Report, ReportVersion, ShareLink
from tests.reports.conftest import court_consent, make_link, signed_off


@pytest.fixture
def records(assessed, practitioner, team_lead):
    court_consent(assessed.person, assessed.team, practitioner, "recommendations")
    version = signed_off(assessed, practitioner, team_lead)
    link, _token = make_link(version, practitioner)
    return {"episode": assessed.pk, "report": version.report_id, "link": link.pk}


ROUTES = [
    ("get", "/episodes/{episode}/reports"),
    ("post", "/episodes/{episode}/reports"),
    ("get", "/reports/{report}/"),
    ("post", "/reports/{report}/"),
    ("post", "/reports/{report}/sign-off"),
    ("post", "/reports/{report}/revise"),
    ("post", "/reports/{report}/share"),
    ("post", "/reports/{report}/download"),
    ("get", "/reports/{report}/preview.pdf"),
    ("post", "/reports/{report}/links/{link}/revoke"),
]


def _state():
    return (
        tuple(Report.objects.values_list("pk", "status")),
        tuple(ReportVersion.objects.values_list("pk", "version", "signed_off_at")),
        tuple(ShareLink.objects.values_list("pk", "revoked_at", "open_count")),
    )


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_outsider_gets_404_nothing_changes_and_it_is_audited(records, outsider_client, method, route):
    before = _state()
    data = {
        "kind": "court_report",
        "version": 2,
        "number": 1,
        "recipient_name": "X",
        "recipient_kind": "court",
    }
    response = getattr(outsider_client, method)(route.format(**records), data)
    assert response.status_code == 404
    assert _state() == before
    assert AuditEvent.objects.filter(action="access.denied").exists()


def test_a_link_of_another_report_cannot_be_revoked_through_this_one(
    records, assessed, practitioner, practitioner_client
):
    from liaison.reports.services import report_create

    other = report_create(actor=practitioner, episode=assessed, kind="court_report")
    response = practitioner_client.post(f"/reports/{other.report_id}/links/{records['link']}/revoke")
    assert response.status_code == 404
    assert ShareLink.objects.get().revoked_at is None
