"""Messages out: the outbox of sends, and the delivery's view of its pending items.

On SQLite (``Outbox``) the pending items are mirrored in memory: the delivery takes each chat's
next item and the flood check counts a resident's queue without a query. This is the store's one
mirror, and it has one rule: it shows committed rows only. An enqueued item joins it when its
transaction commits (never, if that is undone); the delivery's verdicts (sent, failed, forgotten)
take items out at once, so an item is never offered twice. It is filled once at start, and the
methods below are the only writers of the outbox: right because the bot's one process is the
only writer of its SQLite database.

On PostgreSQL (``SharedOutbox``) several bot processes may write the outbox, so the mirror is
turned off, not invalidated: every read asks the database (a few indexed rows; Telegram's 30
messages a second is far below what that costs). What stays in memory is only this process's
own knowledge: items it sent whose sent-mark is not written yet, or whose verdict the database
refused, are not offered again by this process. One worker at a time sends a chat's items: it
holds the chat's lease (``lease``/``release``, an advisory lock that dies with the worker).
"""

from __future__ import annotations

import json
from typing import Any

from bot.store.database import SENDING, Database, to_json
from bot.store.records import OutboxItem


class Outbox:
    def __init__(self, db: Database):
        self.db = db
        self._lock = db._lock  # the mirror changes under the database's lock (threads share the store)
        self._load()

    def purge(self, older_than: float) -> int:
        """Forget delivered (or undeliverable) messages older than this."""
        moment = "COALESCE(sent_at, CASE WHEN failed IS NOT NULL THEN created_at END)"
        return self.db.purge_older("outbox", "id", moment, older_than)

    def _load(self) -> None:
        self._pending: dict[int, dict[int, OutboxItem]] = {}  # chat -> id -> item, oldest first
        self._pending_chat: dict[int, int] = {}  # id -> chat
        self._enqueued: set[int] = set()
        self._sent_later: list[tuple[float, int]] = []
        rows = self.db.execute("SELECT id, chat_id, payload, attempts FROM outbox "
                               "WHERE sent_at IS NULL AND failed IS NULL ORDER BY id").fetchall()
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
            if chat_id is not None and items is not None:
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
        row = self.db.execute("INSERT INTO outbox (chat_id, payload, created_at) VALUES (?, ?, ?) RETURNING id",
                              (chat_id, to_json(payload), self.db.clock())).fetchone()
        item = OutboxItem(int(row[0]), chat_id, payload, 0)
        self.db.when_committed(_Remember(self, item))
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

    def pending_of_kind(self, chat_id: int, kind: str, resident: int, after_id: int,
                        limit: int = 20) -> list[OutboxItem]:
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
        """The chat's oldest pending item."""
        with self._lock:
            items = self._pending.get(chat_id)
            return next(iter(items.values())) if items else None

    def lease(self, chat_id: int) -> bool:
        """Take the turn to send this chat's items; False if another worker has it (it looks for
        new items once it lets go). Always True on SQLite, the one process sending."""
        return self.db.try_lock(SENDING, chat_id)

    def release(self, chat_id: int) -> None:
        self.db.unlock(SENDING, chat_id)

    def count_pending(self) -> int:
        with self._lock:
            return len(self._pending_chat)

    def count_pending_for(self, chat_id: int) -> int:
        """Replies queued for one resident and not yet delivered (flood detection), counting
        those queued in the transaction still open."""
        with self._lock:
            queued_now = sum(1 for a in self.db._after_commit if isinstance(a, _Remember) and a.item.chat_id == chat_id)
            return len(self._pending.get(chat_id, ())) + queued_now

    # The delivery's verdicts (sent, failed, undeliverable) take the items out of the mirror at
    # once, not on commit: a sender asks next_for() again right after, maybe while a transaction
    # is open, and must never be offered the same item twice (a duplicate, or a loop without an
    # await). Should that transaction fail to commit, the items wait for the next start.
    def mark_sent(self, item_id: int) -> None:
        self.db.execute("UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ?",
                        (self.db.clock(), item_id))
        self._forget_pending(item_id)

    def mark_sent_later(self, item_id: int) -> None:
        """Sent: no longer offered by next_for at once; written by the next write_sent() (the
        delivery's marks of one turn go in one statement, cheaper than one each)."""
        with self._lock:
            self._forget_pending(item_id)
            self._sent_later.append((self.db.clock(), item_id))

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
            self.db.executemany("UPDATE outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ?", marks)
        return len(marks)

    def keep_sent_for_later(self, marks: list[tuple[float, int]]) -> None:
        """The transaction carrying these marks failed: write them with the next one (the
        messages did leave; marking them again is what keeps them from being sent twice)."""
        with self._lock:
            self._sent_later[:0] = marks

    def mark_attempt(self, item_id: int) -> None:
        self.db.execute("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", (item_id,))

    def mark_failed(self, item_id: int, reason: str) -> None:
        self.db.execute("UPDATE outbox SET failed = ?, attempts = attempts + 1 WHERE id = ?", (reason, item_id))
        self._forget_pending(item_id)

    def drop_pending_for(self, chat_id: int, reason: str) -> int:
        """A resident blocked the bot: what was queued for them can never be delivered."""
        count = self.db.execute("UPDATE outbox SET failed = ? WHERE chat_id = ? AND sent_at IS NULL AND failed IS NULL",
                                (reason, chat_id)).rowcount
        self._forget_pending_chat(chat_id)
        return count

    def erase(self, chat_id: int) -> None:
        """Erasure: every item for this chat goes, sent or not."""
        self.db.execute("DELETE FROM outbox WHERE chat_id = ?", (chat_id,))
        self.db.when_committed(lambda: self._forget_pending_chat(chat_id))

    def move_items_about(self, from_chat: int, to_chat: int, resident: int, kinds: tuple[str, ...]) -> int:
        """/pindah: items of these kinds about one resident still waiting for one group are
        queued for another instead, in their order (after whatever that group has already)."""
        about = self.db.json_field("payload", "resident")
        rows = self.db.execute("SELECT id, payload FROM outbox WHERE chat_id = ? AND sent_at IS NULL "
                               f"AND failed IS NULL "
                               f"AND {about} = ? ORDER BY id", (from_chat, resident)).fetchall()
        moved = [(item_id, json.loads(payload)) for item_id, payload in rows]
        moved = [(item_id, payload) for item_id, payload in moved if payload.get("kind") in kinds]
        for item_id, payload in moved:
            self.db.execute("DELETE FROM outbox WHERE id = ?", (item_id,))
            self.enqueue(to_chat, payload)
        ids = [item_id for item_id, _ in moved]

        def forget() -> None:
            for item_id in ids:
                self._forget_pending(item_id)
        self.db.when_committed(forget)
        return len(moved)

    def delete_items_about(self, chat_id: int, resident: int) -> None:
        """Erasure: the operators' group's items about one resident (cards, relays) go, sent or not."""
        about = f"chat_id = ? AND {self.db.json_field('payload', 'resident')} = ?"
        ids = [r[0] for r in self.db.execute(f"DELETE FROM outbox WHERE {about} RETURNING id", (chat_id, resident))]
        def forget() -> None:
            for item_id in ids:
                self._forget_pending(item_id)

        self.db.when_committed(forget)


