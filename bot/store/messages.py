"""Messages in and out: the durable inbox of updates and the outbox of sends."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.store.database import Database
from bot.store.records import OutboxItem


def _json_value(value: Any) -> Any:
    """What json cannot write itself. python-telegram-bot's to_dict() leaves the date of an
    inaccessible message (a pinned or pressed message older than 48 h: date 0) a datetime."""
    if isinstance(value, datetime):
        return int(value.timestamp())
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class MessageQueues(Database):
    # ----- inbox --------------------------------------------------------------------------
    def keep_update(self, update_id: int, data: dict[str, Any]) -> None:
        self._run("INSERT OR IGNORE INTO inbox (update_id, data, received_at) VALUES (?, ?, ?)",
                  (update_id, json.dumps(data, ensure_ascii=False, default=_json_value), self.clock()))

    def unhandled_updates(self) -> list[dict[str, Any]]:
        rows = self._run("SELECT data FROM inbox ORDER BY update_id").fetchall()
        return [json.loads(r[0]) for r in rows]

    def forget_update(self, update_id: int) -> None:
        self._run("DELETE FROM inbox WHERE update_id = ?", (update_id,))

    # ----- outbox -------------------------------------------------------------------------
    def enqueue(self, chat_id: int, payload: dict[str, Any]) -> int:
        cur = self._run("INSERT INTO outbox (chat_id, payload, created_at) VALUES (?, ?, ?)",
                        (chat_id, json.dumps(payload, ensure_ascii=False), self.clock()))
        self._enqueued.add(chat_id)
        return int(cur.lastrowid or 0)

    def take_enqueued_chats(self) -> set[int]:
        """Chats that got outbox items since the last call: the delivery's hint, so it need not
        scan the outbox after every update (it still scans now and then, which is the truth)."""
        with self._lock:
            chats, self._enqueued = self._enqueued, set()
        return chats

    def pending(self, limit: int = 500) -> list[OutboxItem]:
        rows = self._run("SELECT id, chat_id, payload, attempts FROM outbox WHERE sent_at IS NULL AND failed IS NULL ORDER BY id LIMIT ?",
                         (limit,)).fetchall()
        return [OutboxItem(r[0], r[1], json.loads(r[2]), r[3]) for r in rows]

    def pending_chats(self, limit: int = 1000) -> list[int]:
        rows = self._run("SELECT chat_id FROM outbox WHERE sent_at IS NULL AND failed IS NULL GROUP BY chat_id ORDER BY MIN(id) LIMIT ?",
                         (limit,)).fetchall()
        return [r[0] for r in rows]

    def next_for(self, chat_id: int) -> OutboxItem | None:
        """The chat's oldest pending item, and (in the same query) whether the resident is active."""
        row = self._run("SELECT o.id, o.chat_id, o.payload, o.attempts, COALESCE(c.active, 1) FROM outbox o "
                        "LEFT JOIN conversations c ON c.chat_id = o.chat_id WHERE o.chat_id = ? AND o.sent_at IS NULL "
                        "AND o.failed IS NULL ORDER BY o.id LIMIT 1", (chat_id,)).fetchone()
        return OutboxItem(row[0], row[1], json.loads(row[2]), row[3], bool(row[4])) if row else None

    def count_pending(self) -> int:
        return self._run("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed IS NULL").fetchone()[0]

    def count_pending_for(self, chat_id: int) -> int:
        """Replies queued for one resident and not yet delivered (flood detection)."""
        return self._run("SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND sent_at IS NULL AND failed IS NULL",
                         (chat_id,)).fetchone()[0]

    def mark_sent(self, item_id: int) -> None:
        self._run("UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ?", (self.clock(), item_id))

    def mark_attempt(self, item_id: int) -> None:
        self._run("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", (item_id,))

    def mark_failed(self, item_id: int, reason: str) -> None:
        self._run("UPDATE outbox SET failed = ?, attempts = attempts + 1 WHERE id = ?", (reason, item_id))
