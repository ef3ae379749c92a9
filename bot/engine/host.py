"""What the Engine's parts (routing, showing, handoff, reminders, the place question, the home
visit) use of each other and of the Engine itself.

The parts are mixed into ``Engine`` and call its state and helpers through ``self``; subclassing
this protocol names that contract, so a type checker sees it and a renamed helper fails the
check instead of a resident's step. Every part subclasses this protocol, so at run time the
Engine's and the parts' own methods come before these stubs in the method order and nothing
here is ever called (tests/engine/test_engine_parts.py checks it).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.engine.conversation import Conversation, Input, ShownButton
    from bot.engine.effects import Effect
    from bot.engine.step import Step
    from bot.flow.model import Flow, Line
    from bot.followup.plan import ReminderPlan
    from bot.region import Region
    from bot.understanding import Reading, Understanding


class EngineHost(Protocol):
    flow: Flow
    understanding: Understanding
    region: Region | None
    ask_place: bool
    handoff_available: bool

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

    def _pause(self, conv: Conversation, lead: tuple[Line, ...] = ()) -> Step: ...

    def _button_event(self, conv: Conversation, inp: Input) -> str | None: ...

    def _return_row(self, conv: Conversation) -> tuple[ShownButton, ...]: ...

    def _plan(self) -> ReminderPlan: ...

    def _needs_kecamatan(self, conv: Conversation) -> bool: ...

    def _ask_kecamatan(self, conv: Conversation, then: str, lead: tuple[Line, ...] = ()) -> Step: ...

    def _without_question(self, conv: Conversation, kecamatan: str) -> Conversation: ...

    def _take_visit(self, conv: Conversation) -> tuple[Conversation, tuple[str, str, str] | None]: ...
