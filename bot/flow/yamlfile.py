"""A YAML loader that remembers line numbers and refuses duplicate keys.

PyYAML's SafeLoader silently keeps the last of two equal keys, which would hide a trigger defined
twice in a state. We subclass it so every mapping becomes a ``Located`` dict that knows the line of
each key, and a repeated key is an error naming both lines.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.flow.errors import DialogError, Problem


class Located(dict):
    """A dict that also knows the line where it starts and where each key is."""

    line: int
    key_lines: dict[Any, int]


class LocatedList(list):
    line: int


class _Loader(yaml.SafeLoader):
    def __init__(self, stream: Any, filename: str):
        super().__init__(stream)
        self.filename = filename
        self.problems: list[Problem] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Located:
        self.flatten_mapping(node)
        result = Located()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in result.key_lines:
                self.problems.append(Problem(
                    self.filename, line,
                    f"duplicate key {key!r} (first defined on line {result.key_lines[key]})"))
                continue
            result.key_lines[key] = line
            result[key] = self.construct_object(value_node, deep=True)
        return result

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LocatedList:
        result = LocatedList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        return result


# YAML 1.1 reads yes/no/on/off as booleans, so `on:` and an intent named `yes:` would silently
# become True. Content editors write those words as words: only true/false are booleans here.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))
_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_sequence)


def read_yaml(path: Path, shown_as: str) -> Any:
    """Parse one YAML file; raise DialogError naming the file and line of bad YAML or duplicates."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DialogError([Problem(shown_as, None, f"cannot read file: {exc.strerror}")]) from exc
    loader = _Loader(text, shown_as)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise DialogError([Problem(shown_as, line, f"bad YAML: {exc.problem or exc}")]) from exc
    except yaml.YAMLError as exc:
        raise DialogError([Problem(shown_as, None, f"bad YAML: {exc}")]) from exc
    finally:
        loader.dispose()
    if loader.problems:
        raise DialogError(loader.problems)
    return data


def line_of(data: Any, path: list[Any] | tuple[Any, ...]) -> int | None:
    """The best line for a jsonschema error path: the deepest located node on it."""
    line = getattr(data, "line", None)
    node = data
    for part in path:
        if isinstance(node, Located) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            line = getattr(node, "line", line)
        else:
            break
    return line
