"""The desk and the guide meet only at bot/desk/port.py: no module of bot/desk imports the guide
(the guide reaches the desk through the port, the desk tells the guide through Guidance)."""

from __future__ import annotations

import ast
from pathlib import Path

import bot

PACKAGE = Path(bot.__file__).parent


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_no_desk_module_imports_the_guide_or_the_assembly() -> None:
    desk_files = sorted((PACKAGE / "desk").glob("*.py"))
    assert len(desk_files) >= 8
    for path in desk_files:
        reaching = {m for m in imported_modules(path)
                    if m in ("bot.guide", "bot.assembly") or m.startswith("bot.guide.")}
        assert not reaching, f"{path.name} imports {reaching}"


def test_the_guide_knows_the_desk_only_through_its_port() -> None:
    desk_imports = {m for m in imported_modules(PACKAGE / "guide.py") if m.startswith("bot.desk")}
    assert desk_imports and all(m.startswith("bot.desk.port") for m in desk_imports), desk_imports


def test_outbox_items_are_built_as_typed_messages_only() -> None:
    # Every module queues through bot.outbox.put / a Postbox; store.enqueue with a dict is the codec's alone.
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "outbox.py" or "emulator" in path.parts or path.parent.name == "store":
            continue
        if ".enqueue(" in path.read_text(encoding="utf-8"):
            offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []
