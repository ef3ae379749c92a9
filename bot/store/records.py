"""Plain records the store returns (no SQL here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.engine.conversation import Conversation


@dataclass(frozen=True)
class Ticket:
    id: int
    chat_id: int
    status: str
    reason: str
    state: str
    milestone: str
    attempts: int
    operator_id: int | None
    operator_name: str | None
    opened_at: float
    taken_at: float | None
    first_reply_at: float | None
    closed_at: float | None
    outcome: str | None
    operators_reminded_at: float | None
    resident_told_at: float | None
    group_id: int | None = None  # the operators' group that serves it (None: the Disdukcapil group)
    resolution: str | None = None  # how it ended, chosen by the operator (bot/desk/review.py)
    rating: int | None = None  # the resident's 👍 (1) or 👎 (-1) after the handoff


_TICKET_COLUMNS = ("id, chat_id, status, reason, state, milestone, attempts, operator_id, operator_name, opened_at, "
                   "taken_at, first_reply_at, closed_at, outcome, operators_reminded_at, resident_told_at, group_id, "
                   "resolution, rating")


@dataclass(frozen=True)
class StoredConversation:
    chat_id: int
    conversation: Conversation
    locale: str
    active: bool
    first_name: str | None = None


@dataclass(frozen=True)
class OutboxItem:
    id: int
    chat_id: int
    payload: dict[str, Any]
    attempts: int
