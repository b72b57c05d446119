"""The field types clause files are written in: dates and events (``until``), selectors
(``where``) validated against the scenario's vocabulary, and translations; with the JSON
Schema each one contributes to ``charter schema``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema

from charter.dates import Until, describe_until, parse_until
from charter.selectors import Where, context_vocabulary, parse_selector, parse_where
from charter.vocab import BASE, Attribute, AttrType, Vocabulary

__all__ = [
    "SelectorField",
    "Translation",
    "Translations",
    "UntilField",
    "WhereField",
    "attribute_schema",
    "selector_schema",
]


def _until(value: Any) -> Until | None:
    return None if value is None else parse_until(value)


def _until_json(value: Until | None) -> Any:
    if value is None or isinstance(value, dt.date):
        return value
    return describe_until(value)


def attribute_schema(attr: Attribute) -> dict[str, Any]:
    """The JSON Schema of one value of an attribute."""
    if attr.type == AttrType.BOOL:
        return {"type": "boolean"}
    return {"enum": list(attr.values)} if attr.values else {"type": "string"}


def selector_schema(vocab: Vocabulary = BASE) -> dict[str, Any]:
    """The JSON Schema of one selector over ``vocab``'s attributes."""
    props: dict[str, Any] = {}
    for name, attr in vocab.attributes.items():
        scalar = attribute_schema(attr)
        props[name] = {
            "description": attr.describe,
            "anyOf": [
                scalar,
                {"type": "array", "items": scalar, "minItems": 1},
                {
                    "type": "object",
                    "properties": {"not": {"anyOf": [scalar, {"type": "array", "items": scalar}]}},
                    "required": ["not"],
                    "additionalProperties": False,
                },
                {
                    "type": "object",
                    "properties": {"exists": {"type": "boolean"}},
                    "required": ["exists"],
                    "additionalProperties": False,
                },
            ],
        }
    return {"type": "object", "properties": props, "additionalProperties": False}


_UNTIL_SCHEMA: dict[str, Any] = {
    "description": "a date (in force through it), {event: NAME} or {first_of: [...]}",
    "anyOf": [
        {"type": "string", "format": "date"},
        {
            "type": "object",
            "properties": {"event": {"type": "string"}},
            "required": ["event"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {"first_of": {"type": "array", "minItems": 1}},
            "required": ["first_of"],
            "additionalProperties": False,
        },
        {"type": "null"},
    ],
}

UntilField = Annotated[
    Until | None,
    BeforeValidator(_until),
    PlainSerializer(_until_json),
    WithJsonSchema(_UNTIL_SCHEMA),
]
WhereField = Annotated[
    Where,
    BeforeValidator(lambda v, info: parse_where(v, context_vocabulary(info.context))),
    PlainSerializer(lambda w: [s.describe() for s in w]),
    WithJsonSchema(
        {
            "description": "a selector, or a list of alternative selectors (any may match)",
            "anyOf": [
                selector_schema(),
                {"type": "array", "items": selector_schema(), "minItems": 1},
            ],
        }
    ),
]
SelectorField = Annotated[
    Any,
    BeforeValidator(
        lambda v, info: None if v is None else parse_selector(v, context_vocabulary(info.context))
    ),
    PlainSerializer(lambda s: None if s is None else s.describe()),
    WithJsonSchema({"anyOf": [selector_schema(), {"type": "null"}]}),
]


class Translation(BaseModel):
    """Text of a clause (or amendment, event ...) in another language."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str | None = None
    summary: str | None = None
    note: str | None = None
    criteria: str | None = None
    bound: str | None = None
    escape: str | None = None
    assumptions: tuple[str, ...] | None = None


#: Language code → translated texts, e.g. ``{de: {title: ..., summary: ...}}``.
Translations = dict[Annotated[str, Field(pattern=r"^[a-z]{2}$")], Translation]
