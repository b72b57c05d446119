"""Money as a party reads it: ``commitments`` (burn-down per commitment) and ``revenue
statement`` (what a payer owes a payee for a period), through a server or straight to the
database (:mod:`charter.cli.remote`), with the same figures as the service."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from charter.cli import remote
from charter.cli.common import JsonOpt, Table, out, print_json
from charter.cli.operate import DbOpt, ScenarioOpt
from charter.cli.remote import AsOpt, UrlOpt

__all__ = ["commitments", "revenue_app"]


def money(x: float | None) -> str:
    """An amount in its currency (the table names it), ``-`` when there is no figure."""
    return "-" if x is None else f"{x:,.2f}"


revenue_app = typer.Typer(help="Revenue-share statements.", no_args_is_help=True)


def commitments(
    url: UrlOpt = None,
    db: DbOpt = None,
    as_party: AsOpt = None,
    scenario: ScenarioOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Burn-down of the commitments you pay or are paid: committed, spent, remaining, pace."""
    if url:
        data = remote.call(remote.connect(url), "GET", "/v1/commitments")
    else:
        from charter.ledger.commitments import burn_down
        from charter.service.schemas import CommitmentsPublic

        with remote.open_store(db, scenario, as_party) as (store, caller):
            now = dt.datetime.now(dt.UTC)
            got = remote.workflow(store, lambda: burn_down(store, caller=caller, now=now))
            data = remote.as_served(CommitmentsPublic, got)
    if as_json:
        print_json(data)
        return
    table = Table(
        "clause", "payer", "payee", "currency", "committed", "spent", "remaining", "shortfall"
    )
    for c in data["commitments"]:
        table.add_row(
            c["clause"],
            c["payer"],
            c["payee"],
            c.get("currency", ""),
            money(c["committed"]),
            money(c["spent"]),
            money(c["remaining"]),
            money(c["projected_shortfall"]),
        )
    out.print(f"as of {data['as_of']}")
    out.print(table)


@revenue_app.command("statement")
def revenue_statement(
    period: Annotated[str, typer.Option(help="2026-07, 2026-Q3 or 2026.")],
    payer: Annotated[str, typer.Option(help="The party that pays the share.")],
    payee: Annotated[str, typer.Option(help="The party the share is paid to.")],
    url: UrlOpt = None,
    db: DbOpt = None,
    as_party: AsOpt = None,
    scenario: ScenarioOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What the payer owes the payee for a period, on the revenue recorded for it."""
    if url:
        params = {"period": period, "payer": payer, "payee": payee}
        data = remote.call(remote.connect(url), "GET", "/v1/revenue/statement", params=params)
    else:
        from charter.ledger.revenue import statement
        from charter.service.schemas import StatementPublic

        with remote.open_store(db, scenario, as_party) as (store, caller):
            got = remote.workflow(
                store,
                lambda: statement(store, caller=caller, period=period, payer=payer, payee=payee),
            )
            data = remote.as_served(StatementPublic, got)
    if as_json:
        print_json(data)
        return
    table = Table("period", "payer", "payee", "revenue", "rate", "amount", "cap remaining")
    rate = data.get("rate")
    table.add_row(
        data["period"],
        data["payer"],
        data["payee"],
        money(data["revenue"]),
        "-" if rate is None else f"{rate:.2%}",
        money(data["amount"]),
        money(data.get("cap_remaining")),
    )
    out.print(table)
    if data.get("note"):
        out.print(data["note"])
