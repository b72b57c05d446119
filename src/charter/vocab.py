"""The vocabulary of requests, declared as data: actions, request attributes and their values.

The engine's generic base is ``charter/vocabulary.yaml`` (:data:`BASE`); a scenario extends it
with a ``vocabulary.yaml`` of the same shape (:func:`extend`). One :class:`Vocabulary` then
feeds the request type, the encoder, selector parsing, the HTTP and JSON schemas, the CLI and
the planner's request columns. Nothing here names a scenario's words.

Extending: a new action or attribute is added; a base attribute named again may add values
(an enum) and a description, nothing else. Order: the base entries the scenario does not name,
then the scenario's entries in its order (naming a base entry again places it there).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "ACTIONS",
    "API_MODES",
    "ARTIFACT_KINDS",
    "ATTRIBUTES",
    "BASE",
    "PURPOSES",
    "WORKLOAD_KINDS",
    "Action",
    "ActionDecl",
    "AttrType",
    "Attribute",
    "AttributeDecl",
    "Default",
    "Vocabulary",
    "VocabularyError",
    "VocabularySpec",
    "extend",
]


class Default(StrEnum):
    """What an action's verdict is when no clause speaks to it."""

    ALLOW = "allow"
    DENY = "deny"


class AttrType(StrEnum):
    """How an attribute's values are checked and encoded."""

    PARTY = "party"
    PROVIDER = "provider"
    ENUM = "enum"
    SEGMENT = "segment"
    TEXT = "text"
    BOOL = "bool"


# ----------------------------------------------------------------------------- the file
class _Decl(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ActionDecl(_Decl):
    """One entry of ``actions:`` in a vocabulary file."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]*$", description="e.g. resell-capacity")
    default: Default | None = Field(
        None, description="the verdict when no clause speaks (a new action: allow if omitted)"
    )
    describe: str = Field("", description="what the action is, in a few words")
    requires: tuple[str, ...] = Field((), description="attributes a request must give")
    label: dict[str, str] = Field(
        default_factory=dict, description="describe in other languages: {de: ...}"
    )


class AttributeDecl(_Decl):
    """One entry of ``attributes:`` in a vocabulary file."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="e.g. data_residency")
    type: AttrType | None = Field(None, description="required for a new attribute")
    values: tuple[str, ...] = Field((), description="enum: the valid values (added to the base)")
    default: bool | str | None = Field(None, description="the value of a request that omits it")
    describe: str = Field("", description="what the attribute says, in a few words")
    option: str | None = Field(
        None, pattern=r"^[a-z][a-z0-9-]*$", description="CLI option name (default: the name)"
    )
    negative: str | None = Field(
        None, pattern=r"^[a-z][a-z0-9-]*$", description="bool: the CLI option that sets false"
    )
    label: dict[str, str] = Field(
        default_factory=dict,
        description="the attribute named in words, by language: {en: API style, de: API-Stil}",
    )
    phrases: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description=(
            "by language, a value in words as a selector matching it reads: "
            "{en: {stateless: stateless API calls}}; a bool's values are true and false, "
            "exists: true|false are present and absent"
        ),
    )

    @field_validator("phrases", mode="before")
    @classmethod
    def _phrase_keys(cls, v: Any) -> Any:
        """YAML reads ``true:`` as a bool key; a phrase is keyed by the value's text."""
        if isinstance(v, Mapping):
            return {
                lang: {str(k).lower() if isinstance(k, bool) else k: p for k, p in m.items()}
                if isinstance(m, Mapping)
                else m
                for lang, m in v.items()
            }
        return v


class VocabularySpec(_Decl):
    """A vocabulary file (``vocabulary.yaml``): actions and attributes."""

    actions: tuple[ActionDecl, ...] = ()
    attributes: tuple[AttributeDecl, ...] = ()


