"""Reads by index (charter.ledger.projections): the same answers as a scan of every event,
indexes that verification checks, the service's verification reused within its ttl, and a
database from before the indexes upgraded into them."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from charter.ledger import Database
from charter.ledger.chain import GENESIS, _content, _sha
from charter.ledger.commitments import burn_down
from charter.ledger.feed import LedgerChecks, list_events, proof, verify_chain
from charter.ledger.store import Store
from charter.ledger.tokens import find_caller, hash_token
from charter.money import decimal_of
from charter.service.policy import Caller
from tests.support.backends import BACKENDS, database_url

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
PARTIES = ("openai", "microsoft", "google", "oracle")


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    url = database_url(request, tmp_path, "r.db")
    db = Database(url)
    db.upgrade()
    db.dispose()
    s = Store.open(url)
    yield s
    s.close()


def _spend(provider: str, cost: str, currency: str = "USD", rate: str | None = None) -> dict:
    return {
        "provider": provider,
        "billed_cost": cost,
        "effective_cost": None,
        "currency": currency,
        "period_start": "2026-01-01",
        "period_end": "2026-01-31",
        "rate_to_commitment": rate,
    }


record = st.tuples(
    st.sampled_from(PARTIES),  # the actor
    st.sets(st.sampled_from(PARTIES), max_size=3),  # and whoever else sees it
    st.sampled_from(["spend.recorded", "note", "rofr.filed"]),
    st.sampled_from(["azure", "gcp", "oci"]),
    st.decimals(min_value=-1000, max_value=10**6, places=2, allow_nan=False),
    st.sampled_from([("USD", None), ("EUR", "1.08"), ("EUR", "1.1")]),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(record, min_size=1, max_size=25))
def test_indexed_reads_answer_as_a_scan_does(records: list) -> None:
    """Whatever was written: every party's page is the events it is in the audience of, the
    spend sums are the records' exact sums, and verification finds the indexes intact."""
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'p.db'}"
    db = Database(url)
    db.upgrade()
    db.dispose()
    store = Store.open(url)
    try:
        with store.db.writing() as s:
            for i, (actor, others, kind, provider, cost, (cur, rate)) in enumerate(records):
                payload = _spend(provider, str(cost), cur, rate) if kind == "spend.recorded" else {}
                if kind == "rofr.filed":
                    payload = {"id": f"r{i}"}
                store.ledger.append(
                    s, kind=kind, actor=actor, audience=[actor, *others], payload=payload, at=NOW
                )
        with store.db.reader() as s:
            every = list(store.ledger.events(s))
            for party in PARTIES:
                page = list_events(store, caller=Caller(party, "viewer"), limit=1000)
                assert [e["seq"] for e in page["events"]] == [
                    e.seq for e in every if party in e.audience
                ]
            sums: dict[tuple[str, str, str], Decimal] = {}
            for e in every:
                if e.kind == "spend.recorded":
                    k = (e.actor, e.payload["provider"], e.payload["currency"])
                    sums[k] = sums.get(k, Decimal(0)) + decimal_of(e.payload["billed_cost"])
            stored: dict[tuple[str, str, str], Decimal] = {}
            for payer, provider, currency, amount in s.execute(
                text("SELECT payer, provider, currency, amount FROM spend_sums")
            ):
                k = (payer, provider, currency)
                stored[k] = stored.get(k, Decimal(0)) + Decimal(amount)
            assert stored == sums
            rofr = list(store.ledger.events(s, subject="rofr:r0"))
            assert [e.seq for e in rofr] == [e.seq for e in every if e.payload.get("id") == "r0"]
        assert verify_chain(store)["ok"] is True
    finally:
        store.close()


def test_the_burn_down_reads_the_sums_and_counts_as_before(store: Store) -> None:
    """V3.C1-style commitment: openai's spend with azure, in dollars and in euros at a rate;
    microsoft (the payee) sees the same figure; google sees no commitment of its own."""
    with store.db.writing() as s:
        for cost, cur, rate in (
            ("100.10", "USD", None),
            ("50", "EUR", "1.1"),
            ("-20", "USD", None),
        ):
            store.ledger.append(
                s,
                kind="spend.recorded",
                actor="openai",
                audience=["openai", "microsoft"],
                payload=_spend("azure", cost, cur, rate),
                at=NOW,
            )
    mine = burn_down(store, caller=Caller("openai", "viewer"), now=NOW)["commitments"]
    theirs = burn_down(store, caller=Caller("microsoft", "viewer"), now=NOW)["commitments"]
    spent = {c["clause"]: c["exact"]["spent"] for c in mine if "azure" in c["providers"]}
    assert spent and set(spent.values()) == {"135.10"}  # 100.10 + 50 × 1.1 − 20
    assert {c["clause"]: c["exact"]["spent"] for c in theirs if c["clause"] in spent} == spent


