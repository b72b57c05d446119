"""``charter diff``'s flips: how many request classes, how long, against the product of cells.

Two measurements, each best of ``--repeat``:

1. The bundled scenario, the two most recent versions, flips only (no plans): the classes
   :mod:`charter.diff.space` builds and the whole diff's time, against the baseline of the
   same run that decides one request per cell of the *product* of every attribute's cells
   (verdicts only, vectorized, no explanations): the count the merging of equivalent
   partial requests avoids.
2. A synthetic scenario of ``--agreements`` agreements with ``--clauses`` clauses in all,
   over the base vocabulary, diffed first version against latest: classes, time and classes
   per second.

    python -m benchmarks.diff_bench [--agreements 50 --clauses 500 --repeat 3]
"""

from __future__ import annotations

import argparse
import math
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

import charter
from charter.decide import Request
from charter.diff import diff
from charter.diff.versions import resolve_version

KINDS = ["training", "research", "batch", "api", "product-serving", "inference"]
SEGMENTS = ["commercial", "government", "research"]


def _best(fn: Any, repeat: int) -> tuple[float, Any]:
    best, out = math.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _product_requests(d: Any) -> list[Request]:
    """One request per cell of the product of every attribute's cells, per stretch: what
    the classes stand for, decided one by one."""
    import itertools

    seen: set[tuple[str, str, int]] = set()
    out: list[Request] = []
    for cls in d.space:
        key = (cls.principal, cls.action, cls.start)
        if key in seen:
            continue
        seen.add(key)
        attrs = sorted(cls.universe)
        base = cls.request
        for combo in itertools.product(*(cls.universe[a] for a in attrs)):
            fields: dict[str, Any] = {}
            extra = dict(base.attrs)
            for cell in combo:
                if cell.attr in extra:
                    extra[cell.attr] = cell.value
                else:
                    fields[cell.attr] = cell.value
            out.append(
                Request(
                    at=base.at,
                    principal=base.principal,
                    action=base.action,
                    attrs=extra,
                    **fields,
                )
            )
    return out


def bundled(repeat: int) -> None:
    s = charter.load_scenario()
    seconds, d = _best(lambda: diff(s, before="previous", plans=False), repeat)
    a = resolve_version(s, "previous").scenario.rules()
    b = resolve_version(s, "latest").scenario.rules()
    from charter.diff.space import classes

    space = list(classes(s, [a, b], resolve_version(s, "latest").date))
    holder = type("D", (), {"space": space})
    product = _product_requests(holder)
    base, _ = _best(lambda: (a.evaluate(product), b.evaluate(product)), repeat)
    print("bundled scenario, previous → latest, flips only (best of", repeat, "runs)")
    print(f"  request classes            {d.classes:>10,}   diff {seconds:8.3f} s (all of it)")
    print(f"  product of cells (baseline) {len(product):>9,}   decide both {base:8.3f} s")
    print(f"  classes ÷ product           {d.classes / len(product):>9.4f}")
    print(f"  diff time ÷ baseline time   {seconds / base:>9.2f}")
    print(f"  flips: {d.flipped:,} classes in {len(d.flips)} statements")


def _synthetic(folder: Path, agreements: int, clauses: int, seed: int) -> Path:
    rng = random.Random(seed)
    parties = ["lab", *(f"p{i}" for i in range(agreements))]
    providers = {f"cloud{i}": f"p{i}" for i in range(agreements)}
    folder.mkdir(parents=True)
    (folder / "scenario.yaml").write_text(
        yaml.safe_dump({"name": "synthetic", "title": "Synthetic", "segments": SEGMENTS})
    )
    (folder / "parties.yaml").write_text(yaml.safe_dump([{"id": p, "name": p} for p in parties]))
    (folder / "providers.yaml").write_text(
        yaml.safe_dump([{"id": k, "owner": v, "name": k} for k, v in providers.items()])
    )
    per = max(2, clauses // agreements)
    (folder / "agreements").mkdir()
    for i in range(agreements):
        holder, cloud = f"p{i}", f"cloud{i}"
        amendments = []
        for v in range(2):
            made = []
            for j in range(per // 2):
                where: dict[str, Any] = {"kind": rng.sample(KINDS, rng.randint(1, 3))}
                if rng.random() < 0.4:
                    where["segment"] = {"not": [rng.choice(SEGMENTS)]}
                if rng.random() < 0.3:
                    where["new_capacity"] = rng.random() < 0.5
                kind = rng.choice(["exclusivity", "rofr", "permission"])
                cid = f"A{i}.V{v}.C{j}"
                spec: dict[str, Any] = {
                    "id": cid,
                    "kind": kind,
                    "title": cid,
                    "principal": "lab",
                    "where": where,
                    "confidence": "primary",
                    "sources": ["synthetic"],
                }
                if kind == "exclusivity":
                    spec["providers"] = [cloud]
                    spec["holder"] = holder
                elif kind == "rofr":
                    spec["holder"] = holder
                made.append(spec)
            amendment: dict[str, Any] = {
                "date": f"{2024 + v}-{1 + i % 12:02d}-{1 + i // 12:02d}",
                "title": f"v{v}",
                "sources": ["synthetic"],
                "clauses": made,
            }
            if v == 1:
                old = amendments[0]["clauses"]
                amendment["removes"] = [
                    {"clause": c["id"], "by": made[0]["id"]} for c in old[: len(old) // 2]
                ]
            amendments.append(amendment)
        doc = {
            "id": f"a{i}",
            "title": f"a{i}",
            "parties": ["lab", holder],
            "amendments": amendments,
        }
        (folder / "agreements" / f"a{i}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return folder


def synthetic(agreements: int, clauses: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        s = charter.load_scenario(_synthetic(Path(tmp) / "s", agreements, clauses, seed=7))
        seconds, d = _best(lambda: diff(s, before="V1", after="latest", plans=False), repeat)
    print(f"synthetic: {agreements} agreements, {len(s.clauses)} clauses, V1 → latest")
    print(f"  request classes {d.classes:,}; {seconds:.2f} s; {d.classes / seconds:,.0f} classes/s")
    print(f"  flips: {d.flipped:,} classes in {len(d.flips)} statements")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--agreements", type=int, default=50)
    ap.add_argument("--clauses", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    bundled(args.repeat)
    synthetic(args.agreements, args.clauses, args.repeat)


if __name__ == "__main__":
    main()
