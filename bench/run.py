#!/usr/bin/env python
"""Run the benchmark: `make bench SCALE=XS|S|M|L DB=sqlite|postgres`.

Serves Clientela as in production (gunicorn, 2 workers, DEBUG off, collected static files) on the
bench database of the scale (generated first if missing), signs in over HTTP as a sales manager
and measures every scenario of `bench/scenarios/`: warm-up, then at least 50 timed requests one
after another, or a fixed time of concurrent clients for the throughput rows. Reports per scenario
the median and p95 latency, the SQL queries per request (`X-Query-Count`, see bench/wsgi.py), the
time of the hand-written SQL the page needs, and each worker's peak RSS. On PostgreSQL (or with
`--scale-out`) it then drives concurrent writes through 1 and through 4 app processes and checks
that nothing was lost or duplicated.

Prints a table and writes `bench/results/latest.json` (and `bench/results/<scale>-<db>.json`).
Every connection goes to 127.0.0.1. Exits non-zero only when something errors.
"""

import argparse
import contextlib
import datetime as dt
import http.client
import itertools
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.scenarios import BUDGETS, MAX_GENERATE_S, MAX_QUERIES, MAX_RSS_MB, WRITES, Request, Scenario, State, discover

HOST = "127.0.0.1"
RESULTS = common.ROOT / "bench" / "results"


class BenchError(Exception):
    """Something did not work (not a slow figure: an error)."""


# --- HTTP ------------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    ms: float


