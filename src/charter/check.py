"""Independent compliance check of a plan: charter's own, or a user's actual placements.

Never imports the planner (a test proves it): it re-derives everything from the scenario
with the public decision API. It asks the decision engine whether the owner may run each
row's workload on the offer's provider on the first day of the month and on every day of the
month where a clause starts or ends; then it checks offer capacities, availability, family,
region and compliance fit, gang workloads sitting on one offer, demand met, and last the
clauses a plan settles by its shape, each asked of its own kind over a view of the whole plan
(the ROFR: third-party capacity taken while a holder offer the work could use is not full is
a breach). It loops over the kinds' checks and names none.

Columnar: the plan is a :class:`charter.plans.PlanTable` (codes and hours as arrays; a list of
:class:`PlanRow` is turned into one). A verdict depends on the workload only through the
fields a request carries, so the engine decides once per distinct (request fields, provider,
month), in one batch; fit once per distinct (family, region and compliance needs, offer);
loads, demand met and gang offers are sums and counts over the arrays. A constraining
clause's :meth:`~charter.clauses.base.ClauseSpec.plan_breach` is asked once per (request
fields and fit needs, provider, month, family, clause): a kind's check sees the workload
through :class:`_View` (``could_run``), whose answers depend on no more than that.

The breaches come in the order of the row-by-row checker: the clause breaches row by row,
the fit and availability breaches row by row, capacity by (offer, month), gang by workload,
demand by (workload copy, month), then the settled clauses row by row.

A workload with ``unmet_penalty`` may be placed short of its demand: the shortfall is unmet
demand (:class:`Unmet`), priced at the penalty per accelerator-hour (:attr:`CheckReport.penalty`),
not a breach; more than its demand still is. A gang workload with a penalty is served whole
(its demand in every month of its window within the horizon) or not at all.

The horizon, the months every workload must get its demand in, is the caller's (``start``,
``end``), else the plan's first to last month; an empty plan's is the scenario's ``plan:`` block.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from charter.dates import day_number, from_day_number
from charter.decide import Verdict
from charter.errors import RequestError
from charter.model import OfferSpec, WorkloadCopy, WorkloadSpec
from charter.periods import Period
from charter.plans import PlanRow, PlanTable
from charter.scenario import Scenario

__all__ = ["Breach", "CheckReport", "Unmet", "check_plan"]

TOLERANCE = 1e-6
#: the detail of a month a gang workload with a penalty is left without, served in others
GANG_GAPS = "a gang workload is served in some months of its window and not others"


@dataclass(frozen=True)
class Breach:
    kind: str  # clause | capacity | availability | fit | gang | demand
    detail: str
    clause: str | None = None
    offer: str | None = None
    workload: str | None = None
    period: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Unmet:
    """Demand of a workload copy with an ``unmet_penalty`` left unserved in a month: the
    accelerator-hours short and what they cost (hours × the penalty per hour)."""

    workload: str
    period: str
    hours: float
    penalty: float

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class CheckReport:
    breaches: list[Breach] = field(default_factory=list)
    rows: int = 0
    cost: float = 0.0
    #: demand left unserved by workloads with a penalty, by (copy, month)
    unmet: list[Unmet] = field(default_factory=list)
    #: the penalties of the unmet demand, summed exactly
    penalty: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.breaches

    @property
    def unmet_hours(self) -> float:
        return math.fsum(u.hours for u in self.unmet)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "cost": self.cost,
            "penalty": self.penalty,
            "unmet": [u.to_json() for u in self.unmet],
            "breaches": [b.to_json() for b in self.breaches],
        }


def _base_name(workload: str) -> str:
    return WorkloadCopy.parse(workload).workload


def _capacity(o: OfferSpec, p: Period) -> float:
    if o.available_from and p.end < o.available_from:
        return 0.0
    if o.available_until and p.start > o.available_until:
        return 0.0
    return float(o.capacity_by_period.get(p.label, o.capacity))


def check_plan(
    scenario: Scenario,
    rows: Sequence[PlanRow] | PlanTable,
    events: dict[str, str] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> CheckReport:
    """Every breach of a plan, with its clause or offer; the unmet demand and its penalty.

    ``rows``: a list of :class:`PlanRow`, or the same as columns (:class:`PlanTable`, what
    :func:`charter.plans.read_plan_table` reads). ``start`` and ``end`` (months, e.g.
    ``2025-01``): the horizon in which every workload must get its demand (:func:`_horizon`).

    Raises:
        RequestError: a row names an unknown workload, offer or month; a month of the
            horizon is not a month; the plan is empty and no horizon is known.
    """
    table = rows if isinstance(rows, PlanTable) else PlanTable.from_rows(list(rows))
    ctx = _Context(scenario, events)
    plan = _Rows(ctx, table)
    horizon = _horizon(scenario, plan, start, end)
    report = CheckReport(rows=len(table))
    settled = _clause_verdicts(ctx, plan, report)
    load = _fit_and_capacity(ctx, plan, report)
    _demand_met(ctx, plan, horizon, report)
    _settled_by_the_plan(ctx, plan, settled, load, report)
    # correctly rounded, whatever the number of rows
    report.cost = _exact_sum(plan.hours * ctx.price[plan.offer])
    return report


def _exact_sum(values: np.ndarray, chunk: int = 1 << 20) -> float:
    """The correctly rounded sum of an array (:func:`math.fsum`, fed a chunk at a time)."""
    return math.fsum(
        itertools.chain.from_iterable(
            values[i : i + chunk].tolist() for i in range(0, len(values), chunk)
        )
    )


class _Context:
    """What every step of the check reads: the scenario's offers and workloads by id and
    index, the planning party, the events, and the days a month is decided on."""

    def __init__(self, scenario: Scenario, events: dict[str, str] | None) -> None:
        self.scenario = scenario
        self.events = events
        self.offer_list = list(scenario.data.offers)
        self.workload_list = list(scenario.data.workloads)
        self.offers = {o.id: o for o in self.offer_list}
        self.workloads = {w.id: w for w in self.workload_list}
        self.offer_index = {o.id: i for i, o in enumerate(self.offer_list)}
        self.workload_index = {w.id: i for i, w in enumerate(self.workload_list)}
        self.price = np.array([o.price for o in self.offer_list], dtype=np.float64)
        self.party = scenario.data.meta.plan.party if scenario.data.meta.plan else None
        resolved = scenario.resolve_events(events)
        self._boundaries = set()
        for rec in scenario.clauses:
            self._boundaries.add(day_number(rec.start))
            self._boundaries.add(rec.end_day(resolved))
        self._sorted_boundaries = sorted(self._boundaries)

    def days_of(self, period: str) -> list[int]:
        """The month's first day and every day in it where a clause starts or ends."""
        p = Period.parse(period)
        a, b = day_number(p.start), day_number(p.end)
        return [a, *(d for d in self._sorted_boundaries if a < d <= b)]

    def request(self, w: WorkloadSpec, o: OfferSpec, day: int) -> Any:
        """May the workload's owner run it on the offer's provider that day?"""
        return self.scenario.request(
            at=from_day_number(day),
            principal=w.owner or self.party,
            action="run",
            provider=o.provider,
            kind=w.kind,
            segment=w.segment,
            new_capacity=w.new_capacity,
            api=w.api,
            product=w.product,
            codeveloped_with=w.codeveloped_with,
            first_party=w.first_party,
            attrs=w.attributes,
        )

    def asked(self, w: WorkloadSpec) -> tuple[Any, ...]:
        """Everything of a workload a decision depends on (its request's fields)."""
        return (
            w.owner or self.party,
            w.kind,
            w.segment,
            w.new_capacity,
            w.api,
            w.product,
            w.codeveloped_with,
            w.first_party,
            tuple(sorted(w.attributes.items())),
        )

    def fit_needs(self, w: WorkloadSpec) -> tuple[Any, ...]:
        """Everything of a workload its fit to an offer depends on, as the messages show it."""
        return (w.families, w.regions, w.compliance)


