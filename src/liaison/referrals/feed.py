"""A worker's appointments as an iCalendar feed (RFC 5545), for the calendar app on their phone.

Calendar apps copy what they fetch to phones and to the cloud accounts behind them, out of our reach.
So each event says only what the worker needs to turn up: the service, where, when, and the person's
initials. No names, needs, notes, travel needs or links to the record. See docs/referrals.md.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from icalendar import Calendar, Event

from liaison.core.models import User
from liaison.referrals import presenters
from liaison.referrals.models import Attendance
from liaison.referrals.queries import calendar_appointments

PAST = dt.timedelta(days=31)
FUTURE = dt.timedelta(days=366)
LIMIT = 500
DEFAULT_LENGTH = dt.timedelta(hours=1)


def ics_for(user: User, now: dt.datetime | None = None) -> tuple[bytes, list[int]]:
    """The feed's body, and the ids of the people it mentions (for the audit)."""
    now = now or timezone.now()
    appointments = list(calendar_appointments(user, now - PAST, now + FUTURE)[:LIMIT])
    calendar = Calendar()
    calendar.add("prodid", "-//Liaison//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Liaison appointments")
    for appointment in appointments:
        service = appointment.service.name if appointment.service is not None else "Appointment"
        event = Event()
        event.add("uid", f"appointment-{appointment.pk}@liaison")
        event.add("dtstamp", now)
        event.add("dtstart", appointment.starts_at)
        event.add("dtend", appointment.ends_at or appointment.starts_at + DEFAULT_LENGTH)
        event.add("summary", f"{service} ({presenters.initials(appointment.episode.person)})")
        event.add("location", presenters.place(appointment))
        if appointment.attendance == Attendance.CANCELLED:
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical(), sorted({a.episode.person_id for a in appointments})
