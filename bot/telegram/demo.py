"""``teman-ikd demo``: the real bot against the built-in Bot API emulator, in the terminal.

It starts the emulator on loopback, with an operators' forum group, and runs the same
Application as ``teman-ikd run`` (long polling over HTTP, SQLite). One person plays both sides:
type as the resident (an answer, a command, or a button's number), or start a line with ">" to
write as the operator Rina in the resident's topic (">Halo Bu", ">/ambil", ">/selesai",
">/tutup", ">// catatan", ">/antrian"); the buttons of the ticket card are shown numbered and
">#1" taps the first. Standard input is read line by line, so it can be
scripted with a pipe; at end of input (Ctrl-D) everything shuts down cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from bot.emulator import Emulator, Group, Operator, Resident
from bot.store import Store
from bot.telegram.app import RunningBot, build_bot
from bot.telegram.logs import configure_logging
from bot.telegram.settings import Settings, Token
from bot.vocabulary import CommandLine, parse_command

OPERATOR_PREFIX = ">"
CARD_BUTTON_PREFIX = "#"  # ">#2" taps the second button of the latest message with buttons in the group


def main_demo(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    return asyncio.run(_demo(args.db, stdin or sys.stdin, stdout or sys.stdout))


async def _demo(db: str | None, stdin: TextIO, stdout: TextIO) -> int:
    with tempfile.TemporaryDirectory(prefix="teman-ikd-demo-") as tmp, Emulator() as emulator:
        group = emulator.forum_group("Operator IKD")
        operator = emulator.operator(group, "Rina")
        settings = Settings(token=Token(emulator.token), api_url=emulator.url, operator_chat=group.chat_id,
                            database=db or str(Path(tmp) / "demo.sqlite3"), pacing=1.0)
        configure_logging("WARNING", settings.token.reveal())
        store = Store(settings.database)
        parts = build_bot(settings, store)
        async with RunningBot(parts) as running:
            people = _People(emulator.resident(first_name="Siti", language_code="id"), operator, group, store)
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, _terminal, running, people, loop, stdin, stdout)
        store.close()
    return 0


class _People:
    """The resident and the operator the person at the terminal plays, and what they have seen."""

    def __init__(self, resident: Resident, operator: Operator, group: Group, store: Store):
        self.resident, self.operator, self.group, self.store = resident, operator, group, store
        self.seen_resident = 0
        self.seen_group: set[int] = set()
        self.card: tuple[int, list[str]] | None = None  # the latest group message with buttons

    def act(self, line: str) -> None:
        if line.startswith(OPERATOR_PREFIX):
            self._as_operator(line[len(OPERATOR_PREFIX):].strip())
        elif line.strip().startswith(CARD_BUTTON_PREFIX) and line.strip()[1:].isdigit():
            self._tap_as_resident(int(line.strip()[1:]))
        else:
            _as_resident(self.resident, line)

    def _tap_as_resident(self, number: int) -> None:
        """"#1": the resident taps a button under a message (the 👍/👎 after a handoff)."""
        message = next((m for m in reversed(self.resident.inbox)
                        if (m.get("reply_markup") or {}).get("inline_keyboard")), None)
        if message is None:
            return
        data = [b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row]
        if 1 <= number <= len(data):
            self.resident.tap(data[number - 1], message_id=message["message_id"], force=True)

    def _as_operator(self, text: str) -> None:
        topic = self.store.topic_for(self.resident.chat_id)
        thread = topic[0] if topic else None
        number = text[len(CARD_BUTTON_PREFIX):]
        if text.startswith(CARD_BUTTON_PREFIX) and number.isdigit() and self.card:
            message_id, data = self.card
            if 1 <= int(number) <= len(data):
                self.operator.tap(data[int(number) - 1], message_id=message_id, force=True)
            return
        command = parse_command(text)
        if isinstance(command, CommandLine):
            self.operator.command(command.name, *([command.argument] if command.argument else []), thread_id=thread)
        elif text:
            self.operator.send(text, thread_id=thread)

    def news(self) -> list[tuple[str, dict]]:
        fresh = [("resident", m) for m in self.resident.inbox[self.seen_resident:]]
        self.seen_resident = len(self.resident.inbox)
        for m in self.group.inbox:
            if m["message_id"] not in self.seen_group:
                self.seen_group.add(m["message_id"])
                fresh.append(("group", m))
                inline = (m.get("reply_markup") or {}).get("inline_keyboard")
                if inline:
                    self.card = (m["message_id"], [b["callback_data"] for row in inline for b in row])
        return fresh


def _terminal(running: RunningBot, people: _People, loop: asyncio.AbstractEventLoop, stdin: TextIO,
              stdout: TextIO) -> None:
    t = running.parts.adapter.guide.renderers[running.parts.adapter.guide.default_locale].t
    print(t.text("cli.intro"), file=stdout, flush=True)
    print(t.text("cli.demo_operator"), file=stdout, flush=True)
    for raw in stdin:
        people.act(raw.rstrip("\n"))
        asyncio.run_coroutine_threadsafe(running.settle(timeout=60.0), loop).result()
        for side, message in people.news():
            _print_message(side, message, t.text("cli.buttons"), t.text("cli.operators_view"), stdout)
        print("", file=stdout, flush=True)
    print(t.text("cli.bye"), file=stdout, flush=True)


def _labels(keyboard: list[list[str]] | None) -> list[str]:
    return [label for row in (keyboard or []) for label in row]


def _as_resident(resident: Resident, line: str) -> None:
    text = line.strip()
    labels = _labels(resident.latest_keyboard)
    command = parse_command(text)
    if isinstance(command, CommandLine):
        resident.command(command.name, *([command.argument] if command.argument else []))
    elif text.isdigit() and 1 <= int(text) <= len(labels):
        resident.press(labels[int(text) - 1])
    else:
        resident.send(line)


def _print_message(side: str, message: dict, heading: str, operators_view: str, stdout: TextIO) -> None:
    body = message.get("text") or message.get("caption") or "[" + next(
        (k for k in ("photo", "voice", "document", "sticker", "video") if k in message), "media") + "]"
    if side == "group":
        # The operators' view, marked so the person at the terminal knows which side speaks.
        lines = (operators_view + "\n" + body).splitlines()
        # The card's buttons (Ambil / Selesai / Tutup), numbered: ">#1" taps the first.
        inline = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        buttons = [b["text"] for row in inline for b in row]
        if buttons:
            lines.append("  ".join(f"[{OPERATOR_PREFIX}{CARD_BUTTON_PREFIX}{i}] {label}"
                                   for i, label in enumerate(buttons, start=1)))
        print("\n" + "\n".join(f"  │ {line}" for line in lines), file=stdout, flush=True)
        return
    print("\n" + body, file=stdout, flush=True)
    markup = message.get("reply_markup") or {}
    inline = [b["text"] for row in markup.get("inline_keyboard", []) for b in row]
    if inline:  # buttons under the message (the rating after a handoff): "#1" taps the first
        print("  ".join(f"[{CARD_BUTTON_PREFIX}{i}] {label}" for i, label in enumerate(inline, start=1)), file=stdout)
    labels = _labels([[b["text"] if isinstance(b, dict) else b for b in row] for row in markup.get("keyboard", [])])
    if labels:
        print(heading, file=stdout)
        for i, label in enumerate(labels, start=1):
            print(f"  [{i}] {label}", file=stdout)
        stdout.flush()
