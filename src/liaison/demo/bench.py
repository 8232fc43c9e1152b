"""`liaison bench`: server time of the busiest pages beside the raw SQL floor, KPIs beside DuckDB,
API intake through a real gunicorn server, and one worker's peak memory. docs/performance.md.

Runs against the database the settings point at (a seeded demo or national set); it writes audit
events and, for the intake test, new people and episodes, like any user would. Nothing here asserts
a time: the results go to bench/results.json (merged, keyed by scale and database) and a table.
"""

from __future__ import annotations

import datetime as dt
import http.client
import itertools
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from liaison.assessment.models import Assessment, Need
from liaison.core.models import Membership, Role, Site, Team, User
from liaison.demo import held
from liaison.episodes.models import Contact, Episode, EpisodeStatus, Stage, Task
from liaison.episodes.queries import OPEN_STAGES
from liaison.people.models import Alias, Person, PersonContact
from liaison.referrals.models import Appointment, Referral

ROOT = Path(__file__).resolve().parents[3]
RESULTS = ROOT / "bench" / "results.json"
TARGETS: dict[str, Any] = {
    "worklist": {"p95_ms": 50, "ratio": 3},
    "person_page": {"p95_ms": 50, "ratio": 3},
    "person_search": {"p95_ms": 50, "ratio": 3},
    "episode_page": {"p95_ms": 50, "ratio": 3},
    "directory_match": {"p95_ms": 50},
    "kpi_page": {"p95_ms": 1000, "duckdb_ratio": 2},
    "intake": {"per_second": 200, "p95_ms": 100, "errors": 0},
    "worker_rss_mb": 150,
}


def t(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "n": len(samples),
        "p50_ms": round(percentile(samples, 50) * 1000, 2),
        "p95_ms": round(percentile(samples, 95) * 1000, 2),
        "max_ms": round(max(samples) * 1000, 2) if samples else float("nan"),
    }


def timed(fn: Callable[[], Any], n: int, warm: int = 2) -> list[float]:
    for _ in range(warm):
        fn()
    out = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


@dataclass
class Subjects:
    team: Team
    practitioner: User
    lead: User
    people: list[int]
    episodes: list[int]
    names: list[str]
    matches: list[tuple[int, str]]  # (episode id, need key)
    # The intake run's arrivals go to another team (the quietest), so that they never become the
    # measured team's open episodes and newest records: a second run measures the same pages.
    intake_team: Team
    intake_user: User


# The family name of every person the intake run creates: they are left out when the teams' open
# episodes are counted, so however many runs there have been, the busiest team (measured) and the
# quietest other (which takes the arrivals) are the same teams every time.
INTAKE_NAME = "Benchmark"


def subjects(rng: random.Random, n: int) -> Subjects:
    """The busiest team (most open episodes), its practitioner and lead, and records to open."""
    open_counts = dict(
        Episode.objects.exclude(stage=Stage.CLOSED)
        .exclude(person__family_name__startswith=INTAKE_NAME)
        .order_by()
        .values_list("team_id")
        .annotate(n=Count("id"))
        .values_list("team_id", "n")
    )
    busiest = max(Team.objects.order_by("pk"), key=lambda t: open_counts.get(t.pk, 0), default=None)
    if busiest is None:
        raise RuntimeError("No teams: seed the database first (liaison seed)")
    intake_team, intake_user = _quietest_other(busiest, open_counts)
    members = Membership.objects.filter(team=busiest).select_related("user").order_by("user__username")
    practitioner = next(
        (m.user for m in members if m.role == Role.PRACTITIONER and m.user.username == "practitioner"),
        next(m.user for m in members if m.role == Role.PRACTITIONER),
    )
    lead = next(m.user for m in members if m.role == Role.TEAM_LEAD)
    # Records of the team spread over the whole id range (recent and old), as a day's work opens them.
    ids = list(Episode.objects.filter(team=busiest).order_by("-pk").values_list("pk", "person_id")[:20000])
    picked = rng.sample(ids, min(n, len(ids)))
    episodes = [e for e, _ in picked]
    people = [p for _, p in picked]
    names = list(Person.objects.filter(pk__in=people).values_list("family_name", flat=True))
    # Episodes with a need found at assessment: the directory match page.
    needs = list(
        Need.objects.filter(assessment__episode__team=busiest, level__in=("moderate", "high", "urgent"))
        .exclude(key__startswith="basic:")
        .order_by("-pk")
        .values_list("assessment__episode_id", "key")[:2000]
    )
    matches = rng.sample(needs, min(n, len(needs)))
    return Subjects(busiest, practitioner, lead, people, episodes, names, matches, intake_team, intake_user)