def _classes(keys: Sequence[Any]) -> tuple[np.ndarray, list[Any]]:
    """Codes of hashable keys into their distinct values, in order of first appearance."""
    index: dict[Any, int] = {}
    codes = np.fromiter((index.setdefault(k, len(index)) for k in keys), np.int64, len(keys))
    return codes, list(index)


def _combine(*columns: tuple[np.ndarray, int]) -> np.ndarray:
    """One int64 key per row from columns of codes (each with its number of codes)."""
    key = np.zeros(len(columns[0][0]), dtype=np.int64)
    for codes, size in columns:
        key = key * max(size, 1) + codes
    return key


class _Rows:
    """The plan's rows as arrays of scenario indices, checked for unknown names.

    ``base`` is the workload's index in the scenario, ``offer`` the offer's, ``period`` the
    code of the month in :attr:`periods` (the plan's own spelling of it); ``copy`` the code of
    the row's workload name in :attr:`copies`.
    """

    def __init__(self, ctx: _Context, t: PlanTable) -> None:
        wl = [ctx.workload_index.get(_base_name(n), -1) for n in t.workloads]
        ol = [ctx.offer_index.get(n, -1) for n in t.offers]
        bad_p = []
        self.period_objs: list[Period | None] = []
        for label in t.periods:
            try:
                p = Period.parse(label)
            except (RequestError, ValueError):
                self.period_objs.append(None)
                bad_p.append(True)
                continue
            self.period_objs.append(p)
            bad_p.append(p.days > 31)
        wl_a, ol_a = np.array(wl, dtype=np.int64), np.array(ol, dtype=np.int64)
        if len(t):
            bad = (wl_a[t.workload] < 0) | (ol_a[t.offer] < 0) | np.array(bad_p, bool)[t.period]
            if bad.any():
                i = int(np.argmax(bad))
                name, offer, period = (
                    t.workloads[t.workload[i]],
                    t.offers[t.offer[i]],
                    t.periods[t.period[i]],
                )
                line = int(t.line[i])
                if wl_a[t.workload[i]] < 0:
                    raise RequestError(f"line {line}: unknown workload {name!r}")
                if ol_a[t.offer[i]] < 0:
                    raise RequestError(f"line {line}: unknown offer {offer!r}")
                if Period.parse(period).days > 31:
                    raise RequestError(f"line {line}: period {period!r} is not a month")
        self.table = t
        self.n = len(t)
        # the rows' classes of verdict (step 1 sets them)
        self.cls = np.zeros(self.n, dtype=np.int64)
        self.base = wl_a[t.workload] if self.n else np.zeros(0, np.int64)
        self.offer = ol_a[t.offer] if self.n else np.zeros(0, np.int64)
        self.period = np.asarray(t.period, dtype=np.int64)
        self.copy = np.asarray(t.workload, dtype=np.int64)
        self.hours = np.asarray(t.hours, dtype=np.float64)
        self.periods = t.periods
        self.copies = t.workloads
        # capacity per (offer, month code)
        self.capacity = np.array(
            [
                [_capacity(o, p) if p is not None else 0.0 for p in self.period_objs]
                for o in ctx.offer_list
            ],
            dtype=np.float64,
        ).reshape(len(ctx.offer_list), len(self.periods))

    def label(self, i: int) -> tuple[str, str, str]:
        """The row's workload name, offer id and month as the plan gives them."""
        t = self.table
        return t.workloads[t.workload[i]], t.offers[t.offer[i]], t.periods[t.period[i]]


