"""Key performance indicators, computed as SQL aggregates over a period's episodes.

Every figure here is one of a fixed, small number of GROUP BY queries (about twenty for the whole
set), never a loop over rows in Python: at national scale a quarter holds a quarter of a million
episodes. Percentiles use the nearest-rank method with `ORDER BY ... LIMIT 1 OFFSET k`, which both
SQLite and PostgreSQL answer without a percentile function. docs/outcomes.md states each rule.

The cohort is the episodes that ARRIVED in the period (local time, Europe/London), narrowed by the
filters; everything that happened to them afterwards counts, whenever it happened.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import ExtractIsoWeekDay, TruncTime

from liaison.advice.models import AdviceOutcome, AdviceType, OutcomeKind
from liaison.assessment.codes import BASIC_PREFIX
from liaison.assessment.models import ActionStatus, AssessmentStatus, Need, PlanAction
from liaison.assessment.presenters import need_label
from liaison.consent.models import Consent, Decision, Disclosure, RecipientKind
from liaison.episodes.models import AgeGroup, ClosureReason, Episode
from liaison.identification.models import Arrival, ArrivalStatus, EpisodeFlag
from liaison.people.models import Ethnicity, Sex
from liaison.referrals.models import Appointment, Attendance, Outcome, Referral
from liaison.referrals.models import Status as ReferralState
from liaison.reports.models import PartnerFeedback
from liaison.training.models import TrainingSession

LOCAL = ZoneInfo(settings.TIME_ZONE)
FIRST_APPOINTMENT_DAYS = 28
REPEAT_DAYS = 365
# Need levels that count as "a need found" at assessment; "low" is recorded but not counted.
NEED_FOUND = ("moderate", "high", "urgent")
# The three basic needs the commissioners ask about (labels from the needs code list).
BASIC_NEEDS = ("basic:sleep_tonight", "basic:money_today", "basic:id")
REFERRAL_SENT = ~Q(status=ReferralState.DRAFT)
ENGAGED_STATUSES = (ReferralState.ENGAGED,)
ENGAGED_OUTCOMES = (Outcome.ENGAGED, Outcome.SUPPORT_RECEIVED)


# --- filters -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole local days, `start` to `end` inclusive."""

    start: dt.date
    end: dt.date
    label: str
    key: str  # as written in the address: "2026-10", "2026-Q3" or "2026-10-01..2026-10-14"

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=LOCAL)

    @property
    def end_before(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=LOCAL)


@dataclass(frozen=True)
class Filters:
    period: Period
    team_ids: tuple[int, ...]
    site_id: int | None = None
    pathway_point: str = ""
    age_group: str = ""
    sex: str = ""
    ethnicity: str = ""

    @property
    def person_level(self) -> bool:
        """Filters that custody and court list arrivals cannot answer (they carry no such field)."""
        return bool(self.pathway_point or self.age_group or self.sex or self.ethnicity)


def episode_q(filters: Filters, prefix: str = "") -> Q:
    """The cohort, as a Q on Episode (or on a model reaching Episode through `prefix`)."""
    p = prefix
    q = Q(
        **{
            f"{p}team_id__in": filters.team_ids,
            f"{p}arrival_at__gte": filters.period.start_at,
            f"{p}arrival_at__lt": filters.period.end_before,
        }
    )
    if filters.site_id is not None:
        q &= Q(**{f"{p}site_id": filters.site_id})
    if filters.pathway_point:
        q &= Q(**{f"{p}pathway_point": filters.pathway_point})
    if filters.age_group:
        q &= Q(**{f"{p}age_group": filters.age_group})
    if filters.sex:
        q &= Q(**{f"{p}person__sex": filters.sex})
    if filters.ethnicity:
        q &= Q(**{f"{p}person__ethnicity": filters.ethnicity})
    return q


def cohort(filters: Filters) -> QuerySet[Episode]:
    return Episode.objects.filter(episode_q(filters))


