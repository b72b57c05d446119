"""The ROFR in the plan model: groups, linking and saturation rows, the greedy's repair, and the
requests a plan makes of the holder (the :class:`~charter.clauses.planning.PlanPart` of a
``rofr`` clause).

A group g = (family, month, holder offers) collects the subject triples (third-party capacity
conditional on the clause) of workloads that could use exactly those holder offers of that
family that month. Its binary z_g is 1 when the group's work takes third-party capacity, and
then every one of those holder offers must be full ("saturate only reachable capacity"):

    x_j ≤ min(d_w,t, C_o,t) z_g   for each fractional subject triple j of g   (form ``triple``)
    y_k ≤ z_g                     for each gang candidate k with a subject triple in g
    Σ_o x_w,o,t ≤ d_w,t z_g       for each workload w of g              (form ``workload``)
    load_h,t ≥ C_h,t z_g          for each holder offer h of g

The per-triple linking rows with the tight bound min(d, C) replace a single big-M row and keep
the LP bound close; the per-workload rows are far fewer and stronger where a workload spreads
over several third-party offers. Work that cannot reach any holder offer forms no group: the
holder cannot meet it, so third parties may take it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from charter.clauses.planning import Columns, ModelView, ProblemView, Repair, RowBlock

if TYPE_CHECKING:
    from charter.clauses.rofr import RofrSpec

__all__ = ["RofrGroup", "RofrPart"]

Ints = npt.NDArray[np.int64]
F = npt.NDArray[np.float64]
INF = np.inf


@dataclass
class RofrGroup:
    family: str
    period: int
    subject: Ints  # indices of subject third-party triples
    holder_offers: Ints  # reachable holder offers


@dataclass
class RofrPart:
    """One ``rofr`` clause's groups and their terms; one binary column per group."""

    clause: str
    holder: str
    groups: list[RofrGroup]
    report_key: str

    @classmethod
    def build(cls, spec: RofrSpec, record: int, view: ProblemView) -> RofrPart:
        """The clause's groups, vectorized: subject triples keyed by (signature class, month,
        family) and merged where they reach the same holder offers. Reach is a property of
        the workload's signature class: every offer the clauses and static filters allow
        that month."""
        sub = view.conditional_on(record)
        if not len(sub):
            return cls(spec.id, spec.holder, [], spec.plan_report or spec.kind)
        fam_names, fam_code = np.unique(
            np.array([o.family for o in view.offers]), return_inverse=True
        )
        providers = np.array([o.provider for o in view.offers])
        holder = np.isin(providers, list(spec.holder_providers(view.providers_of)))
        n_f, n_t = len(fam_names), view.n_periods
        key = (view.signature[view.tw[sub]] * n_t + view.tt[sub]) * n_f + fam_code[view.to[sub]]
        order = np.argsort(key, kind="stable")
        sub, key = sub[order], key[order]
        s_keys, s_first = np.unique(key, return_index=True)
        s_bounds = [*s_first.tolist(), len(sub)]
        merged: dict[tuple[str, int, tuple[int, ...]], list[Ints]] = {}
        for i, sk in enumerate(s_keys.tolist()):
            f, t, c = sk % n_f, (sk // n_f) % n_t, sk // (n_f * n_t)
            offers = tuple(np.flatnonzero(view.usable(c, t) & holder & (fam_code == f)).tolist())
            if not offers:
                continue  # the holder cannot meet it: third parties may take it
            merged.setdefault((str(fam_names[f]), t, offers), []).append(
                sub[s_bounds[i] : s_bounds[i + 1]]
            )
        groups = [
            RofrGroup(
                fam,
                t,
                np.sort(np.concatenate(parts)).astype(np.int64),
                np.array(holder_offers, dtype=np.int64),
            )
            for (fam, t, holder_offers), parts in sorted(merged.items())
        ]
        return cls(spec.id, spec.holder, groups, spec.plan_report or spec.kind)

    def columns(self) -> Columns:
        return Columns.binaries(len(self.groups))

    def size(self) -> int:
        return sum(len(g.subject) for g in self.groups)

    def stats(self) -> dict[str, int]:
        return {"rofr_groups": len(self.groups)}

    def _subject(self, view: ModelView) -> tuple[Ints, Ints, Ints, Ints, npt.NDArray[np.bool_]]:
        """Every subject triple that has a column: (group, triple, month, column, is gang)."""
        sizes = np.array([len(g.subject) for g in self.groups], dtype=np.int64)
        g_of = np.repeat(np.arange(len(self.groups)), sizes)
        j = np.concatenate([g.subject for g in self.groups]).astype(np.int64)
        t_of = np.array([g.period for g in self.groups], dtype=np.int64)[g_of]
        has, col, is_gang = view.columns_of(j)
        return g_of[has], j[has], t_of[has], col[has], is_gang[has]

    def rows(self, view: ModelView, own: slice, form: str) -> list[RowBlock]:
        out: list[RowBlock] = []
        g_of, j, t_of, col, is_gang = self._subject(view)
        z = own.start + g_of
        d = view.demand[view.tw[j], t_of]
        if form in ("triple", "both"):
            bound = np.where(is_gang, 1.0, np.minimum(d, view.cap[view.to[j], t_of]))
            n = len(j)
            out.append(
                RowBlock(
                    "rofr-link",
                    np.repeat(np.arange(n), 2),
                    np.column_stack([col, z]).ravel(),
                    np.column_stack([np.ones(n), -bound]).ravel(),
                    np.full(n, -INF),
                    np.zeros(n),
                )
            )
        if form in ("workload", "both"):
            n_w = view.n_groups
            uniq, row = np.unique(g_of * n_w + view.tw[j], return_inverse=True)
            n = len(uniq)
            gw, ww = uniq // n_w, uniq % n_w
            dw = view.demand[ww, np.array([g.period for g in self.groups], dtype=np.int64)[gw]]
            out.append(
                RowBlock(
                    "rofr-link",
                    np.concatenate([row, np.arange(n)]),
                    np.concatenate([col, own.start + gw]),
                    np.concatenate([np.where(is_gang, d, 1.0), -dw]),
                    np.full(n, -INF),
                    np.zeros(n),
                )
            )
        # saturation: for each group and reachable holder offer h, load(h, t) ≥ C(h, t) z_g
        gi = np.repeat(np.arange(len(self.groups)), [len(g.holder_offers) for g in self.groups])
        ho = np.concatenate([g.holder_offers for g in self.groups]).astype(np.int64)
        ht = np.array([g.period for g in self.groups], dtype=np.int64)[gi]
        if len(ho):
            loads = view.load(ho, ht)
            out.append(
                RowBlock(
                    "rofr-saturate",
                    np.concatenate([loads.row, np.arange(len(ho))]).astype(np.int64),
                    np.concatenate([loads.col, own.start + gi]).astype(np.int64),
                    np.concatenate([loads.data, -view.cap[ho, ht]]),
                    np.zeros(len(ho)),
                    np.full(len(ho), INF),
                )
            )
        return out

    def repair(self, fix: Repair, own: slice) -> bool:
        """Where a group's work takes third-party capacity: its gang jobs onto holder offers
        with room, then the holder offers filled, first with the group's own work (the
        dearest third-party hours first), then with other work moved off third parties. A
        group still on third parties with a holder offer short fails the repair. Holder loads
        only grow, so a group once saturated stays saturated."""
        holder_any = np.zeros(fix.n_offers, dtype=bool)
        for g in self.groups:
            holder_any[g.holder_offers] = True
        for i, g in enumerate(self.groups):
            if not fix.uses(g.subject):
                continue
            fix.move_gangs(g.subject, onto=holder_any)
            if not fix.uses(g.subject):
                continue
            for h in g.holder_offers.tolist():
                fix.fill(h, g.period, first=g.subject, keep=holder_any)
            if fix.uses(g.subject):
                if not fix.full(g.holder_offers, g.period):
                    return False
                fix.set(own.start + i, 1.0)
        return True

    def report(self, view: ModelView, values: F) -> list[dict[str, Any]]:
        """Third-party capacity the plan takes that must first be offered to the holder."""
        if not self.groups:
            return []
        used: dict[tuple[str, str, str, str], float] = defaultdict(float)
        g_of, j, t_of, col, is_gang = self._subject(view)
        hours = np.where(
            is_gang, np.where(values[col] > 0.5, view.demand[view.tw[j], t_of], 0.0), values[col]
        )
        for i in np.flatnonzero(hours > 1e-6).tolist():
            g = self.groups[int(g_of[i])]
            key = (
                view.period_labels[g.period],
                g.family,
                view.offers[int(view.to[j[i]])].id,
                view.workload(int(view.tw[j[i]])),
            )
            used[key] += float(hours[i])
        return [
            {
                "clause": self.clause,
                "period": period,
                "family": family,
                "offer": offer,
                "workload": workload,
                "hours": h,
                "holder": self.holder,
            }
            for (period, family, offer, workload), h in sorted(used.items())
        ]
