"""The national dataset: one record per episode active in a month, aligned to MHSDS where it has a home.

`dataset_export` writes the CSV for `liaison export-dataset`. The columns, their MHSDS data items and
code lists are `COLUMNS` below; docs/dataset.md is the data dictionary (a test keeps the two in step).

How it reads the database: episodes are walked in keyset pages of `chunk_size` (ordered by id), each
page one query with the person joined and every per-episode figure (disclosures, flags) computed as a
subquery, plus one query for the page's onward referrals. So N episodes cost about 2 × N / chunk_size
queries, never one per episode, and memory holds one page at a time.

Record-level, so pseudonymised by default: the person appears as `local_patient_id`, a keyed hash of
their Liaison id (stable across months, meaningless without the deployment's secret key); no name, date
of birth or postcode ever. The NHS number is written only when the team lead asks for an identifiable
extract (`identifiable=True`), and the audit event says so.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.crypto import salted_hmac

from liaison.consent.models import Disclosure
from liaison.core.audit import audit
from liaison.core.errors import NotPermitted
from liaison.core.models import Team, User
from liaison.core.permissions import role_in, teams_for
from liaison.episodes.models import Episode
from liaison.identification.models import EpisodeFlag
from liaison.referrals.models import Kind, Referral, ReferralStatus, Status

OPERATION = "outcomes.export_dataset"
CHUNK_SIZE = 500
PERIOD_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
LIST_SEPARATOR = ";"

# MHSDS Learning disability / autism status (codes.json learning_disability_and_autism_status). Liaison
# records a flag (a concern raised at identification, by a partner or a screen), never a diagnosis or a
# diagnostic pathway: a flag is "suspected, diagnostic pathway not known"; no flag is "not recorded".
STATUS_SUSPECTED_PATHWAY_NOT_KNOWN = "4"
STATUS_NOT_RECORDED = "X"
LD_FLAG = "learning_disability"
AUTISM_FLAG = "autism"

# Person.sex holds 0/1/2/9; MHSDS Gender (PERSON STATED GENDER CODE) writes "not known" as X.
GENDER_CODES = {"1": "1", "2": "2", "9": "9", "0": "X", "": "X"}


@dataclass(frozen=True)
class Column:
    name: str
    mhsds: str  # the MHSDS data item it fills, or "" for the local justice extension
    codes: str  # the code list or format
    local: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("reporting_period_start", "ReportingPeriodStartDate (MHS000)", "date, YYYY-MM-DD"),
    Column("reporting_period_end", "ReportingPeriodEndDate (MHS000)", "date, YYYY-MM-DD"),
    Column("team_code", "", "the team's code in Liaison", local=True),
    Column("service_team_type", "ServTeamTypeRefToMH (MHS102)", "service_or_team_type: D02"),
    Column("service_request_id", "ServiceRequestId (MHS101)", "LIAISON-EP- and the episode's number"),
    Column("local_patient_id", "LocalPatientId (MHS001)", "pseudonym: 20 hex characters"),
    Column("nhs_number", "NHSNumber (MHS001)", "10 digits; blank unless an identifiable extract"),
    Column("age_at_referral", "AgeServReferRecDate (MHS101)", "whole years; blank if no date of birth"),
    Column("age_group", "", "youth, adult, unknown (episode's pathway)", local=True),
    Column("gender_code", "Gender (MHS001)", "PERSON STATED GENDER CODE: 1, 2, 9, X"),
    Column("ethnic_category", "EthnicCategory (MHS001)", "ethnic_category: A to S, Z, 99"),
    Column("source_of_referral", "SourceOfReferralMH (MHS101)", "source_of_referral; X1 is local"),
    Column("referral_received_date", "ReferralRequestReceivedDate (MHS101)", "date, YYYY-MM-DD"),
    Column("service_discharge_date", "ServDischDate (MHS101)", "date, YYYY-MM-DD; blank if open"),
    Column("learning_disability_status", "Learning disability status (MHSDS v6)", "4 or X"),
    Column("autism_status", "Autism status (MHSDS v6)", "4 or X"),
    Column("stage_at_period_end", "", "identified, screened, assessed, support, closed", local=True),
    Column("screened_date", "", "date, YYYY-MM-DD; blank if not yet", local=True),
    Column("assessed_date", "", "date, YYYY-MM-DD; blank if not yet", local=True),
    Column("closure_reason", "", "closure reasons (episodes)", local=True),
    Column("pathway_point", "", "pathway points (codes.json local extension)", local=True),
    Column("alleged_offence_category", "", "offence categories (episodes)", local=True),
    Column("justice_outcome", "", "justice outcomes (episodes); blank: not known yet", local=True),
    Column("disclosures_in_period", "", "count", local=True),
    Column("onward_referrals_in_period", "", "count of MHS105 OnwardReferral rows", local=True),
    Column("onward_decision_to_refer_dates", "DecisionToReferDate (MHS105)", "dates, ; separated"),
    Column("onward_refer_dates", "OnwardReferDate (MHS105)", "dates, ; separated"),
    Column("onward_refer_reasons", "OnwardReferReason (MHS105)", "need codes (local), ; separated"),
    Column("onward_org_ids_receiving", "OrgIDReceiving (MHS105)", "ODS codes where known, ; separated"),
    Column("onward_org_names_receiving", "", "directory organisation names, ; separated", local=True),
)
HEADER = [column.name for column in COLUMNS]


class DatasetError(Exception):
    """Bad input: a message for the person running the export."""


@dataclass(frozen=True)
class Period:
    label: str  # "2026-10"
    first_day: dt.date
    next_first_day: dt.date  # the day after the period ends

    @property
    def last_day(self) -> dt.date:
        return self.next_first_day - dt.timedelta(days=1)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """Local midnight at the start, and at the start of the next month (exclusive)."""
        zone = ZoneInfo(settings.TIME_ZONE)
        start = dt.datetime.combine(self.first_day, dt.time(), tzinfo=zone)
        end = dt.datetime.combine(self.next_first_day, dt.time(), tzinfo=zone)
        return start, end


def parse_period(text: str, *, today: dt.date | None = None) -> Period:
    """A month as YYYY-MM, not in the future."""
    match = PERIOD_PATTERN.match(text.strip())
    if match is None:
        raise DatasetError(f"The period must be a month written YYYY-MM, for example 2026-10 (not {text!r})")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or year < 2000:
        raise DatasetError(f"{text} is not a month: write YYYY-MM with a month from 01 to 12")
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    today = today or timezone.localdate()
    if first > today:
        raise DatasetError(f"{text} is in the future: there is nothing to report yet")
    return Period(label=f"{year:04d}-{month:02d}", first_day=first, next_first_day=following)


def export_teams(actor: User, team_code: str | None) -> list[Team]:
    """The teams the actor may export: the one asked for, or every team they lead."""
    allowed = set(teams_for(actor, OPERATION))
    if team_code:
        team = Team.objects.filter(code=team_code).first()
        if team is None:
            raise DatasetError(f"There is no team with the code {team_code!r}")
        if team.pk not in allowed:
            raise NotPermitted(
                f"{actor.get_username()} may not export the dataset for {team.name}: "
                "only a team lead of that team may"
            )
        return [team]
    if not allowed:
        raise NotPermitted(
            f"{actor.get_username()} may not export the dataset: only a team lead may, for their own teams"
        )
    return list(Team.objects.filter(pk__in=allowed).order_by("code"))


def pseudonym(person_id: int) -> str:
    """A stable stand-in for the person: the same in every month's file, reversible only with the key."""
    return salted_hmac("liaison.outcomes.dataset.person", str(person_id)).hexdigest()[:20]


