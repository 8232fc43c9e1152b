"""Reading a custody list: the column mapping and its synonyms, dates, names and per-line problems.
Pure functions: no database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from liaison.identification.arrivals_csv import (
    FileProblem,
    canonical_field,
    guess_offence_category,
    map_columns,
    match_officer_flags,
    parse_arrivals,
    parse_moment,
    split_full_name,
)

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 3, 27, 18, 0, tzinfo=LONDON)


def parse(text: str):
    return parse_arrivals(text.encode(), tz=LONDON, now=NOW)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Arrival time", "arrival_time"),
        ("Booked in at", "arrival_at"),
        ("Custody No.", "custody_number"),
        ("Case reference", "custody_number"),
        ("URN", "custody_number"),
        ("Forename", "given_name"),
        ("Surname", "family_name"),
        ("D.O.B", "date_of_birth"),
        ("DOB", "date_of_birth"),
        ("Offence", "alleged_offence"),
        ("Charges", "alleged_offence"),
        ("Officer's flags", "officer_flags"),
        ("Warning markers", "officer_flags"),
        ("PNC", "pnc_id"),
        ("NHS No", "nhs_number"),
    ],
)
def test_header_synonyms(header, field):
    assert canonical_field(header) == field


def test_headers_map_to_columns_and_unknown_ones_are_listed():
    positions, written, ignored = map_columns(["Cell", "Booked in at", "Surname", "Forenames", "DOB"])
    assert positions == {"arrival_at": 1, "family_name": 2, "given_name": 3, "date_of_birth": 4}
    assert written["date_of_birth"] == "DOB"
    assert ignored == ["Cell"]


def test_a_file_with_synonym_headers_loads_the_same_rows():
    text = (
        "Booked in at;Custody Ref;Surname;Forenames;D.O.B.;Charge;Warning markers;Cell\n"
        "27/03/2026 14:30;KF-1;SMITH;John;17/05/1990;Burglary;SH, drugs;C4\n"
    )
    parsed = parse(text)
    assert parsed.problems == []
    (row,) = parsed.rows
    assert (row.given_name, row.family_name, row.custody_number) == ("John", "Smith", "KF-1")
    assert row.date_of_birth == dt.date(1990, 5, 17)
    assert row.arrival_at == dt.datetime(2026, 3, 27, 14, 30, tzinfo=LONDON)
    assert row.alleged_offence == "Burglary" and row.officer_flags == "SH, drugs"
    assert parsed.ignored_columns == ["Cell"]


def test_one_name_column_is_split_surname_first_or_last():
    assert split_full_name("SMITH, John Paul") == ("John Paul", "SMITH")
    assert split_full_name("Ayo Adeyemi") == ("Ayo", "Adeyemi")
    parsed = parse('arrival,name\n27/03/2026 09:05,"OKAFOR, Sam"\n')
    assert (parsed.rows[0].given_name, parsed.rows[0].family_name) == ("Sam", "Okafor")


def test_separate_date_and_time_columns_are_combined():
    parsed = parse("arrival_date,arrival_time,given_name,family_name\n2026-03-27,0715,Ann,Lee\n")
    assert parsed.rows[0].arrival_at == dt.datetime(2026, 3, 27, 7, 15, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-03-27T14:30", dt.datetime(2026, 3, 27, 14, 30, tzinfo=LONDON)),
        ("2026-03-27 14:30:00", dt.datetime(2026, 3, 27, 14, 30, tzinfo=LONDON)),
        ("2026-03-27T14:30:00+00:00", dt.datetime(2026, 3, 27, 14, 30, tzinfo=dt.UTC)),
        ("27/03/2026 14:30", dt.datetime(2026, 3, 27, 14, 30, tzinfo=LONDON)),
        ("27 Mar 2026 14:30", dt.datetime(2026, 3, 27, 14, 30, tzinfo=LONDON)),
        ("27/03/2026", None),
        ("yesterday", None),
    ],
)
def test_arrival_times(raw, expected):
    assert parse_moment(raw, LONDON) == expected


def test_bad_rows_are_reported_by_line_field_and_reason_and_good_rows_still_load():
    text = (
        "arrival_time,custody_number,given_name,family_name,date_of_birth,nhs_number\n"
        "27/03/2026 10:00,A1,Good,One,17/05/1990,\n"  # line 2
        "not a time,A2,Bad,Time,17/05/1990,\n"  # line 3
        "27/03/2026 11:00,A3,,Noname,31/02/1990,\n"  # line 4: no first name, no 31 February
        "\n"  # line 5: blank, skipped
        '27/03/2026 12:00,A4,"Multi\nLine",Two,,\n'  # lines 6-7: a quoted cell over two lines
        "27/03/2026 13:00,A5,Bad,Nhs,,943 476 5918\n"  # line 8
        "28/03/2026 13:00,A6,Future,Arrival,,\n"  # line 9: after NOW
    )
    parsed = parse(text)
    assert [r.custody_number for r in parsed.rows] == ["A1", "A4"]
    found = {(p.line, p.field) for p in parsed.problems}
    assert found == {
        (3, "arrival_time"),
        (4, "given_name"),
        (4, "date_of_birth"),
        (8, "nhs_number"),
        (9, "arrival_time"),
    }
    assert parsed.rejected_lines == 4
    assert parsed.lines_read == 6  # data rows; the blank line is not counted
    by_line = {p.line: p for p in parsed.problems}
    assert by_line[3].column == "arrival_time"
    assert "like 27/03/2026 14:30" in by_line[3].message
    assert "check digit" in by_line[8].message
    assert "future" in by_line[9].message


def test_messages_never_repeat_the_values_they_are_about():
    parsed = parse("arrival_time,given_name,family_name,date_of_birth\n27/03/2026 10:00,Zed,Q,40/40/1990\n")
    assert all("40/40" not in p.message and "Zed" not in p.message for p in parsed.problems)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("given_name,family_name\nA,B\n", "no arrival time column"),
        ("arrival_time,given_name\n27/03/2026 10:00,A\n", "'family_name'"),
        ("arrival_time,surname,last name,given_name\n", "both look like last name"),
        ("arrival_time,name,given_name\n", "keep one or the other"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(text, message):
    with pytest.raises(FileProblem, match=message):
        parse(text)


def test_windows_spreadsheet_encodings_are_read():
    data = "arrival_time,given_name,family_name\n27/03/2026 10:00,Zoë,Brontë\n".encode("cp1252")
    parsed = parse_arrivals(data, tz=LONDON, now=NOW)
    assert parsed.rows[0].given_name == "Zoë"
    bom = "\ufeffarrival_time,given_name,family_name\n27/03/2026 10:00,A,B\n".encode()
    assert parse_arrivals(bom, tz=LONDON, now=NOW).rows[0].family_name == "B"


def test_dedupe_key_uses_custody_number_and_time_or_a_content_hash():
    parsed = parse(
        "arrival_time,custody_number,given_name,family_name\n"
        "27/03/2026 10:00,kf-1,A,B\n"
        "27/03/2026 10:00,KF-1,Changed,Name\n"
        "27/03/2026 10:00,,A,B\n"
        "27/03/2026 10:00,,A,C\n"
    )
    keys = [row.dedupe_key() for row in parsed.rows]
    assert keys[0] == keys[1]  # same custody number and time: the same arrival
    assert keys[2].startswith("h:") and keys[2] != keys[3]


def test_officer_flags_match_whole_entries_on_the_code_list():
    terms = {"mental_health": ["mh"], "self_harm_suicide": ["self harm", "sh"], "substance_use": ["drugs"]}
    assert match_officer_flags("MH; Self  harm / drugs + smells of cannabis", terms) == {
        "mental_health": "MH",
        "self_harm_suicide": "Self harm",
        "substance_use": "drugs",
    }
    assert match_officer_flags("shoplifting", terms) == {}


@pytest.mark.parametrize(
    ("offence", "category"),
    [
        ("Assault occasioning ABH", "violence"),
        ("Robbery", "robbery"),
        ("Theft from a shop", "theft"),
        ("Possession of a bladed article", "weapons"),
        ("Breach of bail", "breach"),
        ("Something unusual", "other"),
        ("", "not_known"),
    ],
)
def test_offence_category_first_guess(offence, category):
    assert guess_offence_category(offence) == category
