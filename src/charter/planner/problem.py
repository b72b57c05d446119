"""The planning problem as arrays: periods, offers, aggregated workloads, the feasible
(workload, offer, period) triples with their clause status, gang candidates, commitments and
ROFR groups.

Feasibility comes from the decision engine's batch API: every candidate triple that passes
the static filters (family, region, compliance, availability, window) becomes a request
"may the owner run this workload on this offer's provider on this date", evaluated on the
first day of its month and on every day inside the month where a clause starts or ends; a
triple is feasible only if it is allowed (or conditional on the ROFR alone) on all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from charter.clauses import Batch, Effect
from charter.clauses.base import SpendCommitment
from charter.clauses.rofr import RofrSpec
from charter.dates import FOREVER, day_number
from charter.decide import Rules
from charter.errors import RequestError
from charter.model import OfferSpec, WorkloadSpec
from charter.periods import Period
from charter.planner.notes import outside_horizon

__all__ = ["Commitment", "Group", "Problem", "RofrGroup", "build_problem", "months"]

Ints = npt.NDArray[np.int64]
F = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]


def months(start: str, end: str) -> list[Period]:
    """Every month from ``start`` to ``end`` (inclusive)."""
    first, last = Period.parse(start), Period.parse(end)
    if first.days > 31 or last.days > 31:
        raise RequestError("plan horizons are given in months, e.g. --from 2025-01 --to 2026-12")
    if last < first:
        raise RequestError(f"--to {end} is before --from {start}")
    out = []
    y, m = first.start.year, first.start.month
    while (y, m) <= (last.start.year, last.start.month):
        out.append(Period.parse(f"{y:04d}-{m:02d}"))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@dataclass
class Group:
    """Identical fractional workloads merged, or one gang workload (copy)."""

    index: int
    spec: WorkloadSpec
    members: tuple[str, ...]
    shares: F  # members × periods: each member's share of the group's demand that month
    owner: str
    gang: bool


@dataclass
class Commitment:
    clause: str
    providers: tuple[str, ...]
    amount: float  # for the plan horizon (prorated, times the portfolio's share)
    periods: B  # which periods count


@dataclass
class RofrGroup:
    clause: str
    holder: str
    family: str
    period: int
    subject: Ints  # indices of subject third-party triples
    holder_offers: Ints  # reachable holder offers


@dataclass
class Problem:
    """Everything the model builder needs, as arrays."""

    periods: list[Period]
    offers: tuple[OfferSpec, ...]
    groups: list[Group]
    cap: F  # offers × periods
    price: F  # offers
    demand: F  # groups × periods (0 outside the window)
    # all feasible triples (fractional and gang alike)
    tw: Ints
    to: Ints
    tt: Ints
    t_rofr: Ints  # record index of the ROFR clause the triple is subject to, or -1
    gang_w: Ints  # gang candidates: group, offer
    gang_o: Ints
    commitments: list[Commitment]
    rofr: list[RofrGroup]
    denied: dict[tuple[int, int, int], str] = field(default_factory=dict)  # triple → clause
    notes: list[str] = field(default_factory=list)

    def candidates_by_gang(self) -> dict[int, Ints]:
        """Each gang group's candidate indices (into gang_w / gang_o), by group index."""
        if not len(self.gang_w):
            return {}
        order = np.argsort(self.gang_w, kind="stable")
        gw = self.gang_w[order]
        starts = np.flatnonzero(np.r_[True, gw[1:] != gw[:-1]])
        ends = [*starts[1:].tolist(), len(gw)]
        return {int(gw[a]): order[a:b] for a, b in zip(starts.tolist(), ends, strict=True)}

    @property
    def fractional(self) -> B:
        gang = np.array([g.gang for g in self.groups], dtype=bool)
        return ~gang[self.tw] if len(self.tw) else np.zeros(0, dtype=bool)


def _demand_row(w: WorkloadSpec, periods: list[Period]) -> F:
    start, end = Period.parse(w.start), Period.parse(w.end)
    row = np.zeros(len(periods))
    for t, p in enumerate(periods):
        if start.start <= p.start <= end.start:
            row[t] = float(w.demand_by_period.get(p.label, w.demand))
    return row


