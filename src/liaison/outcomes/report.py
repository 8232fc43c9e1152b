"""The quarterly commissioner report: the headline KPIs, the charts with their tables and the team lead's
commentary, as a PDF made by WeasyPrint from the same templates and SVG as the dashboard.

Always suppressed (counts 1 to 4 as "*"): the report is written for commissioners and leaves the team.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from liaison.core.audit import audit
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.models import Team, User
from liaison.core.pdf import html_to_pdf
from liaison.core.permissions import can, role_in
from liaison.outcomes import charts
from liaison.outcomes.kpis import Filters, Kpis, Period
from liaison.outcomes.models import Commentary

STYLESHEET = Path(__file__).parent / "templates" / "outcomes" / "report.css"
FIELDS = ("summary", "achievements", "challenges", "next_steps")
MAX_LENGTH = 4000


def commentary_for(*, team_ids: tuple[int, ...], quarter: str) -> list[Commentary]:
    return list(
        Commentary.objects.filter(team_id__in=team_ids, quarter=quarter)
        .select_related("team")
        .order_by("team__name")
    )


@transaction.atomic
def commentary_save(
    *, actor: User, team: Team, quarter: str, version: int | None, values: dict[str, str]
) -> Commentary:
    """Write the team's commentary on a quarter. Team leads only; a stale version is refused."""
    if not can(actor, "outcomes.drill_down", team.pk):
        raise NotPermitted("Only the team's lead writes the commentary for the commissioner report.")
    problems = {
        k: "Keep this to 4,000 characters or fewer" for k in FIELDS if len(values.get(k, "")) > MAX_LENGTH
    }
    if problems:
        raise ValidationError(problems)
    existing = Commentary.objects.select_for_update().filter(team=team, quarter=quarter).first()
    now = timezone.now()
    clean = {k: values.get(k, "").strip() for k in FIELDS}
    if existing is None:
        if version not in (None, 0):
            raise StaleWrite(object_type="commentary", object_id=quarter, expected=version, current=None)
        commentary = Commentary.objects.create(
            team=team, quarter=quarter, updated_by=actor, updated_at=now, **clean
        )
    else:
        if version != existing.version:
            raise StaleWrite(
                object_type="commentary",
                object_id=existing.pk,
                expected=version or 0,
                current=existing.version,
            )
        updated = Commentary.objects.filter(pk=existing.pk, version=existing.version).update(
            updated_by=actor, updated_at=now, version=existing.version + 1, **clean
        )
        if not updated:  # pragma: no cover - the row lock above makes this unreachable
            raise StaleWrite(
                object_type="commentary", object_id=existing.pk, expected=version or 0, current=None
            )
        commentary = Commentary.objects.get(pk=existing.pk)
    audit(
        actor=actor,
        action="outcomes.commentary_save",
        team_id=team.pk,
        role=role_in(actor, team) or "",
        object_type="commentary",
        object_id=commentary.pk,
        detail={"quarter": quarter, "version": commentary.version},
    )
    return commentary


def report_context(*, kpis: Kpis, teams: list[Team], period: Period, filters: Filters) -> dict[str, Any]:
    dashboard = charts.build(kpis, suppress=True)
    return {
        "kpis": kpis,
        "dashboard": dashboard,
        "teams": teams,
        "period": period,
        "filters": filters,
        "commentaries": commentary_for(team_ids=filters.team_ids, quarter=period.key),
        "generated_at": timezone.now(),
    }


def report_html(context: dict[str, Any]) -> str:
    return render_to_string("outcomes/report.html", context)


def report_pdf(context: dict[str, Any]) -> bytes:
    return html_to_pdf(report_html(context), STYLESHEET)
