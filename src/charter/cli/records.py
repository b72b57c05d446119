"""The ledger's records as a party reads and feeds them: ``ledger verify`` (every link of the
hash chain) and ``spend import`` (FinOps FOCUS CSV), through a server or straight to the
database (:mod:`charter.cli.remote`)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from charter.cli import remote
from charter.cli.common import JsonOpt, out, print_json
from charter.cli.operate import DbOpt, ScenarioOpt, db_url
from charter.cli.remote import AsOpt, UrlOpt
from charter.errors import RequestError

__all__ = ["ledger_app", "spend_app"]

ledger_app = typer.Typer(help="The tamper-evident ledger.", no_args_is_help=True)
spend_app = typer.Typer(help="Spend records (FinOps FOCUS CSV).", no_args_is_help=True)


# ---------------------------------------------------------------------------- ledger
CheckpointOpt = Annotated[
    Path | None,
    typer.Option(
        "--checkpoint",
        help="A checkpoint you kept (`charter ledger checkpoint --out FILE`): prove the log "
        "extends it.",
    ),
]
ReceiptOpt = Annotated[
    Path | None,
    typer.Option(
        "--receipt", help="A write's receipt you kept (its JSON): prove the log still holds it."
    ),
]


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise RequestError(f"{path}: {exc.strerror}") from None
    except ValueError as exc:
        raise RequestError(f"{path}: not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise RequestError(f"{path}: not a {what}")
    if what == "receipt" and "receipt" in data:  # a whole write response
        data = data["receipt"]
    return dict(data)


def _remote_proofs(
    client: Any, kept: list[dict[str, Any]], receipt: dict[str, Any] | None
) -> str | None:
    """Check through the server's proofs that its current signed checkpoint extends every
    kept checkpoint and includes the receipt's event; None, or the failure."""
    from charter.ledger.merkle import leaf_hash, verify_consistency, verify_inclusion
    from charter.ledger.signing import check_checkpoint

    pinned = kept[0]["key"] if kept else None
    for cp in kept:
        why = check_checkpoint(cp, pinned)
        if why:
            return why
    for cp in kept:
        params: dict[str, Any] = {"old": int(cp["size"])}
        if receipt is not None and cp is kept[-1]:
            params["seq"] = int(receipt["seq"])
        r = client.get("/v1/ledger/proof", params=params)
        if r.status_code == 422:
            return (
                f"the server cannot prove its log extends the checkpoint at size {cp['size']}: "
                "the log was truncated"
            )
        got = remote.call(client, "GET", "/v1/ledger/proof", params=params)
        now = got["checkpoint"]
        why = check_checkpoint(now, pinned or now["key"])
        if why:
            return f"the server's current checkpoint: {why}"
        size, root = int(now["size"]), bytes.fromhex(now["root"])
        proof = [bytes.fromhex(h) for h in got.get("consistency") or []]
        if not verify_consistency(int(cp["size"]), size, bytes.fromhex(cp["root"]), root, proof):
            return (
                f"the log (size {size}) does not extend the checkpoint at size {cp['size']}: "
                "it was rewritten"
            )
        if "seq" in params:
            path = [bytes.fromhex(h) for h in got.get("inclusion") or []]
            assert receipt is not None
            if not verify_inclusion(
                params["seq"] - 1, size, leaf_hash(receipt["hash"]), path, root
            ):
                return f"event {params['seq']} of the receipt is not in the log"
    return None


