"""The one boundary between the guide and the desk, and the only thing each knows of the other.

The guide asks the desk (``Desk``): open a ticket, relay what the resident sent, the resident
left, erase them, what may they expect. The desk tells the guide what an operator did (finished,
ended, followed up) the way a resident's message reaches it: an ``Input.by_operator`` handed to
``Guidance.handle``; the engine decides the resident's next step (bot/engine/handoff.py) and the
guide keeps it in the desk's transaction.
bot/assembly.py wires the two; the desk never imports the guide (tests/desk/test_boundaries.py).
"""

from __future__ import annotations

from typing import Protocol

from bot.engine import Conversation, Input
from bot.engine.effects import Escalate, Relay
from bot.render import OutgoingMessage, Renderer


class Answer(Protocol):
    """What the guide's handling of an input gives back that the desk uses (bot.guide.Reply)."""

    @property
    def messages(self) -> tuple[OutgoingMessage, ...]: ...


class Guidance(Protocol):
    """The guide, as the desk sees it: it takes inputs (``Input.by_operator`` for what an
    operator did), as it takes a resident's."""

    def handle(self, chat_id: int, inp: Input) -> Answer: ...


class Desk(Protocol):
    """The operator side, as the guide sees it (called inside the guide's transaction)."""

    def escalate(self, chat_id: int, effect: Escalate, conv: Conversation) -> None: ...
    def relay(self, chat_id: int, effect: Relay, message_ref: int | None = None,
              delete_after: bool = False) -> list[OutgoingMessage]: ...
    def resident_left(self, chat_id: int) -> None: ...
    def erase(self, chat_id: int) -> tuple[str, ...]: ...

    @property
    def copies_media(self) -> bool: ...
    def expectation(self, chat_id: int, renderer: Renderer) -> str: ...