# ----------------------------------------------------------------------------- the value
@dataclass(frozen=True)
class Action:
    """An action a principal may take, with its default verdict and a plain description."""

    name: str
    default: Default
    describe: str
    requires: tuple[str, ...] = ()
    label: Mapping[str, str] = field(default_factory=dict, hash=False)

    def describe_in(self, lang: str) -> str:
        """What the action is, in ``lang`` (English if the vocabulary has no words for it)."""
        return self.label.get(lang) or self.describe


@dataclass(frozen=True)
class Attribute:
    """A request attribute that selectors may match on."""

    name: str
    type: AttrType
    values: tuple[str, ...] = ()
    describe: str = ""
    default: bool | str | None = None
    option: str = ""  # the CLI option, without dashes
    negative: str | None = None  # bool: the CLI option that sets it false
    label: Mapping[str, str] = field(default_factory=dict, hash=False)  # lang -> in words
    phrases: Mapping[str, Mapping[str, str]] = field(default_factory=dict, hash=False)

    def label_in(self, lang: str) -> str:
        """The attribute in words: its label in ``lang``, else in English, else its name."""
        return self.label.get(lang) or self.label.get("en") or self.name.replace("_", " ")

    def phrase(self, lang: str, value: str) -> str | None:
        """A value in words (``true``/``false`` for a bool, ``present``/``absent`` for
        exists), or None if the vocabulary gives none in ``lang``."""
        return self.phrases.get(lang, {}).get(value)

    @property
    def flag(self) -> str:
        return f"--{self.option or self.name.replace('_', '-')}"


@dataclass(frozen=True)
class Vocabulary:
    """Actions and attributes of one scenario (the base merged with its own)."""

    actions: Mapping[str, Action]
    attributes: Mapping[str, Attribute]

    def values(self, name: str) -> tuple[str, ...]:
        """The declared values of an attribute (empty for names and free text)."""
        return self.attributes[name].values

    def new_names(self, base: Vocabulary) -> tuple[str, ...]:
        """Actions, attributes and values this vocabulary declares that ``base`` does not."""
        out = [a for a in self.actions if a not in base.actions]
        for name, attr in self.attributes.items():
            known = base.attributes.get(name)
            if known is None:
                out.append(name)
            out += [v for v in attr.values if known is None or v not in known.values]
        return tuple(dict.fromkeys(out))