def _quietest_other(busiest: Team, open_counts: dict[int, int]) -> tuple[Team, User]:
    """The team with the fewest open episodes other than the measured one, and a practitioner of it
    (the measured team itself when it is the only one with a practitioner)."""
    staffed = (
        Team.objects.exclude(pk=busiest.pk)
        .filter(memberships__role=Role.PRACTITIONER, sites__isnull=False)
        .distinct()
        .order_by("pk")
    )
    team = min(staffed, key=lambda t: (open_counts.get(t.pk, 0), t.pk), default=busiest)
    member = (
        Membership.objects.filter(team=team, role=Role.PRACTITIONER)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    assert member is not None  # noqa: S101 - the busiest team has a practitioner (subjects() found one)
    return team, member.user


# --- raw SQL floors -----------------------------------------------------------------------------------


def fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def raw_worklist(team_id: int) -> Callable[[], Any]:
    today = timezone.localdate()
    open_stages = [str(stage) for stage in OPEN_STAGES]
    marks = ", ".join(["%s"] * len(open_stages))
    sql = f"""
        SELECT e.id, e.arrival_at, e.stage, e.custody_number, p.id, p.given_name, p.family_name,
               p.date_of_birth, s.name, u.display_name,
               EXISTS (SELECT 1 FROM {t(Task)} k WHERE k.episode_id = e.id AND k.done_at IS NULL
                       AND k.due < %s) AS overdue,
               (SELECT MIN(k.due) FROM {t(Task)} k WHERE k.episode_id = e.id AND k.done_at IS NULL)
        FROM {t(Episode)} e
        JOIN {t(Person)} p ON p.id = e.person_id
        JOIN {t(Site)} s ON s.id = e.site_id
        LEFT JOIN {t(User)} u ON u.id = e.allocated_worker_id
        WHERE e.team_id = %s AND e.stage IN ({marks})
        ORDER BY overdue DESC, e.arrival_at DESC, e.id DESC
        LIMIT %s"""  # noqa: S608 - table names from the models
    count_sql = f"SELECT COUNT(*) FROM {t(Episode)} WHERE team_id = %s AND stage IN ({marks})"  # noqa: S608
    return lambda: (
        fetch(sql, [today, team_id, *open_stages, settings.PAGE_SIZE]),
        fetch(count_sql, [team_id, *open_stages]),
    )


def raw_person(person_id: int) -> Callable[[], Any]:
    def run() -> Any:
        return (
            fetch(f"SELECT * FROM {t(Person)} WHERE id = %s", [person_id]),  # noqa: S608
            fetch(f"SELECT * FROM {t(Alias)} WHERE person_id = %s", [person_id]),  # noqa: S608
            fetch(f"SELECT * FROM {t(PersonContact)} WHERE person_id = %s", [person_id]),  # noqa: S608
            fetch(
                f"""SELECT e.id, e.arrival_at, e.stage, e.closed_at, s.name, tm.name
                    FROM {t(Episode)} e JOIN {t(Site)} s ON s.id = e.site_id
                    JOIN {t(Team)} tm ON tm.id = e.team_id
                    WHERE e.person_id = %s ORDER BY e.arrival_at DESC""",  # noqa: S608
                [person_id],
            ),
        )

    return run


def raw_search(team_id: int, word: str) -> Callable[[], Any]:
    sql = f"""
        SELECT p.id, p.given_name, p.family_name, p.date_of_birth, p.nhs_number
        FROM {t(Person)} p
        WHERE p.id IN (
            SELECT id FROM (
                SELECT id FROM {t(Person)} WHERE family_name_search LIKE %s
                UNION ALL SELECT id FROM {t(Person)} WHERE given_name_search LIKE %s
                UNION ALL SELECT person_id FROM {t(Alias)} WHERE family_name_search LIKE %s
            ) named
            INTERSECT
            SELECT person_id FROM {t(Episode)} WHERE team_id = %s)
        ORDER BY p.family_name_search, p.given_name_search, p.id
        LIMIT 51"""  # noqa: S608
    prefix = word.lower() + "%"
    return lambda: fetch(sql, [prefix, prefix, prefix, team_id])


def raw_episode(episode_id: int) -> Callable[[], Any]:
    def run() -> Any:
        return (
            fetch(
                f"""SELECT e.*, p.given_name, p.family_name, p.date_of_birth, s.name
                    FROM {t(Episode)} e JOIN {t(Person)} p ON p.id = e.person_id
                    JOIN {t(Site)} s ON s.id = e.site_id WHERE e.id = %s""",  # noqa: S608
                [episode_id],
            ),
            fetch(f"SELECT * FROM {t(EpisodeStatus)} WHERE episode_id = %s ORDER BY at", [episode_id]),  # noqa: S608
            fetch(f"SELECT * FROM {t(Contact)} WHERE episode_id = %s ORDER BY at DESC", [episode_id]),  # noqa: S608
            fetch(f"SELECT * FROM {t(Task)} WHERE episode_id = %s ORDER BY due", [episode_id]),  # noqa: S608
            fetch(f"SELECT * FROM {t(Assessment)} WHERE episode_id = %s", [episode_id]),  # noqa: S608
            fetch(f"SELECT * FROM {t(Referral)} WHERE episode_id = %s", [episode_id]),  # noqa: S608
        )

    return run


def raw_match(need_key: str) -> Callable[[], Any]:
    from liaison.directory.models import Attribute, Service, ServiceArea, TaxonomyTerm

    sql = f"""
        SELECT s.id, s.name, sa.postcode_prefixes
        FROM {t(Service)} s
        JOIN {t(Attribute)} a ON a.service_id = s.id
        JOIN {t(TaxonomyTerm)} tt ON tt.id = a.taxonomy_term_id
        LEFT JOIN {t(ServiceArea)} sa ON sa.service_id = s.id
        WHERE tt.code = %s AND s.status = 'active'
        ORDER BY s.name LIMIT 200"""  # noqa: S608
    return lambda: fetch(sql, [need_key])


# --- pages through the real views ---------------------------------------------------------------------


def client_for(user: User) -> Client:
    """Signed in with both factors: the password (force_login) and the demo authenticator."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from liaison.demo.authenticators import ensure_demo_authenticator

    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = ensure_demo_authenticator(user).persistent_id
    session.save()
    return client


def page_samples(client: Client, requests: list[Callable[[Client], Any]], n: int) -> list[float]:
    out = []
    for i in range(n + 2):
        started = time.perf_counter()
        response = requests[i % len(requests)](client)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"bench page answered {response.status_code}: {getattr(response, 'url', '')}")
        if i >= 2:  # two warm-up requests
            out.append(elapsed)
    return out


def floor_samples(floors: list[Callable[[], Any]], n: int) -> list[float]:
    turn = itertools.cycle(floors)
    return timed(lambda: next(turn)(), n)


def measure_pages(s: Subjects, n: int) -> dict[str, Any]:
    practitioner = client_for(s.practitioner)
    results: dict[str, Any] = {}

    def pair(
        name: str, pages: list[Callable[[Client], Any]], floors: list[Callable[[], Any]], c: Client
    ) -> None:
        page = summary(page_samples(c, pages, n))
        floor = summary(floor_samples(floors, n)) if floors else None
        row: dict[str, Any] = {"page": page}
        if floor:
            row["raw_sql"] = floor
            row["ratio_p50"] = round(page["p50_ms"] / max(floor["p50_ms"], 0.01), 1)
            row["ratio_p95"] = round(page["p95_ms"] / max(floor["p95_ms"], 0.01), 1)
        results[name] = row
        print(f"  {name}: {page['p50_ms']} / {page['p95_ms']} ms", file=sys.stderr)

    def get(url: str) -> Callable[[Client], Any]:
        return lambda c: c.get(url)

    def search(word: str) -> Callable[[Client], Any]:
        return lambda c: c.post("/people/search", {"name": word})

    pair("worklist", [get("/")], [raw_worklist(s.team.pk)], practitioner)
    pair(
        "person_page",
        [get(f"/people/{pk}/") for pk in s.people],
        [raw_person(pk) for pk in s.people],
        practitioner,
    )
    pair(
        "person_search",
        [search(w) for w in s.names],
        [raw_search(s.team.pk, w) for w in s.names],
        practitioner,
    )
    pair(
        "episode_page",
        [get(f"/episodes/{pk}/") for pk in s.episodes],
        [raw_episode(pk) for pk in s.episodes],
        practitioner,
    )
    if s.matches:
        # As a served process is: `liaison serve` reads every need's candidates before its workers start.
        from liaison.directory.matching import warm_cache

        warm_cache()
        pair(
            "directory_match",
            [get(f"/episodes/{pk}/needs/{key}/services/") for pk, key in s.matches],
            [raw_match(key) for _, key in s.matches],
            practitioner,
        )
    return results


def measure_kpis(s: Subjects, n: int, workdir: Path) -> dict[str, Any]:
    """The quarter's KPI page (team lead) beside one DuckDB query over the same data in Parquet."""
    from liaison.outcomes import kpis
    from liaison.outcomes.views import current_quarter

    lead = client_for(s.lead)
    # As many timed requests as the other pages (until 2026-12-01 a fifth as many: eight, too few for
    # a steady p50 on a machine whose speed moves), and as many DuckDB queries.
    page = summary(page_samples(lead, [lambda c: c.get("/outcomes/")], n))
    period = current_quarter()
    if period.end > timezone.localdate():
        period = kpis.Period(start=period.start, end=timezone.localdate(), label=period.label, key=period.key)
    filters = kpis.Filters(period=period, team_ids=(s.team.pk,))
    started = time.perf_counter()
    result = kpis.compute(filters)
    compute_s = time.perf_counter() - started
    django_numbers = {
        "identified": result.funnel[1].count,
        "screened": result.funnel[2].count,
        "assessed": result.funnel[3].count,
        "people": result.people,
        "youth": result.youth,
        "repeat_episodes": result.repeat_episodes,
        "referrals_sent": result.referrals_sent,
    }
    exported = export_parquet(workdir)
    duck = duckdb_kpis(exported, s.team.pk, period.start_at, period.end_before, n)
    duck_numbers = duck.pop("numbers")
    row: dict[str, Any] = {
        "page": page,
        "compute_ms": round(compute_s * 1000, 1),
        "period": period.key,
        "numbers": django_numbers,
        "duckdb": duck,
        "duckdb_numbers": duck_numbers,
        "numbers_agree": {k: duck_numbers.get(k) == v for k, v in django_numbers.items()},
        "ratio_p50": round(page["p50_ms"] / max(duck["query"]["p50_ms"], 0.01), 1),
    }
    print(f"  kpi page: {page['p50_ms']} ms; duckdb {duck['query']['p50_ms']} ms", file=sys.stderr)
    return row


EXPORTS: dict[str, tuple[Any, list[str]]] = {
    "episodes": (
        Episode,
        ["id", "person_id", "team_id", "arrival_at", "screened_at", "assessed_at", "age_group", "stage"],
    ),
    "referrals": (Referral, ["id", "episode_id", "status"]),
    "appointments": (Appointment, ["id", "episode_id", "attendance"]),
}


def export_parquet(workdir: Path) -> dict[str, Any]:
    """The tables the KPI query reads, out to Parquet through DuckDB (CSV in between, in chunks)."""
    import csv

    import duckdb

    out: dict[str, Any] = {"files": {}}
    started = time.perf_counter()
    for name, (model, columns) in EXPORTS.items():
        csv_path = workdir / f"{name}.csv"
        parquet = workdir / f"{name}.parquet"
        cols = ", ".join(connection.ops.quote_name(c) for c in columns)
        with open(csv_path, "w", newline="") as fh:
            if connection.vendor == "postgresql":
                raw = connection.connection
                with (
                    raw.cursor() as cursor,
                    cursor.copy(
                        f"COPY (SELECT {cols} FROM {t(model)}) TO STDOUT WITH (FORMAT csv, HEADER true)"  # noqa: S608
                    ) as copy,
                ):
                    for block in copy:
                        fh.write(bytes(block).decode())
            else:
                writer = csv.writer(fh)
                writer.writerow(columns)
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT {cols} FROM {t(model)}")  # noqa: S608
                    while rows := cursor.fetchmany(20000):
                        writer.writerows(rows)
        duckdb.sql(
            f"COPY (SELECT * FROM read_csv('{csv_path}', header=true, auto_detect=true)) "  # noqa: S608
            f"TO '{parquet}' (FORMAT parquet)"
        )
        csv_path.unlink()
        out["files"][name] = str(parquet)
    out["export_s"] = round(time.perf_counter() - started, 1)
    return out


def duckdb_kpis(
    exported: dict[str, Any], team_id: int, start: dt.datetime, end: dt.datetime, n: int
) -> dict[str, Any]:
    import duckdb

    files = exported["files"]
    db = duckdb.connect()
    db.execute("SET TimeZone = 'UTC'")
    sql = f"""
        WITH c AS (
            SELECT * FROM read_parquet('{files["episodes"]}')
            WHERE team_id = $team AND CAST(arrival_at AS TIMESTAMPTZ) >= $start
              AND CAST(arrival_at AS TIMESTAMPTZ) < $end
        ), sent AS (
            SELECT DISTINCT episode_id FROM read_parquet('{files["referrals"]}') WHERE status <> 'draft'
        ), every AS (
            SELECT id, person_id, CAST(arrival_at AS TIMESTAMPTZ) AS at
            FROM read_parquet('{files["episodes"]}')
        )
        SELECT COUNT(*) AS identified,
               COUNT(screened_at) AS screened,
               COUNT(assessed_at) AS assessed,
               COUNT(DISTINCT c.person_id) AS people,
               COUNT(*) FILTER (WHERE age_group = 'youth') AS youth,
               COUNT(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM every x WHERE x.person_id = c.person_id
                     AND x.at < CAST(c.arrival_at AS TIMESTAMPTZ)
                     AND x.at >= CAST(c.arrival_at AS TIMESTAMPTZ) - INTERVAL 365 DAY)) AS repeat_episodes,
               (SELECT COUNT(*) FROM read_parquet('{files["referrals"]}') r
                  WHERE r.status <> 'draft' AND r.episode_id IN (SELECT id FROM c)) AS referrals_sent
        FROM c"""  # noqa: S608 - file names we wrote
    params = {"team": team_id, "start": start, "end": end}
    cols: list[str] = []
    row: tuple[Any, ...] = ()

    def run() -> None:
        nonlocal cols, row
        cur = db.execute(sql, params)
        cols = [d[0] for d in cur.description]
        row = cur.fetchone() or ()

    samples = timed(run, n, warm=1)
    return {
        "query": summary(samples),
        "export_s": exported["export_s"],
        "numbers": dict(zip(cols, [int(v) for v in row], strict=False)),
    }


# --- intake through gunicorn ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def worker_rss(master: int) -> list[dict[str, int]]:
    """Peak and current resident memory (kB) of each gunicorn worker (children of the master)."""
    out = []
    for pid_dir in Path("/proc").glob("[0-9]*"):
        try:
            status = (pid_dir / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master):
            out.append(
                {
                    "pid": int(pid_dir.name),
                    "hwm_kb": int(fields.get("VmHWM", "0 kB").split()[0]),
                    "rss_kb": int(fields.get("VmRSS", "0 kB").split()[0]),
                }
            )
    return out


def measure_intake(
    s: Subjects, *, seconds: float, clients: int, workers: int, threads: int
) -> dict[str, Any]:
    from liaison.core.api_auth import api_token_create

    _, token = api_token_create(actor=s.intake_user, user=s.intake_user, name="liaison bench intake")
    site = (
        Site.objects.filter(team=s.intake_team, kind="police_custody").order_by("pk").first()
        or Site.objects.filter(team=s.intake_team).order_by("pk").first()
    )
    assert site is not None  # noqa: S101 - the demo teams all have sites
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    liaison = shutil.which("liaison") or str(Path(sys.executable).with_name("liaison"))
    log = Path(tempfile.gettempdir()) / "liaison-bench-gunicorn.log"
    server = subprocess.Popen(  # noqa: S603 - our own command
        [liaison, "serve", "--port", str(port), "--workers", str(workers), "--threads", str(threads)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        start_new_session=True,
    )
    base = "/api/v1"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        stop = time.perf_counter() + seconds
        counter = [0]

        def post(conn: http.client.HTTPConnection, path: str, body: dict[str, Any]) -> dict[str, Any]:
            conn.request("POST", base + path, body=json.dumps(body).encode(), headers=headers)
            response = conn.getresponse()
            content = response.read()
            if response.status != HTTPStatus.CREATED:
                raise RuntimeError(f"HTTP {response.status}: {content[:150]!r}")
            return json.loads(content)

        def client(index: int) -> None:
            rng = random.Random(f"intake:{index}")
            # Each client keeps its connection open between requests, as an integration's HTTP
            # client pool does; it opens a new one only after a failure.
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            while time.perf_counter() < stop:
                with lock:
                    counter[0] += 1
                    serial = counter[0]
                started = time.perf_counter()
                try:
                    # One request, one transaction: the API's intake endpoint (a new person and
                    # their first episode, all or nothing), as a custody system would call it.
                    post(
                        conn,
                        "/arrivals",
                        {
                            "team_id": s.intake_team.pk,
                            "person": {
                                "given_name": rng.choice(("Sam", "Alex", "Jo", "Chris", "Robin")),
                                "family_name": f"{INTAKE_NAME}{serial}",
                                "date_of_birth": dt.date(rng.randint(1960, 2005), rng.randint(1, 12), 10)
                                .replace(day=rng.randint(1, 28))
                                .isoformat(),
                                "sex": "9",
                            },
                            "episode": {
                                "site_id": site.pk,
                                "pathway_point": "police_custody",
                                "referral_source": "E1",  # police
                                "arrival_at": timezone.now().isoformat(),
                            },
                        },
                    )
                    ok = True
                except Exception as exc:  # noqa: BLE001 - every failure counts as an error
                    ok = False
                    with lock:
                        errors.append(str(exc)[:200])
                    conn.close()  # http.client reconnects on the next request
                elapsed = time.perf_counter() - started
                if ok:
                    with lock:
                        latencies.append(elapsed)
            conn.close()

        started = time.perf_counter()
        pool = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        wall = time.perf_counter() - started
        memory = worker_rss(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return {
        "clients": clients,
        "gunicorn_workers": workers,
        "threads": threads,
        "seconds": round(wall, 1),
        "created": len(latencies),
        "per_second": round(len(latencies) / wall, 1),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "server_log": str(log),
        "latency": summary(latencies) if latencies else None,
        "workers": memory,
        "worker_peak_rss_mb": round(max((m["hwm_kb"] for m in memory), default=0) / 1024, 1),
    }


# --- the whole run ------------------------------------------------------------------------------------


def data_size() -> dict[str, int]:
    with connection.cursor() as cursor:
        out = {}
        for label, model in (("people", Person), ("episodes", Episode), ("tasks", Task), ("needs", Need)):
            cursor.execute(f"SELECT COUNT(*) FROM {t(model)}")  # noqa: S608
            out[label] = int(cursor.fetchone()[0])
    return out


def python_yardstick() -> float:
    """Seconds one core takes over a fixed piece of pure Python (the best of three): machines named
    alike differ two- or threefold, and every page here is mostly Python, so figures from two
    machines compare only beside this (docs/performance.md)."""

    def once() -> float:
        started = time.perf_counter()
        total = 0
        for i in range(3_000_000):
            total += i % 7
        return time.perf_counter() - started

    return round(min(once() for _ in range(3)), 3)


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python_yardstick_s": python_yardstick(),
    }
    try:
        meminfo = Path("/proc/meminfo").read_text()
        info["memory_gb"] = round(int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1)) / 1024 / 1024, 1)  # type: ignore[union-attr]
        cpu = Path("/proc/cpuinfo").read_text()
        model = re.search(r"model name\s*:\s*(.+)", cpu)
        info["cpu"] = model.group(1).strip() if model else ""
    except OSError:
        pass
    if connection.vendor == "postgresql":
        info["database"] = f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"  # type: ignore[attr-defined]
    else:
        import sqlite3

        info["database"] = f"SQLite {sqlite3.sqlite_version}"
    return info


