"""Reading a custody or court list (CSV) into arrival rows: the column mapping, header synonyms and
per-row checks. Pure: no Django, no database; the service decides what to save.

The mapping is documented in docs/arrivals-import.md; keep the two in step.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from liaison.people.identifiers import (
    nhs_number_problem,
    normalise_nhs_number,
    normalise_pnc_id,
    pnc_id_problem,
)

# Canonical field -> header spellings we accept. Headers are compared lower-cased with everything
# but letters and digits removed, so "D.O.B", "dob" and "Date of birth" all match.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "arrival_at": (
        "arrival_at",
        "arrival date and time",
        "arrival datetime",
        "arrived",
        "arrived at",
        "arrival",
        "time of arrival",
        "date and time of arrival",
        "booked in",
        "booked in at",
        "booking in time",
        "booking time",
        "detention authorised",
        "detention time",
        "listed at",
        "hearing time",
        "date time",
    ),
    "arrival_date": ("arrival date", "date of arrival", "date", "booking date", "hearing date", "list date"),
    "arrival_time": ("arrival time", "time"),
    "custody_number": (
        "custody number",
        "custody no",
        "custody ref",
        "custody reference",
        "custody record",
        "custody record number",
        "case number",
        "case no",
        "case ref",
        "case reference",
        "urn",
        "reference",
        "ref",
    ),
    "given_name": (
        "given name",
        "given names",
        "first name",
        "first names",
        "forename",
        "forenames",
        "christian name",
    ),
    "family_name": ("family name", "last name", "surname"),
    "full_name": ("name", "full name", "detainee", "detainee name", "defendant", "defendant name"),
    "date_of_birth": ("date of birth", "dob", "birth date", "born"),
    "alleged_offence": (
        "alleged offence",
        "alleged offences",
        "offence",
        "offences",
        "charge",
        "charges",
        "reason for arrest",
        "arrest reason",
        "offence details",
    ),
    "officer_flags": (
        "officer flags",
        "officers flags",
        "custody officer flags",
        "flags",
        "risk flags",
        "warning markers",
        "markers",
        "risk markers",
        "warnings",
        "vulnerabilities",
        "concerns",
    ),
    "nhs_number": ("nhs number", "nhs no", "nhs"),
    "pnc_id": ("pnc id", "pnc", "pnc number", "pnc no", "pncid"),
}

LABELS: dict[str, str] = {
    "arrival_at": "Arrival time",
    "arrival_date": "Arrival date",
    "arrival_time": "Arrival time",
    "custody_number": "Custody or case number",
    "given_name": "First name",
    "family_name": "Last name",
    "full_name": "Name",
    "date_of_birth": "Date of birth",
    "alleged_offence": "Alleged offence",
    "officer_flags": "Officer's flags",
    "nhs_number": "NHS number",
    "pnc_id": "PNC ID",
}

LIMITS = {
    "custody_number": 40,
    "given_name": 100,
    "family_name": 100,
    "alleged_offence": 200,
    "officer_flags": 500,
}
MAX_ROWS = 5000
OLDEST_AGE = 120
FUTURE_SLACK = dt.timedelta(minutes=5)

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y")
TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%H%M", "%H.%M")
DATE_EXAMPLE = "like 17/05/1990 or 1990-05-17"
DATETIME_EXAMPLE = "like 27/03/2026 14:30 or 2026-03-27T14:30"


def _compact(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


_LOOKUP: dict[str, str] = {_compact(s): name for name, spellings in SYNONYMS.items() for s in spellings}


def canonical_field(header: str) -> str | None:
    """The field a header names ("D.O.B" -> "date_of_birth"), or None for a column we do not use."""
    return _LOOKUP.get(_compact(header))


class FileProblem(Exception):
    """The file as a whole cannot be read: nothing from it is loaded."""


@dataclass(frozen=True)
class RowProblem:
    line: int
    field: str  # canonical field name, or "" for the row as a whole
    column: str  # the header as written in the file, or ""
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "field": self.field, "column": self.column, "message": self.message}


@dataclass
class ArrivalRow:
    line: int
    arrival_at: dt.datetime
    given_name: str
    family_name: str
    date_of_birth: dt.date | None = None
    custody_number: str = ""
    alleged_offence: str = ""
    officer_flags: str = ""
    nhs_number: str = ""
    pnc_id: str = ""

    def dedupe_key(self) -> str:
        """Custody number and arrival time when the list has a number; else a hash of the content.

        The arrival time is taken in UTC so the same list gives the same keys whatever the clock
        change does to local times in between.
        """
        moment = self.arrival_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M")
        if self.custody_number:
            return f"n:{self.custody_number.upper()}|{moment}"
        content = "|".join(
            [
                moment,
                self.given_name.lower(),
                self.family_name.lower(),
                self.date_of_birth.isoformat() if self.date_of_birth else "",
                self.nhs_number,
                self.pnc_id,
                " ".join(self.alleged_offence.lower().split()),
            ]
        )
        return "h:" + hashlib.sha256(content.encode()).hexdigest()


@dataclass
class ParsedFile:
    rows: list[ArrivalRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # canonical field -> header as written
    ignored_columns: list[str] = field(default_factory=list)
    lines_read: int = 0  # data rows, blank rows left out

    @property
    def rejected_lines(self) -> int:
        return len({p.line for p in self.problems})


def decode(data: bytes) -> str:
    """UTF-8 (with or without the byte-order mark spreadsheets add), else Windows-1252."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem("The file is not a text CSV file. Save it from your spreadsheet as CSV and try again.")


