"""What every workflow works on, and what a write answers.

A :class:`Store` is the database, its ledger and the scenario whose agreements the workflows
apply; the service builds one in ``create_app`` and the CLI can build one with
:meth:`Store.open`. A write returns a :class:`Reply`: the status and the JSON body of the first
answer to its ``Idempotency-Key``. The errors a workflow raises are :class:`WorkflowError`
subclasses (``CharterError``), each with the HTTP status the service answers with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from charter.errors import CharterError
from charter.ledger.chain import Ledger
from charter.ledger.db import Database
from charter.scenario import Scenario, load_scenario

__all__ = [
    "Conflict",
    "Forbidden",
    "InvalidRequest",
    "NotFound",
    "Reply",
    "Store",
    "WorkflowError",
]


@dataclass(frozen=True)
class Store:
    """The database, its hash-chained ledger and the scenario."""

    db: Database
    ledger: Ledger
    scenario: Scenario

    @classmethod
    def open(cls, db_url: str, scenario: str | None = None, *, check_schema: bool = True) -> Store:
        """A store on ``db_url`` for a bundled scenario name or folder (None: the default).

        Raises:
            ScenarioError: the scenario does not load.
            DatabaseError: the database cannot be used; SchemaOutOfDate: its schema is not
                the code's (when ``check_schema``).
        """
        loaded = load_scenario(scenario)
        db = Database(db_url)
        if check_schema:
            try:
                db.require_current()
            except CharterError:
                db.dispose()
                raise
        return cls(db=db, ledger=Ledger(db.is_sqlite, db), scenario=loaded)

    def close(self) -> None:
        """Release the database's connections."""
        self.db.dispose()


@dataclass(frozen=True)
class Reply:
    """A write's answer: HTTP-style status and JSON body (replayed on a retry)."""

    status: int
    body: dict[str, Any]


class WorkflowError(CharterError):
    """A request a workflow refuses. ``status`` is the HTTP status the service answers
    with, and the prefix the CLI prints (``409: the request is matched: ...``)."""

    status = 422


class NotFound(WorkflowError):
    """No such resource, or none the caller may see."""

    status = 404


class Forbidden(WorkflowError):
    """The caller's party may not do this to this resource."""

    status = 403


class Conflict(WorkflowError):
    """The resource is not in a state that allows this."""

    status = 409


def _line(errors: list[dict[str, Any]]) -> str:
    """``field: message; ...``, as the CLI shows a 422's items (without body/database)."""
    parts = []
    for e in errors:
        loc = ".".join(str(x) for x in e["loc"] if x not in ("body", "database"))
        parts.append(f"{loc}: {e['msg']}" if loc else str(e["msg"]))
    return "; ".join(parts)


class InvalidRequest(WorkflowError):
    """Bad input, field by field: ``errors`` are ``{"loc", "msg", "type"}`` items (the
    service's 422 body); the message is ``field: message; ...``."""

    status = 422

    def __init__(self, msg: str, loc: list[str] | None = None) -> None:
        self.errors: list[dict[str, Any]] = [
            {"loc": loc or ["body"], "msg": msg, "type": "value_error"}
        ]
        super().__init__(_line(self.errors))

    @classmethod
    def of(cls, errors: list[dict[str, Any]]) -> InvalidRequest:
        """One error carrying several items (e.g. one per bad CSV line)."""
        exc = cls("")
        exc.errors = errors
        exc.args = (_line(errors),)
        return exc

    @classmethod
    def from_validation(cls, exc: ValidationError) -> InvalidRequest:
        """A request model's validation error (e.g. the CLI building a ``RofrRequestCreate``),
        with the items the service's 422 would carry (``loc`` under ``body``)."""
        return cls.of(
            [
                {"loc": ["body", *map(str, e["loc"])], "msg": str(e["msg"]), "type": e["type"]}
                for e in exc.errors()
            ]
        )