@dataclass
class Client:
    """A browser-like client: session and CSRF cookies, one connection per request (gunicorn's
    sync workers close it after each response)."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0

    def request(self, req: Request, port: int | None = None) -> Response:
        headers = {"Host": f"{HOST}:{port or self.port}", "User-Agent": "clientela-bench", **req.headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if req.method != "GET":
            data = dict(req.data or {})
            data.setdefault("csrfmiddlewaretoken", self.cookies.get("csrftoken", ""))
            body = urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        began = time.perf_counter()
        conn = http.client.HTTPConnection(HOST, port or self.port, timeout=self.timeout)
        try:
            conn.request(req.method, req.path, body=body, headers=headers)
            raw = conn.getresponse()
            payload = raw.read()
            elapsed = (time.perf_counter() - began) * 1000
            response_headers = {k.lower(): v for k, v in raw.getheaders()}
            for value in raw.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(value)
                for name, morsel in cookie.items():
                    if name in ("sessionid", "csrftoken"):
                        self.cookies[name] = morsel.value
        finally:
            conn.close()
        return Response(raw.status, response_headers, payload, elapsed)

    def sign_in(self, username: str, password: str) -> None:
        page = self.request(Request("GET", "/accounts/login/"))
        if page.status != 200 or "csrftoken" not in self.cookies:
            raise BenchError(f"the sign-in page answered {page.status}")
        done = self.request(Request("POST", "/accounts/login/", {"username": username, "password": password}))
        if done.status != 302 or "sessionid" not in self.cookies:
            raise BenchError(f"signing in as {username} failed ({done.status}); was the bench data generated?")


# --- the server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """One gunicorn master (as `manage.py serve` runs it) with `workers` workers."""

    env: dict[str, str]
    workers: int
    log: Path
    port: int = 0
    process: subprocess.Popen | None = None

    def start(self) -> "Server":
        self.port = self.port or free_port()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(self.workers),
            "--access-logfile",
            str(self.log),
            "--error-logfile",
            str(self.log),
            "--graceful-timeout",
            "20",
            "--timeout",
            "60",
        ]
        self.process = subprocess.Popen(command, cwd=common.ROOT, env=self.env, start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn stopped at start-up (see {self.log})")
            with contextlib.suppress(OSError):
                if Client(self.port, timeout=5).request(Request("GET", "/health/")).status == 200:
                    return self
            time.sleep(0.2)
        raise BenchError(f"gunicorn did not answer /health/ within 60 s (see {self.log})")

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return sorted(pids)

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the workers have used so far."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in self.worker_pids():
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
        return total

    def peak_rss_mb(self) -> list[float]:
        peaks = []
        for pid in self.worker_pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks.append(round(int(line.split()[1]) / 1024, 1))
        return peaks

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- measuring -------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))
    return ordered[rank]


@dataclass
class Measurement:
    key: str
    latencies: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rps: float | None = None
    raw_sql_ms: float | None = None
    cpu_ms: float | None = None  # app workers' CPU per request (not in the JSON: a diagnosis under load)

    def check(self, scenario: Scenario | None, response: Response, expect: int) -> None:
        if response.status != expect:
            self.errors.append(f"status {response.status} (expected {expect})")
        if "x-query-count" in response.headers:
            self.queries.append(int(response.headers["x-query-count"]))

    def as_result(self, budget: dict[str, float]) -> dict[str, Any]:
        median = round(statistics.median(self.latencies), 2) if self.latencies else None
        p95 = round(percentile(self.latencies, 0.95), 2) if self.latencies else None
        queries = max(self.queries) if self.queries else None
        ok = not self.errors and self.latencies != []
        if median is not None and "median_ms" in budget:
            ok = ok and median <= budget["median_ms"]
        if p95 is not None and "p95_ms" in budget:
            ok = ok and p95 <= budget["p95_ms"]
        if "rps" in budget:
            ok = ok and self.rps is not None and self.rps >= budget["rps"]
        if "raw_ratio" in budget:
            ok = ok and bool(self.raw_sql_ms) and median is not None and median / self.raw_sql_ms <= budget["raw_ratio"]
        if queries is not None:
            ok = ok and queries <= MAX_QUERIES
        return {
            "median_ms": median,
            "p95_ms": p95,
            "rps": round(self.rps, 1) if self.rps is not None else None,
            "queries": queries,
            "raw_sql_ms": round(self.raw_sql_ms, 3) if self.raw_sql_ms is not None else None,
            "budget": budget,
            "ok": ok,
        }


def time_raw_sql(statements: list[tuple[str, list[Any]]], repeat: int) -> float:
    """Median time of running `statements` (and fetching every row) directly on the database."""
    from django.db import connection

    def once() -> float:
        began = time.perf_counter()
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()
        return (time.perf_counter() - began) * 1000

    for _ in range(3):
        once()
    return statistics.median(once() for _ in range(repeat))


def measure_sequential(
    client: Client, server: Server, scenario: Scenario, state: State, warmup: int, count: int
) -> Measurement:
    result = Measurement(scenario.key)
    for i in range(warmup):
        client.request(scenario.build(state, i))
    cpu = server.cpu_seconds()
    for i in range(warmup, warmup + count):
        response = client.request(scenario.build(state, i))
        result.check(scenario, response, scenario.expect)
        result.latencies.append(response.ms)
    result.cpu_ms = (server.cpu_seconds() - cpu) * 1000 / count
    return result


def run_concurrently(
    client: Client, make: Any, ports: list[int], clients: int, seconds: float, expect: int
) -> tuple[Measurement, int]:
    """`clients` threads send `make(i)` requests round-robin over `ports` for `seconds`.

    Returns the measurement and how many requests were acknowledged with `expect`."""
    result = Measurement("")
    counter = itertools.count()
    lock = threading.Lock()
    acknowledged = 0
    stop_at = time.perf_counter() + seconds

    def worker() -> None:
        nonlocal acknowledged
        own = Client(client.port, dict(client.cookies))
        while time.perf_counter() < stop_at:
            i = next(counter)
            try:
                response = own.request(make(i), port=ports[i % len(ports)])
            except OSError as exc:
                with lock:
                    result.errors.append(f"{type(exc).__name__}: {exc}")
                continue
            with lock:
                result.latencies.append(response.ms)
                result.check(None, response, expect)
                if response.status == expect:
                    acknowledged += 1

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    elapsed = time.perf_counter() - began
    result.rps = len(result.latencies) / elapsed if elapsed else None
    return result, acknowledged


def measure(client: Client, server: Server, scenario: Scenario, state: State, args: argparse.Namespace) -> Measurement:
    """One round of a scenario: timed requests one after another, or concurrent clients."""
    if not scenario.concurrent:
        return measure_sequential(client, server, scenario, state, args.warmup, args.requests)
    for i in range(args.warmup):
        client.request(scenario.build(state, i))

    def make(i: int) -> Request:
        return scenario.build(state, i)

    cpu = server.cpu_seconds()
    measured, _ = run_concurrently(client, make, [server.port], args.clients, args.seconds, scenario.expect)
    measured.key = scenario.key
    if measured.latencies:
        measured.cpu_ms = (server.cpu_seconds() - cpu) * 1000 / len(measured.latencies)
    return measured


def best(rounds: list[Measurement]) -> Measurement:
    """The round least disturbed by other work on the machine: the highest throughput for a
    concurrent scenario, the lowest median otherwise (a round with errors wins, to be reported)."""
    for measured in rounds:
        if measured.errors:
            return measured
    if rounds[0].rps is not None:
        return max(rounds, key=lambda m: m.rps or 0)
    return min(rounds, key=lambda m: statistics.median(m.latencies))


def url_exists(name: str) -> bool:
    """Whether the named URL exists (with no argument or with one record id)."""
    from django.urls import NoReverseMatch, reverse

    for args in ((), (1,)):
        with contextlib.suppress(NoReverseMatch):
            reverse(name, args=args)
            return True
    return False


# --- the scale-out phase ---------------------------------------------------------------------------


def redis_url() -> str | None:
    """A Redis on 127.0.0.1 for the app processes' shared cache, as docs/deploy.md recommends."""
    with contextlib.suppress(OSError), socket.create_connection((HOST, 6379), timeout=0.5) as sock:
        sock.sendall(b"PING\r\n")
        if sock.recv(16).startswith(b"+PONG"):
            return f"redis://{HOST}:6379/9"
    return None


