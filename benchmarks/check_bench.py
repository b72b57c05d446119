"""Checker speed and memory on large synthetic plans (issue 17, part 4).

    python -m benchmarks.check_bench [--size XL] [--reference-size M] [--split 12] [--seed 1]
                                     [--format csv|parquet] [--keep DIR]

The scenario comes from :mod:`tests.support.portfolios` (seeded; sizes as the planner
benchmark's, :data:`SIZES`). The plan is built without the planner, in seconds: every workload
copy goes, month by month over its window, to the first offers it fits and no clause denies
(the holder's offers first for the work a ROFR reaches, the cheapest first otherwise), its
demand split evenly over up to ``--split`` of them (a gang job: all of it on one offer for
the whole window). Capacities are not respected, so the plan is only valid-ish: the number of
breaches is reported. It is written to a plan file, and ``charter check SCENARIO PLAN --json``
runs in a fresh subprocess: wall time end to end (start, loading the scenario, reading the plan
file, the check, printing the report) and that process's peak RSS (``ru_maxrss`` from
``wait4``). The frozen row-by-row checker (tests/support/reference_check.py) and the columnar
one are then run on the plan of ``--reference-size`` the same way, for a ratio measured in the
same run.

Measured (``--size XL --reference-size L``, 2 cores shared with other jobs, load about 5):

    L   2,325,099 placements   charter check 0.15 min, 0.72 GB   row by row 9.54 min, 2.82 GB
    XL 14,678,325 placements   charter check 1.17 min, 2.16 GB   (0.65 min on a quieter machine)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.plan_bench import SIZES

#: the kinds of work a ROFR of the generated portfolios reaches (tests/support/portfolios.py)
ROFR_KINDS = ("training", "product-serving")

REFERENCE = """
import json, sys
import charter
from charter.plans import read_plan
from tests.support.reference_check import check_plan
s = charter.load_scenario(sys.argv[1])
r = check_plan(s, read_plan(__import__("pathlib").Path(sys.argv[2])))
print(json.dumps(r.to_json()))
"""


def build_plan(scenario: Any, split: int) -> dict[str, np.ndarray | list[str]]:
    """Placements as columns (see the module's docstring)."""
    from charter.decide import Verdict
    from charter.periods import Period

    data = scenario.data
    offers = list(data.offers)
    party = data.meta.plan.party if data.meta.plan else None
    # the checker's own request fields: the benchmark's verdicts are asked as it asks them
    from charter.check import _Context

    asked = _Context(scenario, None).asked
    providers = sorted({o.provider for o in offers})
    holder = {o.provider for o in offers if o.provider == "nimbus"}
    # verdicts once per (request fields, provider), on the first day of the first month
    months = sorted({w.start for w in data.workloads})
    first_day = Period.parse(months[0]).start
    keys: dict[tuple[Any, ...], Any] = {}
    for w in data.workloads:
        k = asked(w)
        keys.setdefault(k, w)
    asks = []
    for k, w in keys.items():
        for p in providers:
            asks.append(
                (
                    (k, p),
                    scenario.request(
                        at=first_day,
                        principal=w.owner or party,
                        action="run",
                        provider=p,
                        kind=w.kind,
                        segment=w.segment,
                        new_capacity=w.new_capacity,
                        api=w.api,
                        product=w.product,
                        codeveloped_with=w.codeveloped_with,
                        first_party=w.first_party,
                        attrs=w.attributes,
                    ),
                )
            )
    decided = scenario.decide_many([a[1] for a in asks])
    denied = {a[0] for a, d in zip(asks, decided, strict=True) if d.verdict == Verdict.DENY}
    by_price = sorted(range(len(offers)), key=lambda i: (offers[i].price, offers[i].id))
    period_labels: list[str] = []
    period_code: dict[str, int] = {}
    fits: dict[tuple[Any, ...], list[int]] = {}
    w_col, o_col, p_col, h_col = [], [], [], []
    names: list[str] = []
    for w in data.workloads:
        k = asked(w)
        fk = (k, w.families, w.regions, w.compliance)
        ok = fits.get(fk)
        if ok is None:
            ok = [
                i
                for i in by_price
                if offers[i].family in w.families
                and (not w.regions or offers[i].region in w.regions)
                and set(w.compliance) <= set(offers[i].compliance)
                and (k, offers[i].provider) not in denied
            ]
            if w.kind in ROFR_KINDS and w.new_capacity:
                held = [i for i in ok if offers[i].provider in holder]
                ok = held or ok
            fits[fk] = ok
        if not ok:
            continue
        a, b = Period.parse(w.start), Period.parse(w.end)
        window = []
        y, m = a.start.year, a.start.month
        while (y, m) <= (b.start.year, b.start.month):
            label = f"{y:04d}-{m:02d}"
            window.append(period_code.setdefault(label, len(period_code)))
            if len(period_code) > len(period_labels):
                period_labels.append(label)
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        need = np.array([float(w.demand_by_period.get(period_labels[c], w.demand)) for c in window])
        use = ok[:1] if w.gang else ok[:split]
        for copy in w.copies():
            code = len(names)
            names.append(copy.name)
            n = len(window) * len(use)
            w_col.append(np.full(n, code, np.int64))
            o_col.append(np.tile(np.array(use, np.int64), len(window)))
            p_col.append(np.repeat(np.array(window, np.int64), len(use)))
            h_col.append(np.repeat(need / len(use), len(use)))
    return {
        "workload": np.concatenate(w_col),
        "offer": np.concatenate(o_col),
        "period": np.concatenate(p_col),
        "hours": np.concatenate(h_col),
        "workloads": names,
        "offers": [o.id for o in offers],
        "periods": period_labels,
    }


def write_columns(path: Path, plan: dict[str, Any]) -> int:
    """Write the placements as a plan file (CSV or Parquet by suffix); the number of rows."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    def names(col: str, of: str) -> Any:
        return pa.DictionaryArray.from_arrays(
            pa.array(plan[col], pa.int32()), pa.array(plan[of], pa.string())
        ).cast(pa.string())

    table = pa.table(
        {
            "workload": names("workload", "workloads"),
            "offer": names("offer", "offers"),
            "period": names("period", "periods"),
            "hours": pa.array(plan["hours"], pa.float64()),
        }
    )
    if path.suffix == ".parquet":
        pq.write_table(table, path)
    else:
        pcsv.write_csv(table, path, pcsv.WriteOptions(quoting_style="none"))
    return int(table.num_rows)


def run_measured(argv: list[str]) -> tuple[float, float, dict[str, Any] | None, str]:
    """Run a command in a fresh process, waited for with ``wait4``: wall seconds, that
    process's peak RSS in GB, its JSON output, the tail of its stderr."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (os.getcwd(), env.get("PYTHONPATH")) if p)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, tail = out.read(), err.read().decode(errors="replace")[-2000:]
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        doc = None
    return wall, usage.ru_maxrss / 1024**2, doc, tail


def measure(
    size: str, seed: int, split: int, fmt: str, folder: Path, reference: bool
) -> dict[str, Any]:
    import charter
    from tests.support.portfolios import generate

    n_w, n_o, n_t = SIZES[size]
    t0 = time.perf_counter()
    scen = generate(folder / f"scenario-{size}", n_w, n_o, n_t, seed, validate=False)
    s = charter.load_scenario(scen)
    plan = build_plan(s, split)
    plan_file = folder / f"plan-{size}.{fmt}"
    rows = write_columns(plan_file, plan)
    prep = time.perf_counter() - t0
    result: dict[str, Any] = {"size": size, "rows": rows, "prepare_s": prep}
    cmd = [sys.executable, "-m", "charter", "check", str(plan_file), str(scen), "--json"]
    wall, rss, doc, err = run_measured(cmd)
    result["columnar"] = _summary(wall, rss, doc, err)
    if reference:
        ref = [sys.executable, "-c", REFERENCE, str(scen), str(plan_file)]
        wall, rss, rdoc, err = run_measured(ref)
        result["reference"] = _summary(wall, rss, rdoc, err)
        if doc is not None and rdoc is not None:
            result["same_breaches"] = doc["breaches"] == rdoc["breaches"]
    return result


def _summary(wall: float, rss: float, doc: dict[str, Any] | None, err: str) -> dict[str, Any]:
    if doc is None:
        return {"seconds": wall, "peak_gb": rss, "error": err}
    kinds: dict[str, int] = {}
    for b in doc["breaches"]:
        kinds[b["kind"]] = kinds.get(b["kind"], 0) + 1
    return {"seconds": wall, "peak_gb": rss, "breaches": kinds, "cost": doc["cost"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="L", choices=list(SIZES))
    parser.add_argument("--reference-size", default="M", choices=[*SIZES, "none"])
    parser.add_argument("--split", type=int, default=12, help="offers per workload-month")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--format", default="csv", choices=["csv", "parquet"])
    parser.add_argument("--keep", type=Path, default=None, help="keep the files in DIR")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        results = []
        if args.reference_size != "none":
            results.append(
                measure(args.reference_size, args.seed, args.split, args.format, folder, True)
            )
        results.append(measure(args.size, args.seed, args.split, args.format, folder, False))
    for r in results:
        print(json.dumps(r, indent=1))
    for r in results:
        c = r["columnar"]
        line = (
            f"{r['size']}: {r['rows']:,} placements, charter check "
            f"{c['seconds'] / 60:.2f} min, peak {c['peak_gb']:.2f} GB"
        )
        if "reference" in r:
            ref = r["reference"]
            line += (
                f"; row-by-row checker {ref['seconds'] / 60:.2f} min, "
                f"peak {ref['peak_gb']:.2f} GB (ratio {ref['seconds'] / c['seconds']:.1f}x, "
                f"same breaches: {r.get('same_breaches')})"
            )
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
