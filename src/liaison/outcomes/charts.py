"""What the dashboard and the commissioner report show: each chart as accessible SVG (role="img",
<title>, <desc>) drawn on the server, beside the table of the same numbers.

Suppression is applied here, once, to the numbers before they are drawn or tabulated, so a chart
can never show what its table hides: a suppressed bar is not drawn and its label says "*".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

from django.utils.safestring import SafeString, mark_safe

from liaison.outcomes import suppression as sup
from liaison.outcomes.kpis import FIRST_APPOINTMENT_DAYS, Kpis, Quantiles, Row

# NHS identity colours: blue for bars, dark grey text, a pale grid.
BAR = "#005eb8"
BAR_SECOND = "#41b6e6"
TEXT = "#212b32"
GRID = "#d8dde0"
MIN_FOR_TIMES = 5  # medians and shares of fewer than this many are not shown to commissioners


@dataclass
class Cell:
    text: str
    href: str = ""
    numeric: bool = True


@dataclass
class DisplayTable:
    caption: str
    headers: list[str]
    rows: list[list[Cell]]
    row_headers: bool = True


@dataclass
class Chart:
    id: str
    heading: str
    summary: str
    svg: SafeString | None
    table: DisplayTable
    notes: list[str] = field(default_factory=list)


@dataclass
class Headline:
    label: str
    value: str
    note: str = ""
    href: str = ""


@dataclass
class Dashboard:
    headlines: list[Headline]
    charts: list[Chart]
    suppressed: bool


def percent(n: int | str, of: int | str | None) -> str:
    if isinstance(n, str) or isinstance(of, str) or not of:
        return sup.SUPPRESSED if (isinstance(n, str) or isinstance(of, str)) else "–"
    return f"{round(100 * n / of)}%"


def duration_words(value: dt.timedelta | None) -> str:
    if value is None:
        return "–"
    minutes = round(value.total_seconds() / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest:02d} min"
    return f"{hours // 24} days {hours % 24} h"


# --- SVG ------------------------------------------------------------------------------------------


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    bars: Sequence[tuple[str, int | float | str]],
    unit: str = "",
    colour: str = BAR,
) -> SafeString:
    """A horizontal bar chart. Bars whose value is a string (suppressed) are drawn as text only."""
    label_w, bar_w, row_h, top = 290, 300, 30, 8
    width = label_w + bar_w + 70
    height = top + row_h * len(bars) + 8
    numbers = [v for _, v in bars if isinstance(v, int | float)]
    top_value = max(numbers, default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="liaison-chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" font-family="Arial, sans-serif" font-size="14">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<line x1="{label_w}" y1="{top - 4}" x2="{label_w}" y2="{height - 4}" '
        f'stroke="{GRID}" stroke-width="1"/>',
    ]
    for i, (label, value) in enumerate(bars):
        y = top + i * row_h
        short = label if len(label) <= 40 else label[:39] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end" fill="{TEXT}">{escape(short)}</text>'
        )
        if isinstance(value, int | float):
            w = 0 if value <= 0 else max(2, round(bar_w * value / top_value))
            parts.append(
                f'<rect x="{label_w}" y="{y + 4}" width="{w}" height="{row_h - 10}" fill="{colour}"/>'
            )
            text = f"{value:g}{unit}" if isinstance(value, float) else f"{value}{unit}"
            parts.append(f'<text x="{label_w + w + 6}" y="{y + 19}" fill="{TEXT}">{escape(text)}</text>')
        else:
            parts.append(f'<text x="{label_w + 6}" y="{y + 19}" fill="{TEXT}">{escape(str(value))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text node above is escaped


def _describe(bars: Sequence[tuple[str, int | float | str]], unit: str = "") -> str:
    return "; ".join(
        f"{label}: {'suppressed (a small number)' if value == sup.SUPPRESSED else f'{value}{unit}'}"
        for label, value in bars
    )


# --- building the dashboard ----------------------------------------------------------------------

Link = Callable[[str], str]


def _no_link(_measure: str) -> str:
    return ""


def build(kpis: Kpis, *, suppress: bool, link: Link | None = None) -> Dashboard:
    """The dashboard's charts and tables. `link(measure)` gives a drill-down address (team leads)."""
    link = link or _no_link
    stages = funnel_shown(kpis, suppress)
    charts = [
        _funnel(kpis, stages, link),
        _timeliness(kpis, stages, suppress),
        _hours(kpis, suppress, link),
        _vulnerabilities(kpis, suppress, link),
        _needs(kpis, suppress, link),
        _referrals(kpis, suppress),
        _referral_outcomes(kpis, suppress),
        _basic_needs(kpis, suppress),
        _advice(kpis, suppress),
        _repeat(kpis, suppress, link),
        *_equality(kpis, suppress),
        _caseload(kpis, suppress),
        _partners(kpis, suppress),
    ]
    return Dashboard(headlines=_headlines(kpis, stages, suppress, link), charts=charts, suppressed=suppress)


