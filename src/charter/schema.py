"""The JSON Schema of the scenario files, as ``charter schema`` prints it, and the column
tables of the offers and workloads files the README shows.

Selectors (``where``, ``exclude``, ``beyond``) and ends (``until``) appear in every clause
kind; the schema states each once under ``$defs`` (``Selector``, ``Where``, ``Until`` and
the attribute matches) and refers to it, instead of repeating it inline.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import types
import typing
from enum import Enum
from typing import Any

from pydantic import BaseModel, TypeAdapter

from charter.clauses.base import UntilField, WhereField, selector_schema
from charter.model import (
    AgreementSpec,
    BriefingQuestion,
    EventSpec,
    OfferSpec,
    PartySpec,
    ProviderSpec,
    ScenarioMeta,
    WorkloadSpec,
)
from charter.vocab import Vocabulary, VocabularySpec

__all__ = ["column_rows", "column_table", "scenario_schema"]

_PORTFOLIO = (
    "{what}; the same fields may come as {stem}.csv (a header row of these names; lists "
    "separated by ';', e.g. h100;gb200; per-month maps as 2026-01=1000;2026-02=1200) or as "
    "{stem}.parquet"
)
_FILES: dict[str, tuple[Any, str]] = {
    "scenario.yaml": (ScenarioMeta, "what the scenario is, and its plan defaults"),
    "parties.yaml": (list[PartySpec], "the organizations"),
    "providers.yaml": (list[ProviderSpec], "compute brands, each owned by a party"),
    "events.yaml": (list[EventSpec], "named occurrences clauses may depend on"),
    "vocabulary.yaml": (
        VocabularySpec,
        "actions and request attributes the scenario adds to charter's generic vocabulary",
    ),
    "agreements.yaml": (
        AgreementSpec,
        "one agreement and its amendments (agreements/NAME.yaml files take the same shape)",
    ),
    "briefing.yaml": (list[BriefingQuestion], "questions `charter brief` asks"),
    "offers.yaml": (
        list[OfferSpec],
        _PORTFOLIO.format(what="capacity the planner may use", stem="offers"),
    ),
    "workloads.yaml": (
        list[WorkloadSpec],
        _PORTFOLIO.format(what="what the planner places, month by month", stem="workloads"),
    ),
}


def scenario_schema(vocab: Vocabulary | None = None) -> dict[str, Any]:
    """One JSON Schema document describing every file of a scenario folder whose vocabulary
    is ``vocab`` (the selectors' attributes and values are its); by default the bundled
    default scenario's, as ``charter schema`` prints it without a scenario."""
    if vocab is None:
        from charter.scenario import resolve_scenario
        from charter.scenario.loader import read_vocabulary

        vocab = read_vocabulary(resolve_scenario(None))
    defs: dict[str, Any] = {}
    props: dict[str, Any] = {}
    for name, (tp, description) in _FILES.items():
        schema = TypeAdapter(tp).json_schema(ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        props[name] = {"description": description, **schema}
    doc = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "charter scenario folder",
        "description": (
            "A scenario is a folder of YAML files; each property below is one file. "
            "agreements/NAME.yaml files take the same shape as agreements.yaml."
        ),
        "type": "object",
        "properties": props,
        "required": ["scenario.yaml", "parties.yaml", "providers.yaml"],
        "$defs": defs,
    }
    return _compact(doc, vocab)


# ----------------------------------------------------------------------------- compacting
def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _replace(node: Any, target: dict[str, Any], name: str) -> Any:
    """``node`` with every object that holds ``target`` (its description aside) turned into a
    reference to ``$defs/name``, keeping the object's own other keys."""
    if isinstance(node, list):
        return [_replace(v, target, name) for v in node]
    if not isinstance(node, dict):
        return node
    if all(k in node and node[k] == v for k, v in target.items() if k != "description"):
        rest = {
            k: v
            for k, v in node.items()
            if k not in target or (k == "description" and v != target.get(k))
        }
        return {**_ref(name), **rest}
    return {k: _replace(v, target, name) for k, v in node.items()}


def _compact(doc: dict[str, Any], vocab: Vocabulary) -> dict[str, Any]:
    where = TypeAdapter(WhereField).json_schema()
    until = TypeAdapter(UntilField).json_schema()
    selector = where["anyOf"][0]
    assert selector.get("type") == "object", "WhereField's first alternative is one selector"
    shared = {"Where": where, "Until": until}
    for name, target in shared.items():
        doc = _replace(doc, target, name)
    defs = doc["$defs"]
    for name, target in shared.items():
        defs[name] = _replace(copy.deepcopy(target), selector, "Selector")
    doc = _replace(doc, selector, "Selector")
    defs = doc["$defs"]
    defs["Selector"] = _selector_def(selector_schema(vocab), defs)
    doc["$defs"] = dict(sorted(defs.items()))
    out: dict[str, Any] = _untitled(doc)
    return out


def _untitled(node: Any) -> Any:
    """``node`` without the titles pydantic derives from field names (``"title": "Until"``
    on ``until``): they repeat the property's name."""
    if isinstance(node, list):
        return [_untitled(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _untitled(v) for k, v in node.items()}
    props = out.get("properties")
    if isinstance(props, dict):
        for name, prop in props.items():
            if isinstance(prop, dict) and prop.get("title") == name.title().replace("_", " "):
                del prop["title"]
    return out


def _selector_def(selector: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """The selector's attributes, each match that several attributes share stated once."""
    by_match: dict[str, list[str]] = {}
    for attr, prop in selector["properties"].items():
        by_match.setdefault(json.dumps(prop.get("anyOf"), sort_keys=True), []).append(attr)
    props: dict[str, Any] = {}
    for attr, prop in selector["properties"].items():
        key = json.dumps(prop.get("anyOf"), sort_keys=True)
        if len(by_match[key]) < 2:
            props[attr] = prop
            continue
        scalar = prop["anyOf"][0]
        name = "BoolMatch" if scalar.get("type") == "boolean" else "TextMatch"
        if "enum" in scalar:
            name = "".join(p.title() for p in by_match[key][0].split("_")) + "Match"
        defs[name] = {
            "description": "a value or list (one of), {not: [...]} (none of) or {exists: bool}",
            "anyOf": prop["anyOf"],
        }
        props[attr] = {**_ref(name), **{k: v for k, v in prop.items() if k != "anyOf"}}
    return {**selector, "properties": props}


# ----------------------------------------------------------------------------- columns
def _type_name(annotation: Any, extra: Any) -> str:
    if isinstance(extra, dict) and extra.get("format") == "month":
        return "month"
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a, None) for a in args)
    if origin is tuple:
        return f"list of {_type_name(args[0], None)}"
    if origin is dict:
        key = "month" if args[1] is float else "name"
        return f"{key} → {_type_name(args[1], None)}"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        values = [str(m.value) for m in annotation]
        return f"{', '.join(values[:-1])} or {values[-1]}"
    names = {str: "text", float: "number", int: "integer", bool: "true/false", dt.date: "date"}
    return names.get(annotation, str(annotation))


def _csv_text(value: Any) -> str:
    """A value as a CSV cell holds it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, list | tuple):
        return ";".join(_csv_text(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}={_csv_text(v)}" for k, v in value.items())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def column_rows(model: type[BaseModel]) -> list[dict[str, str]]:
    """Column, type, default, example (as a CSV cell) and description of every field."""
    rows = []
    for name, f in model.model_fields.items():
        if f.is_required():
            default = "required"
        elif f.default_factory is not None or f.default == ():
            default = "empty"
        elif f.default is None:
            default = "none"
        else:
            default = _csv_text(f.default)
        rows.append(
            {
                "column": name,
                "type": _type_name(f.annotation, f.json_schema_extra),
                "default": default,
                "example": _csv_text(f.examples[0]) if f.examples else "",
                "description": f.description or "",
            }
        )
    return rows


def column_table(model: type[BaseModel]) -> str:
    """The README's markdown table of a portfolio file's columns."""
    lines = [
        "| column | type | default | example | description |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in column_rows(model):
        example = f"`{r['example']}`" if r["example"] else ""
        lines.append(
            f"| `{r['column']}` | {r['type']} | {r['default']} | {example} | {r['description']} |"
        )
    return "\n".join(lines) + "\n"
