"""How the desk reaches operators: the OperatorChannel protocol, and a silent one.

The Telegram forum group (bot/desk/telegram.py ForumChannel) is the channel in production; the
silent one serves simulate and the terminal chat, where tickets exist but nobody reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.outbox import InlineRows
from bot.store import Store, Ticket


@dataclass(frozen=True)
class Operator:
    id: int
    name: str


class OperatorChannel(Protocol):
    """How the desk reaches operators (all calls happen inside a store transaction)."""

    def ticket_opened(self, store: Store, ticket: Ticket, title: str, card: str) -> None: ...
    def to_topic(self, store: Store, resident: int, text: str) -> None: ...
    def media_to_topic(self, store: Store, resident: int, from_chat: int, message_id: int, caption: str | None = None,
                       delete_after: bool = False) -> None: ...
    def ticket_closed(self, store: Store, resident: int, text: str, buttons: InlineRows = ()) -> None: ...
    def ticket_moved(self, store: Store, resident: int, old_group: int, text: str) -> None: ...
    def resident_erased(self, store: Store, resident: int, topic_id: int | None, note: str = "") -> None: ...

    @property
    def copies_media(self) -> bool: ...


class SilentChannel:
    """No operators' group (simulate, tests of the resident side): tickets still exist."""

    def ticket_opened(self, store: Store, ticket: Ticket, title: str, card: str) -> None:
        pass

    def to_topic(self, store: Store, resident: int, text: str) -> None:
        pass

    def media_to_topic(self, store: Store, resident: int, from_chat: int, message_id: int, caption: str | None = None,
                       delete_after: bool = False) -> None:
        pass

    def ticket_closed(self, store: Store, resident: int, text: str, buttons: InlineRows = ()) -> None:
        pass

    def ticket_moved(self, store: Store, resident: int, old_group: int, text: str) -> None:
        pass

    def resident_erased(self, store: Store, resident: int, topic_id: int | None, note: str = "") -> None:
        pass

    copies_media = False  # nothing is copied, so a message to delete is deleted by the guide
