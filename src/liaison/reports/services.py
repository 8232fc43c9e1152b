"""Writes to reports: draft from the assessment, edit, sign off, revise; share by link or download;
open a link; partner feedback; the team's sign-off setting.

Every write is checked (role and record), validated with errors keyed by field, version-locked where
two people could collide, and audited. Every disclosure (a link opened, a PDF downloaded) is checked
against consent at that moment (consent.rules.may_share, for every section's content kind) and written
to the disclosure log (consent.services.record_disclosure).

Sign-off: a team lead signs off a draft they did not write or last edit themselves (a second pair of
eyes). A team that does not require sign-off may share drafts; signing off is then optional.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from liaison.consent.models import ContentKind, Disclosure, DisclosureMethod, RecipientKind
from liaison.consent.rules import ShareDecision, allowed_contents
from liaison.core.audit import audit
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.models import Team, User
from liaison.core.permissions import can, role_in
from liaison.episodes.models import Episode, Stage
from liaison.reports.drafting import TREATMENT_PROMPTS, draft_sections
from liaison.reports.models import (
    DEFAULT_RECIPIENT,
    PartnerFeedback,
    Report,
    ReportKind,
    ReportSettings,
    ReportStatus,
    ReportVersion,
    ShareLink,
)

WRITE, SIGN_OFF, SHARE = "reports.write", "reports.sign_off", "reports.share"
TEXT_MAX = 6000
NAME_MAX = 200
WHAT_ELSE_MAX = 2000
LINK_DAYS_DEFAULT = 7
LINK_DAYS_MAX = 30


def _require(actor: User, operation: str, team_id: int, words: str) -> str:
    if not can(actor, operation, team_id):
        raise NotPermitted(f"Your role cannot {words} in this team")
    return role_in(actor, team_id) or ""


def _audit(
    actor: User | None, role: str, action: str, report: Report, object_type: str, pk: object, **detail: Any
) -> None:
    audit(
        actor=actor,
        action=action,
        person_id=report.episode.person_id,
        team_id=report.team_id,
        role=role,
        object_type=object_type,
        object_id=pk,
        detail=detail or None,
    )


def what_words(version: ReportVersion) -> str:
    """ "Court report, version 2": what was shared, for the disclosure log."""
    return f"{ReportKind(version.report.kind).label}, version {version.number}"


# --- the team's setting ---------------------------------------------------------------------------


def sign_off_required(team: Team | int) -> bool:
    team_id = team if isinstance(team, int) else team.pk
    found = ReportSettings.objects.filter(team_id=team_id).values_list("sign_off_required", flat=True).first()
    return True if found is None else found


@transaction.atomic
def report_settings_set(*, actor: User, team: Team, sign_off_required: bool) -> ReportSettings:
    role = _require(actor, SIGN_OFF, team.pk, "change how reports are signed off")
    row, _ = ReportSettings.objects.update_or_create(
        team=team,
        defaults={"sign_off_required": sign_off_required, "updated_by": actor, "updated_at": timezone.now()},
    )
    audit(
        actor=actor,
        action="report_settings.update",
        team_id=team.pk,
        role=role,
        object_type="team",
        object_id=team.pk,
        detail={"sign_off_required": sign_off_required},
    )
    return row


# --- drafting, editing, signing off ---------------------------------------------------------------


def newest_version(report: Report) -> ReportVersion:
    version = report.versions.select_related("created_by", "updated_by", "signed_off_by").order_by("-number")
    found = version.first()
    if found is None:  # every report is made with its first version
        raise ValueError(f"report {report.pk} has no versions")
    return found


@transaction.atomic
def report_create(
    *, actor: User, episode: Episode, kind: str, recipient_kind: str | None = None
) -> ReportVersion:
    """A new report and its first draft, written from the assessment with only what consent allows."""
    role = _require(actor, WRITE, episode.team_id, "write reports")
    errors: dict[str, str] = {}
    if kind not in ReportKind.values:
        errors["kind"] = "Choose the kind of report"
    recipient_kind = recipient_kind or (DEFAULT_RECIPIENT[ReportKind(kind)] if not errors else "")
    if recipient_kind not in RecipientKind.values:
        errors["recipient_kind"] = "Choose who the report is for"
    if episode.stage == Stage.CLOSED:
        errors["episode"] = "This episode is closed: reopen it to write a report"
    if errors:
        raise ValidationError(errors)
    sections, excluded = draft_sections(episode, kind=kind, recipient_kind=recipient_kind)
    now = timezone.now()
    report = Report.objects.create(
        episode=episode, team_id=episode.team_id, kind=kind, recipient_kind=recipient_kind,
        created_by=actor, created_at=now,
    )  # fmt: skip
    version = ReportVersion.objects.create(
        report=report, number=1, sections=sections, excluded=excluded,
        created_by=actor, created_at=now, updated_by=actor, updated_at=now,
    )  # fmt: skip
    _audit(
        actor, role, "report.create", report, "report", report.pk,
        kind=kind, recipient_kind=recipient_kind,
        sections=[s["code"] for s in sections], excluded=[s["code"] for s in excluded],
    )  # fmt: skip
    return version


def _check_newest(version: ReportVersion, expected: int) -> None:
    newest = ReportVersion.objects.filter(report_id=version.report_id).aggregate(n=Max("number"))["n"]
    if newest != version.number:
        raise StaleWrite(object_type="report", object_id=version.report_id, expected=expected, current=None)


@transaction.atomic
def report_revise(*, actor: User, report: Report) -> ReportVersion:
    """A new draft copied from the newest signed-off version, which stays exactly as it was.

    Sections whose content kind consent no longer allows are left out of the copy, with the reason.
    """
    role = _require(actor, WRITE, report.team_id, "write reports")
    report = Report.objects.select_for_update().select_related("episode", "episode__person").get(pk=report.pk)
    previous = newest_version(report)
    if not previous.is_signed_off:
        raise ValidationError({"report": "This report already has a draft: continue that one"})
    check = sharing_check(previous, report.recipient_kind)
    sections, excluded = [], list(previous.excluded)
    for section in previous.sections:
        decision = check.decisions[section["content_kind"]]
        if decision.allowed:
            sections.append(dict(section))
        else:
            excluded.append(
                {key: section[key] for key in ("code", "heading", "content_kind")}
                | {"reason": decision.reason}
            )
    now = timezone.now()
    version = ReportVersion.objects.create(
        report=report, number=previous.number + 1, sections=sections, excluded=excluded,
        created_by=actor, created_at=now, updated_by=actor, updated_at=now,
    )  # fmt: skip
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.DRAFT)
    _audit(actor, role, "report.revise", report, "report", report.pk, number=version.number)
    return version


@transaction.atomic
def report_save(
    *, actor: User, version: ReportVersion, expected: int, texts: Mapping[str, str]
) -> ReportVersion:
    """Save the sections' text. `texts` maps section codes to their whole new text.

    Saving over a signed-off version never changes it: a new draft is made from it and saved instead.
    A stale edit (someone saved, signed off or revised after the editor opened it) is refused.
    """
    report = version.report
    role = _require(actor, WRITE, report.team_id, "write reports")
    _check_newest(version, expected)
    if version.version != expected:
        raise StaleWrite(
            object_type="report", object_id=report.pk, expected=expected, current=version.version
        )
    errors: dict[str, str] = {}
    codes = {section["code"] for section in version.sections}
    for code in set(texts) - codes:
        errors[code] = "This section is not part of this report"
    cleaned = {}
    for code, text in texts.items():
        text = "" if text is None else str(text).replace("\r\n", "\n").strip()
        if len(text) > TEXT_MAX:
            errors[code] = f"Must be {TEXT_MAX:,} characters or fewer"
        cleaned[code] = text
    if errors:
        raise ValidationError(errors)
    if version.is_signed_off:
        version = report_revise(actor=actor, report=report)
        expected = version.version
    sections = [dict(s, text=cleaned.get(s["code"], s["text"])) for s in version.sections]
    updated = ReportVersion.objects.filter(
        pk=version.pk, version=expected, signed_off_at__isnull=True
    ).update(sections=sections, updated_by=actor, updated_at=timezone.now(), version=F("version") + 1)
    if not updated:
        current = ReportVersion.objects.filter(pk=version.pk).values_list("version", flat=True).first()
        raise StaleWrite(object_type="report", object_id=report.pk, expected=expected, current=current)
    _audit(actor, role, "report.update", report, "report", report.pk, number=version.number)
    version.refresh_from_db()
    return version


def sign_off_problems(actor: User, version: ReportVersion) -> dict[str, str]:
    """Why this user cannot sign off this version now: empty when they can."""
    if version.is_signed_off:
        return {"report": "This version is already signed off"}
    if actor.pk in (version.created_by_id, version.updated_by_id):
        return {
            "report": "You wrote or last edited this draft: another team lead signs it off "
            "(a second pair of eyes on everything we send to partners)"
        }
    if not version.sections:
        return {
            "report": "Consent allows none of this report's sections to be shared: "
            "there is nothing to sign off"
        }
    if not any(section["text"].strip() for section in version.sections):
        return {"report": "Write at least one section before signing off"}
    for section in version.sections:
        for line in section["text"].splitlines():
            if line.strip() in UNANSWERED_PROMPTS:
                return {
                    "report": f'Answer or delete the line "{line.strip()}" in {section["heading"]}: '
                    "a signed-off report must not carry empty prompts"
                }
    return {}


# The prompt lines a draft starts with, which must be answered or deleted before sign-off.
UNANSWERED_PROMPTS = frozenset(TREATMENT_PROMPTS)


@transaction.atomic
def report_sign_off(*, actor: User, version: ReportVersion, expected: int) -> ReportVersion:
    report = version.report
    role = _require(actor, SIGN_OFF, report.team_id, "sign off reports")
    _check_newest(version, expected)
    if errors := sign_off_problems(actor, version):
        raise ValidationError(errors)
    now = timezone.now()
    updated = ReportVersion.objects.filter(
        pk=version.pk, version=expected, signed_off_at__isnull=True
    ).update(signed_off_by=actor, signed_off_at=now, version=F("version") + 1)
    if not updated:
        current = ReportVersion.objects.filter(pk=version.pk).values_list("version", flat=True).first()
        raise StaleWrite(object_type="report", object_id=report.pk, expected=expected, current=current)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.SIGNED_OFF)
    _audit(actor, role, "report.sign_off", report, "report", report.pk, number=version.number)
    version.refresh_from_db()
    return version


# --- what may be shared ---------------------------------------------------------------------------


def shareable_version(report: Report, newest: ReportVersion | None = None) -> ReportVersion | None:
    """The version a partner may be sent: the newest, once signed off (or, where the team does not
    require sign-off, the newest draft too). Pass the newest version when it is already loaded."""
    newest = newest or newest_version(report)
    if newest.is_signed_off or not sign_off_required(report.team_id):
        return newest
    return None


@dataclass
class SharingCheck:
    """may_share's answer for each content kind a version carries, for one recipient kind."""

    decisions: dict[str, ShareDecision] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return bool(self.decisions) and all(d.allowed for d in self.decisions.values())

    @property
    def refusals(self) -> list[str]:
        return [d.reason for d in self.decisions.values() if not d.allowed]

    @property
    def decision(self) -> ShareDecision:
        """One decision for the disclosure log: a lawful basis when any content needed one."""
        chosen = sorted(self.decisions.values(), key=lambda d: d.basis != "lawful_basis")
        return chosen[0]

    @property
    def basis_words(self) -> str:
        bases = {d.basis for d in self.decisions.values()}
        if bases == {"consent"}:
            return "the person's consent"
        if bases == {"lawful_basis"}:
            return "a lawful basis approved by a team lead"
        return "the person's consent and a lawful basis approved by a team lead"


