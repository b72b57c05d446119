"""Which (workload class, offer, month) triples the clauses allow: the static filters
(family, region, compliance, availability) and the decision engine's batch API.

Every candidate triple that passes the static filters becomes a request "may the owner run
this workload on this offer's provider on this date", evaluated on the first day of its month
and on every day inside the month where a clause starts or ends; a triple is feasible only if
it is allowed (or conditional only on clauses that constrain plans, such as a ROFR, which the
plan itself settles) on all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from charter.clauses import Batch, Effect
from charter.dates import FOREVER, day_number
from charter.decide import Rules, Verdict
from charter.model import OfferSpec, WorkloadSpec
from charter.periods import Period

if TYPE_CHECKING:
    from charter.planner.problem import Group

__all__ = ["ClassFeasibility", "class_feasibility", "evaluate", "group_columns"]

Ints = npt.NDArray[np.int64]
F = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]


@dataclass
class ClassFeasibility:
    """Per (signature class, offer, month): allowed?, the first clause record that forbids it
    (-1 for none), and per clause record that constrains plans, where the verdict is
    conditional on it (the plan must settle it); ``conditional`` is their union."""

    ok: B
    forbid: Ints
    settled: dict[int, B]
    conditional: B


def class_feasibility(
    rules: Rules,
    reps: list[Group],
    offers: tuple[OfferSpec, ...],
    periods: list[Period],
    class_of: Ints,
    demand: F,
    cap: F,
) -> ClassFeasibility:
    """The feasibility of every class (``reps``: one group per class) on every offer and
    month where the class has demand and the offer capacity."""
    n_c, n_o, n_t = len(reps), len(offers), len(periods)
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
    ok_j, settled_j, forbid_j = evaluate(rules, reps, offers, periods, cw, co, ct)
    ok_c = np.zeros((n_c, n_o, n_t), dtype=bool)
    ok_c[cw, co, ct] = ok_j
    settled_c = {}
    conditional = np.zeros((n_c, n_o, n_t), dtype=bool)
    for k, hit in settled_j.items():
        if hit.any():
            settled_c[k] = np.zeros((n_c, n_o, n_t), dtype=bool)
            settled_c[k][cw, co, ct] = hit
            conditional |= settled_c[k]
    forbid_c = np.full((n_c, n_o, n_t), -1, dtype=np.int64)
    bad = ~ok_j & (forbid_j >= 0)
    forbid_c[cw[bad], co[bad], ct[bad]] = forbid_j[bad]
    return ClassFeasibility(ok_c, forbid_c, settled_c, conditional)


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


def group_columns(rules: Rules, groups: list[Group]) -> dict[str, npt.NDArray[np.int32]]:
    """Per group, the code of every attribute of the vocabulary that the workload says: its
    fields of the same name (kind, segment, ...), its declared ``attributes``, else the
    attribute's default; and the principal. The placement (provider, action) is the
    caller's."""
    enc = rules.encoder
    specs = [g.spec for g in groups]
    cols = {"principal": enc.column([g.owner for g in groups])}
    for name, attr in rules.vocabulary.attributes.items():
        if name in ("action", "provider", "provider_owner"):
            continue
        if name in WorkloadSpec.model_fields:
            cols[name] = enc.column([getattr(w, name) for w in specs])
        else:
            cols[name] = enc.column([w.attributes.get(name, attr.default) for w in specs])
    return cols


def evaluate(
    rules: Rules,
    groups: list[Group],
    offers: tuple[OfferSpec, ...],
    periods: list[Period],
    gw: Ints,
    go: Ints,
    gt: Ints,
) -> tuple[B, dict[int, B], Ints]:
    """Per triple: feasible?, per clause record that constrains plans whether the triple is
    conditional on it, and the first forbidding clause (-1).

    Longer than most: one pass per checkpoint depth builds the batch's attribute columns,
    evaluates it and folds its verdicts in; split, the pieces would share a dozen arrays."""
    n = len(gw)
    ok = np.ones(n, dtype=bool)
    constraining = [r.index for r in rules.records if r.spec.constrains]
    settled = {k: np.zeros(n, dtype=bool) for k in constraining}
    forbid_of = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return ok, settled, forbid_of
    enc = rules.encoder
    # per-group and per-offer codes, gathered by index arrays
    g_cols = group_columns(rules, groups)
    o_provider = enc.column([o.provider for o in offers])
    o_owner = enc.column([rules.owner_of.get(o.provider) for o in offers])
    checkpoints = _checkpoints(rules, periods)
    depth = max(len(c) for c in checkpoints)
    for c in range(depth):
        rows = np.flatnonzero(np.array([len(checkpoints[t]) > c for t in gt], dtype=bool))
        if not len(rows):
            continue
        m = len(rows)
        cols = {name: arr[gw[rows]] for name, arr in g_cols.items()}
        cols["provider"] = o_provider[go[rows]]
        cols["provider_owner"] = o_owner[go[rows]]
        cols["action"] = np.full(m, enc.code("run"), dtype=np.int32)
        at = np.array([checkpoints[t][c] for t in gt[rows]], dtype=np.int64)
        batch = Batch(m, cols, at, at, rules.events, enc, rules.providers_of)
        result = rules.evaluate((), batch=batch)
        verdict = result.verdicts
        obliged = (result.effects == Effect.OBLIGATION) & ~result.lifted
        open_obligations = obliged.sum(axis=0)
        for k in constraining:
            settled[k][rows] |= obliged[k]
            open_obligations -= obliged[k]
        bad = (verdict == Verdict.DENY.code) | (
            (verdict == Verdict.CONDITIONAL.code) & (open_obligations > 0)
        )
        ok[rows[bad]] = False
        forb = (result.effects == Effect.FORBID) & ~result.lifted
        first = (
            np.where(forb.any(axis=0), forb.argmax(axis=0), -1)
            if len(forb)
            else np.full(m, -1, dtype=np.int64)
        )
        forbid_of[rows] = np.where(forbid_of[rows] >= 0, forbid_of[rows], first)
    return ok, settled, forbid_of