def funnel_shown(kpis: Kpis, suppress: bool) -> dict[str, int | str]:
    """The funnel's steps as shown, suppressed once for every place they appear (headlines, the funnel,
    the number of episodes behind each time), so no two places show a step differently."""
    rows = kpis.funnel if kpis.arrivals_reviewed is not None else kpis.funnel[1:]
    shown = _apply(sup.funnel_table([r.count for r in rows]), suppress)
    return {r.key: shown(i) for i, r in enumerate(rows)}


def _apply(table: sup.Table, suppress: bool) -> Callable[[sup.Key], int | str]:
    hidden = sup.suppress(table) if suppress else set()

    def value(key: sup.Key) -> int | str:
        return sup.shown(table.values[key], key, hidden)

    return value


def _headlines(kpis: Kpis, stages: dict[str, int | str], suppress: bool, link: Link) -> list[Headline]:
    people = _apply(sup.series_table([kpis.people], None), suppress)(0)
    identified, assessed = stages["identified"], stages["assessed"]
    referred, engaged = stages["referred"], stages["engaged"]
    return [
        Headline("People identified", f"{people}", f"{identified} episodes", link("identified")),
        Headline(
            "Assessed",
            f"{assessed}",
            f"{percent(assessed, identified)} of those identified",
            link("assessed"),
        ),
        Headline(
            "Referred to a service",
            f"{referred}",
            f"{percent(referred, identified)} of those identified",
            link("referred"),
        ),
        Headline(
            "Engaged with a service",
            f"{engaged}",
            f"{percent(engaged, referred)} of those referred",
            link("engaged"),
        ),
        Headline(
            "Median time to assessment",
            _time_or_hidden(kpis.to_assessment.median, kpis.to_assessment.n, suppress),
            "from identification",
        ),
    ]


def _time_or_hidden(value: dt.timedelta | None, n: int, suppress: bool) -> str:
    if suppress and n < MIN_FOR_TIMES:
        return sup.SUPPRESSED if n else "–"
    return duration_words(value)


def _funnel(kpis: Kpis, stages: dict[str, int | str], link: Link) -> Chart:
    rows = [r for r in kpis.funnel if r.key in stages]

    def shown(i: int) -> int | str:
        return stages[rows[i].key]

    base = stages["identified"]
    bars = [(r.label, shown(i)) for i, r in enumerate(rows)]
    table = DisplayTable(
        caption="From arrival to engagement: episodes at each step",
        headers=["Step", "Episodes", "Share of those identified"],
        rows=[
            [
                Cell(r.label, numeric=False),
                Cell(str(shown(i)), "" if r.key == "reviewed" or shown(i) == 0 else link(r.key)),
                Cell(percent(shown(i), base) if r.key != "reviewed" else "–"),
            ]
            for i, r in enumerate(rows)
        ],
    )
    notes = []
    if kpis.arrivals_reviewed is None:
        notes.append(
            "Arrivals reviewed is not shown: custody and court lists do not record pathway, age group, "
            "sex or ethnicity, so it cannot be filtered by them."
        )
    return Chart(
        "funnel",
        "From arrival to engagement",
        "How many episodes reached each step of the pathway.",
        bar_chart(chart_id="funnel-chart", title="Episodes at each step", desc=_describe(bars), bars=bars),
        table,
        notes,
    )


