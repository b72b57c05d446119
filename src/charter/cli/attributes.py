"""``charter decide``'s attribute options, learnt from the scenario's vocabulary.

``decide`` defines only the options every question has (``--at``, ``--principal``,
``--action`` ...). Every other ``--OPTION`` is kept aside while Click parses
(:class:`AttributeCommand`) and read against the scenario's vocabulary once it is loaded
(:func:`attribute_values`): ``--provider NAME``, ``--artifact-kind model-weights``, the flags of
bool attributes (``--new-capacity``, a declared ``--negative`` form), and the generic
``--attr NAME=VALUE``. ``decide SCENARIO --help`` lists the scenario's attributes.
"""

from __future__ import annotations

import difflib
import textwrap
from collections.abc import Sequence
from typing import Any

from typer.core import TyperCommand

from charter.errors import CharterError, RequestError
from charter.vocab import Attribute, AttrType, Vocabulary

__all__ = ["AttributeCommand", "attribute_values"]

#: ctx.meta keys: the options kept aside, and the positional arguments seen
_EXTRA = "charter.attribute_options"
_POSITIONAL = "charter.positional"
#: attributes a request does not give as options: the action has its own, the owner is derived
_NOT_OPTIONS = frozenset({"action", "provider_owner"})

#: one option kept aside: its name, its value (None for a bare flag), and whether the value
#: is the next token (which a bool flag does not take: it is then a positional argument)
Kept = tuple[str, str | None, bool]


class AttributeCommand(TyperCommand):
    """A Typer command that keeps the options it does not define for the vocabulary."""

    # ctx and formatter are Typer's click Context and HelpFormatter (a private module)
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        known: set[str] = set()
        takes_value: set[str] = set()
        for p in self.get_params(ctx):
            if p.param_type_name == "option":
                known.update((*p.opts, *p.secondary_opts))
                if not getattr(p, "is_flag", False):
                    takes_value.update(p.opts)
        rest: list[str] = []
        kept: list[Kept] = []
        positional: list[str] = []
        i = 0
        while i < len(args):
            a = args[i]
            name, eq, value = a.partition("=")
            nxt = args[i + 1] if i + 1 < len(args) else None
            if a == "--":
                rest += args[i:]
                positional += args[i + 1 :]
                break
            if a.startswith("--") and name not in known:
                if eq:
                    kept.append((name, value, False))
                elif nxt is not None and not nxt.startswith("-"):
                    kept.append((name, nxt, True))
                    i += 1
                else:
                    kept.append((name, None, False))
            else:
                rest.append(a)
                if a in takes_value and nxt is not None:
                    rest.append(nxt)
                    i += 1
                elif not a.startswith("-"):
                    positional.append(a)
            i += 1
        ctx.meta[_EXTRA] = kept
        ctx.meta[_POSITIONAL] = positional
        out: list[str] = super().parse_args(ctx, rest)
        return out

    def format_help(self, ctx: Any, formatter: Any) -> None:
        super().format_help(ctx, formatter)
        formatter.write(_attributes_help(ctx.meta.get(_POSITIONAL, [])))


def _attributes_help(positional: Sequence[str]) -> str:
    from charter.scenario import resolve_scenario
    from charter.scenario.loader import read_vocabulary

    name = positional[0] if positional else None
    try:
        vocab = read_vocabulary(resolve_scenario(name))
    except CharterError as exc:
        return f"\n(no attributes listed: {exc})\n"
    lines = [
        "",
        f"Attributes of scenario {name or '(default)'} (also as --attr NAME=VALUE):",
    ]
    for attr in options(vocab):
        usage = _usage(attr)
        if len(usage) > 28:
            lines += [f"  {usage}", f"  {'':<28} {attr.describe}"]
        else:
            lines.append(f"  {usage:<28} {attr.describe}")
        if attr.values:
            pad = " " * 33
            text = f"one of: {', '.join(attr.values)}"
            lines += textwrap.wrap(
                text, 96, initial_indent=pad, subsequent_indent=pad, break_on_hyphens=False
            )
    lines.append(f"Actions: {', '.join(vocab.actions)}")
    return "\n".join(lines) + "\n"


def _usage(attr: Attribute) -> str:
    if attr.type == AttrType.BOOL:
        return attr.flag + (f" | --{attr.negative}" if attr.negative else "")
    return f"{attr.flag} {'VALUE' if attr.values else attr.type.value.upper()}"


def options(vocab: Vocabulary) -> list[Attribute]:
    """The attributes a ``decide`` request may give as options."""
    return [a for a in vocab.attributes.values() if a.name not in _NOT_OPTIONS]


def _parse(attr: Attribute, raw: str | None, shown: str) -> Any:
    if attr.type == AttrType.BOOL:
        if raw is None:
            return True
        if raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        raise RequestError(f"{shown}: expected true or false, got {raw!r}")
    if raw is None:
        raise RequestError(f"{shown} needs a value")
    if attr.values and raw not in attr.values:
        raise RequestError(
            f"{shown}: unknown value {raw!r}; valid values are: {', '.join(attr.values)}"
        )
    return raw


def _unknown(what: str, name: str, valid: Sequence[str]) -> RequestError:
    close = difflib.get_close_matches(name, valid, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return RequestError(
        f"no such {what} {name!r}{hint} (`charter decide SCENARIO --help` lists them)"
    )


def attribute_values(
    vocab: Vocabulary, kept: Sequence[Kept], pairs: Sequence[str]
) -> tuple[dict[str, Any], list[str]]:
    """The attribute values the kept options and ``--attr NAME=VALUE`` pairs give, and the
    tokens that turned out to be positional arguments (after a bool flag).

    Raises:
        RequestError: an undeclared option or attribute (with the closest name), a value
            not among the attribute's, or an option without its value.
    """
    flags: dict[str, tuple[Attribute, bool]] = {}
    for attr in options(vocab):
        flags[attr.flag] = (attr, True)
        if attr.negative:
            flags[f"--{attr.negative}"] = (attr, False)
    values: dict[str, Any] = {}
    positional: list[str] = []
    for flag, raw, from_next in kept:
        if flag not in flags:
            raise _unknown("option", flag, [*flags, "--attr"])
        attr, on = flags[flag]
        bare = raw is not None and raw.lower() not in ("true", "false")
        if attr.type == AttrType.BOOL and from_next and bare:
            positional.append(str(raw))  # `--launch SCENARIO`: the flag takes no value
            raw = None
        value = _parse(attr, raw, flag)
        values[attr.name] = value if on else not value
    names = {a.name: a for a in options(vocab)}
    for pair in pairs:
        name, eq, raw = pair.partition("=")
        name = name.strip().replace("-", "_")
        if not eq:
            raise RequestError(f"--attr expects NAME=VALUE, got {pair!r}")
        if name not in names:
            raise _unknown("attribute", name, list(names))
        values[name] = _parse(names[name], raw.strip(), f"--attr {name}")
    return values, positional


def required(vocab: Vocabulary, action: str, values: dict[str, Any]) -> None:
    """The attributes the action requires, named by their options.

    Raises:
        RequestError: ``--provider is required with --action run``.
    """
    act = vocab.actions.get(action)
    for need in act.requires if act is not None else ():
        if values.get(need) is None:
            flag = vocab.attributes[need].flag
            raise RequestError(f"{flag} is required with --action {action}")


def kept_options(ctx: Any) -> list[Kept]:
    """The options :class:`AttributeCommand` kept aside for this invocation."""
    return list(ctx.meta.get(_EXTRA, []))
