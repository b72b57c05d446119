"""Service load: a real ``charter serve`` on loopback, SQLite and PostgreSQL, K clients.

    .venv/bin/python -m benchmarks.service_bench [--backend sqlite,postgres] [--seconds 10]
                                                 [--clients 16] [--profile DIR [--profile-gil]]

For each backend a fresh database is migrated, an operator token is made for openai and
``python -m charter serve`` is started as a subprocess on 127.0.0.1 (one uvicorn process,
as the CLI runs it). Two workloads then run for ``--seconds`` each with ``--clients``
threads, each with its own keep-alive ``httpx.Client``:

* decisions: ``POST /v1/decisions`` with placement questions (the token is looked up in the
  database on every request, as for any authenticated call);
* durable appends: ``POST /v1/revenue`` with a unique ``Idempotency-Key`` each, i.e. one
  committed transaction (idempotency row + hash-chained ledger event) per request.

Reported per backend and workload: requests, throughput, p50/p99 latency, errors, and where
the CPU went during the measured window (server process, this load generator, the rest of
the machine, e.g. PostgreSQL). The chain is then verified through ``GET /v1/ledger/verify``.

PostgreSQL uses ``$CHARTER_TEST_POSTGRES_URL`` (skipped, with a message, when unset); its
tables are dropped and re-migrated first. ``--profile DIR`` samples the server with py-spy
(if ``py-spy`` is on PATH) during each workload and prints the hottest frames.

Every loop is bounded in count and time; the server is stopped at the end. The load
generator runs on the same machine as the server and shares its cores: the numbers are a
floor for the server, not a measurement of it in isolation.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

HOST = "127.0.0.1"
AS_OF = "2025-03-01"
MAX_REQUESTS_PER_CLIENT = 1_000_000  # a hard bound besides the clock
WARMUP_PER_CLIENT = 20
PG_TABLES = (
    "alembic_version",
    "spend_sums",
    "ledger_views",
    "idempotency",
    "tokens",
    "ledger_events",
)

#: realistic placement questions (openai asks; the bundled scenario at 2025-03-01)
QUESTIONS: list[dict[str, Any]] = [
    {
        "at": "2025-03-01",
        "principal": "openai",
        "action": "run",
        "provider": "gcp",
        "kind": "training",
        "new_capacity": True,
    },
    {"at": "2025-03-01", "principal": "openai", "action": "run", "provider": "azure"},
    {
        "at": "2025-03-01",
        "principal": "openai",
        "action": "run",
        "provider": "oci",
        "kind": "training",
        "new_capacity": True,
    },
    {
        "at": "2025-03-01",
        "principal": "openai",
        "action": "run",
        "provider": "aws",
        "kind": "inference",
        "segment": "us-national-security",
    },
]

#: goals: (workload, backend or None for all) → (min req/s, max p99 ms)
GOALS: dict[tuple[str, str | None], tuple[float, float]] = {
    ("decisions", None): (2_000, 20),
    ("durable appends", "sqlite"): (1_000, 50),
    ("durable appends", "postgres"): (2_000, 50),
}


# ---------------------------------------------------------------------------- CPU accounting
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def _self_cpu() -> float:
    t = os.times()
    return t.user + t.system


def _machine_busy() -> float:
    """CPU seconds the whole machine spent not idle (all cores), from /proc/stat."""
    try:
        parts = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    vals = [int(v) for v in parts[:8]]
    idle = vals[3] + vals[4]  # idle + iowait
    return (sum(vals) - idle) / _TICK


@dataclass
class CpuSample:
    server: float
    loadgen: float
    machine: float

    @classmethod
    def take(cls, server_pid: int) -> CpuSample:
        return cls(_proc_cpu(server_pid), _self_cpu(), _machine_busy())


# ---------------------------------------------------------------------------- the server
def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"


@contextlib.contextmanager
def serve(db_url: str, workdir: Path) -> Iterator[Server]:
    """``python -m charter serve`` on a free loopback port; stopped on exit."""
    port = _free_port()
    log = workdir / f"server-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "charter",
                "serve",
                "--db",
                db_url,
                "--host",
                HOST,
                "--port",
                str(port),
                "--as-of",
                AS_OF,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    server = Server(proc, port, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited ({proc.returncode}):\n{log.read_text()}")
            try:
                if httpx.get(f"{server.base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start in 60 s:\n{log.read_text()}")
            time.sleep(0.2)
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


# ---------------------------------------------------------------------------- databases
def _prepare(db_url: str) -> str:
    """Migrate ``db_url`` and return an operator token for openai."""
    from charter.ledger import Database
    from charter.scenario import load_scenario
    from charter.service.tokens import create_token

    db = Database(db_url)
    try:
        db.upgrade()
        _, token = create_token(db, "openai", "operator", set(load_scenario(None).parties))
    finally:
        db.engine.dispose()
    return token


def _reset_postgres(db_url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            for table in PG_TABLES:
                conn.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------- load
@dataclass
class Result:
    backend: str
    workload: str
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)
    cpu_server: float = 0.0  # CPU seconds during the measured window
    cpu_loadgen: float = 0.0
    cpu_other: float = 0.0
    profile: list[tuple[str, float]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        xs = sorted(self.latencies_ms)
        return xs[min(len(xs) - 1, int(len(xs) * q))]


Call = Callable[[httpx.Client, int, int], httpx.Response]


def _decision_call(c: httpx.Client, client: int, i: int) -> httpx.Response:
    return c.post("/v1/decisions", json=QUESTIONS[(client + i) % len(QUESTIONS)])


def _append_call(run: str) -> Call:
    def call(c: httpx.Client, client: int, i: int) -> httpx.Response:
        return c.post(
            "/v1/revenue",
            json={"payee": "microsoft", "period": "2026-05", "amount": float(i % 1000)},
            headers={"Idempotency-Key": f"{run}-{client}-{i}"},
        )

    return call


def run_load(
    server: Server,
    token: str,
    result: Result,
    call: Call,
    seconds: float,
    clients: int,
    on_start: Callable[[], None] | None = None,
) -> Result:
    """``clients`` threads call ``call`` until ``seconds`` after a common start."""
    lock = threading.Lock()
    window: dict[str, float] = {}
    cpu: dict[str, CpuSample] = {}
    ends: list[float] = []

    def start() -> None:  # runs once, in the last thread to reach the barrier
        cpu["start"] = CpuSample.take(server.proc.pid)
        window["start"] = time.perf_counter()
        window["deadline"] = window["start"] + seconds
        if on_start is not None:
            on_start()

    barrier = threading.Barrier(clients, action=start)

    def worker(k: int) -> None:
        lat: list[float] = []
        errors = 0
        samples: list[str] = []
        with httpx.Client(
            base_url=server.base,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        ) as c:
            for i in range(WARMUP_PER_CLIENT):  # connections, caches; not counted
                with contextlib.suppress(httpx.HTTPError):
                    call(c, k, -1 - i)
            try:
                barrier.wait(timeout=120)
            except threading.BrokenBarrierError:
                return
            deadline = window["deadline"]
            i = 0
            while i < MAX_REQUESTS_PER_CLIENT and time.perf_counter() < deadline:
                t0 = time.perf_counter()
                try:
                    r = call(c, k, i)
                    ok = 200 <= r.status_code < 300
                    if not ok and len(samples) < 3:
                        samples.append(f"{r.status_code}: {r.text[:200]}")
                except httpx.HTTPError as exc:
                    ok = False
                    if len(samples) < 3:
                        samples.append(f"{type(exc).__name__}: {exc}")
                lat.append((time.perf_counter() - t0) * 1e3)
                errors += not ok
                i += 1
        with lock:
            ends.append(time.perf_counter())
            result.latencies_ms.extend(lat)
            result.requests += len(lat)
            result.errors += errors
            result.error_samples.extend(samples[: max(0, 5 - len(result.error_samples))])

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 180)
    end = CpuSample.take(server.proc.pid)
    if "start" in window and ends:
        result.seconds = max(ends) - window["start"]
        s0 = cpu["start"]
        result.cpu_server = end.server - s0.server
        result.cpu_loadgen = end.loadgen - s0.loadgen
        result.cpu_other = max(
            0.0, (end.machine - s0.machine) - result.cpu_server - result.cpu_loadgen
        )
    return result


# ---------------------------------------------------------------------------- profiling
def _py_spy() -> str | None:
    found = shutil.which("py-spy")
    if found:
        return found
    near = Path(sys.executable).parent / "py-spy"
    return str(near) if near.exists() else None


def _start_profile(
    pid: int, seconds: float, out: Path, gil: bool
) -> subprocess.Popen[bytes] | None:
    exe = _py_spy()
    if exe is None:
        return None
    return subprocess.Popen(
        [
            exe,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(max(1, int(seconds))),
            "--rate",
            "100",
            "--format",
            "raw",
            "--nonblocking",
            *(["--gil"] if gil else []),
            "--output",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _summarize(raw: Path, top: int = 12) -> list[tuple[str, float]]:
    """Share of the server's non-idle thread samples per phase of a request."""
    if not raw.exists():
        return []
    total = 0
    by: collections.Counter[str] = collections.Counter()
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        total += int(n)
        by[_phase(stack)] += int(n)
    return [(name, 100 * n / total) for name, n in by.most_common(top)] if total else []


