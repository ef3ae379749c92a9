"""The shared schedule of Telegram's limits (table ``send_slots``, migration 10): for each key (all
the bot's sends; one operators' group's messages) the next moment a send may go. The only SQL for it.

Several bot processes on one PostgreSQL database each ask here before a send, so Telegram's
limits hold for all of them together (bot/telegram/shared_limits.py). Two ways to ask, each one
statement (an upsert with RETURNING, read the same way by SQLite and PostgreSQL):
- ``reserve``: a place in the queue, virtual scheduling (GCRA without a burst): the caller may send
  at ``max(next_at, now)``, and ``next_at`` moves one spacing past that;
- ``take``: the key now, if it is free (``next_at`` has passed), else nothing: for a send that must
  be counted when it really goes, not when it queued (an operators' group's, which waits in the
  queue of all sends after its own turn came).
The row lock of that one statement is all the coordination there is: two workers asking at once
get two different moments, ``spacing`` apart, and never both take a key.

Each call is its own tiny transaction: it must never run inside a resident's unit of work, where
the row (one for every send of the bot) would stay locked, for every worker, until that unit
commits. Nothing awaits inside a unit of work in this codebase, and the limiter is only called
from an await, so it cannot happen; a reservation undone by a rollback would only waste a slot.

Times are the store's clock, wall-clock seconds: the workers may run on several machines, whose
clocks must agree (NTP keeps them within milliseconds; a skew of δ can bring two sends of two
machines δ closer than their spacing).
"""

from __future__ import annotations

from bot.store.database import Database

ALL_SENDS = "all"  # the key of Telegram's overall limit


def group_key(chat_id: int | str) -> str:
    """The key of one operators' group's budget."""
    return f"group:{chat_id}"


class SendSlots:
    """The send_slots table."""

    def __init__(self, db: Database):
        self.db = db

    def reserve(self, key: str, spacing: float) -> float:
        """The moment (store clock) the caller may send under ``key``; the next caller's is
        ``spacing`` later. A moment is never given twice, whichever worker asks."""
        now = self.db.clock()
        row = self.db.execute(
            "INSERT INTO send_slots (key, next_at) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET next_at = "
            "CASE WHEN send_slots.next_at > ? THEN send_slots.next_at ELSE ? END + ? "
            "RETURNING next_at",
            (key, now + spacing, now, now, spacing)).fetchone()
        return float(row[0]) - spacing

    def take(self, key: str, spacing: float) -> bool:
        """Take ``key`` now if it is free (True: the next is ``spacing`` later); False if it is not."""
        now = self.db.clock()
        row = self.db.execute(
            "INSERT INTO send_slots (key, next_at) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET next_at = excluded.next_at WHERE send_slots.next_at <= ? "
            "RETURNING next_at",
            (key, now + spacing, now)).fetchone()
        return row is not None

    def free_at(self, key: str) -> float:
        """When ``key`` is free (store clock; 0 for a key never used)."""
        row = self.db.execute("SELECT next_at FROM send_slots WHERE key = ?", (key,)).fetchone()
        return 0.0 if row is None else float(row[0])

    def pause(self, key: str, until: float) -> None:
        """Telegram answered 429 for ``key``: no reservation starts before ``until`` (store clock).
        A pause never shortens what is already reserved."""
        self.db.execute(
            "INSERT INTO send_slots (key, next_at) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET next_at = "
            "CASE WHEN send_slots.next_at > excluded.next_at THEN send_slots.next_at ELSE excluded.next_at END",
            (key, until))
