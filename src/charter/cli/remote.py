"""How a party command reaches the service: through a running server (``--url``, token from
``$CHARTER_TOKEN``) or, acting as ``--as PARTY``, straight to the database, calling the
ledger's workflows (:mod:`charter.ledger.rofr`, :mod:`~charter.ledger.spend`,
:mod:`~charter.ledger.feed`). Both ways print the same: a refusal reads as the server's answer
would (``409: the request is matched: ...``).

The commands (:mod:`charter.cli.rofr`, :mod:`charter.cli.records`) call these helpers through
the module (``remote.connect(url)``), so a test stands an in-process client in for the HTTP
client in one place."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from charter.cli.operate import db_url
from charter.errors import CharterError, RequestError

if TYPE_CHECKING:
    import httpx
    from pydantic import BaseModel

    from charter.ledger.store import Store, WorkflowError
    from charter.service.policy import Caller

T = TypeVar("T")

__all__ = ["AsOpt", "UrlOpt", "as_served", "call", "connect", "open_store", "workflow"]

UrlOpt = Annotated[
    str | None,
    typer.Option(
        "--url",
        help="A running server (token from $CHARTER_TOKEN); without it, "
        "talk straight to the database as --as PARTY.",
    ),
]
AsOpt = Annotated[str | None, typer.Option("--as", help="Act as this party (database mode).")]


# ---------------------------------------------------------------------------- a server
def connect(url: str) -> httpx.Client:
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


def _items(r: httpx.Response) -> list[dict[str, Any]] | None:
    """A 422's ``detail`` items, when it has them."""
    try:
        detail = r.json().get("detail")
    except (ValueError, AttributeError):
        return None
    if isinstance(detail, list) and all(isinstance(d, dict) for d in detail):
        return detail
    return None


def call(
    client: httpx.Client,
    method: str,
    path: str,
    on_items: Callable[[int, list[dict[str, Any]]], RequestError] | None = None,
    **kw: Any,
) -> Any:
    """The JSON answer of one request; a RequestError for no answer, an error status or an
    answer that is not JSON. ``on_items`` words a 422's items (default: ``field: message;
    ...``)."""
    import httpx

    try:
        r = client.request(method, path, **kw)
    except httpx.TransportError as exc:  # nothing listening, a timeout, a dropped connection
        raise RequestError(
            f"cannot reach the server at {client.base_url}: {exc or type(exc).__name__}; "
            "is `charter serve` running there (check --url)?"
        ) from None
    if r.status_code == 422 and on_items is not None and (items := _items(r)) is not None:
        raise on_items(r.status_code, items)
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
def open_store(
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


def workflow(store: Store, work: Callable[[], T], keep: type[WorkflowError] | None = None) -> T:
    """``work()``, calls of the ledger's workflows on ``store``, whose failures read as the
    server's answer would: a refusal with its status (``409: the request is matched: ...``),
    an unusable database as 503, any other charter error (an unknown party, say) as 422.
    Refusals of the ``keep`` class are raised as they are, for the caller to word."""
    from charter.ledger.db import DatabaseError
    from charter.ledger.store import WorkflowError

    try:
        with store.db.guard():  # database failures become DatabaseError
            return work()
    except WorkflowError as exc:
        if keep is not None and isinstance(exc, keep):
            raise
        raise RequestError(f"{exc.status}: {exc}") from None
    except DatabaseError as exc:
        raise RequestError(f"503: {exc}") from None
    except CharterError as exc:
        raise RequestError(f"422: {exc}") from None


def as_served(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as the server sends it through its response ``model``: the model's fields in
    its order (the ledger stores payloads with sorted keys), then any others; unset ones left
    out."""
    return model.model_validate(data).model_dump(mode="json", exclude_unset=True)
