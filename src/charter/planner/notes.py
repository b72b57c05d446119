"""Notes a plan carries about its input (``Plan.notes``), kept apart from the model."""

from __future__ import annotations

from charter.model import WorkloadSpec
from charter.periods import Period

__all__ = ["outside_horizon"]

#: Workloads named in a note before "and N more".
NAMED = 20


def outside_horizon(workloads: tuple[WorkloadSpec, ...], periods: list[Period]) -> list[str]:
    """A note naming the workloads whose window lies entirely outside the horizon (they are
    not planned), or none."""
    if not periods:
        return []
    first, last = periods[0], periods[-1]
    out = [
        w
        for w in workloads
        if Period.parse(w.end).start < first.start or Period.parse(w.start).start > last.start
    ]
    if not out:
        return []
    names = ", ".join(f"{w.id} ({w.start} to {w.end})" for w in out[:NAMED])
    more = f" and {len(out) - NAMED} more" if len(out) > NAMED else ""
    these = "1 workload lies" if len(out) == 1 else f"{len(out)} workloads lie"
    return [
        f"not planned: {these} entirely outside the horizon {first.label} to {last.label}: "
        f"{names}{more}"
    ]
