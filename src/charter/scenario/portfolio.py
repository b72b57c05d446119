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

import difflib
from collections.abc import Collection
from pathlib import Path
from typing import Any

from charter.model import OfferSpec, ScenarioMeta, WorkloadSpec
from charter.periods import Period
from charter.scenario.entries import Source, read_entries
from charter.scenario.fit import check_fit
from charter.scenario.messages import unknown
from charter.vocab import BASE, AttrType, Vocabulary

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
    vocab: Vocabulary = BASE,
) -> tuple[WorkloadSpec, ...]:
    """Workloads of a scenario folder (none if it has no workloads file).

    Args:
        offers: when given, every workload must fit one of them
            (:func:`~charter.scenario.fit.fit_problem`).
        vocab: the scenario's vocabulary, which a workload's ``attributes`` must be in.
    """
    workloads, src = read_entries(folder, "workloads", WorkloadSpec)
    workloads = tuple(_attributes(src, i, w, vocab, parties, meta) for i, w in enumerate(workloads))
    seen: set[str] = set()
    for i, w in enumerate(workloads):
        if w.id in seen:
            raise src.error(i, ("id",), f"duplicate workload id {w.id!r}")
        seen.add(w.id)
        _check(src, i, "owner", w.owner, parties, "party")
        _check(src, i, "codeveloped_with", w.codeveloped_with, parties, "party")
        _check(src, i, "kind", w.kind, vocab.values("kind"), "workload kind")
        _check(src, i, "segment", w.segment, set(meta.segments), "segment")
        _check(src, i, "api", w.api, vocab.values("api"), "api style")
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


#: Attributes a workload cannot set in ``attributes``: its placement and the action say them.
_PLACED = frozenset({"action", "provider", "provider_owner"})


def _attributes(
    src: Source,
    i: int,
    w: WorkloadSpec,
    vocab: Vocabulary,
    parties: set[str],
    meta: ScenarioMeta,
) -> WorkloadSpec:
    """``w`` with its ``attributes`` checked against the vocabulary (CSV's ``true``/``false``
    read as bools)."""
    if not w.attributes:
        return w
    settable = [
        a for a in vocab.attributes if a not in _PLACED and a not in WorkloadSpec.model_fields
    ]
    out: dict[str, bool | str] = {}
    for name, value in w.attributes.items():
        path = ("attributes", name)
        if name not in settable:
            close = difflib.get_close_matches(name, settable, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            why = (
                "is set by the workload's own field or its placement"
                if name in vocab.attributes
                else "is not declared (vocabulary.yaml)"
            )
            raise src.error(
                i, path, f"attribute {name!r} {why}{hint}; valid: {', '.join(settable)}"
            )
        attr = vocab.attributes[name]
        if attr.type == AttrType.BOOL:
            if isinstance(value, str) and value.lower() in ("true", "false"):
                value = value.lower() == "true"
            if not isinstance(value, bool):
                raise src.error(i, path, f"{name!r} takes true or false, got {value!r}")
        elif not isinstance(value, str):
            raise src.error(i, path, f"{name!r} takes a name, got {value!r}")
        else:
            valid = {
                AttrType.ENUM: attr.values,
                AttrType.PARTY: tuple(parties),
                AttrType.SEGMENT: meta.segments,
            }.get(attr.type)
            if valid is not None and value not in valid:
                raise src.error(i, path, unknown(name.replace("_", " "), value, valid))
        out[name] = value
    return w.model_copy(update={"attributes": out})