def _episodes(team_ids: list[int], period: Period) -> Any:
    start, end = period.bounds()
    flags = EpisodeFlag.objects.filter(episode=OuterRef("pk"))
    disclosures = (
        Disclosure.objects.filter(episode=OuterRef("pk"), at__gte=start, at__lt=end)
        .order_by()
        .values("episode")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Episode.objects.filter(team_id__in=team_ids, identified_at__lt=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
        .annotate(
            has_ld_flag=Exists(flags.filter(flag_id=LD_FLAG, raised_at__lt=end)),
            has_autism_flag=Exists(flags.filter(flag_id=AUTISM_FLAG, raised_at__lt=end)),
            disclosures_in_period=Coalesce(Subquery(disclosures, output_field=IntegerField()), Value(0)),
        )
        .values(
            "pk",
            "person_id",
            "team__code",
            "team__team_type",
            "pathway_point",
            "referral_source",
            "offence_category",
            "justice_outcome",
            "closure_reason",
            "age_group",
            "identified_at",
            "screened_at",
            "assessed_at",
            "support_at",
            "closed_at",
            "person__date_of_birth",
            "person__sex",
            "person__ethnicity",
            "person__nhs_number",
            "has_ld_flag",
            "has_autism_flag",
            "disclosures_in_period",
        )
        .order_by("pk")
    )


@dataclass
class OnwardReferral:
    decided: dt.date
    sent: dt.date
    reason: str
    org_id: str
    org_name: str


def ods_code(extra: dict[str, Any] | None) -> str:
    """The organisation's ODS code, if its Open Referral record carries one among its identifiers."""
    for identifier in (extra or {}).get("organization_identifiers", []) or []:
        if not isinstance(identifier, dict):
            continue
        scheme = f"{identifier.get('identifier_scheme', '')} {identifier.get('identifier_type', '')}".upper()
        if "ODS" in scheme or "GB-NHS" in scheme:
            return str(identifier.get("identifier", "")).strip()
    return ""


def _onward_referrals(episode_ids: list[int], period: Period) -> dict[int, list[OnwardReferral]]:
    """Active referrals sent during the period, per episode (MHS105: one row per onward referral)."""
    start, end = period.bounds()
    first_sent = (
        ReferralStatus.objects.filter(referral=OuterRef("pk"), status=Status.SENT)
        .order_by()
        .values("referral")
        .annotate(first=Min("at"))
        .values("first")
    )
    rows = (
        Referral.objects.filter(episode_id__in=episode_ids, kind=Kind.ACTIVE)
        .annotate(sent_at=Subquery(first_sent))
        .filter(sent_at__gte=start, sent_at__lt=end)
        .values(
            "episode_id",
            "created_at",
            "sent_at",
            "need_key",
            "service__organization__name",
            "service__organization__extra",
        )
        .order_by("sent_at", "pk")
    )
    found: dict[int, list[OnwardReferral]] = defaultdict(list)
    for row in rows:
        found[row["episode_id"]].append(
            OnwardReferral(
                decided=timezone.localdate(row["created_at"]),
                sent=timezone.localdate(row["sent_at"]),
                reason=row["need_key"],
                org_id=ods_code(row["service__organization__extra"]),
                org_name=row["service__organization__name"],
            )
        )
    return found


def _day(moment: dt.datetime | None, end: dt.datetime) -> str:
    """The local date of a moment that happened by the end of the period; blank otherwise."""
    if moment is None or moment >= end:
        return ""
    return timezone.localdate(moment).isoformat()


def _age(born: dt.date | None, on: dt.date) -> str:
    if born is None:
        return ""
    return str(on.year - born.year - ((on.month, on.day) < (born.month, born.day)))


def _stage(row: dict[str, Any], end: dt.datetime) -> str:
    for stage, key in (
        ("closed", "closed_at"),
        ("support", "support_at"),
        ("assessed", "assessed_at"),
        ("screened", "screened_at"),
    ):
        if row[key] is not None and row[key] < end:
            return stage
    return "identified"


def _cell(value: object) -> str:
    """Text for a cell; one that starts like a formula is made plain text (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def _joined(values: Iterable[str]) -> str:
    return LIST_SEPARATOR.join(value.replace(LIST_SEPARATOR, ",") for value in values)


def _record(
    row: dict[str, Any], onward: list[OnwardReferral], period: Period, *, identifiable: bool
) -> list[str]:
    _, end = period.bounds()
    received = timezone.localdate(row["identified_at"])
    closed = row["closed_at"] is not None and row["closed_at"] < end
    values: dict[str, object] = {
        "reporting_period_start": period.first_day.isoformat(),
        "reporting_period_end": period.last_day.isoformat(),
        "team_code": row["team__code"],
        "service_team_type": row["team__team_type"],
        "service_request_id": f"LIAISON-EP-{row['pk']}",
        "local_patient_id": pseudonym(row["person_id"]),
        "nhs_number": row["person__nhs_number"] if identifiable else "",
        "age_at_referral": _age(row["person__date_of_birth"], received),
        "age_group": row["age_group"],
        "gender_code": GENDER_CODES.get(row["person__sex"], "X"),
        "ethnic_category": row["person__ethnicity"],
        "source_of_referral": row["referral_source"],
        "referral_received_date": received.isoformat(),
        "service_discharge_date": _day(row["closed_at"], end),
        "learning_disability_status": (
            STATUS_SUSPECTED_PATHWAY_NOT_KNOWN if row["has_ld_flag"] else STATUS_NOT_RECORDED
        ),
        "autism_status": STATUS_SUSPECTED_PATHWAY_NOT_KNOWN
        if row["has_autism_flag"]
        else STATUS_NOT_RECORDED,
        "stage_at_period_end": _stage(row, end),
        "screened_date": _day(row["screened_at"], end),
        "assessed_date": _day(row["assessed_at"], end),
        "closure_reason": row["closure_reason"] if closed else "",
        "pathway_point": row["pathway_point"],
        "alleged_offence_category": row["offence_category"],
        "justice_outcome": row["justice_outcome"],
        "disclosures_in_period": row["disclosures_in_period"],
        "onward_referrals_in_period": len(onward),
        "onward_decision_to_refer_dates": _joined(r.decided.isoformat() for r in onward),
        "onward_refer_dates": _joined(r.sent.isoformat() for r in onward),
        "onward_refer_reasons": _joined(r.reason for r in onward),
        "onward_org_ids_receiving": _joined(r.org_id for r in onward),
        "onward_org_names_receiving": _joined(r.org_name for r in onward),
    }
    return [_cell(values[name]) for name in HEADER]


@dataclass
class ExportResult:
    period: Period
    teams: list[Team]
    rows: int = 0
    person_ids: set[int] = field(default_factory=set)


Progress = Callable[[int, int], None]


def dataset_records(
    *,
    teams: list[Team],
    period: Period,
    identifiable: bool = False,
    chunk_size: int = CHUNK_SIZE,
    seen: ExportResult | None = None,
) -> Iterator[list[str]]:
    """The records, page by page (keyset on the episode id). Unchecked: callers check the permission."""
    team_ids = [team.pk for team in teams]
    episodes = _episodes(team_ids, period)
    last_id = 0
    while True:
        page = list(episodes.filter(pk__gt=last_id)[:chunk_size])
        if not page:
            return
        onward = _onward_referrals([row["pk"] for row in page], period)
        for row in page:
            if seen is not None:
                seen.person_ids.add(row["person_id"])
            yield _record(row, onward.get(row["pk"], []), period, identifiable=identifiable)
        last_id = page[-1]["pk"]
        if len(page) < chunk_size:
            return


def dataset_count(*, teams: list[Team], period: Period) -> int:
    return int(_episodes([team.pk for team in teams], period).count())


def dataset_export(
    *,
    actor: User,
    period: Period,
    out: TextIO,
    team_code: str | None = None,
    identifiable: bool = False,
    chunk_size: int = CHUNK_SIZE,
    progress: Progress | None = None,
) -> ExportResult:
    """Write the period's records as CSV to `out`; check the actor's right first and audit what went out.

    Raises NotPermitted (not a team lead of the team, or of any team) or DatasetError (unknown team).
    One audit event names every person whose episode was written (so "who saw this record" finds the
    extract), the teams, the row count, and whether NHS numbers were included.
    """
    teams = export_teams(actor, team_code)
    result = ExportResult(period=period, teams=teams)
    total = dataset_count(teams=teams, period=period) if progress is not None else 0
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    try:
        for record in dataset_records(
            teams=teams, period=period, identifiable=identifiable, chunk_size=chunk_size, seen=result
        ):
            writer.writerow(record)
            result.rows += 1
            if progress is not None and (result.rows % chunk_size == 0 or result.rows == total):
                progress(result.rows, total)
    finally:
        _audit(actor, result, identifiable=identifiable)
    return result


def _audit(actor: User, result: ExportResult, *, identifiable: bool) -> None:
    team = result.teams[0]
    audit(
        actor=actor,
        action="outcomes.dataset_export",
        team_id=team.pk,
        role=role_in(actor, team) or "",
        object_type="dataset",
        object_id=result.period.label,
        detail={
            "period": result.period.label,
            "teams": [t.code for t in result.teams],
            "rows": result.rows,
            "identifiable": identifiable,
        },
        person_ids=sorted(result.person_ids),
    )
