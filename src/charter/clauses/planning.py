"""What a clause kind that constrains plans adds to the planner's model, over small views.

A kind whose obligation a plan meets by its shape (``ClauseSpec.constrains``; the ROFR: third
parties only once the holder's capacity is full) answers three questions for the planner and
one for the checker:

- :meth:`ClauseSpec.plan_part` builds, from a :class:`ProblemView` of the planning problem,
  the kind's :class:`PlanPart` for one clause: its own columns and, over a :class:`ModelView`,
  its sparse row blocks;
- :meth:`PlanPart.repair` makes a heuristic placement keep those rows, with the moves a
  :class:`Repair` offers (optional: a part that cannot repair leaves the start to the solver);
- :meth:`PlanPart.report` summarises its part of a solution (the ROFR: the requests the plan
  makes of the holder);
- :meth:`ClauseSpec.plan_breach` checks a finished plan, over the checker's
  :class:`~charter.clauses.base.PlanView` (independent of the planner and of these rows).

The planner knows these interfaces, never a kind: it lays the parts' columns out after its
own, adds their rows, calls their repairs and reports. Triples are the planner's feasible
(workload group, offer, month) combinations, given as index arrays ``tw``, ``to``, ``tt``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

if TYPE_CHECKING:
    from charter.model import OfferSpec

__all__ = ["Columns", "ModelView", "PlanPart", "ProblemView", "Repair", "RowBlock"]

Ints = npt.NDArray[np.int64]
F = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]


class ProblemView(Protocol):
    """What a kind sees of the planning problem when it builds its part."""

    offers: tuple[OfferSpec, ...]
    providers_of: Mapping[str, tuple[str, ...]]
    n_periods: int
    tw: Ints  # triple → workload group
    to: Ints  # triple → offer
    tt: Ints  # triple → month
    signature: Ints  # workload group → its signature class (groups that clauses treat alike)

    def conditional_on(self, record: int) -> Ints:
        """The triples whose verdict is conditional on clause record ``record`` (sorted)."""
        ...

    def usable(self, signature: int, month: int) -> B:
        """Per offer: whether work of that signature class may run there that month (static
        filters, capacity and every clause, conditional verdicts of constraining kinds
        included)."""
        ...


class ModelView(Protocol):
    """What a kind sees of the model when it writes its rows: the planner's columns."""

    offers: tuple[OfferSpec, ...]
    period_labels: tuple[str, ...]
    n_groups: int
    tw: Ints
    to: Ints
    tt: Ints
    demand: F  # group × month hours
    cap: F  # offer × month hours

    def workload(self, group: int) -> str:
        """A workload group's name (its first member's) for reports."""
        ...

    def columns_of(self, triples: Ints) -> tuple[B, Ints, B]:
        """For each triple: whether it has a column, the column, and whether that column is
        a gang choice (a binary: 1 places the job's whole demand) rather than hours."""
        ...

    def load(self, offers: Ints, months: Ints) -> sp.coo_array:
        """The hours placed on each (offer, month) pair as rows over the model's columns
        (row i is pair i)."""
        ...


@dataclass(frozen=True)
class Columns:
    """A part's own columns (cost, bounds, integrality), laid out by the planner."""

    cost: F
    upper: F
    integer: B

    @staticmethod
    def binaries(n: int) -> Columns:
        return Columns(np.zeros(n), np.ones(n), np.ones(n, dtype=bool))

    @staticmethod
    def none() -> Columns:
        return Columns(np.zeros(0), np.zeros(0), np.zeros(0, dtype=bool))

    def __len__(self) -> int:
        return len(self.cost)


@dataclass(frozen=True)
class RowBlock:
    """Rows ``lower ≤ Σ val · column ≤ upper`` as COO triplets; ``row`` counts from 0 within
    the block, ``col`` indexes the whole model."""

    name: str
    row: Ints
    col: Ints
    val: F
    lower: F
    upper: F


class Repair(Protocol):
    """Moves on a heuristic placement that a part may make to keep its rows. Hours only
    move between offers a workload may use, and never past an offer's capacity."""

    n_offers: int

    def uses(self, triples: Ints) -> bool:
        """Whether the placement puts any hours on these triples."""
        ...

    def move_gangs(self, triples: Ints, onto: B) -> None:
        """Gang jobs placed on these triples, moved onto a candidate among the offers
        ``onto`` with room, the cheapest, where one exists."""
        ...

    def fill(self, offer: int, month: int, first: Ints, keep: B) -> None:
        """Fill the offer in the month: hours of the triples ``first`` moved there (the
        dearest first), then any other fractional work that may run there, moved off offers
        not in ``keep``."""
        ...

    def full(self, offers: Ints, month: int) -> bool:
        """Whether every one of the offers is full that month."""
        ...

    def set(self, column: int, value: float) -> None:
        """Set a part's own column."""
        ...


class PlanPart(Protocol):
    """One clause's terms in the plan model (see the module docstring)."""

    clause: str
    report_key: str  # the plan document's key for :meth:`report` (the kind's plan_report)

    def columns(self) -> Columns:
        """The part's own columns."""
        ...

    def rows(self, view: ModelView, own: slice, form: str) -> list[RowBlock]:
        """Its rows; its own columns sit at ``own``. ``form`` is the model's row form
        (``triple``, ``workload`` or ``both``) for kinds that can write their rows either
        way."""
        ...

    def size(self) -> int:
        """How many triples its rows reach (the planner picks the row form by the total)."""
        ...

    def repair(self, fix: Repair, own: slice) -> bool | None:
        """Make a heuristic placement keep the part's rows and set its own columns: True
        when it does, False when it cannot, None when the kind has no repair (the planner
        then checks the rows and drops a start that breaks them)."""
        ...

    def report(self, view: ModelView, values: F) -> list[dict[str, Any]]:
        """Its part of a solution, as rows for the plan document."""
        ...

    def stats(self) -> dict[str, int]:
        """Figures for the plan's statistics."""
        ...