def map_columns(headers: list[str]) -> tuple[dict[str, int], dict[str, str], list[str]]:
    """Which column holds which field. Raises FileProblem when a required field has no column."""
    positions: dict[str, int] = {}
    written: dict[str, str] = {}
    ignored: list[str] = []
    for index, header in enumerate(headers):
        name = canonical_field(header)
        if name is None:
            if header.strip():
                ignored.append(header.strip())
            continue
        if name in positions:
            raise FileProblem(
                f"The columns '{written[name]}' and '{header.strip()}' both look like "
                f"{LABELS[name].lower()}. Rename or remove one of them."
            )
        positions[name] = index
        written[name] = header.strip()
    has_time = "arrival_at" in positions or "arrival_time" in positions
    if not has_time:
        raise FileProblem(
            "The file has no arrival time column. Name it 'arrival_time' "
            "(or 'arrival_date' and 'arrival_time' for separate columns)."
        )
    has_names = "full_name" in positions or {"given_name", "family_name"} <= positions.keys()
    if not has_names:
        missing = [n for n in ("given_name", "family_name") if n not in positions]
        raise FileProblem(
            "The file has no "
            + " or ".join(f"'{n}'" for n in missing)
            + " column. Name the columns 'given_name' and 'family_name' (or one 'name' column)."
        )
    if "full_name" in positions and ("given_name" in positions or "family_name" in positions):
        raise FileProblem(
            "The file has a 'name' column and separate first or last name columns: keep one or the other."
        )
    return positions, written, ignored


def parse_date(value: str) -> dt.date | None:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a date, no time zone
        except ValueError:
            continue
    return None


def parse_time(value: str) -> dt.time | None:
    for fmt in TIME_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).time()  # noqa: DTZ007 - a time of day
        except ValueError:
            continue
    return None


def parse_moment(value: str, tz: ZoneInfo) -> dt.datetime | None:
    """An arrival time: ISO 8601 (with or without an offset), or a UK date then a time."""
    text = value.strip()
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is not None and ("T" in text or " " in text or ":" in text):
        return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment
    day_part, _, time_part = text.replace("T", " ").partition(" ")
    day = parse_date(day_part)
    # "27 Mar 2026 14:30": the date itself has spaces; try the last word as the time.
    if day is None and " " in text:
        day_part, _, time_part = text.rpartition(" ")
        day = parse_date(day_part)
    at = parse_time(time_part.strip()) if time_part.strip() else None
    if day is None or at is None:
        return None
    return dt.datetime.combine(day, at, tzinfo=tz)


def split_full_name(value: str) -> tuple[str, str]:
    """(given, family) from "SMITH, John" (lists usually put the surname first) or "John Smith"."""
    if "," in value:
        family, _, given = value.partition(",")
        return " ".join(given.split()), " ".join(family.split())
    words = value.split()
    if len(words) < 2:
        return "", " ".join(words)
    return " ".join(words[:-1]), words[-1]


def _tidy_name(value: str) -> str:
    """Lists often shout surnames (SMITH); keep mixed case as typed, title-case all-capitals."""
    value = " ".join(value.split())
    return value.title() if value.isupper() else value


