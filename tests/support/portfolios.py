"""Seeded synthetic planning scenarios for the planner benchmark.

    from tests.support.portfolios import generate
    folder = generate(Path("/tmp/s"), n_workloads=200, n_offers=50, n_months=12, seed=1)

Structure (every figure synthetic):

- 5 providers, each owned by its own party; ``nimbus`` (party ``nimbus-corp``) is the
  holder's cloud: about 30% of the offers, priced 5-10% above comparable offers elsewhere.
- 9 regions (us, eu, asia and one government region ``us-gov-east``).
- 4 accelerator families: h100, h200, b200 on the GPU clouds, tpu-v6e only on ``orbit``.
- pricing kinds on-demand, reserved (about 0.72x) and spot (about 0.55x).
- workload windows on quarter boundaries: 3, 6 or 12 months, or the whole horizon.
- training runs are gang jobs; government work carries the ``fedramp-high`` compliance tag,
  which only offers in ``us-gov-east`` have.
- capacity: every workload gets a home offer it could legally run on; an offer's capacity
  covers its home load in its busiest month (so each gang job fits its home offer every
  month and a plan always exists), topped up so that total capacity is about 1.3x the
  busiest month's total demand.
- clauses (one agreement between ``lab`` and ``nimbus-corp``, from the first month):
  P.X1 ``exclusivity``: API work of lab runs on nimbus only;
  P.X2 ``carve_out``: government work is exempt from P.X1;
  P.C1 ``commitment``: lab spends about half the value of nimbus's capacity over the
  horizon on nimbus, by the horizon's last day;
  P.R1 ``rofr``: new training and product-serving capacity is offered to nimbus-corp first.

The other members of :data:`FAMILY` change one thing each (a :class:`Structure` field, so
they combine); what they add is drawn from random streams of its own (seeded by the seed and
the feature), so a member differs from the baseline only where it says:

- ``gang-varying``: gang jobs whose demand varies month to month (``demand_by_period``);
- ``rofr-heavy``: most workloads need new capacity and fall under P.R1, whose holder
  capacity covers only part of that demand;
- ``commitments-partial``: quarterly commitments instead of P.C1, alternately below the
  spend the API exclusivity forces on nimbus (cleared) and at 95% of the value of nimbus's
  capacity in the quarter, above what plans spend there (binding);
- ``spot``: extra spot offers, cheap, whose capacity swings month to month (zero in some);
- ``priced-shortfall``: a share of workloads with an ``unmet_penalty`` of 3-10x the median
  offer price (a gang job with one is served whole or not at all).
"""

from __future__ import annotations

import calendar
import csv
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["FAMILY", "HOLDER", "HOLDER_PROVIDER", "Structure", "generate"]

HOLDER = "nimbus-corp"
HOLDER_PROVIDER = "nimbus"
PROVIDERS = (
    ("nimbus", HOLDER, "Nimbus Cloud"),
    ("stratus", "stratus-inc", "Stratus Compute"),
    ("cirrus", "cirrus-ltd", "Cirrus GPU Cloud"),
    ("orbit", "orbit-labs", "Orbit Cloud"),
    ("forge", "forge-ai", "Forge Neocloud"),
)
TPU_PROVIDER = "orbit"
GEOS = {
    "us": ("us-east", "us-central", "us-west"),
    "eu": ("eu-west", "eu-central", "eu-north"),
    "asia": ("asia-east", "asia-south"),
}
GOV_REGION = "us-gov-east"
GOV_TAG = "fedramp-high"
GPU = ("h100", "h200", "b200")
TPU = "tpu-v6e"
BASE_PRICE = {"h100": 3.20, "h200": 4.10, "b200": 5.60, TPU: 2.70}
PRICING = {"on-demand": 1.0, "reserved": 0.72, "spot": 0.55}
GPU_SETS = (("h100", "h200"), ("h200", "b200"), ("h100", "h200", "b200"), ("h100",), ("b200",))
# workload classes: (name, weight)
CLASSES = (
    ("training", 0.15),
    ("product-serving", 0.15),
    ("api", 0.12),
    ("government", 0.08),
    ("inference", 0.20),
    ("batch", 0.15),
    ("research", 0.15),
)
START = (2025, 1)
CAPACITY_FACTOR = 1.3


