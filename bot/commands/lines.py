"""Turning one line a person typed into an engine Input (shared by chat and the demo)."""

from __future__ import annotations

from bot.engine import Input
from bot.vocabulary import CommandLine, parse_command


def parse_line(line: str, button_count: int) -> Input:
    """'/start face_check' is a command, '2' presses the second button, anything else is typed."""
    text = line.strip()
    command = parse_command(text)
    if isinstance(command, CommandLine):
        return Input.commanded(command.name, command.argument)
    if text.isdigit() and 1 <= int(text) <= button_count:
        return Input.pressed(int(text))
    return Input.typed(line)
