"""What a change between two versions is worth to each party.

Three sources of money, each computed by the code that answers it for one version:

- **revenue shares**: :meth:`Scenario.owes` for every (payer, payee) pair a share names, for
  each period of a revenue path, earlier periods counting toward caps;
- **commitments**: the spend commitments in force from the comparison date, per version;
- **plans**: the scenario's portfolio planned under each version over the horizon. A plan
  states its cost and a proven lower bound on every plan's cost, so the change in least cost
  is only *known within* the two gaps: with true optima ``C_from`` in ``[bound_from,
  cost_from]`` and ``C_to`` in ``[bound_to, cost_to]``, ``C_to − C_from`` lies in
  ``[bound_to − cost_from, cost_to − bound_from]``, an interval of width
  ``(cost_from − bound_from) + (cost_to − bound_to)``, i.e. ``gap·cost`` summed. The
  difference of the two plans' own costs, ``Δ``, is reported with that interval.

Which clauses drive the change: each clause the later version adds that bears on placements
is taken out of it again (:meth:`Scenario.without`), each clause it removes is kept in force
instead, and the portfolio re-planned; the part is ``cost(to) − cost(reverted)``. Parts need
not add up to ``Δ``: clauses interact (two clauses that each forbid the same cheaper offer
are each worth nothing alone), and a clause *replaced* is priced only through its
replacement; the remainder is reported as such.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from charter.dates import day_number
from charter.diff.versions import Version
from charter.periods import Period
from charter.scenario import Scenario

__all__ = ["Money", "PlanSide", "ShareRow", "commitments", "party_years", "plans", "shares"]


@dataclass(frozen=True)
class ShareRow:
    """One period of one revenue-share direction under both versions."""

    payer: str
    payee: str
    period: str
    revenue: float
    before: float | None  # None: a share in force has no known rate
    after: float | None
    uncertain: bool

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    def to_json(self) -> dict[str, Any]:
        return {
            "payer": self.payer,
            "payee": self.payee,
            "period": self.period,
            "revenue": self.revenue,
            "from": self.before,
            "to": self.after,
            "delta": self.delta,
            "uncertain": self.uncertain,
        }


@dataclass(frozen=True)
class PlanSide:
    """The plan of one version: status, cost, bound and spend by provider and year."""

    status: str
    cost: float | None
    bound: float | None
    gap: float | None
    by_provider_year: tuple[dict[str, Any], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "cost": self.cost,
            "bound": self.bound,
            "gap": self.gap,
            "by_provider_year": list(self.by_provider_year),
        }


@dataclass
class Money:
    """The money side of a comparison."""

    shares: list[ShareRow] = field(default_factory=list)
    commitments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    plans: dict[str, PlanSide] = field(default_factory=dict)
    #: per clause the later version adds that bears on placements: its part of Δ
    drivers: list[dict[str, Any]] = field(default_factory=list)
    #: per (party, year): spend, provider revenue and revenue-share flows, both versions
    parties: list[dict[str, Any]] = field(default_factory=list)
    horizon: tuple[str, str] | None = None

    @property
    def delta(self) -> float | None:
        a, b = self.plans.get("from"), self.plans.get("to")
        if a is None or b is None or a.cost is None or b.cost is None:
            return None
        return b.cost - a.cost

    @property
    def delta_range(self) -> tuple[float, float] | None:
        """Where the change in *least* cost lies, from the two plans' costs and bounds."""
        a, b = self.plans.get("from"), self.plans.get("to")
        if a is None or b is None or None in (a.cost, a.bound, b.cost, b.bound):
            return None
        assert a.cost is not None and a.bound is not None
        assert b.cost is not None and b.bound is not None
        return (b.bound - a.cost, b.cost - a.bound)

    def to_json(self) -> dict[str, Any]:
        rng = self.delta_range
        out: dict[str, Any] = {
            "revenue_shares": [r.to_json() for r in self.shares],
            "commitments": self.commitments,
            "plans": {k: v.to_json() for k, v in self.plans.items()},
            "delta": self.delta,
            "delta_range": list(rng) if rng is not None else None,
            "uncertainty": (rng[1] - rng[0]) if rng is not None else None,
            "drivers": self.drivers,
            "parties": self.parties,
            "horizon": list(self.horizon) if self.horizon else None,
        }
        if self.drivers and self.delta is not None:
            known = [d["part"] for d in self.drivers if d["part"] is not None]
            out["drivers_unattributed"] = self.delta - sum(known)
        return out


