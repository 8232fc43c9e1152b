"""Writes for finding people: importing a custody or court list, reviewing and flagging its arrivals,
and turning a flagged arrival into an episode. Each checks the role, validates, and audits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from liaison.core.access import person_access
from liaison.core.audit import audit
from liaison.core.errors import NotPermitted, StaleWrite
from liaison.core.models import Site, Team, User
from liaison.core.permissions import can, role_in
from liaison.episodes.models import Episode, OffenceCategory, PathwayPoint, ReferralSource
from liaison.episodes.services import arrival_create, episode_open
from liaison.identification.arrivals_csv import (
    FileProblem,
    ParsedFile,
    match_officer_flags,
    parse_arrivals,
)
from liaison.identification.models import (
    Arrival,
    ArrivalFlag,
    ArrivalStatus,
    EpisodeFlag,
    FlagSource,
    ImportBatch,
    VulnerabilityFlag,
)
from liaison.people.models import Person

IMPORT = "identification.import_arrivals"
REVIEW = "identification.review_arrivals"
CHUNK = 500
KEPT_PROBLEMS = 500  # a batch keeps this many problems; the count covers them all
NOTE_LIMIT = 500

# (rows done, rows in all) -> None
Progress = Callable[[int, int], None]


def _require(actor: User, operation: str, team: Team | int) -> str:
    if not can(actor, operation, team):
        raise NotPermitted(f"Your role cannot do this ({operation}) for this team")
    return role_in(actor, team) or ""


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def pathway_point_for(site: Site) -> str:
    """Sites are kinds of the same places as pathway points; the values are shared."""
    return site.kind if site.kind in PathwayPoint.values else PathwayPoint.POLICE_CUSTODY


def clean_flag_codes(codes: Iterable[str]) -> list[VulnerabilityFlag]:
    """The active flags named; ValidationError on "flags" naming any code not in the list."""
    wanted = list(dict.fromkeys(code.strip() for code in codes if code and code.strip()))
    found = {f.code: f for f in VulnerabilityFlag.objects.filter(code__in=wanted, active=True)}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        raise ValidationError(
            {"flags": f"Choose vulnerabilities on the list: {', '.join(unknown)} is not one of them"}
        )
    return [found[code] for code in wanted]


def size_label(size: int) -> str:
    """1 MB, 200 KB, 900 bytes: as people read file sizes."""
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024):,} MB"
    if size >= 1024:
        return f"{size // 1024:,} KB"
    return f"{size:,} bytes"


def too_big_message() -> str:
    return f"The file must be smaller than {size_label(settings.ARRIVALS_IMPORT_MAX_BYTES)}"


# --- import -----------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    dry_run: bool
    rows_read: int
    created: int
    duplicates: int
    rejected: int
    problems: list[dict[str, Any]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    batch: ImportBatch | None = None


@transaction.atomic
def arrivals_import(
    *,
    actor: User,
    site: Site,
    file_name: str,
    data: bytes,
    via: str = "upload",
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Load a custody or court list into the site's review worklist.

    Good rows load and bad rows are reported by line, field and reason; rows already imported for
    the site (same custody number and arrival time, or the same content where there is no number)
    are counted as duplicates and not added again. A dry run checks everything and writes nothing.
    A file that cannot be read at all raises ValidationError on "file" and loads nothing.
    """
    role = _require(actor, IMPORT, site.team_id)
    if not site.active:
        raise ValidationError({"site": "This site is closed: choose one of your team's open sites"})
    if len(data) > settings.ARRIVALS_IMPORT_MAX_BYTES:
        raise ValidationError({"file": too_big_message()})
    try:
        parsed = parse_arrivals(data, tz=ZoneInfo(settings.TIME_ZONE), now=timezone.now(), progress=progress)
    except FileProblem as exc:
        raise ValidationError({"file": str(exc)}) from None
    # Two imports of one list at once must not both insert it: take the site's row lock first
    # (PostgreSQL; SQLite already lets one writer in at a time).
    Site.objects.select_for_update().filter(pk=site.pk).values_list("pk", flat=True).first()
    fresh, duplicates = _fresh_rows(site, parsed)
    problems = [p.as_dict() for p in parsed.problems]
    result = ImportResult(
        dry_run=dry_run,
        rows_read=parsed.lines_read,
        created=len(fresh),
        duplicates=duplicates,
        rejected=parsed.rejected_lines,
        problems=problems,
        ignored_columns=parsed.ignored_columns,
        columns=parsed.columns,
    )
    if dry_run:
        return result
    batch = ImportBatch.objects.create(
        team_id=site.team_id,
        site=site,
        imported_by=actor,
        file_name=(file_name or "arrivals.csv")[-200:],
        file_sha256=hashlib.sha256(data).hexdigest(),
        via=via,
        rows_read=result.rows_read,
        rows_created=result.created,
        rows_duplicate=result.duplicates,
        rows_rejected=result.rejected,
        problems=problems[:KEPT_PROBLEMS],
        ignored_columns=parsed.ignored_columns,
    )
    now = timezone.now()
    arrivals = Arrival.objects.bulk_create(
        [
            Arrival(
                team_id=site.team_id,
                site=site,
                batch=batch,
                arrival_at=row.arrival_at,
                custody_number=row.custody_number,
                given_name=row.given_name,
                family_name=row.family_name,
                date_of_birth=row.date_of_birth,
                nhs_number=row.nhs_number,
                pnc_id=row.pnc_id,
                alleged_offence=row.alleged_offence,
                officer_flags=row.officer_flags,
                dedupe_key=key,
                created_at=now,
            )
            for key, row in fresh
        ],
        batch_size=CHUNK,
    )
    _flags_from_custody_record(actor, arrivals, now)
    result.batch = batch
    audit(
        actor=actor,
        action="arrivals.import",
        team_id=site.team_id,
        role=role,
        object_type="import_batch",
        object_id=batch.pk,
        # Counts only: no names, and no file name (it could be one).
        detail={
            "site_id": site.pk,
            "via": via,
            "rows": result.rows_read,
            "created": result.created,
            "duplicates": result.duplicates,
            "rejected": result.rejected,
        },
    )
    return result


