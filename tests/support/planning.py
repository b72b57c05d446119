"""What tests and benchmarks read of a built problem: the ROFR groups of every ``rofr`` part,
in the order the model lays out their binaries (the reference formulations index z by it)."""

from __future__ import annotations

from charter.clauses.rofr.plan import RofrGroup, RofrPart
from charter.planner.problem import Problem

__all__ = ["rofr_groups"]


def rofr_groups(pb: Problem) -> list[RofrGroup]:
    """Every ROFR group of the problem, part by part (one z column each, in this order)."""
    return [g for part in pb.parts if isinstance(part, RofrPart) for g in part.groups]
