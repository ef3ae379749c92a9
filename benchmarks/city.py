"""A city's database for the growth figures: N stored conversations on SQLite or PostgreSQL.

Every stored resident looks as a city's would: a conversation mid-journey, two transcript lines,
a handled update (kept a day) and a sent outbox item. The rows are the Store's own: one
resident's are written through bot.store.Store into a database in memory, read back, and
repeated for each resident with its own chat id, update id and row ids. On SQLite they go in
with ``executemany`` in batches, on PostgreSQL with ``COPY`` (a million residents in about a
minute instead of an hour of single statements), each in one transaction.

A measured run adds residents of its own; :func:`rewind` takes the database back to what was
seeded (every row outside the seeded keys goes), so every run starts from the same city
without copying a gigabyte. On PostgreSQL each city lives in a schema of its own
(:func:`postgres_schema`), dropped after.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bot.engine import Input
from bot.store import Store
from bot.store.copy import TABLES
from bot.store.database import Database
from bot.store.postgres import is_postgres

FIRST_CHAT = 5_000_000_000  # far from the emulator's ids
HANDLED_IDS = 1_000_000_000  # update ids far from the ones measured
SHIFTED = ("chat_id", "update_id")  # a resident's own keys: the template's plus the resident's number
BATCH = 10_000


@dataclass(frozen=True)
class Template:
    """One stored resident's rows, table by table: (columns, rows)."""

    tables: dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]]


@dataclass(frozen=True)
class Seed:
    """What was seeded: per table, the key column and the range of keys the city's rows hold."""

    size: int
    keys: dict[str, tuple[str, int, int]]


def one_resident() -> Template:
    """The rows the Store writes for one resident of the city, as growth measured them."""
    from benchmarks.harness import offline_guide

    engine = offline_guide().engines["id"]
    conv = engine.step(None, Input.commanded("start")).conversation
    for _ in range(3):
        conv = engine.step(conv, Input.pressed(1)).conversation
    store = Store(":memory:")
    with store.transaction():
        store.residents.save(FIRST_CHAT, conv, locale="id", milestone="welcome")
        store.transcripts.add(FIRST_CHAT, "in", "button", "1", state=conv.state)
        store.transcripts.add(FIRST_CHAT, "out", "say", "Langkah 1 dari 8 ...", state=conv.state)
        store.inbox.keep_update(HANDLED_IDS, {}, chat_id=FIRST_CHAT)  # a handled update each (kept a day)
        store.inbox.claim_update(HANDLED_IDS)
        item = store.outbox.enqueue(FIRST_CHAT, {"kind": "message", "text": "Langkah 1 dari 8 ...", "rows": [["1"]]})
        store.outbox.mark_sent(item)
    tables = {}
    for table, _ in TABLES:
        cursor = store.db.execute(f"SELECT * FROM {table}")
        rows = [tuple(r) for r in cursor.fetchall()]
        if rows and any(d[0] in SHIFTED for d in cursor.description):
            tables[table] = (tuple(d[0] for d in cursor.description), rows)
    store.close()
    return Template(tables)


def _key(columns: tuple[str, ...]) -> str:
    """The column that tells the seeded rows from a run's: the row id, else the update's, else the chat's."""
    return next(c for c in ("id", "update_id", "chat_id") if c in columns)


def _rows(columns: tuple[str, ...], template: list[tuple[Any, ...]], size: int) -> Iterator[tuple[Any, ...]]:
    """The template's rows for residents 0..size-1, in resident order; row ids numbered from 1."""
    shifted = [i for i, c in enumerate(columns) if c in SHIFTED]
    ident = columns.index("id") if "id" in columns else None
    ids = itertools.count(1)
    for n in range(size):
        for row in template:
            out = list(row)
            for i in shifted:
                if out[i] is not None:
                    out[i] += n
            if ident is not None:
                out[ident] = next(ids)
            yield tuple(out)


def populate(url: str, size: int, template: Template | None = None) -> Seed:
    """Fill the (new, empty) database at ``url`` with ``size`` stored residents."""
    template = template or one_resident()
    Store(url).close()  # migrated to this teman-ikd's schema
    keys = {}
    for table, (columns, rows) in template.tables.items():
        key = _key(columns)
        at = columns.index(key)
        lo = min(r[at] for r in rows) if key != "id" else 1
        keys[table] = (key, lo, lo + size * len(rows) - 1 if key == "id" else max(r[at] for r in rows) + size - 1)
    if is_postgres(url):
        _copy_postgres(url, template, size)
    else:
        _insert_sqlite(url, template, size)
    return Seed(size, keys)


def _insert_sqlite(url: str, template: Template, size: int) -> None:
    db = Database(url)
    try:
        with db.transaction():
            for table, (columns, rows) in template.tables.items():
                insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
                source = _rows(columns, rows, size)
                while batch := list(itertools.islice(source, BATCH)):
                    db.executemany(insert, batch)
    finally:
        db.close()


def _copy_postgres(url: str, template: Template, size: int) -> None:
    import psycopg

    with psycopg.connect(url) as conn:  # one transaction, committed on leaving
        for table, (columns, rows) in template.tables.items():
            with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in _rows(columns, rows, size):
                    copy.write_row(row)
            if "id" in columns:  # identity keys continue after the copied ids (as migrate-db does)
                conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")
    with psycopg.connect(url, autocommit=True) as conn:
        # A city's server has vacuumed and analysed its tables long ago (autovacuum): plans and
        # visibility as they would be, not those of a table the planner has never seen.
        for table in template.tables:
            conn.execute(f"VACUUM ANALYZE {table}")


def rewind(url: str, seed: Seed) -> None:
    """Back to the seeded city: every row a measured run added goes (the seeded ones stay)."""
    db = Database(url)
    try:
        with db.transaction():
            for table, _ in TABLES:
                if table == "meta":  # the journey's salt: the city's own
                    continue
                if table in seed.keys:
                    key, lo, hi = seed.keys[table]
                    db.execute(f"DELETE FROM {table} WHERE {key} < ? OR {key} > ?", (lo, hi))
                else:
                    db.execute(f"DELETE FROM {table}")
    finally:
        db.close()


def schema_url(base: str, schema: str) -> str:
    """``base`` with every connection's search path set to ``schema``."""
    return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"


@contextmanager
def postgres_schema(base: str, label: str) -> Iterator[str]:
    """A schema of its own on the server at ``base`` (its URL), dropped after."""
    import psycopg

    schema = f"teman_bench_{label}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield schema_url(base, schema)
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")