def _db_step(stack: str) -> str:
    if "_commit_impl" in stack:
        return "COMMIT"
    if "_begin_impl" in stack or "exec_driver_sql" in stack:
        return "BEGIN (SQLite: IMMEDIATE, waits for the write lock)"
    if "QueuePool._do_get" in stack:
        return "waiting for a pooled connection"
    if "do_ping" in stack or "_checkout" in stack:
        return "pool checkout (pre-ping)"
    if "_rollback_impl" in stack:
        return "ROLLBACK on session close"
    if "psycopg" in stack or "do_execute" in stack:
        return "SQL statement"
    return ""


def _phase(stack: str) -> str:
    """Name the phase of a request a sampled stack (outermost;...;innermost) is in."""
    leaf = stack.split(";")[-1]
    if "WorkerThread.run" in stack and "Queue.get (queue.py" in stack:
        return "threadpool worker waiting for work"
    if "EpollSelector.select" in leaf:
        return "event loop waiting in epoll"
    db = _db_step(stack)
    if "need.<locals>.dependency" in stack:
        return f"auth token lookup: {db or 'SQLAlchemy'}"
    if "<locals>.write " in stack:
        if "charter/ledger" in stack and not db:
            return "write: ledger append (Python)"
        return f"write: {db or 'SQLAlchemy, idempotency row'}"
    if "_decide" in stack or "charter/scenario" in stack:
        return "decide (charter)"
    if "call_soon_threadsafe" in stack or "run_sync_in_worker_thread" in stack:
        return "threadpool <-> event loop hand-off"
    if "run_asgi" in stack:
        if "_SelectorSocketTransport.write" in stack:
            return "ASGI: socket send"
        return "ASGI app on the loop (FastAPI/Starlette, pydantic)"
    if "h11" in stack:
        return "HTTP parsing (uvicorn h11)"
    if "_run_once" in stack:
        return "asyncio event loop (other)"
    return leaf.split(" (")[0][:60]


