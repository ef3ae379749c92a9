"""What the Engine's parts (routing, reminders, the place question) use of the Engine itself.

The parts are mixed into ``Engine`` and call its state and helpers through ``self``; subclassing
this protocol names that contract, so a type checker sees it and a renamed helper fails the
check instead of a resident's step. At run time the Engine's own attributes and methods come
first in the method order, so nothing here is ever called.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.engine.conversation import Conversation, Input, ShownButton
    from bot.engine.effects import Effect
    from bot.engine.step import Step
    from bot.flow.model import Flow, Line
    from bot.region import Region
    from bot.understanding import Reading, Understanding


class EngineHost(Protocol):
    flow: Flow
    understanding: Understanding
    region: Region | None
    ask_place: bool

    def _show(self, conv: Conversation, lead: tuple[Line, ...] = (), remind: bool = False,
              extra: tuple[Effect, ...] = (), simple: bool = False) -> Step: ...

    def _move(self, conv: Conversation, target: str) -> Conversation: ...

    def _event(self, conv: Conversation, event: str, reading: Reading, at: datetime) -> Step: ...

    def _interpret(self, conv: Conversation, inp: Input) -> Step: ...

    def _escalate(self, conv: Conversation, reason: str) -> Step: ...

    def _misunderstood(self, conv: Conversation, msgid: str, reading: Reading) -> Step: ...

    def _scam_warning(self, conv: Conversation, reading: Reading, lead: tuple[Line, ...] = ()) -> Step: ...

    def _help_row(self, conv: Conversation) -> tuple[ShownButton, ...]: ...

    def _progress(self, conv: Conversation) -> tuple[int, int] | None: ...
