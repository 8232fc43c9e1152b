"""Display logic for the HTML pages: labels, tag colours, dates and timelines.

Templates ask these functions how to show a value instead of deciding themselves, so the same
stage is always the same colour and every date reads the same way across the service.
Nothing here queries the database: callers pass records with their relations already loaded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from liaison.core.models import Role
from liaison.episodes.models import AgeGroup, Stage
from liaison.episodes.services import ADULT_AGE
from liaison.people.identifiers import format_nhs_number
from liaison.people.models import ContactRelationship


@dataclass(frozen=True)
class Tag:
    label: str
    colour: str  # an NHS.UK tag modifier: blue, green, red, orange, yellow, grey, purple, aqua-green...

    @property
    def css_class(self) -> str:
        return f"nhsuk-tag nhsuk-tag--{self.colour}" if self.colour else "nhsuk-tag"


STAGE_COLOURS = {
    Stage.IDENTIFIED: "blue",
    Stage.SCREENED: "aqua-green",
    Stage.ASSESSED: "purple",
    Stage.SUPPORT: "green",
    Stage.CLOSED: "grey",
}

AGE_GROUP_TAGS = {
    AgeGroup.YOUTH: Tag("Youth", "pink"),
    AgeGroup.ADULT: Tag("Adult", "white"),
    AgeGroup.UNKNOWN: Tag("Age not known", "grey"),
}

AUDIT_ACTION_LABELS = {
    "consent.view": "Viewed consent and sharing",
    "consent.record": "Recorded consent",
    "consent.withdraw": "Recorded that consent was withdrawn",
    "consent.basis_request": "Asked to share without consent",
    "consent.basis_approve": "Approved sharing without consent",
    "consent.basis_refuse": "Refused sharing without consent",
    "consent.basis_queue": "Viewed requests to share without consent",
    "disclosure.record": "Shared information outside the team",
    "disclosure.list": "Viewed the information shared",
    "training.record": "Recorded an awareness training session",
    "report.list": "Viewed the episode's reports",
    "report.view": "Viewed a report",
    "report.preview": "Downloaded a report's PDF to check it (not shared)",
    "report.create": "Started a report to police, court or probation",
    "report.update": "Saved a draft report",
    "report.revise": "Started a new version of a signed-off report",
    "report.sign_off": "Signed off a report",
    "report.share": "Made a link to share a report with a named recipient",
    "report.share_blocked": "Tried to share a report: refused (not signed off, or consent does not allow it)",
    "report.download": "Downloaded a report to send by secure email",
    "report.download_blocked": "Tried to download a report to send: refused (not signed off, or no consent)",
    "report.link_revoke": "Stopped a report's share link",
    "report_settings.update": "Changed whether reports need a team lead's sign-off",
    "report_feedback.view": "Viewed partner feedback on reports",
    "report_link.open": "A partner opened a shared report",
    "report_link.download": "A partner downloaded a shared report's PDF",
    "report_link.invalid": "Someone tried a report link that is not valid",
    "report_link.expired": "Someone tried an expired report link",
    "report_link.refused": "A report link was refused: stopped, or consent no longer allows it",
    "report_link.feedback": "A partner gave feedback on a shared report",
    "outcomes.view": "Viewed the outcomes figures (no people shown)",
    "outcomes.drill_down": "Saw the person in a list behind an outcomes figure",
    "outcomes.report": "Downloaded the quarterly commissioner report",
    "outcomes.commentary_save": "Saved the commentary for the commissioner report",
    "outcomes.refused": "Was refused outcomes figures for a team",
    "outcomes.dataset_export": "Exported the national dataset (record level)",
    "outcomes.fhir_export": "Exported the person's record (FHIR)",
    "person.view": "Viewed the record",
    "person.create": "Created the record",
    "person.update": "Changed the person's details",
    "person.audit.view": "Viewed who looked at the record",
    "person.search": "Found the person in a search",
    "person.list": "Listed through the API",
    "episode.list": "Listed through the API",
    "episode.view": "Viewed an episode",
    "episode.create": "Opened an episode",
    "episode.update": "Changed an episode",
    "episode.stage": "Moved an episode's stage",
    "contact.create": "Recorded a contact",
    "contact.view": "Viewed a contact",
    "task.create": "Added a task",
    "task.complete": "Marked a task as done",
    "task.create_by_rule": "A rule added a task",
    "engagement.view": "Viewed who is drifting out of contact",
    "episode.reopen": "Reopened a closed episode",
    "drop_in.create": "Added a drop-in session",
    "drop_in.update": "Updated a drop-in session's count or notes",
    "drop_in.attend": "Recorded the person at a drop-in",
    "drop_in.view": "Viewed a drop-in session's register",
    "task.close_by_rule": "A task was closed: what it chased has happened",
    "task.view": "Viewed a task",
    "access.denied": "Was refused access",
    "break_glass.grant": "Broke the glass",
    "worklist.view": "Saw the person on a worklist",
    "person_contact.create": "Added a contact for the person",
    "person_contact.delete": "Removed a contact for the person",
    "person_contact.list": "Listed the person's contacts",
    "alias.create": "Added another name the person is known by",
    "alias.delete": "Removed another name the person was known by",
    "alias.list": "Listed the other names the person is known by",
    "contact.list": "Listed an episode's contacts through the API",
    "task.list": "Listed an episode's tasks through the API",
    "break_glass.refused": "Was refused breaking the glass",
    "break_glass.review": "Reviewed the team's break-the-glass log",
    "api_token.create": "Issued an API token",
    "api_token.revoke": "Revoked an API token",
    "demo.seed": "Loaded the synthetic demo data",
    # Signing in and sessions (events about a user, not a person's record).
    "signin.succeeded": "Signed in",
    "signin.failed": "Failed to sign in",
    "signin.locked": "Sign-in locked after repeated failures",
    "session.signed_out_elsewhere": "Signed out of their other sessions",
    "signin.second_factor": "Entered a code from the authenticator app",
    "signin.second_factor_failed": "Entered a wrong code from the authenticator app",
    "signin.second_factor_enrolled": "Set up the authenticator app",
    "rights.destruction_reauth_failed": "Destruction approval refused: wrong code from the authenticator app",
    "break_glass.reauth_failed": "Break the glass refused: wrong code from the authenticator app",
    "signin.second_factor_reset": "Authenticator app reset by an administrator",
    "session.expired": "Was signed out when the session expired",
    "session.refused": "Was signed out: the account is deactivated",
    "user.deactivate": "Deactivated a user account",
    "user.deactivate_reason": "Gave the reason for deactivating a user account",
    # Privacy monitoring: alerts for the team lead as the team's privacy officer.
    "privacy.scan": "Ran the privacy monitoring scan",
    "privacy_alert.list": "Reviewed the team's privacy alerts",
    "privacy_alert.view": "Viewed a privacy alert",
    "privacy_alert.access": "Saw the Liaison IDs a user viewed, for a privacy alert",
    "privacy_alert.close": "Closed a privacy alert",
    # Finding people: custody and court lists, and vulnerability flags.
    "arrivals.import": "Imported a custody or court list",
    "arrival.list": "Listed arrivals to review",
    "arrival.view": "Viewed an arrival on a custody or court list",
    "arrival.review": "Reviewed an arrival: no concerns",
    "arrival.flag": "Flagged vulnerabilities on an arrival",
    "arrival.match": "Saw the person offered as a match for an arrival",
    "arrival.convert": "Opened an episode from a custody or court list",
    "episode.flag": "Flagged vulnerabilities on an episode",
    # Justice partners' referrals.
    "referral.create": "Referred the person to the team",
    "referral.list": "Listed referrals",
    "referral.view": "Viewed a referral",
    # Screening.
    "screening.create": "Started a screening",
    "screening.update": "Saved screening answers",
    "screening.complete": "Completed a screening",
    "screening.alert_acknowledged": "Acknowledged a suicide-risk alert",
    "screening.view": "Viewed a screening",
    "screening.list": "Listed an episode's screenings through the API",
    "screening.export": "Exported a screening result (FHIR)",
    "assessment.create": "Started an assessment",
    "assessment.update": "Saved a draft assessment",
    "assessment.complete": "Completed an assessment",
    "assessment.view": "Viewed an assessment",
    "assessment.list": "Listed an episode's assessments through the API",
    "plan.view": "Viewed the plan",
    "plan.reorder": "Changed the order of the plan",
    "plan.action_add": "Added an action to the plan",
    "plan.action_update": "Updated an action in the plan",
    "plan_action.view": "Viewed a plan action",
    "need_services.view": "Looked up services for a need",
    # Crisis plans, written with the person, and the crisis event log.
    "crisis_plan.create": "Started a crisis plan, or a review of it",
    "crisis_plan.update": "Saved a draft crisis plan",
    "crisis_plan.complete": "Completed a crisis plan",
    "crisis_plan.view": "Viewed the crisis plan",
    "crisis_plan.card": "Downloaded the crisis plan pocket card",
    "crisis_event.create": "Logged a crisis",
    "crisis_event.list": "Viewed the crisis log",
    # Person matching: intake candidates, the duplicate check, merge and unmerge.
    "match.candidates": "Saw the person offered as a possible match",
    "duplicates.find": "Ran the check for duplicate records",
    "duplicate_pair.review": "Reviewed a possible duplicate record",
    "duplicate_pair.list": "Saw the person on the list of possible duplicates",
    "duplicate_pair.view": "Compared the record with a possible duplicate",
    "duplicate_pair.merge_view": "Saw what a merge with a possible duplicate would move",
    "merge.view": "Viewed a merge into this record",
    "person.view_merged": "Followed the record's old address to the record it was merged into",
    "person.merge": "Merged another record into this one",
    "person.merged": "Was merged into another record",
    "person.unmerge": "Undid a merge of another record into this one",
    "person.unmerged": "Was restored from a merge",
    # Rights and records: subject access requests, corrections and disputes.
    "rights.sar_record": "Recorded a subject access request",
    "rights.sar_list": "Saw the person on the subject access request list",
    "rights.sar_view": "Viewed a subject access request",
    "rights.sar_extend": "Extended the time to answer a subject access request",
    "rights.sar_export": "Exported the record for a subject access request",
    "rights.sar_reauth_failed": "Subject access export refused: wrong code from the authenticator app",
    "rights.history_view": "Viewed the history of the person's details",
    "rights.correct": "Corrected the person's details, with a reason",
    "rights.dispute_raise": "Recorded that the person disputes a detail",
    "rights.dispute_resolve": "Resolved a dispute about a detail",
    # Retention: legal holds and destroying records past their retention date.
    "rights.retention_list": "Saw the person on the list of records past retention",
    "rights.hold_place": "Placed a legal hold on the record",
    "rights.hold_lift": "Lifted a legal hold on the record",
    "rights.destruction_propose": "Proposed destroying the record",
    "rights.destruction_view": "Viewed a proposal to destroy the record",
    "rights.destruction_reject": "Rejected destroying the record",
    "rights.destruction_approve": "Approved destroying the record, which was destroyed",
    # The service directory (issue 5): not person data, audited as the team's own work.
    "directory.import": "Imported an Open Referral UK directory file",
    "directory.export": "Exported the service directory",
    "directory.service_create": "Added a service to the directory",
    "directory.service_update": "Changed a service in the directory",
    "directory.local_knowledge_update": "Changed the team's notes on a service",
    "directory.contact_add": "Added a named contact at a service",
    "directory.contact_remove": "Removed a named contact at a service",
    # Referrals to services, and appointments (issue 5).
    "service_referral.create": "Referred the person to a service (draft)",
    "service_referral.consent": "Recorded the person's consent to a referral",
    "service_referral.move": "Moved a referral on (sent, accepted, attended, closed...)",
    "service_referral.send_refused": "Was stopped sending a referral: no consent to share",
    "service_referral.view": "Viewed a referral to a service",
    "service_referral.list": "Listed an episode's referrals to services",
    "service_referral.new_view": "Opened the form to refer the person to a service",
    "appointment.book": "Booked an appointment with a service",
    "appointment.attendance": "Recorded whether the person went to an appointment",
    "appointment.view": "Viewed an appointment",
    "appointment.list": "Listed their appointments",
    "calendar.view": "Saw the person's appointment on a worker's calendar",
    "calendar_feed.create": "Made (or reset) their calendar feed address",
    "calendar_feed.fetch": "A calendar app fetched the worker's appointment feed",
    # Housing and benefits advice in the team (issue 7).
    "advice.allocate": "Allocated housing and benefits advice work, due today",
    "advice.allocate_view": "Opened the form to allocate advice work",
    "advice.reallocate": "Gave advice work to an adviser",
    "advice.view": "Viewed an advice record",
    "advice.worklist": "Saw the person on the advice worklist",
    "advice.duty_to_refer": "Recorded a duty-to-refer referral to a housing authority",
    "advice.action_add": "Recorded what was done for housing or benefits advice",
    "advice.outcome_add": "Recorded an outcome of housing or benefits advice",
    "advice.close": "Closed an advice record",
}


def stage_tag(stage: str) -> Tag:
    try:
        label = Stage(stage).label
    except ValueError:
        return Tag(stage or "Unknown", "grey")
    return Tag(label, STAGE_COLOURS.get(Stage(stage), "grey"))


def age_group_tag(age_group: str) -> Tag:
    return AGE_GROUP_TAGS.get(age_group, AGE_GROUP_TAGS[AgeGroup.UNKNOWN])  # type: ignore[call-overload]


def contact_outcome_tag(successful: bool) -> Tag:
    return Tag("Contact made", "green") if successful else Tag("No contact made", "orange")


OVERDUE_TAG = Tag("Overdue task", "red")
BREAK_GLASS_TAG = Tag("Break the glass", "red")


def role_label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role or "No role"


def audit_action_label(action: str) -> str:
    return AUDIT_ACTION_LABELS.get(action, action.replace(".", ": ").replace("_", " ").capitalize())


def nhs_number(value: str | None) -> str:
    """An NHS number as people read it aloud: 943 476 5919."""
    return format_nhs_number(value) if value else ""


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def long_date(day: dt.date | dt.datetime | None) -> str:
    """17 May 1990 (NHS style: no leading zero, full month)."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = _local(day).date()
    return f"{day.day} {day:%B %Y}"


