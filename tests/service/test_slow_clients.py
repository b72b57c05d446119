"""Slow clients cannot stall ``charter serve``: headers and bodies that trickle in are cut
off, connections past the cap displace the slowest or are refused, and the log stays small.

A real server (subprocess) with short limits; the benchmark ``benchmarks/slow_clients.py``
runs the same attack at scale.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from benchmarks.slow_clients import REQUEST_START, Server, start_server
from charter.service.limits import ThrottledLog, connection_cap, raise_open_file_limit

HEADER_TIMEOUT = 2.0
BODY_TIMEOUT = 1.0
CAP = 250
MARGIN = 1.5  # seconds a close may come after its deadline on a busy test machine


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder: Path = tmp_path_factory.mktemp("slow")
    served = start_server(
        folder,
        "--header-timeout",
        str(HEADER_TIMEOUT),
        "--body-timeout",
        str(BODY_TIMEOUT),
        "--max-connections",
        str(CAP),
    )
    try:
        yield served
    finally:
        served.stop()


def _address(server: Server) -> tuple[str, int]:
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


async def _trickle(server: Server, interval: float) -> tuple[float, bytes]:
    """One connection sending a request's start a byte per ``interval``: seconds until the
    server closed it, and what it read first."""
    reader, writer = await asyncio.open_connection(*_address(server))
    opened = time.monotonic()
    sent = 0
    try:
        while time.monotonic() - opened < 30:
            writer.write(REQUEST_START[sent : sent + 1] or b"a")
            sent += 1
            try:
                data = await asyncio.wait_for(reader.read(256), interval)
            except TimeoutError:
                continue
            return time.monotonic() - opened, data
        return float("inf"), b""
    except OSError:
        return time.monotonic() - opened, b"(reset)"
    finally:
        writer.close()


async def _health(server: Server) -> float:
    t0 = time.monotonic()
    async with httpx.AsyncClient(timeout=5) as client:
        r = await client.get(f"{server.url}/health")
    assert r.status_code == 200, r.text
    return time.monotonic() - t0


def test_trickling_headers_are_cut_off_and_the_cap_holds(server: Server) -> None:
    async def attack() -> tuple[list[tuple[float, bytes]], list[float]]:
        first = [asyncio.create_task(_trickle(server, 1.0)) for _ in range(200)]
        await asyncio.sleep(1.0)
        waits = [await _health(server)]  # 200 trickling connections open
        extra = [asyncio.create_task(_trickle(server, 1.0)) for _ in range(100)]
        await asyncio.sleep(0.5)
        waits.append(await _health(server))  # at the cap
        closed = await asyncio.wait_for(asyncio.gather(*first, *extra), 15)
        return closed, waits

    before = server.stderr_bytes()
    closed, waits = asyncio.run(attack())
    assert max(waits) < 1.0, waits
    assert max(s for s, _ in closed) < HEADER_TIMEOUT + 0.5 + MARGIN
    first_lines = Counter(data.split(b"\r\n", 1)[0] for _, data in closed)
    timed_out = first_lines[b"HTTP/1.1 408 Request Timeout"]
    displaced = first_lines[b"HTTP/1.1 503 Service Unavailable"]
    # 300 trickling connections and 2 probes for 250 places: the longest waiting went first
    assert timed_out + displaced == 300, first_lines
    assert 300 - CAP <= displaced <= 300 - CAP + 5, first_lines
    assert server.proc.poll() is None
    asyncio.run(_health(server))
    written = server.stderr_bytes() - before
    assert written < 1000, server.stderr.read_text()


def test_a_body_that_stops_coming_is_cut_off(server: Server) -> None:
    async def stall() -> tuple[float, bytes]:
        reader, writer = await asyncio.open_connection(*_address(server))
        t0 = time.monotonic()
        writer.write(
            b"POST /v1/revenue HTTP/1.1\r\nHost: charter\r\ncontent-type: application/json\r\n"
            b"content-length: 100\r\n\r\n{"
        )
        try:
            data = await asyncio.wait_for(reader.read(256), BODY_TIMEOUT + 10)
            return time.monotonic() - t0, data
        finally:
            writer.close()

    seconds, data = asyncio.run(stall())
    assert data.startswith(b"HTTP/1.1 408 "), data
    assert BODY_TIMEOUT - 0.2 < seconds < BODY_TIMEOUT + MARGIN
    assert server.proc.poll() is None


def test_the_cap_stays_well_below_the_open_file_limit() -> None:
    assert connection_cap(1000, 20_000) == 1000
    assert connection_cap(50_000, 20_000) == 15_000  # a quarter kept free
    assert connection_cap(1000, 1024) == 768  # at least 256 kept free
    assert connection_cap(1000, 100) == 1


def test_the_open_file_limit_is_raised_to_the_hard_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        now = raise_open_file_limit()
        assert now >= soft
        assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] in (now, resource.RLIM_INFINITY)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_repeated_server_message_is_logged_once_per_interval(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("tests.throttled")
    logger.addFilter(ThrottledLog())
    with caplog.at_level(logging.WARNING, logger="tests.throttled"):
        for i in range(500):
            logger.warning("socket.accept() out of system resource\nsocket: %d", i)
        logger.warning("another message")
    assert [r.getMessage().split("\n")[0] for r in caplog.records] == [
        "socket.accept() out of system resource",
        "another message",
    ]
