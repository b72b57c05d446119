"""What every workflow works on, and what a write answers.

A :class:`Store` is the database, its ledger and the scenario whose agreements the workflows
apply; the service builds one in ``create_app`` and the CLI can build one with
:meth:`Store.open`. A write returns a :class:`Reply`: the status and the JSON body of the first
answer to its ``Idempotency-Key``. The errors a workflow raises are :class:`WorkflowError`
subclasses (``CharterError``), which the service maps to HTTP statuses in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    def open(cls, db_url: str, scenario: str | None = None) -> Store:
        """A store on ``db_url`` for a bundled scenario name or folder (the default: None)."""
        db = Database(db_url)
        return cls(db=db, ledger=Ledger(db.is_sqlite), scenario=load_scenario(scenario))


@dataclass(frozen=True)
class Reply:
    """A write's answer: HTTP-style status and JSON body (replayed on a retry)."""

    status: int
    body: dict[str, Any]


class WorkflowError(CharterError):
    """A request a workflow refuses; the service maps each subclass to a status."""


class NotFound(WorkflowError):
    """No such resource, or none the caller may see (404)."""


class Forbidden(WorkflowError):
    """The caller's party may not do this to this resource (403)."""


class Conflict(WorkflowError):
    """The resource is not in a state that allows this (409)."""


class InvalidRequest(WorkflowError):
    """Bad input, field by field (422): ``errors`` are ``{"loc", "msg", "type"}`` items."""

    def __init__(self, msg: str, loc: list[str] | None = None) -> None:
        super().__init__(msg)
        self.errors: list[dict[str, Any]] = [
            {"loc": loc or ["body"], "msg": msg, "type": "value_error"}
        ]

    @classmethod
    def of(cls, errors: list[dict[str, Any]]) -> InvalidRequest:
        """One error carrying several items (e.g. one per bad CSV line)."""
        exc = cls("; ".join(str(e["msg"]) for e in errors))
        exc.errors = errors
        return exc
