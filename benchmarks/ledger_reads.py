"""How the ledger's reads grow with the ledger: each read at N events against a full scan.

Builds a ledger of ``--events`` spend records (one payer, one provider: the worst case for
a burn-down, which once summed every record) on a temporary SQLite file or at ``--db``, then
times each read the service answers, best of ``--repeat``, beside the baseline measured in
the same run: reading and parsing every event, which is what the ledger page, the burn-down
and the proofs did before the read indexes (charter.ledger.projections). Run it as
``python -m benchmarks.ledger_reads [--events 20000] [--db URL]`` or ``make bench-service``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from charter.ledger.commitments import burn_down
from charter.ledger.feed import LedgerChecks, list_events, proof, verify_chain
from charter.ledger.rofr import list_requests
from charter.ledger.store import Store
from charter.service.policy import Caller

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
PAYEE = Caller("microsoft", "viewer")


def _fill(store: Store, n: int) -> None:
    """``n`` spend records, in batches of 1,000 (one transaction each), with progress."""
    done = 0
    while done < n:
        with store.db.writing() as s:
            for _ in range(min(1000, n - done)):
                store.ledger.append(
                    s,
                    kind="spend.recorded",
                    actor="openai",
                    audience=["openai", "microsoft"],
                    payload={
                        "provider": "azure",
                        "billed_cost": "100.5",
                        "effective_cost": None,
                        "currency": "USD",
                        "period_start": "2026-01-01",
                        "period_end": "2026-01-31",
                        "rate_to_commitment": None,
                    },
                    at=NOW,
                )
                done += 1
        print(f"\r  appended {done:,}/{n:,}", end="", flush=True)
    print()


def _best(f: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--db", help="a database URL (default: a temporary SQLite file)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    store = Store.open(url, "microsoft-openai", check_schema=False)
    store.db.create_schema_if_empty()
    print(f"ledger of {args.events:,} spend records on {store.db.shown_url}")
    _fill(store, args.events)
    bystander = Caller("google", "viewer")

    def scan() -> None:
        with store.db.reader() as s:
            for _ in store.ledger.events(s):
                pass

    newest = args.events - 100
    checks = LedgerChecks(ttl=60)
    checks.result(store, PAYEE)  # the first call verifies in full
    reads: list[tuple[str, Callable[[], Any]]] = [
        ("baseline: read and parse every event", scan),
        ("ledger page of a party that sees nothing", lambda: list_events(store, caller=bystander)),
        ("ledger page, the newest 100", lambda: list_events(store, caller=PAYEE, after=newest)),
        ("commitment burn-down", lambda: burn_down(store, caller=PAYEE, now=NOW)),
        ("ROFR inbox", lambda: list_requests(store, caller=PAYEE, now=NOW)),
        ("proof (consistency and inclusion)", lambda: proof(store, old=5, seq=7)),
        ("service verify, reused within its ttl", lambda: checks.result(store, PAYEE)),
        ("verify in full, the head's signature", lambda: verify_chain(store, signatures="head")),
        ("verify in full, every signature", lambda: verify_chain(store)),
    ]
    base = 0.0
    print(f"{'read':<46} {'best ms':>10} {'÷ baseline':>11}")
    for name, f in reads:
        took = _best(f, args.repeat)
        base = base or took
        print(f"{name:<46} {took * 1000:>10.1f} {took / base:>11.3f}")
    store.close()


if __name__ == "__main__":
    main()
