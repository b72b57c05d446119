"""The service's edges: input it cannot encode, bodies past their limit, decisions and ledger
metadata scoped to the caller, lax ROFR input, an unwritable database, hardening headers."""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text

import charter
from charter.service.tokens import create_token
from tests.service.test_service import ROFR_BODY, World, db_url

__all__ = ["db_url"]  # the SQLite/PostgreSQL fixture, shared with test_service

SURROGATE = "\ud800"


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    yield World(db_url, dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC))


def _raw(world: World, path: str, body: Any, party: str = "openai") -> Any:
    """POST ``body`` as JSON text (ASCII, so a lone surrogate travels as ``\\ud800``)."""
    headers = {"content-type": "application/json"}
    return world.call(party, "POST", path, content=json.dumps(body).encode(), headers=headers)


# ---------------------------------------------------------------------------- surrogates
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/decisions", {"at": "2025-03-01", "principal": SURROGATE, "action": "run"}),
        (
            "/v1/decisions/batch",
            {"requests": [{"at": "2025-03-01", "principal": SURROGATE, "action": "run"}]},
        ),
        ("/v1/rofr/requests", {**ROFR_BODY, "quantity": {SURROGATE: 1}}),
        ("/v1/rofr/requests", {**ROFR_BODY, "family": f"tpu{SURROGATE}"}),
    ],
)
def test_a_lone_surrogate_is_a_422(world: World, path: str, body: dict[str, Any]) -> None:
    r = _raw(world, path, body)
    assert r.status_code == 422, r.text
    assert "surrogate" in r.text


# ---------------------------------------------------------------------------- body limits
FOCUS = "BilledCost,ProviderName,ChargePeriodStart,ChargePeriodEnd\n"


def test_a_json_body_past_the_limit_is_a_413(world: World) -> None:
    body = {**ROFR_BODY, "terms": "x" * 10_000_000}
    r = _raw(world, "/v1/rofr/requests", body)
    assert r.status_code == 413, r.text[:200]
    assert "1000000 bytes" in r.json()["detail"]


def test_a_streamed_body_past_the_limit_is_a_413(world: World) -> None:
    """Without Content-Length (chunked), the count of bytes received decides."""
    chunks = (b" " * 100_000 for _ in range(20))
    headers = {"content-type": "application/json"}
    r = world.call("openai", "POST", "/v1/decisions", content=chunks, headers=headers)
    assert r.status_code == 413, r.text[:200]


def test_the_import_has_a_larger_limit_of_its_own(world: World) -> None:
    # about 1.2 MB in one row (ignored columns): past the JSON limit, within the import's
    pad = ",".join(["x" * 100_000] * 12)
    header = FOCUS.strip() + "," + ",".join(f"Pad{i}" for i in range(12)) + "\n"
    ok = header + f"1,azure,2025-02-01,2025-02-28,{pad}\n"
    r = world.call("openai", "POST", "/v1/spend/import", content=ok.encode())
    assert r.status_code == 201, r.text[:200]
    big = FOCUS + "1,azure,2025-02-01,2025-02-28\n" * 300_000  # about 9 MB
    r = world.call("openai", "POST", "/v1/spend/import", content=big.encode())
    assert r.status_code == 413
    assert "8000000 bytes" in r.json()["detail"]


def test_health_answers_while_a_writer_holds_the_database(world: World) -> None:
    """/health once pinged on the write engine, whose BEGIN IMMEDIATE waited for SQLite's
    writer: a 20,000-row import held it for the import's whole transaction."""
    with world.app.state.db.session() as s, s.begin():
        s.execute(text("SELECT 1"))  # SQLite: this transaction now holds the write lock
        start = time.monotonic()
        r = world.call(None, "GET", "/health")
        assert r.status_code == 200
        assert time.monotonic() - start < 5


def test_health_answers_while_an_import_runs(world: World) -> None:
    rows = "".join(f"{i % 100 + 1},azure,2025-02-01,2025-02-28\n" for i in range(3000))
    done = threading.Event()

    def run() -> None:
        world.call("openai", "POST", "/v1/spend/import", content=(FOCUS + rows).encode())
        done.set()

    importer = threading.Thread(target=run)
    importer.start()
    try:
        time.sleep(0.3)
        answered_during = 0
        while not done.is_set():
            start = time.monotonic()
            assert world.call(None, "GET", "/health").status_code == 200
            assert time.monotonic() - start < 5
            answered_during += not done.is_set()
            time.sleep(0.05)
    finally:
        importer.join(timeout=120)
    assert answered_during > 0


