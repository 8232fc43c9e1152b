"""The national dataset: a hand-built month where every row and code is known, bad input, the query bound."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from liaison.cli import main as liaison
from liaison.consent.models import Disclosure
from liaison.core.models import AuditEvent, AuditEventPerson, Role
from liaison.directory.models import Organization, Service
from liaison.episodes.models import ClosureReason, JusticeOutcome, OffenceCategory, PathwayPoint, Stage
from liaison.identification.models import EpisodeFlag, FlagSource
from liaison.outcomes.dataset import (
    COLUMNS,
    HEADER,
    DatasetError,
    dataset_export,
    ods_code,
    parse_period,
    pseudonym,
)
from liaison.referrals.models import Kind, Referral, ReferralStatus, Status
from tests.factories import EpisodeFactory, PersonFactory, member

LONDON = ZoneInfo("Europe/London")
ROOT = Path(__file__).resolve().parents[2]


def at(year, month, day, hour=12, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def episode(site, **fields):
    fields.setdefault("arrival_at", fields["identified_at"] - dt.timedelta(hours=1))
    if fields.get("closed_at"):
        fields.setdefault("stage", Stage.CLOSED)
    return EpisodeFactory(site=site, **fields)


def referral(ep, by, *, created, sent=None, kind=Kind.ACTIVE, need_key="housing", service):
    made = Referral.objects.create(
        episode=ep,
        team=ep.team,
        need_key=need_key,
        service=service,
        kind=kind,
        status=Status.SENT if sent else Status.DRAFT,
        created_by=by,
        created_at=created,
    )
    ReferralStatus.objects.create(referral=made, status=Status.DRAFT, at=created, by=by)
    if sent:
        ReferralStatus.objects.create(referral=made, status=Status.SENT, at=sent, by=by)
    return made


def disclosure(ep, by, when):
    return Disclosure.objects.create(
        person=ep.person,
        team=ep.team,
        episode=ep,
        recipient_kind="court",
        recipient_name="Northtown Magistrates",
        content_kinds=["recommendations"],
        what="Court report, version 1",
        method="link",
        basis="consent",
        by=by,
        at=when,
    )


@pytest.fixture
def month(team_a, site_a, site_b, team_lead):
    """October 2026 in team A: five episodes in, three out (and one in team B)."""
    housing = Organization.objects.create(
        id="org-harbour",
        name="Harbour Trust",
        extra={"organization_identifiers": [{"identifier_scheme": "GB-ODS", "identifier": "RX1"}]},
    )
    plain = Organization.objects.create(id="org-plain", name="=Plain Help")
    nightstop = Service.objects.create(id="svc-1", organization=housing, name="Harbour Nightstop")
    advice = Service.objects.create(id="svc-2", organization=plain, name="Plain Help Advice")
    young = PersonFactory(sex="2", ethnicity="N", date_of_birth=dt.date(2009, 1, 10), nhs_number="9434765919")
    rows = {
        # Opened in September, closed early in October: in.
        "closed_in_month": episode(
            site_a,
            identified_at=at(2026, 9, 20),
            closed_at=at(2026, 10, 3),
            closure_reason=ClosureReason.CONNECTED,
            justice_outcome=JusticeOutcome.RUI,
        ),
        # Opened mid-October: in, with a flag, referrals and disclosures.
        "opened_in_month": episode(
            site_a,
            person=young,
            identified_at=at(2026, 10, 15),
            screened_at=at(2026, 10, 16),
            assessed_at=at(2026, 11, 2),
            stage=Stage.ASSESSED,
            age_group="youth",
            pathway_point=PathwayPoint.YOUTH_COURT,
            referral_source="E2",
            offence_category=OffenceCategory.THEFT,
        ),
        # Last half hour of the month (GMT after the clocks went back): in.
        "last_minute": episode(site_a, identified_at=at(2026, 10, 31, 23, 30)),
        # Closed ten minutes into October, local time (still September in UTC): in.
        "closed_first_minutes": episode(
            site_a,
            identified_at=at(2026, 9, 29),
            closed_at=at(2026, 10, 1, 0, 10),
            closure_reason=ClosureReason.NOT_SEEN,
        ),
        # Open throughout: in.
        "open_throughout": episode(site_a, identified_at=at(2026, 9, 1)),
        # Out: closed before October, opened after it, another team's.
        "closed_before": episode(site_a, identified_at=at(2026, 8, 1), closed_at=at(2026, 9, 30, 23, 50)),
        "opened_after": episode(site_a, identified_at=at(2026, 11, 1, 0, 30)),
        "other_team": episode(site_b, identified_at=at(2026, 10, 10)),
    }
    busy = rows["opened_in_month"]
    EpisodeFlag.objects.create(
        episode=busy, flag_id="learning_disability", source=FlagSource.PARTNER, raised_by=team_lead
    )
    EpisodeFlag.objects.filter(episode=busy).update(raised_at=at(2026, 10, 15))
    referral(busy, team_lead, created=at(2026, 10, 17), sent=at(2026, 10, 18), service=nightstop)
    referral(
        busy, team_lead, created=at(2026, 10, 20), sent=at(2026, 10, 21), service=advice, need_key="money"
    )
    referral(busy, team_lead, created=at(2026, 10, 25), sent=at(2026, 11, 5), service=advice)  # November
    referral(busy, team_lead, created=at(2026, 10, 19), service=advice)  # a draft, never sent
    referral(
        busy,
        team_lead,
        created=at(2026, 10, 18),
        sent=at(2026, 10, 18),
        service=advice,
        kind=Kind.SIGNPOSTING,
    )
    for when in (at(2026, 10, 16), at(2026, 10, 30), at(2026, 11, 3)):
        disclosure(busy, team_lead, when)
    # A flag raised after the month does not count for it.
    EpisodeFlag.objects.create(
        episode=rows["open_throughout"], flag_id="autism", source=FlagSource.PRACTITIONER, raised_by=team_lead
    )
    EpisodeFlag.objects.filter(episode=rows["open_throughout"]).update(raised_at=at(2026, 11, 2))
    EpisodeFlag.objects.create(
        episode=rows["closed_in_month"], flag_id="autism", source=FlagSource.PRACTITIONER, raised_by=team_lead
    )
    EpisodeFlag.objects.filter(episode=rows["closed_in_month"]).update(raised_at=at(2026, 9, 21))
    return rows


def export(user, period="2026-10", **kwargs):
    out = io.StringIO()
    result = dataset_export(
        actor=user, period=parse_period(period, today=dt.date(2026, 11, 30)), out=out, **kwargs
    )
    records = list(csv.DictReader(io.StringIO(out.getvalue())))
    return result, records, out.getvalue()


def test_the_month_gives_exactly_the_expected_rows(month, team_lead):
    result, records, _ = export(team_lead)
    expected = sorted(
        month[name].pk
        for name in (
            "closed_in_month",
            "opened_in_month",
            "last_minute",
            "closed_first_minutes",
            "open_throughout",
        )
    )
    assert [r["service_request_id"] for r in records] == [f"LIAISON-EP-{pk}" for pk in expected]
    assert result.rows == 5
    assert {r["reporting_period_start"] for r in records} == {"2026-10-01"}
    assert {r["reporting_period_end"] for r in records} == {"2026-10-31"}
    assert {r["service_team_type"] for r in records} == {"D02"}
    assert {r["team_code"] for r in records} == {"team-a"}


def test_each_field_is_coded_as_mhsds_and_the_local_extension_say(month, team_lead):
    _, records, _ = export(team_lead)
    by_id = {r["service_request_id"]: r for r in records}
    busy = by_id[f"LIAISON-EP-{month['opened_in_month'].pk}"]
    assert busy == {
        "reporting_period_start": "2026-10-01",
        "reporting_period_end": "2026-10-31",
        "team_code": "team-a",
        "service_team_type": "D02",
        "service_request_id": f"LIAISON-EP-{month['opened_in_month'].pk}",
        "local_patient_id": pseudonym(month["opened_in_month"].person_id),
        "nhs_number": "",  # pseudonymised unless asked for
        "age_at_referral": "17",
        "age_group": "youth",
        "gender_code": "2",
        "ethnic_category": "N",
        "source_of_referral": "E2",
        "referral_received_date": "2026-10-15",
        "service_discharge_date": "",
        "learning_disability_status": "4",
        "autism_status": "X",
        "stage_at_period_end": "screened",  # assessed in November: not yet, as at the end of October
        "screened_date": "2026-10-16",
        "assessed_date": "",
        "closure_reason": "",
        "pathway_point": "youth_court",
        "alleged_offence_category": "theft",
        "justice_outcome": "",
        "disclosures_in_period": "2",
        "onward_referrals_in_period": "2",
        "onward_decision_to_refer_dates": "2026-10-17;2026-10-20",
        "onward_refer_dates": "2026-10-18;2026-10-21",
        "onward_refer_reasons": "housing;money",
        "onward_org_ids_receiving": "RX1;",
        "onward_org_names_receiving": "Harbour Trust;=Plain Help",
    }
    closed = by_id[f"LIAISON-EP-{month['closed_in_month'].pk}"]
    assert closed["service_discharge_date"] == "2026-10-03"
    assert closed["stage_at_period_end"] == "closed"
    assert closed["closure_reason"] == "connected"
    assert closed["justice_outcome"] == "rui"
    assert closed["autism_status"] == "4" and closed["learning_disability_status"] == "X"
    assert closed["source_of_referral"] == "X1"  # the local proactive-review code
    assert closed["gender_code"] == "X"  # sex not known (0) is written X
    assert closed["ethnic_category"] == "99"
    early = by_id[f"LIAISON-EP-{month['closed_first_minutes'].pk}"]
    assert early["service_discharge_date"] == "2026-10-01"
    throughout = by_id[f"LIAISON-EP-{month['open_throughout'].pk}"]
    assert throughout["autism_status"] == "X"  # flagged in November
    assert throughout["stage_at_period_end"] == "identified"
    assert throughout["onward_referrals_in_period"] == "0" and throughout["onward_refer_dates"] == ""


def test_a_cell_that_looks_like_a_formula_is_written_as_text(month, team_lead):
    _, _, text = export(team_lead)
    assert "Harbour Trust;=Plain Help" in text  # inside a cell, not at its start: harmless
    Organization.objects.filter(pk="org-harbour").update(name="=HYPERLINK()")
    _, records, _ = export(team_lead)
    busy = next(r for r in records if r["onward_referrals_in_period"] == "2")
    assert busy["onward_org_names_receiving"].startswith("'=")


def test_the_same_person_has_the_same_pseudonym_every_month(month, team_lead):
    _, october, _ = export(team_lead)
    _, september, _ = export(team_lead, "2026-09")
    person = pseudonym(month["open_throughout"].person_id)
    assert person in {r["local_patient_id"] for r in october} & {r["local_patient_id"] for r in september}
    assert str(month["open_throughout"].person_id) not in person


def test_identifiable_extract_has_nhs_numbers_and_the_audit_says_so(month, team_lead):
    result, records, _ = export(team_lead, identifiable=True)
    assert "9434765919" in {r["nhs_number"] for r in records}
    event = AuditEvent.objects.get(action="outcomes.dataset_export")
    assert event.actor_id == team_lead.pk and event.role == Role.TEAM_LEAD
    assert event.detail["identifiable"] is True and event.detail["rows"] == 5
    assert event.detail["period"] == "2026-10" and event.detail["teams"] == ["team-a"]
    people = set(AuditEventPerson.objects.filter(event_id=event.id).values_list("person_id", flat=True))
    assert people == result.person_ids and month["opened_in_month"].person_id in people
    assert month["other_team"].person_id not in people


def test_a_pseudonymised_extract_holds_no_names_dates_of_birth_or_nhs_numbers(month, team_lead):
    _, _, text = export(team_lead)
    person = month["opened_in_month"].person
    for secret in (person.given_name, person.family_name, "9434765919", "2009-01-10"):
        assert secret not in text
    assert AuditEvent.objects.get(action="outcomes.dataset_export").detail["identifiable"] is False


def test_a_lead_of_two_teams_gets_both_or_the_one_asked_for(month, team_lead, team_b):
    from liaison.core.models import Membership

    Membership.objects.create(user=team_lead, team=team_b, role=Role.TEAM_LEAD)
    _, both, _ = export(team_lead)
    assert {r["team_code"] for r in both} == {"team-a", "team-b"} and len(both) == 6
    _, one, _ = export(team_lead, team_code="team-b")
    assert [r["service_request_id"] for r in one] == [f"LIAISON-EP-{month['other_team'].pk}"]


def test_columns_and_the_data_dictionary_agree():
    text = (ROOT / "docs" / "dataset.md").read_text()
    documented = re.findall(r"^\| `([a-z_]+)` \|", text, flags=re.MULTILINE)
    assert documented == HEADER
    for column in COLUMNS:
        row = next(line for line in text.splitlines() if line.startswith(f"| `{column.name}` |"))
        assert ("local extension" in row) == column.local, column.name


def test_ods_code_is_read_from_the_open_referral_identifiers():
    assert ods_code({"organization_identifiers": [{"identifier_scheme": "GB-COH", "identifier": "1"}]}) == ""
    assert (
        ods_code({"organization_identifiers": [{"identifier_type": "ODS code", "identifier": " RX1 "}]})
        == "RX1"
    )
    assert ods_code({}) == "" and ods_code(None) == ""


# --- the query bound --------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [12, 48])
def test_query_count_does_not_grow_with_the_episodes(
    team_a, site_a, team_lead, count, django_assert_max_num_queries
):
    housing = Organization.objects.create(id="org-q", name="Q Trust")
    service = Service.objects.create(id="svc-q", organization=housing, name="Q Service")
    for n in range(count):
        ep = episode(site_a, identified_at=at(2026, 10, 1 + n % 28))
        referral(ep, team_lead, created=at(2026, 10, 2), sent=at(2026, 10, 3), service=service)
        disclosure(ep, team_lead, at(2026, 10, 4))
        EpisodeFlag.objects.create(
            episode=ep, flag_id="learning_disability", source=FlagSource.PARTNER, raised_by=team_lead
        )
    period = parse_period("2026-10", today=dt.date(2026, 11, 30))
    # Pages of 10: at most 2 queries a page (episodes, their referrals), plus the role, the team and the
    # audit event (its chain head made on first use: 9 statements with savepoints).
    pages = count // 10 + 1
    with django_assert_max_num_queries(2 * pages + 11):
        result = dataset_export(actor=team_lead, period=period, out=io.StringIO(), chunk_size=10)
    assert result.rows == count


# --- bad input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026/10", "written YYYY-MM"),
        ("October", "written YYYY-MM"),
        ("2026-13", "not a month"),
        ("2026-00", "not a month"),
        ("2026-12", "in the future"),
        ("2999-01", "in the future"),
    ],
)
def test_bad_periods_are_refused_clearly(text, message):
    with pytest.raises(DatasetError, match=message):
        parse_period(text, today=dt.date(2026, 11, 30))


def test_the_current_month_is_allowed():
    assert parse_period("2026-11", today=dt.date(2026, 11, 30)).last_day == dt.date(2026, 11, 30)


def run(tmp_path, *args):
    out, err = io.StringIO(), io.StringIO()
    path = tmp_path / "dataset.csv"
    call_command("export_dataset", "--out", str(path), *args, stdout=out, stderr=err)
    return path, err.getvalue()


def test_command_writes_the_file_and_says_how_many(month, team_lead, tmp_path):
    path, err = run(tmp_path, "--period", "2026-10", "--user", "lead")
    assert "Wrote 5 records for 2026-10 (team-a, pseudonymised)" in err
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(HEADER) and len(lines) == 6


def test_command_empty_period_writes_the_header_only_and_says_so(team_a, team_lead, tmp_path):
    path, err = run(tmp_path, "--period", "2025-01", "--user", "lead")
    assert "No episodes were open in 2025-01 for team-a: wrote the header only" in err
    assert path.read_text(encoding="utf-8").splitlines() == [",".join(HEADER)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-1", "--user", "lead"], "written YYYY-MM"),
        (["--period", "2999-01", "--user", "lead"], "in the future"),
        (["--period", "2026-10", "--user", "nobody"], "no active user 'nobody'"),
        (["--period", "2026-10", "--user", "lead", "--team", "no-such-team"], "no team with the code"),
        (["--period", "2026-10", "--user", "lead", "--team", "team-b"], "may not export the dataset for"),
        (["--period", "2026-10", "--user", "prac"], "only a team lead may"),
        (["--period", "2026-10", "--user", "commish"], "only a team lead may"),
        (["--period", "2026-10", "--user", "outsider"], "only a team lead may"),
    ],
)
def test_command_refuses_clearly_and_writes_nothing(
    month, team_lead, practitioner, commissioner, outsider, tmp_path, args, message
):
    with pytest.raises(CommandError, match=message):
        run(tmp_path, *args)
    assert list(tmp_path.iterdir()) == []  # no file, not even half of one
    assert not AuditEvent.objects.filter(action="outcomes.dataset_export").exists()


def test_the_liaison_command_exits_non_zero_with_a_message_not_a_traceback(team_lead, tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        liaison(["export-dataset", "--period", "2999-01", "--out", str(tmp_path / "x.csv"), "--user", "lead"])
    assert exited.value.code != 0
    err = capsys.readouterr().err
    assert "2999-01 is in the future" in err and "Traceback" not in err


def test_the_liaison_command_runs_with_dashes(month, team_lead, tmp_path, capsys):
    liaison(["export-dataset", "--period", "2026-10", "--out", str(tmp_path / "x.csv"), "--user", "lead"])
    assert "Wrote 5 records" in capsys.readouterr().err


def test_a_missing_folder_is_a_message(team_lead, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        call_command(
            "export_dataset", "--period", "2026-10", "--user", "lead", "--out", str(tmp_path / "no" / "x.csv")
        )


def test_member_roles_other_than_lead_cannot_export(team_a, tmp_path):
    adviser = member(team_a, Role.ADVISER, "adv")
    with pytest.raises(CommandError, match="only a team lead may"):
        run(tmp_path, "--period", "2026-10", "--user", adviser.username)


def test_progress_is_reported_page_by_page(month, team_lead):
    calls = []
    period = parse_period("2026-10", today=dt.date(2026, 11, 30))
    dataset_export(
        actor=team_lead, period=period, out=io.StringIO(), chunk_size=2, progress=lambda *a: calls.append(a)
    )
    assert calls == [(2, 5), (4, 5), (5, 5)]


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_progress_bar_shows_on_a_terminal_for_big_exports_only():
    from django.core.management.base import OutputWrapper

    from liaison.outcomes.management.commands.export_dataset import _Progress

    terminal = _Terminal()
    bar = _Progress(OutputWrapper(terminal))
    bar(500, 2000)
    assert "exporting [#######" in terminal.getvalue() and "500/2000" in terminal.getvalue()
    bar.done()
    small, piped = _Terminal(), io.StringIO()
    _Progress(OutputWrapper(small))(5, 10)
    _Progress(OutputWrapper(piped))(500, 2000)
    assert small.getvalue() == "" and piped.getvalue() == ""