def _signature(w: WorkloadSpec, owner: str) -> tuple[Any, ...]:
    return (
        owner,
        w.kind,
        w.segment,
        w.product,
        w.codeveloped_with,
        w.api,
        w.first_party,
        tuple(sorted(w.families)),
        tuple(sorted(w.regions)),
        tuple(sorted(w.compliance)),
        w.new_capacity,
    )


def _groups(
    workloads: tuple[WorkloadSpec, ...],
    party: str,
    periods: list[Period],
    aggregate: bool,
    divisible: bool = False,
) -> tuple[list[Group], F]:
    groups: list[Group] = []
    rows: list[F] = []
    merged: dict[tuple[Any, ...], int] = {}
    member_rows: dict[int, list[F]] = {}
    for w in workloads:
        owner = w.owner or party
        row = _demand_row(w, periods)
        if not row.any():
            continue  # nothing to place inside the horizon
        if w.gang and not divisible:
            for copy in range(w.count):
                name = w.id if w.count == 1 else f"{w.id}#{copy + 1}"
                groups.append(
                    Group(len(groups), w, (name,), np.ones((1, len(periods))), owner, True)
                )
                rows.append(row)
            continue
        for copy in range(w.count):
            name = w.id if w.count == 1 else f"{w.id}#{copy + 1}"
            key = _signature(w, owner)
            if aggregate and key in merged:
                g = groups[merged[key]]
                g.members = (*g.members, name)
                member_rows[g.index].append(row)
                rows[g.index] = rows[g.index] + row
            else:
                merged[key] = len(groups)
                groups.append(
                    Group(len(groups), w, (name,), np.ones((1, len(periods))), owner, False)
                )
                member_rows[len(groups) - 1] = [row]
                rows.append(row)
    for g in groups:
        if not g.gang:
            member = np.vstack(member_rows[g.index])
            total = member.sum(axis=0)
            g.shares = np.divide(member, total, out=np.zeros_like(member), where=total > 0)
    demand = np.vstack(rows) if rows else np.zeros((0, len(periods)))
    return groups, demand


def _capacity(offers: tuple[OfferSpec, ...], periods: list[Period]) -> F:
    cap = np.zeros((len(offers), len(periods)))
    for o, offer in enumerate(offers):
        for t, p in enumerate(periods):
            if offer.available_from and p.end < offer.available_from:
                continue
            if offer.available_until and p.start > offer.available_until:
                continue
            cap[o, t] = offer.capacity_by_period.get(p.label, offer.capacity)
    return cap