# --- results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One labelled count, optionally with a share (0..1) of some denominator."""

    key: str
    label: str
    count: int
    of: int | None = None

    @property
    def share(self) -> float | None:
        return None if not self.of else self.count / self.of


@dataclass(frozen=True)
class Quantiles:
    n: int
    median: dt.timedelta | None
    p90: dt.timedelta | None


@dataclass(frozen=True)
class EqualityRow:
    dimension: str
    key: str
    label: str
    identified: int
    identified_total: int
    assessed: int
    assessed_total: int
    referred: int
    referred_total: int

    @staticmethod
    def _share(n: int, total: int) -> float | None:
        return n / total if total else None

    @property
    def identified_share(self) -> float | None:
        return self._share(self.identified, self.identified_total)

    @property
    def assessed_share(self) -> float | None:
        return self._share(self.assessed, self.assessed_total)

    @property
    def referred_share(self) -> float | None:
        return self._share(self.referred, self.referred_total)


@dataclass(frozen=True)
class OutcomeCell:
    row: str
    row_label: str
    column: str
    column_label: str
    count: int


@dataclass
class Kpis:
    filters: Filters
    funnel: list[Row]
    arrivals_reviewed: int | None  # None under person-level filters
    people: int
    youth: int
    to_screening: Quantiles
    to_assessment: Quantiles
    in_hours_arrivals: int
    in_hours_seen: int
    out_of_hours_arrivals: int
    out_of_hours_missed: int
    vulnerabilities: list[Row]
    people_flagged: int
    people_two_or_more: int
    needs_found: list[Row]
    referrals_by_need: list[Row]
    referral_outcomes: list[OutcomeCell]
    referrals_sent: int
    first_appointments: int
    first_appointment_attended_28: int
    basic_needs: list[tuple[Row, Row]]  # (episodes with the need, episodes where it was met)
    advice_outcomes: list[OutcomeCell]
    repeat_episodes: int
    repeat_people: int
    caseload: list[Row]
    consent: list[Row]
    disclosures: list[Row]
    feedback_count: int
    feedback_mean: float | None
    training: list[Row]
    equality: list[EqualityRow] = field(default_factory=list)

    @property
    def identified(self) -> int:
        return self.funnel[1].count

    @property
    def is_empty(self) -> bool:
        return self.identified == 0


# --- the computation -------------------------------------------------------------------------------


def _duration(end: str, start: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def nearest_rank(qs: QuerySet, end: str, start: str, n: int, p: float) -> dt.timedelta | None:
    """The p-th percentile of (end - start) by nearest rank: the ceil(p*n)-th smallest value."""
    if n == 0:
        return None
    k = max(math.ceil(p * n), 1) - 1
    values = (
        qs.filter(**{f"{end}__isnull": False})
        .annotate(_d=_duration(end, start))
        .order_by("_d", "pk")
        .values_list("_d", flat=True)[k : k + 1]
    )
    found = list(values)
    return found[0] if found else None


def _quantiles(qs: QuerySet, end: str, start: str, n: int) -> Quantiles:
    return Quantiles(
        n=n, median=nearest_rank(qs, end, start, n, 0.5), p90=nearest_rank(qs, end, start, n, 0.9)
    )


class PercentileDisc(Aggregate):
    """PostgreSQL's percentile_disc: the first value whose place in the order reaches the fraction,
    which is the nearest rank (the ceil(p*n)-th smallest) that `nearest_rank` asks for one query at
    a time. Nulls are left out, as `nearest_rank` leaves out episodes without the end time."""

    function = "PERCENTILE_DISC"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: ExpressionWrapper, fraction: float) -> None:
        super().__init__(expression, fraction=float(fraction), output_field=DurationField())


# Each timeliness measure: the episode's end time and the funnel count of episodes that have it. Their
# percentiles ride on the funnel's one aggregate where the database has ordered-set aggregates
# (PostgreSQL); elsewhere (SQLite) each percentile is its own query, by nearest_rank.
TIMELINESS = {"to_screening": ("screened_at", "screened"), "to_assessment": ("assessed_at", "assessed")}
FRACTIONS = {"median": 0.5, "p90": 0.9}


