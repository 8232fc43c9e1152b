"""Draw docs/performance.svg from bench/results.json: p95 server time per page and run, with the target.

    .venv/bin/python bench/chart.py      (make bench runs it after `liaison bench`)

A plain SVG (no script, no external fonts), log scale, one group of bars per measure, one bar per run
(scale/database), and each measure's target as a red tick.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.json"
OUT = ROOT / "docs" / "performance.svg"
MEASURES = [
    ("worklist", "Worklist", 50),
    ("person_page", "Person page", 50),
    ("person_search", "Person search", 50),
    ("episode_page", "Episode page", 50),
    ("directory_match", "Directory match", 50),
    ("kpi_page", "Quarter's KPI page", 1000),
    ("intake", "Intake (person + episode)", 100),
]
COLOURS = [
    "#005eb8",
    "#007f3b",
    "#ffb81c",
    "#768692",
    "#330072",
    "#ae2573",
    "#00a499",
    "#41b6e6",
    "#ed8b00",
    "#7c2855",
    "#425563",
]
LOW, HIGH = 1.0, 10_000.0  # ms, the log axis


def p95(run: dict, key: str) -> float | None:
    if key == "kpi_page":
        return run.get("kpi", {}).get("page", {}).get("p95_ms")
    if key == "intake":
        return ((run.get("intake") or {}).get("latency") or {}).get("p95_ms")
    return run.get("pages", {}).get(key, {}).get("page", {}).get("p95_ms")


def floor(run: dict, key: str) -> float | None:
    if key == "kpi_page":
        return run.get("kpi", {}).get("duckdb", {}).get("query", {}).get("p50_ms")
    return run.get("pages", {}).get(key, {}).get("raw_sql", {}).get("p50_ms")


def x_of(ms: float, left: float, width: float) -> float:
    ms = min(max(ms, LOW), HIGH)
    return left + width * (math.log10(ms) - math.log10(LOW)) / (math.log10(HIGH) - math.log10(LOW))


def draw(results: dict) -> str:
    runs = sorted(results.get("runs", {}).items())
    left, right, top, bar, gap = 190, 30, 60, 12, 14
    width = 760
    plot = width - left - right
    group = bar * max(1, len(runs)) + gap
    height = top + group * len(MEASURES) + 40 + 18 * len(runs)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="title desc" '
        'font-family="Arial, sans-serif" font-size="12">',
        '<title id="title">Liaison benchmark: p95 server time by page and run</title>',
        '<desc id="desc">Bars show p95 server time in milliseconds on a log scale, one bar per run; '
        "red ticks mark each target; small grey ticks mark the raw SQL or DuckDB floor (p50).</desc>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left}" y="22" font-size="15" font-weight="bold">p95 server time (ms, log scale)</text>',
    ]
    for tick in (1, 10, 100, 1000, 10000):
        x = x_of(tick, left, plot)
        bottom = top + group * len(MEASURES)
        out.append(f'<line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{bottom}" stroke="#d8dde0"/>')
        out.append(f'<text x="{x:.1f}" y="{top - 12}" text-anchor="middle" fill="#4c6272">{tick:,}</text>')
    for i, (key, label, target) in enumerate(MEASURES):
        y0 = top + i * group
        out.append(
            f'<text x="{left - 8}" y="{y0 + group / 2:.1f}" text-anchor="end" dominant-baseline="middle">'
            f"{escape(label)}</text>"
        )
        for j, (_name, run) in enumerate(runs):
            value = p95(run, key)
            y = y0 + j * bar
            if value is not None:
                x = x_of(value, left, plot)
                out.append(
                    f'<rect x="{left}" y="{y}" width="{max(1.0, x - left):.1f}" height="{bar - 2}" '
                    f'fill="{COLOURS[j % len(COLOURS)]}"><title>{value:,.0f} ms</title></rect>'
                )
                out.append(
                    f'<text x="{x + 4:.1f}" y="{y + bar / 2:.1f}" dominant-baseline="middle" '
                    f'font-size="10">{value:,.0f}</text>'
                )
            base = floor(run, key)
            if base is not None:
                fx = x_of(base, left, plot)
                out.append(
                    f'<line x1="{fx:.1f}" y1="{y}" x2="{fx:.1f}" y2="{y + bar - 2}" '
                    'stroke="#4c6272" stroke-width="2"/>'
                )
        tx = x_of(target, left, plot)
        out.append(
            f'<line x1="{tx:.1f}" y1="{y0 - 2}" x2="{tx:.1f}" y2="{y0 + bar * max(1, len(runs))}" '
            'stroke="#d5281b" stroke-width="3"/>'
        )
    legend_top = top + group * len(MEASURES) + 8
    for j, (name, run) in enumerate(runs):  # one run a line, so any number of runs fits
        x, ly = left, legend_top + j * 18
        people = run.get("data", {}).get("people", 0)
        out.append(f'<rect x="{x}" y="{ly}" width="12" height="12" fill="{COLOURS[j % len(COLOURS)]}"/>')
        out.append(f'<text x="{x + 16}" y="{ly + 10}">{escape(name)} ({people:,} people)</text>')
    out.append(
        f'<text x="{left}" y="{height - 10}" fill="#4c6272">Red: target. Grey tick: floor (raw SQL or '
        "DuckDB, p50).</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main() -> None:
    results = json.loads(RESULTS.read_text())
    OUT.write_text(draw(results))
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