class VocabularyError(ValueError):
    """A vocabulary file entry is invalid; ``path`` locates it in the file."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def _ordered(base: Mapping[str, Any], named: list[str]) -> list[str]:
    return [*(n for n in base if n not in named), *named]


def _check_default(attr: Attribute, where: tuple[str | int, ...]) -> None:
    d = attr.default
    if d is None:
        return
    if attr.type == AttrType.BOOL:
        ok, want = isinstance(d, bool), "true, false or null"
    elif attr.type == AttrType.ENUM:
        ok, want = isinstance(d, str) and d in attr.values, f"one of: {', '.join(attr.values)}"
    elif attr.type == AttrType.TEXT:
        ok, want = isinstance(d, str), "a text"
    else:
        ok, want = False, "null (a name of the scenario cannot be a default)"
    if not ok:
        raise VocabularyError((*where, "default"), f"bad default {d!r} for {attr.name!r}: {want}")


def _attribute(
    decl: AttributeDecl, known: Attribute | None, where: tuple[str | int, ...]
) -> Attribute:
    if known is None:
        if decl.type is None:
            raise VocabularyError((*where, "type"), f"new attribute {decl.name!r} needs a type")
        attr = Attribute(
            decl.name,
            decl.type,
            decl.values,
            decl.describe,
            decl.default,
            decl.option or "",
            decl.negative,
            dict(decl.label),
            {k: dict(v) for k, v in decl.phrases.items()},
        )
        if decl.type == AttrType.ENUM and not decl.values and decl.name != "action":
            raise VocabularyError(
                (*where, "values"), f"enum attribute {decl.name!r} lists no values"
            )
        if decl.values and decl.type != AttrType.ENUM:
            raise VocabularyError((*where, "values"), "only an enum attribute lists values")
        if decl.negative and decl.type != AttrType.BOOL:
            raise VocabularyError((*where, "negative"), "only a bool attribute has a negative")
        _check_default(attr, where)
        return attr
    for fixed in ("default", "option", "negative"):
        if getattr(decl, fixed) is not None:
            raise VocabularyError(
                (*where, fixed), f"{decl.name!r} is a base attribute: its {fixed} is fixed"
            )
    if decl.type is not None and decl.type != known.type:
        raise VocabularyError(
            (*where, "type"), f"{decl.name!r} is a base attribute of type {known.type.value}"
        )
    if decl.values and (known.type != AttrType.ENUM or known.name == "action"):
        raise VocabularyError((*where, "values"), "only an enum attribute lists values")
    values = tuple(_ordered(dict.fromkeys(known.values), list(decl.values)))
    phrases = {k: dict(v) for k, v in known.phrases.items()}
    for lang, more in decl.phrases.items():
        phrases[lang] = {**phrases.get(lang, {}), **more}
    return replace(
        known,
        values=values,
        describe=decl.describe or known.describe,
        label={**known.label, **decl.label},
        phrases=phrases,
    )


def _unique(names: list[str], section: str) -> None:
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        if n in seen:
            raise VocabularyError(
                (section, i, "name"), f"duplicate name {n!r} (also {section}[{seen[n]}])"
            )
        seen[n] = i


def extend(base: Vocabulary, spec: VocabularySpec) -> Vocabulary:
    """``base`` extended by a vocabulary file.

    Raises:
        VocabularyError: a duplicate name, a new attribute without a type, a bad default, a
            base attribute changed, or an action requiring an undeclared attribute.
    """
    _unique([a.name for a in spec.actions], "actions")
    _unique([a.name for a in spec.attributes], "attributes")
    declared = {a.name: (i, a) for i, a in enumerate(spec.actions)}
    actions = {
        name: _action(declared[name], base.actions.get(name))
        if name in declared
        else base.actions[name]
        for name in _ordered(base.actions, list(declared))
    }
    attrs_decl = {a.name: (i, a) for i, a in enumerate(spec.attributes)}
    attributes: dict[str, Attribute] = {}
    for name in _ordered(base.attributes, list(attrs_decl)):
        if name not in attrs_decl:
            attributes[name] = base.attributes[name]
            continue
        i, decl = attrs_decl[name]
        attributes[name] = _attribute(decl, base.attributes.get(name), ("attributes", i))
    if "action" in attributes:
        attributes["action"] = replace(attributes["action"], values=tuple(actions))
    for i, a in enumerate(spec.actions):
        for k, req in enumerate(a.requires):
            if req not in attributes:
                raise VocabularyError(("actions", i, "requires", k), f"unknown attribute {req!r}")
    return Vocabulary(actions, attributes)


def _action(entry: tuple[int, ActionDecl], known: Action | None) -> Action:
    i, d = entry
    if known is None:
        return Action(d.name, d.default or Default.ALLOW, d.describe, d.requires, dict(d.label))
    if d.default is not None and d.default != known.default:
        raise VocabularyError(
            ("actions", i, "default"),
            f"{d.name!r} is a base action: its default is {known.default.value}",
        )
    requires = tuple(dict.fromkeys((*known.requires, *d.requires)))
    return replace(
        known,
        describe=d.describe or known.describe,
        requires=requires,
        label={**known.label, **d.label},
    )


def _load_base() -> Vocabulary:
    text = (resources.files("charter") / "vocabulary.yaml").read_text(encoding="utf-8")
    spec = VocabularySpec.model_validate(yaml.safe_load(text))
    return extend(Vocabulary({}, {}), spec)


#: The engine's generic vocabulary (``charter/vocabulary.yaml``).
BASE = _load_base()
#: The base's actions and attributes, and the value sets of its enum attributes.
ACTIONS: Mapping[str, Action] = BASE.actions
ATTRIBUTES: Mapping[str, Attribute] = BASE.attributes
WORKLOAD_KINDS = BASE.values("kind")
ARTIFACT_KINDS = BASE.values("artifact_kind")
API_MODES = BASE.values("api")
PURPOSES = BASE.values("purpose")