def _clause_verdicts(ctx: _Context, plan: _Rows, report: CheckReport) -> dict[int, set[str]]:
    """Step 1: each row decided on every day of its month that matters; a deny, or a
    condition the plan cannot settle, is a breach of its clause. Decided once per distinct
    (request fields, provider, month). Returns, per class of the rows (``plan.cls``), the
    clauses that constrain plans its verdict is conditional on (checked in step 4)."""
    asked, asked_names = _classes([ctx.asked(w) for w in ctx.workload_list])
    provider, provider_names = _classes([o.provider for o in ctx.offer_list])
    rep_w = {int(a): ctx.workload_list[i] for i, a in reversed(list(enumerate(asked)))}
    rep_o = {int(p): ctx.offer_list[i] for i, p in reversed(list(enumerate(provider)))}
    n_per = len(plan.periods)
    key = _combine(
        (asked[plan.base], len(asked_names)),
        (provider[plan.offer], len(provider_names)),
        (plan.period, n_per),
    )
    distinct, cls = np.unique(key, return_inverse=True)
    plan.cls = cls.reshape(-1)
    asks: list[tuple[int, Any]] = []
    for c, k in enumerate(distinct.tolist()):
        a, rest = divmod(k, len(provider_names) * max(n_per, 1))
        pr, pe = divmod(rest, max(n_per, 1))
        w, o = rep_w[a], rep_o[pr]
        for day in ctx.days_of(plan.periods[pe]):
            asks.append((c, ctx.request(w, o, day)))
    decided = ctx.scenario.decide_many([a[1] for a in asks], ctx.events) if asks else []
    settled: dict[int, set[str]] = {}
    flagged: dict[int, dict[str, str]] = {}  # per class: clause → note, in order flagged
    for (c, _), d in zip(asks, decided, strict=True):
        if d.verdict == Verdict.DENY:
            for cl in d.clauses:
                flagged.setdefault(c, {}).setdefault(cl.record.id, d.note)
        elif d.verdict == Verdict.CONDITIONAL:
            for cl in d.clauses:
                if cl.record.spec.constrains:
                    settled.setdefault(c, set()).add(cl.record.id)
                else:
                    flagged.setdefault(c, {}).setdefault(cl.record.id, d.note)
    if flagged:
        hit = np.zeros(len(distinct), dtype=bool)
        hit[list(flagged)] = True
        for i in np.flatnonzero(hit[plan.cls]).tolist():
            wname, oid, period = plan.label(i)
            for cid, note in flagged[int(plan.cls[i])].items():
                report.breaches.append(Breach("clause", note, cid, oid, wname, period))
    return settled