def short_date(day: dt.date | None) -> str:
    """Tue 24 Mar — for due dates in tables, where the year is nearly always this one."""
    if day is None:
        return ""
    return f"{day:%a} {day.day} {day:%b}" + ("" if day.year == timezone.localdate().year else f" {day.year}")


def date_time(moment: dt.datetime | None) -> str:
    """24 March 2026 at 02:30 (24-hour clock, local time)."""
    if moment is None:
        return ""
    local = _local(moment)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def relative_time(moment: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """How long ago, in the words a practitioner would say: "40 minutes ago", "yesterday at 23:10"."""
    if moment is None:
        return ""
    now = now or timezone.now()
    seconds = (now - moment).total_seconds()
    if seconds < 0:
        return "in the future"
    minutes = int(seconds // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{_plural(minutes, 'minute')} ago"
    hours = minutes // 60
    if hours < 24:
        return f"{_plural(hours, 'hour')} ago"
    local, today = _local(moment), _local(now).date()
    days = (today - local.date()).days
    if days <= 1:
        return f"yesterday at {local:%H:%M}"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{_plural(days // 7, 'week')} ago"
    if days < 730:
        return f"{_plural(days // 30, 'month')} ago"
    return f"{_plural(days // 365, 'year')} ago"


def due_status(due: dt.date | None, today: dt.date | None = None) -> tuple[str, bool]:
    """("Overdue by 2 days", True), ("Due today", False) ... The flag says whether it is overdue."""
    if due is None:
        return "", False
    today = today or timezone.localdate()
    days = (due - today).days
    if days < 0:
        return f"Overdue by {_plural(-days, 'day')}", True
    if days == 0:
        return "Due today", False
    if days == 1:
        return "Due tomorrow", False
    return f"Due {short_date(due)}", False


def age_label(date_of_birth: dt.date | None, today: dt.date | None = None) -> str:
    if date_of_birth is None:
        return "Not known"
    today = today or timezone.localdate()
    age = (
        today.year
        - date_of_birth.year
        - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))
    )
    return f"{long_date(date_of_birth)} ({age} years old)"


def yes_no(value: bool | None) -> str:
    if value is None:
        return "Not known"
    return "Yes" if value else "No"


# Who can support an under-18 in custody or at court (PACE Code C: a parent, guardian or appropriate adult).
RESPONSIBLE_ADULTS = frozenset({ContactRelationship.PARENT_GUARDIAN, ContactRelationship.APPROPRIATE_ADULT})


def needs_responsible_adult(person: Any, today: dt.date | None = None) -> bool:
    """True for an under-18 with no parent, guardian or appropriate adult recorded.

    Expects the person's contacts to have been prefetched (people.queries.load_person_record).
    A person whose date of birth is not known gets no warning: their age cannot be told.
    """
    age = person.age_on(today or timezone.localdate())
    if age is None or age >= ADULT_AGE:
        return False
    return not any(contact.relationship in RESPONSIBLE_ADULTS for contact in person.contacts.all())


PERSON_FIELD_LABELS = {
    "given_name": "First name",
    "family_name": "Last name",
    "preferred_name": "Preferred name",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "gender_identity": "Gender identity",
    "ethnicity": "Ethnic category",
    "nhs_number": "NHS number",
    "pnc_id": "PNC ID",
    "local_id": "Local ID",
    "postcode": "Postcode",
    "no_fixed_abode": "No fixed abode",
    "language": "Main language",
    "interpreter_needed": "Needs an interpreter",
    "communication_needs": "Communication needs",
    "easy_read": "Needs easy read",
    "veteran": "Served in the armed forces",
    "care_leaver": "Care leaver",
}


def person_field(person: Any, name: str) -> tuple[str, str]:
    """(label, value as the person page shows it) for one of a person's editable fields."""
    value = getattr(person, name)
    if name in {"sex", "ethnicity"}:
        shown = getattr(person, f"get_{name}_display")()
    elif name == "date_of_birth":
        shown = long_date(value) or "Not known"
    elif name == "nhs_number":
        shown = nhs_number(value) or "Not known"
    elif isinstance(value, bool) or value is None:
        shown = yes_no(value)
    else:
        shown = str(value) or "Not recorded"
    return PERSON_FIELD_LABELS.get(name, name), shown


def user_name(user: Any) -> str:
    return str(user) if user is not None else "Not allocated"


@dataclass(frozen=True)
class TimelineItem:
    at: dt.datetime
    kind: str  # "stage", "contact", "task_added", "task_done"
    title: str
    by: str
    text: str = ""
    tag: Tag | None = None
    order: int = 0  # breaks ties so items at the same moment keep a stable, sensible order


def episode_timeline(episode: Any) -> list[TimelineItem]:
    """Every stage change, contact and task of an episode, newest first.

    Expects the episode's statuses (with `by`), contacts (with `by`) and tasks (with owner,
    done_by and created_by) to have been prefetched; it never queries.
    """
    items: list[TimelineItem] = []
    for status in episode.statuses.all():
        title = (
            "Identified"
            if status.stage == Stage.IDENTIFIED
            else f"Moved to {Stage(status.stage).label.lower()}"
        )
        if status.stage == Stage.CLOSED:
            title = "Episode closed"
        # The title names the stage already: no tag, except the grey "Closed" that ends the story.
        tag = stage_tag(status.stage) if status.stage == Stage.CLOSED else None
        # At the same minute as a contact or task, a closure is what happened last.
        order = 9 if status.stage == Stage.CLOSED else 0
        items.append(TimelineItem(status.at, "stage", title, user_name(status.by), status.note, tag, order))
    for contact in episode.contacts.all():
        items.append(
            TimelineItem(
                contact.at,
                "contact",
                f"{contact.get_channel_display()} contact",
                user_name(contact.by),
                contact.note,
                contact_outcome_tag(contact.successful),
                1,
            )
        )
    for task in episode.tasks.all():
        owner = user_name(task.owner) if task.owner_id else "nobody"
        items.append(
            TimelineItem(
                task.created_at,
                "task_added",
                f"Task added: {task.title}",
                user_name(task.created_by),
                f"Due {long_date(task.due)}, for {owner}",
                None,
                2,
            )
        )
        if task.done_at is not None:
            items.append(
                TimelineItem(
                    task.done_at,
                    "task_done",
                    f"Task done: {task.title}",
                    user_name(task.done_by),
                    "",
                    Tag("Done", "green"),
                    3,
                )
            )
    items.sort(key=lambda item: (item.at, item.order), reverse=True)
    return items


def open_tasks(episode: Any) -> list[Any]:
    """The episode's open tasks, soonest due first, from prefetched tasks."""
    return sorted((t for t in episode.tasks.all() if t.done_at is None), key=lambda t: (t.due, t.pk))
