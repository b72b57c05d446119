"""Durability: acknowledged writes survive ``kill -9`` of the server (SQLite, WAL + full sync)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from charter.ledger import Database
from charter.service.tokens import create_token


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(db_url: str, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "charter",
            "serve",
            "--db",
            db_url,
            "--port",
            str(port),
            "--as-of",
            "2026-06-01",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


@pytest.mark.slow
def test_acknowledged_writes_survive_kill_9(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    db = Database(url)
    db.upgrade()
    _, token = create_token(db, "openai", "operator", {"openai", "microsoft"})
    db.dispose()
    port = _port()
    server = _start(url, port)
    acked: list[tuple[str, int]] = []
    stop = threading.Event()

    def writer(k: int) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as c:
            i = 0
            while not stop.is_set():
                key = f"w{k}-{i}"
                try:
                    r = c.post(
                        "/v1/revenue",
                        json={"payee": "microsoft", "period": "2026-05", "amount": i},
                        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
                    )
                except httpx.HTTPError:
                    return  # the server died mid-request: not acknowledged
                if r.status_code == 201:
                    acked.append((key, r.json()["seq"]))
                i += 1

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    while len(acked) < 200:
        time.sleep(0.05)
    os.kill(server.pid, signal.SIGKILL)  # writes in flight
    server.wait()
    stop.set()
    for t in threads:
        t.join()
    server = _start(url, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as c:
            auth = {"Authorization": f"Bearer {token}"}
            v = c.get("/v1/ledger/verify", headers=auth).json()
            assert v["ok"] is True
            seqs: set[int] = set()
            after = 0
            while True:
                page = c.get(
                    "/v1/ledger", params={"after": after, "limit": 1000}, headers=auth
                ).json()
                if not page["events"]:
                    break
                seqs |= {e["seq"] for e in page["events"]}
                after = page["next_after"]
            assert {s for _, s in acked} <= seqs
            # a retried acknowledged write returns the first answer, not a second event
            key, seq = acked[0]
            again = c.post(
                "/v1/revenue",
                json={"payee": "microsoft", "period": "2026-05", "amount": 0},
                headers={**auth, "Idempotency-Key": key},
            )
            assert again.json()["seq"] == seq
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
