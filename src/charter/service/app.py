"""The FastAPI application: ``create_app(settings)`` builds it; nothing is read at import.

Every request is made as a party (bearer token) except ``/health``; :mod:`.policy` decides
who may call what and see what. Writes take an ``Idempotency-Key`` and commit in one
transaction with their ledger event, so a retry returns the first answer and nothing is
recorded twice; a 2xx means the event is durable (SQLite WAL with full sync, or PostgreSQL).
The routes are in :mod:`.routers` (one module per resource), the work in the ledger's
workflow modules; this module wires them and turns errors into responses, in one place.
The dashboard (:mod:`charter.dashboard`) is mounted at ``/`` behind them.
"""

from __future__ import annotations

import errno
import json
import logging
import sqlite3
import time
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InternalError

from charter.errors import CharterError
from charter.ledger.db import UNAVAILABLE, DatabaseError, describe_db_error
from charter.ledger.feed import check_start
from charter.ledger.store import InvalidRequest, Store, WorkflowError
from charter.ledger.tokens import hash_token
from charter.service.clock import Clock
from charter.service.deps import Service, Settings
from charter.service.routers import ROUTERS

__all__ = ["Settings", "create_app", "hash_token"]

log = logging.getLogger("charter.service")


def create_app(settings: Settings) -> FastAPI:
    """Build the application for one scenario and one database.

    Raises:
        ScenarioError: the scenario does not load.
        DatabaseError: the database cannot be used; SchemaOutOfDate: its schema is not the
            code's (unless ``settings.check_schema`` is false).
    """
    store = Store.open(settings.db_url, settings.scenario, check_schema=settings.check_schema)
    store.db.signing_key = settings.signing_key
    if settings.check_schema:
        try:
            check_start(store)  # never serve a database behind the server's own checkpoint
        except BaseException:
            store.close()
            raise
    service = Service(settings, store, settings.clock or Clock(settings.as_of))
    app = FastAPI(
        title="charter",
        version="1",
        description="Compute agreements as executable policy: decisions, the ROFR process, "
        "commitments, revenue share and a tamper-evident ledger.",
        docs_url="/docs" if settings.docs else None,
        redoc_url="/redoc" if settings.docs else None,
    )
    app.state.service = service
    # the names callers (the CLI, tests) read
    app.state.scenario = store.scenario
    app.state.db = store.db
    app.state.clock = service.clock
    app.state.ledger = store.ledger
    for router in ROUTERS:
        # the routes themselves, not FastAPI's lazy view of an included router: the app's
        # routes are then the APIRoutes that the authorization test reads
        app.router.routes.extend(router.routes)
    _add_error_handlers(app, settings)
    # the dashboard's pages and assets, behind every API route (charter.dashboard)
    from charter.dashboard import dashboard

    app.mount("/", dashboard(service))
    app.add_middleware(BodyLimit, settings=settings)
    app.add_middleware(SecurityHeaders)
    _declare_attributes(app, store.scenario)
    return app


#: seconds a 503 asks the client to wait before retrying
RETRY_AFTER_SECONDS = 30
#: the errors of a file system that cannot take a write: full, over quota, read-only
NO_SPACE = (errno.ENOSPC, errno.EDQUOT, errno.EROFS)

#: PostgreSQL's codes for a write refused as read-only (25006) or out of space (53100)
READ_ONLY_SQLSTATES = ("25006", "53100")

#: the route whose body may be as large as ``Settings.max_import_bytes``
IMPORT_PATH = "/v1/spend/import"


#: headers on every answer: no content sniffing, and no cache keeps a party's answers
#: (the documentation pages may be cached)
SECURITY_HEADERS = ((b"x-content-type-options", b"nosniff"),)
NO_STORE = (b"cache-control", b"no-store")
DOC_PATHS = ("/docs", "/redoc", "/docs/oauth2-redirect")


class SecurityHeaders:
    """``X-Content-Type-Options: nosniff`` on every answer, ``Cache-Control: no-store`` on
    all but the documentation pages."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [*SECURITY_HEADERS] + ([] if scope["path"] in DOC_PATHS else [NO_STORE])

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuse a request body past its limit with 413 (``Settings.max_body_bytes``, or
    ``max_import_bytes`` for the spend import): at once when ``Content-Length`` says so,
    else as soon as the bytes received pass it, so no more than the limit is ever read."""

    def __init__(self, app: Any, settings: Settings) -> None:
        self.app = app
        self.limit = settings.max_body_bytes
        self.import_limit = settings.max_import_bytes

    def _too_large(self, limit: int) -> HTTPException:
        return HTTPException(413, f"the request body is larger than the limit of {limit} bytes")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.import_limit if scope["path"] == IMPORT_PATH else self.limit
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                response = _detail(413, self._too_large(limit).detail, {"Connection": "close"})
                await response(scope, receive, send)
                return
        received = 0

        async def bounded() -> Any:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise self._too_large(limit)
            return message

        await self.app(scope, bounded, send)


