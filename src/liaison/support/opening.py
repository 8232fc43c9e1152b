"""Opening times and phone numbers of a directory service, in words a person reads on their card.

"Monday to Friday, 9am to 5pm; Saturday, 10am to 2pm", "Every day, 24 hours". Only weekly schedules
are put into words; a schedule with just a description (ORUK allows it) is shown as written.
Pure functions over the directory rows already loaded (phones and schedules prefetched). The
directory's own `opening` module answers "open now?"; a card kept for months needs the week instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from liaison.directory.models import Service
from liaison.directory.opening import clock_time
from liaison.directory.presenters import DAYS, days_words


def time_words(value: dt.time) -> str:
    """9am, 5:30pm, midday; 23:59 is "midnight", as the directory means it."""
    return "midnight" if value >= dt.time(23, 59) else clock_time(value)


def _hours_words(opens: dt.time | None, closes: dt.time | None) -> str:
    if opens is None or closes is None:
        return ""
    if opens == closes or (opens == dt.time(0, 0) and closes >= dt.time(23, 59)):
        return "24 hours"
    return f"{time_words(opens)} to {time_words(closes)}"


def opening_words(schedules: list[Any]) -> str:
    """All of a service's weekly opening times in one line; "" when the directory has none."""
    groups: dict[tuple[dt.time | None, dt.time | None], list[str]] = {}
    described: list[str] = []
    for schedule in schedules:
        codes = [c.strip().upper() for c in (schedule.byday or "").split(",") if c.strip()]
        if (schedule.freq or "WEEKLY").upper() == "WEEKLY" and codes and schedule.opens_at:
            groups.setdefault((schedule.opens_at, schedule.closes_at), []).extend(codes)
        elif schedule.description:
            described.append(schedule.description.strip())
    ordered = sorted(groups.items(), key=lambda item: min(DAYS.index(c) for c in item[1] if c in DAYS))
    parts = []
    for (opens, closes), codes in ordered:
        hours = _hours_words(opens, closes)
        parts.append(f"{days_words(codes)}, {hours}" if hours else days_words(codes))
    return "; ".join(parts + described)


def services_opening_words(service: Service) -> str:
    return opening_words(list(service.schedules.all()))


def service_phones(service: Service) -> list[dict[str, str]]:
    """The service's own numbers (not its staff's), each with a short label when the directory has one."""
    return [
        {"number": phone.number, "label": (phone.description or "").strip()[:60]}
        for phone in service.phones.all()
        if phone.number
    ]