def _timeliness_aggregates() -> dict[str, PercentileDisc]:
    if connection.vendor != "postgresql":
        return {}
    return {
        f"{name}_{label}": PercentileDisc(_duration(end, "identified_at"), fraction)
        for name, (end, _count) in TIMELINESS.items()
        for label, fraction in FRACTIONS.items()
    }


def _timeliness(agg: dict[str, Any], episodes: QuerySet[Episode]) -> dict[str, Quantiles]:
    """Each measure's Quantiles: from the aggregate when it carried them, else by nearest rank."""
    return {
        name: Quantiles(agg[count], *(agg[f"{name}_{label}"] for label in FRACTIONS))
        if f"{name}_median" in agg
        else _quantiles(episodes, end, "identified_at", agg[count])
        for name, (end, count) in TIMELINESS.items()
    }


def in_staffed_hours() -> Q:
    """Arrival (local time and weekday) within the site's staffed hours; to 23:59 means to midnight.

    Works on the annotations `_t` (local time of arrival) and `_dow` (ISO weekday, 6 and 7 weekend).
    """
    days = Q(site__staffed_weekends=True) | Q(_dow__lt=6)
    to_midnight = Q(site__staffed_to__gte=dt.time(23, 59))
    same_day = (
        Q(site__staffed_from__lte=F("site__staffed_to"))
        & Q(_t__gte=F("site__staffed_from"))
        & (Q(_t__lte=F("site__staffed_to")) | to_midnight)
    )
    overnight = Q(site__staffed_from__gt=F("site__staffed_to")) & (
        Q(_t__gte=F("site__staffed_from")) | Q(_t__lte=F("site__staffed_to"))
    )
    return days & (same_day | overnight)


