"""Versions of a scenario's agreements: as amended through a date, or with a draft amendment.

A *version* is what the agreements say once every amendment up to a date is signed and none
after it: the scenario with later amendments left out. Its clauses run on by their own terms
(a clause that ends on an event still ends on it), which is what a party compares when it
asks what signing the next amendment changes. Versions are named by an amendment's date
(``2026-04-27``) or by position (``V1`` the first amendment date of the scenario, ``V5`` the
fifth); ``latest`` is the last and ``previous`` the one before it.

A *draft* is an amendment that is not in the scenario yet, in its own YAML file written
exactly like one entry of an agreement's ``amendments:``, plus ``agreement: ID`` when the
scenario has more than one agreement. It is validated like the scenario's own files, every
error naming the draft's file, line and field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from charter.errors import RequestError, ScenarioError
from charter.model import AgreementSpec, AmendmentSpec
from charter.scenario import Scenario
from charter.scenario.loader import _check_kinds, _read_agreements, _validate
from charter.scenario.references import References
from charter.scenario.yamlio import Located, PathKey, read_yaml

__all__ = ["Version", "amendment_dates", "resolve_version", "with_draft"]


@dataclass(frozen=True)
class Version:
    """One side of a comparison: its label (``V4``, or the draft's file name), the date it
    takes effect and its scenario."""

    label: str
    date: dt.date
    scenario: Scenario
    #: the draft file it adds, if it is a draft
    draft: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "date": self.date.isoformat(), "draft": self.draft}


def amendment_dates(s: Scenario) -> tuple[dt.date, ...]:
    """Every amendment date of the scenario, in order (shared dates once)."""
    return tuple(sorted({am.date for ag in s.data.agreements for am in ag.amendments}))


def _through(s: Scenario, day: dt.date) -> Scenario:
    """The scenario with only the amendments dated ``day`` or earlier."""
    ags = tuple(
        ag.model_copy(update={"amendments": tuple(a for a in ag.amendments if a.date <= day)})
        for ag in s.data.agreements
    )
    kept = tuple(ag for ag in ags if ag.amendments)
    return Scenario(replace(s.data, agreements=kept))


def resolve_version(s: Scenario, name: str, *, option: str = "--from") -> Version:
    """The version ``name`` names: an amendment date, ``V<n>``, ``latest`` or ``previous``.

    Raises:
        RequestError: naming the option and the versions there are.
    """
    dates = amendment_dates(s)
    text = name.strip()
    day: dt.date | None = None
    if text.lower() == "latest":
        day = dates[-1]
    elif text.lower() == "previous" and len(dates) > 1:
        day = dates[-2]
    elif text[:1] in "vV" and text[1:].isdigit():
        n = int(text[1:])
        if 1 <= n <= len(dates):
            day = dates[n - 1]
    else:
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            day = None
        if day is not None and day not in dates:
            day = None
    if day is None:
        known = ", ".join(f"V{i} = {d.isoformat()}" for i, d in enumerate(dates, 1))
        raise RequestError(
            f"{option}: {name!r} is not a version of {s.name}; name an amendment date or "
            f"V1..V{len(dates)} ({known}), latest or previous"
        )
    label = f"V{dates.index(day) + 1}"
    return Version(label, day, _through(s, day))


class _Shifted(Located):
    """The draft's document seen under a prefix (as ``amendments[N]`` of an agreement, or
    as entry 0 of a list): paths under the prefix are reported as the draft's own fields, on
    the draft's lines."""

    def __init__(self, draft: Located, data: Any, prefix: PathKey) -> None:
        super().__init__(draft.file, data, {})
        self.draft = draft
        self.prefix = prefix

    def _inner(self, path: PathKey) -> PathKey:
        n = len(self.prefix)
        return path[n:] if path[:n] == self.prefix else ()

    def line_of(self, path: PathKey) -> int | None:
        return self.draft.line_of(self._inner(path))

    def error(self, path: PathKey, message: str) -> ScenarioError:
        return self.draft.error(self._inner(path), message)


def with_draft(s: Scenario, base: Version, path: Path) -> Version:
    """``base`` with the draft amendment of the file at ``path`` signed after it.

    Raises:
        ScenarioError: the draft's first problem, with its file, line and field.
    """
    display = path.name
    if not path.is_file():
        raise ScenarioError("draft amendment file not found", file=display)
    doc = read_yaml(path, display)
    if not isinstance(doc.data, dict):
        raise doc.error((), "expected one amendment: a mapping with date, title and sources")
    raw = dict(doc.data)
    ags = base.scenario.data.agreements
    target = raw.pop("agreement", None)
    ids = [ag.id for ag in ags]
    if target is None:
        if len(ags) != 1:
            raise doc.error(
                (), f"say which agreement it amends: agreement: one of {', '.join(ids)}"
            )
        target = ids[0]
    elif target not in ids:
        raise doc.error(("agreement",), f"unknown agreement {target!r}; valid: {', '.join(ids)}")
    bare = Located(doc.file, raw, doc.lines)
    _check_kinds(_Shifted(doc, [raw], (0,)), [raw], ())
    amendment = _validate(bare, TypeAdapter(AmendmentSpec), vocab=s.vocabulary)
    k = ids.index(target)
    old = ags[k]
    if amendment.date <= old.amendments[-1].date:
        raise doc.error(
            ("date",),
            f"a draft must come after the version it amends: {amendment.date} is not after "
            f"{old.amendments[-1].date}",
        )
    for j, cl in enumerate(amendment.clauses):
        where = s.data.locations.get(cl.id)
        if where is not None:
            file, line = where
            raise doc.error(
                ("clauses", j, "id"), f"duplicate clause id {cl.id!r} (first at {file}:{line})"
            )
    new = old.model_copy(update={"amendments": (*old.amendments, amendment)})
    agreements = (*ags[:k], new, *ags[k + 1 :])
    _check_references(s, agreements, target, raw, doc)
    data = replace(base.scenario.data, agreements=agreements)
    label = display
    return Version(label, amendment.date, Scenario(data), draft=display)


def _check_references(
    s: Scenario,
    agreements: tuple[AgreementSpec, ...],
    target: str,
    raw: dict[str, Any],
    draft: Located,
) -> None:
    """Every cross-reference of the draft (parties, providers, events, clause ids, what it
    replaces, removes and narrows), checked against the version it amends: the agreement
    files are read again, cut to the version's amendments, the draft placed last."""
    data = s.data
    checker = References({}, data.meta, data.parties, data.providers, data.events, s.vocabulary)
    docs, read = _read_agreements(data.folder, s.vocabulary)
    doc_of = {ag.id: d for d, ag in zip(docs, read, strict=True)}
    kept: list[Located] = []
    for ag in agreements:
        d = doc_of[ag.id]
        if ag.id == target:
            n = len(ag.amendments) - 1
            trimmed = {**d.data, "amendments": [*d.data["amendments"][:n], raw]}
            kept.append(_Shifted(draft, trimmed, ("amendments", n)))
        else:
            trimmed = {**d.data, "amendments": d.data["amendments"][: len(ag.amendments)]}
            kept.append(Located(d.file, trimmed, d.lines))
    checker.check(kept, list(agreements))
