"""PostgreSQL under the same Database (issue 15): ``TEMAN_IKD_DATABASE=postgresql://…``.

The store's repositories write one dialect of SQL that both databases read (``?`` parameters,
``ON CONFLICT``, ``RETURNING``, partial indexes); what differs is here. :class:`Connection` gives a
psycopg 3 connection (autocommit: the store's transactions say BEGIN and COMMIT themselves) the
few things the store uses of sqlite3's: ``execute`` and ``executemany`` with ``?`` parameters,
``in_transaction``, ``close``. Its errors are raised as sqlite3's DB-API classes (an unreachable
or failing server is an OperationalError, as a full disk is for SQLite), so the bot's fault
handling (bot/telegram/turn.py) needs to know of one family only; the original error is chained.

PostgreSQL ends a whole transaction at its first failed statement, where SQLite fails only that
statement: the store's savepoints (one per handled input) undo exactly the failed input on both,
and a COMMIT of a failed transaction raises instead of quietly rolling back (PostgreSQL's way).

The schema's migrations (bot/store/schema.py) are written once, in SQLite's words, and
translated here (:func:`translate_migration`): 64-bit integers (chat ids need them), double
precision times, identity keys; every migration is numbered alike on both.
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
from typing import Any

SCHEMES = ("postgresql://", "postgres://")
LOCK_TIMEOUT = 10  # seconds a statement waits for a lock another worker holds


def is_postgres(url: str) -> bool:
    return url.startswith(SCHEMES)


def display_url(url: str) -> str:
    """The URL as it may be shown and logged: a password in it is masked."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


def _errors() -> tuple[type[BaseException], ...]:
    import psycopg

    return (psycopg.Error,)


def _as_sqlite_error(exc: BaseException) -> sqlite3.Error:
    import psycopg

    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, psycopg.IntegrityError):
        return sqlite3.IntegrityError(text)
    if isinstance(exc, (psycopg.OperationalError, psycopg.errors.InFailedSqlTransaction)):
        return sqlite3.OperationalError(text)
    if isinstance(exc, psycopg.ProgrammingError):
        return sqlite3.ProgrammingError(text)
    return sqlite3.DatabaseError(text)


@functools.lru_cache(maxsize=512)
def psycopg_sql(sql: str) -> str:
    """The store's SQL for psycopg, given parameters: ``?`` becomes ``%s`` (a literal % doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


class Connection:
    """A psycopg 3 connection that the store's Database uses as it uses sqlite3's."""

    def __init__(self, url: str, connect_timeout: float = 10.0):
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - the message is the point
            raise sqlite3.OperationalError(
                "PostgreSQL needs psycopg: pip install 'teman-ikd[postgres]'") from exc
        self._errors = _errors()
        self._url, self._timeout = url, max(1, int(connect_timeout))
        self._idle = psycopg.pq.TransactionStatus.IDLE
        self._failed = psycopg.pq.TransactionStatus.INERROR
        self._gone = psycopg.pq.TransactionStatus.UNKNOWN
        self._conn = self._connect()

    def _connect(self) -> Any:
        import psycopg

        try:
            conn = psycopg.connect(self._url, autocommit=True, connect_timeout=self._timeout,
                                   application_name=application_name("store"))
            # A worker cut off from the others (not dead: its locks stay) must not stall a chat
            # for good: a step waiting this long for a lock fails, and is tried again later.
            conn.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}s'")
            return conn
        except psycopg.Error as exc:
            raise _as_sqlite_error(exc) from exc

    def execute(self, sql: str, args: tuple[Any, ...] | list[Any] = ()) -> Any:
        if self._conn.broken:
            # The server went away (a restart, a network cut): what was open with it is lost
            # (in_transaction says so, and the store fails that transaction); the next
            # statement connects again, or fails as the server is still away, and the bot's
            # turn tries again later with back-off (bot/telegram/turn.py).
            self._conn = self._connect()
        if sql == "COMMIT" and self._conn.info.transaction_status == self._failed:
            # PostgreSQL would answer a COMMIT of a failed transaction with a quiet ROLLBACK.
            raise sqlite3.OperationalError("the transaction failed earlier and was not committed")
        if sql == "BEGIN IMMEDIATE":  # SQLite's "take the write lock now"; PostgreSQL locks rows
            sql = "BEGIN"
        try:
            if args:
                return self._conn.execute(psycopg_sql(sql), tuple(args))
            return self._conn.execute(sql)  # no parameters: psycopg reads no placeholders
        except self._errors as exc:
            raise _as_sqlite_error(exc) from exc

    def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if self._conn.broken:
            self._conn = self._connect()
        try:
            with self._conn.cursor() as cursor:
                cursor.executemany(psycopg_sql(sql), rows)
        except self._errors as exc:
            raise _as_sqlite_error(exc) from exc

    @property
    def in_transaction(self) -> bool:
        """A transaction is open (perhaps failed, still to be rolled back); False once the
        connection is lost, with whatever transaction it had."""
        return self._conn.info.transaction_status not in (self._idle, self._gone)

    def close(self) -> None:
        self._conn.close()


_ID_KEY = re.compile(r"\bid(\s+)INTEGER PRIMARY KEY\b")


def translate_migration(script: str) -> str:
    """One migration of bot/store/schema.py, in PostgreSQL's words."""
    script = _ID_KEY.sub(r"id\1BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", script)
    script = re.sub(r"\bINTEGER\b", "BIGINT", script)
    script = re.sub(r"\bREAL\b", "DOUBLE PRECISION", script)
    return script.replace("WITHOUT ROWID", "")


def application_name(role: str) -> str:
    """How a worker's connections are named in pg_stat_activity (with its process id), so an
    administrator sees which process holds which lock (the leader's, a chat's)."""
    return f"teman-ikd {role} {os.getpid()}"


def lock(function: str, name: str = "?") -> str:
    """SQL calling an advisory-lock ``function`` on the lock called ``name`` (a parameter by
    default) within this schema. PostgreSQL's advisory locks belong to the whole database, and
    one database may hold several cities' bots, one schema each (or a test's): the schema is
    part of the lock's name, hashed to the 64-bit key the function takes."""
    return f"SELECT {function}(hashtextextended(current_schema() || ':' || {name}, 0))"


def json_field(dialect: str, column: str, key: str) -> str:
    """An SQL expression for the integer ``key`` of the JSON object in ``column``."""
    if dialect == "postgresql":
        return f"CAST({column}::jsonb ->> '{key}' AS BIGINT)"
    return f"json_extract({column}, '$.{key}')"
