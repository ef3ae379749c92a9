"""``teman-ikd simulate``: JSON lines in, exactly one JSON line out per input, for QA scripts.

In:  {"text": "..."} | {"button": N} | {"media": "photo"} (optional "chat": int)
     {"operator": "take" | "say" | "finish" | "end", "text": "..."} plays the operator of that
     resident's open ticket; the replies are what the resident sees.
Out: {"replies": [{"text", "buttons"}], "state", "milestone", "handoff", "understood", "input_deleted"}
A line that is not valid input gets {"error": "..."} so the one-line-per-input rule always holds.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from bot.assembly import desk_of
from bot.commands.lines import parse_line
from bot.desk import Operator
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


SIMULATED_OPERATOR = Operator(id=1, name="Simulasi")


def operator_action(guide: Guide, data: dict[str, Any]) -> dict[str, Any]:
    """Play the operator for the resident's open ticket, as in the forum group."""
    chat = data.get("chat", 1)
    action, text = data.get("operator"), data.get("text", "")
    if not isinstance(chat, int) or isinstance(chat, bool):
        raise BadInput("'chat' must be an integer")
    if action not in ("take", "say", "finish", "end"):
        raise BadInput("'operator' must be one of take, say, finish, end")
    if action == "say" and (not isinstance(text, str) or not text.strip()):
        raise BadInput("'say' needs a non-empty 'text'")
    if guide.store.active_ticket(chat) is None:
        raise BadInput("this resident has no open ticket")
    desk = desk_of(guide)
    messages = {"take": lambda: desk.take(chat, SIMULATED_OPERATOR),
                "say": lambda: desk.operator_says(chat, SIMULATED_OPERATOR, text),
                "finish": lambda: desk.finish(chat, SIMULATED_OPERATOR),
                "end": lambda: desk.end(chat, SIMULATED_OPERATOR)}[action]()
    stored = guide.store.load(chat)
    conv = stored.conversation if stored else None
    return {"replies": [{"text": m.text, "buttons": m.buttons} for m in messages],
            "state": conv.state if conv else None,
            "milestone": guide.flow.states[conv.state].milestone if conv else None,
            "handoff": bool(conv and conv.handoff), "understood": True, "input_deleted": False}


def run_simulate(guide: Guide, stdin: TextIO, stdout: TextIO) -> int:
    for line in stdin:
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if isinstance(data, dict) and "operator" in data:
                out: dict[str, Any] = operator_action(guide, data)
            else:
                chat, inp = to_input(data, 0)
                out = reply_json(guide.handle(chat, inp))
        except json.JSONDecodeError as exc:
            out = {"error": f"not JSON: {exc.msg}"}
        except BadInput as exc:
            out = {"error": str(exc)}
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return 0
