"""Slow clients against a real ``charter serve``: can trickling connections stall it?

    .venv/bin/python -m benchmarks.slow_clients [--connections 2000] [--interval 2]
                                                [--seconds 30] [--many 19900]
                                                [--server-open-files 1024]
                                                [--serve-arg=--header-timeout=10 ...]

A fresh SQLite database in a temporary folder, ``python -m charter serve --port 0`` as a
subprocess (its stderr to a file), then the attack: ``--connections`` TCP connections, each
sending the start of a request (``GET /health HTTP/1.1`` and a header that never ends) one
byte every ``--interval`` seconds, for ``--seconds``. Meanwhile a probe asks ``GET /health``
on a new connection five times a second. ``--many N`` repeats the whole round with N
connections (on a new server), as in the attack that exhausted the file descriptors;
``--server-open-files 1024`` starts the server with that soft open-file limit, a common
default, which the old ``serve`` ran out of.

Reported per round: connections opened (and failed to open), how many the server closed and
when (seconds after each was opened: within 1 s means refused at once), how many were still
open at the end, the probe's latency p50/p99/max and failures, whether the server was still
alive and stopped cleanly on SIGINT, and how many bytes it wrote to stderr.

Every loop is bounded in time. The attacker, the probe and the server share this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HOST = "127.0.0.1"
#: the start of a request whose last header never ends: one byte of it per interval
REQUEST_START = b"GET /health HTTP/1.1\r\nHost: charter\r\nX-Slow: "
CONNECTS_AT_ONCE = 256  # connection attempts in flight at a time


def raise_fd_limit() -> int:
    """Raise this process's open-file soft limit to its hard limit; the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return soft


@dataclass
class Server:
    """A ``charter serve`` subprocess, its URL and the file its stderr goes to."""

    proc: subprocess.Popen[bytes]
    url: str
    stderr: Path

    def stderr_bytes(self) -> int:
        return self.stderr.stat().st_size

    def stop(self) -> int | None:
        """SIGINT, as Ctrl-C; the exit code, or None if it had to be killed."""
        if self.proc.poll() is not None:
            return self.proc.returncode
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None


def start_server(folder: Path, *serve_args: str, open_files: int = 0) -> Server:
    """``charter serve --port 0`` on a new SQLite file in ``folder``, up to its start line
    (``open_files``: start it with this soft limit on open files, as a shell's ``ulimit -Sn``
    would)."""

    def limit() -> None:
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, hard))

    err = folder / "serve.stderr"
    with err.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "charter", "serve", "--port", "0", *serve_args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=sink,
            env={
                **os.environ,
                "CHARTER_DATABASE_URL": f"sqlite:///{folder / 'slow.db'}",
                "COLUMNS": "200",
            },
            preexec_fn=limit if open_files else None,  # started before the probe thread
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        found = re.search(r"serving (http://\S+) ", err.read_text(errors="replace"))
        if found:
            return Server(proc, found.group(1), err)
        time.sleep(0.1)
    proc.kill()
    proc.wait()
    raise RuntimeError(f"charter serve did not start: {err.read_text(errors='replace')[:2000]}")


@dataclass
class Attack:
    """What the trickling connections saw."""

    opened: int = 0
    failed: int = 0
    closed_after: list[float] = field(default_factory=list)  # seconds from open to close
    answers: Counter[str] = field(default_factory=Counter)  # first status line, if any
    started: float = field(default_factory=time.monotonic)
    last_open: float = 0.0  # seconds from the start to the last connection opened

    @property
    def still_open(self) -> int:
        return self.opened - len(self.closed_after)


async def _trickle(
    host: str, port: int, interval: float, stop: asyncio.Event, gate: asyncio.Semaphore, at: Attack
) -> None:
    async with gate:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
        except (OSError, TimeoutError):
            at.failed += 1
            return
    at.opened += 1
    opened = time.monotonic()
    at.last_open = opened - at.started
    sent = 0
    try:
        while not stop.is_set():
            byte = REQUEST_START[sent : sent + 1] if sent < len(REQUEST_START) else b"a"
            writer.write(byte)
            sent += 1
            try:
                data = await asyncio.wait_for(reader.read(256), interval)
            except TimeoutError:
                continue
            # an answer (408, 503) or the end of the stream: the server is closing it
            at.answers[data.split(b"\r\n", 1)[0].decode("latin-1") or "(closed)"] += 1
            at.closed_after.append(time.monotonic() - opened)
            break
    except OSError:
        at.answers["(reset)"] += 1
        at.closed_after.append(time.monotonic() - opened)
    finally:
        writer.close()


