"""The engine's answer to one input: the new snapshot, the effects, and how the input was read."""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.conversation import Conversation
from bot.engine.effects import DeleteInput, Effect
from bot.understanding import Reading


@dataclass(frozen=True)
class Step:
    """The engine's answer to one input."""

    conversation: Conversation | None  # None after the resident erased their data
    effects: tuple[Effect, ...]
    understood: bool = True
    reading: Reading | None = None

    @property
    def handoff(self) -> bool:
        return bool(self.conversation and self.conversation.handoff)

    @property
    def input_deleted(self) -> bool:
        return any(isinstance(e, DeleteInput) for e in self.effects)


def _read_as(step: Step, reading: Reading) -> Step:
    """``step`` with the reading that led to it (dataclasses.replace costs several times this)."""
    return Step(step.conversation, step.effects, step.understood, reading)
