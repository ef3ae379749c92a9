"""Residents: their conversation, profile (first name, latest photo), reminder and whether they
blocked the bot. One row per resident in ``conversations``; no other table is touched here."""

from __future__ import annotations

import enum
import json
from typing import Any

from bot.engine.conversation import Conversation
from bot.store.database import Database, to_json
from bot.store.records import StoredConversation


class Keep(enum.Enum):
    """save(remind_at=KEEP, first_name=KEEP): leave the reminder, the name as they are."""

    KEEP = "keep"


KEEP = Keep.KEEP


def _name(first_name: str | None) -> str | None:
    return (first_name or "")[:64] or None


class Residents:
    """The residents' conversations (no in-memory copy: every read sees the database)."""

    def __init__(self, db: Database):
        self.db = db

    def load(self, chat_id: int) -> StoredConversation | None:
        row = self.db.execute("SELECT data, locale, active, first_name FROM conversations WHERE chat_id = ?",
                              (chat_id,)).fetchone()
        if row is None:
            return None
        return StoredConversation(chat_id, Conversation.from_dict(json.loads(row[0])), row[1], bool(row[2]), row[3])

    def save(self, chat_id: int, conv: Conversation, *, locale: str, milestone: str,
             remind_at: float | Keep | None = KEEP, first_name: str | Keep | None = KEEP) -> None:
        """Insert or update the conversation; it also re-activates the resident (they wrote to us)
        and, unless KEEP, sets the reminder and the first name, all in one statement."""
        now = self.db.clock()
        keep_remind, keep_name = remind_at is KEEP, first_name is KEEP
        name = None if first_name is KEEP else _name(first_name)
        self.db.execute(
            """INSERT INTO conversations (chat_id, locale, state, milestone, handoff, data, created_at, updated_at,
                                          remind_at, first_name)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(chat_id) DO UPDATE SET locale = excluded.locale, state = excluded.state,
                 milestone = excluded.milestone, handoff = excluded.handoff, data = excluded.data,
                 updated_at = excluded.updated_at, active = 1,
                 remind_at = CASE WHEN ? = 1 THEN conversations.remind_at ELSE excluded.remind_at END,
                 first_name = CASE WHEN ? = 1 THEN conversations.first_name ELSE excluded.first_name END""",
            (chat_id, locale, conv.state, milestone, int(conv.handoff), to_json(conv.to_dict()),
             now, now, None if keep_remind else remind_at, name, int(keep_remind), int(keep_name)))

    def set_active(self, chat_id: int, active: bool) -> tuple[str | None, str | None] | None:
        """Mark the resident blocked (False) or reachable again. None if nothing changed (almost
        always: a resident's every message re-activates them); else where they were
        (milestone, kecamatan), for the journey's "stopped" count."""
        changed = self.db.execute("UPDATE conversations SET active = ? WHERE chat_id = ? AND active != ?",
                                  (int(active), chat_id, int(active))).rowcount
        if not changed:
            return None
        row = self.db.execute("SELECT milestone, data FROM conversations WHERE chat_id = ?", (chat_id,)).fetchone()
        kecamatan = json.loads(row[1]).get("facts", {}).get("kecamatan") if row else None
        return (row[0] if row else None, kecamatan)

    def is_active(self, chat_id: int) -> bool:
        """False only for a resident who blocked the bot (an unknown chat counts as active)."""
        row = self.db.execute("SELECT active FROM conversations WHERE chat_id = ?", (chat_id,)).fetchone()
        return row is None or bool(row[0])

    def erase(self, chat_id: int) -> int:
        """/hapusdata: the resident's conversation goes; how many rows (0 or 1)."""
        return self.db.execute("DELETE FROM conversations WHERE chat_id = ?", (chat_id,)).rowcount

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM conversations").fetchone()[0]

    # ----- reminders ----------------------------------------------------------------------
    def set_reminder(self, chat_id: int, at: float | None) -> None:
        self.db.execute("UPDATE conversations SET remind_at = ? WHERE chat_id = ?", (at, chat_id))

    def due_reminders(self, now: float, limit: int = 100) -> list[int]:
        rows = self.db.execute("SELECT chat_id FROM conversations WHERE remind_at IS NOT NULL AND remind_at <= ? "
                               "AND active = 1 LIMIT ?", (now, limit)).fetchall()
        return [r[0] for r in rows]

    # ----- profile ------------------------------------------------------------------------
    def first_name(self, chat_id: int) -> str | None:
        row = self.db.execute("SELECT first_name FROM conversations WHERE chat_id = ?", (chat_id,)).fetchone()
        return row[0] if row else None

    def set_last_media(self, chat_id: int, message_id: int | None, kind: str | None, caption: str = "") -> None:
        """The resident's latest photo (or other media), with its caption already masked."""
        value = (to_json({"message_id": message_id, "kind": kind, "at": self.db.clock(), "caption": caption})
                 if message_id else None)
        self.db.execute("UPDATE conversations SET last_media = ? WHERE chat_id = ?", (value, chat_id))

    def last_media(self, chat_id: int) -> dict[str, Any] | None:
        row = self.db.execute("SELECT last_media FROM conversations WHERE chat_id = ?", (chat_id,)).fetchone()
        return json.loads(row[0]) if row and row[0] else None
