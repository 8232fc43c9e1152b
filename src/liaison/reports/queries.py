"""Reads for reports: one report (through the access policy, audited), an episode's reports, a report's
versions and links, and the team's partner feedback summed up (SQL aggregates)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet

from liaison.consent.models import RecipientKind
from liaison.core.access import Access, _get_child_for_user
from liaison.core.models import User
from liaison.episodes.models import Episode
from liaison.reports.models import PartnerFeedback, Report, ReportVersion, ShareLink


def get_report_for_user(user: User, pk: object, *, action: str = "report.view") -> tuple[Report, Access]:
    queryset: QuerySet[Report] = Report.objects.select_related(
        "episode", "episode__person", "episode__team", "episode__site", "team", "created_by"
    )
    return _get_child_for_user(user, queryset, pk, "report", action)


def episode_reports(episode: Episode) -> list[Report]:
    return list(
        Report.objects.filter(episode=episode)
        .select_related("created_by")
        .annotate(version_count=Count("versions"))
        .order_by("-created_at", "-id")
    )


def report_versions(report: Report) -> list[ReportVersion]:
    return list(
        report.versions.select_related("created_by", "updated_by", "signed_off_by").order_by("-number")
    )


def report_links(report: Report) -> list[ShareLink]:
    return list(
        ShareLink.objects.filter(report_version__report=report)
        .select_related("report_version", "created_by", "feedback")
        .order_by("-created_at", "-id")
    )


def feedback_given(link: ShareLink) -> bool:
    return PartnerFeedback.objects.filter(link=link).exists()


@dataclass(frozen=True)
class FeedbackRow:
    label: str
    shares: int
    feedback: int
    mean: float | None


def _rows(links: QuerySet[ShareLink], key: str, labels: dict[str, str] | None = None) -> list[FeedbackRow]:
    grouped = (
        links.values(key)
        .annotate(shares=Count("id"), feedback_count=Count("feedback"), mean=Avg("feedback__usefulness"))
        .order_by(key)
    )
    return [
        FeedbackRow(
            (labels or {}).get(row[key], row[key]) or "Not recorded",
            row["shares"],
            row["feedback_count"],
            round(row["mean"], 1) if row["mean"] is not None else None,
        )
        for row in grouped
    ]


def team_links(team_id: int) -> QuerySet[ShareLink]:
    return ShareLink.objects.filter(report_version__report__team_id=team_id)


def feedback_by_recipient_kind(team_id: int) -> list[FeedbackRow]:
    return _rows(team_links(team_id), "recipient_kind", dict(RecipientKind.choices))


def feedback_by_site(team_id: int) -> list[FeedbackRow]:
    return _rows(team_links(team_id), "report_version__report__episode__site__name")


def feedback_comments(team_id: int) -> QuerySet[PartnerFeedback]:
    """What else partners needed, newest first: the words, the kind of partner, the site, the date."""
    return (
        PartnerFeedback.objects.filter(link__report_version__report__team_id=team_id)
        .filter(~Q(what_else=""))
        .select_related("link", "link__report_version__report__episode__site")
        .order_by("-at", "-id")
    )
