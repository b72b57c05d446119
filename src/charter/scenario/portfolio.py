"""Offers and workloads of a scenario folder: read from YAML, CSV or Parquet, every error
located, and checked.

``offers.yaml`` / ``workloads.yaml`` hold lists of entries. For large portfolios the same
fields may come as ``offers.csv`` / ``workloads.csv`` or as ``.parquet`` files; reading them
into validated entries is :mod:`charter.scenario.entries`'s. Errors name the file and, for YAML,
the line and ``[entry].field``; for CSV, the line in the file (the header is line 1) and the
column; for Parquet, ``[row].column``.

This module checks what the entries refer to (providers, parties, kinds, segments, months)
and, with the offers given, that every workload fits some offer by the planner's rule
(:mod:`charter.scenario.fit`): an offer of one of its ``families``, in one of its
``regions`` (if it lists any), carrying all of its ``compliance`` tags. The messages' wording
(valid values, "did you mean") is :mod:`charter.scenario.messages`'s.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from charter.model import OfferSpec, ScenarioMeta, WorkloadSpec
from charter.periods import Period
from charter.scenario.entries import Source, read_entries
from charter.scenario.fit import check_fit
from charter.scenario.messages import unknown
from charter.vocab import API_MODES, WORKLOAD_KINDS

__all__ = ["read_offers", "read_workloads"]


# ----------------------------------------------------------------------------- checks
def _check(src: Source, i: int, field: str, value: Any, valid: Collection[str], what: str) -> None:
    if value is not None and value not in valid:
        raise src.error(i, (field,), unknown(what, value, valid))


def _period(src: Source, i: int, field: str, text: str) -> Period:
    try:
        p = Period.parse(text)
    except Exception as exc:  # RequestError → located ScenarioError
        raise src.error(i, (field,), str(exc)) from None
    if p.days > 31:
        raise src.error(i, (field,), f"plans are monthly: give a month like 2026-07, got {text!r}")
    return p


# ----------------------------------------------------------------------------- offers
def _read_offers(folder: Path, providers: set[str]) -> tuple[tuple[OfferSpec, ...], Source]:
    offers, src = read_entries(folder, "offers", OfferSpec)
    seen: set[str] = set()
    for i, o in enumerate(offers):
        _check(src, i, "provider", o.provider, providers, "provider")
        if o.id in seen:
            raise src.error(i, ("id",), f"duplicate offer id {o.id!r}")
        seen.add(o.id)
        for key in o.capacity_by_period:
            _period(src, i, "capacity_by_period", key)
    return offers, src


def read_offers(folder: Path, providers: set[str]) -> tuple[OfferSpec, ...]:
    """Offers of a scenario folder (none if it has no offers file)."""
    return _read_offers(folder, providers)[0]


# ----------------------------------------------------------------------------- workloads
def read_workloads(
    folder: Path,
    parties: set[str],
    meta: ScenarioMeta,
    offers: tuple[OfferSpec, ...] | None = None,
) -> tuple[WorkloadSpec, ...]:
    """Workloads of a scenario folder (none if it has no workloads file).

    Args:
        offers: when given, every workload must fit one of them
            (:func:`~charter.scenario.fit.fit_problem`).
    """
    workloads, src = read_entries(folder, "workloads", WorkloadSpec)
    seen: set[str] = set()
    for i, w in enumerate(workloads):
        if w.id in seen:
            raise src.error(i, ("id",), f"duplicate workload id {w.id!r}")
        seen.add(w.id)
        _check(src, i, "owner", w.owner, parties, "party")
        _check(src, i, "codeveloped_with", w.codeveloped_with, parties, "party")
        _check(src, i, "kind", w.kind, WORKLOAD_KINDS, "workload kind")
        _check(src, i, "segment", w.segment, set(meta.segments), "segment")
        _check(src, i, "api", w.api, API_MODES, "api style")
        if w.owner is None and meta.plan is None:
            raise src.error(
                i, ("owner",), "workload has no owner and scenario.yaml has no plan.party"
            )
        start = _period(src, i, "start", w.start)
        end = _period(src, i, "end", w.end)
        if end < start:
            raise src.error(i, ("end",), f"end {w.end} is before start {w.start}")
        for key in w.demand_by_period:
            _period(src, i, "demand_by_period", key)
    if offers is not None:
        check_fit(src, workloads, offers)
    return workloads
