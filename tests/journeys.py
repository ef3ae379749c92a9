"""Find real paths through the guide by driving the engine itself (used by several tests).

Breadth-first over what the engine actually does when a choice button is pressed, so the paths
follow conditions and facts exactly as a resident would experience them.
"""

from __future__ import annotations

from collections import deque

from bot.engine import Conversation, Engine, Input


def button_path(engine: Engine, goal_milestone: str = "activated", start: Conversation | None = None,
                max_depth: int = 80) -> list[int]:
    """1-based button numbers (choices only, never the help row) from start to the goal."""
    first = engine.step(start, Input.commanded("start")).conversation
    assert first is not None
    queue: deque[tuple[Conversation, list[int]]] = deque([(first, [])])
    seen = {(first.state, first.facts)}
    while queue:
        conv, path = queue.popleft()
        if engine.flow.states[conv.state].milestone == goal_milestone:
            return path
        if len(path) >= max_depth:
            continue
        for number, button in enumerate(conv.buttons, start=1):
            if button.help_row or conv.overlay:
                continue
            step = engine.step(conv, Input.pressed(number))
            nxt = step.conversation
            if nxt is None or nxt.overlay or nxt.handoff:
                continue
            key = (nxt.state, nxt.facts)
            if key not in seen:
                seen.add(key)
                queue.append((nxt, path + [number]))
    raise AssertionError(f"no button path to {goal_milestone}")


def typed_answer(engine: Engine, lexicon: dict[str, list[str]], conv: Conversation, number: int, label: str) -> str:
    """What a resident might type instead of pressing button ``number``: an intent phrase
    for the same event if the step has one, else the button's label typed by hand (no emoji)."""
    button = conv.buttons[number - 1]
    state = engine.flow.states[conv.state]
    for intent, event in state.intents.items():
        if event == button.event and lexicon.get(intent):
            phrase = lexicon[intent][0]
            if engine.understanding.read(phrase, [b.label for b in conv.buttons]).intent == intent:
                return phrase
    return "".join(ch for ch in label if ch.isalnum() or ch.isspace() or ch in ",.-/?").strip().lower()
