"""Reading YAML with line numbers, rejecting duplicate keys.

Every value is paired with the line it starts on, keyed by its path in the document
(``("amendments", 2, "clauses", 0, "until")``), so a validation error found later can name the
line. Duplicate keys in a mapping are an error rather than a silent overwrite.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from charter.errors import ScenarioError

__all__ = ["Located", "format_path", "read_yaml"]

PathKey = tuple[str | int, ...]


def format_path(path: PathKey) -> str:
    """``("amendments", 2, "clauses", 0)`` → ``amendments[2].clauses[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


class Located:
    """A parsed YAML document and the line of every node in it."""

    def __init__(self, file: str, data: Any, lines: dict[PathKey, int]) -> None:
        self.file = file
        self.data = data
        self.lines = lines

    def line_of(self, path: PathKey) -> int | None:
        """Line of the node at ``path``, or of its nearest ancestor that exists."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), None)

    def error(self, path: PathKey, message: str) -> ScenarioError:
        """A :class:`ScenarioError` located at ``path`` in this file."""
        return ScenarioError(
            message, file=self.file, line=self.line_of(path), field=format_path(path) or None
        )


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[PathKey, int] = {}
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise ScenarioError(
                        "mapping keys must be plain names",
                        file=self.file,
                        line=key_node.start_mark.line + 1,
                        field=format_path(path) or None,
                    )
                key = self.constructor.construct_object(key_node)
                if key == "<<":
                    raise ScenarioError(
                        "YAML merge keys (<<) are not supported; write the fields out",
                        file=self.file,
                        line=key_node.start_mark.line + 1,
                    )
                if key in out:
                    raise ScenarioError(
                        f"duplicate key {key!r} (first given on line "
                        f"{self.lines[(*path, str(key))]})",
                        file=self.file,
                        line=key_node.start_mark.line + 1,
                        field=format_path((*path, str(key))),
                    )
                child = (*path, str(key))
                out[key if isinstance(key, str) else str(key)] = self.build(value_node, child)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(v, (*path, i)) for i, v in enumerate(node.value)]
        try:
            return self.constructor.construct_object(node)
        except ValueError as exc:
            hint = ""
            if node.tag.endswith(":timestamp"):
                hint = "; expected a date like 2030-12-31"
            raise ScenarioError(
                f"invalid value {node.value!r}: {exc}{hint}",
                file=self.file,
                line=node.start_mark.line + 1,
                field=format_path(path) or None,
            ) from None


def read_yaml(path: Path, display: str) -> Located:
    """Parse one YAML file into a :class:`Located` document.

    Args:
        path: the file to read.
        display: the name used in messages (relative to the scenario folder).

    Raises:
        ScenarioError: unreadable file, malformed YAML or a duplicate key, with its line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read file: {exc}", file=display) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "malformed YAML"
        raise ScenarioError(f"malformed YAML: {problem}", file=display, line=line) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"malformed YAML: {exc}", file=display) from None
    if node is None:
        return Located(display, None, {(): 1})
    builder = _Builder(display)
    try:
        data = builder.build(node, ())
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise ScenarioError(
            f"invalid value: {exc.problem}",
            file=display,
            line=mark.line + 1 if mark is not None else None,
        ) from None
    return Located(display, data, builder.lines)
