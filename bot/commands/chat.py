"""``teman-ikd chat``: talk to the guide in the terminal as a resident.

Reads standard input line by line (so it can be scripted with a pipe), prints each reply with
its buttons numbered, and exits cleanly at end of input.
"""

from __future__ import annotations

from typing import TextIO

from bot.commands.lines import parse_line
from bot.guide import Guide
from bot.render import OutgoingMessage


def format_message(message: OutgoingMessage, heading: str) -> str:
    lines = [message.text]
    if message.buttons:
        lines.append(heading)
        lines.extend(f"  [{i}] {label}" for i, label in enumerate(message.buttons, start=1))
    return "\n".join(lines)


def run_chat(guide: Guide, stdin: TextIO, stdout: TextIO, chat_id: int = 1) -> int:
    t = guide.renderers[guide.default_locale].t
    print(t.text("cli.intro"), file=stdout, flush=True)
    for line in stdin:
        stored = guide.store.load(chat_id)
        count = len(stored.conversation.buttons) if stored else 0
        reply = guide.handle(chat_id, parse_line(line.rstrip("\n"), count))
        for message in reply.messages:
            print("\n" + format_message(message, t.text("cli.buttons")), file=stdout, flush=True)
        print("", file=stdout, flush=True)
    print(t.text("cli.bye"), file=stdout, flush=True)
    return 0
