"""Turning one line a person typed into an engine Input (shared by chat and the demo)."""

from __future__ import annotations

from bot.engine import Input


def parse_line(line: str, button_count: int) -> Input:
    """'/start face_check' is a command, '2' presses the second button, anything else is typed."""
    text = line.strip()
    if text.startswith("/") and len(text) > 1 and not text[1:2].isspace():
        name, _, argument = text[1:].partition(" ")
        return Input.commanded(name.split("@")[0], argument)
    if text.isdigit() and 1 <= int(text) <= button_count:
        return Input.pressed(int(text))
    return Input.typed(line)
