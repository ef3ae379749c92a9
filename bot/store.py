"""All SQL lives here: conversations, transcript, processed inputs, outbox, reminders, events.

SQLite by default (a path, ``sqlite:///path`` or ``:memory:``), in WAL mode, with versioned
migrations. Every handled input is one transaction (see :meth:`Store.transaction`), so a crash
leaves either the whole step or none of it. Texts reach this module already redacted.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator

from bot.engine.conversation import Conversation

# Each migration moves the schema one version up; never edit a released one, add a new one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE conversations (
        chat_id     INTEGER PRIMARY KEY,
        locale      TEXT NOT NULL,
        state       TEXT NOT NULL,
        milestone   TEXT NOT NULL,
        handoff     INTEGER NOT NULL DEFAULT 0,
        active      INTEGER NOT NULL DEFAULT 1,
        data        TEXT NOT NULL,
        created_at  REAL NOT NULL,
        updated_at  REAL NOT NULL,
        remind_at   REAL
    );
    CREATE INDEX conversations_remind ON conversations(remind_at) WHERE remind_at IS NOT NULL;
    CREATE TABLE transcript (
        id          INTEGER PRIMARY KEY,
        chat_id     INTEGER NOT NULL,
        at          REAL NOT NULL,
        direction   TEXT NOT NULL CHECK (direction IN ('in', 'out', 'note')),
        kind        TEXT NOT NULL,
        text        TEXT NOT NULL,
        state       TEXT,
        intent      TEXT,
        matched     TEXT
    );
    CREATE INDEX transcript_chat ON transcript(chat_id, id);
    CREATE INDEX transcript_at ON transcript(at);
    CREATE TABLE processed (
        source      TEXT NOT NULL,
        input_id    TEXT NOT NULL,
        at          REAL NOT NULL,
        PRIMARY KEY (source, input_id)
    ) WITHOUT ROWID;
    CREATE TABLE outbox (
        id          INTEGER PRIMARY KEY,
        chat_id     INTEGER NOT NULL,
        payload     TEXT NOT NULL,
        created_at  REAL NOT NULL,
        attempts    INTEGER NOT NULL DEFAULT 0,
        sent_at     REAL,
        failed      TEXT
    );
    CREATE INDEX outbox_pending ON outbox(id) WHERE sent_at IS NULL AND failed IS NULL;
    CREATE TABLE events (
        id          INTEGER PRIMARY KEY,
        chat_id     INTEGER NOT NULL,
        at          REAL NOT NULL,
        kind        TEXT NOT NULL,
        state       TEXT,
        milestone   TEXT,
        detail      TEXT
    );
    CREATE INDEX events_kind ON events(kind, at);
    """,
    # 2: the durable inbox. An update is written here (secrets masked) before Telegram is told
    # it arrived, and removed once handled, so a kill -9 between the two loses nothing.
    """
    CREATE TABLE inbox (
        update_id   INTEGER PRIMARY KEY,
        data        TEXT NOT NULL,
        received_at REAL NOT NULL
    );
    """,
    # 3: the operator desk. One ticket per escalation, one forum topic per resident (reused),
    # and an audit line for every operator action.
    """
    ALTER TABLE conversations ADD COLUMN first_name TEXT;
    ALTER TABLE conversations ADD COLUMN last_media TEXT;
    CREATE TABLE tickets (
        id              INTEGER PRIMARY KEY,
        chat_id         INTEGER NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('open', 'taken', 'closed')),
        reason          TEXT NOT NULL,
        state           TEXT NOT NULL,
        milestone       TEXT NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        operator_id     INTEGER,
        operator_name   TEXT,
        opened_at       REAL NOT NULL,
        taken_at        REAL,
        first_reply_at  REAL,
        closed_at       REAL,
        outcome         TEXT,
        operators_reminded_at REAL,
        resident_told_at REAL
    );
    CREATE INDEX tickets_chat ON tickets(chat_id, status);
    CREATE INDEX tickets_status ON tickets(status, opened_at);
    CREATE TABLE topics (
        chat_id     INTEGER PRIMARY KEY,
        topic_id    INTEGER NOT NULL UNIQUE,
        title       TEXT NOT NULL,
        closed      INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE audit (
        id          INTEGER PRIMARY KEY,
        ticket_id   INTEGER,
        at          REAL NOT NULL,
        actor_id    INTEGER,
        actor_name  TEXT,
        action      TEXT NOT NULL,
        detail      TEXT
    );
    """,
)


