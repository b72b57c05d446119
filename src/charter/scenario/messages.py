"""The wording of portfolio errors: values quoted and joined (``'a', 'b' or 'c'``), the
valid values listed when they are few, and "did you mean" for a close one."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable
from typing import Any

__all__ = ["SHORT_LIST", "did_you_mean", "listing", "plain", "quoted", "unknown", "unknown_column"]

#: Valid values are listed in a message when there are at most this many.
SHORT_LIST = 15


def quoted(values: Iterable[str], conj: str = "or") -> str:
    """``'a'``, ``'a' or 'b'``, ``'a', 'b' or 'c'``."""
    items = [repr(v) for v in values]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conj} {items[-1]}"


def plain(values: Iterable[str], conj: str = "or") -> str:
    items = list(values)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conj} {items[-1]}"


def did_you_mean(values: Iterable[str], valid: Collection[str]) -> str:
    """``" (did you mean 'h100'?)"``, or nothing when no valid value is close."""
    close: list[str] = []
    for v in values:
        for c in difflib.get_close_matches(str(v), sorted(valid), n=3, cutoff=0.6):
            if c not in close:
                close.append(c)
    return f" (did you mean {quoted(close)}?)" if close else ""


def listing(valid: Collection[str]) -> str:
    """The valid values if they are few, else how many there are and the first of them."""
    names = sorted(valid)
    if len(names) <= SHORT_LIST:
        return ", ".join(names)
    return f"{', '.join(names[:SHORT_LIST])} ... ({len(names)} in all)"


def unknown(what: str, value: Any, valid: Collection[str]) -> str:
    """``unknown provider 'cloudcoo' (did you mean 'cloudco'?); valid providers are: ...``."""
    return (
        f"unknown {what} {value!r}{did_you_mean([str(value)], valid)}; valid "
        f"{'parties' if what == 'party' else what + 's'} are: {listing(valid)}"
    )


def unknown_column(name: str, fields: Collection[str], word: str) -> str:
    close = difflib.get_close_matches(name, sorted(fields), n=3, cutoff=0.6)
    if close:
        return f"unknown {word} {name!r}; did you mean {quoted(close)}?"
    return f"unknown {word} {name!r}; the {word}s are: {', '.join(fields)}"
