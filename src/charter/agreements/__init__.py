"""The amendment timeline: which clauses are in force at a date under assumed events.

Each clause becomes a :class:`ClauseRecord`: when it starts (its amendment, or a later
``from:``), when an amendment removes or replaces it, and the ``until`` it ends with. A
clarification inside a version splits a clause into :class:`Segment` s with a narrower
selector from the clarification's date; an open item marks later segments uncertain.

"In force at date D under events E" is a pure function of the timeline, cached per event set.

=========================  ==============================================================
``agreements/records.py``  the values on the timeline: clause records, segments, entries
``agreements/events.py``   the events in force: declared, assumed, and what they imply
``agreements/timeline.py`` :class:`Timeline`: built from the amendments, and its queries
``agreements/documents.py`` the timeline's JSON documents (clauses and dated entries)
=========================  ==============================================================
"""

from charter.agreements.events import resolve_events
from charter.agreements.records import ClauseRecord, EventSet, Segment, TimelineEntry
from charter.agreements.timeline import Timeline

__all__ = [
    "ClauseRecord",
    "EventSet",
    "Segment",
    "Timeline",
    "TimelineEntry",
    "resolve_events",
]
