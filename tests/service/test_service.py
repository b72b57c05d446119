"""The service against SQLite (and PostgreSQL when CHARTER_TEST_POSTGRES_URL is set):
ROFR process, idempotency, ledger integrity, per-party visibility, authorization matrix."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import text

import charter
from charter.ledger import Database
from charter.service import Settings, create_app
from charter.service.clock import ManualClock
from charter.service.policy import ROUTES
from charter.service.tokens import create_token
from tests.support.backends import BACKENDS, database_url
from tests.support.rofr import ROFR_BODY

OPEN: list[World] = []


@pytest.fixture(autouse=True)
def _close_worlds() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_url(request, tmp_path, "charter.db")


class World:
    """An app as of a date, with a token per party and role."""

    def __init__(self, db_url: str, at: dt.datetime, scenario: str | None = None) -> None:
        self.db = Database(db_url)
        self.db.upgrade()
        self.clock = ManualClock(at)
        self.app = create_app(
            Settings(
                db_url=db_url,
                scenario=scenario,
                clock=self.clock,
                extra={"token_ttl": 0, "verify_ttl": 0},
            )
        )
        self.client = TestClient(self.app)
        parties = set(charter.load_scenario(scenario).parties)
        OPEN.append(self)
        self.tokens: dict[tuple[str, str], str] = {}
        for party in ("openai", "microsoft", "google", "amazon"):
            if party in parties:
                for role in ("viewer", "operator"):
                    self.tokens[(party, role)] = create_token(self.db, party, role, parties)[1]

    def close(self) -> None:
        self.client.close()
        self.app.state.db.dispose()
        self.db.dispose()

    def call(
        self,
        party: str | None,
        method: str,
        path: str,
        role: str = "operator",
        key: str | None = "auto",
        **kw: Any,
    ) -> Any:
        headers = dict(kw.pop("headers", {}))
        if party is not None:
            headers["Authorization"] = f"Bearer {self.tokens[(party, role)]}"
        if key == "auto" and method == "POST" and not path.startswith("/v1/decisions"):
            headers["Idempotency-Key"] = str(uuid.uuid4())
        elif key not in (None, "auto"):
            headers["Idempotency-Key"] = key
        return self.client.request(method, path, headers=headers, **kw)


@pytest.fixture
def world2025(db_url: str) -> Iterator[World]:
    yield World(db_url, dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC))


# ------------------------------------------------------------------ health and auth
def test_health_is_anonymous_and_everything_else_is_not(world2025: World) -> None:
    assert world2025.call(None, "GET", "/health").json()["ok"] is True
    assert world2025.call(None, "GET", "/v1/ledger").status_code == 401
    bad = world2025.client.get("/v1/ledger", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_every_route_has_an_authorization_entry(world2025: World) -> None:
    ops = {r.operation_id for r in world2025.app.routes if isinstance(r, APIRoute)}
    assert ops == set(ROUTES), "a route without an entry in policy.ROUTES (or a stale entry)"


def _sample_call(world: World, op: str, party: str, role: str) -> int:
    """One representative call per route, generated from ROUTES."""
    calls: dict[str, tuple[str, str, dict[str, Any]]] = {
        "health": ("GET", "/health", {}),
        "decide": (
            "POST",
            "/v1/decisions",
            {"json": {"at": "2025-03-01", "principal": party, "action": "pursue-agi"}},
        ),
        "decide_batch": (
            "POST",
            "/v1/decisions/batch",
            {
                "json": {
                    "requests": [{"at": "2025-03-01", "principal": party, "action": "pursue-agi"}]
                }
            },
        ),
        "rofr_file": ("POST", "/v1/rofr/requests", {"json": ROFR_BODY}),
        "rofr_list": ("GET", "/v1/rofr/requests", {}),
        "rofr_get": ("GET", f"/v1/rofr/requests/{uuid.uuid4()}", {}),
        "rofr_match": ("POST", f"/v1/rofr/requests/{uuid.uuid4()}/match", {}),
        "rofr_decline": ("POST", f"/v1/rofr/requests/{uuid.uuid4()}/decline", {}),
        "spend_record": (
            "POST",
            "/v1/spend",
            {
                "json": {
                    "provider": "azure",
                    "billed_cost": 1,
                    "period_start": "2025-02-01",
                    "period_end": "2025-02-28",
                }
            },
        ),
        "spend_import": (
            "POST",
            "/v1/spend/import",
            {
                "content": b"BilledCost,ProviderName,"
                b"ChargePeriodStart,ChargePeriodEnd\n1,azure,2025-02-01,2025-02-28\n"
            },
        ),
        "commitments": ("GET", "/v1/commitments", {}),
        "revenue_record": (
            "POST",
            "/v1/revenue",
            {"json": {"payee": "microsoft", "period": "2025-02", "amount": 1}},
        ),
        "revenue_statement": (
            "GET",
            "/v1/revenue/statement?period=2025-02&payer=openai&payee=microsoft",
            {},
        ),
        "ledger_list": ("GET", "/v1/ledger", {}),
        "ledger_verify": ("GET", "/v1/ledger/verify", {}),
        "ledger_checkpoint": ("GET", "/v1/ledger/checkpoint", {}),
        "ledger_proof": ("GET", "/v1/ledger/proof", {}),
    }
    method, path, kw = calls[op]
    return int(world.call(party, method, path, role=role, **kw).status_code)


@pytest.mark.parametrize("op", sorted(ROUTES))
def test_authorization_matrix(world2025: World, op: str) -> None:
    for party in ("openai", "microsoft", "google"):
        viewer = _sample_call(world2025, op, party, "viewer")
        if ROUTES[op] == "operator":
            assert viewer == 403, (op, party)
        else:
            assert viewer != 403 or op in ("revenue_statement",), (op, party, viewer)
        operator = _sample_call(world2025, op, party, "operator")
        assert operator < 500, (op, party, operator)
        if op == "revenue_statement":
            assert operator == (200 if party in ("openai", "microsoft") else 403)


# ------------------------------------------------------------------ the ROFR process
def test_rofr_holder_sees_the_request_without_the_third_party(world2025: World) -> None:
    w = world2025
    filed = w.call("openai", "POST", "/v1/rofr/requests", json=ROFR_BODY)
    assert filed.status_code == 201, filed.text
    r = filed.json()
    assert (r["status"], r["holder"], r["clause"]) == ("open", "microsoft", "V3.C6")
    assert r["private"]["provider"] == "gcp"
    inbox = w.call("microsoft", "GET", "/v1/rofr/requests", role="viewer").json()["requests"]
    assert [x["id"] for x in inbox] == [r["id"]]
    assert "private" not in inbox[0] and "gcp" not in str(inbox[0])
    assert inbox[0]["quantity"] == {"2025-04": 100000.0} and inbox[0]["price_per_hour"] == 2.7
    # google (the third party itself) and amazon see nothing
    assert w.call("google", "GET", "/v1/rofr/requests").json()["requests"] == []
    assert w.call("google", "GET", f"/v1/rofr/requests/{r['id']}").status_code == 404
    # ledger views: microsoft sees the event without the third party's identity
    events = w.call("microsoft", "GET", "/v1/ledger").json()["events"]
    assert len(events) == 1 and "gcp" not in str(events[0])
    assert w.call("google", "GET", "/v1/ledger").json()["events"] == []


def test_rofr_match(world2025: World) -> None:
    w = world2025
    rid = w.call("openai", "POST", "/v1/rofr/requests", json=ROFR_BODY).json()["id"]
    assert w.call("openai", "POST", f"/v1/rofr/requests/{rid}/match").status_code == 403
    m = w.call("microsoft", "POST", f"/v1/rofr/requests/{rid}/match")
    assert m.status_code == 200 and m.json()["status"] == "matched"
    again = w.call("microsoft", "POST", f"/v1/rofr/requests/{rid}/decline")
    assert again.status_code == 409
    assert w.call("openai", "GET", f"/v1/rofr/requests/{rid}").json()["status"] == "matched"


def test_rofr_decline_releases(world2025: World) -> None:
    w = world2025
    rid = w.call("openai", "POST", "/v1/rofr/requests", json=ROFR_BODY).json()["id"]
    assert w.call("microsoft", "POST", f"/v1/rofr/requests/{rid}/decline").status_code == 200
    got = w.call("openai", "GET", f"/v1/rofr/requests/{rid}").json()
    assert got["status"] == "released" and "declined" in got["reason"]


def test_rofr_deadline_expiry_releases(world2025: World) -> None:
    w = world2025
    rid = w.call("openai", "POST", "/v1/rofr/requests", json=ROFR_BODY).json()["id"]
    w.clock.advance(days=29)
    assert w.call("openai", "GET", f"/v1/rofr/requests/{rid}").json()["status"] == "open"
    w.clock.advance(days=2)
    got = w.call("openai", "GET", f"/v1/rofr/requests/{rid}").json()
    assert got["status"] == "released" and "deadline" in got["reason"]
    late = w.call("microsoft", "POST", f"/v1/rofr/requests/{rid}/match")
    assert late.status_code == 409


def test_rofr_request_when_no_rofr_is_in_force(db_url: str) -> None:
    w = World(db_url, dt.datetime(2025, 12, 1, tzinfo=dt.UTC))
    # a window ahead of the clock (one that has ended is a 422)
    body = {**ROFR_BODY, "quantity": {"2026-01": 1000}}
    body.update(window_from="2026-01-01", window_to="2026-03-31")
    r = w.call("openai", "POST", "/v1/rofr/requests", json=body).json()
    assert r["status"] == "released" and r["holder"] is None
    assert "V4.C10" in r["reason"]
    assert w.call("microsoft", "GET", "/v1/rofr/requests").json()["requests"] == []


# ------------------------------------------------------------------ idempotency and 422s
def test_idempotent_writes(world2025: World) -> None:
    w = world2025
    a = w.call("openai", "POST", "/v1/rofr/requests", key="k1", json=ROFR_BODY)
    b = w.call("openai", "POST", "/v1/rofr/requests", key="k1", json=ROFR_BODY)
    assert a.status_code == b.status_code == 201 and a.json() == b.json()
    assert len(w.call("openai", "GET", "/v1/ledger").json()["events"]) == 1
    other = w.call(
        "openai", "POST", "/v1/rofr/requests", key="k1", json={**ROFR_BODY, "price_per_hour": 3.0}
    )
    assert other.status_code == 422
    missing = w.call("openai", "POST", "/v1/rofr/requests", key=None, json=ROFR_BODY)
    assert missing.status_code == 422 and "Idempotency-Key" in missing.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**ROFR_BODY, "price_per_hour": -1}, "price_per_hour"),
        ({**ROFR_BODY, "quantity": {}}, "quantity"),
        ({**ROFR_BODY, "window_from": "soon"}, "window_from"),
        ({**ROFR_BODY, "color": "red"}, "color"),
    ],
)
def test_bad_input_is_422_with_the_field(
    world2025: World, body: dict[str, Any], field: str
) -> None:
    r = world2025.call("openai", "POST", "/v1/rofr/requests", json=body)
    assert r.status_code == 422
    assert any(field in [str(x) for x in d["loc"]] for d in r.json()["detail"])


def test_focus_import_all_or_nothing(world2025: World) -> None:
    w = world2025
    bad = (
        b"BilledCost,EffectiveCost,ProviderName,ChargePeriodStart,ChargePeriodEnd\n"
        b"100,90,azure,2025-02-01,2025-02-28\n"
        b"oops,,aws,2025-02-01,2025-02-28\n"
    )
    r = w.call("openai", "POST", "/v1/spend/import", content=bad)
    assert r.status_code == 422 and "line 3" in r.text
    assert w.call("openai", "GET", "/v1/ledger").json()["events"] == []


# ------------------------------------------------------------------ spend, commitments, revenue
def test_spend_visibility_and_burn_down(db_url: str) -> None:
    w = World(db_url, dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    focus = (
        b"BilledCost,EffectiveCost,ProviderName,ChargePeriodStart,ChargePeriodEnd,"
        b"BillingCurrency\n1000000,900000,Microsoft Azure,2026-05-01,2026-05-31,USD\n"
        b"500000,,gcp,2026-05-01,2026-05-31,USD\n"
    )
    # openai shares no agreement with google: the whole file is refused, the gcp line named
    refused = w.call("openai", "POST", "/v1/spend/import", content=focus)
    assert refused.status_code == 403 and "line 3" in refused.text and "google" in refused.text
    focus = focus.rsplit(b"\n", 2)[0] + b"\n"
    assert w.call("openai", "POST", "/v1/spend/import", content=focus).status_code == 201
    ms_events = w.call("microsoft", "GET", "/v1/ledger").json()["events"]
    assert [e["payload"]["provider"] for e in ms_events] == ["azure"]
    assert w.call("google", "GET", "/v1/ledger").json()["events"] == []
    burn = {
        c["clause"]: c for c in w.call("microsoft", "GET", "/v1/commitments").json()["commitments"]
    }
    c = burn["V4.C10"]
    assert c["spent"] == pytest.approx(900000) and c["committed"] == 250e9
    assert c["projected_shortfall"] > 0 and c["remaining"] == pytest.approx(250e9 - 900000)
    assert w.call("google", "GET", "/v1/commitments").json()["commitments"] == []


def test_revenue_statement(db_url: str) -> None:
    w = World(db_url, dt.datetime(2026, 10, 5, tzinfo=dt.UTC))
    for period, amount in (("2026-Q2", 40e9), ("2026-Q3", 50e9)):
        assert (
            w.call(
                "openai",
                "POST",
                "/v1/revenue",
                json={"payee": "microsoft", "period": period, "amount": amount},
            ).status_code
            == 201
        )
    st = w.call(
        "microsoft",
        "GET",
        "/v1/revenue/statement?period=2026-Q3&payer=openai&payee=microsoft",
        role="viewer",
    ).json()
    assert st["amount"] == pytest.approx(10e9)
    assert st["cap_used"] == pytest.approx(0.2 * 40e9 * 65 / 91)
    assert (
        w.call(
            "google", "GET", "/v1/revenue/statement?period=2026-Q3&payer=openai&payee=microsoft"
        ).status_code
        == 403
    )


# ------------------------------------------------------------------ ledger integrity
@pytest.mark.parametrize("tamper", ["change", "delete", "reorder"])
def test_verify_detects_tampering(world2025: World, tamper: str) -> None:
    w = world2025
    a, b, c = (
        w.call("openai", "POST", "/v1/rofr/requests", json=ROFR_BODY).json()["seq"]
        for _ in range(3)
    )
    assert w.call("openai", "GET", "/v1/ledger/verify").json()["ok"] is True
    with w.db.engine.begin() as conn:
        if tamper == "change":
            conn.execute(text(f"UPDATE ledger_events SET actor = 'google' WHERE seq = {b}"))
        elif tamper == "delete":
            conn.execute(text(f"DELETE FROM ledger_events WHERE seq = {b}"))
        else:
            conn.execute(text(f"UPDATE ledger_events SET seq = 99999 WHERE seq = {a}"))
            conn.execute(text(f"UPDATE ledger_events SET seq = {a} WHERE seq = {c}"))
            conn.execute(text(f"UPDATE ledger_events SET seq = {c} WHERE seq = 99999"))
    v = w.call("openai", "GET", "/v1/ledger/verify").json()
    assert v["ok"] is False and v["broken_at"] in (a, b, c)


def test_a_truncated_log_is_refused_live_and_at_start(world2025: World) -> None:
    w = world2025
    firsts = [
        w.call("openai", "POST", "/v1/rofr/requests", json=ROFR_BODY, key=f"t{i}") for i in range(3)
    ]
    receipt = firsts[-1].json()["receipt"]
    last = firsts[0].json()["seq"] + 2
    assert receipt["seq"] == last and receipt["checkpoint"]["size"] == last
    cp = w.call("openai", "GET", "/v1/ledger/checkpoint").json()
    assert cp == receipt["checkpoint"]
    with w.db.engine.begin() as conn:
        conn.execute(text(f"DELETE FROM ledger_events WHERE seq = {last}"))
    # neither the acknowledged key replayed nor its sequence number reused: 503
    assert (
        w.call("openai", "POST", "/v1/rofr/requests", json=ROFR_BODY, key="t2").status_code == 503
    )
    assert w.call("openai", "POST", "/v1/rofr/requests", json=ROFR_BODY).status_code == 503
    v = w.call("openai", "GET", "/v1/ledger/verify").json()
    assert v["ok"] is False and "truncated (the last 1 removed)" in v["reason"]
    with pytest.raises(charter.CharterError, match="behind this server's last checkpoint"):
        create_app(Settings(db_url=w.db.url))


def test_concurrent_writers_never_fork_the_chain(world2025: World) -> None:
    w = world2025
    n_threads, per_thread = 8, 150
    errors: list[str] = []

    def writer(k: int) -> None:
        with TestClient(w.app) as client:
            _write(client, k)

    def _write(client: TestClient, k: int) -> None:
        token = w.tokens[("openai", "operator")]
        for i in range(per_thread):
            r = client.post(
                "/v1/revenue",
                json={"payee": "microsoft", "period": "2025-02", "amount": k * 1000 + i},
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"{k}-{i}"},
            )
            if r.status_code != 201:
                errors.append(r.text)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    v = w.call("openai", "GET", "/v1/ledger/verify").json()
    assert v == {**v, "ok": True, "events": n_threads * per_thread}, v


def test_serve_refuses_an_out_of_date_schema(tmp_path: Path) -> None:
    with pytest.raises(charter.CharterError, match="run `charter db upgrade`"):
        create_app(Settings(db_url=f"sqlite:///{tmp_path / 'new.db'}"))