@dataclass(frozen=True)
class Structure:
    """What varies between the members of the generator family. The defaults are the
    portfolios above (the planner benchmark's own): same seed, same files.

    Attributes:
        capacity: total capacity over the busiest month's total demand.
        tight: per accelerator family, its own such factor (``{"b200": 1.05}``: that
            family's capacity is 1.05x its busiest month's home demand).
        gang_weight: the share of training runs (gang jobs) among the workload classes.
        gang_hours: lognormal (mu, sigma) of a gang job's accelerator-hours a month.
        region_share: the share of non-training workloads held to one geography.
        windows: the window lengths in months drawn from (0: the whole horizon).
        gang_varying: the share of gang jobs whose demand varies month to month
            (``demand_by_period``), each month uniform in ``demand × (1 ± gang_swing)``.
        rofr_share: the share of non-API workloads that need new capacity and fall under
            P.R1 (which then covers every non-API kind); None: the baseline's training and
            product-serving work.
        holder_reach: nimbus's capacity over the busiest month's demand under P.R1 (never
            below an offer's home load); None: capacity as everywhere else.
        commitment_pressure: quarterly commitments instead of P.C1, cycled over the
            quarters: 0 is half the spend the API exclusivity forces on nimbus in that
            quarter (cleared by any plan), p > 0 is p times the value of nimbus's capacity in
            the quarter (binding at 0.95: plans spend about 70-90% of it there, what the API
            work and the ROFR's holder-first rows put on nimbus, and nimbus is dearer).
        spot_offers: extra spot offers, as a share of the offers (nobody's home offer).
        spot_capacity: their mean capacity together, over the busiest month's demand; each
            month's capacity is zero with probability 0.3, else 0.2x to 2.6x its mean.
        penalty_share: the share of workloads with an ``unmet_penalty``, drawn uniformly in
            ``penalty_factor`` times the median offer price.
    """

    name: str = "baseline"
    capacity: float = CAPACITY_FACTOR
    tight: tuple[tuple[str, float], ...] = ()
    gang_weight: float = 0.15
    gang_hours: tuple[float, float] = (9.9, 0.4)
    region_share: float = 0.2
    windows: tuple[int, ...] = (3, 6, 12, 0)
    gang_varying: float = 0.0
    gang_swing: float = 0.5
    rofr_share: float | None = None
    holder_reach: float | None = None
    commitment_pressure: tuple[float, ...] = ()
    spot_offers: float = 0.0
    spot_capacity: float = 0.5
    penalty_share: float = 0.0
    penalty_factor: tuple[float, float] = (3.0, 10.0)


#: the family's members: how real portfolios differ from the baseline in ways that matter
FAMILY: dict[str, Structure] = {
    s.name: s
    for s in (
        Structure(),
        # some families at 1.05x their demand, the others at 3x
        Structure("tight-loose", capacity=3.0, tight=(("h200", 1.05), ("b200", 1.05))),
        Structure("few-huge-gangs", gang_weight=0.04, gang_hours=(11.5, 0.3)),
        Structure("many-small-gangs", gang_weight=0.35, gang_hours=(8.4, 0.5)),
        Structure("region-locked", region_share=0.8),
        Structure("long-windows", windows=(12, 0)),
        Structure("short-windows", windows=(3,)),
        Structure("gang-varying", gang_varying=0.8, gang_swing=0.6),
        Structure("rofr-heavy", rofr_share=0.7, holder_reach=0.6),
        Structure("commitments-partial", commitment_pressure=(0.0, 0.95)),
        Structure("spot", spot_offers=0.3, spot_capacity=0.6),
        Structure("priced-shortfall", penalty_share=0.3),
    )
}


def _stream(seed: int, feature: str) -> random.Random:
    """A random stream of one feature's own: drawing from it leaves the baseline's alone."""
    return random.Random(f"{seed}:{feature}")


