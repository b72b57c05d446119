"""Service commands end to end as subprocesses, straight to a SQLite database; and the ROFR
process on a small scenario whose ROFR is in force today (real clock)."""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import re
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient

from charter.ledger import Database
from charter.service import Settings, create_app
from charter.service.app import hash_token
from charter.service.policy import Caller
from charter.service.tokens import create_token
from tests.conftest import amendment, clause, write_scenario


def run(*args: str, db: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "charter", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CHARTER_DATABASE_URL": db, "COLUMNS": "200", **env},
    )


def test_db_token_rofr_spend_and_ledger_commands(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    absent = run("db", "status", db=db)
    assert absent.returncode == 1 and "no database file yet" in absent.stdout
    assert not (tmp_path / "c.db").exists()  # looking does not create it
    assert run("db", "upgrade", db=db).returncode == 0
    status = run("db", "status", db=db)
    assert status.returncode == 0 and "revision 0003; newest 0003" in status.stdout
    assert f"database {db}" in status.stdout
    made = run("token", "create", "--party", "openai", "--role", "operator", db=db)
    assert made.returncode == 0 and made.stdout.strip().startswith("chr_")
    bad = run("token", "create", "--party", "nobody", db=db)
    assert bad.returncode == 2 and "unknown party 'nobody'" in bad.stderr
    filed = run(
        "rofr",
        "file",
        "--as",
        "openai",
        "--provider",
        "aws",
        "--family",
        "h100",
        "--quantity",
        "2026-12=1000",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-31",
        "--price",
        "5",
        "--json",
        db=db,
    )
    assert filed.returncode == 0, filed.stderr
    assert json.loads(filed.stdout)["status"] == "released"  # no ROFR in force today
    focus = tmp_path / "focus.csv"
    focus.write_text(
        "BilledCost,ProviderName,ChargePeriodStart,ChargePeriodEnd\n"
        "10,azure,2026-10-01,2026-10-31\n"
    )
    for _ in range(2):  # the same file twice: recorded once
        r = run("spend", "import", str(focus), "--as", "openai", db=db)
        assert r.returncode == 0 and "imported 1" in r.stdout
    v = run("ledger", "verify", "--json", db=db)
    assert v.returncode == 0 and json.loads(v.stdout)["events"] == 2 + 1  # and the token's
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("BilledCost,ProviderName\n1,azure\n")
    r = run("spend", "import", str(bad_csv), "--as", "openai", db=db)
    assert r.returncode == 2 and "missing FOCUS columns" in r.stderr
    assert run("token", "revoke", "1", db=db).returncode == 0
    assert run("token", "revoke", "99", db=db).returncode == 2


def test_rofr_in_force_today(tmp_path: Path) -> None:
    rofr = clause(
        "R", "rofr", principal="lab", holder="cloud", where={"new_capacity": True}, response_days=10
    )
    folder = write_scenario(tmp_path / "s", [amendment("2024-01-01", rofr)])
    meta = yaml.safe_load((folder / "scenario.yaml").read_text())
    (folder / "scenario.yaml").write_text(yaml.safe_dump(meta))
    url = f"sqlite:///{tmp_path / 'r.db'}"
    db = Database(url)
    db.upgrade()
    parties = {"lab", "cloud", "other", "gov"}
    lab = create_token(db, "lab", "operator", parties)[1]
    cloud = create_token(db, "cloud", "operator", parties)[1]
    other = create_token(db, "other", "operator", parties)[1]
    app = create_app(Settings(db_url=url, scenario=str(folder)))  # the real clock
    with TestClient(app) as c:
        body = {
            "provider": "elsewhere",
            "family": "h100",
            "quantity": {"2027-01": 5},
            "window_from": "2027-01-01",
            "window_to": "2027-01-31",
            "price_per_hour": 3,
        }
        r = c.post(
            "/v1/rofr/requests",
            json=body,
            headers={"Authorization": f"Bearer {lab}", "Idempotency-Key": "a"},
        ).json()
        assert (r["status"], r["holder"], r["clause"]) == ("open", "cloud", "R")
        deadline = dt.datetime.fromisoformat(r["deadline"])
        assert 9 <= (deadline - dt.datetime.now(dt.UTC)).days <= 10
        inbox = c.get("/v1/rofr/requests", headers={"Authorization": f"Bearer {cloud}"}).json()
        assert [x["id"] for x in inbox["requests"]] == [r["id"]]
        assert "elsewhere" not in json.dumps(inbox)
        assert (
            c.get("/v1/rofr/requests", headers={"Authorization": f"Bearer {other}"}).json()[
                "requests"
            ]
            == []
        )
        m = c.post(
            f"/v1/rofr/requests/{r['id']}/match",
            headers={"Authorization": f"Bearer {cloud}", "Idempotency-Key": "b"},
        )
        assert m.json()["status"] == "matched"
    app.state.db.dispose()
    db.dispose()


# ---------------------------------------------------------------------------- serve
@dataclass
class Served:
    """A ``charter serve`` subprocess, its stderr lines up to its start line, and the URL that
    line names."""

    proc: subprocess.Popen[str]
    reader: threading.Thread
    lines: list[str]
    url: str

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(timeout=30)
        assert self.proc.stderr is not None
        self.proc.stderr.close()


def _start_serve(*args: str, db: str) -> Served:
    """``charter serve --port 0 ...`` (any free port), up to its start line."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "charter", "serve", "--port", "0", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "CHARTER_DATABASE_URL": db, "COLUMNS": "80"},
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    seen: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        if line is None:
            break
        seen.append(line)
        found = re.match(r"serving (http://\S+) ", line)
        if found:
            return Served(proc, reader, seen, found.group(1))
    Served(proc, reader, seen, "").stop()
    raise AssertionError(f"no start line; stderr: {seen}")


def _wait_healthy(url: str) -> dict[str, object]:
    deadline = time.monotonic() + 30
    while True:
        try:
            r = httpx.get(f"{url}/health", timeout=2)
            if r.status_code == 200:
                body: dict[str, object] = r.json()
                return body
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def test_serve_creates_the_schema_on_an_empty_database(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'new.db'}"
    served = _start_serve("--as-of", "2025-03-01", db=db)
    try:
        health = _wait_healthy(served.url)
    finally:
        served.stop()
    assert health == {"ok": True}  # the scenario and clock are in the start line
    assert served.lines[0] == f"created the database schema (0003) in {db}"
    start = served.lines[-1]  # one line, never wrapped (COLUMNS=80 above)
    assert start.startswith("serving http://127.0.0.1:")
    assert "scenario microsoft-openai" in start and f"database {db}" in start
    assert "clock from 2025-03-01 (--as-of)" in start
    assert run("db", "status", db=db).returncode == 0
    # a second start on the now current database creates nothing, and runs the system clock
    served = _start_serve(db=db)
    try:
        _wait_healthy(served.url)
    finally:
        served.stop()
    assert len(served.lines) == 1 and served.lines[0].endswith("system clock")


def test_serve_refuses_a_database_at_another_schema(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:  # not empty, but no charter schema
        conn.execute("CREATE TABLE notes (x TEXT)")
    db = f"sqlite:///{foreign}"
    refused = run("serve", db=db)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "run `charter db upgrade`" in " ".join(refused.stderr.split())
    status = run("db", "status", db=db)
    assert status.returncode == 1 and "no schema yet" in status.stdout
    assert f"database {db}" in status.stdout

    newer = tmp_path / "newer.db"
    assert run("db", "upgrade", db=f"sqlite:///{newer}").returncode == 0
    with sqlite3.connect(newer) as conn:  # as a later charter would leave it
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    refused = run("serve", db=f"sqlite:///{newer}")
    assert refused.returncode == 2 and "upgrade charter" in " ".join(refused.stderr.split())
    status = run("db", "status", "--json", db=f"sqlite:///{newer}")
    assert status.returncode == 1
    assert json.loads(status.stdout) == {
        "database": f"sqlite:///{newer}",
        "revision": "9999",
        "head": "0003",
        "state": "newer",
    }


def test_db_status_and_serve_on_an_older_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A schema one migration behind (0001, before the signatures)."""
    from typer.testing import CliRunner

    from charter.cli import app
    from charter.ledger.db import SchemaOutOfDate

    url = f"sqlite:///{tmp_path / 'old.db'}"
    from alembic import command

    old = Database(url)
    command.upgrade(old._alembic_config(), "0001")
    old.dispose()
    r = CliRunner().invoke(app, ["db", "status", "--db", url])
    assert r.exit_code == 1
    assert "revision 0001; newest 0003 — out of date: run `charter db upgrade`" in r.output
    with pytest.raises(SchemaOutOfDate, match="run `charter db upgrade`"):
        create_app(Settings(db_url=url))
    assert Database(url).create_schema_if_empty() is None  # not empty: serve leaves it alone


# ---------------------------------------------------------------------------- tokens
def test_token_list_never_shows_a_token(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 't.db'}"
    assert run("db", "upgrade", db=db).returncode == 0
    empty = run("token", "list", db=db)
    assert empty.returncode == 0 and "no tokens yet" in empty.stdout
    assert run("token", "list", "--json", db=db).stdout.strip() == "[]"
    tokens = []
    for party, role in (("openai", "operator"), ("microsoft", "viewer")):
        made = run("token", "create", "--party", party, "--role", role, db=db)
        assert made.returncode == 0, made.stderr
        tokens.append(made.stdout.strip())
    assert run("token", "revoke", "1", db=db).returncode == 0
    listed = run("token", "list", "--json", db=db)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [(r["id"], r["party"], r["role"]) for r in rows] == [
        (1, "openai", "operator"),
        (2, "microsoft", "viewer"),
    ]
    assert all(set(r) == {"id", "party", "role", "created", "revoked"} for r in rows)
    assert rows[0]["revoked"] is not None and rows[1]["revoked"] is None
    assert dt.datetime.fromisoformat(rows[0]["created"]).tzinfo is not None
    table = run("token", "list", db=db)
    assert table.returncode == 0 and "microsoft" in table.stdout and "viewer" in table.stdout
    for token in tokens:
        for text in (listed.stdout, table.stdout):
            assert token not in text and hash_token(token) not in text


# ---------------------------------------------------------------------------- ROFR id prefixes
def test_rofr_match_and_decline_take_unique_id_prefixes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rofr = clause(
        "R", "rofr", principal="lab", holder="cloud", where={"new_capacity": True}, response_days=10
    )
    folder = write_scenario(tmp_path / "s", [amendment("2024-01-01", rofr)])
    url = f"sqlite:///{tmp_path / 'p.db'}"
    db = Database(url)
    db.upgrade()
    ids = [
        "abcd1234-0000-4000-8000-000000000001",
        "abcd5678-0000-4000-8000-000000000002",
        "12345678-0000-4000-8000-000000000003",
    ]
    fixed = iter(uuid.UUID(i) for i in ids)
    monkeypatch.setattr(uuid, "uuid4", lambda: next(fixed))  # request ids sharing a prefix
    app = create_app(
        Settings(db_url=url, scenario=str(folder), local_caller=Caller("lab", "operator"))
    )
    with TestClient(app) as c:
        for n in range(3):
            body = {
                "provider": "elsewhere",
                "family": "h100",
                "quantity": {"2027-01": 5},
                "window_from": "2027-01-01",
                "window_to": "2027-01-31",
                "price_per_hour": 3,
            }
            r = c.post("/v1/rofr/requests", json=body, headers={"Idempotency-Key": f"k{n}"})
            assert r.status_code == 201 and r.json()["status"] == "open", r.text
    app.state.db.dispose()
    db.dispose()
    monkeypatch.undo()

    def cloud(*args: str) -> subprocess.CompletedProcess[str]:
        return run(*args, "--as", "cloud", "--scenario", str(folder), db=url)

    listed = cloud("rofr", "list")
    assert listed.returncode == 0 and "abcd1234" in listed.stdout and "abcd5678" in listed.stdout
    ambiguous = cloud("rofr", "match", "abcd")
    text = " ".join(ambiguous.stderr.split())
    assert ambiguous.returncode == 2 and "ambiguous" in text
    assert ids[0] in text and ids[1] in text and "Traceback" not in text
    short = cloud("rofr", "match", "ab")
    assert short.returncode == 2 and "at least 4 characters" in " ".join(short.stderr.split())
    unknown = cloud("rofr", "decline", "ffff")
    assert unknown.returncode == 2 and "no request you can see" in unknown.stderr
    junk = cloud("rofr", "decline", "not-an-id")
    assert junk.returncode == 2 and "is not a request id" in junk.stderr
    matched = cloud("rofr", "match", "ABCD1234")  # as `rofr list` prints them, any case
    assert matched.returncode == 0, matched.stderr
    assert f"request {ids[0]}: matched" in matched.stdout
    declined = cloud("rofr", "decline", "abcd5")
    assert declined.returncode == 0 and f"request {ids[1]}: released" in declined.stdout
    full = cloud("rofr", "decline", ids[2])
    assert full.returncode == 0 and f"request {ids[2]}: released" in full.stdout
    again = cloud("rofr", "match", "abcd1234")
    assert again.returncode == 2 and "409: the request is matched" in again.stderr
