"""The ledger's records as a party reads and feeds them: ``ledger verify`` (every link of the
hash chain) and ``spend import`` (FinOps FOCUS CSV), through a server or straight to the
database (:mod:`charter.cli.remote`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

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
@ledger_app.command("verify")
def ledger_verify(url: UrlOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Check every link of the chain; exit 1 at the first broken one."""
    if url:
        result = remote.call(remote.connect(url), "GET", "/v1/ledger/verify")
    else:
        from charter.ledger.feed import verify_chain
        from charter.ledger.store import Store

        store = Store.open(db_url(db))
        try:
            with store.db.guard():  # a read session: writers go on meanwhile
                result = verify_chain(store)
        finally:
            store.close()
    if as_json:
        print_json(result)
    elif result["ok"]:
        out.print(f"[green]intact[/green]: {result['events']} events, head {result['head']}")
    else:
        out.print(f"[red]broken[/red] at event {result['broken_at']}: {result['reason']}")
    if not result["ok"]:
        raise typer.Exit(1)


# ---------------------------------------------------------------------------- spend
@spend_app.command("import")
def spend_import(
    file: Annotated[Path, typer.Argument(help="A FinOps FOCUS CSV.")],
    key: Annotated[
        str | None, typer.Option(help="Idempotency key (default: the file's hash).")
    ] = None,
    url: UrlOpt = None,
    db: DbOpt = None,
    as_party: AsOpt = None,
    scenario: ScenarioOpt = None,
) -> None:
    """Import spend rows (BilledCost, EffectiveCost, ProviderName, ChargePeriodStart, ...)."""
    import hashlib

    try:
        content = file.read_bytes()
    except OSError as exc:
        raise RequestError(f"{file}: {exc.strerror}") from None
    key = key or hashlib.sha256(content).hexdigest()
    if url:
        data = remote.call(
            remote.connect(url),
            "POST",
            "/v1/spend/import",
            content=content,
            headers={"Idempotency-Key": key, "Content-Type": "text/csv"},
        )
    else:
        from charter.ledger import spend

        # as the server reads the body: a BOM dropped, undecodable bytes replaced
        text = content.decode("utf-8-sig", errors="replace")
        with remote.open_store(db, scenario, as_party) as (store, caller):
            now = dt.datetime.now(dt.UTC)
            data = remote.workflow(
                store,
                lambda: (
                    spend.import_spend(store, caller=caller, csv_text=text, key=key, now=now).body
                ),
            )
    out.print(f"imported {data['imported']} spend rows")