def sharing_check(version: ReportVersion, recipient_kind: str, at: dt.datetime | None = None) -> SharingCheck:
    report = version.report
    every = allowed_contents(report.episode.person, team=report.team_id, recipient_kind=recipient_kind, at=at)
    return SharingCheck({kind: every[kind] for kind in version.content_kinds})


def footer_words(version: ReportVersion, recipient_kind: str, check: SharingCheck | None) -> str:
    recipient = RecipientKind(recipient_kind).label.lower()
    if check is None or not check.allowed:
        return f"Confidential: for the {recipient}. Not to be shared further without the person's consent."
    contents = ", ".join(ContentKind(k).label.lower() for k in version.content_kinds)
    return f"Confidential: shared under {check.basis_words} for the {recipient} ({contents})."


def _clean_recipient(
    errors: dict[str, str], *, name: str, organisation: str, email: str | None, recipient_kind: str
) -> tuple[str, str, str]:
    name, organisation = (name or "").strip(), (organisation or "").strip()
    if not name:
        errors["recipient_name"] = "Enter the name of the person receiving the report"
    elif len(name) > NAME_MAX:
        errors["recipient_name"] = f"Name must be {NAME_MAX} characters or fewer"
    if not organisation:
        errors["recipient_organisation"] = "Enter their organisation, for example the court's name"
    elif len(organisation) > NAME_MAX:
        errors["recipient_organisation"] = f"Organisation must be {NAME_MAX} characters or fewer"
    if recipient_kind not in RecipientKind.values:
        errors["recipient_kind"] = "Choose what kind of organisation they work for"
    clean_email = ""
    if email is not None:
        clean_email = email.strip()
        try:
            validate_email(clean_email)
        except ValidationError:
            errors["recipient_email"] = (
                "Enter their work email address in the correct format, like name@example.gov.uk"
            )
    return name, organisation, clean_email


