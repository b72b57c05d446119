"""Whether a workload can ever fit an offer, by the planner's static rule, and why not: the
field to blame and a reason naming what the offers do have."""

from __future__ import annotations

from typing import Any

from charter.model import OfferSpec, WorkloadSpec
from charter.scenario.entries import Source
from charter.scenario.messages import did_you_mean, listing, plain, quoted

__all__ = ["check_fit", "fit_problem"]


def check_fit(
    src: Source, workloads: tuple[WorkloadSpec, ...], offers: tuple[OfferSpec, ...]
) -> None:
    """Raise at the first workload no offer can ever take (workloads that ask alike are
    judged once)."""
    by_family: dict[str, list[OfferSpec]] = {}
    for o in offers:
        by_family.setdefault(o.family, []).append(o)
    memo: dict[tuple[Any, ...], tuple[str, str] | None] = {}
    for i, w in enumerate(workloads):
        key = (w.families, w.regions, w.compliance)
        if key not in memo:
            memo[key] = fit_problem(w, by_family)
        problem = memo[key]
        if problem is not None:
            field, why = problem
            raise src.error(i, (field,), f"workload {w.id!r} fits no offer: {why}")


def fit_problem(w: WorkloadSpec, by_family: dict[str, list[OfferSpec]]) -> tuple[str, str] | None:
    """Why no offer can ever take ``w`` (the field to blame and the reason), or None.

    The planner's static filter (:mod:`charter.planner.problem`): an offer of one of the
    workload's families, in one of its regions if it lists any, carrying all its compliance
    tags. Each field is judged among the offers the fields before it leave.
    """
    fams = [f for f in w.families if f in by_family]
    if not fams:
        if not by_family:
            return "families", "the scenario has no offers (offers.yaml, .csv or .parquet)"
        return "families", (
            f"no offer has accelerator family {quoted(w.families)}"
            f"{did_you_mean(w.families, by_family)}; the offers' families are: "
            f"{listing(by_family)}"
        )
    cands = [o for f in fams for o in by_family[f]]
    of = f"of family {plain(fams)}"
    if w.regions:
        inside = [o for o in cands if o.region in w.regions]
        if not inside:
            regions = {o.region for o in cands}
            return "regions", (
                f"no offer {of} is in region {quoted(w.regions)}"
                f"{did_you_mean(w.regions, regions)}; offers {of} are in: {listing(regions)}"
            )
        cands = inside
        of += f" in region {plain(sorted({o.region for o in inside}))}"
    need = set(w.compliance)
    if need and not any(need <= set(o.compliance) for o in cands):
        tags = {t for o in cands for t in o.compliance}
        missing = sorted(need - tags)
        if missing:
            everywhere = {t for os in by_family.values() for o in os for t in o.compliance}
            elsewhere = [t for t in missing if t in everywhere]
            verb = "is" if len(elsewhere) == 1 else "are"
            also = (
                f"; {quoted(elsewhere, 'and')} {verb} only on offers of other families or regions"
                if elsewhere
                else ""
            )
            on = (
                f"the tags on offers {of} are: {listing(tags)}"
                if tags
                else f"offers {of} carry no compliance tags"
            )
            return "compliance", (
                f"no offer {of} carries compliance tag{'s' if len(missing) > 1 else ''} "
                f"{quoted(missing, 'and')}"
                f"{did_you_mean(missing, tags)}{also}; {on}"
            )
        sets = sorted({", ".join(sorted(need & set(o.compliance))) for o in cands} - {""})
        return "compliance", (
            f"no single offer {of} carries all of {quoted(sorted(need), 'and')}; those offers "
            f"carry only: {'; '.join(sets)}"
        )
    return None
