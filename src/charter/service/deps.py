"""What a handler is given: settings, the service, the caller, a reader or a writer.

:class:`Settings` is built at the edge (the CLI, tests) and passed to ``create_app``; nothing
is read at import. :class:`Service` is one app's state (the store, the clock, the token
cache). Handlers ask for what they need by ``Annotated`` alias:

* ``ServiceDep``: the service (e.g. the scenario, for decisions);
* ``CallerDep``: the authenticated caller, already allowed by the route's policy;
* ``ReaderDep``: the store, the caller and the server's ``now``, for reads;
* ``WriterDep``: the same with the request's ``Idempotency-Key``, for writes.

A route declares its operation id with :func:`operation`, which attaches the policy of
:data:`charter.service.policy.ROUTES` for that id (401 or 403 before the handler runs), so
the id is the one name tying a route to its access rule.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Request, Response

from charter.ledger.feed import LedgerChecks
from charter.ledger.store import Reply, Store
from charter.ledger.tokens import find_caller, hash_token
from charter.service.clock import Clock
from charter.service.policy import ROUTES, Caller, allowed

__all__ = [
    "ERRORS",
    "CallerDep",
    "Reader",
    "ReaderDep",
    "Service",
    "ServiceDep",
    "Settings",
    "Writer",
    "WriterDep",
    "answer",
    "operation",
]


@dataclass
class Settings:
    """Configuration, built at the edge (CLI, tests) and passed in.

    Attributes:
        db_url: the database (SQLite or PostgreSQL URL).
        scenario: a bundled scenario's name or a folder; None for the default.
        as_of: run the clock from this date; ``clock`` replaces the clock outright (tests).
        check_schema: refuse a database whose schema is not the code's.
        local_caller: act as this caller without a token, for an app embedded in a trusted
            process (tests drive one so; ``charter serve`` never sets it, and the CLI's
            database mode calls the workflows directly instead).
        token_ttl: seconds a token lookup is cached (a revocation takes effect within it).
        verify_ttl: seconds a full verification of the log is reused while its last event
            is in place (see :class:`charter.ledger.feed.LedgerChecks`; 0: never).
        docs: serve Swagger UI at ``/docs`` and ReDoc at ``/redoc`` (they load their
            scripts from a CDN; ``charter serve`` turns them on only with ``--docs``);
            ``/openapi.json`` is always served.
        max_body_bytes: the largest request body (413 beyond it), for every route but
            ``POST /v1/spend/import``, which takes up to ``max_import_bytes``.
        signing_key: the ledger's Ed25519 key file, never in the database (None:
            ``$CHARTER_SIGNING_KEY``, else beside the SQLite file, else the user's data
            directory; created 0600 when missing). Its last checkpoint is kept beside it.
        extra: overrides by name, for tests (``{"token_ttl": 0}``).
    """

    db_url: str
    scenario: str | None = None
    as_of: dt.date | None = None
    clock: Clock | None = None
    check_schema: bool = True
    local_caller: Caller | None = None
    token_ttl: float = 5.0
    verify_ttl: float = 10.0
    docs: bool = True
    max_body_bytes: int = 1_000_000
    max_import_bytes: int = 8_000_000
    signing_key: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def token_cache_seconds(self) -> float:
        return float(self.extra.get("token_ttl", self.token_ttl))

    @property
    def verify_cache_seconds(self) -> float:
        return float(self.extra.get("verify_ttl", self.verify_ttl))


#: Error responses every authenticated route may give, declared in the OpenAPI schema.
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid bearer token"},
    403: {"description": "the caller's party or role may not do this"},
    404: {"description": "no such resource, or not visible to the caller"},
    409: {"description": "the resource is not in a state that allows this"},
    413: {"description": "the request body is larger than the server's limit"},
    503: {"description": "the database is unavailable"},
}

#: the most token lookups kept before the cache is emptied
TOKEN_CACHE_SIZE = 10_000


class Service:
    """One app's state: settings, store (database, ledger, scenario), clock, token cache."""

    def __init__(self, settings: Settings, store: Store, clock: Clock) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self._tokens: dict[str, tuple[Caller | None, float]] = {}
        self.checks = LedgerChecks(settings.verify_cache_seconds)

    def caller(self, authorization: str | None) -> Caller | None:
        """The caller behind an ``Authorization: Bearer ...`` header (or the local caller);
        token lookups are cached for ``token_ttl`` seconds."""
        if self.settings.local_caller is not None:
            return self.settings.local_caller
        if not authorization or not authorization.lower().startswith("bearer "):
            return None
        digest = hash_token(authorization.split(" ", 1)[1].strip())
        hit = self._tokens.get(digest)
        now = time.monotonic()
        if hit is not None and hit[1] > now:
            return hit[0]
        caller = find_caller(self.store.db, token_hash=digest)
        if len(self._tokens) > TOKEN_CACHE_SIZE:
            self._tokens.clear()
        self._tokens[digest] = (caller, now + self.settings.token_cache_seconds)
        return caller


def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]


def authorize(
    request: Request,
    service: ServiceDep,
    authorization: Annotated[str | None, Header()] = None,
) -> Caller:
    """The caller, if the route's entry in ROUTES admits it: else 401 (no valid token) or
    403 (a role that may not)."""
    op = request.scope["route"].operation_id
    caller = service.caller(authorization)
    if not allowed(op, caller) or caller is None:
        if caller is None:
            raise HTTPException(
                401, "a valid bearer token is needed", headers={"WWW-Authenticate": "Bearer"}
            )
        raise HTTPException(403, f"the {caller.role} role may not do this")
    return caller


CallerDep = Annotated[Caller, Depends(authorize)]


@dataclass(frozen=True)
class Reader:
    """A read: the store, the caller and the server's time."""

    store: Store
    caller: Caller
    now: dt.datetime


@dataclass(frozen=True)
class Writer(Reader):
    """A write: a read's context and the request's ``Idempotency-Key`` (checked by the
    workflow, after the request's own fields)."""

    key: str | None


def reader(service: ServiceDep, caller: CallerDep) -> Reader:
    return Reader(store=service.store, caller=caller, now=service.clock.now())


def writer(
    service: ServiceDep,
    caller: CallerDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> Writer:
    return Writer(store=service.store, caller=caller, now=service.clock.now(), key=idempotency_key)


ReaderDep = Annotated[Reader, Depends(reader)]
WriterDep = Annotated[Writer, Depends(writer)]


def operation(op: str, model: type[Any], **route: Any) -> dict[str, Any]:
    """The keywords of a route for operation ``op``: its id, its response model, its policy
    from ROUTES (as a dependency, so no handler can forget it) and its error responses.

    Responses leave out what the handler's answer leaves out (``response_model_exclude_unset``),
    so declaring a model never adds keys to a body.
    """
    if op not in ROUTES:
        raise KeyError(f"operation {op!r} has no entry in policy.ROUTES")
    anonymous = ROUTES[op] == "anonymous"
    return {
        "operation_id": op,
        "response_model": model,
        "response_model_exclude_unset": True,
        "responses": {503: ERRORS[503]} if anonymous else ERRORS,
        "dependencies": [] if anonymous else [Depends(authorize)],
        **route,
    }


def answer(reply: Reply, response: Response) -> dict[str, Any]:
    """A write's body, with the status of its (first) answer."""
    response.status_code = reply.status
    return reply.body
