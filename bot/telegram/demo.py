"""``teman-ikd demo``: the real bot against the built-in Bot API emulator, in the terminal.

It starts the emulator on loopback, runs the same Application as ``teman-ikd run`` (long
polling over HTTP, SQLite), and lets a person chat as a resident: type an answer, a command,
or the number of a button. Standard input is read line by line, so it can be scripted with a
pipe; at end of input (Ctrl-D) everything shuts down cleanly. No token, no internet.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from bot.emulator import Emulator, Resident
from bot.telegram.app import RunningBot, build_application
from bot.telegram.logs import configure_logging
from bot.telegram.settings import Settings, Token


def main_demo(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    return asyncio.run(_demo(args.db, stdin or sys.stdin, stdout or sys.stdout))


async def _demo(db: str | None, stdin: TextIO, stdout: TextIO) -> int:
    from bot.assembly import build_guide
    from bot.store import Store

    with tempfile.TemporaryDirectory(prefix="teman-ikd-demo-") as tmp, Emulator() as emulator:
        settings = Settings(token=Token(emulator.token), api_url=emulator.url,
                            database=db or str(Path(tmp) / "demo.sqlite3"), pacing=1.0)
        configure_logging("WARNING", settings.token.reveal())
        store = Store(settings.database)
        guide = build_guide(store, locale=settings.locale, outbox=True)
        parts = build_application(settings, guide)
        async with RunningBot(parts) as running:
            resident = emulator.resident(first_name="Siti", language_code="id")
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, _terminal, running, resident, loop, guide, stdin, stdout)
        store.close()
    return 0


def _terminal(running: RunningBot, resident: Resident, loop: asyncio.AbstractEventLoop, guide, stdin: TextIO,
              stdout: TextIO) -> None:
    t = guide.renderers[guide.default_locale].t
    print(t.text("cli.intro"), file=stdout, flush=True)
    seen = 0
    for raw in stdin:
        line = raw.rstrip("\n")
        _act(resident, line)
        asyncio.run_coroutine_threadsafe(running.settle(timeout=30.0), loop).result()
        messages = resident.inbox[seen:]
        seen = len(resident.inbox)
        for message in messages:
            _print_message(message, t.text("cli.buttons"), stdout)
        print("", file=stdout, flush=True)
    print(t.text("cli.bye"), file=stdout, flush=True)


def _labels(keyboard: list[list[str]] | None) -> list[str]:
    return [label for row in (keyboard or []) for label in row]


def _act(resident: Resident, line: str) -> None:
    text = line.strip()
    labels = _labels(resident.latest_keyboard)
    if text.startswith("/") and len(text) > 1:
        name, _, argument = text[1:].partition(" ")
        resident.command(name, *([argument] if argument else []))
    elif text.isdigit() and 1 <= int(text) <= len(labels):
        resident.press(labels[int(text) - 1])
    else:
        resident.send(line)


def _print_message(message: dict, heading: str, stdout: TextIO) -> None:
    print("\n" + (message.get("text") or ""), file=stdout, flush=True)
    markup = message.get("reply_markup") or {}
    rows = [[b["text"] if isinstance(b, dict) else b for b in row] for row in markup.get("keyboard", [])]
    labels = _labels(rows)
    if labels:
        print(heading, file=stdout)
        for i, label in enumerate(labels, start=1):
            print(f"  [{i}] {label}", file=stdout)
        stdout.flush()