# ---------------------------------------------------------------------------- decisions
def test_a_decision_shows_only_the_callers_own_agreements(db_url: str) -> None:
    """coreweave (party to acme-coreweave only) asking as acme once got acme-amazon's A1.C2."""
    w = World(db_url, dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC), scenario="acme-cloud")
    parties = set(charter.load_scenario("acme-cloud").parties)
    token = create_token(w.db, "coreweave", "viewer", parties)[1]
    question = {
        "at": "2025-03-01",
        "principal": "acme",
        "action": "run",
        "provider": "gcp",
        "kind": "inference",
        "new_capacity": True,
    }
    auth = {"Authorization": f"Bearer {token}"}
    for path, body in [
        ("/v1/decisions", question),
        ("/v1/decisions/batch", {"requests": [question]}),
    ]:
        r = w.client.post(path, json=body, headers=auth)
        assert r.status_code == 200, r.text
        d = r.json() if path == "/v1/decisions" else r.json()["decisions"][0]
        assert "A1.C2" not in r.text and "amazon" not in r.text, r.text
        assert d["clauses"] == [] and d["obligations"] == []
        assert "not party to" in d["note"]
    # amazon, party to acme-amazon, sees it
    r = w.call("amazon", "POST", "/v1/decisions", json=question)
    assert r.status_code == 200 and "A1.C2" in r.text


# ---------------------------------------------------------------------------- ledger metadata
def _spend(provider: str) -> dict[str, Any]:
    return {
        "provider": provider,
        "billed_cost": 1,
        "period_start": "2025-02-01",
        "period_end": "2025-02-28",
    }


def test_ledger_metadata_is_scoped_to_the_caller(db_url: str) -> None:
    """microsoft once learned from next_after and verify that openai spent with a third
    party (an event it is not in the audience of). Here acme spends with amazon and with
    coreweave; amazon must learn nothing of the second."""
    w = World(db_url, dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC), scenario="acme-cloud")
    parties = set(charter.load_scenario("acme-cloud").parties)
    for party in ("acme", "amazon"):
        w.tokens[(party, "operator")] = create_token(w.db, party, "operator", parties)[1]
    aws = w.call("acme", "POST", "/v1/spend", json=_spend("aws"))
    assert aws.status_code == 201
    assert w.call("acme", "POST", "/v1/spend", json=_spend("coreweave")).status_code == 201
    page = w.call("amazon", "GET", "/v1/ledger").json()
    assert [e["seq"] for e in page["events"]] == [aws.json()["seq"]]
    assert page["next_after"] == aws.json()["seq"]
    v = w.call("amazon", "GET", "/v1/ledger/verify").json()
    assert v["ok"] is True and v["events"] == 1 and v["head"] == page["events"][0]["hash"]
    assert w.call("acme", "GET", "/v1/ledger/verify").json()["events"] == 2
    # nothing visible after it: next_after stays where the caller was
    first = aws.json()["seq"]
    page = w.call("amazon", "GET", "/v1/ledger", params={"after": first}).json()
    assert page == {"events": [], "next_after": first}


# ---------------------------------------------------------------------------- lax ROFR input
@pytest.mark.parametrize(
    "change",
    [
        {"quantity": {"2025-04": -5}},
        {"quantity": {"2025-04": 0}},
        {"quantity": {"2025-04": "100"}},
        {"quantity": {"2025-04": True}},
        {"quantity": {"2026-01": 100}},  # outside the window
        {"price_per_hour": "1"},
        {"price_per_hour": True},
        {"family": "x" * 1000},  # (1 MB of it is now past the body limit: 413)
        {"provider": "p" * 1000},
        {"window_from": "9999-01-01", "window_to": "9999-12-31", "quantity": {"9999-06": 1}},
        {"window_from": "2024-01-01", "window_to": "2024-06-30", "quantity": {"2024-04": 1}},
    ],
    ids=lambda c: ",".join(f"{k}={str(v)[:20]}" for k, v in c.items()),
)
def test_lax_rofr_input_is_a_422(world: World, change: dict[str, Any]) -> None:
    r = world.call("openai", "POST", "/v1/rofr/requests", json={**ROFR_BODY, **change})
    assert r.status_code == 422, r.text[:300]
    assert world.call("openai", "GET", "/v1/ledger").json()["events"] == []