def _declare_attributes(app: FastAPI, scenario: Any) -> None:
    """The OpenAPI document lists the scenario's declared attributes as fields of
    ``DecisionCreate`` (the model takes them as extra fields)."""
    from charter.clauses.base import attribute_schema

    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()  # FastAPI's, which it caches as app.openapi_schema
            props = schema["components"]["schemas"]["DecisionCreate"]["properties"]
            for name, _ in scenario.declared_attributes:
                attr = scenario.vocabulary.attributes[name]
                props.setdefault(name, {"description": attr.describe, **attribute_schema(attr)})
            return schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


class _ErrorResponse(JSONResponse):
    """An error's JSON: a message that quotes input it could not encode (a lone surrogate)
    is written with that character escaped rather than failing as a 500."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
            return text.encode("utf-8", "backslashreplace")


def _detail(status: int, detail: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    return _ErrorResponse(status_code=status, content={"detail": detail}, headers=headers)


#: at most one warning per this many seconds (a failing database cannot flood the log)
LOG_EVERY_SECONDS = 10.0
_last_warning = [0.0, 0]  # when the last one was written, how many were dropped since


def throttled_warning(msg: str) -> None:
    """Log ``msg`` unless one was logged less than :data:`LOG_EVERY_SECONDS` ago (the next
    one says how many were dropped)."""
    now = time.monotonic()
    if now - _last_warning[0] < LOG_EVERY_SECONDS:
        _last_warning[1] += 1
        return
    dropped, _last_warning[:] = _last_warning[1], [now, 0]
    log.warning("%s%s", msg[:1000], f" ({dropped} more like it not logged)" if dropped else "")


def _add_error_handlers(app: FastAPI, settings: Settings) -> None:
    """Errors → responses: workflow refusals to 403/404/409/422, any other CharterError to
    422, an unusable database to 503, request validation to 422 without echoing inputs."""

    @app.exception_handler(WorkflowError)
    async def _refused(_: Request, exc: WorkflowError) -> JSONResponse:
        if isinstance(exc, InvalidRequest):
            return _detail(exc.status, exc.errors)
        return _detail(exc.status, str(exc))  # 403, 404, 409: the message

    @app.exception_handler(CharterError)
    async def _charter_error(_: Request, exc: CharterError) -> JSONResponse:
        return _detail(422, [{"loc": ["body"], "msg": str(exc), "type": "value_error"}])

    def unavailable(msg: str) -> JSONResponse:
        """503 with ``Retry-After``; the reason names the database, so only an embedded app's
        local caller reads it in the response, network callers get it in the server's log."""
        if settings.local_caller is None:
            throttled_warning(msg)
            msg = "the database is unavailable (the server's log says why)"
        body = [{"loc": ["database"], "msg": msg, "type": "unavailable"}]
        return _detail(503, body, {"Retry-After": str(RETRY_AFTER_SECONDS)})

    @app.exception_handler(DatabaseError)
    async def _database_error(_: Request, exc: DatabaseError) -> JSONResponse:
        return unavailable(str(exc))

    async def db_down(_: Request, exc: Exception) -> JSONResponse:
        return unavailable(describe_db_error(exc, settings.db_url))

    for down in UNAVAILABLE:
        app.add_exception_handler(down, db_down)
    # the driver's own errors, should one escape SQLAlchemy's wrapping
    app.add_exception_handler(sqlite3.OperationalError, db_down)

    @app.exception_handler(InternalError)
    async def _internal(request: Request, exc: InternalError) -> JSONResponse:
        # PostgreSQL's read-only transaction (a replica, default_transaction_read_only)
        if getattr(exc.orig, "sqlstate", None) in READ_ONLY_SQLSTATES:
            return unavailable(describe_db_error(exc, settings.db_url))
        raise exc

    @app.exception_handler(OSError)
    async def _os_error(request: Request, exc: OSError) -> JSONResponse:
        if exc.errno in NO_SPACE:  # a full disk or a read-only file system
            return unavailable(f"the server cannot write: {exc}")
        raise exc

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        # field-level messages, without echoing inputs (which may not even be valid JSON)
        detail = [
            {"loc": [str(x) for x in e["loc"]], "msg": str(e["msg"]), "type": str(e["type"])}
            for e in exc.errors()
        ]
        return _detail(422, detail)
