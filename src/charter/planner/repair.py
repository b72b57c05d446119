"""The moves the greedy offers the parts of constraining clauses to repair its placement
(:class:`charter.clauses.planning.Repair`): which triples carry hours, gang jobs moved onto
other offers, an offer filled with work moved from elsewhere. The parts decide which moves
their rows need (the ROFR: fill the holder's offers); this module only moves hours, within
the offers each workload may use and their residual capacity."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from charter.planner.model import Model
from charter.planner.problem import Problem

__all__ = ["PlacementRepair"]

Ints = npt.NDArray[np.int64]
F = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]


class PlacementRepair:
    """Moves on ``values`` (the greedy's column vector) and ``residual`` (offer × month
    capacity left), both changed in place."""

    def __init__(self, pb: Problem, model: Model, values: F, residual: F) -> None:
        self.pb, self.model, self.values, self.residual = pb, model, values, residual
        self.n_offers = len(pb.offers)
        frac = model.frac
        self._xw, self._xo, self._xt = pb.tw[frac], pb.to[frac], pb.tt[frac]
        self._col_of = np.full(len(pb.tw), -1, dtype=np.int64)
        self._col_of[frac] = np.arange(model.x.start, model.x.stop)
        self._gkey = pb.gang_w * self.n_offers + pb.gang_o
        self._gorder = np.argsort(self._gkey, kind="stable")
        # (workload, offer, month) → x column, and the x columns on each (offer, month),
        # dearest first
        self._at: dict[tuple[int, int, int], int] = {
            (w, o, t): c
            for c, (w, o, t) in enumerate(
                zip(self._xw.tolist(), self._xo.tolist(), self._xt.tolist(), strict=True)
            )
        }
        self._on_ot: dict[tuple[int, int], list[int]] = {}
        for c in np.argsort(-pb.price[self._xo], kind="stable").tolist():
            self._on_ot.setdefault((int(self._xo[c]), int(self._xt[c])), []).append(c)
        self._cands = pb.candidates_by_gang()
        self._last: tuple[Ints, Ints, Ints] | None = None

    def _columns(self, triples: Ints) -> tuple[Ints, Ints]:
        """The x columns and the gang (y) columns of the triples (kept for the last triples
        asked about: a part asks about one group several times in a row)."""
        if self._last is not None and self._last[0] is triples:
            return self._last[1], self._last[2]
        cols = self._col_of[triples]
        gj = triples[cols < 0]
        want = self.pb.tw[gj] * self.n_offers + self.pb.to[gj]
        gkey = self._gkey[self._gorder]
        pos = np.searchsorted(gkey, want) if len(gkey) else np.zeros(0, dtype=np.int64)
        ok = pos < len(gkey)
        ok[ok] &= gkey[pos[ok]] == want[ok]
        f_cols, g_cols = cols[cols >= 0], self.model.y.start + self._gorder[pos[ok]]
        self._last = (triples, f_cols, g_cols)
        return f_cols, g_cols

    def uses(self, triples: Ints) -> bool:
        f_cols, g_cols = self._columns(triples)
        v = self.values
        return bool(v[f_cols].sum() > 1e-6 or (v[g_cols] > 0.5).any())

    def move_gangs(self, triples: Ints, onto: B) -> None:
        pb, v, residual, y0 = self.pb, self.values, self.residual, self.model.y.start
        _, g_cols = self._columns(triples)
        for col in g_cols[v[g_cols] > 0.5].tolist():
            k = col - y0
            w = int(pb.gang_w[k])
            d = pb.demand[w]
            active = d > 0
            mine = self._cands.get(w, np.zeros(0, dtype=np.int64))
            offers = pb.gang_o[mine]
            room = onto[offers] & (residual[offers][:, active] >= d[active] - 1e-9).all(axis=1)
            if room.any():
                k2 = int(mine[room][int(np.argmin(self.model.cost[y0 + mine[room]]))])
                v[col] = 0.0
                v[y0 + k2] = 1.0
                residual[pb.gang_o[k]] += d
                residual[pb.gang_o[k2]] -= d

    def _move(self, src: int, dst: int, offer: int, month: int) -> None:
        """Hours of x column ``src`` onto x column ``dst`` (on ``offer``), up to its room."""
        move = min(self.values[src], self.residual[offer, month])
        self.values[src] -= move
        self.values[dst] += move
        self.residual[offer, month] -= move
        self.residual[int(self._xo[src]), month] += move

    def fill(self, offer: int, month: int, first: Ints, keep: B) -> None:
        v, residual, h, t = self.values, self.residual, offer, month
        f_cols, _ = self._columns(first)
        for src in sorted(f_cols.tolist(), key=lambda c: -self.pb.price[self._xo[c]]):
            if residual[h, t] <= 1e-9:
                break
            if v[src] <= 1e-9:
                continue
            dst = self._at.get((int(self._xw[src]), h, t))
            if dst is not None:
                self._move(src, dst, h, t)
        if residual[h, t] <= 1e-9:
            return
        movable = {int(self._xw[c]) for c in self._on_ot.get((h, t), ())}
        for o in range(self.n_offers):
            if residual[h, t] <= 1e-9:
                break
            if keep[o]:
                continue
            for src in self._on_ot.get((o, t), ()):
                w = int(self._xw[src])
                if v[src] <= 1e-9 or w not in movable:
                    continue
                dst = self._at.get((w, h, t))
                if dst is None:
                    continue
                self._move(src, dst, h, t)
                if residual[h, t] <= 1e-9:
                    break

    def full(self, offers: Ints, month: int) -> bool:
        return not bool((self.residual[offers, month] > 1e-6).any())

    def set(self, column: int, value: float) -> None:
        self.values[column] = value