def _fresh_rows(site: Site, parsed: ParsedFile) -> tuple[list[tuple[str, Any]], int]:
    """The rows not already on the site's list (nor earlier in this file), and how many were."""
    keyed = [(row.dedupe_key(), row) for row in parsed.rows]
    existing: set[str] = set()
    keys = list(dict.fromkeys(key for key, _ in keyed))
    for chunk in _chunks(keys):
        existing.update(
            Arrival.objects.filter(site=site, dedupe_key__in=chunk).values_list("dedupe_key", flat=True)
        )
    fresh = []
    for key, row in keyed:
        if key not in existing:
            fresh.append((key, row))
            existing.add(key)
    return fresh, len(keyed) - len(fresh)


def _flags_from_custody_record(actor: User, arrivals: list[Arrival], now: dt.datetime) -> None:
    """Officers' flags that name a vulnerability on the code list become flags with the custody
    record as their source; the officer's words stay on the arrival as written."""
    terms = dict(VulnerabilityFlag.objects.filter(active=True).values_list("code", "terms"))
    flags = [
        ArrivalFlag(
            arrival=arrival,
            flag_id=code,
            source=FlagSource.CUSTODY_RECORD,
            raised_by=actor,
            raised_at=now,
            note=f"Officer's flags: {words}"[:NOTE_LIMIT],
        )
        for arrival in arrivals
        if arrival.officer_flags
        for code, words in match_officer_flags(arrival.officer_flags, terms).items()
    ]
    ArrivalFlag.objects.bulk_create(flags, batch_size=CHUNK)


# --- review -----------------------------------------------------------------------------------------


def _locked_update(arrival: Arrival, version: int, **values: Any) -> None:
    updated = Arrival.objects.filter(pk=arrival.pk, version=version).update(
        **values, version=F("version") + 1
    )
    if not updated:
        current = Arrival.objects.filter(pk=arrival.pk).values_list("version", flat=True).first()
        raise StaleWrite(object_type="arrival", object_id=arrival.pk, expected=version, current=current)


def _not_converted(arrival: Arrival) -> None:
    if arrival.status == ArrivalStatus.EPISODE:
        raise ValidationError({"arrival": "An episode has already been opened from this arrival"})


@transaction.atomic
def arrival_mark_reviewed(*, actor: User, arrival: Arrival, version: int) -> Arrival:
    """Reviewed, no concerns: the arrival leaves the worklist. Any flags stay on record."""
    role = _require(actor, REVIEW, arrival.team_id)
    _not_converted(arrival)
    _locked_update(
        arrival, version, status=ArrivalStatus.NO_CONCERNS, reviewed_at=timezone.now(), reviewed_by=actor
    )
    audit(
        actor=actor,
        action="arrival.review",
        team_id=arrival.team_id,
        role=role,
        object_type="arrival",
        object_id=arrival.pk,
        detail={"outcome": ArrivalStatus.NO_CONCERNS.value},
    )
    arrival.refresh_from_db()
    return arrival


