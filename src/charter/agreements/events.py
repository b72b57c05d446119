"""The events in force for a question: the scenario's known dates, the ones a caller assumes,
and the events they imply."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from charter.errors import RequestError
from charter.model import EventSpec

__all__ = ["resolve_events"]


def resolve_events(
    declared: Mapping[str, EventSpec], assumed: Mapping[str, dt.date] | None
) -> dict[str, dt.date]:
    """Event dates in force: the scenario's known dates, the assumed ones, and what they imply.

    Raises:
        RequestError: an unknown event, or an implied event assumed later than its implier.
    """
    out: dict[str, dt.date] = {e.id: e.date for e in declared.values() if e.date is not None}
    for name, date in (assumed or {}).items():
        if name not in declared:
            valid = ", ".join(sorted(declared)) or "none declared"
            raise RequestError(f"unknown event {name!r}; valid events are: {valid}")
        out[name] = date
    changed = True
    while changed:
        changed = False
        for name, date in list(out.items()):
            for implied in declared[name].implies:
                have = out.get(implied)
                if have is None or have > date:
                    if have is not None and assumed and implied in assumed:
                        raise RequestError(
                            f"event {implied} ({have}) cannot come after {name} ({date}), "
                            f"which implies it"
                        )
                    out[implied] = date
                    changed = True
    return out