@dataclass
class _Offer:
    id: str
    provider: str
    region: str
    family: str
    pricing: str
    price: float
    compliance: tuple[str, ...] = ()
    load: list[float] = field(default_factory=list)


def _month(i: int) -> tuple[int, int]:
    y, m = START[0] + (START[1] - 1 + i) // 12, (START[1] - 1 + i) % 12 + 1
    return y, m


def _label(i: int) -> str:
    y, m = _month(i)
    return f"{y:04d}-{m:02d}"


def _offers(rng: random.Random, n: int, n_months: int) -> list[_Offer]:
    n_holder = max(3, round(0.3 * n))
    others = [p for p, _, _ in PROVIDERS if p != HOLDER_PROVIDER]
    providers = [HOLDER_PROVIDER] * n_holder + [others[i % 4] for i in range(n - n_holder)]
    # government-region offers: one on the holder, one elsewhere, then about 10% more
    n_gov = max(2, round(0.12 * n))
    gov = {n_holder - 1, n_holder}
    while len(gov) < n_gov:
        gov.add(rng.randrange(n))
    out: list[_Offer] = []
    tpu_done = False
    for i, prov in enumerate(providers):
        if prov == TPU_PROVIDER and (not tpu_done or rng.random() < 0.5) and i not in gov:
            family = TPU
            tpu_done = True
        elif prov == HOLDER_PROVIDER and i < len(GPU):
            family = GPU[i]  # the holder has every GPU family
        else:
            family = rng.choice(GPU)
        if i in gov:
            family = rng.choice(("h100", "h200"))
            region = GOV_REGION
        else:
            geo = rng.choices(("us", "eu", "asia"), weights=(0.55, 0.3, 0.15))[0]
            region = rng.choice(GEOS[geo])
        pricing = rng.choices(tuple(PRICING), weights=(0.5, 0.35, 0.15))[0]
        price = BASE_PRICE[family] * PRICING[pricing] * rng.uniform(0.95, 1.05)
        if prov == HOLDER_PROVIDER:
            price *= rng.uniform(1.05, 1.10)
        out.append(
            _Offer(
                id=f"{prov}-{region}-{family}-{i:03d}",
                provider=prov,
                region=region,
                family=family,
                pricing=pricing,
                price=round(price, 2),
                compliance=(GOV_TAG,) if region == GOV_REGION else (),
                load=[0.0] * n_months,
            )
        )
    return out


def _window(rng: random.Random, n_months: int, windows: tuple[int, ...]) -> tuple[int, int]:
    lengths = sorted({x or n_months for x in windows if (x or n_months) <= n_months})
    lengths = lengths or [n_months]
    length = rng.choice(lengths)
    starts = [s for s in range(0, n_months - length + 1, 3)] or [0]
    start = rng.choice(starts)
    return start, min(n_months, start + length) - 1


def _fits(o: _Offer, w: dict[str, Any]) -> bool:
    if o.family not in w["families"]:
        return False
    if w.get("regions") and o.region not in w["regions"]:
        return False
    if not set(w.get("compliance", ())) <= set(o.compliance):
        return False
    return not (
        w["kind"] == "api" and w.get("segment") != "government" and o.provider != HOLDER_PROVIDER
    )


