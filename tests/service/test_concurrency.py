"""The service under concurrent writers, on SQLite and on PostgreSQL (when
CHARTER_TEST_POSTGRES_URL is set): one answer per ROFR request, and concurrent retries with one
Idempotency-Key all get the first answer. Two apps on one database stand in for two server
processes; threads released together by a barrier race each other."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import traceback
import uuid
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

import charter
from charter.ledger import Database
from charter.service import Settings, create_app
from charter.service.clock import ManualClock
from charter.service.tokens import create_token
from tests.support.backends import BACKENDS, database_url
from tests.support.rofr import ROFR_BODY

AT = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)
ANSWERS = ("rofr.matched", "rofr.declined")


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_url(request, tmp_path, "charter.db")


class Servers:
    """Two apps (two "server processes") on one database, and a token per party."""

    def __init__(self, db_url: str) -> None:
        self.db = Database(db_url)
        self.db.upgrade()
        parties = set(charter.load_scenario(None).parties)
        self.tokens = {
            p: create_token(self.db, p, "operator", parties)[1] for p in ("openai", "microsoft")
        }
        self.apps = [
            create_app(Settings(db_url=db_url, clock=ManualClock(AT), extra={"token_ttl": 0}))
            for _ in range(2)
        ]
        self.clients = [TestClient(app, raise_server_exceptions=False) for app in self.apps]

    def close(self) -> None:
        for client, app in zip(self.clients, self.apps, strict=True):
            client.close()
            app.state.db.dispose()
        self.db.dispose()

    def post(self, server: int, party: str, path: str, key: str | None = None, **kw: Any) -> Any:
        headers = {
            "Authorization": f"Bearer {self.tokens[party]}",
            "Idempotency-Key": key or str(uuid.uuid4()),
        }
        return self.clients[server % 2].post(path, headers=headers, **kw)

    def file(self) -> str:
        r = self.post(0, "openai", "/v1/rofr/requests", json=ROFR_BODY)
        assert r.status_code == 201 and r.json()["status"] == "open", r.text
        return str(r.json()["id"])

    def get(self, rid: str) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.tokens['openai']}"}
        got: dict[str, Any] = (
            self.clients[0].get(f"/v1/rofr/requests/{rid}", headers=headers).json()
        )
        return got

    def answer_events(self, rid: str) -> list[str]:
        ledger = self.apps[0].state.ledger
        with self.db.reader() as s:
            return [e.kind for e in ledger.events(s, kinds=ANSWERS) if e.payload["id"] == rid]


@pytest.fixture
def servers(db_url: str) -> Iterator[Servers]:
    s = Servers(db_url)
    yield s
    s.close()


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run ``calls`` at once from threads (released together); their results in order."""
    barrier = threading.Barrier(len(calls))
    out: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        out[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_match_and_decline_at_once_record_one_answer(servers: Servers) -> None:
    """20 trials of the holder's match on one server against its decline on the other."""
    bad: list[str] = []
    for trial in range(20):
        rid = servers.file()
        first, second = (0, 1) if trial % 2 else (1, 0)
        m, d = race(
            [
                partial(servers.post, first, "microsoft", f"/v1/rofr/requests/{rid}/match"),
                partial(servers.post, second, "microsoft", f"/v1/rofr/requests/{rid}/decline"),
            ]
        )
        events = servers.answer_events(rid)
        final = servers.get(rid)["status"]
        codes = sorted([m.status_code, d.status_code])
        ok = (
            len(events) == 1
            and codes == [200, 409]
            and final == ("matched" if events == ["rofr.matched"] else "released")
            and all(r.json()["status"] == final for r in (m, d) if r.status_code == 200)
        )
        if not ok:
            bad.append(f"trial {trial}: events {events}, {m.status_code}/{d.status_code}, {final}")
    assert not bad, f"{len(bad)}/20 trials: {bad}"


def test_four_matches_at_once_record_one(servers: Servers) -> None:
    bad: list[str] = []
    for trial in range(5):
        rid = servers.file()
        path = f"/v1/rofr/requests/{rid}/match"
        replies = race([partial(servers.post, i, "microsoft", path) for i in range(4)])
        events = servers.answer_events(rid)
        codes = sorted(r.status_code for r in replies)
        if events != ["rofr.matched"] or codes != [200, 409, 409, 409]:
            bad.append(f"trial {trial}: events {events}, statuses {codes}")
    assert not bad, f"{len(bad)}/5 trials: {bad}"


def test_concurrent_retries_get_the_first_answer(servers: Servers) -> None:
    """40 retries of one filing with one Idempotency-Key, at once on two servers: one
    request is filed, and every retry gets its answer (status and body), never a 500."""
    key = str(uuid.uuid4())
    replies = race(
        [
            partial(servers.post, i, "openai", "/v1/rofr/requests", key=key, json=ROFR_BODY)
            for i in range(40)
        ]
    )
    answers = {(r.status_code, r.text) for r in replies}
    statuses = [r.status_code for r in replies]
    assert len(answers) == 1, {c: statuses.count(c) for c in set(statuses)}
    ((status, _),) = answers
    assert status == 201
    with servers.db.reader() as s:
        filed = list(servers.apps[0].state.ledger.events(s, kinds=["rofr.filed"]))
    assert len(filed) == 1


def test_a_failing_request_logs_no_sql_parameters(
    servers: Servers, caplog: pytest.LogCaptureFixture
) -> None:
    """A write that fails in the database (here: the idempotency table is gone) answers with
    an error, and neither the log nor the error a server logs carries the SQL parameters."""
    key = f"secret-key-{uuid.uuid4()}"
    with servers.db.engine.begin() as conn:
        conn.execute(text("DROP TABLE idempotency"))
    client = TestClient(servers.apps[0])  # raises what the server would log with its traceback
    headers = {"Authorization": f"Bearer {servers.tokens['openai']}", "Idempotency-Key": key}
    logged: list[str] = []
    with caplog.at_level(logging.DEBUG):
        try:
            r = client.post("/v1/rofr/requests", headers=headers, json=ROFR_BODY)
            assert r.status_code >= 500 and key not in r.text
        except Exception as exc:  # a 500: what uvicorn logs is this traceback
            logged.append("".join(traceback.format_exception(exc)))
    for rec in caplog.records:
        logged.append(rec.getMessage())
        if rec.exc_info and rec.exc_info[1] is not None:
            logged.append("".join(traceback.format_exception(rec.exc_info[1])))
    assert not [line for line in logged if key in line]
