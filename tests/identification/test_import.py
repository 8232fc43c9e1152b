"""Importing a custody list: good rows load, bad rows are reported by line, nothing loads twice,
a dry run writes nothing, every import is a batch record and one audit event without names."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from liaison.core.errors import NotPermitted
from liaison.core.models import AuditEvent
from liaison.identification.models import Arrival, ArrivalFlag, ArrivalStatus, FlagSource, ImportBatch
from tests.identification.conftest import csv_bytes, run_import, three_arrivals, when

ROOT = Path(__file__).resolve().parents[2]


def test_happy_path_loads_every_row_into_the_sites_review_list(practitioner, site_a, team_a):
    result = run_import(practitioner, site_a, three_arrivals())
    assert (result.rows_read, result.created, result.duplicates, result.rejected) == (3, 3, 0, 0)
    arrivals = Arrival.objects.order_by("-arrival_at")
    assert [a.family_name for a in arrivals] == ["Blake", "Nandra", "Okello"]
    assert {a.site_id for a in arrivals} == {site_a.pk} and {a.team_id for a in arrivals} == {team_a.pk}
    assert {a.status for a in arrivals} == {ArrivalStatus.TO_REVIEW}
    blake = arrivals[0]
    assert blake.custody_number == "KF-1001" and blake.alleged_offence == "Theft from a shop"
    assert blake.officer_flags == "MH; self harm"
    batch = ImportBatch.objects.get()
    assert batch.imported_by == practitioner and batch.file_name == "list.csv" and batch.via == "upload"
    assert (batch.rows_read, batch.rows_created, batch.rows_duplicate, batch.rows_rejected) == (3, 3, 0, 0)
    assert len(batch.file_sha256) == 64


def test_officers_flags_on_the_code_list_become_custody_record_flags(practitioner, site_a):
    run_import(practitioner, site_a, three_arrivals())
    flags = {
        (f.arrival.family_name, f.flag_id, f.source) for f in ArrivalFlag.objects.select_related("arrival")
    }
    assert flags == {
        ("Blake", "mental_health", FlagSource.CUSTODY_RECORD),
        ("Blake", "self_harm_suicide", FlagSource.CUSTODY_RECORD),
        ("Okello", "young_person", FlagSource.CUSTODY_RECORD),
        ("Okello", "substance_use", FlagSource.CUSTODY_RECORD),
    }
    assert ArrivalFlag.objects.filter(note="Officer's flags: MH").exists()  # the officer's words
    # Flags from the record do not review the arrival: a practitioner still has to.
    assert set(Arrival.objects.values_list("status", flat=True)) == {ArrivalStatus.TO_REVIEW}


def test_reimporting_the_same_file_creates_no_duplicates(practitioner, site_a):
    run_import(practitioner, site_a, three_arrivals())
    again = run_import(practitioner, site_a, three_arrivals())
    assert (again.created, again.duplicates) == (0, 3)
    assert Arrival.objects.count() == 3
    assert ArrivalFlag.objects.count() == 4
    assert ImportBatch.objects.count() == 2  # each import is recorded, even one that adds nothing


def test_rows_without_a_custody_number_are_matched_by_content(practitioner, site_a):
    data = csv_bytes(f"{when(1)},,Ann,Lee,,,", f"{when(1)},,Ann,Lee,,,", f"{when(2)},,Bo,Lee,,,")
    first = run_import(practitioner, site_a, data)
    assert (first.created, first.duplicates) == (2, 1)
    assert run_import(practitioner, site_a, data).created == 0


def test_the_same_list_at_another_site_is_another_set_of_arrivals(practitioner, site_a, team_a):
    from tests.factories import SiteFactory

    court = SiteFactory(team=team_a, name="Northtown Magistrates")
    run_import(practitioner, site_a, three_arrivals())
    assert run_import(practitioner, court, three_arrivals()).created == 3


def test_bad_rows_are_reported_by_line_and_the_good_rows_still_load(practitioner, site_a):
    data = csv_bytes(
        f"{when(1)},KF-1,Good,Row,17/05/1990,,",
        "yesterday,KF-2,Bad,Time,17/05/1990,,",
        f"{when(2)},KF-3,,Nofirst,17/05/1990,,",
        f"{when(3)},KF-4,Bad,Birth,31/02/1990,,",
        f"{when(4)},KF-5,Also,Good,,,",
    )
    result = run_import(practitioner, site_a, data)
    assert (result.created, result.rejected) == (2, 3)
    assert sorted(Arrival.objects.values_list("custody_number", flat=True)) == ["KF-1", "KF-5"]
    problems = [(p["line"], p["field"]) for p in ImportBatch.objects.get().problems]
    assert problems == [(3, "arrival_time"), (4, "given_name"), (5, "date_of_birth")]


def test_a_file_that_cannot_be_read_loads_nothing_and_says_why(practitioner, site_a):
    with pytest.raises(ValidationError) as caught:
        run_import(practitioner, site_a, b"given_name,family_name\nA,B\n")
    assert "no arrival time column" in caught.value.message_dict["file"][0]
    assert not Arrival.objects.exists() and not ImportBatch.objects.exists()
    assert not AuditEvent.objects.filter(action="arrivals.import").exists()


def test_dry_run_writes_nothing(practitioner, site_a):
    before = AuditEvent.objects.count()
    result = run_import(practitioner, site_a, three_arrivals(), dry_run=True)
    assert result.dry_run and result.created == 3 and result.batch is None
    assert not Arrival.objects.exists()
    assert not ArrivalFlag.objects.exists()
    assert not ImportBatch.objects.exists()
    assert AuditEvent.objects.count() == before


def test_dry_run_counts_what_is_already_there(practitioner, site_a):
    run_import(practitioner, site_a, three_arrivals())
    result = run_import(practitioner, site_a, three_arrivals(), dry_run=True)
    assert (result.created, result.duplicates) == (0, 3)


def test_the_import_is_audited_once_with_counts_and_no_names(practitioner, site_a, team_a):
    run_import(practitioner, site_a, three_arrivals())
    event = AuditEvent.objects.get(action="arrivals.import")
    assert event.actor_id == practitioner.pk and event.team_id == team_a.pk
    assert event.object_type == "import_batch" and event.object_id == str(ImportBatch.objects.get().pk)
    assert event.detail == {
        "site_id": site_a.pk,
        "via": "upload",
        "rows": 3,
        "created": 3,
        "duplicates": 0,
        "rejected": 0,
    }
    stored = json.dumps(event.detail) + event.reason
    assert "Blake" not in stored and "list.csv" not in stored
    assert AuditEvent.objects.exclude(action="arrivals.import").count() == 0


def test_support_workers_and_outsiders_cannot_import(support_worker, outsider, site_a):
    for user in (support_worker, outsider):
        with pytest.raises(NotPermitted):
            run_import(user, site_a, three_arrivals())
    assert not Arrival.objects.exists()


def test_oversized_file_is_refused_by_the_service(practitioner, site_a, settings):
    settings.ARRIVALS_IMPORT_MAX_BYTES = 100
    with pytest.raises(ValidationError) as caught:
        run_import(practitioner, site_a, three_arrivals())
    assert "smaller than" in caught.value.message_dict["file"][0]


def test_command_imports_and_reports_problems_by_line(practitioner, site_a, tmp_path):
    path = tmp_path / "custody.csv"
    path.write_bytes(three_arrivals() + b"nonsense,KF-9,A,B,,,\n")
    out = io.StringIO()
    call_command("import_arrivals", str(path), site=site_a.pk, user="prac", stdout=out)
    text = out.getvalue()
    assert "3 new" in text and "1 with problems" in text
    assert "line 5: Arrival time ('arrival_time'): Enter the arrival date and time" in text
    assert Arrival.objects.count() == 3
    assert ImportBatch.objects.get().via == "command"


def test_command_dry_run_writes_nothing(practitioner, site_a, tmp_path):
    path = tmp_path / "custody.csv"
    path.write_bytes(three_arrivals())
    out = io.StringIO()
    call_command("import_arrivals", str(path), site=site_a.pk, user="prac", dry_run=True, stdout=out)
    assert "dry run, nothing saved" in out.getvalue() and "3 new" in out.getvalue()
    assert not Arrival.objects.exists() and not ImportBatch.objects.exists()


def test_command_refuses_clearly(practitioner, site_a, site_b, tmp_path):
    path = tmp_path / "custody.csv"
    path.write_bytes(b"given_name\nA\n")
    with pytest.raises(CommandError, match="no arrival time column"):
        call_command("import_arrivals", str(path), site=site_a.pk, user="prac")
    with pytest.raises(CommandError, match="cannot import lists"):
        call_command("import_arrivals", str(path), site=site_b.pk, user="prac")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_arrivals", str(tmp_path / "missing.csv"), site=site_a.pk, user="prac")


def test_the_sample_file_in_the_docs_imports_cleanly(practitioner, site_a):
    data = (ROOT / "docs" / "samples" / "custody-arrivals.csv").read_bytes()
    result = run_import(practitioner, site_a, data)
    assert result.rejected == 0 and result.created >= 10
