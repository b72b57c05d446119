"""The exception tree of charter, in one place.

::

    CharterError                 anything charter reports to a user (exit code 2 at the CLI)
    ├── ScenarioError            a scenario folder is malformed; carries file, line and field
    ├── RequestError             a question is malformed: unknown party, action, date ...
    ├── SolverError              a solver's answer failed charter's own check of it: no figure
    │                            is reported rather than a wrong one
    └── DatabaseError            (charter.ledger.db) the database cannot be opened or reached,
        └── SchemaOutOfDate      or its schema is not the code's

An infeasible plan or a denied request is a *result*, never an exception.
Messages carry no colour codes; colour is added only at the CLI edge.
"""

from __future__ import annotations

__all__ = ["CharterError", "RequestError", "ScenarioError", "SolverError"]


class CharterError(Exception):
    """Base class of every error charter reports to a user."""


class ScenarioError(CharterError):
    """A scenario file is malformed.

    Args:
        message: what is wrong and, where possible, how to fix it.
        file: the file's path relative to the scenario folder, e.g. ``agreements.yaml``.
        line: 1-based line number in that file, when known.
        field: dotted path of the field, e.g. ``amendments[2].clauses[0].until``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        if self.field:
            where += f"{self.field}: "
        return where + self.message


class RequestError(CharterError):
    """A question put to the engine is malformed (unknown party, action, date, option)."""


class SolverError(CharterError):
    """A solver's answer disagrees with charter's independent recomputation of it.

    Raised, for instance, when a plan's placements do not cost what the solver reported, or a
    solution breaks a row of the model it claims to solve. The message says what disagreed.
    """
