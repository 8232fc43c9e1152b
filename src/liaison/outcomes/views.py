"""The outcomes pages: the dashboard, the episodes behind a number (team leads), and the quarterly
commissioner report with its commentary.

Who sees what: `outcomes.view` (team leads and commissioners) in each team whose figures are shown.
With no team chosen, the figures cover every team the user may view. Whenever a team in the figures
is one the user only commissions, every count is suppressed (1 to 4 shown as "*") and nothing links
to people; drill-down needs `outcomes.drill_down` (team lead) in every team in the figures.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from liaison.assessment.presenters import need_label
from liaison.core.audit import audit
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.forms import apply_service_errors
from liaison.core.models import Team
from liaison.core.pdf import pdf_download
from liaison.core.permissions import can, member_teams, teams_for
from liaison.core.views import AuthenticatedRequest, not_permitted, render_page
from liaison.identification.models import VulnerabilityFlag
from liaison.outcomes import charts, kpis, report
from liaison.outcomes.forms import (
    CommentaryForm,
    DashboardFilterForm,
    current_quarter,
    last_complete_quarter,
    today,
)
from liaison.outcomes.models import Commentary

NOT_FOR_YOU = "The outcomes pages are for team leads and commissioners."
REFUSED = "You cannot see figures for that team: you are not its team lead or commissioner."
NO_DRILL = (
    "Only a team lead can open the episodes behind a number, and only for their own teams. "
    "Commissioners see the figures only."
)
FILTER_KEYS = ("period", "start", "end", "team", "site", "pathway", "age_group", "sex", "ethnicity")


@dataclasses.dataclass
class Scope:
    form: DashboardFilterForm
    teams: list[Team]  # every team the user may view figures for
    chosen: list[Team]  # the teams in the figures
    filters: kpis.Filters | None  # None while the form has errors
    suppress: bool
    may_drill: bool
    refused: bool = False


def _viewable_teams(request: AuthenticatedRequest) -> list[Team]:
    teams = member_teams(request.user)  # in the order of their names
    return [teams[team_id] for team_id in teams_for(request.user, "outcomes.view")]


def _scope(request: AuthenticatedRequest, data: QueryDict, *, default: kpis.Period) -> Scope | None:
    teams = _viewable_teams(request)
    if not teams:
        return None
    form = DashboardFilterForm(data, teams=teams, default_period=default)
    valid = form.is_valid()
    chosen = teams
    refused = False
    code = (data.get("team") or "").strip()
    if code:
        match = [t for t in teams if t.code == code]
        if match:
            chosen = match
        elif Team.objects.filter(code=code).exists():
            refused = True
        else:
            form.add_error("team", "There is no team with that name: choose a team from the list")
            valid = False
    if form.site_obj is not None and form.site_obj.team not in chosen:
        form.add_error("site", "That site is not in the team you chose")
        valid = False
    team_ids = tuple(t.pk for t in chosen)
    may_drill = all(can(request.user, "outcomes.drill_down", tid) for tid in team_ids)
    filters = None
    if valid and not refused and form.chosen_period is not None:
        period = form.chosen_period
        if period.end > today():  # a period still running counts up to today
            period = dataclasses.replace(period, end=today(), label=f"{period.label}, so far")
        d = form.cleaned_data
        filters = kpis.Filters(
            period=period,
            team_ids=team_ids,
            site_id=form.site_obj.pk if form.site_obj else None,
            pathway_point=d.get("pathway") or "",
            age_group=d.get("age_group") or "",
            sex=d.get("sex") or "",
            ethnicity=d.get("ethnicity") or "",
        )
    return Scope(form, teams, chosen, filters, suppress=not may_drill, may_drill=may_drill, refused=refused)


def _query(data: QueryDict, **extra: str) -> str:
    params = {k: data.get(k, "") for k in FILTER_KEYS if data.get(k)}
    params.update({k: v for k, v in extra.items() if v})
    return urlencode(params)


def _refuse(request: AuthenticatedRequest, scope: Scope, what: str) -> HttpResponse:
    audit(
        actor=request.user,
        action="outcomes.refused",
        detail={"page": what, "team": (request.GET.get("team") or "")[:40]},
    )
    return not_permitted(request, REFUSED)


def _audit_detail(filters: kpis.Filters) -> dict[str, Any]:
    return {
        "period": filters.period.key,
        "teams": list(filters.team_ids),
        "site": filters.site_id,
        "pathway": filters.pathway_point,
        "age_group": filters.age_group,
        "sex": filters.sex,
        "ethnicity": filters.ethnicity,
    }


@require_GET
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    scope = _scope(request, request.GET, default=current_quarter())
    if scope is None:
        return not_permitted(request, NOT_FOR_YOU)
    if scope.refused:
        return _refuse(request, scope, "dashboard")
    context: dict[str, Any] = {"scope": scope, "form": scope.form, "query": _query(request.GET)}
    if scope.filters is not None:
        result = kpis.compute(scope.filters)
        base = reverse("outcomes:episodes")

        def link(measure: str) -> str:
            return f"{base}?{_query(request.GET, measure=measure)}" if scope.may_drill else ""

        context.update(
            {
                "kpis": result,
                "board": charts.build(result, suppress=scope.suppress, link=link),
                "period": scope.filters.period,
            }
        )
        audit(actor=request.user, action="outcomes.view", detail=_audit_detail(scope.filters))
    return render_page(request, "outcomes/dashboard.html", context, forms=(scope.form,))


MEASURE_LABELS = {
    "identified": "Episodes identified",
    "screened": "Episodes screened",
    "assessed": "Episodes assessed",
    "referred": "Episodes with a referral sent",
    "attended": "Episodes with an appointment attended",
    "engaged": "Episodes engaged with a service",
    "ooh_missed": "Out-of-hours arrivals released or moved before being seen",
    "repeat": "Episodes that followed another within 12 months",
}


def _measure_label(measure: str) -> str | None:
    if measure in MEASURE_LABELS:
        return MEASURE_LABELS[measure]
    if measure.startswith("flag:"):
        flag = VulnerabilityFlag.objects.filter(code=measure[5:]).first()
        return f"Episodes flagged: {flag.label}" if flag else None
    if measure.startswith("need:"):
        return f"Episodes with a need found: {need_label(measure[5:])}"
    return None


@require_GET
def episodes(request: AuthenticatedRequest) -> HttpResponse:
    scope = _scope(request, request.GET, default=current_quarter())
    if scope is None:
        return not_permitted(request, NOT_FOR_YOU)
    if scope.refused:
        return _refuse(request, scope, "episodes")
    if not scope.may_drill:
        audit(
            actor=request.user, action="outcomes.refused", detail={"page": "episodes", "reason": "drill_down"}
        )
        return not_permitted(request, NO_DRILL)
    measure = (request.GET.get("measure") or "").strip()
    label = _measure_label(measure)
    context: dict[str, Any] = {
        "scope": scope,
        "form": scope.form,
        "measure": measure,
        "measure_label": label,
        "back": f"{reverse('outcomes:dashboard')}?{_query(request.GET)}",
    }
    if label is None:
        context["measure_problem"] = "That number cannot be opened: go back to the dashboard and choose one"
        context["problems"] = [{"text": context["measure_problem"], "href": ""}]
        return render_page(request, "outcomes/episodes.html", context, has_problems=True, status=400)
    if scope.filters is not None:
        found = kpis.drill_down(scope.filters, measure)
        if found is None:  # pragma: no cover - _measure_label and drill_down agree on the measures
            context["measure_problem"] = "That number cannot be opened"
            return render_page(request, "outcomes/episodes.html", context, has_problems=True, status=400)
        page = Paginator(found, settings.PAGE_SIZE).get_page(request.GET.get("page"))
        context.update({"page": page, "period": scope.filters.period})
        audit(
            actor=request.user,
            action="outcomes.drill_down",
            detail={**_audit_detail(scope.filters), "measure": measure, "page": page.number},
            person_ids=[e.person_id for e in page],
        )
    return render_page(request, "outcomes/episodes.html", context, forms=(scope.form,))


def _report_scope(request: AuthenticatedRequest, data: QueryDict) -> tuple[Scope | None, str]:
    scope = _scope(request, data, default=last_complete_quarter())
    problem = ""
    if scope is not None and scope.filters is not None and scope.filters.period.key[5:6] != "Q":
        problem = "The commissioner report covers a quarter: choose a quarter"
    return scope, problem


@require_http_methods(["GET", "POST"])
def commissioner_report(request: AuthenticatedRequest) -> HttpResponse:
    data = request.GET  # the filters stay in the address; the commentary form posts to it
    scope, problem = _report_scope(request, data)
    if scope is None:
        return not_permitted(request, NOT_FOR_YOU)
    if scope.refused:
        return _refuse(request, scope, "report")
    if problem:
        scope.form.add_error("period", problem)
        scope.filters = None
    team = scope.chosen[0] if len(scope.chosen) == 1 else None
    may_write = team is not None and can(request.user, "outcomes.drill_down", team.pk)
    existing = None
    if team is not None and scope.filters is not None:
        existing = Commentary.objects.filter(team=team, quarter=scope.filters.period.key).first()
    form: CommentaryForm | None = None
    if may_write:
        initial: dict[str, Any] = {"version": existing.version if existing else 0}
        if existing:
            initial.update({k: getattr(existing, k) for k in report.FIELDS})
        form = CommentaryForm(initial=initial)
    if request.method == "POST":
        if not may_write or team is None or scope.filters is None:
            return not_permitted(
                request, "Only the team's lead writes the commentary, for one team and one quarter."
            )
        form = CommentaryForm(request.POST)
        if form.is_valid():
            try:
                report.commentary_save(
                    actor=request.user,
                    team=team,
                    quarter=scope.filters.period.key,
                    version=form.cleaned_data.get("version"),
                    values={k: form.cleaned_data.get(k, "") for k in report.FIELDS},
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            except StaleWrite:
                form.add_error(
                    None,
                    "Someone else changed this commentary after you opened it. Their words are below; "
                    "make your change again. Nothing you entered has been saved.",
                )
                existing = Commentary.objects.filter(team=team, quarter=scope.filters.period.key).first()
            except NotPermitted as error:
                return not_permitted(request, str(error))
            else:
                messages.success(request, "Commentary saved. It is printed in the report.")
                return redirect(f"{reverse('outcomes:report')}?{_query(data)}")
    context = {
        "scope": scope,
        "form": scope.form,
        "commentary_form": form,
        "team": team,
        "existing": existing,
        "query": _query(data),
        "period": scope.filters.period if scope.filters else None,
    }
    return render_page(request, "outcomes/report_page.html", context, forms=(scope.form, form))


@require_GET
def commissioner_report_pdf(request: AuthenticatedRequest) -> HttpResponse:
    scope, problem = _report_scope(request, request.GET)
    if scope is None:
        return not_permitted(request, NOT_FOR_YOU)
    if scope.refused:
        return _refuse(request, scope, "report.pdf")
    if problem or scope.filters is None:
        return redirect(f"{reverse('outcomes:report')}?{_query(request.GET)}")
    result = kpis.compute(scope.filters)
    context = report.report_context(
        kpis=result, teams=scope.chosen, period=scope.filters.period, filters=scope.filters
    )
    pdf = report.report_pdf(context)
    audit(actor=request.user, action="outcomes.report", detail=_audit_detail(scope.filters))
    return pdf_download(pdf, f"liaison-outcomes-{scope.filters.period.key}.pdf")