def run(
    *,
    scale: str,
    n: int = 40,
    intake_seconds: float = 20.0,
    clients: int = 8,
    workers: int = 2,
    threads: int = 4,
    skip: tuple[str, ...] = (),
    seed: int = 1,
) -> dict[str, Any]:
    stopped = held.held()
    if stopped:
        raise RuntimeError(
            f"A national load stopped here before making its indexes and foreign keys again ({stopped} "
            "held), so the figures would be those of a database without them. Finish it first: "
            "liaison seed --scale national --resume with the load's --seed, --people and --as-of."
        )
    rng = random.Random(seed)
    key = f"{scale}/{connection.vendor}"
    started = time.perf_counter()
    result: dict[str, Any] = {
        "when": timezone.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "data": data_size(),
        "targets": TARGETS,
    }
    s = subjects(rng, n)
    result["team"] = s.team.code
    print(f"bench {key}: team {s.team.code}, {result['data']}", file=sys.stderr)
    if "pages" not in skip:
        result["pages"] = measure_pages(s, n)
    if "kpis" not in skip:
        with tempfile.TemporaryDirectory(prefix="liaison-bench-") as tmp:
            result["kpi"] = measure_kpis(s, n, Path(tmp))
    if "intake" not in skip:
        result["intake"] = measure_intake(
            s, seconds=intake_seconds, clients=clients, workers=workers, threads=threads
        )
    result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["seconds"] = round(time.perf_counter() - started, 1)
    merged: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    merged.setdefault("runs", {}).setdefault(key, {}).update(result)  # a --skip run keeps the other parts
    RESULTS.write_text(json.dumps(merged, indent=2, sort_keys=True, default=str) + "\n")
    return result