def test_the_service_reuses_a_verification_within_its_ttl(store: Store) -> None:
    """Within the ttl an edit further back waits for the next full verification; a cut
    below the last verified event is verified again at once."""
    with store.db.writing() as s:
        for i in range(5):
            store.ledger.append(
                s, kind="note", actor="openai", audience=["openai"], payload={"i": i}, at=NOW
            )
    me = Caller("openai", "viewer")
    checks = LedgerChecks(ttl=3600)
    first = checks.result(store, me)
    assert first["ok"] is True and first["events"] == 5 and first["verified_at"]
    with store.db.engine.begin() as conn:
        conn.execute(text("UPDATE ledger_events SET actor = 'google' WHERE seq = 2"))
    assert checks.result(store, me) == first  # reused: the edit waits for the ttl
    assert LedgerChecks(ttl=0).result(store, me)["ok"] is False  # a full one finds it
    with store.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM ledger_events WHERE seq = 5"))
    cut = checks.result(store, me)
    assert cut["ok"] is False and cut["verified_at"] != "" and cut["broken_at"] == 2


def test_a_database_from_before_the_indexes_is_indexed_by_upgrade(tmp_path: Path) -> None:
    """Events and a token written at schema 0001: `db upgrade` signs and indexes them and
    records the token in the ledger, and the token keeps working."""
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = Database(url)
    command.upgrade(old._alembic_config(), "0001")
    prev = GENESIS
    with old.engine.begin() as conn:
        for seq in (1, 2):
            audience = json.dumps(["openai", "microsoft"])
            payload = json.dumps(_spend("azure", "10"))
            content = _sha(_content(seq, NOW, "spend.recorded", "openai", audience, payload))
            entry = _sha(prev + content)
            conn.execute(
                text(
                    "INSERT INTO ledger_events (seq, at, kind, actor, audience, payload, "
                    "prev_hash, content_hash, hash) VALUES (:s, :at, 'spend.recorded', "
                    "'openai', :a, :p, :prev, :c, :h)"
                ),
                {"s": seq, "at": NOW, "a": audience, "p": payload, "prev": prev, "c": content}
                | {"h": entry},
            )
            prev = entry
        conn.execute(
            text(
                "INSERT INTO tokens (party, role, token_hash, created) "
                "VALUES ('openai', 'viewer', :h, :at)"
            ),
            {"h": hash_token("chr_old"), "at": NOW},
        )
    old.dispose()
    db = Database(url)
    assert db.upgrade() == db.head()
    db.dispose()
    store = Store.open(url)
    try:
        assert verify_chain(store)["ok"] is True
        assert find_caller(store.db, token_hash=hash_token("chr_old")) == Caller("openai", "viewer")
        page = list_events(store, caller=Caller("microsoft", "viewer"))
        assert [e["seq"] for e in page["events"]] == [1, 2]
        with store.db.reader() as s:
            kinds = [e.kind for e in store.ledger.events(s)]
        assert kinds == ["spend.recorded", "spend.recorded", "token.created"]
    finally:
        store.close()


def _note(store: Store, s: object, i: int) -> int:
    e = store.ledger.append(
        s,  # type: ignore[arg-type]
        kind="note",
        actor="openai",
        audience=["openai"],
        payload={"i": i},
        at=NOW,
    )
    return e.seq


def test_a_rolled_back_write_and_a_proof_during_an_open_one_raise_no_alarm(store: Store) -> None:
    """The process's cached tree holds an open write's events apart: a write that rolls
    back after two appends leaves nothing behind, and a proof asked while another write
    holds uncommitted events covers the committed log only."""
    with pytest.raises(RuntimeError), store.db.writing() as s:
        _note(store, s, 0)
        _note(store, s, 1)
        raise RuntimeError("the import failed half-way")
    with store.db.writing() as s:
        assert _note(store, s, 2) == 1  # no "the ledger lost event 1" alarm, no gap
    with store.db.writing() as s:
        _note(store, s, 3)
        _note(store, s, 4)
        during = proof(store, old=0, seq=1)
        assert during["checkpoint"]["size"] == 1
    after = proof(store, old=1, seq=3)
    assert after["checkpoint"]["size"] == 3 and verify_chain(store)["ok"] is True