def _timeliness(kpis: Kpis, stages: dict[str, int | str], suppress: bool) -> Chart:
    items: list[tuple[str, Quantiles, int | str]] = [
        ("Identification to screening", kpis.to_screening, stages["screened"]),
        ("Identification to assessment", kpis.to_assessment, stages["assessed"]),
    ]
    longest = max((q.p90.total_seconds() for _, q, _ in items if q.p90 is not None), default=0)
    in_hours = longest >= 3 * 3600
    rows = []
    bars: list[tuple[str, int | float | str]] = []
    for label, q, n in items:
        # The number of episodes is the funnel's step, suppressed as there; times of fewer than 5 are hidden.
        hide = suppress and q.n < MIN_FOR_TIMES
        median = (sup.SUPPRESSED if q.n else "–") if hide else duration_words(q.median)
        p90 = (sup.SUPPRESSED if q.n else "–") if hide else duration_words(q.p90)
        rows.append([Cell(label, numeric=False), Cell(str(n)), Cell(median), Cell(p90)])
        for which, value in (("median", q.median), ("90th percentile", q.p90)):
            amount: float | int | str = sup.SUPPRESSED if hide and q.n else 0
            if value is not None and not hide:
                seconds = value.total_seconds()
                amount = round(seconds / 3600, 1) if in_hours else round(seconds / 60)
            bars.append((f"{label.split(' to ')[1].capitalize()}: {which}", amount))
    return Chart(
        "timeliness",
        "How quickly people are seen",
        "Time from identification to screening and to assessment: the median (half are quicker) and "
        "the 90th percentile (nine in ten are quicker).",
        bar_chart(
            chart_id="timeliness-chart",
            title=f"{'Hours' if in_hours else 'Minutes'} from identification",
            desc=_describe(bars, " hours" if in_hours else " minutes"),
            bars=bars,
            unit=" h" if in_hours else " min",
        ),
        DisplayTable(
            caption="Time from identification",
            headers=["Interval", "Episodes", "Median", "90th percentile"],
            rows=rows,
        ),
    )


def _hours(kpis: Kpis, suppress: bool, link: Link) -> Chart:
    values: dict[sup.Key, int] = {
        "in": kpis.in_hours_arrivals,
        "out": kpis.out_of_hours_arrivals,
        "total": kpis.in_hours_arrivals + kpis.out_of_hours_arrivals,
        "seen": kpis.in_hours_seen,
        "not_seen": kpis.in_hours_arrivals - kpis.in_hours_seen,
        "missed": kpis.out_of_hours_missed,
        "not_missed": kpis.out_of_hours_arrivals - kpis.out_of_hours_missed,
    }
    table = sup.Table(
        values=values,
        lines=[("total", ("in", "out")), ("in", ("seen", "not_seen")), ("out", ("missed", "not_missed"))],
        hidden={"not_seen", "not_missed"},
        totals={"total", "in", "out"},
    )
    shown = _apply(table, suppress)
    bars = [
        ("Arrived in staffed hours", shown("in")),
        ("… and seen (screened)", shown("seen")),
        ("Arrived out of hours", shown("out")),
        ("… released before being seen", shown("missed")),
    ]
    return Chart(
        "hours",
        "Staffed hours",
        "Arrivals within the site's staffed hours and how many were seen; arrivals out of hours and how "
        "many were released or moved before anyone saw them.",
        bar_chart(chart_id="hours-chart", title="Arrivals by staffed hours", desc=_describe(bars), bars=bars),
        DisplayTable(
            caption="Arrivals in and out of the site's staffed hours",
            headers=["", "Episodes", "Share"],
            rows=[
                [
                    Cell("Arrived in staffed hours", numeric=False),
                    Cell(str(shown("in"))),
                    Cell(percent(shown("in"), shown("total"))),
                ],
                [
                    Cell("Seen, of those", numeric=False),
                    Cell(str(shown("seen"))),
                    Cell(percent(shown("seen"), shown("in"))),
                ],
                [
                    Cell("Arrived out of hours", numeric=False),
                    Cell(str(shown("out"))),
                    Cell(percent(shown("out"), shown("total"))),
                ],
                [
                    Cell("Released or moved before being seen, of those", numeric=False),
                    Cell(str(shown("missed")), link("ooh_missed") if shown("missed") else ""),
                    Cell(percent(shown("missed"), shown("out"))),
                ],
            ],
        ),
    )