@dataclass(frozen=True)
class Ticket:
    id: int
    chat_id: int
    status: str
    reason: str
    state: str
    milestone: str
    attempts: int
    operator_id: int | None
    operator_name: str | None
    opened_at: float
    taken_at: float | None
    first_reply_at: float | None
    closed_at: float | None
    outcome: str | None
    operators_reminded_at: float | None
    resident_told_at: float | None


_TICKET_COLUMNS = ("id, chat_id, status, reason, state, milestone, attempts, operator_id, operator_name, opened_at, "
                   "taken_at, first_reply_at, closed_at, outcome, operators_reminded_at, resident_told_at")


@dataclass(frozen=True)
class StoredConversation:
    chat_id: int
    conversation: Conversation
    locale: str
    active: bool
    first_name: str | None = None


@dataclass(frozen=True)
class OutboxItem:
    id: int
    chat_id: int
    payload: dict[str, Any]
    attempts: int
    active: bool = True  # the recipient had not blocked the bot when the item was read


def _json_value(value: Any) -> Any:
    """What json cannot write itself. python-telegram-bot's to_dict() leaves the date of an
    inaccessible message (a pinned or pressed message older than 48 h: date 0) a datetime."""
    if isinstance(value, datetime):
        return int(value.timestamp())
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _path_from_url(url: str) -> str:
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///"):] or ":memory:"
    if url.startswith("sqlite://"):
        return url[len("sqlite://"):] or ":memory:"
    return url


