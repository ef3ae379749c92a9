"""The conversation snapshot and the inputs the engine understands (immutable values)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Literal

InputKind = Literal["text", "button", "media", "command", "timeout", "operator"]
MEDIA_KINDS = ("photo", "voice", "sticker", "video", "document", "location", "contact",
               "video_note", "audio", "animation", "poll", "dice", "other")
# Never copied to the operators as they are: a contact's number and a location are personal.
UNCOPIED_MEDIA = ("contact", "location")


@dataclass(frozen=True)
class ShownButton:
    """A button as last shown to the resident: its label msgid, its event, and its row."""

    label: str
    event: str
    help_row: bool = False


@dataclass(frozen=True)
class Conversation:
    """Everything the engine needs to know about one resident's journey."""

    state: str
    history: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    failures: tuple[tuple[str, int], ...] = ()  # per milestone: failures since the last offer of a person
    misunderstandings: int = 0  # in a row, on the current step
    paused: bool = False
    handoff: bool = False
    overlay: str | None = None  # "faq", "stuck" or "erase": a small menu over the current step
    buttons: tuple[ShownButton, ...] = ()
    turns: int = 0
    reminded: int = 0  # reminders sent since the resident last did something (bot/followup/schedule.py)
    detour: str | None = None  # the step left for a problem's help, offered as "back to my step"
    explained: int = 0  # times the resident asked to explain the current step again

    HISTORY_LIMIT = 30

    def evolve(self, **changes: Any) -> Conversation:
        """A copy with ``changes``: dataclasses.replace without its per-call introspection (the
        engine makes a few copies per input, and replace was a measurable share of a step)."""
        if not _FIELDS.issuperset(changes):
            raise TypeError(f"Conversation has no field(s) {sorted(set(changes) - _FIELDS)}")
        copy = object.__new__(Conversation)
        copy.__dict__.update(self.__dict__, **changes)
        return copy

    def fact(self, name: str) -> str | None:
        return dict(self.facts).get(name)

    def with_facts(self, updates: Mapping[str, str] | tuple[tuple[str, str], ...]) -> Conversation:
        merged = dict(self.facts)
        merged.update(dict(updates))
        return self.evolve(facts=tuple(sorted(merged.items())))

    def failure_count(self, milestone: str) -> int:
        return dict(self.failures).get(milestone, 0)

    def with_failures(self, milestone: str, count: int) -> Conversation:
        merged = dict(self.failures)
        merged[milestone] = count
        return self.evolve(failures=tuple(sorted((k, v) for k, v in merged.items() if v)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state, "history": list(self.history), "facts": dict(self.facts),
            "failures": dict(self.failures), "misunderstandings": self.misunderstandings,
            "paused": self.paused, "handoff": self.handoff, "overlay": self.overlay,
            "buttons": [[b.label, b.event, b.help_row] for b in self.buttons], "turns": self.turns,
            "reminded": self.reminded,
            "detour": self.detour, "explained": self.explained,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Conversation:
        return cls(
            state=data["state"], history=tuple(data.get("history", ())),
            facts=tuple(sorted(dict(data.get("facts", {})).items())),
            failures=tuple(sorted(dict(data.get("failures", {})).items())),
            misunderstandings=int(data.get("misunderstandings", 0)), paused=bool(data.get("paused")),
            handoff=bool(data.get("handoff")), overlay=data.get("overlay"),
            buttons=tuple(ShownButton(b[0], b[1], bool(b[2])) for b in data.get("buttons", ())),
            turns=int(data.get("turns", 0)), reminded=int(data.get("reminded", 0)),
            detour=data.get("detour"), explained=int(data.get("explained", 0)),
        )


_FIELDS = frozenset(f.name for f in fields(Conversation))


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Input:
    """One thing the resident did, or that happened to their conversation (a reminder fell due,
    an operator finished or ended their handoff). Build with the class methods, not the constructor."""

    kind: InputKind
    text: str = ""  # what was typed; for media, the caption
    button: int = 0  # 1-based index into Conversation.buttons
    media: str = ""
    command: str = ""
    argument: str = ""
    act: str = ""  # what an operator did (bot.vocabulary.OperatorAct)
    at: datetime = field(default_factory=_now)

    @classmethod
    def typed(cls, text: str, at: datetime | None = None) -> Input:
        return cls("text", text=text, at=at or _now())

    @classmethod
    def pressed(cls, number: int, at: datetime | None = None) -> Input:
        return cls("button", button=number, at=at or _now())

    @classmethod
    def sent(cls, media: str, at: datetime | None = None, caption: str = "") -> Input:
        return cls("media", text=caption or "", media=media if media in MEDIA_KINDS else "other", at=at or _now())

    @classmethod
    def commanded(cls, command: str, argument: str = "", at: datetime | None = None) -> Input:
        return cls("command", command=command.lower().lstrip("/"), argument=argument.strip(), at=at or _now())

    @property
    def written(self) -> str:
        """Every word the resident wrote in this input: a text, a caption, a command and its
        argument (what is checked for secrets)."""
        if self.kind == "command":
            return f"/{self.command} {self.argument}".rstrip()
        return self.text

    @classmethod
    def timed_out(cls, at: datetime | None = None) -> Input:
        return cls("timeout", at=at or _now())

    @classmethod
    def by_operator(cls, act: str, at: datetime | None = None) -> Input:
        """An operator's act on the resident's handoff (bot.vocabulary.OperatorAct), from the desk."""
        return cls("operator", act=act, at=at or _now())
