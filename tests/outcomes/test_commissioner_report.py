"""The quarterly commissioner report: commentary written by the team lead, the PDF for commissioners."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse

from liaison.core.models import AuditEvent
from liaison.outcomes.models import Commentary
from tests.outcomes.test_kpis import build_world

REPORT = reverse("outcomes:report")
PDF = reverse("outcomes:report_pdf")
Q4 = "period=2026-Q4"


@pytest.fixture
def world(team_a, team_b):
    return build_world(team_a, team_b)


def _commentary(version=0, summary="A steady quarter."):
    return {
        "version": version,
        "summary": summary,
        "achievements": "Every custody arrival in staffed hours was seen.",
        "challenges": "Out-of-hours cover at the custody suite.",
        "next_steps": "Extend evening cover.",
    }


def test_team_lead_writes_the_commentary_and_it_is_audited(world, lead_client, team_a):
    response = lead_client.post(f"{REPORT}?{Q4}&team={team_a.code}", _commentary())
    assert response.status_code == 302
    saved = Commentary.objects.get(team=team_a, quarter="2026-Q4")
    assert saved.summary == "A steady quarter." and saved.version == 1
    assert AuditEvent.objects.filter(action="outcomes.commentary_save").exists()


def test_a_stale_commentary_edit_is_refused(world, lead_client, team_a):
    lead_client.post(f"{REPORT}?{Q4}&team={team_a.code}", _commentary())
    lead_client.post(f"{REPORT}?{Q4}&team={team_a.code}", _commentary(version=1, summary="Second."))
    response = lead_client.post(f"{REPORT}?{Q4}&team={team_a.code}", _commentary(version=1, summary="Stale."))
    assert response.status_code == 200
    assert "Someone else changed this commentary" in response.content.decode()
    assert Commentary.objects.get(team=team_a).summary == "Second."


def test_commissioner_cannot_write_commentary(world, commissioner_client, team_a):
    response = commissioner_client.post(f"{REPORT}?{Q4}&team={team_a.code}", _commentary())
    assert response.status_code == 403
    assert not Commentary.objects.exists()


def test_the_report_covers_a_quarter(world, lead_client):
    response = lead_client.get(f"{REPORT}?period=2026-10")
    assert "The commissioner report covers a quarter" in response.content.decode()


def test_commissioner_downloads_the_pdf(world, commissioner_client, lead_client, team_a):
    lead_client.post(f"{REPORT}?{Q4}&team={team_a.code}", _commentary())
    response = commissioner_client.get(f"{PDF}?{Q4}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="outcomes.report").exists()
    if target := os.environ.get("LIAISON_REPORT_PDF"):  # for looking at it: pdftoppm -png -r 70
        Path(target).write_bytes(response.content)


def test_the_report_text_is_suppressed_and_carries_the_commentary(world, lead_client, team_a):
    import re

    from liaison.outcomes import kpis, report
    from liaison.outcomes.forms import quarter_period

    lead_client.post(f"{REPORT}?{Q4}&team={team_a.code}", _commentary())
    period = quarter_period(2026, 4)
    filters = kpis.Filters(period=period, team_ids=(team_a.pk,))
    html = report.report_html(
        report.report_context(kpis=kpis.compute(filters), teams=[team_a], period=period, filters=filters)
    )
    assert "A steady quarter." in html
    assert 'role="img"' in html
    cells = re.findall(r'<td class="num">([^<]*)</td>', html)
    assert cells and not [c for c in cells if c.strip() in {"1", "2", "3", "4"}]
    # 6 reviewed and 5 identified would give away "1 not identified": the 5 is hidden everywhere,
    # in the headline note as in the funnel and the number behind each time.
    assert "5 episodes" not in html
    assert '<td class="num">5</td>' not in html
