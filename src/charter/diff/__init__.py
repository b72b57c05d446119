"""``charter diff``: what an amendment changes, every decision that flips, and what it is
worth to each party.

- :mod:`.versions`: a version of the agreements (through an amendment date) and a draft
  amendment from its own file;
- :mod:`.space`: the request classes the clauses can tell apart, with the proof that
  deciding one request per class finds every flip;
- :mod:`.flips`: both versions decide every class; flips grouped into statements;
- :mod:`.money`: revenue shares, commitments and the portfolio's plans under both versions,
  a cost difference only with the interval the plans' gaps leave, and its drivers.

:func:`diff` ties them together and returns a :class:`VersionDiff` (``to_json`` is the
stable document ``charter diff --json`` prints).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from charter.diff import money as _money
from charter.diff.flips import KINDS, Flip, find_flips
from charter.diff.space import classes
from charter.diff.versions import Version, resolve_version, with_draft
from charter.scenario import Scenario

__all__ = ["ClauseChange", "VersionDiff", "diff"]


@dataclass(frozen=True)
class ClauseChange:
    """One clause the later version adds, removes, replaces or narrows."""

    change: str  # added | removed | replaced | narrowed
    clause: str
    date: str
    by: str | None = None  # the clause that replaces or states the removal
    title: str | None = None
    kind: str | None = None
    confidence: str | None = None
    to: str | None = None  # narrowed: what it still applies to
    sources: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"change": self.change, "clause": self.clause, "date": self.date}
        for key in ("by", "title", "kind", "confidence", "to"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        out["sources"] = list(self.sources)
        return out


@dataclass
class VersionDiff:
    """The comparison of two versions (see the module docstring)."""

    scenario: str
    before: Version
    after: Version
    since: str  # the first day compared: the later version's date
    events: dict[str, str]
    clauses: list[ClauseChange]
    flips: list[Flip]
    classes: int  # request classes evaluated
    flipped: int  # classes that flipped
    seconds: float
    money: _money.Money | None = None
    lang: str = "en"
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.clauses and not self.flips

    def counts(self) -> dict[str, int]:
        return {k: sum(1 for f in self.flips if f.kind == k) for k in KINDS}

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "from": self.before.to_json(),
            "to": self.after.to_json(),
            "since": self.since,
            "events": self.events,
            "clauses": [c.to_json() for c in self.clauses],
            "flips": {k: [f.to_json() for f in self.flips if f.kind == k] for k in KINDS},
            "statements": self.counts(),
            "enumeration": {
                "classes": self.classes,
                "flipped": self.flipped,
                "complete": True,
                "seconds": round(self.seconds, 3),
                "method": "one request per class of the cells the clauses read "
                "(charter.diff.space)",
            },
            "money": self.money.to_json() if self.money is not None else None,
            "lang": self.lang,
            "notes": self.notes,
        }


def clause_changes(before: Version, after: Version, lang: str = "en") -> list[ClauseChange]:
    """What the later version's timeline has that the earlier one's has not: the clauses
    its amendments add, replace, remove, and the narrowings of its statements."""
    old = before.scenario.timeline(lang=lang)["entries"]
    new = after.scenario.timeline(lang=lang)["entries"]
    seen = {(e["agreement"], e["type"], e["date"]) for e in old}
    out: list[ClauseChange] = []
    for e in new:
        if (e["agreement"], e["type"], e["date"]) in seen:
            continue
        for c in e["added"]:
            out.append(
                ClauseChange(
                    "added",
                    c["id"],
                    e["date"],
                    title=c["title"],
                    kind=c["kind"],
                    confidence=c["confidence"],
                    sources=tuple(e["sources"]),
                )
            )
        for r in e["replaced"]:
            out.append(ClauseChange("replaced", r["id"], e["date"], by=r["by"]))
        for r in e["removed"]:
            out.append(ClauseChange("removed", r["id"], e["date"], by=r["by"]))
        for n in e["narrowed"]:
            out.append(ClauseChange("narrowed", n["id"], e["date"], to=n["to"]))
    return out


def diff(
    s: Scenario,
    *,
    before: str,
    after: str | None = None,
    draft: Path | None = None,
    events: Mapping[str, str] | None = None,
    revenue: Sequence[tuple[str, float]] = (),
    horizon: tuple[str, str] | None = None,
    plans: bool = True,
    drivers: bool = False,
    time_limit: float = 60.0,
    lang: str = "en",
    progress: Callable[[str], None] | None = None,
) -> VersionDiff:
    """Compare version ``before`` with ``after`` (or with ``before`` plus the amendment in
    the file ``draft``).

    Args:
        before, after: versions by amendment date, ``V<n>`` or ``latest``.
        events: assumed event dates, the same for both versions.
        revenue: (period, revenue) pairs the revenue shares are counted on.
        horizon: first and last month of the plans (default: the scenario's plan block).
        plans: plan the portfolio under both versions (the slow part).
        drivers: also re-plan without each clause the later version adds.

    Raises:
        RequestError: an unknown version, or both ``after`` and ``draft``.
        ScenarioError: a draft's first problem, located in its file.
    """
    from charter.errors import RequestError

    began = time.perf_counter()
    evs = dict(events or {})
    a = resolve_version(s, before, option="--from")
    if draft is not None:
        if after is not None:
            raise RequestError("give --to or --to-file, not both")
        b = with_draft(s, a, draft)
    else:
        b = resolve_version(s, after if after is not None else "latest", option="--to")
    since = max(a.date, b.date)
    ra, rb = a.scenario.rules(evs), b.scenario.rules(evs)
    space = list(classes(s, [ra, rb], since))
    flips, flipped = find_flips(space, ra, rb)
    result = VersionDiff(
        s.name,
        a,
        b,
        since.isoformat(),
        {k: str(v) for k, v in evs.items()},
        clause_changes(a, b, lang),
        flips,
        len(space),
        flipped,
        time.perf_counter() - began,
        lang=lang,
    )
    if b.date < a.date:
        result.notes.append("--to is earlier than --from: the comparison runs backward")
    m = _money.Money()
    if revenue:
        m.shares = _money.shares(a, b, revenue, evs)
    m.commitments = {
        "from": _money.commitments(a, since, evs),
        "to": _money.commitments(b, since, evs),
    }
    if plans and s.data.workloads and s.data.offers:
        start, end = horizon if horizon is not None else (None, None)
        sides, parts, _ = _money.plans(
            a,
            b,
            start=start,
            end=end,
            events=evs,
            time_limit=time_limit,
            drivers=drivers,
            progress=progress,
        )
        m.plans, m.drivers = sides, parts
        m.horizon = horizon
    party = s.data.meta.plan.party if s.data.meta.plan else None
    m.parties = _money.party_years(m, s, party)
    result.money = m
    return result
