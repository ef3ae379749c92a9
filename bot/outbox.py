"""What the bot queues for Telegram, as typed values, and the one codec for the outbox row.

The guide, the desk and the Telegram adapter build these frozen values; ``put`` encodes one into
the outbox (a JSON object whose ``kind`` names the type; the names are those rows have always
had, so items queued by an older version are still read); the delivery reads an item back with
``decode`` and sends it by type (bot/telegram/delivery.py, bot/desk/telegram.py: a ``match`` that
mypy checks covers every type). A row that names no known type, or lacks a field, is refused with
``UnreadableItem``, which the delivery turns into a failed row, never a crash of its loop.

Two names of the row are read by the store too: ``kind`` (merging a resident's queued relays)
and ``resident`` (erasure deletes the group's items about a resident): keep them.

The operators' group items are whole desk operations rather than raw Bot API calls: the forum
topic they go to is created, reopened or recreated when the item is sent (one sender task per
group), because its thread id is not known when the item is queued.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, Union

InlineRows = tuple[tuple[tuple[str, str], ...], ...]  # inline buttons: rows of (label, callback data)

# ----- to a resident (or a plain line in a group) -----------------------------------------
@dataclass(frozen=True)
class Text:
    """A message with a reply keyboard of button labels (rows); ``bulk`` (a reminder) may wait
    while residents who are talking are answered."""

    kind: ClassVar[str] = "message"
    text: str
    rows: tuple[tuple[str, ...], ...] = ()
    bulk: bool = False


@dataclass(frozen=True)
class Delete:
    """Delete one of the resident's messages (it held a secret)."""

    kind: ClassVar[str] = "delete"
    message_id: int


@dataclass(frozen=True)
class AnswerCallback:
    """Answer a button tap (stops the client's spinner)."""

    kind: ClassVar[str] = "answer_callback"
    id: str


@dataclass(frozen=True)
class Copy:
    """Copy a message (an operator's photo) into this chat."""

    kind: ClassVar[str] = "copy"
    from_chat: int
    message_id: int


@dataclass(frozen=True)
class RatingQuestion:
    """After a handoff: was it helpful? 👍/👎 as inline buttons carrying the ticket."""

    kind: ClassVar[str] = "desk_rate"
    ticket: int
    text: str
    up: str
    down: str


# ----- to the operators' group (bot/desk/telegram.py sends these) --------------------------
@dataclass(frozen=True)
class TopicCard:
    """A ticket's card in the resident's topic (created, or renamed to ``title``)."""

    kind: ClassVar[str] = "desk_open"
    resident: int
    ticket: int
    title: str
    card: str


@dataclass(frozen=True)
class TopicText:
    """A line in the resident's topic (a relay, a notice); consecutive ones may travel merged."""

    kind: ClassVar[str] = "desk_text"
    resident: int
    text: str
    title: str


@dataclass(frozen=True)
class TopicMedia:
    """A copy of the resident's photo or file in their topic; ``caption`` is the masked one
    (None: an item from before captions were masked keeps the original); ``delete_after``
    deletes the resident's message once copied (it held a secret)."""

    kind: ClassVar[str] = "desk_media"
    resident: int
    from_chat: int
    message_id: int
    title: str
    caption: str | None = None
    delete_after: bool = False


@dataclass(frozen=True)
class TopicClosing:
    """The closing line in the resident's topic, with inline buttons ((label, data) rows), then
    the topic is closed."""

    kind: ClassVar[str] = "desk_close"
    resident: int
    text: str
    title: str
    buttons: InlineRows = ()


@dataclass(frozen=True)
class TopicErased:
    """The resident erased their data: their topic goes, with everything in it."""

    kind: ClassVar[str] = "desk_erase"
    resident: int
    topic: int | None = None


@dataclass(frozen=True)
class TopicMoved:
    """The ticket went to another group: the old topic says where, then closes."""

    kind: ClassVar[str] = "desk_moved"
    thread: int
    text: str


@dataclass(frozen=True)
class GroupReply:
    """The bot's answer to an operator, in the topic they wrote in (reopened if closed)."""

    kind: ClassVar[str] = "desk_reply"
    text: str
    thread_id: int | None = None


@dataclass(frozen=True)
class OutcomeShown:
    """The closing message shows the chosen outcome instead of its buttons."""

    kind: ClassVar[str] = "desk_resolved"
    message_id: int
    text: str


@dataclass(frozen=True)
class GroupReport:
    """/laporan: the supervisors' chart, drawn when sent."""

    kind: ClassVar[str] = "desk_report"
    thread_id: int | None = None


