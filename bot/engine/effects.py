"""What the engine asks the shell to do. Plain values: the shell decides how."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.engine.conversation import ShownButton
from bot.flow.model import Line


@dataclass(frozen=True)
class Say:
    """One reply: its lines (msgids with parameters), the buttons under it, the step it is on."""

    lines: tuple[Line, ...]
    buttons: tuple[ShownButton, ...] = ()
    progress: tuple[int, int] | None = None  # (step, total) for "Langkah 3 dari 8"


@dataclass(frozen=True)
class Escalate:
    """Open (or reopen) a ticket so a person takes over."""

    reason: str  # a bot.vocabulary.Reason ("content:<state>" carries the state)
    state: str
    milestone: str


@dataclass(frozen=True)
class EndHandoff:
    """The resident left the queue; the guide speaks again."""


@dataclass(frozen=True)
class Relay:
    """Pass what the resident sent to the operator (text already masked)."""

    text: str = ""
    media: str = ""


@dataclass(frozen=True)
class DeleteInput:
    """Delete the resident's message from the chat: it held a secret."""

    kinds: tuple[str, ...]


@dataclass(frozen=True)
class Remind:
    """Nudge the resident if nothing happens for a while (``office``: the next step is at the
    office, so the nudge waits for office hours; the shell picks the moment)."""

    after: timedelta
    office: bool = False
    day: date | None = None  # a planned office visit: remind that morning instead (if still ahead)


@dataclass(frozen=True)
class EraseData:
    """The resident asked to delete everything stored about them, and confirmed."""


Effect = Say | Escalate | EndHandoff | Relay | DeleteInput | Remind | EraseData