@ledger_app.command("verify")
def ledger_verify(
    url: UrlOpt = None,
    db: DbOpt = None,
    checkpoint: CheckpointOpt = None,
    receipt: ReceiptOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check every link, Merkle root and signature of the log, and that it extends a kept
    checkpoint or receipt; exit 1 at the first failure (truncation, rewrite, edit,
    insertion or deletion, forged append, edited tokens or idempotency records)."""
    kept = [_read_json(checkpoint, "checkpoint")] if checkpoint else []
    got_receipt = _read_json(receipt, "receipt") if receipt else None
    if got_receipt is not None:
        kept.append(got_receipt["checkpoint"])
    if url:
        client = remote.connect(url)
        result = remote.call(client, "GET", "/v1/ledger/verify")
        if result["ok"] and kept:
            why = _remote_proofs(client, kept, got_receipt)
            if why:
                result = {**result, "ok": False, "broken_at": None, "reason": why}
    else:
        result = _verify_database(db, kept, got_receipt)
    if as_json:
        print_json(result)
    elif result["ok"]:
        extra = f", extends {len(kept)} kept checkpoint(s)" if kept else ""
        out.print(f"[green]intact[/green]: {result['events']} events, head {result['head']}{extra}")
        if result.get("signatures"):
            out.print(result["signatures"])
    else:
        where = f" at event {result['broken_at']}" if result.get("broken_at") is not None else ""
        out.print(f"[red]broken[/red]{where}: {result['reason']}")
    if not result["ok"]:
        raise typer.Exit(1)


def _verify_database(
    db: str | None, kept: list[dict[str, Any]], got_receipt: dict[str, Any] | None
) -> dict[str, Any]:
    """Verify the database itself. With the server's key file at hand every signature is
    checked with it; without it, with the public key of the kept checkpoint or receipt
    (which a party pinned), or else none (and the result says so): reading never creates
    a key."""
    from charter.ledger.feed import verify_chain
    from charter.ledger.merkle import leaf_hash
    from charter.ledger.signing import Verifier
    from charter.ledger.store import Store

    store = Store.open(db_url(db))
    try:
        verifier, signatures, note = None, "all", None
        if not store.db.has_signing_key():
            if kept:
                verifier = Verifier(str(kept[0].get("key") or ""))
                note = (
                    f"signatures checked with the key of the kept checkpoint ({verifier.key_id}); "
                    f"no signing key at {store.db.key_path}"
                )
            else:
                signatures = "none"
                note = (
                    f"signatures NOT checked: no signing key at {store.db.key_path}; pass a kept "
                    "--checkpoint or --receipt to check them with its public key"
                )
        with store.db.guard():  # a read session: writers go on meanwhile
            result = verify_chain(store, kept, signatures=signatures, verifier=verifier)
            if result["ok"] and got_receipt is not None:
                with store.db.reader() as s:
                    tree = store.ledger.tree(s)
                seq = int(got_receipt["seq"])
                if seq > tree.size or tree.levels[0][seq - 1] != leaf_hash(got_receipt["hash"]):
                    result = {
                        **result,
                        "ok": False,
                        "broken_at": seq,
                        "reason": f"event {seq} of the receipt is not in the log",
                    }
    finally:
        store.close()
    return {**result, "signatures": note} if note else result


@ledger_app.command("checkpoint")
def ledger_checkpoint(
    url: UrlOpt = None,
    db: DbOpt = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write it to this file (default: stdout).")
    ] = None,
) -> None:
    """Fetch the server's signed checkpoint (size and Merkle root of the log); keep it and
    later prove with `charter ledger verify --checkpoint FILE` that the log extends it."""
    if url:
        cp = remote.call(remote.connect(url), "GET", "/v1/ledger/checkpoint")
    else:
        from charter.ledger.feed import checkpoint
        from charter.ledger.store import Store

        store = Store.open(db_url(db))
        try:
            with store.db.guard():
                cp = checkpoint(store)
        finally:
            store.close()
    text = json.dumps(cp, indent=1) + "\n"
    if out_file is None:
        sys.stdout.write(text)
        return
    try:
        out_file.write_text(text)
    except OSError as exc:
        raise RequestError(f"{out_file}: {exc.strerror}") from None
    out.print(f"checkpoint at size {cp['size']} written to {out_file}")


# ---------------------------------------------------------------------------- spend
RateOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--rate",
        help="CODE=RATE, e.g. EUR=1.08: 1 unit of the currency in the commitment's currency, "
        "for rows in that currency (repeat it for each currency).",
    ),
]


def _bad_rows(file: Path, status: int, items: list[dict[str, Any]]) -> RequestError:
    """A refused file's errors, one a line: ``FILE:LINE: COLUMN: message``."""
    lines = [f"{status}: {file} was refused"]
    for item in items:
        loc = [str(x) for x in item.get("loc", []) if x not in ("body", "database")]
        if loc and loc[0].startswith("line "):
            where = ": ".join([f"{file}:{loc[0].removeprefix('line ')}", *loc[1:]])
        else:
            where = ": ".join([str(file), *loc])
        lines.append(f"{where}: {item.get('msg')}")
    return RequestError("\n".join(lines))


def _rates(texts: list[str]) -> dict[str, Decimal]:
    from charter.ledger.focus import parse_rates
    from charter.ledger.store import InvalidRequest

    try:
        return parse_rates(texts, ["query", "rate"])
    except InvalidRequest as exc:
        raise RequestError(f"--rate: {exc.errors[0]['msg']}") from None


@spend_app.command("import")
def spend_import(
    file: Annotated[Path, typer.Argument(help="A FinOps FOCUS CSV (1.0 to 1.3).")],
    key: Annotated[
        str | None, typer.Option(help="Idempotency key (default: the file's hash).")
    ] = None,
    rate: RateOpt = None,
    url: UrlOpt = None,
    db: DbOpt = None,
    as_party: AsOpt = None,
    scenario: ScenarioOpt = None,
) -> None:
    """Import spend rows (BilledCost, EffectiveCost, ServiceProviderName or ProviderName,
    ChargePeriodStart, ChargePeriodEnd, BillingCurrency, ContractApplied), all or none."""
    import hashlib

    try:
        content = file.read_bytes()
    except OSError as exc:
        raise RequestError(f"{file}: {exc.strerror}") from None
    key = key or hashlib.sha256(content).hexdigest()
    _rates(rate or [])  # checked before anything is sent
    if url:
        data = remote.call(
            remote.connect(url),
            "POST",
            "/v1/spend/import",
            content=content,
            params=[("rate", r) for r in rate or []],
            headers={"Idempotency-Key": key, "Content-Type": "text/csv"},
            on_items=lambda status, items: _bad_rows(file, status, items),
        )
    else:
        data = _import_locally(file, content, key, rate or [], db, scenario, as_party)
    out.print(f"imported {data['imported']} spend rows")


def _import_locally(
    file: Path,
    content: bytes,
    key: str,
    rate: list[str],
    db: str | None,
    scenario: str | None,
    as_party: str | None,
) -> dict[str, Any]:
    from charter.ledger import spend
    from charter.ledger.store import InvalidRequest

    rates = _rates(rate)
    # as the server reads the body: a BOM dropped, undecodable bytes replaced
    text = content.decode("utf-8-sig", errors="replace")
    with remote.open_store(db, scenario, as_party) as (store, caller):
        now = dt.datetime.now(dt.UTC)

        def work() -> dict[str, Any]:
            reply = spend.import_spend(
                store, caller=caller, csv_text=text, key=key, now=now, rates=rates
            )
            return reply.body

        try:
            return remote.workflow(store, work, keep=InvalidRequest)
        except InvalidRequest as exc:
            raise _bad_rows(file, exc.status, exc.errors) from None