def _blocked(
    actor: User, role: str, report: Report, version: ReportVersion, action: str, **detail: Any
) -> None:
    # Its own audit event, kept even though the attempt is refused: the caller's transaction rolls back
    # nothing here because nothing else was written.
    _audit(actor, role, action, report, "report_version", version.pk, **detail)


def _check_share(
    actor: User, role: str, version: ReportVersion, recipient_kind: str, action: str
) -> SharingCheck:
    report = version.report
    shareable = shareable_version(report)
    if shareable is None or shareable.pk != version.pk:
        _blocked(actor, role, report, version, action, why="not signed off or not the newest version")
        raise ValidationError(
            {"report": "Only the newest version, signed off by a team lead, can be shared"}
            if sign_off_required(report.team_id)
            else {"report": "Only the newest version can be shared"}
        )
    check = sharing_check(version, recipient_kind)
    if not check.allowed:
        _blocked(actor, role, report, version, action, recipient_kind=recipient_kind, refusals=check.refusals)
        raise ValidationError(
            {"recipient_kind": "This report cannot be shared with them. " + ". ".join(check.refusals) + "."}
        )
    return check


def _record(
    *, actor: User, version: ReportVersion, recipient_kind: str, recipient_name: str, method: str,
    check: SharingCheck,
) -> Disclosure:  # fmt: skip
    from liaison.consent.services import record_disclosure  # the consent app's one writer of disclosures

    report = version.report
    return record_disclosure(
        actor=actor,
        person=report.episode.person,
        team=report.team,
        episode=report.episode,
        recipient_kind=recipient_kind,
        recipient_name=recipient_name,
        content_kinds=version.content_kinds,
        what=what_words(version),
        method=method,
        decision=check.decision,
        source_type="report_version",
        source_id=version.pk,
    )


