"""The ledger's workflows called directly, as the CLI acting on the database can call them:
the same answers and refusals as the HTTP service, without it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from charter.errors import CharterError
from charter.ledger import rofr, spend
from charter.ledger.commitments import burn_down
from charter.ledger.feed import list_events, verify_chain
from charter.ledger.store import Conflict, Forbidden, InvalidRequest, NotFound, Store
from charter.service.policy import Caller
from charter.service.schemas import RevenueCreate, RofrRequestCreate

NOW = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)
OPENAI = Caller("openai", "operator")
MICROSOFT = Caller("microsoft", "operator")
FILING = RofrRequestCreate(
    provider="gcp",
    family="tpu-v6e",
    quantity={"2025-04": 100000},
    window_from=dt.date(2025, 4, 1),
    window_to=dt.date(2025, 6, 30),
    price_per_hour=2.7,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    with pytest.raises(CharterError, match="charter db upgrade"):
        Store.open(url)
    Store.open(url, check_schema=False).db.upgrade()
    s = Store.open(url)
    yield s
    s.close()


def test_the_rofr_process_without_http(store: Store) -> None:
    filed = rofr.file_request(store, caller=OPENAI, filing=FILING, key="k1", now=NOW)
    assert filed.status == 201 and filed.body["holder"] == "microsoft"
    again = rofr.file_request(store, caller=OPENAI, filing=FILING, key="k1", now=NOW)
    assert again == filed  # the first answer, recorded once
    rid = filed.body["id"]
    inbox = rofr.list_requests(store, caller=MICROSOFT, now=NOW)
    assert [r["id"] for r in inbox] == [rid] and "private" not in inbox[0]
    with pytest.raises(Forbidden, match="only the holder") as refused:
        rofr.answer_request(store, caller=OPENAI, rid=rid, match=True, key="m0", now=NOW)
    assert refused.value.status == 403
    done = rofr.answer_request(store, caller=MICROSOFT, rid=rid, match=True, key="m1", now=NOW)
    receipt = done.body.pop("receipt")
    assert done.body == {"id": rid, "status": "matched", "seq": 2}
    assert receipt["seq"] == 2 and receipt["checkpoint"]["size"] == 2
    with pytest.raises(Conflict) as late:
        rofr.answer_request(store, caller=MICROSOFT, rid=rid, match=False, key="m2", now=NOW)
    assert f"{late.value.status}: {late.value}".startswith("409: the request is matched")
    with pytest.raises(NotFound):
        rofr.get_request(store, caller=Caller("google", "viewer"), rid=rid, now=NOW)
    assert verify_chain(store)["ok"] is True
    assert len(list_events(store, caller=MICROSOFT)["events"]) == 2


def test_refusals_read_as_the_cli_prints_them(store: Store) -> None:
    with pytest.raises(InvalidRequest) as bad:
        rofr.file_request(
            store,
            caller=OPENAI,
            filing=FILING.model_copy(update={"window_to": dt.date(2025, 1, 1)}),
            key="k",
            now=NOW,
        )
    assert str(bad.value) == "window_to: window_to is before window_from"
    assert bad.value.errors[0]["loc"] == ["body", "window_to"]
    with pytest.raises(InvalidRequest, match="Idempotency-Key"):
        rofr.file_request(store, caller=OPENAI, filing=FILING, key=None, now=NOW)
    with pytest.raises(ValidationError) as invalid:
        RofrRequestCreate.model_validate({**FILING.model_dump(), "price_per_hour": -1})
    assert str(InvalidRequest.from_validation(invalid.value)).startswith("price_per_hour: ")
    text = "BilledCost,ProviderName,ChargePeriodStart,ChargePeriodEnd\noops,aws,2025-02-01,x\n"
    with pytest.raises(InvalidRequest, match="line 2"):
        spend.import_spend(store, caller=OPENAI, csv_text=text, key="s", now=NOW)
    assert list_events(store, caller=OPENAI)["events"] == []


def test_spend_and_burn_down(store: Store) -> None:
    text = (
        "BilledCost,EffectiveCost,ProviderName,ChargePeriodStart,ChargePeriodEnd\n"
        "1000,900,Microsoft Azure,2025-11-01,2025-11-30\n"
    )
    later = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    got = spend.import_spend(store, caller=OPENAI, csv_text=text, key="f", now=later)
    assert {k: v for k, v in got.body.items() if k != "receipt"} == {"imported": 1, "seqs": [1]}
    (c,) = burn_down(store, caller=MICROSOFT, now=later)["commitments"]
    assert c["clause"] == "V4.C10" and c["spent"] == 900.0


def test_amounts_past_the_bound_are_refused_on_the_way_in() -> None:
    """1.7e308 is a valid float, not an amount: two of them summed to a null revenue."""
    for amount in (1.7e308, "1", True, 10**15):
        with pytest.raises(ValidationError):
            RevenueCreate.model_validate(
                {"payee": "microsoft", "period": "2026-07", "amount": amount}
            )
    ok = RevenueCreate.model_validate({"payee": "microsoft", "period": " 2025-q4 ", "amount": 0.1})
    assert ok.period == "2025-Q4" and str(ok.amount) == "0.1"
