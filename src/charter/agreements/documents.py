"""The timeline's JSON documents (stable keys, documented in the README): a clause
(:func:`record_json`, as ``timeline --at`` lists those in force) and a dated entry
(:func:`entry_json`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from charter.agreements.records import in_lang
from charter.dates import FOREVER, from_day_number

if TYPE_CHECKING:
    from charter.agreements.records import ClauseRecord, TimelineEntry
    from charter.agreements.timeline import Timeline

__all__ = ["entry_json", "record_json"]


def record_json(
    rec: ClauseRecord,
    tl: Timeline,
    events: Mapping[str, dt.date],
    at: dt.date | None = None,
    lang: str = "en",
) -> dict[str, Any]:
    """A clause as JSON-ready data (stable keys, documented in the README)."""
    seg = tl.segment_at(rec, at) if at is not None else None
    end_day = rec.end_day(events)
    end = None if end_day >= FOREVER else from_day_number(end_day - 1)  # last day in force
    return {
        "id": rec.id,
        "kind": rec.spec.kind,  # type: ignore[attr-defined]
        "title": rec.spec.title_in(lang),
        "summary": rec.spec.describe(lang),
        "agreement": rec.agreement,
        "amendment": rec.amendment.isoformat(),
        "from": rec.start.isoformat(),
        "until": end.isoformat() if end is not None else None,
        "ends": tl.describe_end(rec, events, lang),
        "confidence": rec.spec.confidence.value,
        "figure_grades": {k: g.value for k, g in rec.spec.figure_grades.items()},
        "uncertain": seg.uncertain if seg is not None else rec.spec.uncertain,
        "notes": [
            n for n in ((rec.spec.text("note", lang),) + (seg.notes_in(lang) if seg else ())) if n
        ],
        "assumptions": list(rec.spec.assumptions),
        "figures": {k: _plain(v) for k, v in rec.spec.figures().items()},
        "sources": list(rec.spec.sources),
    }


def _plain(v: Any) -> Any:
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


def entry_json(e: TimelineEntry, lang: str = "en") -> dict[str, Any]:
    def item_note(k: int, note: str) -> str:
        tr = e.open_item_translations[k].get(lang) if k < len(e.open_item_translations) else None
        return tr.note if tr is not None and tr.note else note

    return {
        "date": e.date.isoformat(),
        "agreement": e.agreement,
        "type": e.kind,
        "title": e.text("title", lang),
        "summary": e.text("summary", lang),
        "sources": list(e.sources),
        "added": [
            {
                "id": r.id,
                "kind": r.spec.kind,  # type: ignore[attr-defined]
                "title": r.spec.title_in(lang),
                "from": r.start.isoformat(),
                "confidence": r.spec.confidence.value,
                "figure_grades": {k: g.value for k, g in r.spec.figure_grades.items()},
                "uncertain": r.spec.uncertain,
            }
            for r in e.added
        ],
        "replaced": [{"id": old, "by": new} for old, new in e.replaced],
        "removed": [{"id": old, "by": by, "note": note} for old, by, note in e.removed],
        "narrowed": [{"id": cid, "to": in_lang(words, lang)} for cid, words in e.narrowed],
        "open_items": [
            {"clauses": list(c), "note": item_note(k, n)} for k, (c, n) in enumerate(e.open_items)
        ],
    }
