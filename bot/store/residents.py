"""Residents: conversations, profile, idempotency, transcript, events and reminders."""

from __future__ import annotations

import json
from typing import Any

from bot.engine.conversation import Conversation
from bot.store.database import Database
from bot.store.records import StoredConversation

KEEP = object()  # save(remind_at=KEEP): leave the reminder as it is


class ResidentRecords(Database):
    # Residents who blocked the bot, mirrored in memory (committed rows only) so the delivery
    # checks each item's recipient without a query; kept by save, set_active and erase_resident.
    def _load_mirrors(self) -> None:
        super()._load_mirrors()
        self._inactive: set[int] = {r[0] for r in self._run("SELECT chat_id FROM conversations WHERE active = 0")}

    # ----- conversations ------------------------------------------------------------------
    def load(self, chat_id: int) -> StoredConversation | None:
        row = self._run("SELECT data, locale, active, first_name FROM conversations WHERE chat_id = ?", (chat_id,)).fetchone()
        if row is None:
            return None
        return StoredConversation(chat_id, Conversation.from_dict(json.loads(row[0])), row[1], bool(row[2]), row[3])

    def save(self, chat_id: int, conv: Conversation, *, locale: str, milestone: str,
             remind_at: float | None | object = KEEP) -> None:
        """Insert or update the conversation; it also re-activates the resident (they wrote to us)
        and, unless KEEP, sets the reminder, all in one statement."""
        now = self.clock()
        keep = remind_at is KEEP
        self._run(
            """INSERT INTO conversations (chat_id, locale, state, milestone, handoff, data, created_at, updated_at, remind_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(chat_id) DO UPDATE SET locale = excluded.locale, state = excluded.state,
                 milestone = excluded.milestone, handoff = excluded.handoff, data = excluded.data,
                 updated_at = excluded.updated_at, active = 1,
                 remind_at = CASE WHEN ? THEN remind_at ELSE excluded.remind_at END""",
            (chat_id, locale, conv.state, milestone, int(conv.handoff), json.dumps(conv.to_dict(), ensure_ascii=False),
             now, now, None if keep else remind_at, int(keep)))
        if chat_id in self._inactive:
            self._when_committed(lambda: self._inactive.discard(chat_id))

    def set_active(self, chat_id: int, active: bool) -> None:
        # Only a change writes: a resident's every message re-activates them, almost always a no-op.
        changed = self._run("UPDATE conversations SET active = ? WHERE chat_id = ? AND active != ?",
                            (int(active), chat_id, int(active))).rowcount
        if changed:
            self._when_committed(lambda: (self._inactive.discard if active else self._inactive.add)(chat_id))

    def is_active(self, chat_id: int) -> bool:
        """False only for a resident who blocked the bot (an unknown chat counts as active)."""
        return chat_id not in self._inactive

    def erase_resident(self, chat_id: int) -> None:
        """/hapusdata: everything stored about this resident goes."""
        for table in ("conversations", "transcript", "events", "tickets", "topics"):
            self._run(f"DELETE FROM {table} WHERE chat_id = ?", (chat_id,))
        self.delete_outbox_of(chat_id)  # type: ignore[attr-defined]  (bot.store.messages: keeps its mirror)
        self._when_committed(lambda: self._inactive.discard(chat_id))

    def count_conversations(self) -> int:
        return self._run("SELECT COUNT(*) FROM conversations").fetchone()[0]

    # ----- idempotency --------------------------------------------------------------------
    def already_processed(self, source: str, input_id: str) -> bool:
        return self._run("SELECT 1 FROM processed WHERE source = ? AND input_id = ?", (source, input_id)).fetchone() is not None

    def mark_processed(self, source: str, input_id: str) -> None:
        self._run("INSERT OR IGNORE INTO processed VALUES (?, ?, ?)", (source, input_id, self.clock()))

    # ----- transcript and events ----------------------------------------------------------
    def add_transcript(self, chat_id: int, direction: str, kind: str, text: str, *, state: str | None = None,
                       intent: str | None = None, matched: tuple[str, ...] = ()) -> None:
        self.add_transcripts([(chat_id, direction, kind, text, state, intent, matched)])

    def add_transcripts(self, rows: list[tuple[int, str, str, str, str | None, str | None, tuple[str, ...]]]) -> None:
        """Several transcript lines in one call (a step's input and its reply)."""
        at = self.clock()
        with self._lock:
            self._db.executemany(
                "INSERT INTO transcript (chat_id, at, direction, kind, text, state, intent, matched) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(c, at, d, k, t, s, i, json.dumps(list(m), ensure_ascii=False) if m else None) for c, d, k, t, s, i, m in rows])

    def transcript(self, chat_id: int, limit: int = 50) -> list[dict[str, Any]]:
        rows = self._run("SELECT at, direction, kind, text, state, intent FROM transcript WHERE chat_id = ? ORDER BY id DESC LIMIT ?",
                         (chat_id, limit)).fetchall()
        return [dict(zip(("at", "direction", "kind", "text", "state", "intent"), r)) for r in reversed(rows)]

    def purge_transcripts(self, older_than: float) -> int:
        return self._run("DELETE FROM transcript WHERE at < ?", (older_than,)).rowcount

    def record_event(self, chat_id: int, kind: str, *, state: str | None = None, milestone: str | None = None,
                     detail: str | None = None) -> None:
        self._run("INSERT INTO events (chat_id, at, kind, state, milestone, detail) VALUES (?, ?, ?, ?, ?, ?)",
                  (chat_id, self.clock(), kind, state, milestone, detail))

    # ----- reminders ----------------------------------------------------------------------
    def set_reminder(self, chat_id: int, at: float | None) -> None:
        self._run("UPDATE conversations SET remind_at = ? WHERE chat_id = ?", (at, chat_id))

    def due_reminders(self, now: float, limit: int = 100) -> list[int]:
        rows = self._run("SELECT chat_id FROM conversations WHERE remind_at IS NOT NULL AND remind_at <= ? AND active = 1 LIMIT ?",
                         (now, limit)).fetchall()
        return [r[0] for r in rows]

    # ----- residents' profile -------------------------------------------------------------
    def set_profile(self, chat_id: int, first_name: str | None) -> None:
        self._run("UPDATE conversations SET first_name = ? WHERE chat_id = ?", ((first_name or "")[:64] or None, chat_id))

    def first_name(self, chat_id: int) -> str | None:
        row = self._run("SELECT first_name FROM conversations WHERE chat_id = ?", (chat_id,)).fetchone()
        return row[0] if row else None

    def set_last_media(self, chat_id: int, message_id: int | None, kind: str | None) -> None:
        value = json.dumps({"message_id": message_id, "kind": kind, "at": self.clock()}) if message_id else None
        self._run("UPDATE conversations SET last_media = ? WHERE chat_id = ?", (value, chat_id))

    def last_media(self, chat_id: int) -> dict[str, Any] | None:
        row = self._run("SELECT last_media FROM conversations WHERE chat_id = ?", (chat_id,)).fetchone()
        return json.loads(row[0]) if row and row[0] else None