_PENDING = "sent_at IS NULL AND failed IS NULL"


class SharedOutbox(Outbox):
    """The outbox when several workers share the database (PostgreSQL): no mirror, every read
    from the database (module docstring)."""

    def _load(self) -> None:
        self._enqueued: set[int] = set()  # chats this process queued items for (the delivery's hint)
        self._sent_later: list[tuple[float, int]] = []
        self._held: set[int] = set()  # not to be offered again by this process (sent, or verdict refused)

    def _unseen(self) -> set[int]:
        """Rows this process must not be offered: held ones, and those queued by the transaction
        still open (committed values only, as with the mirror; the database would show them)."""
        with self._lock:
            return self._held | {a.item.id for a in self.db._after_commit if isinstance(a, _Remember)}

    def _rows(self, where: str, args: tuple[Any, ...], limit: int) -> list[OutboxItem]:
        unseen = self._unseen()
        rows = self.db.execute(f"SELECT id, chat_id, payload, attempts FROM outbox WHERE {where} AND {_PENDING} "
                               "ORDER BY id LIMIT ?", (*args, limit + len(unseen))).fetchall()
        items = [OutboxItem(r[0], r[1], json.loads(r[2]), r[3]) for r in rows if r[0] not in unseen]
        return items[:limit]

    def _remember_pending(self, item: OutboxItem) -> None:
        with self._lock:
            self._enqueued.add(item.chat_id)

    def _forget_pending(self, item_id: int) -> None:
        pass  # the database is the record: a verdict written there is all it takes

    def _forget_pending_chat(self, chat_id: int) -> None:
        pass

    def forget_pending(self, item_id: int) -> None:
        with self._lock:
            self._held.add(item_id)

    def mark_sent_later(self, item_id: int) -> None:
        with self._lock:
            self._held.add(item_id)
            self._sent_later.append((self.db.clock(), item_id))

    def write_sent(self, marks: list[tuple[float, int]] | None = None) -> int:
        if marks is None:
            marks = self.take_sent()
        written = super().write_sent(marks)
        ids = {item_id for _, item_id in marks}
        if ids:
            def release() -> None:
                with self._lock:
                    self._held.difference_update(ids)
            self.db.when_committed(release)
        return written

    def pending(self, limit: int = 500) -> list[OutboxItem]:
        return self._rows("1 = 1", (), limit)

    def pending_chats(self, limit: int = 1000) -> list[int]:
        rows = self.db.execute(f"SELECT chat_id FROM outbox WHERE {_PENDING} GROUP BY chat_id ORDER BY min(id) LIMIT ?",
                               (limit,)).fetchall()
        return [r[0] for r in rows]

    def pending_for(self, chat_id: int) -> list[OutboxItem]:
        return self._rows("chat_id = ?", (chat_id,), 500)

    def next_for(self, chat_id: int) -> OutboxItem | None:
        items = self._rows("chat_id = ?", (chat_id,), 1)
        return items[0] if items else None

    def count_pending(self) -> int:
        queued_now = sum(isinstance(a, _Remember) for a in self.db._after_commit)
        return int(self.db.execute(f"SELECT count(*) FROM outbox WHERE {_PENDING}").fetchone()[0]) - queued_now

    def count_pending_for(self, chat_id: int) -> int:
        # (Inside the open transaction this counts its own items too, as the mirror's count does.)
        return int(self.db.execute(f"SELECT count(*) FROM outbox WHERE chat_id = ? AND {_PENDING}",
                                   (chat_id,)).fetchone()[0])


class _Remember:
    """After commit: an enqueued item joins the pending mirror (a class, so that the items of
    the open transaction can be counted)."""

    __slots__ = ("item", "queues")

    def __init__(self, queues: Outbox, item: OutboxItem):
        self.queues = queues
        self.item = item

    def __call__(self) -> None:
        self.queues._remember_pending(self.item)
