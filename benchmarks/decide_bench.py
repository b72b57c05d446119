"""Decision speed, charter against Cedar (cedarpy), measured in one run on one core.

    make bench        # or: .venv/bin/python -m benchmarks.decide_bench [--n 200000]

Single-decision latency (p50, p99) and batch throughput for the same placement questions
(benchmarks/cedar_placement.py). One charter question needs two Cedar requests (run; buy
without offering first), so Cedar figures are given per question and per request. Ratios
are against Cedar measured in the same run: these machines are noisy.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time
from collections.abc import Callable
from typing import Any

import cedarpy
from rich.console import Console
from rich.table import Table

import charter
from benchmarks.cedar_placement import POLICIES, cedar_requests, entities, random_requests


def _latency(fn: Callable[[Any], Any], items: list[Any], repeat: int) -> tuple[float, float]:
    """p50 and p99 in microseconds of ``fn(item)`` over ``repeat`` calls."""
    for item in items[:200]:
        fn(item)
    samples = []
    gc.disable()
    try:
        for k in range(repeat):
            item = items[k % len(items)]
            t0 = time.perf_counter_ns()
            fn(item)
            samples.append(time.perf_counter_ns() - t0)
    finally:
        gc.enable()
    samples.sort()
    return samples[len(samples) // 2] / 1e3, samples[int(len(samples) * 0.99)] / 1e3


def _throughput(fn: Callable[[], Any], n: int, rounds: int = 3) -> float:
    """Best of ``rounds`` runs, in items per second."""
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return n / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200_000, help="batch size for charter")
    parser.add_argument("--cedar-n", type=int, default=50_000, help="batch size for Cedar")
    parser.add_argument("--repeat", type=int, default=20_000, help="single-decision samples")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    console = Console()
    s = charter.load_scenario("microsoft-openai")
    reqs = random_requests(s, args.n)
    policies = cedarpy.PolicySet.from_str(POLICIES)
    ents = cedarpy.Entities.from_json_str(json.dumps(entities(s)))
    pairs = [cedar_requests(r) for r in reqs[: args.cedar_n]]
    flat = [c for p in pairs for c in p]

    with console.status("single decisions ..."):
        ours_p50, ours_p99 = _latency(s.decide, reqs, args.repeat)
        ids_p50, ids_p99 = _latency(lambda r: s.decide(r).clause_ids, reqs, args.repeat)

        def cedar_question(p: tuple[dict[str, Any], dict[str, Any]]) -> tuple[bool, bool]:
            return (
                cedarpy.is_authorized(p[0], policies, ents).allowed,
                cedarpy.is_authorized(p[1], policies, ents).allowed,
            )

        cq_p50, cq_p99 = _latency(cedar_question, pairs, args.repeat)
        c1_p50, c1_p99 = _latency(
            lambda p: cedarpy.is_authorized(p[0], policies, ents), pairs, args.repeat
        )

    with console.status("batches ..."):
        rules = s.rules()
        encoded = rules.batch(reqs)
        objects = _throughput(lambda: s.decide_many(reqs), len(reqs))
        columns = _throughput(lambda: rules.evaluate(reqs, batch=encoded), len(reqs))
        cedar_calls = _throughput(
            lambda: cedarpy.is_authorized_batch(flat, policies, ents), len(flat), rounds=2
        )
    cedar_questions = cedar_calls / 2

    t = Table(title="charter vs Cedar: placement decisions (one core)")
    t.add_column("measure")
    t.add_column("charter", justify="right")
    t.add_column("Cedar (cedarpy)", justify="right")
    t.add_column("ratio", justify="right")
    t.add_row(
        "single question p50 (verdict)",
        f"{ours_p50:.1f} µs",
        f"{cq_p50:.1f} µs",
        f"{cq_p50 / ours_p50:.1f}× faster",
    )
    t.add_row(
        "single question p99 (verdict)",
        f"{ours_p99:.1f} µs",
        f"{cq_p99:.1f} µs",
        f"{cq_p99 / ours_p99:.1f}× faster",
    )
    t.add_row(
        "single question p50 (+ deciding clauses)",
        f"{ids_p50:.1f} µs",
        f"{cq_p50:.1f} µs",
        f"{cq_p50 / ids_p50:.1f}×",
    )
    t.add_row(
        "single question p99 (+ deciding clauses)",
        f"{ids_p99:.1f} µs",
        f"{cq_p99:.1f} µs",
        f"{cq_p99 / ids_p99:.1f}×",
    )
    t.add_row("single Cedar request p50 / p99", "", f"{c1_p50:.1f} / {c1_p99:.1f} µs", "")
    t.add_row(
        "batch, encoded columns (questions/s)",
        f"{columns:,.0f}",
        f"{cedar_questions:,.0f}",
        f"{columns / cedar_questions:.1f}×",
    )
    t.add_row(
        "batch, from request objects (questions/s)",
        f"{objects:,.0f}",
        f"{cedar_questions:,.0f}",
        f"{objects / cedar_questions:.1f}×",
    )
    t.add_row("Cedar requests/s (2 per question)", "", f"{cedar_calls:,.0f}", "")
    console.print(t)
    goals = [
        ("single decision p50 ≤ 20 µs", ours_p50 <= 20),
        ("batch ≥ 1,000,000 decisions/s (encoded columns)", columns >= 1e6),
        ("batch throughput ≥ Cedar's", columns >= cedar_questions),
    ]
    for name, ok in goals:
        console.print(f"{'met' if ok else 'MISSED'}: {name}")


if __name__ == "__main__":
    main()
