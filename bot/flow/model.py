"""Immutable objects describing the guide's flow, as loaded from dialogs/.

Messages and button labels are gettext msgids (keys such as ``face.intro``), never sentences:
the sentences live in locales/.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from bot import vocabulary

# The fixed vocabulary shared by the product, its tests and its reports (issue: milestones).
MILESTONES: tuple[str, ...] = (
    "welcome", "requirements", "email_setup", "install_app", "fill_form", "face_check",
    "officer_visit", "activation_email", "set_pin", "activated", "account_problems", "problems",
)

# Events every state understands without declaring them (the list is bot/vocabulary.py's).
GLOBAL_EVENTS = vocabulary.GLOBAL_EVENTS
OFFERED_EVENTS = vocabulary.OFFERED_EVENTS  # engine events a button or intent may fire


@dataclass(frozen=True)
class Line:
    """One message of a step: a msgid plus fixed parameters from the YAML."""

    msgid: str
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Button:
    label: str  # msgid of the label
    event: str


@dataclass(frozen=True)
class Transition:
    event: str
    target: str
    condition: str | None = None
    negate: bool = False
    sets: tuple[tuple[str, str], ...] = ()
    failure: bool = False  # counts toward the step's stuck policy
    line: int | None = None


@dataclass(frozen=True)
class StuckPolicy:
    """After this many failures or misunderstandings on one step, a person is offered."""

    failures: int = 2
    misunderstandings: int = 2


@dataclass(frozen=True)
class State:
    name: str
    milestone: str
    say: tuple[Line, ...]
    buttons: tuple[Button, ...]
    intents: Mapping[str, str]  # intent name -> event
    transitions: tuple[Transition, ...]
    stuck: StuckPolicy
    file: str = ""
    line: int | None = None
    say_simple: tuple[Line, ...] = ()  # a simpler second wording, for "ulangi" / "gimana caranya"

    @property
    def events(self) -> frozenset[str]:
        return frozenset(t.event for t in self.transitions)

    def targets(self) -> frozenset[str]:
        return frozenset(t.target for t in self.transitions)


@dataclass(frozen=True)
class Milestone:
    name: str
    step: int | None  # position in "Langkah N dari M"; None for side milestones
    entry: str
    title: str  # msgid


@dataclass(frozen=True)
class FaqTopic:
    name: str
    label: str  # msgid of its button
    answer: tuple[Line, ...]
    intents: tuple[str, ...]  # understanding intents that open it from anywhere


@dataclass(frozen=True)
class Flow:
    start: str
    total_steps: int
    states: Mapping[str, State]
    milestones: Mapping[str, Milestone]
    faq: tuple[FaqTopic, ...] = ()
    source: str = ""
    conditions: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        object.__setattr__(self, "states", MappingProxyType(dict(self.states)))
        object.__setattr__(self, "milestones", MappingProxyType(dict(self.milestones)))

    def faq_topic(self, name: str) -> FaqTopic | None:
        return next((t for t in self.faq if t.name == name), None)

    def msgids(self) -> set[str]:
        """Every msgid the dialog data refers to."""
        ids: set[str] = set()
        for state in self.states.values():
            ids.update(line.msgid for line in state.say + state.say_simple)
            ids.update(b.label for b in state.buttons)
        for m in self.milestones.values():
            ids.add(m.title)
        for topic in self.faq:
            ids.add(topic.label)
            ids.update(line.msgid for line in topic.answer)
        return ids
