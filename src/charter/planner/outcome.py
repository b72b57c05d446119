"""What a solve comes back with: a :class:`SolveStatus` and a :class:`Solution`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

__all__ = ["Solution", "SolveStatus"]

F = npt.NDArray[np.float64]


class SolveStatus(StrEnum):
    """The outcome of a solve (a plan's status in ``charter plan --json``)."""

    OPTIMAL = "optimal"  # a plan within the requested gap of the bound
    FEASIBLE = "feasible"  # a plan, not proven within the gap (time limit, Ctrl-C)
    INFEASIBLE = "infeasible"  # no plan exists
    TIME_LIMIT_NO_SOLUTION = "time-limit-no-solution"  # stopped before any plan was found
    INTERRUPTED = "interrupted"  # Ctrl-C before any plan was found
    RELAXED = "relaxed"  # an LP relaxation's values only (the scale path's bound stage)
    ERROR = "error"  # HiGHS failed, or its answer failed charter's check (see ``detail``)


@dataclass
class Solution:
    status: SolveStatus
    objective: float | None
    bound: float | None
    values: F | None
    seconds: float
    nodes: int
    gap: float | None
    # row duals of an LP relaxation (``solve(relax=True)``), also when it was interrupted
    duals: F | None = None
    # column values of an interrupted LP iterate: not a plan (rows may be violated), a guide
    iterate: F | None = None
    # what went wrong with a first answer HiGHS gave and how it was recovered, for the notes
    recovered: str | None = None
    # why HiGHS's answer was refused (it failed :func:`inconsistency`): no plan is made of it
    rejected: str | None = None
    # for an ERROR: HiGHS's own words, or the reason charter refused its answer
    detail: str | None = None
    # the user pressed Ctrl-C during this solve
    interrupted: bool = False

    @property
    def label(self) -> str:
        """The status as reported (``error: <detail>`` for an error with a detail)."""
        if self.status is SolveStatus.ERROR and self.detail:
            return f"error: {self.detail}"
        return str(self.status)
