"""The SQLite schema as numbered migrations (applied in order by bot.store.database)."""

from __future__ import annotations

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
    # 4: the inbox row of a handled update stays (its text erased) as the record that it was
    # handled, instead of a second row in processed: one write per update instead of two.
    # Handled updates and delivered messages are purged after a day (Telegram redelivers only
    # what was never confirmed). What the store mirrors in memory is read at start through small
    # partial indexes (unhandled updates, pending messages, blocked residents), so opening a
    # city's database does not read it whole. Purges find old rows by bisection on rowid
    # (rows are added in time order), so transcript lines need no index on their time.
    """
    ALTER TABLE inbox ADD COLUMN handled_at REAL;
    CREATE INDEX inbox_unhandled ON inbox(update_id) WHERE handled_at IS NULL;
    CREATE INDEX conversations_inactive ON conversations(chat_id) WHERE active = 0;
    DROP INDEX transcript_at;
    """,
    # 5: updates python-telegram-bot could not read (a poison update): kept masked, skipped, so
    # one of them never stalls every resident (bot/telegram/poison.py).
    """
    CREATE TABLE quarantine (
        update_id   INTEGER PRIMARY KEY,
        data        TEXT NOT NULL,
        reason      TEXT NOT NULL,
        received_at REAL NOT NULL
    );
    """,
    # 6: a desk for a whole city (issue 12). Each ticket is served by one operators' group (a
    # kecamatan's, or the Disdukcapil group), and a resident's topic lives in one group: thread
    # ids are unique per group only, so the topic's key becomes (group, thread). Rows from before
    # get group 0, adopted by the Disdukcapil group at start (store.tickets.adopt_topics).
    """
    CREATE TABLE topics_v6 (
        chat_id     INTEGER PRIMARY KEY,
        group_id    INTEGER NOT NULL DEFAULT 0,
        topic_id    INTEGER NOT NULL,
        title       TEXT NOT NULL,
        closed      INTEGER NOT NULL DEFAULT 0,
        UNIQUE (group_id, topic_id)
    );
    INSERT INTO topics_v6 (chat_id, group_id, topic_id, title, closed) SELECT chat_id, 0, topic_id, title, closed FROM topics;
    DROP TABLE topics;
    ALTER TABLE topics_v6 RENAME TO topics;
    ALTER TABLE tickets ADD COLUMN group_id INTEGER;
    """,
    # 7: reviewing escalated conversations (issue 12): how each ticket ended, chosen by the
    # operator (solved, office, home_visit, unreachable), and the resident's 👍/👎 afterwards.
    """
    ALTER TABLE tickets ADD COLUMN resolution TEXT;
    ALTER TABLE tickets ADD COLUMN rating INTEGER CHECK (rating IN (-1, 1));
    """,
    # 8: journey events for the supervisors' view (issue 13), anonymous by design: no chat id,
    # no name, no text. ``resident`` is a salted hash (the salt lives in ``meta``) used only to
    # count a milestone once per resident and to delete a resident's rows on /hapusdata; the
    # aggregates never read it, and it is set to NULL after the retention period. No index on
    # the time: reports are rare and read the table in order; every step's insert stays cheap.
    """
    CREATE TABLE journey (
        id          INTEGER PRIMARY KEY,
        at          REAL NOT NULL,
        kind        TEXT NOT NULL,
        step        TEXT,
        kecamatan   TEXT,
        detail      TEXT,
        seconds     REAL,
        resident    TEXT
    );
    CREATE INDEX journey_resident ON journey(resident, kind) WHERE resident IS NOT NULL;
    CREATE TABLE meta (
        key         TEXT PRIMARY KEY,
        value       TEXT NOT NULL
    );
    """,
    # 9: home-visit requests (issue 12, jemput bola; bot/store/visits.py). The address is
    # personal: deleted with the resident (/hapusdata) and after the retention period.
    """
    CREATE TABLE home_visits (
        id            INTEGER PRIMARY KEY,
        ticket_id     INTEGER NOT NULL,
        chat_id       INTEGER NOT NULL,
        kecamatan     TEXT,
        kelurahan     TEXT,
        address       TEXT NOT NULL,
        requested_at  REAL NOT NULL
    );
    CREATE INDEX home_visits_ticket ON home_visits(ticket_id);
    """,
    # 10: several bot processes on one PostgreSQL database (issue 15). The inbox row names its
    # chat, so a worker about to handle a chat's update first handles any earlier one of that
    # chat another worker stored (updates of one chat in order across workers), and the worker
    # that took it in, so the leader queues it again only once that worker is gone. Workers
    # read a chat's pending messages from the database (no mirror there): by chat. send_slots is
    # the shared schedule of Telegram's limits (the next free moment per key: all sends, one
    # group's 20 a minute), so the limits hold for all workers together.
    """
    ALTER TABLE inbox ADD COLUMN chat_id INTEGER;
    ALTER TABLE inbox ADD COLUMN taken_by INTEGER;
    CREATE INDEX inbox_chat_unhandled ON inbox(chat_id, update_id) WHERE handled_at IS NULL;
    CREATE INDEX outbox_chat_pending ON outbox(chat_id, id) WHERE sent_at IS NULL AND failed IS NULL;
    CREATE TABLE send_slots (
        key         TEXT PRIMARY KEY,
        next_at     REAL NOT NULL
    );
    """,
)
