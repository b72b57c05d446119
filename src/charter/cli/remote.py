"""Commands that act as a party in the service: ``rofr list|file|match|decline``,
``spend import`` and ``ledger verify``. Each talks to a running server (``--url``, token from
``$CHARTER_TOKEN``) or, acting as ``--as PARTY``, to the app in-process on the database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from charter.cli.common import JsonOpt, Table, out, print_json
from charter.cli.operate import DbOpt, ScenarioOpt, database, db_url
from charter.errors import RequestError

if TYPE_CHECKING:
    import httpx

__all__ = ["MIN_ID_PREFIX", "ledger_app", "rofr_app", "spend_app"]

ledger_app = typer.Typer(help="The tamper-evident ledger.", no_args_is_help=True)
rofr_app = typer.Typer(help="The right-of-first-refusal process.", no_args_is_help=True)
spend_app = typer.Typer(help="Spend records (FinOps FOCUS CSV).", no_args_is_help=True)

UrlOpt = Annotated[
    str | None,
    typer.Option(
        "--url",
        help="A running server (token from $CHARTER_TOKEN); without it, "
        "talk straight to the database as --as PARTY.",
    ),
]
AsOpt = Annotated[str | None, typer.Option("--as", help="Act as this party (database mode).")]
KeyOpt = Annotated[str | None, typer.Option(help="Idempotency key.")]
IdArg = Annotated[
    str, typer.Argument(help="Request id, or a unique prefix of it (at least 4 characters).")
]

#: the shortest id prefix `charter rofr match/decline` accept (as git's abbreviated hashes)
MIN_ID_PREFIX = 4


# ---------------------------------------------------------------------------- the client
def _client(
    url: str | None, db: str | None, scenario: str | None, as_party: str | None
) -> httpx.Client:
    """An HTTP client for a server, or (Starlette's ``TestClient``, an ``httpx.Client`` too)
    for the app in-process on the database."""
    import os

    import httpx

    if url:
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise RequestError(f"--url {url!r}: {exc}; expected http://HOST:PORT") from None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise RequestError(f"--url {url!r}: expected http://HOST:PORT")
        token = os.environ.get("CHARTER_TOKEN")
        if not token:
            raise RequestError("set CHARTER_TOKEN to a token made with `charter token create`")
        return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    if not as_party:
        raise RequestError("without --url, say which party you act as: --as PARTY")
    import warnings

    with warnings.catch_warnings():  # starlette's note about its httpx-based test client
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from charter.service import Settings, create_app
    from charter.service.policy import Caller

    app_ = create_app(
        Settings(db_url=db_url(db), scenario=scenario, local_caller=Caller(as_party, "operator"))
    )
    return TestClient(app_)


def _detail(r: httpx.Response) -> str:
    """The reason of an error response: FastAPI's ``detail`` ("field: message; ...")."""
    try:
        detail = r.json().get("detail")
    except (ValueError, AttributeError):
        return str(r.text).strip()[:300] or str(r.reason_phrase)
    if not isinstance(detail, list):
        return str(detail)
    parts = []
    for d in detail:
        if not isinstance(d, dict):
            parts.append(str(d))
            continue
        loc = ".".join(str(x) for x in d.get("loc", []) if x not in ("body", "database"))
        parts.append(f"{loc}: {d.get('msg')}" if loc else str(d.get("msg")))
    return "; ".join(parts)


def _call(client: httpx.Client, method: str, path: str, **kw: Any) -> Any:
    """The JSON answer of one request; a RequestError for no answer, an error status or an
    answer that is not JSON."""
    import httpx

    try:
        r = client.request(method, path, **kw)
    except httpx.TransportError as exc:  # nothing listening, a timeout, a dropped connection
        raise RequestError(
            f"cannot reach the server at {client.base_url}: {exc or type(exc).__name__}; "
            "is `charter serve` running there (check --url)?"
        ) from None
    if r.status_code >= 400:
        raise RequestError(f"{r.status_code}: {_detail(r)}")
    try:
        return r.json()
    except ValueError:
        raise RequestError(
            f"the server at {client.base_url} did not answer with JSON (HTTP {r.status_code}); "
            "is --url a charter server?"
        ) from None


# ---------------------------------------------------------------------------- ledger
@ledger_app.command("verify")
def ledger_verify(url: UrlOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Check every link of the chain; exit 1 at the first broken one."""
    from charter.ledger import Ledger

    if url:
        result = _call(_client(url, db, None, None), "GET", "/v1/ledger/verify")
    else:
        d = database(db)
        d.require_current()
        with d.guard(), d.session() as s:
            result = Ledger(d.is_sqlite).verify(s).to_json()
    if as_json:
        print_json(result)
    elif result["ok"]:
        out.print(f"[green]intact[/green]: {result['events']} events, head {result['head']}")
    else:
        out.print(f"[red]broken[/red] at event {result['broken_at']}: {result['reason']}")
    if not result["ok"]:
        raise typer.Exit(1)


# ---------------------------------------------------------------------------- rofr
@rofr_app.command("list")
def rofr_list(
    url: UrlOpt = None,
    db: DbOpt = None,
    as_party: AsOpt = None,
    scenario: ScenarioOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Requests you filed, and requests addressed to you as holder."""
    data = _call(_client(url, db, scenario, as_party), "GET", "/v1/rofr/requests")
    if as_json:
        print_json(data)
        return
    table = Table("id", "principal", "holder", "family", "status", "deadline", "reason")
    for r in data["requests"]:
        table.add_row(
            r["id"][:8],
            r["principal"],
            r.get("holder") or "-",
            r["family"],
            r["status"],
            r["deadline"][:10],
            r.get("reason") or "",
        )
    out.print(table)


def _quantities(items: list[str]) -> dict[str, float]:
    """``--quantity MONTH=HOURS`` options as a mapping."""
    q: dict[str, float] = {}
    for item in items:
        month, sep, hours = item.partition("=")
        if not sep:
            raise RequestError(f"--quantity expects MONTH=HOURS, got {item!r}")
        try:
            q[month.strip()] = float(hours)
        except ValueError as exc:
            raise RequestError(str(exc)) from None
    return q


@rofr_app.command("file")
def rofr_file(
    provider: Annotated[str, typer.Option(help="The third party you intend to buy from.")],
    family: Annotated[str, typer.Option(help="Accelerator family.")],
    quantity: Annotated[list[str], typer.Option(help="MONTH=HOURS (repeatable).")],
    window_from: Annotated[str, typer.Option("--from", help="Window start date.")],
    window_to: Annotated[str, typer.Option("--to", help="Window end date.")],
    price: Annotated[float, typer.Option(help="Third-party price per accelerator-hour.")],
    kind: Annotated[str, typer.Option(help="Workload kind.")] = "training",
    key: Annotated[str | None, typer.Option(help="Idempotency key (default: random).")] = None,
    url: UrlOpt = None,
    db: DbOpt = None,
    as_party: AsOpt = None,
    scenario: ScenarioOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """File a capacity request with the holder of the right of first refusal."""
    import uuid

    body = {
        "provider": provider,
        "family": family,
        "kind": kind,
        "quantity": _quantities(quantity),
        "window_from": window_from,
        "window_to": window_to,
        "price_per_hour": price,
    }
    client = _client(url, db, scenario, as_party)
    headers = {"Idempotency-Key": key or str(uuid.uuid4())}
    try:
        data = _call(client, "POST", "/v1/rofr/requests", json=body, headers=headers)
    except ValueError as exc:  # httpx refuses a body with inf or nan: "Out of range float ..."
        raise RequestError(str(exc)) from None
    if as_json:
        print_json(data)
    else:
        out.print(
            f"request {data['id']}: {data['status']}"
            + (
                f" (holder {data['holder']}, answer by {data['deadline']})"
                if data["status"] == "open"
                else f": {data['reason']}"
            )
        )


def _resolve_request_id(client: httpx.Client, given: str) -> str:
    """A full request id, from a full id or a unique prefix of one (as `charter rofr list`
    prints them), looked up among the requests the caller can list."""
    import re
    import uuid

    prefix = given.strip().lower()
    if len(prefix) == 36:
        try:
            return str(uuid.UUID(prefix))
        except ValueError:
            pass
    if not re.fullmatch(r"[0-9a-f-]+", prefix):
        raise RequestError(
            f"{given!r} is not a request id: ids look like 3f2a9c1e-..., see `charter rofr list`"
        )
    if len(prefix) < MIN_ID_PREFIX:
        raise RequestError(
            f"request id {given!r} is too short: give at least {MIN_ID_PREFIX} characters "
            "(`charter rofr list` prints 8)"
        )
    listed = _call(client, "GET", "/v1/rofr/requests")["requests"]
    ids = sorted({str(r["id"]) for r in listed if str(r["id"]).startswith(prefix)})
    if not ids:
        raise RequestError(
            f"no request you can see has an id starting with {given!r}; "
            "`charter rofr list` shows yours"
        )
    if len(ids) > 1:
        raise RequestError(
            f"the id prefix {given!r} is ambiguous: it matches {', '.join(ids)}; "
            "give more characters"
        )
    return ids[0]


def _rofr_answer(
    action: str,
    rid: str,
    url: str | None,
    db: str | None,
    as_party: str | None,
    scenario: str | None,
    key: str | None,
) -> None:
    import uuid

    client = _client(url, db, scenario, as_party)
    full = _resolve_request_id(client, rid)
    data = _call(
        client,
        "POST",
        f"/v1/rofr/requests/{full}/{action}",
        headers={"Idempotency-Key": key or str(uuid.uuid4())},
    )
    out.print(f"request {full}: {data['status']}")


@rofr_app.command("match")
def rofr_match(
    rid: IdArg,
    key: KeyOpt = None,
    url: UrlOpt = None,
    db: DbOpt = None,
    as_party: AsOpt = None,
    scenario: ScenarioOpt = None,
) -> None:
    """As the holder: take the capacity on the request's terms."""
    _rofr_answer("match", rid, url, db, as_party, scenario, key)


@rofr_app.command("decline")
def rofr_decline(
    rid: IdArg,
    key: KeyOpt = None,
    url: UrlOpt = None,
    db: DbOpt = None,
    as_party: AsOpt = None,
    scenario: ScenarioOpt = None,
) -> None:
    """As the holder: decline, releasing the request to third parties."""
    _rofr_answer("decline", rid, url, db, as_party, scenario, key)


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
    data = _call(
        _client(url, db, scenario, as_party),
        "POST",
        "/v1/spend/import",
        content=content,
        headers={
            "Idempotency-Key": key or hashlib.sha256(content).hexdigest(),
            "Content-Type": "text/csv",
        },
    )
    out.print(f"imported {data['imported']} spend rows")
