"""``teman-ikd migrate-db``: move a SQLite database to PostgreSQL (issue 15), whole.

The target is migrated to the same schema version first and must hold no rows yet (a second
run, or a database the bot already uses, is refused rather than merged). Every table is copied
in one transaction on the target, so a failure leaves it empty; the journey's salt (``meta``)
comes along, so a resident's milestones still count once. Identity keys continue after the
copied ids. The source is only read; stop the bot before copying, and point it at the target
after.
"""

from __future__ import annotations

from bot.store.database import Database

# Every table of the schema, in an order that needs no deferred checks; the key of each.
TABLES = (("meta", None), ("conversations", None), ("processed", None), ("inbox", None), ("quarantine", None),
          ("outbox", "id"), ("transcript", "id"), ("events", "id"), ("tickets", "id"), ("topics", None),
          ("audit", "id"), ("journey", "id"), ("home_visits", "id"), ("send_slots", None))
BATCH = 1000


class TargetNotEmpty(Exception):
    """The target already holds rows: copying would merge two databases."""


def copy_database(source_url: str, target_url: str) -> dict[str, int]:
    """Copy every row of ``source_url`` into ``target_url``; how many rows of each table."""
    source, target = Database(source_url), Database(target_url)
    try:
        if source.schema_version != target.schema_version:  # both were migrated by this teman-ikd
            raise TargetNotEmpty(f"schema versions differ ({source.schema_version}, {target.schema_version})")
        filled = [table for table, _ in TABLES if target.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()]
        if filled:
            raise TargetNotEmpty(f"the target already holds rows ({', '.join(filled)})")
        counts = {}
        with target.transaction():
            for table, key in TABLES:
                counts[table] = _copy_table(source, target, table)
                if key and target.dialect == "postgresql":
                    target.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{key}'), "
                                   f"COALESCE((SELECT max({key}) FROM {table}), 0) + 1, false)")
        return counts
    finally:
        source.close()
        target.close()


def _copy_table(source: Database, target: Database, table: str) -> int:
    cursor = source.execute(f"SELECT * FROM {table}")
    columns = ", ".join(d[0] for d in cursor.description)
    marks = ", ".join("?" for _ in cursor.description)
    insert = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
    copied = 0
    while rows := cursor.fetchmany(BATCH):
        target.executemany(insert, [tuple(r) for r in rows])
        copied += len(rows)
    return copied
