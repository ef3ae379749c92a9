"""Journey events (issue 13): what supervisors count, with nothing that identifies a resident.

A row is (time, kind, milestone, kecamatan, detail, seconds). ``resident`` is a salted SHA-256
of the chat id, truncated: it lets a milestone count once per resident and lets /hapusdata
delete that resident's rows; ``journey_rows`` (all the aggregates read) never selects it, and
the retention purge sets it to NULL, after which the rows are plain counts.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from bot.store.database import Database

KINDS = ("milestone", "stalled", "handoff", "handed_back", "activated", "stopped", "deleted", "reminder",
         "came_back", "outcome")


@dataclass(frozen=True)
class JourneyRow:
    at: float
    kind: str
    step: str | None
    kecamatan: str | None
    detail: str | None
    seconds: float | None


class Journey:
    """Journey events, each resident's linked by a salted key (the salt stays in ``meta``)."""

    def __init__(self, db: Database):
        self.db = db
        row = db.execute("SELECT value FROM meta WHERE key = 'journey_salt'").fetchone()
        if row is None:
            salt = secrets.token_hex(16)
            db.execute("INSERT INTO meta VALUES ('journey_salt', ?)", (salt,))
        else:
            salt = row[0]
        self._salt = salt.encode()

    def journey_key(self, chat_id: int) -> str:
        return hashlib.sha256(self._salt + str(chat_id).encode()).hexdigest()[:24]

    def add(self, chat_id: int | None, kind: str, step: str | None, kecamatan: str | None = None,
            detail: str | None = None, seconds: float | None = None) -> None:
        """One event; ``chat_id`` None for an event that must not be linked to anyone (a deletion)."""
        assert kind in KINDS, kind
        key = self.journey_key(chat_id) if chat_id is not None else None
        self.db.execute("INSERT INTO journey (at, kind, step, kecamatan, detail, seconds, resident) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)", (self.db.clock(), kind, step, kecamatan, detail, seconds, key))

    def reach_milestone(self, chat_id: int, step: str, kecamatan: str | None, previous: str | None,
                        first: bool = False) -> bool:
        """Record that the resident reached ``step`` (once per resident); the row carries the time
        spent since the previous milestone was reached (``detail``: that milestone). ``first``: the
        resident's very first input (no conversation stored), so nothing to look up."""
        key = self.journey_key(chat_id)
        reached = [] if first else self.db.execute(
            "SELECT step, at FROM journey WHERE resident = ? AND kind = 'milestone' ORDER BY id", (key,)).fetchall()
        if any(done == step for done, _ in reached):
            return False
        last = reached[-1] if reached else None
        self.add(chat_id, "milestone", step, kecamatan, detail=last[0] if last else previous,
                 seconds=self.db.clock() - last[1] if last else None)
        return True

    def has(self, chat_id: int, kind: str) -> bool:
        return self.db.execute("SELECT 1 FROM journey WHERE resident = ? AND kind = ? LIMIT 1",
                               (self.journey_key(chat_id), kind)).fetchone() is not None

    def erase(self, chat_id: int) -> None:
        """/hapusdata: the resident's own rows go (the anonymous "deleted" count stays)."""
        self.db.execute("DELETE FROM journey WHERE resident = ?", (self.journey_key(chat_id),))

    def unlink(self, older_than: float) -> int:
        """Retention: rows older than this keep their counts but lose the link to a resident."""
        return self.db.execute("UPDATE journey SET resident = NULL WHERE resident IS NOT NULL AND at < ?",
                               (older_than,)).rowcount

    def rows(self, since: float | None = None, until: float | None = None) -> list[JourneyRow]:
        """Everything the aggregates read: no resident column."""
        rows = self.db.execute("SELECT at, kind, step, kecamatan, detail, seconds FROM journey "
                               "WHERE at >= ? AND at < ? "
                               "ORDER BY id", (since if since is not None else float("-inf"),
                                               until if until is not None else float("inf"))).fetchall()
        return [JourneyRow(*r) for r in rows]
