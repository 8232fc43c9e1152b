"""What a report document shows, for the page, the shared link and the PDF alike (one template)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from liaison.consent.models import ContentKind, RecipientKind
from liaison.core.presenters import date_time, long_date, nhs_number, user_name
from liaison.reports.kinds import template_for
from liaison.reports.models import ReportKind, ReportVersion, ShareLink
from liaison.reports.services import SharingCheck, footer_words, sign_off_required


@dataclass
class Document:
    title: str
    purpose: str
    kind_label: str
    team_name: str
    site_name: str
    person_name: str
    date_of_birth: str
    nhs_number: str
    date: str
    author: str
    signed_off: str  # "Signed off by Sam Lead on 30 November 2026", or why not
    version_number: int
    recipient: str
    draft: bool
    footer: str
    sections: list[dict[str, Any]] = field(default_factory=list)
    excluded: list[dict[str, Any]] = field(default_factory=list)


def document_for(
    version: ReportVersion, *, link: ShareLink | None = None, check: SharingCheck | None = None
) -> Document:
    report = version.report
    person = report.episode.person
    recipient_kind = link.recipient_kind if link else report.recipient_kind
    if version.is_signed_off:
        signed = f"Signed off by {user_name(version.signed_off_by)} on {long_date(version.signed_off_at)}"
    elif sign_off_required(report.team_id):
        signed = "Not signed off yet: a draft, not to be shared"
    else:
        signed = "Not signed off: the team does not require sign-off"
    recipient = RecipientKind(recipient_kind).label
    if link is not None:
        recipient = f"{link.recipient_name}, {link.recipient_organisation} ({recipient.lower()})"
    template = template_for(report.kind)
    headings = {s.code: s.heading for s in template.sections}
    return Document(
        title=template.title,
        purpose=template.purpose,
        kind_label=ReportKind(report.kind).label,
        team_name=report.team.name,
        site_name=report.episode.site.name,
        person_name=person.full_name,
        date_of_birth=long_date(person.date_of_birth) or "Not recorded",
        nhs_number=nhs_number(person.nhs_number) or "Not recorded",
        date=long_date(version.signed_off_at or version.updated_at),
        author=user_name(version.created_by),
        signed_off=signed,
        version_number=version.number,
        recipient=recipient,
        draft=not version.is_signed_off,
        footer=footer_words(version, recipient_kind, check),
        sections=[
            {**s, "heading": headings.get(s["code"], s["heading"]), "paragraphs": _paragraphs(s["text"])}
            for s in version.sections
        ],
        excluded=[
            {**e, "content_label": ContentKind(e["content_kind"]).label.lower()} for e in version.excluded
        ],
    )


def _paragraphs(text: str) -> list[str]:
    """Blank lines split paragraphs; single line breaks stay as breaks (lists written as lines)."""
    return [block.strip() for block in text.split("\n\n") if block.strip()]


def version_words(version: ReportVersion) -> str:
    if version.is_signed_off:
        return f"Version {version.number}, signed off {date_time(version.signed_off_at)}"
    return f"Version {version.number}, draft, last saved {date_time(version.updated_at)}"
