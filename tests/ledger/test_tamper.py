"""Tamper evidence against whoever can write the database (but not read the server's key):
every case is reported by verify against a kept checkpoint, and a server refuses to start on
a database behind its own last checkpoint; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from typer.testing import CliRunner

from charter.cli import app
from charter.ledger import Database
from charter.ledger.chain import GENESIS, _content, _sha
from charter.ledger.feed import check_start, checkpoint, verify_chain
from charter.ledger.idempotency import once
from charter.ledger.merkle import Tree, leaf_hash
from charter.ledger.revenue import record_revenue
from charter.ledger.signing import Signer, Tampered
from charter.ledger.store import Reply, Store
from charter.ledger.tokens import create_token, find_caller, hash_token
from charter.service import Settings, create_app
from charter.service.policy import Caller
from charter.service.schemas import RevenueCreate
from tests.support.backends import BACKENDS, database_url

NOW = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)
OPENAI = Caller("openai", "operator")


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_url(request, tmp_path, "c.db")


def _upgrade(url: str) -> None:
    db = Database(url)
    db.upgrade()
    db.dispose()


def _write(store: Store, i: int) -> Reply:
    rev = RevenueCreate(payee="microsoft", period="2025-02", amount=1000 + i)
    return record_revenue(store, caller=OPENAI, revenue=rev, key=f"k{i}", now=NOW)


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    _upgrade(url)
    s = Store.open(url)
    for i in range(6):
        _write(s, i)
    yield s
    s.close()


# ------------------------------------------------------------------ an attacker's tools
def _rehash(conn: Connection, start: int, *, signer: Signer | None = None) -> None:
    """Recompute the chain and the Merkle roots from ``start`` on, as anyone who can write
    the database can; signatures only with ``signer`` (a key that is not the server's)."""
    rows = conn.execute(
        text(
            "SELECT seq, at, kind, actor, audience, payload, idem, hash FROM ledger_events "
            "ORDER BY seq"
        )
    ).all()
    tree = Tree()
    prev = GENESIS
    for seq, at, kind, actor, audience, payload, idem, old in rows:
        if seq >= start:
            at = dt.datetime.fromisoformat(at) if isinstance(at, str) else at
            content = _sha(_content(seq, at, kind, actor, audience, payload, idem))
            entry = _sha(prev + content)
            tree.append(leaf_hash(entry))
            root = tree.root().hex()
            sig = signer.sign(seq, root)["signature"] if signer else "AAAA"
            conn.execute(
                text(
                    "UPDATE ledger_events SET prev_hash=:p, content_hash=:c, hash=:h, root=:r, "
                    "signature=:s WHERE seq=:q"
                ),
                {"p": prev, "c": content, "h": entry, "r": root, "s": sig, "q": seq},
            )
            prev = entry
        else:
            tree.append(leaf_hash(old))
            prev = old


def _copy_row(conn: Connection, src: int, dst: int, amount: int) -> None:
    conn.execute(
        text(
            "INSERT INTO ledger_events (seq, at, kind, actor, audience, payload, prev_hash, "
            "content_hash, hash) SELECT :d, at, kind, actor, audience, :pay, prev_hash, "
            "content_hash, :h FROM ledger_events WHERE seq = :s"
        ),
        {"d": dst, "s": src, "h": f"{dst:064x}", "pay": json.dumps({"amount": amount})},
    )


def _shift(conn: Connection, start: int, by: int, top: int) -> None:
    order = range(top, start - 1, -1) if by > 0 else range(start, top + 1)
    for seq in order:
        conn.execute(
            text("UPDATE ledger_events SET seq = :n WHERE seq = :o"), {"n": seq + by, "o": seq}
        )


def edit_last(c: Connection, n: int, _: Signer) -> None:
    c.execute(text("UPDATE ledger_events SET actor = 'google' WHERE seq = :n"), {"n": n})
    _rehash(c, n)


def edit_rehashed(c: Connection, n: int, _: Signer) -> None:
    c.execute(text("UPDATE ledger_events SET actor = 'google' WHERE seq = 2"))
    _rehash(c, 2)


def delete_rehashed(c: Connection, n: int, _: Signer) -> None:
    c.execute(text("DELETE FROM ledger_events WHERE seq = 3"))
    _shift(c, 4, -1, n)
    _rehash(c, 3)


def insert_rehashed(c: Connection, n: int, _: Signer) -> None:
    _shift(c, 3, 1, n)
    _copy_row(c, 2, 3, 999)
    _rehash(c, 3)


def forged_append(c: Connection, n: int, attacker: Signer) -> None:
    _copy_row(c, n, n + 1, 5)
    _rehash(c, n + 1, signer=attacker)


def full_rewrite(c: Connection, n: int, attacker: Signer) -> None:
    c.execute(text("UPDATE ledger_events SET payload = '{\"amount\": 1}'"))
    _rehash(c, 1, signer=attacker)


def truncate_1(c: Connection, n: int, _: Signer) -> None:
    c.execute(text("DELETE FROM ledger_events WHERE seq = :n"), {"n": n})


def truncate_all(c: Connection, n: int, _: Signer) -> None:
    c.execute(text("DELETE FROM ledger_events"))


CASES: dict[str, Callable[[Connection, int, Signer], None]] = {
    f.__name__: f
    for f in (
        edit_last,
        edit_rehashed,
        delete_rehashed,
        insert_rehashed,
        forged_append,
        full_rewrite,
        truncate_1,
        truncate_all,
    )
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_verify_reports_tampering_against_a_kept_checkpoint(
    store: Store, case: str, tmp_path: Path
) -> None:
    kept = checkpoint(store)
    assert kept["size"] == 6 and verify_chain(store, [kept])["ok"] is True
    attacker = Signer(tmp_path / "attacker.key", store.db.url)
    with store.db.engine.begin() as conn:
        CASES[case](conn, 6, attacker)
    # a party that kept a checkpoint, without the server's own checkpoint file
    store.db.signer.checkpoint_file.unlink()
    got = verify_chain(store, [kept])
    assert got["ok"] is False, got
    if case.startswith("truncate"):
        assert "truncated" in got["reason"]
    # the server, from its own checkpoint file, refuses such a database
    store.db.signer.remember(kept)
    if case != "forged_append" and not case.startswith("edit_last"):
        with pytest.raises(Tampered, match="Refusing to start"):
            check_start(store)
    else:  # the checkpoint still holds; the unsigned event itself is refused
        with pytest.raises(Tampered):
            check_start(store)


def test_truncating_the_last_500_is_reported_and_refused(url: str) -> None:
    _upgrade(url)
    s = Store.open(url)
    try:
        with s.db.session() as sess, sess.begin():  # one transaction: a modest runtime
            for i in range(510):
                s.ledger.append(
                    sess, kind="note", actor="openai", audience=["openai"], payload={"i": i}, at=NOW
                )
        kept = checkpoint(s)
        s.db.signer.remember(kept)
        assert kept["size"] == 510 and verify_chain(s, [kept])["ok"] is True
        with s.db.engine.begin() as conn:
            conn.execute(text("DELETE FROM ledger_events WHERE seq > 10"))
        got = verify_chain(s, [kept])
        assert got["ok"] is False and "the last 500 removed" in got["reason"]
        with pytest.raises(Tampered, match="behind this server's last checkpoint"):
            create_app(Settings(db_url=url))
    finally:
        s.close()


def test_a_live_server_refuses_to_replay_or_reuse_after_truncation(store: Store) -> None:
    with store.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM ledger_events WHERE seq >= 5"))
    with pytest.raises(Tampered, match="no longer in the ledger"):
        _write(store, 5)  # the key k5 answered with event 5, which is gone
    with pytest.raises(Tampered, match="truncated or rewritten"):
        _write(store, 99)  # a new write would reuse sequence number 5


def test_edited_tokens_and_idempotency_records_are_refused(store: Store) -> None:
    _, token = create_token(store.db, party="openai", role="viewer", parties={"openai"})
    assert find_caller(store.db, token_hash=hash_token(token)) == Caller("openai", "viewer")
    with store.db.engine.begin() as conn:
        conn.execute(text("UPDATE tokens SET role = 'operator'"))
    assert find_caller(store.db, token_hash=hash_token(token)) is None
    got = verify_chain(store)
    assert got["ok"] is False and "tokens table was edited" in got["reason"]
    with store.db.engine.begin() as conn:
        conn.execute(text("UPDATE tokens SET role = 'viewer'"))
        conn.execute(text("UPDATE idempotency SET status = 200 WHERE key = 'k1'"))
    got = verify_chain(store)
    assert got["ok"] is False and "idempotency table was edited" in got["reason"]
    with pytest.raises(Tampered, match="not signed by this server"):
        _write(store, 1)
    # a forged record: a key replayed with an answer the server never gave
    with pytest.raises(Tampered):
        with store.db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO idempotency (party, key, request_hash, status, response, "
                    "created) SELECT party, 'forged', :h, 201, '{}', created FROM "
                    "idempotency WHERE key = 'k2'"
                ),
                {"h": hashlib.sha256(b"null").hexdigest()},
            )
        once(store.db, party="openai", key="forged", request=None, now=NOW, do=_never)


def _never(_: object) -> Reply:
    raise AssertionError("a forged record must not run the write")


def test_receipts_and_checkpoints_through_the_cli(store: Store, tmp_path: Path) -> None:
    reply = _write(store, 50)
    receipt = reply.body["receipt"]
    assert receipt["seq"] == 7 and receipt["checkpoint"]["size"] == 7  # after the store's 6
    (tmp_path / "receipt.json").write_text(json.dumps(reply.body))
    cp_file = tmp_path / "cp.json"
    run = CliRunner().invoke(app, ["ledger", "checkpoint", "--db", store.db.url, "--out", cp_file])
    assert run.exit_code == 0, run.output
    args = ["ledger", "verify", "--db", store.db.url, "--checkpoint", str(cp_file)]
    args += ["--receipt", str(tmp_path / "receipt.json")]
    ok = CliRunner().invoke(app, args)
    assert ok.exit_code == 0 and "intact" in ok.stdout, ok.output
    with store.db.engine.begin() as conn:
        truncate_1(conn, 7, store.db.signer)
    store.db.signer.checkpoint_file.unlink()  # only what the party kept
    bad = CliRunner().invoke(app, args)
    assert bad.exit_code == 1 and "truncated" in bad.stdout, bad.output


def test_a_party_verifies_through_the_server_with_proofs(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx
    from fastapi.testclient import TestClient

    from charter.cli import remote

    _, token = create_token(store.db, party="openai", role="operator", parties={"openai"})
    served = create_app(Settings(db_url=store.db.url))

    def client(base: str) -> httpx.Client:
        return TestClient(served, base_url=base, headers={"Authorization": f"Bearer {token}"})

    monkeypatch.setattr(remote, "connect", client)
    try:
        with client("http://testserver") as c:
            cp = c.get("/v1/ledger/checkpoint").json()
            assert cp["size"] == 6 + 1  # the store's events and the token's creation
            w = c.post(
                "/v1/revenue",
                json={"payee": "microsoft", "period": "2025-02", "amount": 7},
                headers={"Idempotency-Key": "r7"},
            )
            assert w.status_code == 201 and w.json()["receipt"]["checkpoint"]["size"] == 8
        (tmp_path / "cp.json").write_text(json.dumps(cp))
        (tmp_path / "r.json").write_text(json.dumps(w.json()))
        args = ["ledger", "verify", "--url", "http://testserver", "--checkpoint"]
        args += [str(tmp_path / "cp.json"), "--receipt", str(tmp_path / "r.json")]
        ok = CliRunner().invoke(app, args)
        assert ok.exit_code == 0 and "intact" in ok.stdout, ok.output
        with store.db.engine.begin() as conn:  # rewrite below the checkpoint, rehashed
            edit_rehashed(conn, 8, store.db.signer)
        served.state.db.signer.checkpoint_file.unlink()
        bad = CliRunner().invoke(app, args)
        assert bad.exit_code == 1 and "broken" in bad.stdout, bad.output
    finally:
        served.state.db.dispose()


def test_charter_serve_refuses_a_database_behind_its_checkpoint(tmp_path: Path) -> None:
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 's.db'}"
    _upgrade(url)
    s = Store.open(url)
    for i in range(3):
        _write(s, i)
    with s.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM ledger_events"))
    s.close()
    refused = subprocess.run(
        [sys.executable, "-m", "charter", "serve", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CHARTER_DATABASE_URL": url, "COLUMNS": "200"},
    )
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "behind this server's last checkpoint" in " ".join(refused.stderr.split())


# ------------------------------------------------------- tokens and idempotency records
def _rows(conn: Connection, table: str, where: str) -> list[dict[str, object]]:
    return [dict(r._mapping) for r in conn.execute(text(f"SELECT * FROM {table} WHERE {where}"))]


def _insert(conn: Connection, table: str, row: dict[str, object]) -> None:
    cols = ", ".join(row)
    conn.execute(text(f"INSERT INTO {table} ({cols}) VALUES (:{', :'.join(row)})"), row)


def test_a_token_restored_from_before_its_revocation_acts_as_no_one(store: Store) -> None:
    """A signed row copied before the revocation and put back un-revokes nothing."""
    from charter.ledger.tokens import revoke_token

    ident, token = create_token(store.db, party="openai", role="operator", parties={"openai"})
    with store.db.engine.begin() as conn:
        before = _rows(conn, "tokens", f"id = {ident}")[0]
    revoke_token(store.db, ident=ident)
    assert find_caller(store.db, token_hash=hash_token(token)) is None
    with store.db.engine.begin() as conn:
        conn.execute(text(f"DELETE FROM tokens WHERE id = {ident}"))
        _insert(conn, "tokens", before)  # as signed, before the revocation
    assert find_caller(store.db, token_hash=hash_token(token)) is None
    got = verify_chain(store)
    assert got["ok"] is False and "revocation" in got["reason"], got


def test_a_deleted_token_row_is_reported(store: Store) -> None:
    ident, _ = create_token(store.db, party="openai", role="viewer", parties={"openai"})
    assert verify_chain(store)["ok"] is True
    with store.db.engine.begin() as conn:
        conn.execute(text(f"DELETE FROM tokens WHERE id = {ident}"))
    got = verify_chain(store)
    assert got["ok"] is False and f"token {ident}" in got["reason"] and "deleted" in got["reason"]


def test_a_token_inserted_with_a_copied_signature_acts_as_no_one(store: Store) -> None:
    _, token = create_token(store.db, party="openai", role="viewer", parties={"openai"})
    with store.db.engine.begin() as conn:
        row = _rows(conn, "tokens", "role = 'viewer'")[0]
        # a second row for the attacker's own token, with the first one's signature
        _insert(conn, "tokens", {**row, "id": 99, "token_hash": hash_token("chr_mine")})
    assert find_caller(store.db, token_hash=hash_token("chr_mine")) is None
    assert find_caller(store.db, token_hash=hash_token(token)) == Caller("openai", "viewer")
    assert verify_chain(store)["ok"] is False


def test_a_deleted_idempotency_record_is_reported_and_its_retry_refused(store: Store) -> None:
    """Without its record a retry would write the event twice: it is refused instead."""
    assert verify_chain(store)["ok"] is True
    with store.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM idempotency WHERE key = 'k3'"))
    got = verify_chain(store)
    assert got["ok"] is False and "Idempotency-Key whose record is gone" in got["reason"]
    with pytest.raises(Tampered, match="missing from the idempotency table"):
        _write(store, 3)
    with store.db.reader() as s:
        assert len(list(store.ledger.events(s))) == 6  # nothing written twice


def test_edited_read_indexes_are_reported(store: Store) -> None:
    """The audience index and the spend sums are derived from the events: an edit to
    either is an edit verification reports."""
    with store.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM ledger_views WHERE party = 'microsoft' AND seq = 2"))
    got = verify_chain(store)
    assert got["ok"] is False and "ledger_views" in got["reason"]


def test_verify_without_the_key_creates_none(store: Store, tmp_path: Path) -> None:
    """`charter ledger verify` on a database whose key is elsewhere checks signatures with
    the kept checkpoint's public key, or says it did not; it never makes a new key."""
    kept = checkpoint(store)
    cp_file = tmp_path / "cp.json"
    cp_file.write_text(json.dumps(kept))
    elsewhere = tmp_path / "nowhere" / "ledger.key"
    env = {"CHARTER_SIGNING_KEY": str(elsewhere)}
    if store.db.is_sqlite:  # the key beside the SQLite file would be found: move it
        store.db.key_path.rename(tmp_path / "moved.key")
    runner = CliRunner(env=env)
    bare = runner.invoke(app, ["ledger", "verify", "--db", store.db.url])
    assert bare.exit_code == 0 and "signatures NOT checked" in bare.stdout, bare.output
    pinned = runner.invoke(app, ["ledger", "verify", "--db", store.db.url, "--checkpoint", cp_file])
    assert pinned.exit_code == 0 and "checked with the key of the kept checkpoint" in pinned.stdout
    assert not elsewhere.exists() and not elsewhere.parent.exists()
    with store.db.engine.begin() as conn:  # a forged append, signed by another key
        forged_append(conn, 6, Signer(tmp_path / "attacker.key", store.db.url))
    caught = runner.invoke(app, ["ledger", "verify", "--db", store.db.url, "--checkpoint", cp_file])
    assert caught.exit_code == 1 and "no valid server signature" in caught.stdout, caught.output