def _fit_and_capacity(ctx: _Context, plan: _Rows, report: CheckReport) -> np.ndarray:
    """Step 2: each row's fit (family, region, compliance) and availability, each offer's
    capacity each month, each gang workload on one offer. Returns the load per (offer,
    month code)."""
    n_off, n_per = len(ctx.offer_list), len(plan.periods)
    needs, need_list = _classes([ctx.fit_needs(w) for w in ctx.workload_list])
    pair = _combine((needs[plan.base], len(need_list)), (plan.offer, n_off))
    distinct, inv = np.unique(pair, return_inverse=True)
    inv = inv.reshape(-1)
    notes: list[list[str]] = []
    for k in distinct.tolist():
        (families, regions, compliance), o = need_list[k // n_off], ctx.offer_list[k % n_off]
        found = []
        if o.family not in families:
            found.append(f"family {o.family} is not one of {list(families)}")
        if regions and o.region not in regions:
            found.append(f"region {o.region} is not allowed")
        missing = set(compliance) - set(o.compliance)
        if missing:
            found.append(f"offer lacks compliance {sorted(missing)}")
        notes.append(found)
    misfit = np.array([bool(f) for f in notes], dtype=bool)
    cap_row = plan.capacity[plan.offer, plan.period] if plan.n else np.zeros(0)
    unavailable = (cap_row <= 0) & (plan.hours > TOLERANCE)
    at_fault = (misfit[inv] if plan.n else np.zeros(0, bool)) | unavailable
    for i in np.flatnonzero(at_fault).tolist():
        wname, oid, period = plan.label(i)
        for detail in notes[int(inv[i])]:
            report.breaches.append(Breach("fit", detail, None, oid, wname, period))
        if unavailable[i]:
            detail = "the offer has no capacity that month"
            report.breaches.append(Breach("availability", detail, None, oid, wname, period))
    cell = plan.offer * n_per + plan.period
    load = np.bincount(cell, weights=plan.hours, minlength=n_off * n_per).reshape(n_off, n_per)
    present = np.bincount(cell, minlength=n_off * n_per).reshape(n_off, n_per) > 0
    over = present & (load > plan.capacity * (1 + TOLERANCE) + TOLERANCE)
    found_cap = []
    for o, p in zip(*np.nonzero(over), strict=True):
        oid, period = ctx.offer_list[int(o)].id, plan.periods[int(p)]
        used, cap = float(load[o, p]), float(plan.capacity[o, p])
        detail = f"{used:,.0f} accelerator-hours used, capacity {cap:,.0f}"
        found_cap.append(((oid, period), Breach("capacity", detail, None, oid, None, period)))
    report.breaches.extend(b for _, b in sorted(found_cap, key=lambda x: x[0]))
    gang = np.array([w.gang for w in ctx.workload_list], dtype=bool)
    on_gang = gang[plan.base] if plan.n else np.zeros(0, bool)
    if on_gang.any():
        pairs = np.unique(
            _combine((plan.copy[on_gang], len(plan.copies)), (plan.offer[on_gang], n_off))
        )
        copies = pairs // n_off
        names, counts = np.unique(copies, return_counts=True)
        split = []
        for c in names[counts > 1].tolist():
            ids = sorted(ctx.offer_list[int(k % n_off)].id for k in pairs[copies == c].tolist())
            wid = plan.copies[c]
            detail = f"a gang workload is split over {ids}"
            split.append((wid, Breach("gang", detail, None, None, wid)))
        report.breaches.extend(b for _, b in sorted(split, key=lambda x: x[0]))
    return load


def _month(label: str, flag: str) -> Period:
    try:
        p = Period.parse(label)
    except (RequestError, ValueError):
        p = None
    if p is None or p.days > 31:
        raise RequestError(f"{flag} {label!r} is not a month, e.g. 2025-01")
    return p


def _horizon(scenario: Scenario, plan: _Rows, start: str | None, end: str | None) -> list[str]:
    """The months in which every workload must get its demand, as labels.

    Each end the caller leaves open is the plan's first or last month; for an empty plan, the
    scenario's ``plan:`` block's (the planner's default horizon): an empty plan leaves all
    demand in its horizon unmet, and that is checked, not skipped.
    """
    if plan.n:
        used = [plan.period_objs[c] for c in np.unique(plan.period).tolist()]
        starts = sorted(p.start for p in used if p is not None)
        first_default: str | None = f"{starts[0]:%Y-%m}"
        last_default: str | None = f"{starts[-1]:%Y-%m}"
    else:
        block = scenario.data.meta.plan
        first_default = block.start if block else None
        last_default = block.end if block else None
    first_label, last_label = start or first_default, end or last_default
    if first_label is None or last_label is None:
        raise RequestError(
            "the plan is empty and this scenario has no plan: block in scenario.yaml: "
            "give --from and --to, the months in which demand must be met"
        )
    first, last = _month(first_label, "--from"), _month(last_label, "--to")
    if last.start < first.start:
        given_to = f"--to {last_label}" if end else f"the plan's last month {last_label}"
        given_from = f"--from {first_label}" if start else f"the plan's first month {first_label}"
        raise RequestError(f"{given_to} is before {given_from}")
    return [
        p.label
        for p in (
            Period.parse(f"{y:04d}-{m:02d}")
            for y in range(first.start.year, last.start.year + 1)
            for m in range(1, 13)
        )
        if first.start <= p.start <= last.start
    ]


def _demand_met(ctx: _Context, plan: _Rows, horizon: list[str], report: CheckReport) -> None:
    """Step 3: every copy of every workload gets its demand, in every month of the horizon
    and every other month the plan places it in (a workload with a penalty: at most its
    demand, the shortfall priced as unmet)."""
    # the copies: the plan's names, then the scenario's copies it does not name
    copy_names = list(plan.copies)
    copy_index = {n: i for i, n in enumerate(copy_names)}
    scenario_copies = []
    for w in ctx.workload_list:
        for cp in w.copies():
            k = copy_index.setdefault(cp.name, len(copy_names))
            if k == len(copy_names):
                copy_names.append(cp.name)
            scenario_copies.append(k)
    period_names = list(plan.periods)
    period_index = {n: i for i, n in enumerate(period_names)}
    span_codes = []
    for label in horizon:
        k = period_index.setdefault(label, len(period_names))
        if k == len(period_names):
            period_names.append(label)
        span_codes.append(k)
    n_c, n_p = len(copy_names), len(period_names)
    base = np.array([ctx.workload_index[_base_name(n)] for n in copy_names], dtype=np.int64)
    cell = plan.copy * n_p + plan.period
    got = np.bincount(cell, weights=plan.hours, minlength=n_c * n_p).reshape(n_c, n_p)
    present = np.bincount(cell, minlength=n_c * n_p).reshape(n_c, n_p) > 0
    present[np.ix_(np.array(scenario_copies, np.int64), np.array(span_codes, np.int64))] = True
    # demand per (workload, month)
    p_start = np.array([day_number(Period.parse(n).start) for n in period_names], np.int64)
    ws = ctx.workload_list
    w_start = np.array([day_number(Period.parse(w.start).start) for w in ws], np.int64)
    w_end = np.array([day_number(Period.parse(w.end).start) for w in ws], np.int64)
    in_window = (w_start[:, None] <= p_start[None, :]) & (p_start[None, :] <= w_end[:, None])
    demand = np.repeat(np.array([float(w.demand) for w in ws])[:, None], n_p, axis=1)
    for b, w in enumerate(ws):
        for label, v in w.demand_by_period.items():
            at = period_index.get(label)
            if at is not None:
                demand[b, at] = float(v)
    need_w = np.where(in_window, demand, 0.0)
    need = need_w[base]
    rate = np.array([np.nan if w.unmet_penalty is None else w.unmet_penalty for w in ws])[base]
    gang = np.array([w.gang for w in ws], dtype=bool)[base]
    priced = ~np.isnan(rate)
    off = present & (np.abs(got - need) > np.maximum(TOLERANCE, need * 1e-6))
    short = off & (got < need)
    served = (present & (got > TOLERANCE)).any(axis=1)
    whole_or_none = priced & gang
    # a priced copy short of its demand: unmet, unless a gang copy served in some month
    unmet = short & (priced & ~(whole_or_none & served))[:, None]
    breach = off & ~unmet
    order_c = np.argsort(np.array(copy_names, dtype=object), kind="stable")
    rank_c = np.empty(n_c, np.int64)
    rank_c[order_c] = np.arange(n_c)
    order_p = np.argsort(np.array(period_names, dtype=object), kind="stable")
    rank_p = np.empty(n_p, np.int64)
    rank_p[order_p] = np.arange(n_p)

    def in_order(mask: np.ndarray) -> list[tuple[int, int]]:
        c, p = np.nonzero(mask)
        order = np.lexsort((rank_p[p], rank_c[c]))
        return list(zip(c[order].tolist(), p[order].tolist(), strict=True))

    for c, p in in_order(breach):
        wid, period = copy_names[c], period_names[p]
        hours, demanded = float(got[c, p]), float(need[c, p])
        detail = f"{hours:,.0f} accelerator-hours placed, demand {demanded:,.0f}"
        if whole_or_none[c] and hours < demanded:
            if hours > TOLERANCE:
                detail = f"a gang workload is served in part of a month: {detail}"
            else:
                detail = f"{GANG_GAPS}: {detail}"
        report.breaches.append(Breach("demand", detail, None, None, wid, period))
    for c, p in in_order(unmet):
        hours = float(need[c, p] - got[c, p])
        report.unmet.append(Unmet(copy_names[c], period_names[p], hours, hours * float(rate[c])))
    report.penalty = math.fsum(u.penalty for u in report.unmet)


def _settled_by_the_plan(
    ctx: _Context,
    plan: _Rows,
    settled: dict[int, set[str]],
    load: np.ndarray,
    report: CheckReport,
) -> None:
    """Step 4: the clauses the plan settles itself (a ROFR), asked of their kinds over a
    view of the whole plan (:meth:`charter.clauses.base.ClauseSpec.plan_breach`), once per
    (request fields and fit needs, provider, month, family)."""
    if not settled:
        return
    view = _View(ctx, plan, load)
    has = np.zeros(int(plan.cls.max()) + 1 if plan.n else 0, dtype=bool)
    has[list(settled)] = True
    rows = np.flatnonzero(has[plan.cls])
    if not len(rows):
        return
    sig, _ = _classes([ctx.asked(w) + ctx.fit_needs(w) for w in ctx.workload_list])
    family, families = _classes([o.family for o in ctx.offer_list])
    key = _combine(
        (sig[plan.base[rows]], int(sig.max()) + 1),
        (plan.cls[rows], int(plan.cls.max()) + 1),
        (family[plan.offer[rows]], len(families)),
    )
    _, first, inv = np.unique(key, return_index=True, return_inverse=True)
    inv = inv.reshape(-1)
    details: list[list[tuple[str, str]]] = []
    for f in first.tolist():
        i = int(rows[f])
        w, o = ctx.workload_list[int(plan.base[i])], ctx.offer_list[int(plan.offer[i])]
        period = plan.periods[int(plan.period[i])]
        found = []
        for cid in sorted(settled[int(plan.cls[i])]):
            spec = ctx.scenario.agreement_timeline.by_id[cid].spec
            detail = spec.plan_breach(view, w, o, period)
            if detail is not None:
                found.append((cid, detail))
        details.append(found)
    hit = np.array([bool(d) for d in details], dtype=bool)
    for j in np.flatnonzero(hit[inv]).tolist():
        i = int(rows[j])
        wname, oid, period = plan.label(i)
        for cid, detail in details[int(inv[j])]:
            report.breaches.append(Breach("clause", detail, cid, oid, wname, period))


class _View:
    """The plan as a clause kind's check sees it (:class:`charter.clauses.base.PlanView`)."""

    def __init__(self, ctx: _Context, plan: _Rows, load: np.ndarray) -> None:
        self._ctx = ctx
        self.providers_of: Mapping[str, tuple[str, ...]] = ctx.scenario.providers_of
        self._load = load
        self._period_index = {p: i for i, p in enumerate(plan.periods)}
        self._denied: dict[tuple[Any, ...], set[str]] = {}

    def offers(self) -> tuple[OfferSpec, ...]:
        return tuple(self._ctx.offer_list)

    def capacity(self, offer: OfferSpec, period: str) -> float:
        return _capacity(offer, Period.parse(period))

    def load(self, offer: OfferSpec, period: str) -> float:
        k = self._period_index.get(period)
        if k is None:
            return 0.0
        return float(self._load[self._ctx.offer_index[offer.id], k])

    def could_run(self, workload: WorkloadSpec, offer: OfferSpec, period: str) -> bool:
        """Fit, and no clause denies it on any checkpoint of the month (the first day and
        every day a clause starts or ends in it), as the planner decides feasibility. The
        verdicts are decided in one batch per (request fields, month), for every provider."""
        w, ctx = workload, self._ctx
        fits = (
            offer.family in w.families
            and (not w.regions or offer.region in w.regions)
            and set(w.compliance) <= set(offer.compliance)
        )
        if not fits:
            return False
        key = (*ctx.asked(w), period)
        denied = self._denied.get(key)
        if denied is None:
            by_provider = {o.provider: o for o in ctx.offer_list}
            asks = [
                (prov, ctx.request(w, o, day))
                for prov, o in by_provider.items()
                for day in ctx.days_of(period)
            ]
            decided = ctx.scenario.decide_many([a[1] for a in asks], ctx.events)
            denied = {
                prov
                for (prov, _), d in zip(asks, decided, strict=True)
                if d.verdict == Verdict.DENY
            }
            self._denied[key] = denied
        return offer.provider not in denied