def link_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def share_link_create(
    *,
    actor: User,
    version: ReportVersion,
    recipient_name: str,
    recipient_organisation: str,
    recipient_email: str,
    recipient_kind: str,
    days: int = LINK_DAYS_DEFAULT,
) -> tuple[ShareLink, str]:
    """A link for one named recipient. Returns the link and its token: shown once, never stored."""
    report = version.report
    role = _require(actor, SHARE, report.team_id, "share reports")
    errors: dict[str, str] = {}
    name, organisation, email = _clean_recipient(
        errors, name=recipient_name, organisation=recipient_organisation, email=recipient_email,
        recipient_kind=recipient_kind,
    )  # fmt: skip
    if not isinstance(days, int) or not 1 <= days <= LINK_DAYS_MAX:
        errors["days"] = f"The link must last between 1 and {LINK_DAYS_MAX} days"
    if errors:
        raise ValidationError(errors)
    # Outside the atomic block: a refused attempt's audit event must be kept.
    _check_share(actor, role, version, recipient_kind, "report.share_blocked")
    with transaction.atomic():
        token = secrets.token_urlsafe(32)
        now = timezone.now()
        link = ShareLink.objects.create(
            report_version=version, digest=link_digest(token), recipient_name=name,
            recipient_organisation=organisation, recipient_email=email, recipient_kind=recipient_kind,
            expires_at=now + dt.timedelta(days=days), created_by=actor, created_at=now,
        )  # fmt: skip
        _audit(
            actor, role, "report.share", report, "share_link", link.pk,
            number=version.number, recipient_kind=recipient_kind, recipient=link.recipient_words,
            expires_at=link.expires_at.isoformat(),
        )  # fmt: skip
    return link, token


@transaction.atomic
def share_link_revoke(*, actor: User, link: ShareLink) -> ShareLink:
    report = link.report_version.report
    role = _require(actor, SHARE, report.team_id, "share reports")
    ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    )
    _audit(actor, role, "report.link_revoke", report, "share_link", link.pk)
    link.refresh_from_db()
    return link


