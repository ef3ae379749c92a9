"""The operator desk's records: tickets, the forum topic of each resident, and the audit trail."""

from __future__ import annotations

from typing import Any

from bot.store.database import Database
from bot.store.records import _TICKET_COLUMNS, Ticket


class Tickets:
    def __init__(self, db: Database):
        self.db = db

    def open(self, chat_id: int, *, reason: str, state: str, milestone: str, attempts: int,
                    group_id: int | None = None) -> int:
        row = self.db.execute("INSERT INTO tickets (chat_id, status, reason, state, milestone, attempts, opened_at, "
                              "group_id) VALUES (?, 'open', ?, ?, ?, ?, ?, ?) RETURNING id",
                              (chat_id, reason, state, milestone, attempts, self.db.clock(), group_id)).fetchone()
        return int(row[0])

    def set_group(self, ticket_id: int, group_id: int | None) -> None:
        self.db.execute("UPDATE tickets SET group_id = ? WHERE id = ?", (group_id, ticket_id))

    def _tickets(self, where: str, args: tuple[Any, ...]) -> list[Ticket]:
        rows = self.db.execute(f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE {where}", args).fetchall()
        return [Ticket(*r) for r in rows]

    def get(self, ticket_id: int) -> Ticket | None:
        found = self._tickets("id = ?", (ticket_id,))
        return found[0] if found else None

    def active_for(self, chat_id: int) -> Ticket | None:
        found = self._tickets("chat_id = ? AND status != 'closed' ORDER BY id DESC LIMIT 1", (chat_id,))
        return found[0] if found else None

    def active(self, group_id: int | None = None) -> list[Ticket]:
        """Open tickets, oldest first: all of them, or those one group serves."""
        if group_id is None:
            return self._tickets("status != 'closed' ORDER BY opened_at", ())
        return self._tickets("status != 'closed' AND group_id = ? ORDER BY opened_at", (group_id,))

    def since(self, since: float, group_id: int | None = None) -> list[Ticket]:
        if group_id is None:
            return self._tickets("opened_at >= ? ORDER BY opened_at", (since,))
        return self._tickets("opened_at >= ? AND group_id = ? ORDER BY opened_at", (since, group_id))

    def take(self, ticket_id: int, operator_id: int, operator_name: str) -> None:
        self.db.execute("UPDATE tickets SET status = 'taken', operator_id = ?, operator_name = ?, "
                        "taken_at = COALESCE(taken_at, ?) "
                  "WHERE id = ? AND status != 'closed'", (operator_id, operator_name, self.db.clock(), ticket_id))

    def replied(self, ticket_id: int) -> None:
        self.db.execute("UPDATE tickets SET first_reply_at = COALESCE(first_reply_at, ?) WHERE id = ?",
                        (self.db.clock(), ticket_id))

    def close(self, ticket_id: int, outcome: str) -> None:
        self.db.execute("UPDATE tickets SET status = 'closed', outcome = ?, closed_at = ? "
                        "WHERE id = ? AND status != 'closed'",
                  (outcome, self.db.clock(), ticket_id))

    def of(self, chat_id: int) -> list[Ticket]:
        return self._tickets("chat_id = ? ORDER BY id", (chat_id,))

    def set_resolution(self, ticket_id: int, resolution: str) -> None:
        self.db.execute("UPDATE tickets SET resolution = ? WHERE id = ?", (resolution, ticket_id))

    def rate(self, ticket_id: int, chat_id: int, rating: int) -> bool:
        """The resident's one rating of a finished ticket of theirs (False: not theirs, or rated)."""
        cur = self.db.execute("UPDATE tickets SET rating = ? WHERE id = ? AND chat_id = ? AND status = 'closed' "
                        "AND rating IS NULL", (rating, ticket_id, chat_id))
        return cur.rowcount == 1

    def reminded(self, ticket_id: int, *, operators: bool = False, resident: bool = False) -> None:
        if operators:
            self.db.execute("UPDATE tickets SET operators_reminded_at = ? WHERE id = ?", (self.db.clock(), ticket_id))
        if resident:
            self.db.execute("UPDATE tickets SET resident_told_at = ? WHERE id = ?", (self.db.clock(), ticket_id))

    def topic_for(self, chat_id: int) -> tuple[int, str, bool] | None:
        row = self.db.execute("SELECT topic_id, title, closed FROM topics WHERE chat_id = ?", (chat_id,)).fetchone()
        return (row[0], row[1], bool(row[2])) if row else None

    def topic_group(self, chat_id: int) -> int | None:
        row = self.db.execute("SELECT group_id FROM topics WHERE chat_id = ?", (chat_id,)).fetchone()
        return row[0] if row else None

    def resident_of_topic(self, topic_id: int, group_id: int | None = None) -> int | None:
        if group_id is None:
            row = self.db.execute("SELECT chat_id FROM topics WHERE topic_id = ?", (topic_id,)).fetchone()
        else:
            row = self.db.execute("SELECT chat_id FROM topics WHERE group_id = ? AND topic_id = ?",
                                  (group_id, topic_id)).fetchone()
        return row[0] if row else None

    def save_topic(self, chat_id: int, topic_id: int, title: str, group_id: int = 0) -> None:
        self.db.execute("INSERT INTO topics (chat_id, group_id, topic_id, title, closed) VALUES (?, ?, ?, ?, 0) "
                  "ON CONFLICT(chat_id) DO UPDATE SET group_id = excluded.group_id, topic_id = excluded.topic_id, "
                  "title = excluded.title, closed = 0", (chat_id, group_id, topic_id, title))

    def adopt_topics(self, group_id: int) -> None:
        """Topics and tickets from before kecamatan groups belong to the Disdukcapil group."""
        with self.db.transaction():
            self.db.execute("UPDATE topics SET group_id = ? WHERE group_id = 0", (group_id,))
            self.db.execute("UPDATE tickets SET group_id = ? WHERE group_id IS NULL", (group_id,))

    def set_topic_closed(self, chat_id: int, closed: bool) -> None:
        self.db.execute("UPDATE topics SET closed = ? WHERE chat_id = ?", (int(closed), chat_id))

    def forget_topic(self, chat_id: int) -> None:
        self.db.execute("DELETE FROM topics WHERE chat_id = ?", (chat_id,))

    def audit(self, ticket_id: int | None, action: str, *, actor_id: int | None = None, actor_name: str | None = None,
              detail: str | None = None) -> None:
        self.db.execute("INSERT INTO audit (ticket_id, at, actor_id, actor_name, action, detail) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                  (ticket_id, self.db.clock(), actor_id, actor_name, action, detail))

    def audit_trail(self, ticket_id: int) -> list[tuple[str, int | None, str | None]]:
        rows = self.db.execute("SELECT action, actor_id, actor_name FROM audit WHERE ticket_id = ? ORDER BY id",
                               (ticket_id,)).fetchall()
        return [tuple(r) for r in rows]

    def erase(self, chat_id: int) -> dict[str, int]:
        """/hapusdata: the resident's tickets and topic go; how many rows of each."""
        return {table: self.db.execute(f"DELETE FROM {table} WHERE chat_id = ?", (chat_id,)).rowcount
                for table in ("tickets", "topics")}