def build_problem(
    rules: Rules,
    offers: tuple[OfferSpec, ...],
    workloads: tuple[WorkloadSpec, ...],
    periods: list[Period],
    *,
    party: str,
    commitment_share: float = 1.0,
    aggregate: bool = True,
    divisible_gangs: bool = False,
    gang_candidates: int | None = None,
) -> Problem:
    """Arrays of the planning problem under the clauses ``rules`` compiled.

    Args:
        divisible_gangs: treat gang jobs as divisible work (merged with their signature's
            fractional group): a relaxation, whose optimum bounds the real one from below.
        gang_candidates: keep only 4 × this many of each gang job's candidate offers (see
            :func:`_restrict`): a restriction,
            whose plans are plans of the real problem. ROFR reach is unaffected (it is a
            property of the workload's signature, not of the candidates kept).
    """
    groups, demand = _groups(workloads, party, periods, aggregate, divisible_gangs)
    cap = _capacity(offers, periods)
    price = np.array([o.price for o in offers], dtype=float)
    n_g, n_o, n_t = len(groups), len(offers), len(periods)

    # Feasibility depends only on a workload's signature (its attributes), not on its window
    # or size: the static filters and the decision engine run once per signature class over
    # offers × periods, and every group reads its class's answers.
    class_of = np.zeros(n_g, dtype=np.int64)
    reps: list[Group] = []
    seen: dict[tuple[Any, ...], int] = {}
    for g in groups:
        key = _signature(g.spec, g.owner)
        if key not in seen:
            seen[key] = len(reps)
            reps.append(g)
        class_of[g.index] = seen[key]
    n_c = len(reps)
    fam = np.array([[o.family in g.spec.families for o in offers] for g in reps], dtype=bool)
    reg = np.array(
        [[not g.spec.regions or o.region in g.spec.regions for o in offers] for g in reps],
        dtype=bool,
    )
    comp = np.array(
        [[set(g.spec.compliance) <= set(o.compliance) for o in offers] for g in reps],
        dtype=bool,
    )
    active_c = np.zeros((n_c, n_t), dtype=bool)
    np.logical_or.at(active_c, class_of, demand > 0)
    static = (
        (fam & reg & comp).reshape(n_c, n_o, 1)
        if n_c and n_o
        else np.zeros((n_c, n_o, 1), dtype=bool)
    )
    static = static & active_c[:, None, :] & (cap > 0)[None, :, :]
    cw, co, ct = np.nonzero(static)
    ok_j, rofr_j, forbid_j = _evaluate(rules, reps, offers, periods, cw, co, ct)
    ok_c = np.zeros((n_c, n_o, n_t), dtype=bool)
    ok_c[cw, co, ct] = ok_j
    rofr_c = np.full((n_c, n_o, n_t), -1, dtype=np.int64)
    rofr_c[cw, co, ct] = rofr_j
    forbid_c = np.full((n_c, n_o, n_t), -1, dtype=np.int64)
    bad = ~ok_j & (forbid_j >= 0)
    forbid_c[cw[bad], co[bad], ct[bad]] = forbid_j[bad]

    parts_w: list[Ints] = []
    parts_o: list[Ints] = []
    parts_t: list[Ints] = []
    denied: dict[tuple[int, int, int], str] = {}
    gang_w: list[Ints] = []
    gang_o: list[Ints] = []
    for g in groups:
        c = int(class_of[g.index])
        active = demand[g.index] > 0
        if bad.any():
            for o, t in zip(*np.nonzero((forbid_c[c] >= 0) & active[None, :]), strict=True):
                denied[(g.index, int(o), int(t))] = rules.records[int(forbid_c[c, o, t])].id
        usable = ok_c[c] & active[None, :]
        if g.gang:
            # gang candidates: feasible in every month of the window, with room every month
            fits = ok_c[c][:, active].all(axis=1) & (cap[:, active] >= demand[g.index, active]).all(
                axis=1
            )
            cand = np.flatnonzero(fits)
            if gang_candidates is not None and len(cand) > 4 * gang_candidates:
                cand = _restrict(
                    cand,
                    rofr_c[c][cand][:, active].max(axis=1) >= 0,
                    price,
                    g.index,
                    gang_candidates,
                )
            gang_w.append(np.full(len(cand), g.index, dtype=np.int64))
            gang_o.append(cand)
            # a gang job's triples: its candidates only (no other offer can take it)
            only = np.zeros(n_o, dtype=bool)
            only[cand] = True
            usable &= only[:, None]
        o_idx, t_idx = np.nonzero(usable)
        parts_w.append(np.full(len(o_idx), g.index, dtype=np.int64))
        parts_o.append(o_idx)
        parts_t.append(t_idx)
    empty = np.zeros(0, dtype=np.int64)
    tw = np.concatenate(parts_w) if parts_w else empty
    to = np.concatenate(parts_o).astype(np.int64) if parts_o else empty
    tt = np.concatenate(parts_t).astype(np.int64) if parts_t else empty
    t_rofr = rofr_c[class_of[tw], to, tt] if len(tw) else empty

    problem = Problem(
        periods=periods,
        offers=offers,
        groups=groups,
        cap=cap,
        price=price,
        demand=demand,
        tw=tw,
        to=to,
        tt=tt,
        t_rofr=t_rofr,
        gang_w=np.concatenate(gang_w).astype(np.int64) if gang_w else empty,
        gang_o=np.concatenate(gang_o).astype(np.int64) if gang_o else empty,
        commitments=_commitments(rules, party, periods, commitment_share),
        rofr=[],
        denied=denied,
        notes=outside_horizon(workloads, periods),
    )
    problem.rofr = _rofr_groups(rules, problem, ok_c, class_of)
    return problem


