"""Babel extractors so ``pybabel extract`` finds our msgids (configured in pyproject.toml).

Msgids are keys ("face.take"), used in dialogs/*.yaml and as constants in a few Python modules
(the engine's system messages, the shells' own texts), not inside ``_()`` calls.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import IO, Any

import yaml

_KEY = re.compile(r"^(sys|btn|cmd|tg|cli|region|sapaan|toko|datetime|desk)\.[a-z0-9_.]+$")
Extracted = Iterator[tuple[int, str | None, str, list[str]]]


def extract_dialogs(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Extracted:
    """Msgids in a dialogs/ YAML file: say lines, button labels, milestone titles, FAQ."""
    try:
        root = yaml.compose(fileobj.read().decode("utf-8"))
    except yaml.YAMLError:
        return
    if root is None:
        return
    yield from _walk(root, parent_key=None)


def _walk(node: yaml.Node, parent_key: str | None) -> Extracted:
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key in ("label", "title", "id") and isinstance(value, yaml.ScalarNode):
                yield value.start_mark.line + 1, None, value.value, []
            else:
                yield from _walk(value, key)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if parent_key in ("say", "say_simple", "answer") and isinstance(item, yaml.ScalarNode):
                yield item.start_mark.line + 1, None, item.value, []
            else:
                yield from _walk(item, parent_key)


def extract_keys(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Extracted:
    """String constants in Python that look like our msgid keys."""
    try:
        tree = ast.parse(fileobj.read())
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _KEY.match(node.value):
            yield node.lineno, None, node.value, []