def test_a_strict_rofr_request_is_filed(world: World) -> None:
    body = {**ROFR_BODY, "quantity": {"2025-04": 1, "2025-Q2": 2.5}, "price_per_hour": 3}
    assert world.call("openai", "POST", "/v1/rofr/requests", json=body).status_code == 201


# ---------------------------------------------------------------------------- unwritable database
def _read_only(world: World) -> None:
    """Every new connection of the app's engines refuses writes."""
    db = world.app.state.db
    for engine in {db.engine, db.read_engine}:
        engine.dispose()

        @event.listens_for(engine, "connect")
        def _connect(conn: Any, _: Any) -> None:
            if db.is_sqlite:
                conn.execute("PRAGMA query_only = ON")
            else:
                conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
                conn.commit()


def test_a_read_only_database_is_a_503_with_retry_after(world: World) -> None:
    token_first = world.call("openai", "GET", "/v1/ledger")  # the token lookup is a read
    assert token_first.status_code == 200
    _read_only(world)
    r = world.call("openai", "POST", "/v1/revenue", json=REVENUE)
    assert r.status_code == 503, r.text
    assert int(r.headers["Retry-After"]) > 0


def test_a_failing_database_cannot_flood_the_log(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    _read_only(world)
    with caplog.at_level(logging.WARNING, logger="charter.service"):
        for _ in range(20):
            r = world.call("openai", "POST", "/v1/revenue", json=REVENUE)
            assert r.status_code == 503
    assert len([r for r in caplog.records if r.name == "charter.service"]) <= 1


def test_a_full_disk_is_a_503_with_retry_after(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*_: Any, **__: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(world.app.state.ledger, "append", full)
    r = world.call("openai", "POST", "/v1/revenue", json=REVENUE)
    assert r.status_code == 503, r.text
    assert "Retry-After" in r.headers


REVENUE = {"payee": "microsoft", "period": "2025-02", "amount": 1}


def test_serve_warns_when_it_cannot_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from charter.cli.operate import write_problem
    from charter.ledger import Database

    db = Database(f"sqlite:///{tmp_path / 'charter.db'}")
    db.upgrade()
    try:
        assert write_problem(db) is None
        usage = shutil.disk_usage(tmp_path)
        monkeypatch.setattr(shutil, "disk_usage", lambda _: usage._replace(free=1_000_000))
        assert "only 1 MB free" in (write_problem(db) or "")
    finally:
        db.dispose()


# ---------------------------------------------------------------------------- hardening
def test_answers_carry_security_headers_and_health_says_only_up(world: World) -> None:
    r = world.call(None, "GET", "/health")
    assert r.json() == {"ok": True}
    for path in ("/health", "/v1/ledger"):
        r = world.call("openai", "GET", path)
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["cache-control"] == "no-store"
    assert world.call(None, "GET", "/v1/ledger").headers["cache-control"] == "no-store"


def test_docs_are_a_setting(tmp_path: Path) -> None:
    from charter.ledger import Database
    from charter.service import Settings, create_app

    url = f"sqlite:///{tmp_path / 'charter.db'}"
    Database(url).upgrade()
    for docs in (False, True):
        app = create_app(Settings(db_url=url, docs=docs))
        try:
            with TestClient(app) as client:
                assert client.get("/docs").status_code == (200 if docs else 404)
                assert client.get("/openapi.json").status_code == 200
        finally:
            app.state.db.dispose()


def test_the_sqlite_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    from charter.ledger import Database

    db = Database(f"sqlite:///{tmp_path / 'charter.db'}")
    try:
        db.upgrade()
    finally:
        db.dispose()
    for f in tmp_path.iterdir():
        assert f.stat().st_mode & 0o777 == 0o600, f