def table(result: dict[str, Any]) -> str:
    lines = [f"{'measure':<18}{'p50 ms':>10}{'p95 ms':>10}{'floor p50':>11}{'ratio':>8}  target"]
    for name, row in result.get("pages", {}).items():
        page, floor = row["page"], row.get("raw_sql")
        target = TARGETS[name]
        lines.append(
            f"{name:<18}{page['p50_ms']:>10}{page['p95_ms']:>10}"
            f"{(floor['p50_ms'] if floor else ''):>11}{row.get('ratio_p50', ''):>8}"
            f"  p95<{target['p95_ms']}" + (f", <{target['ratio']}x SQL" if "ratio" in target else "")
        )
    if "kpi" in result:
        k = result["kpi"]
        lines.append(
            f"{'kpi_page':<18}{k['page']['p50_ms']:>10}{k['page']['p95_ms']:>10}"
            f"{k['duckdb']['query']['p50_ms']:>11}{k['ratio_p50']:>8}  <1000 ms, <2x DuckDB"
        )
        agree = all(k["numbers_agree"].values())
        lines.append(f"  KPI numbers agree with DuckDB: {'yes' if agree else k['numbers_agree']}")
    if "intake" in result:
        i = result["intake"]
        lat = i["latency"] or {}
        lines.append(
            f"{'intake':<18}{lat.get('p50_ms', ''):>10}{lat.get('p95_ms', ''):>10}"
            f"{'':>11}{'':>8}  {i['per_second']}/s (target 200), {i['errors']} errors"
        )
        lines.append(f"{'worker peak RSS':<18}{i['worker_peak_rss_mb']:>10} MB  (target 150 MB)")
    if "machine" in result:
        m = result["machine"]
        lines.append(
            f"machine: {m.get('cpus')} CPUs, {m.get('cpu', '')}; Python yardstick "
            f"{m.get('python_yardstick_s')} s (lower is faster; the table's figures scale with it)"
        )
    return "\n".join(lines)
