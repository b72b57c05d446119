"""Progress of a plan as an event stream: every strategy reports to one small protocol.

The core emits :class:`ProgressEvent` values (a stage, a message, and where known the bound
and the incumbent's cost) to a :class:`ProgressListener`; the CLI renders them, the API can
stream them. :func:`listener` also adapts the older form, a callable taking the message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

__all__ = ["ProgressEvent", "ProgressListener", "Stage", "listener", "quiet"]


class Stage(StrEnum):
    """Where in a plan an event comes from."""

    BUILD = "build"  # problem arrays and model
    SOLVE = "solve"  # HiGHS on a whole model
    START = "start"  # a greedy warm start
    COLUMN_GENERATION = "column-generation"  # the scale path's bound
    RESTRICTED_MILP = "restricted-milp"  # the scale path's plan
    RELAXATION = "relaxation"  # the decomposition's bound
    ROUNDING = "rounding"  # the decomposition's plan
    SEARCH = "search"  # the neighbourhood search from the incumbent
    CLAUSE_COSTS = "clause-costs"
    EXPLAIN = "explain"  # no plan exists: what conflicts


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a plan. ``bound`` and ``incumbent`` are costs where the step knows them."""

    stage: Stage
    message: str
    bound: float | None = None
    incumbent: float | None = None

    def __str__(self) -> str:
        return self.message


class ProgressListener(Protocol):
    """Receives the events of a plan, in order, on the planning thread."""

    def __call__(self, event: ProgressEvent, /) -> None: ...


def quiet(event: ProgressEvent, /) -> None:
    """A listener that ignores every event."""


def listener(
    on_event: ProgressListener | None = None,
    on_message: Callable[[str], None] | None = None,
) -> ProgressListener:
    """One listener for both forms: events to ``on_event``, their messages to ``on_message``
    (the form ``plan(progress=...)`` took before events, kept for its callers)."""
    if on_message is None:
        return on_event or quiet
    say = on_message
    if on_event is None:
        return lambda event: say(event.message)
    both = on_event

    def fan_out(event: ProgressEvent, /) -> None:
        both(event)
        say(event.message)

    return fan_out