class Store:
    """One SQLite database. Safe to share between threads (calls are serialised)."""

    def __init__(self, url: str = ":memory:", clock: Callable[[], float] = time.time):
        # Every timestamp comes from this clock, so tests can put the store in office hours.
        self.clock = clock
        self._enqueued: set[int] = set()
        path = _path_from_url(url)
        if path != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self._lock = threading.RLock()
        self._depth = 0
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL is durable against a crash of the process (kill -9); only power loss may
            # lose the last commits, which Telegram would then redeliver.
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        # Deleted rows (a handled update, an erased resident) are overwritten, not left in free pages.
        self._db.execute("PRAGMA secure_delete=ON")
        self._migrate()

    # ----- schema -------------------------------------------------------------------------
    def _migrate(self) -> None:
        with self._lock:
            self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = self._db.execute("SELECT version FROM schema_version").fetchone()
            version = row[0] if row else 0
            if row is None:
                self._db.execute("INSERT INTO schema_version VALUES (0)")
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    for statement in script.split(";"):
                        if statement.strip():
                            self._db.execute(statement)
                    self._db.execute("UPDATE schema_version SET version = ?", (number,))
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise

    @property
    def schema_version(self) -> int:
        return self._db.execute("SELECT version FROM schema_version").fetchone()[0]

    @contextmanager
    def transaction(self) -> Iterator["Store"]:
        """All writes inside happen together or not at all (nested calls join the outer one)."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

    def _run(self, sql: str, args: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, args)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ----- conversations ------------------------------------------------------------------
    def load(self, chat_id: int) -> StoredConversation | None:
        row = self._run("SELECT data, locale, active, first_name FROM conversations WHERE chat_id = ?", (chat_id,)).fetchone()
        if row is None:
            return None
        return StoredConversation(chat_id, Conversation.from_dict(json.loads(row[0])), row[1], bool(row[2]), row[3])

    KEEP = object()  # save(remind_at=KEEP): leave the reminder as it is

    def save(self, chat_id: int, conv: Conversation, *, locale: str, milestone: str,
             remind_at: float | None | object = KEEP) -> None:
        """Insert or update the conversation; it also re-activates the resident (they wrote to us)
        and, unless KEEP, sets the reminder, all in one statement."""
        now = self.clock()
        keep = remind_at is Store.KEEP
        self._run(
            """INSERT INTO conversations (chat_id, locale, state, milestone, handoff, data, created_at, updated_at, remind_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(chat_id) DO UPDATE SET locale = excluded.locale, state = excluded.state,
                 milestone = excluded.milestone, handoff = excluded.handoff, data = excluded.data,
                 updated_at = excluded.updated_at, active = 1,
                 remind_at = CASE WHEN ? THEN remind_at ELSE excluded.remind_at END""",
            (chat_id, locale, conv.state, milestone, int(conv.handoff), json.dumps(conv.to_dict(), ensure_ascii=False),
             now, now, None if keep else remind_at, int(keep)))

    def set_active(self, chat_id: int, active: bool) -> None:
        # Only a change writes: a resident's every message re-activates them, almost always a no-op.
        self._run("UPDATE conversations SET active = ? WHERE chat_id = ? AND active != ?", (int(active), chat_id, int(active)))

    def is_active(self, chat_id: int) -> bool:
        row = self._run("SELECT active FROM conversations WHERE chat_id = ?", (chat_id,)).fetchone()
        return row is None or bool(row[0])

    def erase_resident(self, chat_id: int) -> None:
        """/hapusdata: everything stored about this resident goes."""
        for table in ("conversations", "transcript", "events", "outbox", "tickets", "topics"):
            self._run(f"DELETE FROM {table} WHERE chat_id = ?", (chat_id,))

    def count_conversations(self) -> int:
        return self._run("SELECT COUNT(*) FROM conversations").fetchone()[0]

    # ----- idempotency --------------------------------------------------------------------
    def already_processed(self, source: str, input_id: str) -> bool:
        return self._run("SELECT 1 FROM processed WHERE source = ? AND input_id = ?", (source, input_id)).fetchone() is not None

    def mark_processed(self, source: str, input_id: str) -> None:
        self._run("INSERT OR IGNORE INTO processed VALUES (?, ?, ?)", (source, input_id, self.clock()))

    # ----- transcript and events ----------------------------------------------------------
    def add_transcript(self, chat_id: int, direction: str, kind: str, text: str, *, state: str | None = None,
                       intent: str | None = None, matched: tuple[str, ...] = ()) -> None:
        self.add_transcripts([(chat_id, direction, kind, text, state, intent, matched)])

    def add_transcripts(self, rows: list[tuple[int, str, str, str, str | None, str | None, tuple[str, ...]]]) -> None:
        """Several transcript lines in one call (a step's input and its reply)."""
        at = self.clock()
        with self._lock:
            self._db.executemany(
                "INSERT INTO transcript (chat_id, at, direction, kind, text, state, intent, matched) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(c, at, d, k, t, s, i, json.dumps(list(m), ensure_ascii=False) if m else None) for c, d, k, t, s, i, m in rows])

    def transcript(self, chat_id: int, limit: int = 50) -> list[dict[str, Any]]:
        rows = self._run("SELECT at, direction, kind, text, state, intent FROM transcript WHERE chat_id = ? ORDER BY id DESC LIMIT ?",
                         (chat_id, limit)).fetchall()
        return [dict(zip(("at", "direction", "kind", "text", "state", "intent"), r)) for r in reversed(rows)]

    def purge_transcripts(self, older_than: float) -> int:
        return self._run("DELETE FROM transcript WHERE at < ?", (older_than,)).rowcount

    def record_event(self, chat_id: int, kind: str, *, state: str | None = None, milestone: str | None = None,
                     detail: str | None = None) -> None:
        self._run("INSERT INTO events (chat_id, at, kind, state, milestone, detail) VALUES (?, ?, ?, ?, ?, ?)",
                  (chat_id, self.clock(), kind, state, milestone, detail))

    def count_events(self, kind: str) -> int:
        return self._run("SELECT COUNT(*) FROM events WHERE kind = ?", (kind,)).fetchone()[0]

    # ----- reminders ----------------------------------------------------------------------
    def set_reminder(self, chat_id: int, at: float | None) -> None:
        self._run("UPDATE conversations SET remind_at = ? WHERE chat_id = ?", (at, chat_id))

    def due_reminders(self, now: float, limit: int = 100) -> list[int]:
        rows = self._run("SELECT chat_id FROM conversations WHERE remind_at IS NOT NULL AND remind_at <= ? AND active = 1 LIMIT ?",
                         (now, limit)).fetchall()
        return [r[0] for r in rows]

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

    # ----- residents' profile -------------------------------------------------------------
    def set_profile(self, chat_id: int, first_name: str | None) -> None:
        self._run("UPDATE conversations SET first_name = ? WHERE chat_id = ?", ((first_name or "")[:64] or None, chat_id))

    def first_name(self, chat_id: int) -> str | None:
        row = self._run("SELECT first_name FROM conversations WHERE chat_id = ?", (chat_id,)).fetchone()
        return row[0] if row else None

    def set_last_media(self, chat_id: int, message_id: int | None, kind: str | None) -> None:
        value = json.dumps({"message_id": message_id, "kind": kind, "at": self.clock()}) if message_id else None
        self._run("UPDATE conversations SET last_media = ? WHERE chat_id = ?", (value, chat_id))

    def last_media(self, chat_id: int) -> dict[str, Any] | None:
        row = self._run("SELECT last_media FROM conversations WHERE chat_id = ?", (chat_id,)).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    # ----- tickets, topics, audit ---------------------------------------------------------
    def open_ticket(self, chat_id: int, *, reason: str, state: str, milestone: str, attempts: int) -> int:
        cur = self._run("INSERT INTO tickets (chat_id, status, reason, state, milestone, attempts, opened_at) "
                        "VALUES (?, 'open', ?, ?, ?, ?, ?)", (chat_id, reason, state, milestone, attempts, self.clock()))
        return int(cur.lastrowid or 0)

    def _tickets(self, where: str, args: tuple[Any, ...]) -> list[Ticket]:
        rows = self._run(f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE {where}", args).fetchall()
        return [Ticket(*r) for r in rows]

    def ticket(self, ticket_id: int) -> Ticket | None:
        found = self._tickets("id = ?", (ticket_id,))
        return found[0] if found else None

    def active_ticket(self, chat_id: int) -> Ticket | None:
        found = self._tickets("chat_id = ? AND status != 'closed' ORDER BY id DESC LIMIT 1", (chat_id,))
        return found[0] if found else None

    def active_tickets(self) -> list[Ticket]:
        return self._tickets("status != 'closed' ORDER BY opened_at", ())

    def tickets_since(self, since: float) -> list[Ticket]:
        return self._tickets("opened_at >= ? ORDER BY opened_at", (since,))

    def take_ticket(self, ticket_id: int, operator_id: int, operator_name: str) -> None:
        self._run("UPDATE tickets SET status = 'taken', operator_id = ?, operator_name = ?, taken_at = COALESCE(taken_at, ?) "
                  "WHERE id = ? AND status != 'closed'", (operator_id, operator_name, self.clock(), ticket_id))

    def ticket_replied(self, ticket_id: int) -> None:
        self._run("UPDATE tickets SET first_reply_at = COALESCE(first_reply_at, ?) WHERE id = ?", (self.clock(), ticket_id))

    def close_ticket(self, ticket_id: int, outcome: str) -> None:
        self._run("UPDATE tickets SET status = 'closed', outcome = ?, closed_at = ? WHERE id = ? AND status != 'closed'",
                  (outcome, self.clock(), ticket_id))

    def ticket_reminded(self, ticket_id: int, *, operators: bool = False, resident: bool = False) -> None:
        if operators:
            self._run("UPDATE tickets SET operators_reminded_at = ? WHERE id = ?", (self.clock(), ticket_id))
        if resident:
            self._run("UPDATE tickets SET resident_told_at = ? WHERE id = ?", (self.clock(), ticket_id))

    def topic_for(self, chat_id: int) -> tuple[int, str, bool] | None:
        row = self._run("SELECT topic_id, title, closed FROM topics WHERE chat_id = ?", (chat_id,)).fetchone()
        return (row[0], row[1], bool(row[2])) if row else None

    def resident_of_topic(self, topic_id: int) -> int | None:
        row = self._run("SELECT chat_id FROM topics WHERE topic_id = ?", (topic_id,)).fetchone()
        return row[0] if row else None

    def save_topic(self, chat_id: int, topic_id: int, title: str) -> None:
        self._run("INSERT INTO topics (chat_id, topic_id, title, closed) VALUES (?, ?, ?, 0) ON CONFLICT(chat_id) DO UPDATE "
                  "SET topic_id = excluded.topic_id, title = excluded.title, closed = 0", (chat_id, topic_id, title))

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

    def pending_of_kind(self, chat_id: int, kind: str, resident: int, after_id: int, limit: int = 20) -> list[OutboxItem]:
        """Following queued items of one kind for one resident (to merge a burst of relays)."""
        rows = self._run("SELECT id, chat_id, payload, attempts FROM outbox WHERE chat_id = ? AND id > ? AND sent_at IS NULL "
                         "AND failed IS NULL ORDER BY id LIMIT ?", (chat_id, after_id, limit)).fetchall()
        items = []
        for r in rows:
            payload = json.loads(r[2])
            if payload.get("kind") != kind or payload.get("resident") != resident:
                break  # only an unbroken run may be merged, or order would change
            items.append(OutboxItem(r[0], r[1], payload, r[3]))
        return items

    def drop_pending_for(self, chat_id: int, reason: str) -> int:
        """A resident blocked the bot: what was queued for them can never be delivered."""
        return self._run("UPDATE outbox SET failed = ? WHERE chat_id = ? AND sent_at IS NULL AND failed IS NULL",
                         (reason, chat_id)).rowcount
