"""The database under the repositories: migrations, one transaction per input, savepoints."""

from __future__ import annotations

import ast
import sqlite3
from pathlib import Path

import pytest

from bot.engine import Conversation
from bot.store import MIGRATIONS, Store
from tests.store.conftest import Opener

REPOSITORIES = ("residents", "transcripts", "inbox", "messages", "desk", "journey")


def test_migrations_bring_a_new_file_to_the_latest_version_and_use_wal(tmp_path: Path) -> None:
    path = tmp_path / "teman.db"
    store = Store(f"sqlite:///{path}")
    assert store.schema_version == len(MIGRATIONS)
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()
    assert Store(str(path)).schema_version == len(MIGRATIONS)  # reopening migrates nothing twice


def test_a_failed_transaction_leaves_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.residents.save(1, Conversation(state="x"), locale="id", milestone="welcome")
        store.inbox.mark_processed("telegram", "42")
        raise RuntimeError("crash in the middle")
    assert store.residents.load(1) is None
    assert not store.inbox.already_processed("telegram", "42")


def test_a_failed_savepoint_undoes_only_its_own_writes(store: Store) -> None:
    with store.transaction():
        with store.transaction():
            store.residents.save(1, Conversation(state="a"), locale="id", milestone="welcome")
            store.outbox.enqueue(1, {"kind": "message", "text": "untuk satu"})
        with pytest.raises(RuntimeError), store.transaction():
            store.residents.save(2, Conversation(state="b"), locale="id", milestone="welcome")
            store.outbox.enqueue(2, {"kind": "message", "text": "untuk dua"})
            assert store.outbox.count_pending_for(2) == 1  # queued in the open transaction counts
            raise RuntimeError("this resident's step failed")
        assert store.outbox.count_pending_for(2) == 0
        assert store.outbox.count_pending() == 0  # nothing is pending before the commit
    assert store.residents.load(1) is not None and store.residents.load(2) is None
    assert [i.payload["text"] for i in store.outbox.pending()] == ["untuk satu"]


def test_no_repository_reaches_into_another() -> None:
    """Each repository module imports the database and plain records only: an operation that
    spans two is composed by the Store (or its caller) in one transaction."""
    root = Path(__file__).resolve().parents[2] / "bot" / "store"
    for name in REPOSITORIES:
        tree = ast.parse((root / f"{name}.py").read_text())
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        others = {f"bot.store.{other}" for other in REPOSITORIES if other != name}
        assert not imported & others, f"bot/store/{name}.py imports {imported & others}"


def test_an_erasure_that_fails_halfway_leaves_everything(reopen: Opener) -> None:
    store = reopen()
    with store.transaction():
        store.residents.save(5, Conversation(state="x"), locale="id", milestone="welcome")
        store.outbox.enqueue(5, {"kind": "message", "text": "halo"})
        store.transcripts.add(5, "in", "text", "sdh")
    with pytest.raises(RuntimeError), store.transaction():
        store.erase_resident(5)
        raise RuntimeError("crash in the middle")
    assert store.residents.load(5) is not None and store.transcripts.of(5) != []
    assert [i.payload["text"] for i in store.outbox.pending_for(5)] == ["halo"]  # still to be sent


def test_a_lost_postgresql_connection_loses_its_transaction_only(postgres_url: str) -> None:
    """The server ends the bot's connection (a restart, a network cut): the transaction open
    then fails as a whole, and the next one connects again."""
    import psycopg

    store = Store(postgres_url)
    try:
        store.residents.save(5, Conversation(state="a"), locale="id", milestone="welcome")
        with pytest.raises(sqlite3.OperationalError), store.transaction():
            store.residents.save(6, Conversation(state="a"), locale="id", milestone="welcome")
            pid = store.db.execute("SELECT pg_backend_pid()").fetchone()[0]
            with psycopg.connect(postgres_url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            store.residents.save(7, Conversation(state="a"), locale="id", milestone="welcome")
        with store.transaction():
            store.residents.save(8, Conversation(state="a"), locale="id", milestone="welcome")
        assert [store.residents.load(c) is not None for c in (5, 6, 7, 8)] == [True, False, False, True]
    finally:
        store.close()


def test_two_bots_in_one_postgresql_database_take_their_own_turns(postgres_url: str, postgres_server: str) -> None:
    """PostgreSQL's advisory locks belong to the whole database: named within each schema, two
    cities' bots (a schema each) never wait for each other's chats, nor share one leader."""
    import uuid

    import psycopg

    from bot.store.database import SENDING
    from tests.store.conftest import postgres_schema_url

    other_schema = f"teman_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {other_schema}")
    one, same = Store(postgres_url), Store(postgres_url)
    other = Store(postgres_schema_url(postgres_server, other_schema))
    try:
        assert one.db.try_lock(SENDING, 5)
        assert not same.db.try_lock(SENDING, 5)  # the same bot's other worker waits its turn
        assert other.db.try_lock(SENDING, 5)  # another city's bot does not
    finally:
        for store in (one, same, other):
            store.close()
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {other_schema} CASCADE")