def _series_chart(
    chart_id: str,
    heading: str,
    summary: str,
    rows: Sequence[Row],
    *,
    total: int | None,
    of: int | str | None,
    suppress: bool,
    link: Link,
    prefix: str,
    column: str,
    empty: str,
) -> Chart:
    shown = _apply(sup.series_table([r.count for r in rows], total), suppress)
    bars = [(r.label, shown(i)) for i, r in enumerate(rows)]
    table_rows = [
        [
            Cell(r.label, numeric=False),
            Cell(
                str(shown(i)),
                link(f"{prefix}{r.key}") if prefix and shown(i) not in (0, sup.SUPPRESSED) else "",
            ),
            Cell(percent(shown(i), of)),
        ]
        for i, r in enumerate(rows)
    ]
    return Chart(
        chart_id,
        heading,
        summary,
        bar_chart(chart_id=f"{chart_id}-chart", title=heading, desc=_describe(bars), bars=bars)
        if rows
        else None,
        DisplayTable(caption=heading, headers=["", column, "Share"], rows=table_rows),
        [] if rows else [empty],
    )


def _vulnerabilities(kpis: Kpis, suppress: bool, link: Link) -> Chart:
    chart = _series_chart(
        "vulnerabilities",
        "Vulnerabilities identified",
        "Episodes with each vulnerability flag (an episode can have several).",
        kpis.vulnerabilities,
        total=None,
        of=kpis.identified,
        suppress=suppress,
        link=link,
        prefix="flag:",
        column="Episodes",
        empty="No vulnerability flags were recorded for these episodes.",
    )
    people = sup.series_table([kpis.people_flagged, kpis.people_two_or_more], None)
    shown = _apply(people, suppress)
    chart.notes.insert(
        0,
        f"People with at least one vulnerability: {shown(0)}. With two or more different ones: {shown(1)}.",
    )
    return chart


def _needs(kpis: Kpis, suppress: bool, link: Link) -> Chart:
    return _series_chart(
        "needs",
        "Needs found at assessment",
        "Assessed episodes with a moderate, high or urgent need in each area.",
        kpis.needs_found,
        total=None,
        of=kpis.funnel[3].count,
        suppress=suppress,
        link=link,
        prefix="need:",
        column="Episodes",
        empty="No complete assessments found a need.",
    )


def _referrals(kpis: Kpis, suppress: bool) -> Chart:
    chart = _series_chart(
        "referrals",
        "Referrals by kind of service",
        "Referrals sent to services, by the need the service was to meet.",
        kpis.referrals_by_need,
        total=kpis.referrals_sent,
        of=kpis.referrals_sent,
        suppress=suppress,
        link=_no_link,
        prefix="",
        column="Referrals",
        empty="No referrals were sent for these episodes.",
    )
    first = sup.Table(
        values={
            "n": kpis.first_appointments,
            "ok": kpis.first_appointment_attended_28,
            "rest": kpis.first_appointments - kpis.first_appointment_attended_28,
        },
        lines=[("n", ("ok", "rest"))],
        hidden={"rest"},
        totals={"n"},
    )
    shown = _apply(first, suppress)
    chart.notes.append(
        f"First appointment attended within {FIRST_APPOINTMENT_DAYS} days of the referral: "
        f"{shown('ok')} of {shown('n')} referrals with an appointment ({percent(shown('ok'), shown('n'))})."
    )
    return chart


def _grid(cells: Sequence, rows_of: Callable, cols_of: Callable) -> tuple[list, list, list[list[int]]]:
    row_keys: list = []
    col_keys: list = []
    for c in cells:
        if rows_of(c) not in row_keys:
            row_keys.append(rows_of(c))
        if cols_of(c) not in col_keys:
            col_keys.append(cols_of(c))
    grid = [[0] * len(col_keys) for _ in row_keys]
    for c in cells:
        grid[row_keys.index(rows_of(c))][col_keys.index(cols_of(c))] += c.count
    return row_keys, col_keys, grid


def _grid_chart(
    chart_id: str, heading: str, summary: str, cells: Sequence, suppress: bool, empty: str
) -> Chart:
    rows, cols, grid = _grid(cells, lambda c: (c.row, c.row_label), lambda c: (c.column, c.column_label))
    if not rows:
        return Chart(chart_id, heading, summary, None, DisplayTable(heading, [], []), [empty])
    table = sup.grid_table(grid)
    shown = _apply(table, suppress)
    body = [
        [
            Cell(label, numeric=False),
            *(Cell(str(shown((i, j)))) for j in range(len(cols))),
            Cell(str(shown((i, sup.TOTAL)))),
        ]
        for i, (_, label) in enumerate(rows)
    ]
    body.append(
        [
            Cell("Total", numeric=False),
            *(Cell(str(shown((sup.TOTAL, j)))) for j in range(len(cols))),
            Cell(str(shown((sup.TOTAL, sup.TOTAL)))),
        ]
    )
    bars = [(label, shown((i, sup.TOTAL))) for i, (_, label) in enumerate(rows)]
    return Chart(
        chart_id,
        heading,
        summary,
        bar_chart(
            chart_id=f"{chart_id}-chart", title=heading, desc=_describe(bars), bars=bars, colour=BAR_SECOND
        ),
        DisplayTable(heading, ["", *(label for _, label in cols), "Total"], body),
    )