@transaction.atomic
def arrival_flags_set(
    *, actor: User, arrival: Arrival, version: int, codes: Iterable[str], note: str = ""
) -> Arrival:
    """Record the vulnerabilities the practitioner sees: the ticked flags become the arrival's flags
    (newly ticked ones raised by the practitioner now, unticked ones removed)."""
    role = _require(actor, REVIEW, arrival.team_id)
    _not_converted(arrival)
    errors: dict[str, str] = {}
    note = (note or "").strip()
    flags: list[VulnerabilityFlag] = []
    try:
        flags = clean_flag_codes(codes)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if not flags and "flags" not in errors:
        errors["flags"] = (
            "Select at least one vulnerability, or mark the arrival as reviewed with no concerns"
        )
    if len(note) > NOTE_LIMIT:
        errors["note"] = f"Note must be {NOTE_LIMIT} characters or fewer"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    _locked_update(
        arrival, version, status=ArrivalStatus.FLAGGED, reviewed_at=now, reviewed_by=actor, review_note=note
    )
    wanted = {f.code for f in flags}
    current = set(arrival.flags.values_list("flag_id", flat=True))
    removed = sorted(current - wanted)
    added = [f.code for f in flags if f.code not in current]
    ArrivalFlag.objects.filter(arrival=arrival, flag_id__in=removed).delete()
    ArrivalFlag.objects.bulk_create(
        [
            ArrivalFlag(
                arrival=arrival, flag_id=code, source=FlagSource.PRACTITIONER, raised_by=actor, raised_at=now
            )
            for code in added
        ]
    )
    audit(
        actor=actor,
        action="arrival.flag",
        team_id=arrival.team_id,
        role=role,
        object_type="arrival",
        object_id=arrival.pk,
        detail={"added": added, "removed": removed},
    )
    arrival.refresh_from_db()
    return arrival


@transaction.atomic
def arrival_convert(
    *,
    actor: User,
    arrival: Arrival,
    version: int,
    person: Person | None,
    offence_category: str = OffenceCategory.NOT_KNOWN,
    allocated_worker_id: int | None = None,
) -> Episode:
    """Open an episode from a flagged arrival, for a person the team already knows (`person`) or a
    new person made from the list's details (None). Referral source X1, the team's own review;
    the arrival's flags are copied to the episode. All or nothing."""
    role = _require(actor, REVIEW, arrival.team_id)
    _not_converted(arrival)
    if arrival.status != ArrivalStatus.FLAGGED:
        raise ValidationError({"arrival": "Flag at least one vulnerability before opening an episode"})
    if person is not None and not person_access(actor, person.pk).allowed:
        raise ValidationError({"person": "Select one of the people offered, or create a new person"})
    # The version first: after someone else's change nothing may be created.
    _locked_update(arrival, version, status=ArrivalStatus.EPISODE)
    team = Team.objects.get(pk=arrival.team_id)
    site = Site.objects.get(pk=arrival.site_id)
    episode_fields: dict[str, Any] = {
        "site_id": arrival.site_id,
        "pathway_point": pathway_point_for(site),
        "referral_source": ReferralSource.PROACTIVE,
        "arrival_at": arrival.arrival_at,
        "offence_category": offence_category,
        "custody_number": arrival.custody_number,
        "allocated_worker_id": allocated_worker_id,
    }
    if person is not None:
        episode = episode_open(actor=actor, team=team, person=person, **episode_fields)
    else:
        episode = arrival_create(
            actor=actor,
            team=team,
            person_fields={
                "given_name": arrival.given_name,
                "family_name": arrival.family_name,
                "date_of_birth": arrival.date_of_birth,
                "nhs_number": arrival.nhs_number,
                "pnc_id": arrival.pnc_id,
            },
            episode_fields=episode_fields,
        )
    Arrival.objects.filter(pk=arrival.pk).update(episode=episode)
    copied = list(arrival.flags.all())
    EpisodeFlag.objects.bulk_create(
        [
            EpisodeFlag(
                episode=episode,
                flag_id=f.flag_id,
                source=f.source,
                raised_by_id=f.raised_by_id,
                raised_at=f.raised_at,
                note=(f.note or arrival.review_note)[:NOTE_LIMIT],
                arrival=arrival,
            )
            for f in copied
        ]
    )
    audit(
        actor=actor,
        action="arrival.convert",
        person_id=episode.person_id,
        team_id=arrival.team_id,
        role=role,
        object_type="arrival",
        object_id=arrival.pk,
        detail={
            "episode_id": episode.pk,
            "person": "found" if person is not None else "created",
            "flags": [f.flag_id for f in copied],
        },
    )
    arrival.refresh_from_db()
    return episode


# --- flags on episodes ------------------------------------------------------------------------------


def record_episode_flags(
    *,
    episode: Episode,
    flags: Iterable[VulnerabilityFlag],
    source: str,
    raised_by: User,
    note: str = "",
) -> list[str]:
    """Add flags to an episode for a service that has already checked the actor's role and will
    audit its own action (partner referrals, screening). Flags it already has are left as they are.
    Returns the codes added."""
    if source not in FlagSource.values:
        raise ValueError(f"unknown flag source {source!r}")
    have = set(EpisodeFlag.objects.filter(episode=episode).values_list("flag_id", flat=True))
    now = timezone.now()
    new = [f for f in dict.fromkeys(flags) if f.code not in have]
    EpisodeFlag.objects.bulk_create(
        [
            EpisodeFlag(
                episode=episode,
                flag=f,
                source=source,
                raised_by=raised_by,
                raised_at=now,
                note=note.strip()[:NOTE_LIMIT],
            )
            for f in new
        ]
    )
    return [f.code for f in new]
