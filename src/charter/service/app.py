"""The FastAPI application: ``create_app(settings)`` builds it; nothing is read at import.

Every request is made as a party (bearer token) except ``/health``; :mod:`.policy` decides
who may call what and see what. Writes take an ``Idempotency-Key`` and commit in one
transaction with their ledger event, so a retry returns the first answer and nothing is
recorded twice; a 2xx means the event is durable (SQLite WAL with full sync, or PostgreSQL).
The routes are in :mod:`.routers` (one module per resource), the work in the ledger's
workflow modules; this module wires them and turns errors into responses, in one place.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

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
    _declare_attributes(app, store.scenario)
    return app


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


def _detail(status: int, detail: Any) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": detail})


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
        """503; the reason names the database, so only an embedded app's local caller reads
        it in the response, network callers get it in the server's log."""
        if settings.local_caller is None:
            log.warning("%s", msg)
            msg = "the database is unavailable (the server's log says why)"
        return _detail(503, [{"loc": ["database"], "msg": msg, "type": "unavailable"}])

    @app.exception_handler(DatabaseError)
    async def _database_error(_: Request, exc: DatabaseError) -> JSONResponse:
        return unavailable(str(exc))

    async def db_down(_: Request, exc: Exception) -> JSONResponse:
        return unavailable(describe_db_error(exc, settings.db_url))

    for down in UNAVAILABLE:
        app.add_exception_handler(down, db_down)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        # field-level messages, without echoing inputs (which may not even be valid JSON)
        detail = [
            {"loc": [str(x) for x in e["loc"]], "msg": str(e["msg"]), "type": str(e["type"])}
            for e in exc.errors()
        ]
        return _detail(422, detail)
