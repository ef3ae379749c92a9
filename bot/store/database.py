"""The connection: opening, WAL, migrations, transactions and the clock, shared by the store's
repositories (each takes one Database; only they and this module write SQL)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from bot.store import postgres
from bot.store.schema import MIGRATIONS

# One encoder, built once: json.dumps(..., ensure_ascii=False) builds a new one on every call,
# several times per update. Texts stay readable (no \u escapes).
to_json = json.JSONEncoder(ensure_ascii=False).encode


MIGRATION_LOCK = 0x7E4A1D  # PostgreSQL advisory lock key held while one worker migrates
# What several workers on one PostgreSQL database take turns at (advisory locks, bot/store/postgres.py):
HANDLING = 1  # a chat's updates: one worker at a time handles them (for the length of a unit of work)
SENDING = 2  # a chat's outbox: one worker at a time sends it (held while its sender drains it)


def _path_from_url(url: str) -> str:
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///"):] or ":memory:"
    if url.startswith("sqlite://"):
        return url[len("sqlite://"):] or ":memory:"
    return url


def _open_sqlite(path: str) -> sqlite3.Connection:
    if path != ":memory:":
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    if path != ":memory:":
        db.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable against a crash of the process (kill -9); only power loss may
        # lose the last commits, which Telegram would then redeliver.
        db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    # Deleted rows (a handled update, an erased resident) are overwritten, not left in free pages.
    db.execute("PRAGMA secure_delete=ON")
    # A city's database holds many residents: a 32 MB page cache (SQLite's default is 2 MB)
    # keeps the indexes an input touches in memory, so per-input cost does not grow with it.
    db.execute("PRAGMA cache_size=-32768")
    if path != ":memory:":
        # Reads through a memory map instead of a read() call per page (cheaper on big files).
        db.execute("PRAGMA mmap_size=268435456")
    return db


class SchemaMismatch(sqlite3.DatabaseError):
    """The database was written by a newer version of the bot (its schema is ahead of ours)."""


class Database:
    """One database, SQLite or PostgreSQL (bot/store/postgres.py). Safe to share between
    threads (calls are serialised)."""

    def __init__(self, url: str = ":memory:", clock: Callable[[], float] = time.time):
        # Every timestamp comes from this clock, so tests can put the store in office hours.
        self.clock = clock
        # What to do in memory once the current transaction commits (dropped if it rolls back):
        # the store's in-memory mirrors (bot.store.messages) only ever show committed rows.
        self._after_commit: list[Callable[[], None]] = []
        # Called after every commit of an outermost transaction, once its after-commit actions ran
        # (the bot's delivery: what was queued may now leave). The one place replies are released.
        self.on_commit: Callable[[], None] | None = None
        self._lock = threading.RLock()
        self._depth = 0  # transactions open (the outermost and its savepoints)
        self._lost = False  # SQLite rolled the open transaction back on its own (see _check_lost)
        if postgres.is_postgres(url):
            self.dialect = "postgresql"
            self.path = postgres.display_url(url)
            self._db: Any = postgres.Connection(url)
        else:
            self.dialect = "sqlite"
            self.path = _path_from_url(url)
            self._db = _open_sqlite(self.path)
        self._migrate()

    # ----- what the repositories use -------------------------------------------------------
    def execute(self, sql: str, args: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        """One statement, in the open transaction if any."""
        return self._run(sql, args)

    def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """One statement for many rows, in the open transaction if any."""
        with self._lock:
            if self._lost:
                raise _lost_error()
            self._db.executemany(sql, rows)

    def when_committed(self, action: Callable[[], None]) -> None:
        """Run ``action`` once what was just written is committed (never if it is undone)."""
        self._when_committed(action)

    def purge_older(self, table: str, key: str, moment: str, older_than: float) -> int:
        """Delete the rows of ``table`` whose ``moment`` is before ``older_than`` (see _purge_older)."""
        return self._purge_older(table, key, moment, older_than)

    @property
    def shared(self) -> bool:
        """Several bot processes may use this database at once (PostgreSQL): what they must not
        do together they take turns at (``lock_for_unit``, ``try_lock``). SQLite has one writer,
        the bot's one process, and these locks cost nothing there."""
        return self.dialect == "postgresql"

    def lock_for_unit(self, kind: int, key: int) -> None:
        """Wait until no other worker holds (``kind``, ``key``), and hold it until the open
        transaction ends (PostgreSQL: pg_advisory_xact_lock; a crashed worker's lock goes with
        its connection). SQLite: BEGIN IMMEDIATE already gave this transaction the database."""
        assert self._depth, "lock_for_unit belongs inside a transaction"
        if self.shared:
            self._run("SELECT pg_advisory_xact_lock(?, ?)", (kind, postgres.lock_key(key)))

    def try_lock(self, kind: int, key: int) -> bool:
        """Hold (``kind``, ``key``) from now until ``unlock``, if no other worker holds it (never
        waits). Held by this process's connection: a worker killed lets go at once."""
        if not self.shared:
            return True
        return bool(self._run("SELECT pg_try_advisory_lock(?, ?)", (kind, postgres.lock_key(key))).fetchone()[0])

    def unlock(self, kind: int, key: int) -> None:
        if self.shared:
            self._run("SELECT pg_advisory_unlock(?, ?)", (kind, postgres.lock_key(key)))

    def json_field(self, column: str, key: str) -> str:
        """An SQL expression for the integer ``key`` of the JSON object kept in ``column``."""
        return postgres.json_field(self.dialect, column, key)

    def _when_committed(self, action: Callable[[], None]) -> None:
        """Run ``action`` once what was just written is committed: now, outside a transaction."""
        if self._depth:
            self._after_commit.append(action)
        else:
            action()

    # ----- schema -------------------------------------------------------------------------
    def _migrate(self) -> None:
        migrations = MIGRATIONS if self.dialect == "sqlite" else tuple(map(postgres.translate_migration, MIGRATIONS))
        with self._lock:
            if self.dialect == "postgresql":
                # Several workers may start at once: one migrates, the others wait, then find it done.
                self._db.execute("SELECT pg_advisory_lock(?)", (MIGRATION_LOCK,))
            try:
                version = self._migrate_to(migrations)
            finally:
                if self.dialect == "postgresql":
                    self._db.execute("SELECT pg_advisory_unlock(?)", (MIGRATION_LOCK,))
            if (self.dialect == "sqlite" and version < len(migrations)
                    and self._db.execute("PRAGMA freelist_count").fetchone()[0]):
                # A migration rebuilt a table (6: topics): give the freed pages back once, so the
                # file holds only live rows (and a full disk is full, not quietly reused space).
                self._db.execute("VACUUM")

    def _migrate_to(self, migrations: tuple[str, ...]) -> int:
        """Apply the migrations this database lacks, each in a transaction; the version before."""
        self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = self._db.execute("SELECT version FROM schema_version").fetchone()
        version = row[0] if row else 0
        if version > len(migrations):
            raise SchemaMismatch(f"its schema is version {version}, newer than this teman-ikd's {len(migrations)}: "
                                 "run the newer teman-ikd that wrote it, or restore a backup")
        if row is None:
            self._db.execute("INSERT INTO schema_version VALUES (0)")
        for number, script in enumerate(migrations[version:], start=version + 1):
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
        return version

    @property
    def schema_version(self) -> int:
        return self._db.execute("SELECT version FROM schema_version").fetchone()[0]

    def transaction(self) -> _Transaction:
        """The one way to make writes a unit: all of them happen, or none.

        Used as ``with store.transaction():``. The outermost one is a transaction of its own
        (BEGIN IMMEDIATE ... COMMIT); one opened inside another is always a savepoint, so a
        failure inside it undoes exactly what it wrapped and the outer one goes on (or fails in
        turn, undoing the inner ones with it). Holds the store's lock until it ends, and runs the
        after-commit actions (``_when_committed``) and then ``on_commit`` once the outermost
        one has committed. A single statement outside any transaction is its own (autocommit)."""
        return _Transaction(self)

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def _run(self, sql: str, args: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        with self._lock:
            if self._lost:
                raise _lost_error()
            try:
                return self._db.execute(sql, args)
            except sqlite3.Error:
                self._check_lost()
                raise

    def _check_lost(self) -> None:
        """After a failed statement: did SQLite roll the whole transaction back by itself? (It may,
        on a full disk or an I/O error.) Then every later write of it must fail too, not run on its
        own outside any transaction, until the outermost transaction ends."""
        if self._depth and not self._db.in_transaction:
            self._lost = True

    def _purge_older(self, table: str, key: str, moment: str, older_than: float) -> int:
        """Delete the rows of ``table`` whose ``moment`` (an SQL expression, NULL for "keep") is
        before ``older_than``, without reading the table whole: rows are added in ``key`` order
        (an integer primary key) as time goes by, so the last old row is found by bisection on
        it (a few lookups), and only rows up to it are looked at. A row out of order waits for
        the next purge."""
        with self.transaction():
            # Two queries: SQLite answers a lone min() or max() of the key from the b-tree's
            # edge, but "SELECT min(key), max(key)" by reading every row.
            first = self._run(f"SELECT min({key}) FROM {table}").fetchone()[0]
            if first is None:
                return 0
            last = self._run(f"SELECT max({key}) FROM {table}").fetchone()[0]
            lo, hi = first - 1, last  # invariant: rows up to lo are old; the answer is <= hi
            while lo < hi:
                mid = (lo + hi + 1) // 2
                row = self._run(f"SELECT {key}, {moment} FROM {table} WHERE {key} >= ? ORDER BY {key} LIMIT 1",
                                (mid,)).fetchone()
                if row[1] is not None and row[1] < older_than:
                    lo = row[0]
                else:
                    hi = mid - 1
            if lo < first:
                return 0
            return self._run(f"DELETE FROM {table} WHERE {key} <= ? AND {moment} < ?", (lo, older_than)).rowcount

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _lost_error() -> sqlite3.OperationalError:
    return sqlite3.OperationalError("the transaction was rolled back by SQLite (database or disk is full?)")


class _Transaction:
    """One ``with store.transaction():`` block: the outermost a transaction, a nested one a savepoint.

    A class rather than a generator: it is entered at least once per update, and this costs a
    fraction of contextlib's machinery."""

    __slots__ = ("db", "mark", "savepoint")

    def __init__(self, db: Database):
        self.db = db
        self.savepoint: str | None = None  # its name when nested
        self.mark = 0  # after-commit actions queued before it began (dropped after it on failure)

    def __enter__(self) -> Database:
        db = self.db
        db._lock.acquire()
        try:
            if not db._depth:
                db._db.execute("BEGIN IMMEDIATE")
                db._lost = False
            elif db._lost:  # a SAVEPOINT now would open a transaction of its own
                raise _lost_error()
            else:
                self.savepoint = f"unit{db._depth}"
                self.mark = len(db._after_commit)
                db._db.execute(f"SAVEPOINT {self.savepoint}")
        except BaseException:
            db._lock.release()
            raise
        db._depth += 1
        return db

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        db = self.db
        committed = False
        try:
            db._depth -= 1
            if self.savepoint is not None:
                self._end_savepoint(failed=exc_type is not None)
            else:
                committed = self._end_transaction(failed=exc_type is not None)
        finally:
            db._lock.release()
        if committed and db.on_commit is not None:
            db.on_commit()

    def _end_savepoint(self, failed: bool) -> None:
        db, name = self.db, self.savepoint
        if failed:
            del db._after_commit[self.mark:]  # what was undone never happened in memory either
            db._check_lost()
            if not db._lost:  # (else nothing is left to undo: the whole transaction is gone)
                db._db.execute(f"ROLLBACK TO {name}")
                db._db.execute(f"RELEASE {name}")
            return
        if db._lost:
            raise _lost_error()
        db._db.execute(f"RELEASE {name}")

    def _end_transaction(self, failed: bool) -> bool:
        """COMMIT, or ROLLBACK after a failure; True when committed."""
        db = self.db
        actions, db._after_commit = db._after_commit, []
        lost, db._lost = db._lost or not db._db.in_transaction, False
        if lost:  # SQLite already rolled everything back (a full disk, an I/O error)
            if not failed:
                raise _lost_error()
            return False
        if failed:
            db._db.execute("ROLLBACK")
            return False
        try:
            db._db.execute("COMMIT")
        except BaseException:
            if db._db.in_transaction:
                db._db.execute("ROLLBACK")  # nothing half-done stays open
            raise
        for action in actions:
            action()
        return True
