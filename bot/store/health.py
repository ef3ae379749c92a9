"""Is the database file usable? Checked once by ``teman-ikd run`` before anything else opens it.

A damaged database used to start, poll and answer nobody ("database disk image is malformed"
on every update), and a path that was no file at all ended in a traceback. Here each case is
one sentence naming the file and what to do. ``PRAGMA quick_check`` reads every page (it is
the part of ``integrity_check`` that needs no index comparisons: O(pages), a few hundred ms for
a city's database), on a connection of its own that is closed at once, so its page cache and
memory map are not carried into the running bot.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from bot.store.database import Database, _path_from_url
from bot.store.postgres import display_url, is_postgres
from bot.store.schema import MIGRATIONS

RESTORE = "restore it from a backup, or move it aside to start with an empty database"


def database_problem(url: str) -> str | None:
    """None if the database at ``url`` can be opened, read and written; else one line saying
    what is wrong with which file (or server) and what to do."""
    if is_postgres(url):
        return _postgres_problem(url)
    path = _path_from_url(url)
    if path == ":memory:":
        return None
    file = Path(path).expanduser()
    try:
        return _problem(file)
    except OSError as exc:  # a folder on the way that this user may not enter, say
        return f"database {file} cannot be reached ({exc.strerror or exc}): give the bot's user access to it"


def _problem(file: Path) -> str | None:
    if file.is_dir():
        return f"database {file} is a directory: set TEMAN_IKD_DATABASE to a file path inside it"
    if not file.exists():
        parent = _existing_parent(file)
        if not os.access(parent, os.W_OK | os.X_OK):
            return f"database {file} cannot be created: {parent} is not writable for this user"
        return None  # a new, empty database
    if not os.access(file, os.R_OK | os.W_OK) or not os.access(file.parent, os.W_OK | os.X_OK):
        return (f"database {file} is read-only for this user (the file, or its folder for the -wal "
                f"file): give the bot's user write permission, e.g. chmod u+w {file}")
    try:
        connection = sqlite3.connect(f"file:{file}?mode=rw", uri=True, timeout=5)
    except sqlite3.Error as exc:
        return f"database {file} cannot be opened ({exc}): check the path and its permissions"
    try:
        rows = connection.execute("PRAGMA quick_check(1)").fetchall()
        connection.execute("BEGIN IMMEDIATE")  # can it be written? (read-only media, locks)
        connection.execute("ROLLBACK")
        versioned = connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_version'").fetchone()
        version = connection.execute("SELECT max(version) FROM schema_version").fetchone()[0] if versioned else 0
    except sqlite3.DatabaseError as exc:
        return f"database {file} is not a usable SQLite database ({exc}): {RESTORE}"
    finally:
        connection.close()
    if [r[0] for r in rows] != ["ok"]:
        found = [line.strip() for r in rows for line in str(r[0]).splitlines() if line.strip() and "***" not in line]
        return f"database {file} is damaged ({found[0] if found else 'quick_check failed'}): {RESTORE}"
    if (version or 0) > len(MIGRATIONS):
        return (f"database {file} cannot be used: its schema is version {version}, newer than this "
                f"teman-ikd's {len(MIGRATIONS)}: run the newer teman-ikd that wrote it, or restore a backup")
    return None


def _postgres_problem(url: str) -> str | None:
    """Can the server be reached, and is its schema one this bot can use (migrated if older)?"""
    try:
        Database(url).close()
    except sqlite3.Error as exc:
        return f"database {display_url(url)} cannot be used: {exc}{_postgres_hint(str(exc))}"
    return None


def _postgres_hint(error: str) -> str:
    """What to do about the server's refusal, where libpq's words say which one it is."""
    if "password authentication failed" in error or "no password supplied" in error:
        return ": check the user and password in TEMAN_IKD_DATABASE"
    if "does not exist" in error:
        return ": check the names in TEMAN_IKD_DATABASE (create the role or database first)"
    if "Connection refused" in error or "could not translate host name" in error or "timeout" in error:
        return ": check that the server runs and the host and port in TEMAN_IKD_DATABASE"
    return ""


def _existing_parent(file: Path) -> Path:
    parent = file.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    return parent
