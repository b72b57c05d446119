"""The obligations a plan carries besides its placements: spend commitments (prorated to the
horizon) and ROFR groups (third-party capacity usable only with the holder's offers full)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from charter.clauses.base import SpendCommitment
from charter.clauses.rofr import RofrSpec
from charter.dates import day_number
from charter.decide import Rules
from charter.periods import Period

if TYPE_CHECKING:
    from charter.planner.problem import Problem

__all__ = ["Commitment", "RofrGroup", "commitments", "rofr_groups"]

Ints = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]


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


def commitments(rules: Rules, party: str, periods: list[Period], share: float) -> list[Commitment]:
    """The party's spend commitments with an amount, prorated by day to the horizon by the
    commitment's own window rule (:class:`charter.clauses.base.SpendCommitment`)."""
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


def rofr_groups(rules: Rules, pb: Problem, ok_c: B, class_of: Ints) -> list[RofrGroup]:
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
