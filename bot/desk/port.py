"""The one boundary between the guide and the desk, and the only thing each knows of the other.

The guide asks the desk (``Desk``): open a ticket, relay what the resident sent, the resident
left, erase them, what may they expect. The desk tells the guide what an operator did
(``Guidance.operator_acted`` with an ``OperatorEvent``), the way a resident's input reaches it:
the guide lets the engine decide the resident's next step and keeps it in the same transaction.
bot/assembly.py wires the two; the desk never imports the guide (tests/desk/test_boundaries.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.engine import Conversation
from bot.engine.effects import Escalate, Relay
from bot.flow.model import Line
from bot.render import OutgoingMessage, Renderer


@dataclass(frozen=True)
class OperatorFinished:
    """/selesai: the resident goes back to the step they were on; ``lead`` is said first."""

    lead: tuple[Line, ...] = ()


@dataclass(frozen=True)
class OperatorEnded:
    """/tutup: the conversation ends; the guide rests until the resident comes back."""

    lead: tuple[Line, ...] = ()


@dataclass(frozen=True)
class OperatorFollowedUp:
    """An operator wrote after the ticket closed: the resident is with a person again."""


OperatorEvent = OperatorFinished | OperatorEnded | OperatorFollowedUp


class Guidance(Protocol):
    """The guide, as the desk sees it."""

    def operator_acted(self, chat_id: int, event: OperatorEvent) -> tuple[OutgoingMessage, ...]: ...


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
