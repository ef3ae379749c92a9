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


class JourneyRecords(Database):
    def _load_mirrors(self) -> None:
        super()._load_mirrors()
        row = self._run("SELECT value FROM meta WHERE key = 'journey_salt'").fetchone()
        if row is None:
            salt = secrets.token_hex(16)
            self._run("INSERT INTO meta VALUES ('journey_salt', ?)", (salt,))
        else:
            salt = row[0]
        self._journey_salt = salt.encode()
        # Per resident talking now: the milestones reached (committed rows only, as the store's
        # other mirrors), so a step that reaches a milestone does not query for them.
        self._reached: dict[str, tuple[tuple[str, float], ...]] = {}

    def journey_key(self, chat_id: int) -> str:
        return hashlib.sha256(self._journey_salt + str(chat_id).encode()).hexdigest()[:24]

    def add_journey(self, chat_id: int | None, kind: str, step: str | None, kecamatan: str | None = None,
                    detail: str | None = None, seconds: float | None = None) -> None:
        """One event; ``chat_id`` None for an event that must not be linked to anyone (a deletion)."""
        assert kind in KINDS, kind
        key = self.journey_key(chat_id) if chat_id is not None else None
        self._run("INSERT INTO journey (at, kind, step, kecamatan, detail, seconds, resident) VALUES (?, ?, ?, ?, ?, ?, ?)",
                  (self.clock(), kind, step, kecamatan, detail, seconds, key))

    def reach_milestone(self, chat_id: int, step: str, kecamatan: str | None, previous: str | None,
                        first: bool = False) -> bool:
        """Record that the resident reached ``step`` (once per resident); the row carries the time
        spent since the previous milestone was reached (``detail``: that milestone). ``first``: the
        resident's very first input (no conversation stored), so nothing to look up."""
        key = self.journey_key(chat_id)
        reached = () if first else self._reached_of(key)
        if any(done == step for done, _ in reached):
            return False
        last = reached[-1] if reached else None
        now = self.clock()
        self.add_journey(chat_id, "milestone", step, kecamatan, detail=last[0] if last else previous,
                         seconds=now - last[1] if last else None)
        after = reached + ((step, now),)
        with self._lock:
            self._reached.pop(key, None)
        self._when_committed(lambda: self._keep_reached(key, after))
        return True

    def _reached_of(self, key: str) -> tuple[tuple[str, float], ...]:
        """The resident's milestones reached, oldest first (mirrored for the residents talking now)."""
        with self._lock:
            known = self._reached.get(key)
        if known is not None:
            return known
        rows = tuple(self._run("SELECT step, at FROM journey WHERE resident = ? AND kind = 'milestone' ORDER BY id",
                               (key,)).fetchall())
        self._when_committed(lambda: self._keep_reached(key, rows))
        return rows

    def _keep_reached(self, key: str, rows: tuple[tuple[str, float], ...]) -> None:
        with self._lock:
            self._reached[key] = rows
            if len(self._reached) > 2048:
                self._reached.pop(next(iter(self._reached)))

    def has_journey(self, chat_id: int, kind: str) -> bool:
        return self._run("SELECT 1 FROM journey WHERE resident = ? AND kind = ? LIMIT 1",
                         (self.journey_key(chat_id), kind)).fetchone() is not None

    def erase_journey(self, chat_id: int) -> None:
        """/hapusdata: the resident's own rows go (the anonymous "deleted" count stays)."""
        key = self.journey_key(chat_id)
        self._run("DELETE FROM journey WHERE resident = ?", (key,))
        with self._lock:
            self._reached.pop(key, None)
        self._when_committed(lambda: self._reached.pop(key, None))

    def unlink_journey(self, older_than: float) -> int:
        """Retention: rows older than this keep their counts but lose the link to a resident."""
        with self._lock:
            self._reached.clear()  # read again from what stays linked
        return self._run("UPDATE journey SET resident = NULL WHERE resident IS NOT NULL AND at < ?",
                         (older_than,)).rowcount

    def journey_rows(self, since: float | None = None, until: float | None = None) -> list[JourneyRow]:
        """Everything the aggregates read: no resident column."""
        rows = self._run("SELECT at, kind, step, kecamatan, detail, seconds FROM journey WHERE at >= ? AND at < ? ORDER BY id",
                         (since if since is not None else float("-inf"), until if until is not None else float("inf"))).fetchall()
        return [JourneyRow(*r) for r in rows]
