"""Messages in and out: the durable inbox of updates and the outbox of sends."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.store.database import Database, to_json
from bot.store.records import OutboxItem


def _json_value(value: Any) -> Any:
    """What json cannot write itself. python-telegram-bot's to_dict() leaves the date of an
    inaccessible message (a pinned or pressed message older than 48 h: date 0) a datetime."""
    if isinstance(value, datetime):
        return int(value.timestamp())
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_update_json = json.JSONEncoder(ensure_ascii=False, default=_json_value).encode


class MessageQueues(Database):
    # ----- inbox --------------------------------------------------------------------------
    def keep_update(self, update_id: int, data: dict[str, Any]) -> None:
        self._run("INSERT OR IGNORE INTO inbox (update_id, data, received_at) VALUES (?, ?, ?)",
                  (update_id, _update_json(data), self.clock()))

    def unhandled_updates(self) -> list[dict[str, Any]]:
        rows = self._run("SELECT data FROM inbox WHERE handled_at IS NULL ORDER BY update_id").fetchall()
        return [json.loads(r[0]) for r in rows]

    def claim_update(self, update_id: int) -> bool:
        """Record update ``update_id`` as handled (its stored text erased); False if it was
        handled before (a redelivery after a crash). Inside the step's transaction, the claim
        and the step commit together."""
        if self._run("UPDATE inbox SET handled_at = ?, data = '' WHERE update_id = ? AND handled_at IS NULL",
                     (self.clock(), update_id)).rowcount:
            return True
        # Not stored (keeping it failed) or handled before; an id handled before version 4 of
        # the schema is in processed.
        if self._run("SELECT 1 FROM inbox WHERE update_id = ?", (update_id,)).fetchone() is not None:
            return False
        if self._run("SELECT 1 FROM processed WHERE source = 'telegram' AND input_id = ?", (str(update_id),)).fetchone():
            return False
        self._run("INSERT INTO inbox (update_id, data, received_at, handled_at) VALUES (?, '', ?, ?)",
                  (update_id, self.clock(), self.clock()))
        return True

    def quarantine(self, update_id: int, text: str, reason: str) -> bool:
        """Keep an update that could not be read (``text`` already masked); False if kept before."""
        return bool(self._run("INSERT OR IGNORE INTO quarantine (update_id, data, reason, received_at) "
                              "VALUES (?, ?, ?, ?)", (update_id, text, reason, self.clock())).rowcount)

    def quarantined(self) -> list[tuple[int, str, str]]:
        return [tuple(r) for r in self._run("SELECT update_id, data, reason FROM quarantine ORDER BY update_id")]

    def purge_handled(self, older_than: float) -> int:
        """Forget handled updates, quarantined ones and delivered (or undeliverable) messages older than this."""
        removed = self._purge_older("inbox", "handled_at", older_than)
        removed += self._purge_older("quarantine", "received_at", older_than)
        return removed + self._purge_older("outbox", "COALESCE(sent_at, CASE WHEN failed IS NOT NULL THEN created_at END)",
                                           older_than)

    # ----- outbox -------------------------------------------------------------------------
    # Pending items are mirrored in memory (committed rows only, see Database._when_committed),
    # so the delivery takes its next item and the flood check counts a resident's queue without
    # a query. The bot's process owns its database: the mirror is filled once at start and kept
    # by the methods below, the only writers of the outbox.
    def _load_mirrors(self) -> None:
        super()._load_mirrors()
        self._pending: dict[int, dict[int, OutboxItem]] = {}  # chat -> id -> item, oldest first
        self._pending_chat: dict[int, int] = {}  # id -> chat
        self._enqueued: set[int] = set()
        self._sent_later: list[tuple[float, int]] = []
        rows = self._run("SELECT id, chat_id, payload, attempts FROM outbox WHERE sent_at IS NULL AND failed IS NULL "
                         "ORDER BY id").fetchall()
        for r in rows:
            self._remember_pending(OutboxItem(r[0], r[1], json.loads(r[2]), r[3]))

    def _remember_pending(self, item: OutboxItem) -> None:
        with self._lock:
            self._pending.setdefault(item.chat_id, {})[item.id] = item
            self._pending_chat[item.id] = item.chat_id
            self._enqueued.add(item.chat_id)

    def _forget_pending(self, item_id: int) -> None:
        with self._lock:
            chat_id = self._pending_chat.pop(item_id, None)
            items = self._pending.get(chat_id) if chat_id is not None else None
            if items is not None:
                items.pop(item_id, None)
                if not items:
                    del self._pending[chat_id]

    def forget_pending(self, item_id: int) -> None:
        """Stop offering an item in this process (its row stays pending: offered after a restart)."""
        self._forget_pending(item_id)

    def _forget_pending_chat(self, chat_id: int) -> None:
        with self._lock:
            for item_id in self._pending.pop(chat_id, {}):
                self._pending_chat.pop(item_id, None)

    def enqueue(self, chat_id: int, payload: dict[str, Any]) -> int:
        """Queue one item for ``chat_id`` (the payload is kept as given: do not change it after)."""
        cur = self._run("INSERT INTO outbox (chat_id, payload, created_at) VALUES (?, ?, ?)",
                        (chat_id, to_json(payload), self.clock()))
        item = OutboxItem(int(cur.lastrowid or 0), chat_id, payload, 0)
        self._when_committed(_Remember(self, item))
        return item.id

    def take_enqueued_chats(self) -> set[int]:
        """Chats that got outbox items since the last call: the delivery's hint, so it need not
        look at every chat with pending items after every update."""
        with self._lock:
            chats, self._enqueued = self._enqueued, set()
        return chats

    def pending(self, limit: int = 500) -> list[OutboxItem]:
        with self._lock:
            items = sorted((i for chat in self._pending.values() for i in chat.values()), key=lambda i: i.id)
        return items[:limit]

    def pending_chats(self, limit: int = 1000) -> list[int]:
        """Chats with pending items, the one waiting longest first."""
        with self._lock:
            firsts = sorted((next(iter(items)), chat) for chat, items in self._pending.items())
        return [chat for _, chat in firsts[:limit]]

    def pending_for(self, chat_id: int) -> list[OutboxItem]:
        """One chat's pending items, oldest first."""
        with self._lock:
            return list(self._pending.get(chat_id, {}).values())

    def pending_of_kind(self, chat_id: int, kind: str, resident: int, after_id: int, limit: int = 20) -> list[OutboxItem]:
        """Following queued items of one kind for one resident (to merge a burst of relays).
        Other residents' items in between are skipped (each resident has their own topic, so
        their order does not matter); another kind of item for this resident ends the run, or
        the order in their topic would change."""
        items: list[OutboxItem] = []
        for item in self.pending_for(chat_id):
            if item.id <= after_id or item.payload.get("resident") != resident:
                continue
            if item.payload.get("kind") != kind or len(items) >= limit:
                break
            items.append(item)
        return items

    def next_for(self, chat_id: int) -> OutboxItem | None:
        """The chat's oldest pending item, and whether the resident is active (not blocked)."""
        with self._lock:
            items = self._pending.get(chat_id)
            item = next(iter(items.values())) if items else None
        if item is None or self.is_active(chat_id):
            return item
        return replace(item, active=False)

    def count_pending(self) -> int:
        with self._lock:
            return len(self._pending_chat)

    def count_pending_for(self, chat_id: int) -> int:
        """Replies queued for one resident and not yet delivered (flood detection), counting
        those queued in the transaction still open."""
        with self._lock:
            queued_now = sum(1 for a in self._after_commit if isinstance(a, _Remember) and a.item.chat_id == chat_id)
            return len(self._pending.get(chat_id, ())) + queued_now

    # The delivery's verdicts (sent, failed, undeliverable) take the items out of the mirror at
    # once, not on commit: a sender asks next_for() again right after, maybe while a transaction
    # is open, and must never be offered the same item twice (a duplicate, or a loop without an
    # await). Should that transaction fail to commit, the items wait for the next start.
    def mark_sent(self, item_id: int) -> None:
        self._run("UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ?", (self.clock(), item_id))
        self._forget_pending(item_id)

    def mark_sent_later(self, item_id: int) -> None:
        """Sent: no longer offered by next_for at once; written by the next write_sent() (the
        delivery's marks of one turn go in one statement, cheaper than one each)."""
        with self._lock:
            self._forget_pending(item_id)
            self._sent_later.append((self.clock(), item_id))

    def take_sent(self) -> list[tuple[float, int]]:
        """The sent-marks kept by mark_sent_later, for write_sent."""
        with self._lock:
            marks, self._sent_later = self._sent_later, []
        return marks

    def write_sent(self, marks: list[tuple[float, int]] | None = None) -> int:
        """Write sent-marks (by default those kept by mark_sent_later), in the open transaction if any."""
        if marks is None:
            marks = self.take_sent()
        if marks:
            with self._lock:
                if self._lost:
                    raise sqlite3.OperationalError("the transaction was rolled back")
                self._db.executemany("UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ?", marks)
        return len(marks)

    def keep_sent_for_later(self, marks: list[tuple[float, int]]) -> None:
        """The transaction carrying these marks failed: write them with the next one (the
        messages did leave; marking them again is what keeps them from being sent twice)."""
        with self._lock:
            self._sent_later[:0] = marks

    def mark_attempt(self, item_id: int) -> None:
        self._run("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", (item_id,))

    def mark_failed(self, item_id: int, reason: str) -> None:
        self._run("UPDATE outbox SET failed = ?, attempts = attempts + 1 WHERE id = ?", (reason, item_id))
        self._forget_pending(item_id)

    def drop_pending_for(self, chat_id: int, reason: str) -> int:
        """A resident blocked the bot: what was queued for them can never be delivered."""
        count = self._run("UPDATE outbox SET failed = ? WHERE chat_id = ? AND sent_at IS NULL AND failed IS NULL",
                          (reason, chat_id)).rowcount
        self._forget_pending_chat(chat_id)
        return count

    def delete_outbox_of(self, chat_id: int) -> None:
        """Erasure: every item for this chat goes, sent or not."""
        self._run("DELETE FROM outbox WHERE chat_id = ?", (chat_id,))
        self._when_committed(lambda: self._forget_pending_chat(chat_id))


    def move_items_about(self, from_chat: int, to_chat: int, resident: int, kinds: tuple[str, ...]) -> int:
        """/pindah: items of these kinds about one resident still waiting for one group are
        queued for another instead, in their order (after whatever that group has already)."""
        marks = ",".join("?" * len(kinds))
        rows = self._run(f"SELECT id, payload FROM outbox WHERE chat_id = ? AND sent_at IS NULL AND failed IS NULL "
                         "AND json_extract(payload, '$.resident') = ? "
                         f"AND json_extract(payload, '$.kind') IN ({marks}) "
                         "ORDER BY id", (from_chat, resident, *kinds)).fetchall()
        for item_id, payload in rows:
            self._run("DELETE FROM outbox WHERE id = ?", (item_id,))
            self.enqueue(to_chat, json.loads(payload))
        ids: list[int] = [r[0] for r in rows]

        def forget() -> None:
            for item_id in ids:
                self._forget_pending(item_id)
        self._when_committed(forget)
        return len(rows)

    def delete_items_about(self, chat_id: int, resident: int) -> None:
        """Erasure: the operators' group's items about one resident (cards, relays) go, sent or not."""
        rows = self._run("SELECT id FROM outbox WHERE chat_id = ? AND json_extract(payload, '$.resident') = ?",
                         (chat_id, resident)).fetchall()
        ids = [r[0] for r in rows]
        self._run("DELETE FROM outbox WHERE chat_id = ? AND json_extract(payload, '$.resident') = ?", (chat_id, resident))
        self._when_committed(lambda: [self._forget_pending(i) for i in ids])


class _Remember:
    """After commit: an enqueued item joins the pending mirror (a class, so that the items of
    the open transaction can be counted)."""

    __slots__ = ("queues", "item")

    def __init__(self, queues: MessageQueues, item: OutboxItem):
        self.queues = queues
        self.item = item

    def __call__(self) -> None:
        self.queues._remember_pending(self.item)