def report_download(
    *,
    actor: User,
    version: ReportVersion,
    recipient_name: str,
    recipient_organisation: str,
    recipient_kind: str,
) -> tuple[Disclosure, SharingCheck]:
    """The PDF, to send by secure email to a named recipient: checked and logged like a link."""
    report = version.report
    role = _require(actor, SHARE, report.team_id, "share reports")
    errors: dict[str, str] = {}
    name, organisation, _ = _clean_recipient(
        errors, name=recipient_name, organisation=recipient_organisation, email=None,
        recipient_kind=recipient_kind,
    )  # fmt: skip
    if errors:
        raise ValidationError(errors)
    check = _check_share(actor, role, version, recipient_kind, "report.download_blocked")
    with transaction.atomic():
        disclosure = _record(
            actor=actor, version=version, recipient_kind=recipient_kind,
            recipient_name=f"{name}, {organisation}", method=DisclosureMethod.DOWNLOAD, check=check,
        )  # fmt: skip
        _audit(
            actor, role, "report.download", report, "report_version", version.pk,
            recipient_kind=recipient_kind, recipient=f"{name}, {organisation}", disclosure=disclosure.pk,
        )  # fmt: skip
    return disclosure, check


# --- a link opened by its recipient ---------------------------------------------------------------


@dataclass
class Opening:
    """What a request for a shared link found: "ok", "invalid", "expired" or "unavailable"."""

    state: str
    link: ShareLink | None = None
    check: SharingCheck | None = None


def _public_audit(action: str, link: ShareLink | None, **detail: Any) -> None:
    if link is None:
        audit(actor=None, action=action, object_type="share_link", detail=detail or None)
        return
    report = link.report_version.report
    _audit(None, "", action, report, "share_link", link.pk, recipient=link.recipient_words, **detail)


def link_find(*, token: str, at: dt.datetime | None = None) -> Opening:
    """Look the token up and check that everything still allows the link to be used.

    Checked every time: the link exists (by digest), is not revoked or expired, and consent (or a lawful
    basis) still allows every section's content for the link's recipient kind. Anything else: the caller
    shows nothing, and the attempt is audited here.
    """
    at = at or timezone.now()
    link = (
        ShareLink.objects.select_related(
            "report_version", "report_version__report", "report_version__report__episode",
            "report_version__report__episode__person", "report_version__report__episode__site",
            "report_version__report__team", "created_by", "report_version__created_by",
            "report_version__signed_off_by",
        )
        .filter(digest=link_digest(token or ""))
        .first()
    )  # fmt: skip
    if link is None:
        _public_audit("report_link.invalid", None, token_length=len(token or ""))
        return Opening("invalid")
    if link.revoked_at is not None:
        _public_audit("report_link.refused", link, why="revoked")
        return Opening("unavailable", link)
    if link.expires_at <= at:
        _public_audit("report_link.expired", link)
        return Opening("expired", link)
    check = sharing_check(link.report_version, link.recipient_kind, at=at)
    if not check.allowed:
        _public_audit("report_link.refused", link, why="consent", refusals=check.refusals)
        return Opening("unavailable", link, check)
    return Opening("ok", link, check)


def link_open(*, token: str, method: str = DisclosureMethod.LINK, at: dt.datetime | None = None) -> Opening:
    """A recipient opens the link (or downloads its PDF): checked as link_find, then logged as a
    disclosure in the name of the staff member who made the link."""
    at = at or timezone.now()
    opening = link_find(token=token, at=at)
    if opening.state != "ok" or opening.link is None or opening.check is None:
        return opening
    link = opening.link
    with transaction.atomic():
        _record(
            actor=link.created_by, version=link.report_version, recipient_kind=link.recipient_kind,
            recipient_name=link.recipient_words, method=method, check=opening.check,
        )  # fmt: skip
        ShareLink.objects.filter(pk=link.pk).update(open_count=F("open_count") + 1, last_opened_at=at)
        _public_audit("report_link.open" if method == DisclosureMethod.LINK else "report_link.download", link)
    link.open_count += 1
    link.last_opened_at = at
    return opening


@transaction.atomic
def feedback_add(*, link: ShareLink, usefulness: object, what_else: str) -> PartnerFeedback:
    """The recipient's feedback: once per link."""
    errors: dict[str, str] = {}
    try:
        score = int(str(usefulness))
    except ValueError:
        score = 0
    if not 1 <= score <= 5:
        errors["usefulness"] = "Choose how useful the report was, from 1 to 5"
    what_else = (what_else or "").strip()
    if len(what_else) > WHAT_ELSE_MAX:
        errors["what_else"] = f"Must be {WHAT_ELSE_MAX:,} characters or fewer"
    if PartnerFeedback.objects.filter(link=link).exists():
        errors["usefulness"] = "Feedback has already been given for this link. Thank you"
    if errors:
        raise ValidationError(errors)
    feedback = PartnerFeedback.objects.create(link=link, usefulness=score, what_else=what_else)
    _public_audit("report_link.feedback", link, usefulness=score)
    return feedback
