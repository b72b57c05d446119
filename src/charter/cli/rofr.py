"""The right-of-first-refusal process as a party: ``rofr list|file|match|decline``, through a
server or straight to the database (:mod:`charter.cli.remote`), and the request ids the
commands take (a full id or a unique prefix of one)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from charter.cli import remote
from charter.cli.common import JsonOpt, Table, out, print_json
from charter.cli.operate import DbOpt, ScenarioOpt
from charter.cli.remote import AsOpt, UrlOpt
from charter.errors import RequestError

if TYPE_CHECKING:
    from charter.ledger.store import Store
    from charter.service.policy import Caller

__all__ = ["MIN_ID_PREFIX", "rofr_app"]

rofr_app = typer.Typer(help="The right-of-first-refusal process.", no_args_is_help=True)

KeyOpt = Annotated[str | None, typer.Option(help="Idempotency key.")]
IdArg = Annotated[
    str, typer.Argument(help="Request id, or a unique prefix of it (at least 4 characters).")
]

#: the shortest id prefix `charter rofr match/decline` accept (as git's abbreviated hashes)
MIN_ID_PREFIX = 4


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
        data = remote.call(remote.connect(url), "GET", "/v1/rofr/requests")
    else:
        from charter.service.schemas import RofrRequestListPublic

        with remote.open_store(db, scenario, as_party) as (store, caller):
            data = remote.as_served(RofrRequestListPublic, {"requests": _listed(store, caller)})
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
    return remote.workflow(store, lambda: rofr.list_requests(store, caller=caller, now=now))


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
        client = remote.connect(url)
        headers = {"Idempotency-Key": key or str(uuid.uuid4())}
        try:
            data = remote.call(client, "POST", "/v1/rofr/requests", json=body, headers=headers)
        except ValueError as exc:  # httpx refuses a body with inf or nan: "Out of range float ..."
            raise RequestError(str(exc)) from None
    else:
        with remote.open_store(db, scenario, as_party) as (store, caller):
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
        return remote.as_served(RofrRequestPublic, filed.body)

    return remote.workflow(store, file)


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
        client = remote.connect(url)
        full = _resolve_request_id(
            lambda: list(remote.call(client, "GET", "/v1/rofr/requests")["requests"]), rid
        )
        data = remote.call(
            client,
            "POST",
            f"/v1/rofr/requests/{full}/{action}",
            headers={"Idempotency-Key": key or str(uuid.uuid4())},
        )
    else:
        from charter.ledger import rofr

        with remote.open_store(db, scenario, as_party) as (store, caller):
            full = _resolve_request_id(lambda: _listed(store, caller), rid)
            now = dt.datetime.now(dt.UTC)
            data = remote.workflow(
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
