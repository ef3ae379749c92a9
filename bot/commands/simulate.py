"""``teman-ikd simulate``: JSON lines in, exactly one JSON line out per input, for QA scripts.

In:  {"text": "..."} | {"button": N} | {"media": "photo"} (optional "chat": int)
Out: {"replies": [{"text", "buttons"}], "state", "milestone", "handoff", "understood", "input_deleted"}
A line that is not valid input gets {"error": "..."} so the one-line-per-input rule always holds.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from bot.commands.lines import parse_line
from bot.engine import Input
from bot.engine.conversation import MEDIA_KINDS
from bot.guide import Guide, reply_json


class BadInput(ValueError):
    pass


def to_input(data: Any, button_count: int) -> tuple[int, Input]:
    if not isinstance(data, dict):
        raise BadInput("each line must be a JSON object")
    chat = data.get("chat", 1)
    if not isinstance(chat, int) or isinstance(chat, bool):
        raise BadInput("'chat' must be an integer")
    keys = {"text", "button", "media"} & set(data)
    if len(keys) != 1:
        raise BadInput("give exactly one of 'text', 'button' or 'media'")
    if "text" in data:
        if not isinstance(data["text"], str):
            raise BadInput("'text' must be a string")
        # Commands are typed like in Telegram: "/start face_check".
        inp = parse_line(data["text"], 0) if data["text"].startswith("/") else Input.typed(data["text"])
        return chat, inp
    if "button" in data:
        n = data["button"]
        if not isinstance(n, int) or isinstance(n, bool):
            raise BadInput("'button' must be an integer (1-based)")
        return chat, Input.pressed(n)
    media = data["media"]
    if media not in MEDIA_KINDS:
        raise BadInput(f"'media' must be one of {', '.join(MEDIA_KINDS)}")
    return chat, Input.sent(media)


def run_simulate(guide: Guide, stdin: TextIO, stdout: TextIO) -> int:
    for line in stdin:
        if not line.strip():
            continue
        try:
            chat, inp = to_input(json.loads(line), 0)
        except json.JSONDecodeError as exc:
            out: dict[str, Any] = {"error": f"not JSON: {exc.msg}"}
        except BadInput as exc:
            out = {"error": str(exc)}
        else:
            out = reply_json(guide.handle(chat, inp))
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return 0
