"""The amendment timeline (:mod:`charter.agreements.timeline`)."""

from charter.agreements.timeline import (
    ClauseRecord,
    EventSet,
    Segment,
    Timeline,
    TimelineEntry,
    resolve_events,
)

__all__ = [
    "ClauseRecord",
    "EventSet",
    "Segment",
    "Timeline",
    "TimelineEntry",
    "resolve_events",
]