def _workload(
    rng: random.Random, i: int, n_months: int, st: Structure, extra: random.Random
) -> dict[str, Any]:
    weights = [st.gang_weight if c == "training" else w for c, w in CLASSES]
    cls = rng.choices([c for c, _ in CLASSES], weights=weights)[0]
    w: dict[str, Any] = {"id": f"w{i:04d}-{cls}"}
    if cls == "government":
        w["kind"] = rng.choice(("api", "api", "inference"))
        w["segment"] = "government"
        w["families"] = list(rng.choice((("h100",), ("h200",), ("h100", "h200"))))
        w["compliance"] = [GOV_TAG]
    else:
        w["kind"] = cls
        if cls in ("research", "batch") and rng.random() < 0.3:
            w["families"] = [TPU]
        else:
            w["families"] = list(rng.choice(GPU_SETS))
        if cls not in ("training",) and rng.random() < st.region_share:
            w["regions"] = list(GEOS[rng.choice(("us", "eu"))])
    if cls == "api":
        w["api"] = rng.choice(("stateless", "stateful"))
    if cls == "product-serving":
        w["product"] = rng.choice(("assistant", "search", "coder"))
        if rng.random() < 0.2:
            w["new_capacity"] = False
    if st.rofr_share is not None and w["kind"] != "api":
        w["new_capacity"] = extra.random() < st.rofr_share
    start, end = _window(rng, n_months, st.windows)
    w["start"], w["end"] = _label(start), _label(end)
    if cls == "training":
        w["gang"] = True
        hours = rng.lognormvariate(*st.gang_hours)  # baseline: median ~20,000 a month
    else:
        hours = rng.lognormvariate(8.7, 0.7)  # median ~6,000
    w["demand"] = float(max(500, round(hours, -2)))
    w["_span"] = (start, end)
    w["_load"] = [w["demand"]] * (end - start + 1)
    if cls == "training" and st.gang_varying and extra.random() < st.gang_varying:
        lo, hi = 1.0 - st.gang_swing, 1.0 + st.gang_swing
        load = [float(max(100, round(w["demand"] * extra.uniform(lo, hi), -2))) for _ in w["_load"]]
        w["_load"] = load
        w["demand_by_period"] = {_label(start + k): v for k, v in enumerate(load)}
    return w


def _home(
    rng: random.Random,
    offers: list[_Offer],
    w: dict[str, Any],
    cache: dict[tuple[Any, ...], list[_Offer]],
) -> _Offer | None:
    sig = (
        tuple(w["families"]),
        tuple(w.get("regions", ())),
        tuple(w.get("compliance", ())),
        w["kind"],
        w.get("segment"),
    )
    if sig not in cache:
        cache[sig] = [o for o in offers if _fits(o, w)]
    fits = cache[sig]
    if not fits:
        return None
    # of a few fitting offers, the one whose busiest month grows least: home loads stay flat
    # over time, so capacities sized on them add up to little more than the peak demand
    start, end = w["_span"]

    def peak_after(o: _Offer) -> float:
        return max(
            o.load[t] + (w["_load"][t - start] if start <= t <= end else 0.0)
            for t in range(len(o.load))
        )

    return min(rng.sample(fits, min(4, len(fits))), key=peak_after)


def _rofr_kinds(st: Structure) -> tuple[str, ...]:
    """The kinds P.R1 covers: training and product serving, or every non-API kind."""
    if st.rofr_share is None:
        return ("training", "product-serving")
    return tuple(c for c, _ in CLASSES if c not in ("api", "government"))


def _under_rofr(w: dict[str, Any], st: Structure) -> bool:
    return w["kind"] in _rofr_kinds(st) and w.get("new_capacity", True) is not False


def _months_of(w: dict[str, Any]) -> range:
    y0, m0 = map(int, str(w["start"]).split("-"))
    y1, m1 = map(int, str(w["end"]).split("-"))
    first = (y0 - START[0]) * 12 + m0 - START[1]
    return range(first, first + (y1 - y0) * 12 + m1 - m0 + 1)


def _demand(w: dict[str, Any], t: int) -> float:
    """A workload's demand in month ``t`` (0 outside its window)."""
    if t not in _months_of(w):
        return 0.0
    return float(w.get("demand_by_period", {}).get(_label(t), w["demand"]))


def forced_holder_spend(
    offers: list[_Offer], workloads: list[dict[str, Any]], months: range
) -> float:
    """The least the API exclusivity makes any plan spend on nimbus over ``months``: each
    commercial API workload's demand at the cheapest nimbus offer it fits."""
    total = 0.0
    for w in workloads:
        if w["kind"] != "api" or w.get("segment") == "government":
            continue
        prices = [o.price for o in offers if o.provider == HOLDER_PROVIDER and _fits(o, w)]
        if prices:
            total += min(prices) * sum(_demand(w, t) for t in months)
    return total