def _referral_outcomes(kpis: Kpis, suppress: bool) -> Chart:
    return _grid_chart(
        "referral-outcomes",
        "Referral outcomes",
        "What came of each referral sent, by the kind of service.",
        kpis.referral_outcomes,
        suppress,
        "No referrals were sent for these episodes.",
    )


def _advice(kpis: Kpis, suppress: bool) -> Chart:
    return _grid_chart(
        "advice",
        "Housing and benefits outcomes",
        "Advice records with each outcome (a record can have several).",
        kpis.advice_outcomes,
        suppress,
        "No housing or benefits outcomes were recorded for these episodes.",
    )


def _basic_needs(kpis: Kpis, suppress: bool) -> Chart:
    values: dict[sup.Key, int] = {}
    lines: list[tuple[sup.Key, tuple[sup.Key, ...]]] = []
    hidden: set[sup.Key] = set()
    for i, (has, met) in enumerate(kpis.basic_needs):
        values[("has", i)] = has.count
        values[("met", i)] = met.count
        values[("not", i)] = has.count - met.count
        hidden.add(("not", i))
        lines.append((("has", i), (("met", i), ("not", i))))
    shown = _apply(
        sup.Table(values=values, lines=lines, hidden=hidden, totals={("has", i) for i in range(3)}), suppress
    )
    bars = [(has.label, shown(("met", i))) for i, (has, _met) in enumerate(kpis.basic_needs)]
    return Chart(
        "basic-needs",
        "Basic needs met",
        "Episodes where the assessment found a basic need, and how many had it met (a plan action done, a "
        "referral that engaged, or an advice outcome).",
        bar_chart(
            chart_id="basic-needs-chart",
            title="Episodes with each basic need met",
            desc=_describe(bars),
            bars=bars,
        ),
        DisplayTable(
            "Basic needs met",
            ["Basic need", "Episodes with the need", "Met", "Share met"],
            [
                [
                    Cell(has.label, numeric=False),
                    Cell(str(shown(("has", i)))),
                    Cell(str(shown(("met", i)))),
                    Cell(percent(shown(("met", i)), shown(("has", i)))),
                ]
                for i, (has, _met) in enumerate(kpis.basic_needs)
            ],
        ),
    )


def _repeat(kpis: Kpis, suppress: bool, link: Link) -> Chart:
    shown = _apply(sup.series_table([kpis.repeat_episodes, kpis.repeat_people, kpis.people], None), suppress)
    bars = [("People seen", shown(2)), ("… seen before in the last year", shown(1))]
    return Chart(
        "repeat",
        "Repeat contact",
        "People whose episode in this period followed another episode of theirs within the 12 months before.",
        bar_chart(chart_id="repeat-chart", title="Repeat contact", desc=_describe(bars), bars=bars),
        DisplayTable(
            "Repeat contact within 12 months",
            ["", "Number", "Share of people"],
            [
                [Cell("People seen in the period", numeric=False), Cell(str(shown(2))), Cell("–")],
                [
                    Cell("People with an earlier episode in the 12 months before", numeric=False),
                    Cell(str(shown(1)), link("repeat") if shown(1) not in (0, sup.SUPPRESSED) else ""),
                    Cell(percent(shown(1), shown(2))),
                ],
                [Cell("Episodes that were repeat contacts", numeric=False), Cell(str(shown(0))), Cell("–")],
            ],
        ),
    )


