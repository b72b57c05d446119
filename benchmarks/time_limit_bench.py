"""Does ``charter plan --time-limit`` hold? Wall time of the whole command against its limit.

    python -m benchmarks.time_limit_bench [--sizes M] [--limits 10,30,60]
                                          [--strategies auto,exact,decompose]
                                          [--family baseline,tight-loose,few-huge-gangs]
                                          [--seed 1] [--folder DIR]...

Scenarios come from :mod:`tests.support.portfolios` (seeded; sizes and family members as in
:mod:`benchmarks.plan_bench`), written once to a temporary folder; ``--folder DIR`` runs a
scenario folder of your own instead. For every scenario, strategy and limit, ``charter plan
FOLDER --time-limit LIMIT --strategy S --out plan.json`` runs in a fresh process (Python's
start-up, loading the scenario and writing the plan included: the whole command) and the
table gives its wall seconds, the overrun (wall − limit), the plan's status, its gap, and the
seconds at which the plan file was last written, read from the ``--progress`` lines.

The limit is the whole command's budget, so the goal is an overrun of a few seconds at most
(Python's start-up and imports, which no limit can cover, are about one to two seconds of
it). Each line ends ``met`` when the overrun is at most ``--slack`` seconds (default 3) and
the command exited 0 with a plan file (or 4, no plan in time, which it says), ``MISSED``
otherwise. Runs are one-shot, on whatever else the machine is doing: a loaded machine shows
in user + system seconds well below wall seconds (both are printed).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.plan_bench import SIZES, family_members

WROTE = re.compile(r"^\[\s*([0-9.]+) s\] wrote ")
STATUS = re.compile(r"plan: ([a-z-]+);")
GAP = re.compile(r"gap ([0-9.]+)%")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(folder: Path, strategy: str, limit: float, out: Path) -> dict[str, object]:
    """One ``charter plan`` run: wall and CPU seconds, exit code, status, gap, when written."""
    out.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "charter",
        "plan",
        str(folder),
        "--time-limit",
        f"{limit:g}",
        "--strategy",
        strategy,
        "--out",
        str(out),
        "--progress",
    ]
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=limit * 3 + 120,
        check=False,
    )
    wall = time.perf_counter() - t0
    cpu = _children_cpu() - cpu0
    text = done.stdout + done.stderr
    written = [float(m.group(1)) for line in text.splitlines() if (m := WROTE.match(line))]
    status = STATUS.search(text)
    gap = GAP.search(text)
    return {
        "wall": wall,
        "cpu": cpu,
        "code": done.returncode,
        "status": status.group(1) if status else "?",
        "gap": gap.group(1) + "%" if gap else "-",
        "written": written[-1] if written else None,
        "has_file": out.exists(),
        "traceback": "Traceback" in text,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sizes", default="M", help=f"comma-separated, of {', '.join(SIZES)}")
    parser.add_argument("--limits", default="10,30,60", help="seconds, comma-separated")
    parser.add_argument("--strategies", default="auto,exact,decompose")
    parser.add_argument("--family", default="baseline", help="members of the generator family")
    parser.add_argument("--seed", type=int, default=1, help="scenario generator seed")
    parser.add_argument("--slack", type=float, default=3.0, help="overrun allowed, seconds")
    parser.add_argument("--folder", action="append", default=[], help="a scenario folder")
    args = parser.parse_args()
    from tests.support.portfolios import generate

    limits = [float(x) for x in args.limits.split(",") if x.strip()]
    strategies = [x.strip() for x in args.strategies.split(",") if x.strip()]
    members = family_members(parser, args.family) if args.family.strip() else []
    console = Console()
    console.width = max(console.width, 160)
    table = Table(title=f"charter plan: wall seconds against --time-limit (seed {args.seed})")
    for col in (
        "scenario",
        "strategy",
        "limit s",
        "wall s",
        "overrun s",
        "cpu s",
        "written at s",
        "status",
        "gap",
        "exit",
        "verdict",
    ):
        table.add_column(col, justify="left" if col in ("scenario", "strategy") else "right")
    missed = 0
    with tempfile.TemporaryDirectory(prefix="charter-time-limit-") as tmp:
        folders: list[tuple[str, Path]] = [(Path(f).name, Path(f)) for f in args.folder]
        if not folders:
            for size in [x.strip() for x in args.sizes.split(",") if x.strip()]:
                if size not in SIZES:
                    parser.error(f"unknown size {size!r}; sizes are {', '.join(SIZES)}")
                for m in members:
                    label = size if m == "baseline" else f"{size}/{m}"
                    console.print(f"generating {label} ...")
                    where = Path(tmp) / label.replace("/", "-")
                    folders.append((label, generate(where, *SIZES[size], args.seed, structure=m)))
        out = Path(tmp) / "plan.json"
        for label, folder in folders:
            for strategy in strategies:
                for limit in limits:
                    console.print(f"{label} {strategy} --time-limit {limit:g} ...")
                    r = run_once(folder, strategy, limit, out)
                    wall = float(r["wall"])  # type: ignore[arg-type]
                    over = wall - limit
                    planned = r["code"] == 0 and bool(r["has_file"])
                    no_plan = r["code"] == 4
                    ok = over <= args.slack and (planned or no_plan) and not r["traceback"]
                    missed += not ok
                    table.add_row(
                        label,
                        strategy,
                        f"{limit:g}",
                        f"{wall:.1f}",
                        f"{over:+.1f}",
                        f"{float(r['cpu']):.1f}",  # type: ignore[arg-type]
                        "-" if r["written"] is None else f"{r['written']:.1f}",
                        str(r["status"]),
                        str(r["gap"]),
                        str(r["code"]),
                        "met" if ok else "MISSED",
                    )
    console.print(table)
    raise SystemExit(1 if missed else 0)


if __name__ == "__main__":
    main()