def _quarterly(
    st: Structure,
    offers: list[_Offer],
    caps: list[float],
    workloads: list[dict[str, Any]],
    n_months: int,
) -> list[dict[str, Any]]:
    """One commitment a quarter, each in force from its quarter's first day (an amendment
    of its own, but the first) to its last day; amounts as :class:`Structure` says."""
    out = []
    value = sum(
        c * o.price for o, c in zip(offers, caps, strict=True) if o.provider == HOLDER_PROVIDER
    )
    for q, first in enumerate(range(0, n_months, 3)):
        months = range(first, min(n_months, first + 3))
        forced = forced_holder_spend(offers, workloads, months)
        pressure = st.commitment_pressure[q % len(st.commitment_pressure)]
        # binding: a share of the capacity's value; cleared: half the spend forced anyway
        amount = pressure * value * len(months) if pressure > 0 else 0.5 * forced
        y, m = _month(first)
        c = _clause(
            f"P.C{q + 1}",
            "commitment",
            f"Spend commitment with Nimbus, quarter {q + 1}",
            payer="lab",
            payee=HOLDER,
            providers=[HOLDER_PROVIDER],
            amount=float(round(amount, -2)),
            window_end=_last_day(months[-1]),
            assumptions=["binding" if pressure > 0 else "cleared by the API work"],
        )
        if q:
            c["_from"] = f"{y:04d}-{m:02d}-01"
        out.append(c)
    return out


def _spot(
    rng: random.Random, st: Structure, n_offers: int, n_months: int, peak: float
) -> list[dict[str, Any]]:
    """Extra spot offers (rows of offers.yaml): cheap, capacity swinging month to month."""
    n = round(st.spot_offers * n_offers)
    out: list[dict[str, Any]] = []
    others = [p for p, _, _ in PROVIDERS if p not in (HOLDER_PROVIDER, TPU_PROVIDER)]
    mean = st.spot_capacity * peak / max(n, 1)
    for i in range(n):
        prov = others[i % len(others)]
        family = rng.choice(GPU)
        region = rng.choice(GEOS[rng.choices(("us", "eu", "asia"), weights=(0.55, 0.3, 0.15))[0]])
        price = BASE_PRICE[family] * rng.uniform(0.40, 0.50)
        by_month = {
            _label(t): 0.0 if rng.random() < 0.3 else float(round(mean * rng.uniform(0.2, 2.6), -2))
            for t in range(n_months)
        }
        out.append(
            {
                "id": f"{prov}-{region}-{family}-spot{i:03d}",
                "provider": prov,
                "region": region,
                "family": family,
                "pricing": "spot",
                "price": round(price, 2),
                "capacity": 0.0,
                "capacity_by_period": by_month,
                "source": "synthetic",
            }
        )
    return out


def _last_day(i: int) -> str:
    y, m = _month(i)
    return f"{y:04d}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}"


def _clause(cid: str, kind: str, title: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": cid,
        "kind": kind,
        "title": title,
        **fields,
        "confidence": "primary",
        "sources": ["synthetic"],
    }


def _csv(path: Path, rows: list[dict[str, Any]]) -> None:
    """Rows as the portfolio CSV format: lists joined with ';', booleans true/false, maps as
    ``MONTH=HOURS`` pairs joined with ';'."""
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]

    def cell(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list | tuple):
            return ";".join(map(str, v))
        if isinstance(v, dict):  # capacity_by_period, demand_by_period: MONTH=HOURS pairs
            return ";".join(f"{k}={x}" for k, x in v.items())
        return str(v)

    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(columns)
        for row in rows:
            out.writerow([cell(row[k]) if k in row else "" for k in columns])


