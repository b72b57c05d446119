"""Commands that act as a party in the service: ``rofr list|file|match|decline``,
``spend import`` and ``ledger verify``. Each talks to a running server (``--url``, token from
``$CHARTER_TOKEN``) or, acting as ``--as PARTY``, calls the ledger's workflows on the database
(:mod:`charter.ledger.rofr`, :mod:`~charter.ledger.spend`, :mod:`~charter.ledger.feed`),
printing the same either way: a refusal reads as the server's answer would
(``409: the request is matched: ...``)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from charter.cli.common import JsonOpt, Table, out, print_json
from charter.cli.operate import DbOpt, ScenarioOpt, db_url
from charter.errors import CharterError, RequestError

if TYPE_CHECKING:
    import httpx
    from pydantic import BaseModel

    from charter.ledger.store import Store
    from charter.service.policy import Caller

T = TypeVar("T")

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


# ---------------------------------------------------------------------------- a server
def _client(url: str) -> httpx.Client:
    """An HTTP client for the server at ``url``, with the token from ``$CHARTER_TOKEN``."""
    import os

    import httpx

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


# ---------------------------------------------------------------------------- the database
@contextlib.contextmanager
def _store(
    db: str | None, scenario: str | None, as_party: str | None
) -> Iterator[tuple[Store, Caller]]:
    """The store on the database (its schema checked) and the caller ``--as PARTY`` (an
    operator), for the workflows; the database's connections are released after the block."""
    from charter.ledger.store import Store
    from charter.service.policy import Caller

    if not as_party:
        raise RequestError("without --url, say which party you act as: --as PARTY")
    store = Store.open(db_url(db), scenario)
    try:
        yield store, Caller(as_party, "operator")
    finally:
        store.close()


def _workflow(store: Store, work: Callable[[], T]) -> T:
    """``work()``, calls of the ledger's workflows on ``store``, whose failures read as the
    server's answer would: a refusal with its status (``409: the request is matched: ...``),
    an unusable database as 503, any other charter error (an unknown party, say) as 422."""
    from charter.ledger.db import DatabaseError
    from charter.ledger.store import WorkflowError

    try:
        with store.db.guard():  # database failures become DatabaseError
            return work()
    except WorkflowError as exc:
        raise RequestError(f"{exc.status}: {exc}") from None
    except DatabaseError as exc:
        raise RequestError(f"503: {exc}") from None
    except CharterError as exc:
        raise RequestError(f"422: {exc}") from None


def _as_served(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as the server sends it through its response ``model``: the model's fields in
    its order (the ledger stores payloads with sorted keys), then any others; unset ones left
    out."""
    return model.model_validate(data).model_dump(mode="json", exclude_unset=True)


# ---------------------------------------------------------------------------- ledger
@ledger_app.command("verify")
def ledger_verify(url: UrlOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Check every link of the chain; exit 1 at the first broken one."""
    if url:
        result = _call(_client(url), "GET", "/v1/ledger/verify")
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
    if url:
        data = _call(_client(url), "GET", "/v1/rofr/requests")
    else:
        from charter.service.schemas import RofrRequestListPublic

        with _store(db, scenario, as_party) as (store, caller):
            data = _as_served(RofrRequestListPublic, {"requests": _listed(store, caller)})
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


def _listed(store: Store, caller: Caller) -> list[dict[str, Any]]:
    """The requests ``caller`` may see, as ``GET /v1/rofr/requests`` lists them."""
    from charter.ledger import rofr

    now = dt.datetime.now(dt.UTC)
    return _workflow(store, lambda: rofr.list_requests(store, caller=caller, now=now))


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
    if url:
        client = _client(url)
        headers = {"Idempotency-Key": key or str(uuid.uuid4())}
        try:
            data = _call(client, "POST", "/v1/rofr/requests", json=body, headers=headers)
        except ValueError as exc:  # httpx refuses a body with inf or nan: "Out of range float ..."
            raise RequestError(str(exc)) from None
    else:
        with _store(db, scenario, as_party) as (store, caller):
            data = _file(store, caller, body, key)
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


def _file(store: Store, caller: Caller, body: dict[str, Any], key: str | None) -> dict[str, Any]:
    """File the request ``body`` (the JSON ``POST /v1/rofr/requests`` takes) as ``caller``."""
    import json
    import uuid

    from pydantic import ValidationError

    from charter.ledger import rofr
    from charter.ledger.store import InvalidRequest
    from charter.service.schemas import RofrRequestCreate, RofrRequestPublic

    try:  # what a server is never sent (httpx refuses it): the same message either way
        json.dumps(body, allow_nan=False)
    except ValueError as exc:  # "Out of range float values are not JSON compliant"
        raise RequestError(str(exc)) from None
    now = dt.datetime.now(dt.UTC)

    def file() -> dict[str, Any]:
        try:
            filing = RofrRequestCreate.model_validate(body)
        except ValidationError as exc:
            raise InvalidRequest.from_validation(exc) from None
        filed = rofr.file_request(
            store, caller=caller, filing=filing, key=key or str(uuid.uuid4()), now=now
        )
        return _as_served(RofrRequestPublic, filed.body)

    return _workflow(store, file)


def _resolve_request_id(listed: Callable[[], list[dict[str, Any]]], given: str) -> str:
    """A full request id, from a full id or a unique prefix of one (as `charter rofr list`
    prints them), looked up among the requests the caller can list (``listed()``, called
    only for a prefix)."""
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
    ids = sorted({str(r["id"]) for r in listed() if str(r["id"]).startswith(prefix)})
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

    if url:
        client = _client(url)
        full = _resolve_request_id(
            lambda: list(_call(client, "GET", "/v1/rofr/requests")["requests"]), rid
        )
        data = _call(
            client,
            "POST",
            f"/v1/rofr/requests/{full}/{action}",
            headers={"Idempotency-Key": key or str(uuid.uuid4())},
        )
    else:
        from charter.ledger import rofr

        with _store(db, scenario, as_party) as (store, caller):
            full = _resolve_request_id(lambda: _listed(store, caller), rid)
            now = dt.datetime.now(dt.UTC)
            data = _workflow(
                store,
                lambda: (
                    rofr.answer_request(
                        store,
                        caller=caller,
                        rid=full,
                        match=(action == "match"),
                        key=key or str(uuid.uuid4()),
                        now=now,
                    ).body
                ),
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
    key = key or hashlib.sha256(content).hexdigest()
    if url:
        data = _call(
            _client(url),
            "POST",
            "/v1/spend/import",
            content=content,
            headers={"Idempotency-Key": key, "Content-Type": "text/csv"},
        )
    else:
        from charter.ledger import spend

        # as the server reads the body: a BOM dropped, undecodable bytes replaced
        text = content.decode("utf-8-sig", errors="replace")
        with _store(db, scenario, as_party) as (store, caller):
            now = dt.datetime.now(dt.UTC)
            data = _workflow(
                store,
                lambda: (
                    spend.import_spend(store, caller=caller, csv_text=text, key=key, now=now).body
                ),
            )
    out.print(f"imported {data['imported']} spend rows")