ForumMessage = (TopicCard | TopicText | TopicMedia | TopicClosing | TopicErased | TopicMoved | GroupReply
                | OutcomeShown | GroupReport)
"""What bot.desk.telegram.ForumSender sends."""
Message = Text | Delete | AnswerCallback | Copy | RatingQuestion | ForumMessage
"""Every item the outbox holds."""

_TYPES: dict[str, type] = {cls.kind: cls for cls in typing.get_args(Message)}  # the codec's only table


class UnreadableItem(ValueError):
    """A stored outbox row that is no known message (unknown kind, a field missing or mistyped)."""


class Outbox(Protocol):
    """The part of the store ``put`` writes to (inside the caller's transaction)."""

    def enqueue(self, chat_id: int, payload: dict[str, Any]) -> int: ...


def encode(message: Message) -> dict[str, Any]:
    """The JSON object stored in the outbox row."""
    payload: dict[str, Any] = {"kind": message.kind}
    for name, _, _ in _FIELDS[type(message)]:
        payload[name] = getattr(message, name)
    return payload


def decode(payload: dict[str, Any]) -> Message:
    """The message an outbox row holds; UnreadableItem if it holds none."""
    kind = payload.get("kind")
    cls = _TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise UnreadableItem(f"unknown outbox item kind {kind!r}")
    values = {}
    for name, required, read in _FIELDS[cls]:
        if name not in payload:
            if required:
                raise UnreadableItem(f"outbox item {kind!r} lacks {name!r}")
            continue
        values[name] = read(payload[name], f"{kind}.{name}")
    return typing.cast(Message, cls(**values))


def put(store: Outbox, chat_id: int, message: Message) -> int:
    """Queue ``message`` for ``chat_id``; the row's id."""
    return store.enqueue(chat_id, encode(message))


class Postbox(Protocol):
    """Where the guide and the desk post what a chat should receive."""

    def post(self, chat_id: int, message: Message) -> None: ...


@dataclass(frozen=True)
class Queued:
    """Into the outbox, in the caller's transaction (Telegram: the delivery sends it)."""

    store: Outbox

    def post(self, chat_id: int, message: Message) -> None:
        put(self.store, chat_id, message)


class _Nowhere:
    """Nothing is queued: the terminal chat and simulate show the guide's Reply themselves."""

    def post(self, chat_id: int, message: Message) -> None:
        pass


NOWHERE: Postbox = _Nowhere()


Reader = Callable[[Any, str], Any]


def _reader(hint: Any) -> Reader:
    """A checker for one field's type, built once: the value read from JSON, checked (lists
    become tuples), or UnreadableItem saying where."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        return _either([_reader(option) for option in typing.get_args(hint)], hint)
    if origin is tuple:
        parts = typing.get_args(hint)
        if len(parts) == 2 and parts[1] is Ellipsis:  # tuple[X, ...]
            return _many(_reader(parts[0]))
        return _fixed([_reader(part) for part in parts])
    return _plain(hint)


def _plain(hint: type) -> Reader:
    def read(value: Any, where: str) -> Any:
        # bool is an int to Python, never to these fields; None only where the type says so.
        if type(value) is hint or (hint is not bool and hint is not type(None) and not isinstance(value, bool)
                                   and isinstance(value, hint)):
            return value
        raise UnreadableItem(f"{where}: {value!r} is no {hint.__name__}")
    return read


def _either(options: list[Reader], hint: Any) -> Reader:
    def read(value: Any, where: str) -> Any:
        for option in options:
            try:
                return option(value, where)
            except UnreadableItem:
                continue
        raise UnreadableItem(f"{where}: {value!r} is no {hint}")
    return read


def _many(item: Reader) -> Reader:
    def read(value: Any, where: str) -> tuple[Any, ...]:
        if not isinstance(value, (list, tuple)):
            raise UnreadableItem(f"{where}: {value!r} is not a list")
        return tuple(item(v, where) for v in value)
    return read


def _fixed(parts: list[Reader]) -> Reader:
    def read(value: Any, where: str) -> tuple[Any, ...]:
        if not isinstance(value, (list, tuple)) or len(value) != len(parts):
            raise UnreadableItem(f"{where}: {value!r} is not a list of {len(parts)}")
        return tuple(part(v, where) for part, v in zip(parts, value, strict=True))
    return read


# Each type's fields: name, required, and its checker, worked out once at import.
_FIELDS: dict[type, list[tuple[str, bool, Reader]]] = {
    cls: [(f.name, f.default is dataclasses.MISSING, _reader(typing.get_type_hints(cls)[f.name]))
          for f in dataclasses.fields(cls)]
    for cls in _TYPES.values()}