def _restrict(cand: Ints, under: B, price: F, seed: int, k: int) -> Ints:
    """Of a gang job's candidate offers, the ``k`` cheapest not under a ROFR and ``k`` more
    drawn at random among them (seeded by the job: the same every run), and likewise among
    those under one. The random ones spread jobs over offers that the cheapest, shared by
    every job, would soon fill."""
    rng = np.random.default_rng(seed)
    keep: list[Ints] = []
    for side in (~under, under):
        pool = cand[side]
        if len(pool) <= 2 * k:
            keep.append(pool)
            continue
        order = np.argsort(price[pool], kind="stable")
        cheapest, rest = pool[order[:k]], pool[order[k:]]
        keep += [cheapest, rng.choice(rest, size=k, replace=False)]
    return np.sort(np.concatenate(keep))


def _checkpoints(rules: Rules, periods: list[Period]) -> list[list[int]]:
    """Day numbers to evaluate each period on: its first day and every clause boundary."""
    bounds: set[int] = set()
    for rule in rules.rules:
        for start, stop, _, _ in rule.segments:
            bounds.add(start)
            if stop < FOREVER:
                bounds.add(stop)
    out = []
    for p in periods:
        a, b = day_number(p.start), day_number(p.end)
        out.append([a, *sorted(d for d in bounds if a < d <= b)])
    return out


def _evaluate(
    rules: Rules,
    groups: list[Group],
    offers: tuple[OfferSpec, ...],
    periods: list[Period],
    gw: Ints,
    go: Ints,
    gt: Ints,
) -> tuple[B, Ints, Ints]:
    """Per triple: feasible?, ROFR clause it is subject to (-1), first forbidding clause (-1)."""
    n = len(gw)
    ok = np.ones(n, dtype=bool)
    rofr_of = np.full(n, -1, dtype=np.int64)
    forbid_of = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return ok, rofr_of, forbid_of
    enc = rules.encoder
    # per-group and per-offer codes, gathered by index arrays
    g_cols: dict[str, npt.NDArray[np.int32]] = {}
    specs = [g.spec for g in groups]
    g_cols["principal"] = enc.column([g.owner for g in groups])
    g_cols["kind"] = enc.column([w.kind for w in specs])
    g_cols["segment"] = enc.column([w.segment for w in specs])
    g_cols["api"] = enc.column([w.api for w in specs])
    g_cols["product"] = enc.column([w.product for w in specs])
    g_cols["codeveloped_with"] = enc.column([w.codeveloped_with for w in specs])
    g_cols["first_party"] = enc.column([w.first_party for w in specs])
    g_cols["new_capacity"] = enc.column([w.new_capacity for w in specs])
    o_provider = enc.column([o.provider for o in offers])
    o_owner = enc.column([rules.owner_of.get(o.provider) for o in offers])
    checkpoints = _checkpoints(rules, periods)
    rofr_rows = [r.index for r in rules.records if isinstance(r.spec, RofrSpec)]
    depth = max(len(c) for c in checkpoints)
    for c in range(depth):
        rows = np.flatnonzero(np.array([len(checkpoints[t]) > c for t in gt], dtype=bool))
        if not len(rows):
            continue
        m = len(rows)
        cols = {name: np.full(m, -1, dtype=np.int32) for name in _ALL_ATTRS}
        for name, arr in g_cols.items():
            cols[name] = arr[gw[rows]]
        cols["provider"] = o_provider[go[rows]]
        cols["provider_owner"] = o_owner[go[rows]]
        cols["action"] = np.full(m, enc.code("run"), dtype=np.int32)
        cols["launch"] = np.zeros(m, dtype=np.int32)
        cols["uses_licensed_ip"] = np.zeros(m, dtype=np.int32)
        at = np.array([checkpoints[t][c] for t in gt[rows]], dtype=np.int64)
        batch = Batch(m, cols, at, at, rules.events, enc, rules.providers_of)
        result = rules.evaluate((), batch=batch)
        verdict = result.verdicts
        rofr_hit = np.full(m, -1, dtype=np.int64)
        rofr_any = np.zeros(m, dtype=bool)
        for k in rofr_rows:
            hit = (result.effects[k] == Effect.OBLIGATION) & ~result.lifted[k]
            rofr_hit[hit] = k
            rofr_any |= hit
        other_obligation = ((result.effects == Effect.OBLIGATION) & ~result.lifted).sum(
            axis=0
        ) > rofr_any.astype(int)
        bad = (verdict == 2) | ((verdict == 1) & other_obligation)
        ok[rows[bad]] = False
        forb = (result.effects == Effect.FORBID) & ~result.lifted
        first = (
            np.where(forb.any(axis=0), forb.argmax(axis=0), -1)
            if len(forb)
            else np.full(m, -1, dtype=np.int64)
        )
        forbid_of[rows] = np.where(forbid_of[rows] >= 0, forbid_of[rows], first)
        rofr_of[rows] = np.where(rofr_hit >= 0, rofr_hit, rofr_of[rows])
    return ok, rofr_of, forbid_of