def _equality(kpis: Kpis, suppress: bool) -> list[Chart]:
    charts = []
    for dimension in ("Sex", "Ethnicity", "Age group"):
        rows = [r for r in kpis.equality if r.dimension == dimension]
        if not rows:
            continue
        grid = [[r.identified, r.assessed, r.referred] for r in rows]
        shown = _apply(sup.grid_table(grid, row_totals=False), suppress)
        totals = [shown((sup.TOTAL, j)) for j in range(3)]
        body = []
        for i, r in enumerate(rows):
            values = [shown((i, j)) for j in range(3)]
            body.append(
                [
                    Cell(r.label, numeric=False),
                    Cell(str(values[0])),
                    Cell(percent(values[0], totals[0])),
                    Cell(percent(values[1], totals[1])),
                    Cell(percent(values[2], totals[2])),
                ]
            )
        bars = [(r.label, _share_points(shown((i, 0)), totals[0])) for i, r in enumerate(rows)]
        slug = dimension.lower().replace(" ", "-")
        charts.append(
            Chart(
                f"equality-{slug}",
                f"Equality: {dimension.lower()}",
                "Each group's share of the people identified, and of those assessed and referred. A share "
                "that falls along the pathway means the group is reached less well.",
                bar_chart(
                    chart_id=f"equality-{slug}-chart",
                    title=f"Share of those identified, by {dimension.lower()}",
                    desc=_describe(bars, "%"),
                    bars=bars,
                    unit="%",
                ),
                DisplayTable(
                    f"Share of those identified, assessed and referred, by {dimension.lower()}",
                    [dimension, "Identified", "Share identified", "Share assessed", "Share referred"],
                    body,
                ),
            )
        )
    return charts


def _share_points(n: int | str, of: int | str) -> int | str:
    if isinstance(n, str) or isinstance(of, str):
        return sup.SUPPRESSED
    return round(100 * n / of) if of else 0


def _small(n: int) -> str:
    return sup.SUPPRESSED if sup.is_small(n) else str(n)


def _caseload(kpis: Kpis, suppress: bool) -> Chart:
    counts = [r.count for r in kpis.caseload]
    summary = "Open episodes allocated to each worker at the end of the period."
    if not counts:
        return Chart(
            "caseload",
            "Caseload",
            summary,
            None,
            DisplayTable("Caseload", [], []),
            ["No open episodes were allocated."],
        )
    mean = sum(counts) / len(counts)
    if suppress:
        # Commissioners see the spread, never a named worker.
        rows = [
            [Cell("Workers with open episodes", numeric=False), Cell(_small(len(counts)))],
            [Cell("Average caseload", numeric=False), Cell(f"{mean:.1f}")],
            [Cell("Largest caseload", numeric=False), Cell(_small(max(counts)))],
        ]
        return Chart(
            "caseload", "Caseload", summary, None, DisplayTable("Caseload per worker", ["", "Number"], rows)
        )
    bars = [(r.label, r.count) for r in kpis.caseload]
    return Chart(
        "caseload",
        "Caseload",
        summary + f" Average {mean:.1f}.",
        bar_chart(
            chart_id="caseload-chart", title="Open episodes per worker", desc=_describe(bars), bars=bars
        ),
        DisplayTable(
            "Caseload per worker",
            ["Worker", "Open episodes"],
            [[Cell(r.label, numeric=False), Cell(str(r.count))] for r in kpis.caseload],
        ),
    )


def _partners(kpis: Kpis, suppress: bool) -> Chart:
    consent = _apply(sup.series_table([r.count for r in kpis.consent], None), suppress)
    disclosure = _apply(sup.series_table([r.count for r in kpis.disclosures], None), suppress)
    rows = [[Cell(r.label, numeric=False), Cell(str(consent(i)))] for i, r in enumerate(kpis.consent)]
    rows += [
        [Cell(f"Shared with {r.label.lower()}", numeric=False), Cell(str(disclosure(i)))]
        for i, r in enumerate(kpis.disclosures)
    ]
    n = kpis.feedback_count
    hide = suppress and 0 < n < MIN_FOR_TIMES
    mean = "–" if not n else (sup.SUPPRESSED if hide else f"{kpis.feedback_mean:.1f} out of 5")
    rows.append([Cell("Partner feedback received", numeric=False), Cell(sup.SUPPRESSED if hide else str(n))])
    rows.append([Cell("Average usefulness score", numeric=False), Cell(mean)])
    rows += [[Cell(r.label, numeric=False), Cell(str(r.count))] for r in kpis.training]
    return Chart(
        "partners",
        "Consent, sharing, feedback and training",
        "Consent decisions and information shared in the period, partners' feedback on reports, and "
        "training given to justice partners.",
        None,
        DisplayTable("Consent, sharing, feedback and training", ["", "Number"], rows),
    )
