"""Real FinOps FOCUS files through ``POST /v1/spend/import``: the providers' FOCUS names,
credits, the exclusive ChargePeriodEnd, strict cells, located and capped errors, the 1.3
columns and the import's rates (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.service.test_service import World, db_url  # noqa: F401  (the backend fixture)

AT = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
HEADER = "BilledCost,EffectiveCost,ProviderName,ChargePeriodStart,ChargePeriodEnd"
JANUARY = "2026-01-01T00:00:00Z,2026-02-01T00:00:00Z"


def _import(w: World, csv: str, **kw: Any) -> Any:
    return w.call("openai", "POST", "/v1/spend/import", content=csv.encode(), **kw)


def _payloads(w: World) -> list[dict[str, Any]]:
    return [e["payload"] for e in w.call("openai", "GET", "/v1/ledger").json()["events"]]


def _c10(w: World) -> dict[str, Any]:
    got = w.call("microsoft", "GET", "/v1/commitments").json()["commitments"]
    return next(c for c in got if c["clause"] == "V4.C10")


def _items(r: Any) -> list[dict[str, Any]]:
    assert r.status_code == 422, r.text
    return list(r.json()["detail"])


def test_provider_names_are_those_the_scenario_declares(db_url: str) -> None:  # noqa: F811
    w = World(db_url, AT)
    names = ["Microsoft", " microsoft ", "MICROSOFT AZURE", "azure"]
    rows = "".join(f"1,,{n},{JANUARY}\n" for n in names)
    assert _import(w, HEADER + "\n" + rows).status_code == 201
    assert [p["provider"] for p in _payloads(w)] == ["azure"] * 4
    (item,) = _items(_import(w, HEADER + f"\n1,,Azure Cloud,{JANUARY}\n"))
    assert item["loc"] == ["body", "line 2", "ProviderName"]
    assert "unknown provider 'Azure Cloud'" in item["msg"]
    assert "azure: azure, Microsoft Azure, Microsoft" in item["msg"]


def test_credits_subtract_in_the_burn_down(db_url: str) -> None:  # noqa: F811
    w = World(db_url, AT)
    csv = HEADER + f"\n1000,,Microsoft,{JANUARY}\n-250.5,-250.5,Microsoft,{JANUARY}\n"
    assert _import(w, csv).status_code == 201
    c = _c10(w)
    assert c["exact"]["spent"] == "749.5" and c["remaining"] == 250e9 - 749.5
    one = {"provider": "azure", "billed_cost": -10, "period_start": "2026-02-01"}
    r = w.call("openai", "POST", "/v1/spend", json={**one, "period_end": "2026-02-28"})
    assert r.status_code == 201, r.text
    assert _c10(w)["exact"]["spent"] == "739.5"
    (item,) = _items(_import(w, HEADER + f"\n-1000000000000000,,Microsoft,{JANUARY}\n"))
    assert item["loc"] == ["body", "line 2", "BilledCost"] and "10^15" in item["msg"]


def test_charge_period_end_is_exclusive(db_url: str) -> None:  # noqa: F811
    w = World(db_url, AT)
    rows = [
        JANUARY,  # a month
        "2026-01-31T00:00:00Z,2026-02-01T00:00:00Z",  # a day
        "2026-03-01T00:00:00Z,2026-03-01T12:00:00Z",  # part of a day
        "2026-04-01,2026-05-01",  # dates alone: their midnights
        "2026-04-01T00:00:00+02:00,2026-05-01T00:00:00+02:00",  # the days named
    ]
    csv = HEADER + "\n" + "".join(f"1,,Microsoft,{r}\n" for r in rows)
    assert _import(w, csv).status_code == 201
    periods = [(p["period_start"], p["period_end"]) for p in _payloads(w)]
    assert periods == [
        ("2026-01-01", "2026-01-31"),
        ("2026-01-31", "2026-01-31"),
        ("2026-03-01", "2026-03-01"),
        ("2026-04-01", "2026-04-30"),
        ("2026-04-01", "2026-04-30"),
    ]
    for empty in ("2026-01-01T00:00:00Z,2026-01-01T00:00:00Z", "2026-02-01,2026-01-01"):
        (item,) = _items(_import(w, HEADER + f"\n1,,Microsoft,{empty}\n"))
        assert item["loc"] == ["body", "line 2", "ChargePeriodEnd"]
        assert "empty" in item["msg"] and "exclusive" in item["msg"]


def test_bad_cells_are_refused_by_line_and_column(db_url: str) -> None:  # noqa: F811
    w = World(db_url, AT)
    header = HEADER + ",BillingCurrency"
    cases = {
        "1,,Microsoft,2026-01-01xyz,2026-02-01,USD": ("ChargePeriodStart", "2026-01-01xyz"),
        "1,,Microsoft,2026-01-01,2026-13-01,USD": ("ChargePeriodEnd", "not a date"),
        "1,,Microsoft,2026-01-01T00:00:00,2026-02-01,USD": ("ChargePeriodStart", "not a date"),
        f"1_000,,Microsoft,{JANUARY},USD": ("BilledCost", "not a decimal amount: '1_000'"),
        f"1,1e3,Microsoft,{JANUARY},USD": ("EffectiveCost", "not a decimal amount"),
        f"1,,Microsoft,{JANUARY},=A1": ("BillingCurrency", "ISO 4217"),
        f"1,,Microsoft,{JANUARY},US": ("BillingCurrency", "ISO 4217"),
        f"1,,Microsoft,{JANUARY}": (None, "the row has 5 cells, the header 6"),
    }
    csv = header + "\n" + "".join(f"{row}\n" for row in cases)
    items = _items(_import(w, csv))
    assert len(items) == len(cases)
    for line, (item, (column, said)) in enumerate(zip(items, cases.values(), strict=True), 2):
        assert item["loc"] == ["body", f"line {line}", *([column] if column else [])]
        assert said in item["msg"]
    twice = HEADER + ",BilledCost\n" + f"1,,Microsoft,{JANUARY},2\n"
    (item,) = _items(_import(w, twice))
    assert item["loc"] == ["body", "line 1", "BilledCost"] and "twice" in item["msg"]
    assert _payloads(w) == []


def test_a_file_of_many_bad_rows_names_the_first_twenty(db_url: str) -> None:  # noqa: F811
    w = World(db_url, AT)
    csv = HEADER + "\n" + f"1,,Microsoft,{JANUARY}\n" + f"x,,Microsoft,{JANUARY}\n" * 5000
    r = _import(w, csv)
    items = _items(r)
    assert len(r.content) < 10_000
    assert len(items) == 21 and items[0]["loc"] == ["body", "line 3", "BilledCost"]
    assert items[19]["loc"] == ["body", "line 22", "BilledCost"]
    more = {"loc": ["body"], "msg": "... and 4,980 more bad rows", "type": "value_error"}
    assert items[20] == more


def test_focus_1_3_columns(db_url: str) -> None:  # noqa: F811
    w = World(db_url, AT)
    header = "BilledCost,ServiceProviderName,HostProviderName,ChargePeriodStart,ChargePeriodEnd"
    applied = '"[{""ContractCommitmentID"": ""c-1"", ""ContractCommitmentAppliedCost"": 5}]"'
    csv = f"{header},ContractApplied\n5,Microsoft,Microsoft,{JANUARY},{applied}\n"
    csv += f"7,Microsoft,,{JANUARY},\n"
    assert _import(w, csv).status_code == 201
    first, second = _payloads(w)
    assert first["contract_applied"] == [
        {"ContractCommitmentID": "c-1", "ContractCommitmentAppliedCost": 5}
    ]
    assert first["provider"] == "azure" and "contract_applied" not in second
    bad = f"{header},ContractApplied\n5,Microsoft,,{JANUARY},{{oops\n"
    (item,) = _items(_import(w, bad))
    assert item["loc"] == ["body", "line 2", "ContractApplied"] and "not JSON" in item["msg"]
    neither = "BilledCost,HostProviderName,ChargePeriodStart,ChargePeriodEnd\n"
    (item,) = _items(_import(w, neither + f"1,Microsoft,{JANUARY}\n"))
    assert "missing FOCUS columns: ServiceProviderName or ProviderName" in item["msg"]


def test_a_rate_counts_a_file_in_another_currency(db_url: str) -> None:  # noqa: F811
    w = World(db_url, AT)
    csv = HEADER + f",BillingCurrency\n1000,,Microsoft,{JANUARY},EUR\n"
    (item,) = _items(_import(w, csv))
    assert item["loc"] == ["body", "line 2", "BillingCurrency"]
    assert "rate EUR=RATE (1 EUR in USD)" in item["msg"] and "V4.C10" in item["msg"]
    for bad in ("EUR", "EUR=x", "EUR=0", "E1R=1.0", "EUR=1_0"):
        (item,) = _items(_import(w, csv, params={"rate": bad}))
        assert item["loc"] == ["query", "rate"] and repr(bad) in item["msg"]
    (item,) = _items(_import(w, csv, params=[("rate", "EUR=1.08"), ("rate", "eur=1.1")]))
    assert "a second rate for EUR" in item["msg"]
    usd = HEADER + f"\n1,,Microsoft,{JANUARY}\n"
    (item,) = _items(_import(w, usd, params={"rate": "USD=1"}))
    assert "no rate applies (drop the rate for USD)" in item["msg"]
    assert _import(w, csv, params={"rate": "EUR=1.08"}).status_code == 201
    assert _c10(w)["exact"]["spent"] == "1080"
    assert _payloads(w)[0]["rate_to_commitment"] == 1.08


def test_credits_alone_leave_a_negative_spend(db_url: str) -> None:  # noqa: F811
    w = World(db_url, AT)
    assert _import(w, HEADER + f"\n-100,,Microsoft,{JANUARY}\n").status_code == 201
    c = _c10(w)
    assert c["exact"]["spent"] == "-100" and c["remaining"] == 250e9 + 100
    assert c["projected_shortfall"] > 0


def test_an_import_is_recorded_once_per_key_and_rates(db_url: str) -> None:  # noqa: F811
    w = World(db_url, AT)
    csv = HEADER + f",BillingCurrency\n1000,,Microsoft,{JANUARY},EUR\n"
    first = _import(w, csv, key="k", params={"rate": "EUR=1.08"})
    assert first.status_code == 201
    again = _import(w, csv, key="k", params={"rate": "EUR=1.08"})
    assert again.status_code == 201 and again.json()["seqs"] == first.json()["seqs"]
    other = _import(w, csv, key="k", params={"rate": "EUR=1.1"})
    assert other.status_code == 422 and "Idempotency-Key" in other.text
    assert len(_payloads(w)) == 1 and _c10(w)["exact"]["spent"] == "1080"
