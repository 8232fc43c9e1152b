"""Display logic for referrals and appointments: status tags, places, the calendar's weeks, initials.

Nothing here queries the database: callers pass records with their relations already loaded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from liaison.assessment.codes import codes
from liaison.core.presenters import Tag
from liaison.referrals import states
from liaison.referrals.models import Attendance, Status

STATUS_COLOURS = {
    Status.DRAFT: "yellow",
    Status.SENT: "blue",
    Status.ACKNOWLEDGED: "aqua-green",
    Status.ACCEPTED: "green",
    Status.DECLINED: "red",
    Status.APPOINTMENT_BOOKED: "purple",
    Status.ATTENDED: "green",
    Status.DID_NOT_ATTEND: "orange",
    Status.ENGAGED: "green",
    Status.CLOSED: "grey",
}
ATTENDANCE_TAGS = {
    Attendance.UPCOMING: Tag("Upcoming", "blue"),
    Attendance.ATTENDED: Tag("Attended", "green"),
    Attendance.MISSED: Tag("Missed", "orange"),
    Attendance.CANCELLED: Tag("Cancelled", "grey"),
}


def status_tag(kind: str, status: str) -> Tag:
    return Tag(states.status_label(kind, status), STATUS_COLOURS.get(status, "grey"))  # type: ignore[call-overload]


def attendance_tag(attendance: str) -> Tag:
    return ATTENDANCE_TAGS.get(attendance, Tag(attendance, "grey"))  # type: ignore[call-overload]


def need_label(key: str) -> str:
    return codes().label(key)


def place(appointment: Any) -> str:
    """Where, in words: the directory location's name and address, or the place typed."""
    location = appointment.location
    if location is not None:
        parts = [location.name, location.address_1, location.city, location.postal_code]
        return ", ".join(p for p in parts if p)
    return appointment.place or "Place not recorded"


def initials(person: Any) -> str:
    """ "A.R.": what the calendar feed says about who the appointment is for."""
    return "".join(f"{name[0].upper()}." for name in (person.given_name, person.family_name) if name)


@dataclass(frozen=True)
class Week:
    start: dt.date  # a Monday
    previous: dt.date
    next: dt.date

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """Local midnight on Monday to local midnight the Monday after."""
        zone = timezone.get_current_timezone()
        start = dt.datetime.combine(self.start, dt.time(), tzinfo=zone)
        return start, dt.datetime.combine(self.start + dt.timedelta(days=7), dt.time(), tzinfo=zone)

    @property
    def label(self) -> str:
        end = self.end
        same_month = self.start.month == end.month
        first = f"{self.start.day}" if same_month else f"{self.start.day} {self.start:%B}"
        return f"{first} to {end.day} {end:%B %Y}"


def week_of(text: str | None, today: dt.date | None = None) -> Week:
    """The week containing the date given as YYYY-MM-DD (any day of it), or this week."""
    today = today or timezone.localdate()
    try:
        day = dt.date.fromisoformat(text) if text else today
    except ValueError:
        day = today
    if not dt.date(2000, 1, 1) <= day <= dt.date(2100, 1, 1):
        day = today
    start = day - dt.timedelta(days=day.weekday())
    return Week(start, start - dt.timedelta(days=7), start + dt.timedelta(days=7))
