"""The directory in words a practitioner reads at 2am: opening times, who a service is for, how to refer.

Pure functions over model instances (no queries): "Monday to Friday, 9am to 5pm";
"Every day, 8pm to 8am (overnight)"; "Aged 18 and over"; "Women only".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

from liaison.core.presenters import Tag
from liaison.directory.models import EligibleSex, ReferralRoute, Schedule, Service, ServiceArea, ServiceStatus
from liaison.directory.opening import clock_time

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
STATUS_COLOURS = {
    ServiceStatus.ACTIVE: "green",
    ServiceStatus.INACTIVE: "grey",
    ServiceStatus.TEMPORARILY_CLOSED: "orange",
    ServiceStatus.DEFUNCT: "red",
}


# "9am", "5:30pm", "midday", "midnight": the one clock style, shared with the "open now?" words.
time_words = clock_time


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def days_words(days: Iterable[str]) -> str:
    """["MO".."FR"] -> "Monday to Friday"; ["SA", "SU"] -> "Saturday and Sunday"; all -> "Every day"."""
    chosen = sorted({d for d in days if d in DAY_NAMES}, key=DAYS.index)
    if not chosen or len(chosen) == 7:
        return "Every day"
    runs: list[list[str]] = []
    for day in chosen:
        if runs and DAYS.index(day) == DAYS.index(runs[-1][-1]) + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAY_NAMES[run[0]]} to {DAY_NAMES[run[-1]]}")
        else:
            parts.extend(DAY_NAMES[d] for d in run)
    return _join(parts)


def _byday(schedule: Schedule) -> list[str]:
    return [d.lstrip("+-0123456789") for d in schedule.byday.upper().split(",") if d.strip()]


def hours_words(opens: dt.time | None, closes: dt.time | None) -> str:
    if opens is None and closes is None:
        return ""
    if opens is not None and closes is not None:
        # 00:00 to 23:59 is how directories write "all day" (ORUK times have no 24:00).
        if opens == closes or (opens == dt.time(0, 0) and closes >= dt.time(23, 59)):
            return "24 hours"
        overnight = " (overnight)" if closes < opens else ""
        return f"{time_words(opens)} to {time_words(closes)}{overnight}"
    if opens is not None:
        return f"from {time_words(opens)}"
    return f"until {time_words(closes)}"  # type: ignore[arg-type]  # closes is set here


def opening_times(schedules: Iterable[Schedule], open_bank_holidays: bool) -> list[str]:
    """One line per set of hours, days merged: "Monday to Friday, 9am to 5pm"."""
    grouped: dict[tuple[dt.time | None, dt.time | None], set[str]] = {}
    other: list[str] = []
    for schedule in schedules:
        if schedule.freq == "MONTHLY" or schedule.bymonthday or (schedule.interval or 1) > 1:
            other.append(_special(schedule))
            continue
        if schedule.opens_at is None and schedule.closes_at is None:
            if schedule.description:
                other.append(schedule.description)
            continue
        days = _byday(schedule) or list(DAYS)
        grouped.setdefault((schedule.opens_at, schedule.closes_at), set()).update(days)
    lines = []
    ordered = sorted(grouped.items(), key=lambda item: (min(DAYS.index(d) for d in item[1]), str(item[0][0])))
    for (opens, closes), day_set in ordered:
        lines.append(f"{days_words(day_set)}, {hours_words(opens, closes)}")
    lines.extend(line for line in other if line)
    if lines:
        lines.append("Open on bank holidays" if open_bank_holidays else "Closed on bank holidays")
    return lines


def _special(schedule: Schedule) -> str:
    hours = hours_words(schedule.opens_at, schedule.closes_at)
    if schedule.description:
        return f"{schedule.description}{', ' + hours if hours else ''}"
    when = "Monthly" if schedule.freq == "MONTHLY" else f"Every {schedule.interval} weeks"
    if schedule.bymonthday:
        when += f" on day {schedule.bymonthday} of the month"
    if schedule.byday:
        when += f" on {days_words(_byday(schedule))}"
    return f"{when}{', ' + hours if hours else ''}"


def ages_words(minimum: int | None, maximum: int | None) -> str:
    if minimum is None and maximum is None:
        return "Any age"
    if minimum is not None and maximum is not None:
        return f"Aged {minimum} to {maximum}"
    if minimum is not None:
        return f"Aged {minimum} and over"
    return f"Aged {maximum} and under"


def areas_words(areas: Iterable[ServiceArea]) -> list[str]:
    lines = []
    for area in areas:
        name = area.name or area.description
        prefixes = area.postcode_prefixes.split()
        if prefixes:
            lines.append(f"{name + ': ' if name else ''}postcode areas {', '.join(prefixes)}")
        elif name:
            lines.append(name)
    return lines


def eligibility_words(service: Service, areas: Iterable[ServiceArea]) -> list[str]:
    lines = [ages_words(service.minimum_age, service.maximum_age)]
    if service.eligible_sex:
        lines.append(str(EligibleSex(service.eligible_sex).label))
    served = areas_words(areas)
    lines.extend(f"Covers {line}" for line in served) if served else lines.append("No area restriction")
    return lines


def status_tag(status: str) -> Tag:
    try:
        label = str(ServiceStatus(status).label)
    except ValueError:
        return Tag(status or "Unknown", "grey")
    return Tag(label, STATUS_COLOURS[ServiceStatus(status)])


def referral_routes_words(routes: Iterable[str]) -> str:
    labels = {value: str(label) for value, label in ReferralRoute.choices}
    words = [labels.get(route, route) for route in routes]
    return _join(words) if words else ""


# Typed days ("Monday to Friday", "Mon-Fri", "Sat, Sun", "every day", "MO,TU") -> byday codes.
_DAY_WORDS = {
    **{name.lower(): code for code, name in DAY_NAMES.items()},
    **{name.lower()[:3]: code for code, name in DAY_NAMES.items()},
    **{code.lower(): code for code in DAYS},
    "tues": "TU",
    "weds": "WE",
    "thur": "TH",
    "thurs": "TH",
}


def parse_days(text: str) -> list[str] | None:
    """The days a person typed, as byday codes in week order; None when it cannot be read."""
    cleaned = text.strip().lower()
    if cleaned in {"every day", "everyday", "daily", "all week", "7 days", "seven days"}:
        return list(DAYS)
    if cleaned in {"weekdays", "week days"}:
        return list(DAYS[:5])
    if cleaned in {"weekends", "weekend"}:
        return ["SA", "SU"]
    if not cleaned:
        return None
    found: set[str] = set()
    for part in re.split(r"\s*(?:,|;|\band\b|&|/)\s*", cleaned):
        if not part:
            continue
        span = re.split(r"\s*(?:\bto\b|-|–|\bthrough\b|\buntil\b)\s*", part)
        codes = [_DAY_WORDS.get(word.strip().rstrip(".")) for word in span]
        if any(code is None for code in codes) or len(codes) > 2:
            return None
        if len(codes) == 2:
            start, end = DAYS.index(str(codes[0])), DAYS.index(str(codes[1]))
            indexes = range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)]
            found.update(DAYS[i] for i in indexes)
        else:
            found.add(codes[0])  # type: ignore[arg-type]
    return sorted(found, key=DAYS.index)
