"""Messages in: the durable inbox of Telegram updates (kept before they are confirmed, claimed
once when handled), the quarantine of updates that could not be read, and the ids of inputs
handled before the inbox existed (schema version 4)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.store.database import HANDLING, Database


def _json_value(value: Any) -> Any:
    """What json cannot write itself. python-telegram-bot's to_dict() leaves the date of an
    inaccessible message (a pinned or pressed message older than 48 h: date 0) a datetime."""
    if isinstance(value, datetime):
        return int(value.timestamp())
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_update_json = json.JSONEncoder(ensure_ascii=False, default=_json_value).encode


class Inbox:
    def __init__(self, db: Database):
        self.db = db

    def keep_update(self, update_id: int, data: dict[str, Any], chat_id: int | None = None,
                    taken_by: int | None = None) -> None:
        """Keep an update (``chat_id``: the chat whose turn it is, see ``lock_chat``; ``taken_by``:
        the worker that took it in, when several share the database)."""
        self.db.execute("INSERT INTO inbox (update_id, data, received_at, chat_id, taken_by) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT (update_id) DO NOTHING",
                        (update_id, _update_json(data), self.db.clock(), chat_id, taken_by))

    def unhandled_updates(self, taken_by: int | None = None) -> list[dict[str, Any]]:
        """Updates kept and not handled, oldest first (only those one worker took in, if given)."""
        if taken_by is None:
            rows = self.db.execute("SELECT data FROM inbox WHERE handled_at IS NULL ORDER BY update_id").fetchall()
        else:
            rows = self.db.execute("SELECT data FROM inbox WHERE handled_at IS NULL AND taken_by = ? "
                                   "ORDER BY update_id", (taken_by,)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def takers_of_unhandled(self) -> set[int]:
        """The workers that took in updates not handled yet."""
        rows = self.db.execute("SELECT DISTINCT taken_by FROM inbox WHERE handled_at IS NULL AND taken_by IS NOT NULL")
        return {r[0] for r in rows}

    def lock_chat(self, chat_id: int) -> None:
        """Take this chat's turn for the open transaction: no other worker handles an update of
        it until this one's unit of work ends (several workers on PostgreSQL; bot/store/database.py)."""
        self.db.lock_for_unit(HANDLING, chat_id)

    def unhandled_before(self, chat_id: int, update_id: int) -> list[dict[str, Any]]:
        """The chat's updates kept before ``update_id`` and not handled yet: another worker took
        them in and has not reached them, or died. Handled first, a chat's updates stay in order."""
        rows = self.db.execute("SELECT data FROM inbox WHERE chat_id = ? AND handled_at IS NULL AND update_id < ? "
                               "ORDER BY update_id", (chat_id, update_id)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def claim_update(self, update_id: int) -> bool:
        """Record update ``update_id`` as handled (its stored text erased); False if it was
        handled before (a redelivery after a crash). Inside the step's transaction, the claim
        and the step commit together."""
        now = self.db.clock()
        if self.db.execute("UPDATE inbox SET handled_at = ?, data = '' WHERE update_id = ? AND handled_at IS NULL",
                           (now, update_id)).rowcount:
            return True
        # Not stored (keeping it failed) or handled before; an id handled before version 4 of
        # the schema is in processed.
        if self.db.execute("SELECT 1 FROM inbox WHERE update_id = ?", (update_id,)).fetchone() is not None:
            return False
        if self.already_processed("telegram", str(update_id)):
            return False
        self.db.execute("INSERT INTO inbox (update_id, data, received_at, handled_at) VALUES (?, '', ?, ?)",
                        (update_id, now, now))
        return True

    def already_processed(self, source: str, input_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM processed WHERE source = ? AND input_id = ?",
                               (source, input_id)).fetchone() is not None

    def mark_processed(self, source: str, input_id: str) -> None:
        self.db.execute("INSERT INTO processed VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                        (source, input_id, self.db.clock()))

    def quarantine(self, update_id: int, text: str, reason: str) -> bool:
        """Keep an update that could not be read (``text`` already masked); False if kept before."""
        return bool(self.db.execute("INSERT INTO quarantine (update_id, data, reason, received_at) VALUES (?, ?, ?, ?) "
                                    "ON CONFLICT DO NOTHING", (update_id, text, reason, self.db.clock())).rowcount)

    def quarantined(self) -> list[tuple[int, str, str]]:
        return [tuple(r) for r in self.db.execute("SELECT update_id, data, reason FROM quarantine ORDER BY update_id")]

    def purge(self, older_than: float) -> int:
        """Forget handled updates and quarantined ones older than this."""
        return (self.db.purge_older("inbox", "update_id", "handled_at", older_than)
                + self.db.purge_older("quarantine", "update_id", "received_at", older_than))