async def _attack(url: str, connections: int, interval: float, seconds: float) -> Attack:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    at = Attack()
    stop = asyncio.Event()
    gate = asyncio.Semaphore(CONNECTS_AT_ONCE)
    tasks = [
        asyncio.create_task(_trickle(host, int(port), interval, stop, gate, at))
        for _ in range(connections)
    ]
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.wait(tasks, timeout=interval + 15)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return at


@dataclass
class Probe:
    """``GET /health`` on a new connection, repeatedly, until stopped."""

    url: str
    latencies: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    stop: threading.Event = field(default_factory=threading.Event)

    def once(self) -> None:
        t0 = time.perf_counter()
        try:
            r = httpx.get(f"{self.url}/health", timeout=5)
            if r.status_code == 200:
                self.latencies.append(time.perf_counter() - t0)
            else:
                self.failures[str(r.status_code)] += 1
        except httpx.HTTPError as exc:
            self.failures[type(exc).__name__] += 1

    def run(self) -> None:
        while not self.stop.is_set():
            self.once()
            self.stop.wait(0.2)


def _pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    if len(xs) == 1:
        return xs[0]
    return statistics.quantiles(xs, n=100, method="inclusive")[int(q) - 1]


def round_(
    connections: int, interval: float, seconds: float, serve_args: list[str], open_files: int
) -> None:
    with tempfile.TemporaryDirectory(prefix="charter-slow-") as tmp:
        server = start_server(Path(tmp), *serve_args, open_files=open_files)
        probe = Probe(server.url)
        thread = threading.Thread(target=probe.run, daemon=True)
        thread.start()
        t0 = time.monotonic()
        at = asyncio.run(_attack(server.url, connections, interval, seconds))
        probe.stop.set()
        thread.join(timeout=10)
        alive = server.proc.poll() is None
        after = Probe(server.url)
        after.once()  # does it answer after the attack?
        code = server.stop()
        elapsed = time.monotonic() - t0
        closed = sorted(at.closed_after)
        print(f"\n== {connections} connections, a byte every {interval:g} s, {seconds:g} s")
        print(
            f"serve args: {' '.join(serve_args) or '(defaults)'}"
            f"{f', started with ulimit -Sn {open_files}' if open_files else ''}; "
            f"took {elapsed:.1f} s"
        )
        print(
            f"opened {at.opened} (the last {at.last_open:.1f} s after the first try), "
            f"failed to open {at.failed}"
        )
        print(
            f"closed by the server: {len(closed)} (within 1 s: "
            f"{sum(1 for c in closed if c <= 1)}); still open at the end: {at.still_open}"
        )
        if closed:
            print(
                f"  seconds from open to close: p50 {_pct(closed, 50):.2f}, "
                f"p99 {_pct(closed, 99):.2f}, max {closed[-1]:.2f}"
            )
            print(f"  what they read first: {dict(at.answers.most_common(4))}")
        lat = sorted(probe.latencies)
        print(
            f"/health during the attack: {len(lat)} ok, failures {dict(probe.failures)}; "
            f"p50 {_pct(lat, 50) * 1000:.1f} ms, p99 {_pct(lat, 99) * 1000:.1f} ms, "
            f"max {(lat[-1] if lat else float('nan')) * 1000:.1f} ms"
        )
        print(
            f"after the attack: server alive {alive}, /health "
            f"{'ok' if after.latencies else dict(after.failures)}, exit on SIGINT {code}"
        )
        size = server.stderr_bytes()
        text = server.stderr.read_text(errors="replace").splitlines()
        common = Counter(line[:100] for line in text[1:]).most_common(3)
        print(f"server stderr: {size:,} bytes, {len(text)} lines; most common: {common}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--connections", type=int, default=2000)
    ap.add_argument("--interval", type=float, default=2.0, help="seconds between bytes")
    ap.add_argument("--seconds", type=float, default=30.0, help="how long the attack lasts")
    ap.add_argument("--many", type=int, default=0, help="then a round with this many")
    ap.add_argument(
        "--serve-arg", action="append", default=[], help="an argument for charter serve"
    )
    ap.add_argument(
        "--server-open-files",
        type=int,
        default=0,
        help="start the server with this soft open-file limit (e.g. 1024, a common default)",
    )
    args = ap.parse_args(argv)
    limit = raise_fd_limit()
    print(f"open-file limit of the attacker: {limit}")
    files = args.server_open_files
    round_(args.connections, args.interval, args.seconds, args.serve_arg, files)
    if args.many:
        with contextlib.suppress(KeyboardInterrupt):
            many = min(args.many, limit - 100)
            round_(many, args.interval, args.seconds, args.serve_arg, files)


if __name__ == "__main__":
    main()
