"""Money that cannot be silently wrong: exact, bounded amounts; one currency per commitment
unless a rate is given; canonical periods; writes only with a counterparty (SQLite and
PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from charter.ledger import Database
from charter.service.tokens import create_token
from tests.service.test_service import World, db_url  # noqa: F401  (the backend fixture)

AT = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
SPEND = {
    "provider": "azure",
    "billed_cost": 1000,
    "period_start": "2026-05-01",
    "period_end": "2026-05-31",
}


def _c10(w: World) -> dict[str, Any]:
    got = w.call("microsoft", "GET", "/v1/commitments").json()["commitments"]
    return next(c for c in got if c["clause"] == "V4.C10")


def test_huge_amounts_are_refused_and_sums_are_exact(db_url: str) -> None:  # noqa: F811
    w = World(db_url, AT)
    for _ in range(2):
        r = w.call("openai", "POST", "/v1/spend", json={**SPEND, "billed_cost": 1.7e308})
        assert r.status_code == 422 and "billed_cost" in r.text and "10^15" in r.text
        r = w.call(
            "openai",
            "POST",
            "/v1/revenue",
            json={"payee": "microsoft", "period": "2026-07", "amount": 1.7e308},
        )
        assert r.status_code == 422 and "amount" in r.text
    for bad in ("1", True, None, "NaN"):
        r = w.call("openai", "POST", "/v1/spend", json={**SPEND, "billed_cost": bad})
        assert r.status_code == 422 and "billed_cost" in r.text
    for _ in range(10):
        r = w.call("openai", "POST", "/v1/spend", json={**SPEND, "billed_cost": 0.1})
        assert r.status_code == 201
    c = _c10(w)
    assert c["exact"]["spent"] == "1" and c["spent"] == 1.0  # not 0.9999999999999999
    assert c["remaining"] == 250e9 - 1 and c["currency"] == "USD"


def test_other_currencies_are_refused_without_a_rate(db_url: str) -> None:  # noqa: F811
    w = World(db_url, AT)
    for currency in ("EUR", "JPY"):
        r = w.call(
            "openai", "POST", "/v1/spend", json={**SPEND, "billed_cost": 1e6, "currency": currency}
        )
        assert r.status_code == 422 and "rate_to_commitment" in r.text and "V4.C10" in r.text
    r = w.call("openai", "POST", "/v1/spend", json={**SPEND, "currency": "=A1"})
    assert r.status_code == 422 and "currency" in r.text and "ISO 4217" in r.text
    ok = {**SPEND, "billed_cost": 1000, "currency": "eur", "rate_to_commitment": 1.08}
    assert w.call("openai", "POST", "/v1/spend", json=ok).status_code == 201
    r = w.call("openai", "POST", "/v1/spend", json={**SPEND, "rate_to_commitment": 2})
    assert r.status_code == 422 and "no rate applies" in r.text
    c = _c10(w)
    assert c["exact"]["spent"] == "1080" and c["uncounted_currencies"] == []
    csv = b"BilledCost,ProviderName,ChargePeriodStart,ChargePeriodEnd,BillingCurrency\n"
    r = w.call(
        "openai", "POST", "/v1/spend/import", content=csv + b"1,azure,2026-05-01,2026-05-31,=A1\n"
    )
    assert r.status_code == 422 and "line 2" in r.text


@pytest.mark.parametrize("period", [" 2026-08 ", "2026-08\n", "2026-08"])
def test_periods_are_stored_canonical_and_counted(db_url: str, period: str) -> None:  # noqa: F811
    w = World(db_url, dt.datetime(2026, 10, 5, tzinfo=dt.UTC))
    for p in (period, "2026-q3"):
        body = {"payee": "microsoft", "period": p, "amount": 1000}
        assert w.call("openai", "POST", "/v1/revenue", json=body).status_code == 201
    events = w.call("openai", "GET", "/v1/ledger").json()["events"]
    assert [e["payload"]["period"] for e in events] == ["2026-08", "2026-Q3"]
    q = "/v1/revenue/statement?payer=openai&payee=microsoft&period="
    assert w.call("openai", "GET", q + "2026-08").json()["revenue"] == 1000
    assert w.call("openai", "GET", q + "2026-Q3").json()["revenue"] == 1000
    body = {"payee": "microsoft", "period": "2026-13", "amount": 1}
    r = w.call("openai", "POST", "/v1/revenue", json=body)
    assert r.status_code == 422 and "period" in r.text
    bad_date = {**SPEND, "period_start": "2026-05-01T00:00:00"}
    r = w.call("openai", "POST", "/v1/spend", json=bad_date)
    assert r.status_code == 422 and "period_start" in r.text


def test_writes_only_with_a_counterparty(db_url: str) -> None:  # noqa: F811
    w = World(db_url, AT)
    # google shares no agreement with microsoft: its azure spend is refused
    r = w.call("google", "POST", "/v1/spend", json={**SPEND, "billed_cost": 1e9})
    assert r.status_code == 403 and "no agreement" in r.text
    assert w.call("microsoft", "GET", "/v1/ledger").json()["events"] == []
    body = {"payee": "microsoft", "period": "2026-05", "amount": 1}
    assert w.call("google", "POST", "/v1/revenue", json=body).status_code == 403
    # microsoft with itself: no counterparty
    assert w.call("microsoft", "POST", "/v1/spend", json=SPEND).status_code == 403
    # a token made for a party of another scenario on the same database
    db = Database(db_url)
    token = create_token(db, "lab", "operator", {"lab"})[1]
    db.dispose()
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "x"}
    r = w.client.post("/v1/spend", json=SPEND, headers=headers)
    assert r.status_code == 403 and "not a party of this scenario" in r.text
    assert w.call("openai", "POST", "/v1/spend", json=SPEND).status_code == 201