def _labels(choices: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {str(k): str(v) for k, v in choices}


# Per-episode facts, as subqueries on the outer episode: shared by the figures and the drill-down, so
# the episodes listed behind a number are the ones it counted.
def _sent() -> Exists:
    return Exists(Referral.objects.filter(REFERRAL_SENT, episode=OuterRef("pk")))


def _attended() -> Exists:
    return Exists(Appointment.objects.filter(episode=OuterRef("pk"), attendance=Attendance.ATTENDED))


def _engaged() -> Exists:
    return Exists(
        Referral.objects.filter(
            Q(status__in=ENGAGED_STATUSES) | Q(outcome__in=ENGAGED_OUTCOMES), episode=OuterRef("pk")
        )
    )


def _repeat() -> Exists:
    """The same person had another episode that arrived in the REPEAT_DAYS before this one."""
    return Exists(
        Episode.objects.filter(
            person=OuterRef("person"),
            arrival_at__lt=OuterRef("arrival_at"),
            arrival_at__gte=OuterRef("arrival_at") - dt.timedelta(days=REPEAT_DAYS),
        )
    )


def _local_arrival(episodes: QuerySet[Episode]) -> QuerySet[Episode]:
    """The annotations `in_staffed_hours()` works on."""
    return episodes.annotate(
        _t=TruncTime("arrival_at", tzinfo=LOCAL), _dow=ExtractIsoWeekDay("arrival_at", tzinfo=LOCAL)
    )


def compute(filters: Filters) -> Kpis:
    episodes = cohort(filters)
    annotated = _local_arrival(episodes).annotate(
        _sent=_sent(), _attended=_attended(), _engaged=_engaged(), _repeat=_repeat()
    )
    hours = in_staffed_hours()
    seen = Q(screened_at__isnull=False)
    agg = annotated.aggregate(
        identified=Count("pk"),
        screened=Count("pk", filter=seen),
        assessed=Count("pk", filter=Q(assessed_at__isnull=False)),
        referred=Count("pk", filter=Q(_sent=True)),
        attended=Count("pk", filter=Q(_attended=True)),
        engaged=Count("pk", filter=Q(_engaged=True)),
        people=Count("person", distinct=True),
        youth=Count("pk", filter=Q(age_group=AgeGroup.YOUTH)),
        in_hours=Count("pk", filter=hours),
        in_hours_seen=Count("pk", filter=hours & seen),
        out_of_hours=Count("pk", filter=~hours),
        out_of_hours_missed=Count("pk", filter=~hours & Q(closure_reason=ClosureReason.NOT_SEEN)),
        repeat_episodes=Count("pk", filter=Q(_repeat=True)),
        repeat_people=Count("person", distinct=True, filter=Q(_repeat=True)),
        **_timeliness_aggregates(),
    )

    # Reviewed on a custody or court list without becoming an episode (no concerns, or flagged and
    # not yet opened): the part of "arrivals reviewed" that is not already an episode.
    # Without person-level filters, episode_q names only fields an Arrival has too (team, site, arrival).
    arrivals_reviewed: int | None = None
    if not filters.person_level:
        arrivals_reviewed = (
            Arrival.objects.filter(
                episode_q(filters),
                episode__isnull=True,
                status__in=(ArrivalStatus.NO_CONCERNS, ArrivalStatus.FLAGGED),
            ).count()
            + agg["identified"]
        )

    funnel = [
        Row("reviewed", "Arrivals reviewed", arrivals_reviewed or 0),
        Row("identified", "Identified", agg["identified"]),
        Row("screened", "Screened", agg["screened"]),
        Row("assessed", "Assessed", agg["assessed"]),
        Row("referred", "Referred", agg["referred"]),
        Row("attended", "Attended an appointment", agg["attended"]),
        Row("engaged", "Engaged with a service", agg["engaged"]),
    ]
    funnel = [Row(r.key, r.label, r.count, agg["identified"]) for r in funnel]

    timeliness = _timeliness(agg, episodes)

    flag_rows = (
        EpisodeFlag.objects.filter(episode_q(filters, "episode__"))
        .values("flag_id", "flag__label", "flag__position")
        .annotate(n=Count("episode", distinct=True))
        .order_by("flag__position", "flag_id")
    )
    vulnerabilities = [Row(r["flag_id"], r["flag__label"], r["n"], agg["identified"]) for r in flag_rows]
    per_person = (
        EpisodeFlag.objects.filter(episode_q(filters, "episode__"))
        .values("episode__person_id")
        .annotate(n=Count("flag", distinct=True))
    )
    flagged = per_person.aggregate(
        people=Count("episode__person_id"), two_or_more=Count("n", filter=Q(n__gte=2))
    )

    needs_found = _needs_found(filters, agg["assessed"])
    (referrals_by_need, outcomes, referrals_sent, first_n, first_ok) = _referrals(filters)
    basic = _basic_needs(filters)
    advice = _advice_outcomes(filters)
    caseload = _caseload(filters)
    consent, disclosures = _consent(filters)
    feedback_count, feedback_mean = _feedback(filters)
    training = _training(filters)
    equality = _equality(filters)

    return Kpis(
        filters=filters,
        funnel=funnel,
        arrivals_reviewed=arrivals_reviewed,
        people=agg["people"],
        youth=agg["youth"],
        to_screening=timeliness["to_screening"],
        to_assessment=timeliness["to_assessment"],
        in_hours_arrivals=agg["in_hours"],
        in_hours_seen=agg["in_hours_seen"],
        out_of_hours_arrivals=agg["out_of_hours"],
        out_of_hours_missed=agg["out_of_hours_missed"],
        vulnerabilities=vulnerabilities,
        people_flagged=flagged["people"],
        people_two_or_more=flagged["two_or_more"],
        needs_found=needs_found,
        referrals_by_need=referrals_by_need,
        referral_outcomes=outcomes,
        referrals_sent=referrals_sent,
        first_appointments=first_n,
        first_appointment_attended_28=first_ok,
        basic_needs=basic,
        advice_outcomes=advice,
        repeat_episodes=agg["repeat_episodes"],
        repeat_people=agg["repeat_people"],
        caseload=caseload,
        consent=consent,
        disclosures=disclosures,
        feedback_count=feedback_count,
        feedback_mean=feedback_mean,
        training=training,
        equality=equality,
    )


def _needs_found(filters: Filters, assessed: int) -> list[Row]:
    """Episodes with a need of moderate or above in a complete assessment, per domain."""
    rows = (
        Need.objects.filter(
            episode_q(filters, "assessment__episode__"),
            assessment__status=AssessmentStatus.COMPLETE,
            level__in=NEED_FOUND,
        )
        .exclude(key__startswith=BASIC_PREFIX)
        .values("key")
        .annotate(n=Count("assessment__episode", distinct=True))
        .order_by("-n", "key")
    )
    return [Row(r["key"], need_label(r["key"]), r["n"], assessed) for r in rows]


def _referrals(filters: Filters) -> tuple[list[Row], list[OutcomeCell], int, int, int]:
    referrals = Referral.objects.filter(REFERRAL_SENT, episode_q(filters, "episode__"))
    outcome_labels = {**_labels(Outcome.choices), "": "No outcome yet"}
    cells = [
        OutcomeCell(
            r["need_key"], need_label(r["need_key"]), r["outcome"], outcome_labels[r["outcome"]], r["n"]
        )
        for r in referrals.values("need_key", "outcome")
        .annotate(n=Count("pk"))
        .order_by("need_key", "outcome")
    ]
    # Per need: the cells summed over their outcomes (no second GROUP BY).
    by_need: dict[str, int] = {}
    for cell in cells:
        by_need[cell.row] = by_need.get(cell.row, 0) + cell.count
    total = sum(by_need.values())
    rows = [
        Row(key, need_label(key), n, total)
        for key, n in sorted(by_need.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    # The first appointment of each referral: attended, and starting within 28 days of the referral.
    first = Appointment.objects.filter(referral=OuterRef("pk")).order_by("starts_at", "pk")
    firsts = referrals.annotate(
        _first_at=Min("appointments__starts_at"),
        _first_attendance=Subquery(first.values("attendance")[:1]),
    ).filter(_first_at__isnull=False)
    within = firsts.aggregate(
        n=Count("pk"),
        ok=Count(
            "pk",
            filter=Q(_first_attendance=Attendance.ATTENDED)
            & Q(_first_at__lte=F("created_at") + dt.timedelta(days=FIRST_APPOINTMENT_DAYS)),
        ),
    )
    return rows, cells, total, within["n"], within["ok"]


def _basic_needs(filters: Filters) -> list[tuple[Row, Row]]:
    """For each basic need: episodes where a complete assessment found it, and of those, where it was met.

    Met: a plan action for the need marked done, a referral for it that engaged or got the help, or
    an advice record for it that closed with an outcome other than "no outcome". One GROUP BY over
    the needs found in the cohort; "met" is looked up only for those (not for every episode).
    """
    episode, need_key = OuterRef("assessment__episode"), OuterRef("key")
    met = (
        Exists(PlanAction.objects.filter(episode=episode, need_key=need_key, status=ActionStatus.DONE))
        | Exists(
            Referral.objects.filter(episode=episode, need_key=need_key).filter(
                Q(status__in=ENGAGED_STATUSES) | Q(outcome__in=ENGAGED_OUTCOMES)
            )
        )
        | Exists(
            AdviceOutcome.objects.filter(record__episode=episode, record__need_key=need_key).exclude(
                kind=OutcomeKind.NO_OUTCOME
            )
        )
    )
    rows = (
        Need.objects.filter(
            episode_q(filters, "assessment__episode__"),
            assessment__status=AssessmentStatus.COMPLETE,
            key__in=BASIC_NEEDS,
        )
        .exclude(level__in=("", "none"))
        .annotate(_met=met)
        .values("key")
        .annotate(
            has=Count("assessment__episode", distinct=True),
            met=Count("assessment__episode", distinct=True, filter=Q(_met=True)),
        )
        .order_by("key")
    )
    counts = {r["key"]: (r["has"], r["met"]) for r in rows}
    result = []
    for key in BASIC_NEEDS:
        has, met_n = counts.get(key, (0, 0))
        result.append((Row(key, need_label(key), has), Row(key, need_label(key), met_n, has)))
    return result


def _advice_outcomes(filters: Filters) -> list[OutcomeCell]:
    """Housing and benefits advice outcomes recorded for the cohort, one count per record and outcome."""
    types = _labels(AdviceType.choices)
    kinds = _labels(OutcomeKind.choices)
    rows = (
        AdviceOutcome.objects.filter(
            episode_q(filters, "record__episode__"),
            record__advice_type__in=(AdviceType.HOUSING, AdviceType.BENEFITS),
        )
        .values("record__advice_type", "kind")
        .annotate(n=Count("record", distinct=True))
        .order_by("record__advice_type", "kind")
    )
    return [
        OutcomeCell(
            r["record__advice_type"], types[r["record__advice_type"]], r["kind"], kinds[r["kind"]], r["n"]
        )
        for r in rows
    ]


def _caseload(filters: Filters) -> list[Row]:
    """Open episodes allocated to each worker at the end of the period (any arrival date)."""
    end = filters.period.end_before
    q = Q(team_id__in=filters.team_ids, arrival_at__lt=end, allocated_worker__isnull=False) & (
        Q(closed_at__isnull=True) | Q(closed_at__gte=end)
    )
    if filters.site_id is not None:
        q &= Q(site_id=filters.site_id)
    rows = (
        Episode.objects.filter(q)
        .values("allocated_worker_id", "allocated_worker__display_name", "allocated_worker__username")
        .annotate(n=Count("pk"))
        .order_by("-n", "allocated_worker_id")
    )
    return [
        Row(
            str(r["allocated_worker_id"]),
            r["allocated_worker__display_name"] or r["allocated_worker__username"],
            r["n"],
        )
        for r in rows
    ]


def _consent(filters: Filters) -> tuple[list[Row], list[Row]]:
    """Consent decisions recorded and withdrawn in the period, and disclosures made, by the teams."""
    window = {"team_id__in": filters.team_ids}
    start, end = filters.period.start_at, filters.period.end_before
    decisions = _labels(Decision.choices)
    agg = Consent.objects.filter(**window).aggregate(
        **{
            f"d_{code}": Count("pk", filter=Q(decision=code, recorded_at__gte=start, recorded_at__lt=end))
            for code in decisions
        },
        withdrawn=Count("pk", filter=Q(withdrawn_at__gte=start, withdrawn_at__lt=end)),
    )
    consent = [
        Row(code, f"Consent recorded: {label.lower()}", agg[f"d_{code}"]) for code, label in decisions.items()
    ]
    consent.append(Row("withdrawn", "Consent withdrawn", agg["withdrawn"]))
    kinds = _labels(RecipientKind.choices)
    rows = (
        Disclosure.objects.filter(at__gte=start, at__lt=end, **window)
        .values("recipient_kind")
        .annotate(n=Count("pk"))
        .order_by("recipient_kind")
    )
    disclosures = [
        Row(r["recipient_kind"], kinds.get(r["recipient_kind"], r["recipient_kind"]), r["n"]) for r in rows
    ]
    return consent, disclosures


def _feedback(filters: Filters) -> tuple[int, float | None]:
    """Partner feedback on shared reports given in the period: how many, and the mean usefulness (1-5)."""
    agg = PartnerFeedback.objects.filter(
        at__gte=filters.period.start_at,
        at__lt=filters.period.end_before,
        link__report_version__report__team_id__in=filters.team_ids,
    ).aggregate(n=Count("pk"), mean=Avg("usefulness"))
    return agg["n"], (float(agg["mean"]) if agg["mean"] is not None else None)


def _training(filters: Filters) -> list[Row]:
    """Awareness training given to justice agency staff in the period: sessions and people reached
    (one query; the change in knowledge scores is on the training page, docs/training.md)."""
    agg = TrainingSession.objects.filter(
        team_id__in=filters.team_ids,
        delivered_on__gte=filters.period.start,
        delivered_on__lte=filters.period.end,
    ).aggregate(sessions=Count("pk"), reached=Sum("attendees"))
    return [
        Row("sessions", "Training sessions given", agg["sessions"]),
        Row("reached", "People trained", agg["reached"] or 0),
    ]


def _equality(filters: Filters) -> list[EqualityRow]:
    """Each group's share of the people identified, of those assessed and of those referred.

    Custody and court lists carry no sex or ethnicity, so arrivals cannot be split by them; the
    comparison is along the pathway: a group whose share falls from "identified" to "assessed" or
    "referred" is reached less well.
    """
    dimensions = (
        ("Sex", "person__sex", _labels(Sex.choices)),
        ("Ethnicity", "person__ethnicity", _labels(Ethnicity.choices)),
        ("Age group", "age_group", _labels(AgeGroup.choices)),
    )
    # One GROUP BY over all three (at most a few hundred groups), each dimension summed from it.
    cells = list(
        cohort(filters)
        .annotate(_sent=_sent())
        .values(*(column for _d, column, _l in dimensions))
        .annotate(
            identified=Count("pk"),
            assessed=Count("pk", filter=Q(assessed_at__isnull=False)),
            referred=Count("pk", filter=Q(_sent=True)),
        )
        .order_by()
    )
    measures = ("identified", "assessed", "referred")
    result: list[EqualityRow] = []
    for dimension, column, labels in dimensions:
        sums: dict[str, dict[str, int]] = {}
        for cell in cells:
            group = sums.setdefault(cell[column], dict.fromkeys(measures, 0))
            for m in measures:
                group[m] += cell[m]
        totals = {m: sum(g[m] for g in sums.values()) for m in measures}
        order = list(labels)
        keys = sorted(sums, key=lambda k: (order.index(k) if k in order else len(order), k or ""))
        result.extend(
            EqualityRow(
                dimension=dimension,
                key=k,
                label=labels.get(k, k or "Not recorded"),
                identified=sums[k]["identified"],
                identified_total=totals["identified"],
                assessed=sums[k]["assessed"],
                assessed_total=totals["assessed"],
                referred=sums[k]["referred"],
                referred_total=totals["referred"],
            )
            for k in keys
        )
    return result


def drill_down(filters: Filters, measure: str) -> QuerySet[Episode] | None:
    """The episodes behind one number on the dashboard, newest arrival first; None for an unknown measure.

    Only for callers who have checked `outcomes.drill_down` on every team in `filters.team_ids`.
    """
    episodes = cohort(filters)
    if measure == "identified":
        pass
    elif measure == "screened":
        episodes = episodes.filter(screened_at__isnull=False)
    elif measure == "assessed":
        episodes = episodes.filter(assessed_at__isnull=False)
    elif measure == "referred":
        episodes = episodes.filter(_sent())
    elif measure == "attended":
        episodes = episodes.filter(_attended())
    elif measure == "engaged":
        episodes = episodes.filter(_engaged())
    elif measure == "ooh_missed":
        episodes = _local_arrival(episodes).filter(~in_staffed_hours(), closure_reason=ClosureReason.NOT_SEEN)
    elif measure == "repeat":
        episodes = episodes.filter(_repeat())
    elif measure.startswith("flag:") and len(measure) > 5:
        episodes = episodes.filter(
            Exists(EpisodeFlag.objects.filter(episode=OuterRef("pk"), flag_id=measure[5:]))
        )
    elif measure.startswith("need:") and len(measure) > 5:
        found = Need.objects.filter(
            assessment__episode=OuterRef("pk"),
            assessment__status=AssessmentStatus.COMPLETE,
            key=measure[5:],
            level__in=NEED_FOUND,
        )
        episodes = episodes.filter(Exists(found))
    else:
        return None
    return episodes.select_related("person", "site", "team").order_by("-arrival_at", "-pk")