# ------------------------------------------------------------------------------ shares
def _pairs(*scenarios: Scenario) -> list[tuple[str, str]]:
    return list(dict.fromkeys(p for s in scenarios for p in s.revenue_directions()))


def shares(
    before: Version,
    after: Version,
    revenue: Sequence[tuple[str | Period, float]],
    events: Mapping[str, str],
) -> list[ShareRow]:
    """Each period of the revenue path, for every direction a share names, in both
    versions; each period's earlier periods count toward caps."""
    rows: list[ShareRow] = []
    path = sorted(
        ((p if isinstance(p, Period) else Period.parse(p), float(v)) for p, v in revenue),
        key=lambda x: x[0].start,
    )
    for payer, payee in _pairs(before.scenario, after.scenario):
        for k, (period, amount) in enumerate(path):
            history = [(p, v) for p, v in path[:k] if p.end < period.start]
            ask = {
                "payer": payer,
                "payee": payee,
                "period": period,
                "revenue": amount,
                "history": history,
                "events": dict(events),
            }
            a = before.scenario.owes(**ask)  # type: ignore[arg-type]
            b = after.scenario.owes(**ask)  # type: ignore[arg-type]
            if not a.parts and not b.parts and not a.amount and not b.amount:
                continue
            rows.append(
                ShareRow(
                    payer,
                    payee,
                    period.label,
                    amount,
                    a.amount,
                    b.amount,
                    a.uncertain or b.uncertain,
                )
            )
    return rows