def _sniff(text: str) -> type[csv.Dialect] | csv.Dialect:
    first = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, cells); a quoted cell may run over several lines."""
    reader = csv.reader(io.StringIO(text, newline=""), _sniff(text))
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FileProblem(f"Line {reader.line_num}: the file cannot be read as CSV ({exc}).") from exc


def parse_arrivals(
    data: bytes,
    *,
    tz: ZoneInfo,
    now: dt.datetime,
    progress: Callable[[int, int], None] | None = None,
) -> ParsedFile:
    """Read every row; a bad row becomes problems naming its line and field, the rest still load."""
    text = decode(data)
    records = _records(text)
    try:
        _, headers = next(records)
    except StopIteration:
        raise FileProblem("The file is empty: it needs a header row and a row for each arrival.") from None
    positions, written, ignored = map_columns(headers)
    parsed = ParsedFile(columns=written, ignored_columns=ignored)
    today = now.astimezone(tz).date()
    all_records = list(records)
    if len(all_records) > MAX_ROWS:
        raise FileProblem(f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files.")
    total = len(all_records)
    for done, (line, cells) in enumerate(all_records, start=1):
        if progress is not None and (done % 200 == 0 or done == total):
            progress(done, total)
        if not any(cell.strip() for cell in cells):
            continue
        parsed.lines_read += 1
        row, problems = _parse_row(line, cells, positions, written, tz=tz, now=now, today=today)
        if problems:
            parsed.problems.extend(problems)
        elif row is not None:
            parsed.rows.append(row)
    return parsed


def _parse_row(
    line: int,
    cells: list[str],
    positions: dict[str, int],
    written: dict[str, str],
    *,
    tz: ZoneInfo,
    now: dt.datetime,
    today: dt.date,
) -> tuple[ArrivalRow | None, list[RowProblem]]:
    problems: list[RowProblem] = []

    def cell(name: str) -> str:
        index = positions.get(name)
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()

    def problem(name: str, message: str) -> None:
        problems.append(RowProblem(line, name, written.get(name, ""), message))

    # --- arrival time
    arrival_at: dt.datetime | None = None
    if "arrival_at" in positions or ("arrival_time" in positions and "arrival_date" not in positions):
        name = "arrival_at" if "arrival_at" in positions else "arrival_time"
        raw = cell(name)
        if not raw:
            problem(name, "Enter the arrival date and time")
        else:
            arrival_at = parse_moment(raw, tz)
            if arrival_at is None:
                problem(name, f"Enter the arrival date and time {DATETIME_EXAMPLE}")
    else:
        raw_day, raw_time = cell("arrival_date"), cell("arrival_time")
        day = parse_date(raw_day) if raw_day else None
        at = parse_time(raw_time) if raw_time else None
        if not raw_day:
            problem("arrival_date", "Enter the arrival date")
        elif day is None:
            problem("arrival_date", f"Enter the arrival date {DATE_EXAMPLE}")
        if not raw_time:
            problem("arrival_time", "Enter the arrival time")
        elif at is None:
            problem("arrival_time", "Enter the arrival time on the 24-hour clock, like 14:30")
        if day is not None and at is not None:
            arrival_at = dt.datetime.combine(day, at, tzinfo=tz)
    if arrival_at is not None and arrival_at > now + FUTURE_SLACK:
        problem(
            "arrival_at" if "arrival_at" in positions else "arrival_time", "Arrival time is in the future"
        )
        arrival_at = None
    elif arrival_at is not None and arrival_at.year < 2000:
        problem("arrival_at" if "arrival_at" in positions else "arrival_time", "Arrival time is before 2000")
        arrival_at = None

    # --- names
    if "full_name" in positions:
        given, family = split_full_name(cell("full_name"))
        if not family:
            problem("full_name", "Enter the person's name")
        elif not given:
            problem("full_name", "Enter the first and last name, like 'SMITH, John' or 'John Smith'")
    else:
        given, family = cell("given_name"), cell("family_name")
        if not given:
            problem("given_name", "Enter the person's first name")
        if not family:
            problem("family_name", "Enter the person's last name")
    given, family = _tidy_name(given), _tidy_name(family)
    for name, value in (("given_name", given), ("family_name", family)):
        if len(value) > LIMITS[name]:
            problem(name if name in positions else "full_name", f"Must be {LIMITS[name]} characters or fewer")

    # --- date of birth
    date_of_birth: dt.date | None = None
    raw_dob = cell("date_of_birth")
    if raw_dob:
        date_of_birth = parse_date(raw_dob)
        if date_of_birth is None:
            problem("date_of_birth", f"Enter a real date of birth {DATE_EXAMPLE}")
        elif date_of_birth > today:
            problem("date_of_birth", "Date of birth is in the future")
            date_of_birth = None
        elif date_of_birth.year < today.year - OLDEST_AGE:
            problem("date_of_birth", f"Date of birth is more than {OLDEST_AGE} years ago")
            date_of_birth = None

    # --- identifiers and free text
    nhs_number = normalise_nhs_number(cell("nhs_number"))
    if nhs_number and (message := nhs_number_problem(nhs_number)):
        problem("nhs_number", message)
    pnc_raw = cell("pnc_id").upper().replace(" ", "")
    if pnc_raw and (message := pnc_id_problem(pnc_raw)):
        problem("pnc_id", message)
    texts = {name: " ".join(cell(name).split()) for name in ("custody_number", "alleged_offence")}
    texts["officer_flags"] = cell("officer_flags")
    for name, value in texts.items():
        if len(value) > LIMITS[name]:
            problem(name, f"Must be {LIMITS[name]} characters or fewer")

    if problems or arrival_at is None:
        return None, problems
    return (
        ArrivalRow(
            line=line,
            arrival_at=arrival_at,
            given_name=given,
            family_name=family,
            date_of_birth=date_of_birth,
            custody_number=texts["custody_number"],
            alleged_offence=texts["alleged_offence"],
            officer_flags=texts["officer_flags"],
            nhs_number=nhs_number,
            pnc_id=normalise_pnc_id(pnc_raw) if pnc_raw else "",
        ),
        [],
    )


# --- the officer's flags ---------------------------------------------------------------------------

_SPLIT = re.compile(r"[;,/|+\n]|\band\b|&")


def match_officer_flags(text: str, terms_by_code: dict[str, list[str]]) -> dict[str, str]:
    """Flag code -> the officer's words that matched it (as they wrote them, spaces tidied), for each
    entry matched whole: "MH; Self  harm" -> {"mental_health": "MH", "self_harm_suicide": "Self harm"}."""
    lookup = {term: code for code, terms in terms_by_code.items() for term in terms}
    found: dict[str, str] = {}
    for part in _SPLIT.split(text):
        words = " ".join(part.split())
        term = words.lower()
        code = lookup.get(term) or lookup.get(term.strip(".!"))
        if code and code not in found:
            found[code] = words
    return found


# --- the alleged offence ---------------------------------------------------------------------------

# A first guess at the offence category from the list's wording; the practitioner confirms it.
# Order matters: the first category with a matching word wins ("robbery" before "theft").
OFFENCE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sexual", ("rape", "sexual", "indecent", "indecency", "exposure", "voyeurism")),
    ("robbery", ("robbery", "robbed")),
    ("weapons", ("knife", "bladed", "weapon", "firearm", "offensive weapon")),
    (
        "violence",
        ("assault", "abh", "gbh", "wounding", "murder", "manslaughter", "threats to kill", "battery"),
    ),
    ("criminal_damage", ("criminal damage", "arson", "damage")),
    ("drugs", ("drug", "drugs", "cannabis", "cocaine", "heroin", "class a", "class b", "pwits", "supply")),
    ("public_order", ("public order", "affray", "drunk and disorderly", "section 4", "section 5", "riot")),
    ("fraud", ("fraud", "forgery", "counterfeit")),
    ("theft", ("theft", "burglary", "shoplifting", "handling", "stolen", "steal")),
    ("motoring", ("driving", "drink drive", "drink driving", "vehicle", "motoring", "no insurance")),
    ("breach", ("breach", "bail", "recall", "licence", "fail to appear", "failing to appear")),
)


def guess_offence_category(text: str) -> str:
    words = " " + " ".join(re.sub(r"[^a-z0-9 ]", " ", text.lower()).split()) + " "
    for category, needles in OFFENCE_WORDS:
        if any(f" {needle} " in words for needle in needles):
            return category
    return "not_known" if not text.strip() else "other"