def _commitments(rules: Rules, party: str, periods: list[Period], share: float) -> list[Commitment]:
    out = []
    h0, h1 = day_number(periods[0].start), day_number(periods[-1].end) + 1
    for rule in rules.rules:
        spec = rule.spec
        if not isinstance(spec, SpendCommitment) or spec.amount is None or spec.payer != party:
            continue
        window = spec.window(rule.rec.start, rule.end)
        if window is None:
            continue  # no window: nothing to prorate against
        start, end = window
        if min(end, h1) <= max(start, h0):
            continue
        amount = spec.prorated(window, h0, h1) * share
        counts = np.array(
            [start <= day_number(p.start) and day_number(p.end) < end for p in periods]
        )
        providers = spec.spend_providers(rules.providers_of)
        out.append(Commitment(spec.id, tuple(providers), amount, counts))
    return out


def _rofr_groups(rules: Rules, pb: Problem, ok_c: B, class_of: Ints) -> list[RofrGroup]:
    """ROFR groups, vectorized: subject triples keyed by (clause, family, month, the holder
    offers of that family the workload could use that month); workloads that cannot reach
    any holder offer are free to go elsewhere. Reach is a property of the workload's
    signature class: every offer the clauses and static filters allow that month."""
    out: list[RofrGroup] = []
    if not len(pb.tw):
        return out
    fam_names, fam_code = np.unique(np.array([o.family for o in pb.offers]), return_inverse=True)
    providers = np.array([o.provider for o in pb.offers])
    n_f, n_t = len(fam_names), len(pb.periods)
    merged: dict[tuple[int, str, int, tuple[int, ...]], list[npt.NDArray[np.int64]]] = {}
    for k in sorted(set(pb.t_rofr[pb.t_rofr >= 0].tolist())):
        spec = rules.records[k].spec
        if not isinstance(spec, RofrSpec):
            continue
        holder = np.isin(providers, list(spec.holder_providers(rules.providers_of)))
        sub = np.flatnonzero(pb.t_rofr == k)
        # subject triples by (class, month, family)
        key = (class_of[pb.tw[sub]] * n_t + pb.tt[sub]) * n_f + fam_code[pb.to[sub]]
        order = np.argsort(key, kind="stable")
        sub, key = sub[order], key[order]
        s_keys, s_first = np.unique(key, return_index=True)
        s_bounds = [*s_first.tolist(), len(sub)]
        reach_cache: dict[int, tuple[int, ...]] = {}
        for i, sk in enumerate(s_keys.tolist()):
            f, t, c = sk % n_f, (sk // n_f) % n_t, sk // (n_f * n_t)
            if sk not in reach_cache:
                reach_cache[sk] = tuple(
                    np.flatnonzero(ok_c[c, :, t] & holder & (fam_code == f)).tolist()
                )
            offers = reach_cache[sk]
            if not offers:
                continue  # the holder cannot meet it: third parties may take it
            merged.setdefault((k, str(fam_names[f]), t, offers), []).append(
                sub[s_bounds[i] : s_bounds[i + 1]]
            )
    for (k, fam, t, holder_offers), parts in sorted(merged.items()):
        spec = rules.records[k].spec
        assert isinstance(spec, RofrSpec)
        out.append(
            RofrGroup(
                rules.records[k].id,
                spec.holder,
                fam,
                t,
                np.sort(np.concatenate(parts)).astype(np.int64),
                np.array(holder_offers, dtype=np.int64),
            )
        )
    return out


_ALL_ATTRS = (
    "action",
    "provider",
    "provider_owner",
    "kind",
    "segment",
    "new_capacity",
    "api",
    "product",
    "codeveloped_with",
    "first_party",
    "launch",
    "artifact_kind",
    "artifact_owner",
    "purpose",
    "with_party",
    "uses_licensed_ip",
    "above_compute_threshold",
    "principal",
)