def scale_out(args: argparse.Namespace, env: dict[str, str], state: State, say) -> dict[str, dict[str, Any]]:
    """Concurrent writes through 1 app process, then through 4 behind a round-robin balancer."""
    from bench.common import BENCH_PASSWORD, BENCH_USER

    checks = []
    for write in WRITES.values():
        if not url_exists(write.url_name):
            say(f"  skip write {write.key}: the URL {write.url_name} does not exist yet")
            continue
        checks.append(write.check(state))
    if not checks:
        return {}
    cache = redis_url()
    env = dict(env, **({"REDIS_URL": cache} if cache else {}))
    say(
        f"\nScale-out: concurrent writes ({', '.join(c.label for c in checks)}) through 1 and 4 app processes "
        f"(gunicorn, 1 worker each, round-robin), {args.clients} clients × {args.seconds:g} s, "
        f"cache {'Redis' if cache else 'file'}"
    )
    rows: dict[str, dict[str, Any]] = {}
    for processes in (1, 4):
        servers = [
            Server(env, 1, common.VAR / f"gunicorn-scale-out-{processes}-{n}.log").start() for n in range(processes)
        ]
        try:
            client = Client(servers[0].port)
            client.sign_in(BENCH_USER, BENCH_PASSWORD)
            tag = f"{state.data.get('run', 'x')}p{processes}"
            for server in servers:  # warm each process up (its caches) with writes of another tag
                for n, check in enumerate(checks):
                    client.request(check.request(n, f"{tag}w{server.port}"), port=server.port)
            before = {c.label: c.count(tag) for c in checks}

            def make(i: int, tag: str = tag) -> Request:
                return checks[i % len(checks)].request(i // len(checks), tag)

            measured, acknowledged = run_concurrently(
                client, make, [s.port for s in servers], args.clients, args.seconds, checks[0].expect
            )
            rss = [mb for s in servers for mb in s.peak_rss_mb()]
        finally:
            for server in servers:
                server.stop()
        written = {c.label: c.count(tag) - before[c.label] for c in checks}
        distinct = {c.label: c.distinct(tag) for c in checks}
        total_written = sum(written.values())
        duplicated = sum(written[label] - distinct[label] for label in written)
        lost = acknowledged - sum(distinct.values())
        result = measured.as_result({"lost": 0, "duplicated": 0})
        result["ok"] = not measured.errors and lost == 0 and duplicated == 0
        key = f"scale_out_{processes}_process{'es' if processes > 1 else ''}"
        rows[key] = result
        say(
            f"  {processes} process{'es' if processes > 1 else '  '}: {result['rps']:7.1f} writes/s, median "
            f"{result['median_ms']} ms, p95 {result['p95_ms']} ms; acknowledged {acknowledged}, rows written "
            f"{total_written} ({', '.join(f'{n} {label}' for label, n in written.items())}), lost {lost}, "
            f"duplicated {duplicated}, errors {len(measured.errors)}; peak RSS {max(rss, default=0)} MB"
        )
        if measured.errors:
            say(f"    first error: {measured.errors[0]}")
        if lost or duplicated:
            raise BenchError(f"scale-out with {processes} processes: {lost} writes lost, {duplicated} duplicated")
    one, four = rows["scale_out_1_process"]["rps"], rows["scale_out_4_processes"]["rps"]
    if one:
        say(f"  4 processes / 1 process: {four / one:.2f}× the write throughput on {os.cpu_count()} cores")
    return rows


# --- reporting -------------------------------------------------------------------------------------


def load_average() -> str:
    """The machine's 1-minute load average: other work on the cores inflates every latency."""
    return f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"


def git_describe() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=common.ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(  # the results a run writes do not make the code dirty
            ["git", "status", "--porcelain", "--", ".", ":!bench/results"],
            cwd=common.ROOT,
            capture_output=True,
            text=True,
        )
        return head + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine(vendor: str) -> str:
    from django.db import connection

    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, IndexError, ValueError):
        kb = int(Path("/proc/meminfo").read_text().splitlines()[0].split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    if vendor == "sqlite":
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    return (
        f"{os.cpu_count()} cores ({cpu}){memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {database}"
    )


def budget_text(budget: dict[str, float]) -> str:
    parts = []
    if "median_ms" in budget:
        parts.append(f"≤{budget['median_ms']:g} ms")
    if "p95_ms" in budget:
        parts.append(f"p95≤{budget['p95_ms']:g}")
    if "rps" in budget:
        parts.append(f"≥{budget['rps']:g}/s")
    if "raw_ratio" in budget:
        parts.append(f"≤{budget['raw_ratio']:g}×SQL")
    if "lost" in budget:
        parts.append("none lost/dup.")
    return ", ".join(parts)


def table(results: dict[str, dict[str, Any]], cpu: dict[str, float | None]) -> str:
    def fmt(value: Any, spec: str = "") -> str:
        return "—" if value is None else format(value, spec)

    lines = [
        f"{'scenario':<24}{'median ms':>10}{'p95 ms':>9}{'req/s':>8}{'queries':>8}{'SQL ms':>8}{'ratio':>7}"
        f"{'cpu ms':>8}  {'budget (L)':<22}ok",
        "-" * 108,
    ]
    for key, row in results.items():
        ratio = (
            f"{row['median_ms'] / row['raw_sql_ms']:.1f}×"
            if row["raw_sql_ms"] and row["median_ms"] is not None
            else "—"
        )
        lines.append(
            f"{key:<24}{fmt(row['median_ms'], '.1f'):>10}{fmt(row['p95_ms'], '.1f'):>9}{fmt(row['rps'], '.0f'):>8}"
            f"{fmt(row['queries']):>8}{fmt(row['raw_sql_ms'], '.2f'):>8}{ratio:>7}{fmt(cpu.get(key), '.1f'):>8}  "
            f"{budget_text(row['budget']):<22}"
            f"{'yes' if row['ok'] else 'NO'}"
        )
    return "\n".join(lines)


# --- main ------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="XS", type=str.upper, choices=list(common.SCALES))
    parser.add_argument("--db", default="sqlite", choices=common.DATABASES)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per scenario (after warm-up)")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients in throughput phases (max 32)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each concurrent phase (max 60)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (production default: 2)")
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure each scenario N times and keep the least disturbed round"
    )
    parser.add_argument("--only", default="", help="comma-separated scenario keys")
    parser.add_argument("--regenerate", action="store_true", help="generate the data again first")
    parser.add_argument(
        "--scale-out",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="concurrent writes through 1 and 4 app processes (default: on for PostgreSQL)",
    )
    args = parser.parse_args(argv)
    args.clients = max(1, min(args.clients, 32))
    args.seconds = max(1.0, min(args.seconds, 60.0))
    args.requests = max(1, args.requests)
    args.rounds = max(1, min(args.rounds, 5))
    if args.scale_out is None:
        args.scale_out = args.db == "postgres"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def say(text: str = "") -> None:
        print(text, flush=True)

    scale = args.scale
    manifest_file = common.manifest_path(scale, args.db)
    if args.regenerate or not manifest_file.exists():
        say(f"No {scale} data on {args.db} yet: generating it (bench/generate.py)")
        subprocess.run(
            [sys.executable, str(common.ROOT / "bench" / "generate.py"), "--scale", scale, "--db", args.db],
            check=True,
        )
    manifest = json.loads(manifest_file.read_text())

    common.setup_django(scale, args.db)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    env = common.environment(scale, args.db)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=common.ROOT,
        env=env,
        check=True,
    )
    env["CLIENTELA_QUERY_COUNT_HEADER"] = "1"

    state = State(vendor=connection.vendor, scale=scale)
    registered = discover()
    wanted = [k for k in args.only.split(",") if k] or list(BUDGETS)
    scenarios: list[Scenario] = []
    say(f"Clientela benchmark — scale {scale} on {args.db}, git {git_describe()}, load average {load_average()}")
    for key in wanted:
        if key not in BUDGETS:
            raise BenchError(f"unknown scenario {key!r}")
        found = registered.get(key)
        if found is None:
            say(f"  skip {key}: no scenario registered yet (its module adds it to bench/scenarios/)")
            continue
        if not url_exists(found.url_name):
            say(f"  skip {key}: the URL {found.url_name} does not exist yet")
            continue
        scenarios.append(found)
    for found in scenarios:
        if found.prepare:
            found.prepare(state)
    if "search_hits" in state.data:
        say(f"  customer_search finds {state.data['search_hits']} customers")

    from django.db import DatabaseError

    measurements: dict[str, Measurement] = {}
    failures: list[str] = []
    for found in scenarios:
        measurements[found.key] = Measurement(found.key)
        if found.raw_sql:
            try:
                measurements[found.key].raw_sql_ms = time_raw_sql(found.raw_sql(state), args.requests)
            except DatabaseError as exc:
                failures.append(f"{found.key}: its hand-written SQL failed: {exc}")
    connection.close()

    server = Server(env, args.workers, common.VAR / f"gunicorn-{scale.lower()}-{args.db}.log").start()
    try:
        client = Client(server.port)
        client.sign_in(common.BENCH_USER, common.BENCH_PASSWORD)
        for found in scenarios:
            rounds = []
            for _ in range(args.rounds):
                rounds.append(measure(client, server, found, state, args))
                if rounds[-1].errors:
                    break
            measured = best(rounds)
            measured.raw_sql_ms = measurements[found.key].raw_sql_ms
            measurements[found.key] = measured
            if measured.errors:
                failures.append(f"{found.key}: {measured.errors[0]} ({len(measured.errors)} errors)")
        rss = server.peak_rss_mb()
    finally:
        server.stop()

    results = {key: m.as_result(BUDGETS[key].as_dict()) for key, m in measurements.items()}
    if args.scale_out:
        results.update(scale_out(args, env, state, say))

    say("")
    say(table(results, {key: m.cpu_ms for key, m in measurements.items()}))
    say("-" * 108)
    say(
        f"peak RSS per worker: {', '.join(f'{mb:.0f} MB' for mb in rss)} (budget ≤ {MAX_RSS_MB} MB); "
        f"data generated in {manifest['generate_s']:.1f} s (budget ≤ {MAX_GENERATE_S} s for L on SQLite); "
        f"queries ≤ {MAX_QUERIES} per page; budgets apply at L"
    )
    report = {
        "scale": scale,
        "db": args.db,
        "git": git_describe(),
        "machine": machine(state.vendor),
        "scenarios": results,
        "rss_mb": max(rss, default=None),
        "generate_s": manifest["generate_s"],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    (RESULTS / "latest.json").write_text(text)
    (RESULTS / f"{scale.lower()}-{args.db}.json").write_text(text)
    say(f"results: {RESULTS / 'latest.json'} ({dt.datetime.now():%Y-%m-%d %H:%M}, load average {load_average()})")
    for failure in failures:
        say(f"ERROR {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        sys.exit(2)