def _dump(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def generate(
    folder: Path,
    n_workloads: int,
    n_offers: int,
    n_months: int,
    seed: int,
    *,
    validate: bool = True,
    fmt: str | None = None,
    structure: Structure | str = "baseline",
) -> Path:
    """Write a complete synthetic scenario folder and return it (same seed, same files).

    Offers and workloads go to YAML, or to CSV with ``fmt="csv"`` (the default above 5,000
    workloads: quicker to write and to load). With ``validate`` the folder is loaded with
    :func:`charter.load_scenario`, which raises a located :class:`charter.ScenarioError` if any
    file breaks the schema. ``structure`` is a member of :data:`FAMILY` (or its name).
    """
    st = FAMILY[structure] if isinstance(structure, str) else structure
    if n_offers < 8:
        raise ValueError("need at least 8 offers (every provider, family and the gov region)")
    rng = random.Random(seed)
    offers = _offers(rng, n_offers, n_months)
    workloads: list[dict[str, Any]] = []
    cache: dict[tuple[Any, ...], list[_Offer]] = {}
    extra = _stream(seed, "workloads")
    for i in range(n_workloads):
        for _ in range(100):
            w = _workload(rng, i, n_months, st, extra)
            home = _home(rng, offers, w, cache)
            if home is not None:
                break
        else:  # pragma: no cover - the offer mix always has a fit for some draw
            raise RuntimeError("no workload draw fits any offer")
        start, end = w.pop("_span")
        load = w.pop("_load")
        for t in range(start, end + 1):
            home.load[t] += load[t - start]
        workloads.append(w)

    # capacity: each offer covers its home load's peak, scaled up so that total capacity is
    # about 1.3x the busiest month's total demand (never below the home peak)
    total = [sum(o.load[t] for o in offers) for t in range(n_months)]
    peaks = [max(o.load) for o in offers]
    target = st.capacity * max(total)
    # offers nobody calls home still sell something: together at most a tenth of the target
    # (a floor per offer that did not shrink with the number of offers put the total far
    # above 1.3x the peak demand at 1,000 offers)
    floor = 0.1 * target / n_offers
    scale = max(1.0, (target - floor * peaks.count(0.0)) / sum(peaks))
    caps = [float(round(max(peak * scale, floor), -2) + 100) for peak in peaks]
    for family, factor in st.tight:  # this family at its own factor of its peak demand
        members = [k for k, o in enumerate(offers) if o.family == family]
        fam_peak = max(sum(offers[k].load[t] for k in members) for t in range(n_months))
        fam_home = sum(peaks[k] for k in members)
        if not members or fam_home <= 0:
            continue
        f_scale = max(1.0, factor * fam_peak / fam_home)
        for k in members:  # never below the home peak: a plan still exists
            caps[k] = float(round(peaks[k] * f_scale, -2) + 100) if peaks[k] else 100.0

    if st.holder_reach is not None:  # nimbus's capacity against the demand under P.R1
        subject = [
            sum(_demand(w, t) for w in workloads if _under_rofr(w, st)) for t in range(n_months)
        ]
        holder = [k for k, o in enumerate(offers) if o.provider == HOLDER_PROVIDER]
        held = sum(peaks[k] for k in holder)
        h_scale = st.holder_reach * max(subject) / held if held > 0 else 1.0
        for k in holder:  # never below the home peak: a plan still exists
            caps[k] = float(round(max(peaks[k], peaks[k] * h_scale), -2) + 100)

    holder_value = sum(
        c * o.price for o, c in zip(offers, caps, strict=True) if o.provider == HOLDER_PROVIDER
    )
    commitment = round(0.5 * holder_value * n_months, -3)
    spot = _spot(_stream(seed, "spot"), st, n_offers, n_months, max(total))
    commitment_clauses = (
        _quarterly(st, offers, caps, workloads, n_months)
        if st.commitment_pressure
        else [
            _clause(
                "P.C1",
                "commitment",
                "Spend commitment with Nimbus",
                payer="lab",
                payee=HOLDER,
                providers=[HOLDER_PROVIDER],
                amount=float(commitment),
                window_end=_last_day(n_months - 1),
                assumptions=["about half the value of Nimbus's capacity"],
            )
        ]
    )
    if st.penalty_share:
        prices = sorted(o.price for o in offers)
        median = prices[len(prices) // 2]
        priced = _stream(seed, "penalty")
        for w in workloads:
            if priced.random() < st.penalty_share:
                w["unmet_penalty"] = round(median * priced.uniform(*st.penalty_factor), 2)

    folder.mkdir(parents=True, exist_ok=True)
    first, last = _label(0), _label(n_months - 1)
    _dump(
        folder / "scenario.yaml",
        {
            "name": f"synthetic-{n_workloads}x{n_offers}x{n_months}-s{seed}"
            + ("" if st.name == "baseline" else f"-{st.name}"),
            "title": f"Synthetic planning scenario ({n_workloads} workloads, {n_offers} offers)",
            "description": "Generated by tests/support/portfolios.py; every figure is synthetic.",
            "segments": ["commercial", "government"],
            "sources": ["synthetic"],
            "plan": {"party": "lab", "from": first, "to": last},
        },
    )
    _dump(
        folder / "parties.yaml",
        [{"id": "lab", "name": "The Lab"}]
        + [{"id": owner, "name": name.split()[0]} for _, owner, name in PROVIDERS],
    )
    _dump(
        folder / "providers.yaml",
        [{"id": p, "owner": owner, "name": name} for p, owner, name in PROVIDERS],
    )
    _dump(
        folder / "events.yaml",
        [
            {
                "id": "renewal",
                "name": "Renewal",
                "description": "Not assumed by the benchmark; no clause depends on it.",
            }
        ],
    )
    _dump(
        folder / "agreements.yaml",
        {
            "id": "lab-nimbus",
            "title": "Lab-Nimbus compute partnership (synthetic)",
            "parties": ["lab", HOLDER],
            "amendments": [
                {
                    "date": f"{first}-01",
                    "title": "Partnership agreement",
                    "sources": ["synthetic"],
                    "clauses": [
                        _clause(
                            "P.X1",
                            "exclusivity",
                            "API work runs on Nimbus only",
                            principal="lab",
                            holder=HOLDER,
                            providers=[HOLDER_PROVIDER],
                            where={"kind": ["api"]},
                        ),
                        _clause(
                            "P.X2",
                            "carve_out",
                            "Government work is exempt from the API exclusivity",
                            principal="lab",
                            where={"segment": ["government"]},
                            overrides=["P.X1"],
                        ),
                        *commitment_clauses[:1],
                        _clause(
                            "P.R1",
                            "rofr",
                            "Nimbus sees new training and serving capacity first",
                            principal="lab",
                            holder=HOLDER,
                            where={"kind": list(_rofr_kinds(st)), "new_capacity": True},
                            response_days=30,
                        ),
                    ],
                },
                *(
                    {
                        "date": c.pop("_from"),
                        "title": f"Commitment {c['id']}",
                        "sources": ["synthetic"],
                        "clauses": [c],
                    }
                    for c in commitment_clauses[1:]
                ),
            ],
        },
    )
    fmt = fmt or ("csv" if n_workloads > 5000 else "yaml")
    offer_rows = [
        {
            "id": o.id,
            "provider": o.provider,
            "region": o.region,
            "family": o.family,
            "pricing": o.pricing,
            "price": o.price,
            "capacity": cap,
            **({"compliance": list(o.compliance)} if o.compliance else {}),
            "source": "synthetic",
        }
        for o, cap in zip(offers, caps, strict=True)
    ]
    offer_rows += spot
    for stem in ("offers", "workloads"):
        for ext in ("yaml", "csv"):
            (folder / f"{stem}.{ext}").unlink(missing_ok=True)
    if fmt == "csv":
        _csv(folder / "offers.csv", offer_rows)
        _csv(folder / "workloads.csv", workloads)
    else:
        _dump(folder / "offers.yaml", offer_rows)
        _dump(folder / "workloads.yaml", workloads)
    if validate:
        import charter

        charter.load_scenario(folder)
    return folder


def _main() -> None:
    import argparse

    import charter

    parser = argparse.ArgumentParser(description="write a synthetic planning scenario")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--workloads", type=int, default=200)
    parser.add_argument("--offers", type=int, default=50)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    a = parser.parse_args()
    folder = generate(a.folder, a.workloads, a.offers, a.months, a.seed, validate=False)
    s = charter.load_scenario(folder)
    print(f"{folder}: {len(s.data.workloads)} workloads, {len(s.data.offers)} offers")


if __name__ == "__main__":
    _main()