# ---------------------------------------------------------------------------- one backend
def _profiler(
    pid: int, seconds: float, raw: Path, gil: bool, started: list[subprocess.Popen[bytes]]
) -> Callable[[], None]:
    """A start hook: py-spy on ``pid`` for the measured window, appended to ``started``."""

    def on_start() -> None:
        p = _start_profile(pid, seconds, raw, gil)
        if p is not None:
            started.append(p)

    return on_start


def bench_backend(
    console: Console,
    backend: str,
    db_url: str,
    workdir: Path,
    seconds: float,
    clients: int,
    profile: Path | None,
    gil: bool = False,
) -> tuple[list[Result], dict[str, Any] | None]:
    # a signing key (and its checkpoint) of this run's own: a database dropped by an earlier
    # run is not "behind" a checkpoint kept in the user's data directory
    os.environ["CHARTER_SIGNING_KEY"] = str(workdir / f"{backend}.key")
    token = _prepare(db_url)
    results = []
    verify: dict[str, Any] | None = None
    run = uuid.uuid4().hex[:8]
    with serve(db_url, workdir) as server:
        workloads: list[tuple[str, Call]] = [
            ("decisions", _decision_call),
            ("durable appends", _append_call(f"bench-{backend}-{run}")),
        ]
        for name, call in workloads:
            result = Result(backend, name)
            spy: list[subprocess.Popen[bytes]] = []
            raw = None
            on_start = None
            if profile is not None:
                raw = profile / f"{backend}-{name.replace(' ', '-')}.txt"
                on_start = _profiler(server.proc.pid, seconds, raw, gil, spy)
            with console.status(f"{backend}: {name}, {clients} clients, {seconds:g} s ..."):
                run_load(server, token, result, call, seconds, clients, on_start)
            for p in spy:
                try:
                    p.wait(timeout=seconds + 30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(timeout=10)
            if raw is not None:
                result.profile = _summarize(raw)
            results.append(result)
        with httpx.Client(
            base_url=server.base, headers={"Authorization": f"Bearer {token}"}, timeout=120
        ) as c:
            r = c.get("/v1/ledger/verify")
            verify = r.json() if r.status_code == 200 else {"status": r.status_code, "body": r.text}
    return results, verify


# ---------------------------------------------------------------------------- main
def _goal(r: Result) -> tuple[str, float, float] | None:
    for (workload, backend), (rate, p99) in GOALS.items():
        if workload == r.workload and backend in (None, r.backend):
            return workload, rate, p99
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", default="sqlite,postgres", help="comma-separated")
    parser.add_argument("--seconds", type=float, default=10.0, help="per workload")
    parser.add_argument("--clients", type=int, default=16, help="concurrent client threads")
    parser.add_argument(
        "--profile", type=Path, default=None, help="sample the server with py-spy into DIR"
    )
    parser.add_argument(
        "--profile-gil",
        action="store_true",
        help="with --profile: only samples of the thread holding the GIL (where CPU goes)",
    )
    args = parser.parse_args()
    backends = [b.strip() for b in args.backend.split(",") if b.strip()]
    unknown = set(backends) - {"sqlite", "postgres"}
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    if not 0 < args.seconds <= 600:
        parser.error("--seconds must be in (0, 600]")
    if not 1 <= args.clients <= 256:
        parser.error("--clients must be in [1, 256]")
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)

    console = Console(width=None if sys.stdout.isatty() else 132)
    cores = os.cpu_count() or 1
    console.print(
        f"charter service load test, {dt.datetime.now().isoformat(timespec='seconds')}: "
        f"{args.clients} client threads × {args.seconds:g} s per workload, one "
        f"`charter serve` process (uvicorn, 1 worker) on {HOST}.\n"
        f"[bold]This machine has {cores} cores, and the load generator shares them with the "
        f"server[/bold] (and with PostgreSQL): figures are a floor, CPU columns show who "
        f"used what (100% = one core)."
    )
    if args.profile is not None and _py_spy() is None:
        console.print("[yellow]--profile: py-spy not found on PATH; not profiling[/yellow]")

    results: list[Result] = []
    verifies: list[tuple[str, dict[str, Any] | None]] = []
    with tempfile.TemporaryDirectory(prefix="charter-bench-") as tmp:
        workdir = Path(tmp)
        for backend in backends:
            if backend == "sqlite":
                url = f"sqlite:///{workdir / 'bench.db'}"
            else:
                pg = os.environ.get("CHARTER_TEST_POSTGRES_URL")
                if not pg:
                    console.print(
                        "[yellow]postgres: skipped, CHARTER_TEST_POSTGRES_URL is not set[/yellow]"
                    )
                    continue
                _reset_postgres(pg)
                url = pg
            rs, verify = bench_backend(
                console,
                backend,
                url,
                workdir,
                args.seconds,
                args.clients,
                args.profile,
                args.profile_gil,
            )
            results.extend(rs)
            verifies.append((backend, verify))

    t = Table(title=f"charter serve under load ({args.clients} clients, {cores} cores shared)")
    for col, just in [
        ("backend", "left"),
        ("workload", "left"),
        ("requests", "right"),
        ("req/s", "right"),
        ("p50 ms", "right"),
        ("p99 ms", "right"),
        ("errors", "right"),
        ("server CPU", "right"),
        ("server CPU/req", "right"),
        ("loadgen CPU", "right"),
        ("other CPU", "right"),
    ]:
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for r in results:
        sec = r.seconds or 1.0
        t.add_row(
            r.backend,
            r.workload,
            f"{r.requests:,}",
            f"{r.rate:,.0f}",
            f"{r.pct(0.50):.1f}",
            f"{r.pct(0.99):.1f}",
            f"{r.errors:,}",
            f"{100 * r.cpu_server / sec:.0f}%",
            f"{1e3 * r.cpu_server / r.requests:.2f} ms" if r.requests else "-",
            f"{100 * r.cpu_loadgen / sec:.0f}%",
            f"{100 * r.cpu_other / sec:.0f}%",
        )
    console.print(t)
    for r in results:
        for sample in r.error_samples:
            console.print(f"[red]{r.backend} {r.workload} error[/red] {sample}")

    for backend, verify in verifies:
        console.print(f"ledger verify ({backend}): {verify}")

    if any(r.profile for r in results):
        kind = "GIL holder" if args.profile_gil else "non-idle threads, wall time"
        for r in results:
            if not r.profile:
                continue
            pt = Table(title=f"server profile (py-spy, {kind}): {r.backend} {r.workload}")
            pt.add_column("where")
            pt.add_column("share", justify="right")
            for name, share in r.profile:
                pt.add_row(name, f"{share:.1f}%")
            console.print(pt)

    console.print("[bold]goals[/bold]")
    for r in results:
        g = _goal(r)
        if g is None:
            continue
        workload, rate, p99 = g
        ok = r.rate >= rate and r.pct(0.99) <= p99 and r.errors == 0
        console.print(
            f"{'[green]met[/green]' if ok else '[red]MISSED[/red]'}: {r.backend} {workload} "
            f"≥ {rate:,.0f}/s at p99 ≤ {p99:g} ms, no errors "
            f"(got {r.rate:,.0f}/s, p99 {r.pct(0.99):.1f} ms, {r.errors} errors)"
        )
    if any(v is None or not v.get("ok") for _, v in verifies):
        sys.exit(1)


if __name__ == "__main__":
    main()
