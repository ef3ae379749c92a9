"""Residents: conversations, profile, idempotency, transcript, events and reminders."""

from __future__ import annotations

import enum
import json
from collections import OrderedDict
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


class ResidentRecords(Database):
    RECENT = 2048  # conversations kept in memory: about the residents talking now

    # Residents who blocked the bot, mirrored in memory (committed rows only) so the delivery
    # checks each item's recipient without a query; kept by save, set_active and erase_resident.
    #
    # The conversations of the residents talking now are kept too, so their next input skips the
    # query and the JSON. Only committed values are kept: every write to a conversation drops
    # its entry at once (a read later in the same transaction goes to the database and sees the
    # write) and, on commit, puts the new value back or leaves it out; every read that missed
    # fills the entry on commit. After-commit actions run in the order they were registered, so
    # the last one for a chat always reflects every write before it.
    def _load_mirrors(self) -> None:
        super()._load_mirrors()
        self._inactive: set[int] = {r[0] for r in self._run("SELECT chat_id FROM conversations WHERE active = 0")}
        self._recent: OrderedDict[int, StoredConversation] = OrderedDict()

    def _keep_recent(self, stored: StoredConversation) -> None:
        with self._lock:
            self._recent[stored.chat_id] = stored
            self._recent.move_to_end(stored.chat_id)
            if len(self._recent) > self.RECENT:
                self._recent.popitem(last=False)

    def _changed(self, chat_id: int, after: StoredConversation | None = None) -> None:
        """A write to ``chat_id``'s conversation: its entry goes now; on commit it becomes
        ``after`` (when the whole new value is known) or stays out."""
        with self._lock:
            self._recent.pop(chat_id, None)
        if after is not None:
            self._when_committed(lambda: self._keep_recent(after))
        else:
            self._when_committed(lambda: self._recent.pop(chat_id, None))

    # ----- conversations ------------------------------------------------------------------
    def load(self, chat_id: int) -> StoredConversation | None:
        with self._lock:
            stored = self._recent.get(chat_id)
            if stored is not None:
                self._recent.move_to_end(chat_id)
                return stored
            row = self._run("SELECT data, locale, active, first_name FROM conversations WHERE chat_id = ?", (chat_id,)).fetchone()
            if row is None:
                return None
            stored = StoredConversation(chat_id, Conversation.from_dict(json.loads(row[0])), row[1], bool(row[2]), row[3])
            self._when_committed(lambda: self._keep_recent(stored))
            return stored

    def save(self, chat_id: int, conv: Conversation, *, locale: str, milestone: str,
             remind_at: float | None | Keep = KEEP, first_name: str | None | Keep = KEEP) -> None:
        """Insert or update the conversation; it also re-activates the resident (they wrote to us)
        and, unless KEEP, sets the reminder and the first name, all in one statement."""
        now = self.clock()
        keep_remind, keep_name = remind_at is KEEP, first_name is KEEP
        name = None if first_name is KEEP else _name(first_name)
        self._run(
            """INSERT INTO conversations (chat_id, locale, state, milestone, handoff, data, created_at, updated_at,
                                          remind_at, first_name)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(chat_id) DO UPDATE SET locale = excluded.locale, state = excluded.state,
                 milestone = excluded.milestone, handoff = excluded.handoff, data = excluded.data,
                 updated_at = excluded.updated_at, active = 1,
                 remind_at = CASE WHEN ? THEN remind_at ELSE excluded.remind_at END,
                 first_name = CASE WHEN ? THEN first_name ELSE excluded.first_name END""",
            (chat_id, locale, conv.state, milestone, int(conv.handoff), to_json(conv.to_dict()),
             now, now, None if keep_remind else remind_at, name, int(keep_remind), int(keep_name)))
        if keep_name:
            with self._lock:
                before = self._recent.get(chat_id)
            after = StoredConversation(chat_id, conv, locale, True, before.first_name) if before else None
        else:
            after = StoredConversation(chat_id, conv, locale, True, name)
        self._changed(chat_id, after)
        if chat_id in self._inactive:
            self._when_committed(lambda: self._inactive.discard(chat_id))

    def set_active(self, chat_id: int, active: bool) -> None:
        # Only a change writes: a resident's every message re-activates them, almost always a no-op.
        changed = self._run("UPDATE conversations SET active = ? WHERE chat_id = ? AND active != ?",
                            (int(active), chat_id, int(active))).rowcount
        self._changed(chat_id)
        if changed:
            self._when_committed(lambda: (self._inactive.discard if active else self._inactive.add)(chat_id))
            if not active:  # blocking the bot stops everything: counted in the funnel as "stopped"
                row = self._run("SELECT milestone, data FROM conversations WHERE chat_id = ?", (chat_id,)).fetchone()
                kecamatan = json.loads(row[1]).get("facts", {}).get("kecamatan") if row else None
                self.add_journey(chat_id, "stopped", row[0] if row else None, kecamatan,  # type: ignore[attr-defined]
                                 detail="blocked")

    def is_active(self, chat_id: int) -> bool:
        """False only for a resident who blocked the bot (an unknown chat counts as active)."""
        return chat_id not in self._inactive

    def erase_resident(self, chat_id: int) -> dict[str, int]:
        """/hapusdata: everything stored about this resident goes; how many rows of each kind."""
        counts = {}
        for table in ("conversations", "transcript", "events", "tickets", "topics"):
            counts[table] = self._run(f"DELETE FROM {table} WHERE chat_id = ?", (chat_id,)).rowcount
        self.delete_outbox_of(chat_id)  # type: ignore[attr-defined]  (bot.store.messages: keeps its mirror)
        self.erase_journey(chat_id)  # type: ignore[attr-defined]  (bot.store.journey)
        self._changed(chat_id)
        self._when_committed(lambda: self._inactive.discard(chat_id))
        return counts

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
                [(c, at, d, k, t, s, i, to_json(list(m)) if m else None) for c, d, k, t, s, i, m in rows])

    def transcript(self, chat_id: int, limit: int = 50) -> list[dict[str, Any]]:
        rows = self._run("SELECT at, direction, kind, text, state, intent FROM transcript WHERE chat_id = ? ORDER BY id DESC LIMIT ?",
                         (chat_id, limit)).fetchall()
        return [dict(zip(("at", "direction", "kind", "text", "state", "intent"), r)) for r in reversed(rows)]

    def purge_transcripts(self, older_than: float) -> int:
        return self._purge_older("transcript", "at", older_than)

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
    def first_name(self, chat_id: int) -> str | None:
        row = self._run("SELECT first_name FROM conversations WHERE chat_id = ?", (chat_id,)).fetchone()
        return row[0] if row else None

    def set_last_media(self, chat_id: int, message_id: int | None, kind: str | None, caption: str = "") -> None:
        """The resident's latest photo (or other media), with its caption already masked."""
        value = to_json({"message_id": message_id, "kind": kind, "at": self.clock(), "caption": caption}) if message_id else None
        self._run("UPDATE conversations SET last_media = ? WHERE chat_id = ?", (value, chat_id))

    def last_media(self, chat_id: int) -> dict[str, Any] | None:
        row = self._run("SELECT last_media FROM conversations WHERE chat_id = ?", (chat_id,)).fetchone()
        return json.loads(row[0]) if row and row[0] else None
