"""What was said and what happened, per resident: the transcript (the resident's lines, the
bot's replies, operators' relays and internal notes, all stored redacted) and the events log."""

from __future__ import annotations

from typing import Any

from bot.store.database import Database, to_json

TranscriptRow = tuple[int, str, str, str, "str | None", "str | None", tuple[str, ...]]


class Transcripts:
    def __init__(self, db: Database):
        self.db = db

    def add(self, chat_id: int, direction: str, kind: str, text: str, *, state: str | None = None,
            intent: str | None = None, matched: tuple[str, ...] = ()) -> None:
        self.add_many([(chat_id, direction, kind, text, state, intent, matched)])

    def add_many(self, rows: list[tuple[int, str, str, str, str | None, str | None, tuple[str, ...]]]) -> None:
        """Several transcript lines in one statement (a step's input and its reply)."""
        at = self.db.clock()
        self.db.executemany(
            "INSERT INTO transcript (chat_id, at, direction, kind, text, state, intent, matched) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(c, at, d, k, t, s, i, to_json(list(m)) if m else None) for c, d, k, t, s, i, m in rows])

    def of(self, chat_id: int, limit: int = 50) -> list[dict[str, Any]]:
        """The resident's latest lines, oldest first."""
        rows = self.db.execute("SELECT at, direction, kind, text, state, intent FROM transcript WHERE chat_id = ? "
                               "ORDER BY id DESC LIMIT ?", (chat_id, limit)).fetchall()
        names = ("at", "direction", "kind", "text", "state", "intent")
        return [dict(zip(names, r, strict=True)) for r in reversed(rows)]

    def notes_between(self, chat_id: int, start: float, end: float | None) -> list[str]:
        """Operators' internal notes (stored redacted) written while a ticket was open."""
        rows = self.db.execute("SELECT text FROM transcript WHERE chat_id = ? AND direction = 'note' AND at >= ? "
                               "AND at <= ? ORDER BY id", (chat_id, start, end if end is not None else float("inf")))
        return [r[0] for r in rows.fetchall()]

    def purge(self, older_than: float) -> int:
        return self.db.purge_older("transcript", "id", "at", older_than)

    def record_event(self, chat_id: int, kind: str, *, state: str | None = None, milestone: str | None = None,
                     detail: str | None = None) -> None:
        self.db.execute("INSERT INTO events (chat_id, at, kind, state, milestone, detail) VALUES (?, ?, ?, ?, ?, ?)",
                        (chat_id, self.db.clock(), kind, state, milestone, detail))

    def erase(self, chat_id: int) -> dict[str, int]:
        """/hapusdata: the resident's transcript and events go; how many rows of each."""
        return {table: self.db.execute(f"DELETE FROM {table} WHERE chat_id = ?", (chat_id,)).rowcount
                for table in ("transcript", "events")}
