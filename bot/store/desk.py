"""The operator desk's records: tickets, forum topics and the audit trail."""

from __future__ import annotations

from typing import Any

from bot.store.database import Database
from bot.store.records import _TICKET_COLUMNS, Ticket


class DeskRecords(Database):
    # ----- tickets, topics, audit ---------------------------------------------------------
    def open_ticket(self, chat_id: int, *, reason: str, state: str, milestone: str, attempts: int,
                    group_id: int | None = None) -> int:
        cur = self._run("INSERT INTO tickets (chat_id, status, reason, state, milestone, attempts, opened_at, group_id) "
                        "VALUES (?, 'open', ?, ?, ?, ?, ?, ?)",
                        (chat_id, reason, state, milestone, attempts, self.clock(), group_id))
        return int(cur.lastrowid or 0)

    def set_ticket_group(self, ticket_id: int, group_id: int | None) -> None:
        self._run("UPDATE tickets SET group_id = ? WHERE id = ?", (group_id, ticket_id))

    def _tickets(self, where: str, args: tuple[Any, ...]) -> list[Ticket]:
        rows = self._run(f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE {where}", args).fetchall()
        return [Ticket(*r) for r in rows]

    def ticket(self, ticket_id: int) -> Ticket | None:
        found = self._tickets("id = ?", (ticket_id,))
        return found[0] if found else None

    def active_ticket(self, chat_id: int) -> Ticket | None:
        found = self._tickets("chat_id = ? AND status != 'closed' ORDER BY id DESC LIMIT 1", (chat_id,))
        return found[0] if found else None

    def active_tickets(self, group_id: int | None = None) -> list[Ticket]:
        """Open tickets, oldest first: all of them, or those one group serves."""
        if group_id is None:
            return self._tickets("status != 'closed' ORDER BY opened_at", ())
        return self._tickets("status != 'closed' AND group_id = ? ORDER BY opened_at", (group_id,))

    def tickets_since(self, since: float, group_id: int | None = None) -> list[Ticket]:
        if group_id is None:
            return self._tickets("opened_at >= ? ORDER BY opened_at", (since,))
        return self._tickets("opened_at >= ? AND group_id = ? ORDER BY opened_at", (since, group_id))

    def take_ticket(self, ticket_id: int, operator_id: int, operator_name: str) -> None:
        self._run("UPDATE tickets SET status = 'taken', operator_id = ?, operator_name = ?, taken_at = COALESCE(taken_at, ?) "
                  "WHERE id = ? AND status != 'closed'", (operator_id, operator_name, self.clock(), ticket_id))

    def ticket_replied(self, ticket_id: int) -> None:
        self._run("UPDATE tickets SET first_reply_at = COALESCE(first_reply_at, ?) WHERE id = ?", (self.clock(), ticket_id))

    def close_ticket(self, ticket_id: int, outcome: str) -> None:
        self._run("UPDATE tickets SET status = 'closed', outcome = ?, closed_at = ? WHERE id = ? AND status != 'closed'",
                  (outcome, self.clock(), ticket_id))

    def tickets_of(self, chat_id: int) -> list[Ticket]:
        return self._tickets("chat_id = ? ORDER BY id", (chat_id,))

    def set_resolution(self, ticket_id: int, resolution: str) -> None:
        self._run("UPDATE tickets SET resolution = ? WHERE id = ?", (resolution, ticket_id))

    def rate_ticket(self, ticket_id: int, chat_id: int, rating: int) -> bool:
        """The resident's one rating of a finished ticket of theirs (False: not theirs, or rated)."""
        cur = self._run("UPDATE tickets SET rating = ? WHERE id = ? AND chat_id = ? AND status = 'closed' "
                        "AND rating IS NULL", (rating, ticket_id, chat_id))
        return cur.rowcount == 1

    def notes_between(self, chat_id: int, start: float, end: float | None) -> list[str]:
        """Operators' internal notes (stored redacted) written while a ticket was open."""
        rows = self._run("SELECT text FROM transcript WHERE chat_id = ? AND direction = 'note' AND at >= ? AND at <= ? "
                         "ORDER BY id", (chat_id, start, end if end is not None else float("inf"))).fetchall()
        return [r[0] for r in rows]

    def ticket_reminded(self, ticket_id: int, *, operators: bool = False, resident: bool = False) -> None:
        if operators:
            self._run("UPDATE tickets SET operators_reminded_at = ? WHERE id = ?", (self.clock(), ticket_id))
        if resident:
            self._run("UPDATE tickets SET resident_told_at = ? WHERE id = ?", (self.clock(), ticket_id))

    def topic_for(self, chat_id: int) -> tuple[int, str, bool] | None:
        row = self._run("SELECT topic_id, title, closed FROM topics WHERE chat_id = ?", (chat_id,)).fetchone()
        return (row[0], row[1], bool(row[2])) if row else None

    def topic_group(self, chat_id: int) -> int | None:
        row = self._run("SELECT group_id FROM topics WHERE chat_id = ?", (chat_id,)).fetchone()
        return row[0] if row else None

    def resident_of_topic(self, topic_id: int, group_id: int | None = None) -> int | None:
        if group_id is None:
            row = self._run("SELECT chat_id FROM topics WHERE topic_id = ?", (topic_id,)).fetchone()
        else:
            row = self._run("SELECT chat_id FROM topics WHERE group_id = ? AND topic_id = ?", (group_id, topic_id)).fetchone()
        return row[0] if row else None

    def save_topic(self, chat_id: int, topic_id: int, title: str, group_id: int = 0) -> None:
        self._run("INSERT INTO topics (chat_id, group_id, topic_id, title, closed) VALUES (?, ?, ?, ?, 0) "
                  "ON CONFLICT(chat_id) DO UPDATE SET group_id = excluded.group_id, topic_id = excluded.topic_id, "
                  "title = excluded.title, closed = 0", (chat_id, group_id, topic_id, title))

    def adopt_topics(self, group_id: int) -> None:
        """Topics and tickets from before kecamatan groups belong to the Disdukcapil group."""
        with self.transaction():
            self._run("UPDATE topics SET group_id = ? WHERE group_id = 0", (group_id,))
            self._run("UPDATE tickets SET group_id = ? WHERE group_id IS NULL", (group_id,))

    def set_topic_closed(self, chat_id: int, closed: bool) -> None:
        self._run("UPDATE topics SET closed = ? WHERE chat_id = ?", (int(closed), chat_id))

    def forget_topic(self, chat_id: int) -> None:
        self._run("DELETE FROM topics WHERE chat_id = ?", (chat_id,))

    def audit(self, ticket_id: int | None, action: str, *, actor_id: int | None = None, actor_name: str | None = None,
              detail: str | None = None) -> None:
        self._run("INSERT INTO audit (ticket_id, at, actor_id, actor_name, action, detail) VALUES (?, ?, ?, ?, ?, ?)",
                  (ticket_id, self.clock(), actor_id, actor_name, action, detail))

    def audit_trail(self, ticket_id: int) -> list[tuple[str, int | None, str | None]]:
        rows = self._run("SELECT action, actor_id, actor_name FROM audit WHERE ticket_id = ? ORDER BY id", (ticket_id,)).fetchall()
        return [tuple(r) for r in rows]