# ------------------------------------------------------------------------------ commitments
def commitments(
    v: Version, since: dt.date, events: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """The spend commitments of ``v`` in force on ``since`` or later (under ``events``)."""
    from charter.clauses.base import SpendCommitment

    resolved = v.scenario.resolve_events(events)
    out = []
    for rec in v.scenario.clauses:
        if not isinstance(rec.spec, SpendCommitment):
            continue
        if rec.end_day(resolved) <= day_number(since):
            continue
        fig = rec.spec.figures()
        out.append({"clause": rec.id, "from": rec.start.isoformat(), **fig})
    return out


# ------------------------------------------------------------------------------ plans
PlanFn = Callable[..., Any]


def _side(result: Any) -> PlanSide:
    return PlanSide(
        result.status,
        result.cost,
        result.bound,
        result.gap,
        tuple(result.by_provider_year),
    )


def plans(
    before: Version,
    after: Version,
    *,
    start: str | None,
    end: str | None,
    events: Mapping[str, str],
    time_limit: float,
    drivers: bool,
    progress: Callable[[str], None] | None = None,
) -> tuple[dict[str, PlanSide], list[dict[str, Any]], list[str]]:
    """Both versions' plans, and (with ``drivers``) what each clause the later version adds
    is worth; the clause ids that were priced."""
    from charter.planner import plan

    ask = {"start": start, "end": end, "events": dict(events) or None, "time_limit": time_limit}
    say = progress or (lambda _: None)
    say(f"planning {before.label}")
    a = plan(before.scenario, explain=False, **ask)  # type: ignore[arg-type]
    say(f"planning {after.label}")
    b = plan(after.scenario, explain=False, **ask)  # type: ignore[arg-type]
    sides = {"from": _side(a), "to": _side(b)}
    parts: list[dict[str, Any]] = []
    if not drivers or b.cost is None:
        return sides, parts, []
    old = {r.id for r in before.scenario.clauses}
    party = after.scenario.data.meta.plan.party if after.scenario.data.meta.plan else None

    def bears(spec: Any) -> bool:
        """Whether a clause can change where the planning party's workloads run."""
        acts = spec.applies_to_actions()
        return bool(
            spec.kind == "commitment"
            or (spec.decides and spec.principal in (None, party) and ("run" in acts or "*" in acts))
        )

    # what the later version adds, taken out again; what it removes, kept in force
    reverts: list[tuple[str, str, Scenario]] = []
    for rec in after.scenario.clauses:
        if rec.id not in old and bears(rec.spec):
            reverts.append((rec.id, "added", after.scenario.without([rec.id])))
    for rec in after.scenario.clauses:
        removed = rec.removed_on is not None and rec.removed_on > before.date
        if (
            rec.id in old
            and removed
            and rec.id not in _replaced(after.scenario)
            and bears(rec.spec)
        ):
            reverts.append((rec.id, "removed", _kept(after.scenario, rec.id)))
    priced = []
    for cid, change, variant in reverts:
        say(f"planning {after.label} {'without' if change == 'added' else 'keeping'} {cid}")
        c = plan(variant, explain=False, **ask)  # type: ignore[arg-type]
        priced.append(cid)
        part = None if c.cost is None else b.cost - c.cost
        spread = None
        if c.cost is not None and c.bound is not None and b.bound is not None:
            spread = (b.cost - b.bound) + (c.cost - c.bound)
        parts.append(
            {
                "clause": cid,
                "change": change,
                "part": part,  # None: the version without the change has no plan
                "status_reverted": c.status,
                "uncertainty": spread,
            }
        )
    return sides, parts, priced


def _replaced(s: Scenario) -> set[str]:
    """Clause ids some clause of ``s`` replaces (their end is priced with the replacement)."""
    return {old for rec in s.clauses for old in rec.spec.replaces}


def _kept(s: Scenario, clause: str) -> Scenario:
    """``s`` with the removal of ``clause`` undone: it stays in force by its own terms."""
    from dataclasses import replace

    ags = tuple(
        ag.model_copy(
            update={
                "amendments": tuple(
                    am.model_copy(
                        update={"removes": tuple(r for r in am.removes if r.clause != clause)}
                    )
                    for am in ag.amendments
                )
            }
        )
        for ag in s.data.agreements
    )
    return Scenario(replace(s.data, agreements=ags))


def party_years(money_: Money, s: Scenario, party: str | None) -> list[dict[str, Any]]:
    """Per party and year, in both versions: the planning party's compute spend, what each
    provider's owner earns from it, and the revenue shares it pays and receives."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}

    def row(who: str, year: str) -> dict[str, Any]:
        return rows.setdefault(
            (who, year),
            {
                "party": who,
                "year": year,
                "compute_spend": {"from": 0.0, "to": 0.0},
                "provider_revenue": {"from": 0.0, "to": 0.0},
                "shares_paid": {"from": 0.0, "to": 0.0},
                "shares_received": {"from": 0.0, "to": 0.0},
            },
        )

    for side, p in money_.plans.items():
        for r in p.by_provider_year:
            year = str(r["year"])
            if party is not None:
                row(party, year)["compute_spend"][side] += float(r["spend"])
            owner = s.owner_of.get(r["provider"], r["provider"])
            row(owner, year)["provider_revenue"][side] += float(r["spend"])
    for sh in money_.shares:
        year = sh.period[:4]
        for side, amount in (("from", sh.before), ("to", sh.after)):
            if amount is None:
                continue
            row(sh.payer, year)["shares_paid"][side] += amount
            row(sh.payee, year)["shares_received"][side] += amount
    out = []
    for (_, _), r in sorted(rows.items()):
        for key in ("compute_spend", "provider_revenue", "shares_paid", "shares_received"):
            # to the cent: sums of hours × price carry float noise below it
            r[key]["from"], r[key]["to"] = round(r[key]["from"], 2), round(r[key]["to"], 2)
            r[key]["delta"] = round(r[key]["to"] - r[key]["from"], 2)
        out.append(r)
    return out
