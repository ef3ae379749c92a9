"""The SQLite store: migrations, one transaction per input, idempotency, outbox, erasure."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.engine import Conversation
from bot.store import MIGRATIONS, Store


def test_migrations_bring_a_new_file_to_the_latest_version_and_use_wal(tmp_path: Path) -> None:
    path = tmp_path / "teman.db"
    store = Store(f"sqlite:///{path}")
    assert store.schema_version == len(MIGRATIONS)
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()
    assert Store(str(path)).schema_version == len(MIGRATIONS)  # reopening migrates nothing twice


def test_conversation_survives_reopening(tmp_path: Path) -> None:
    path = str(tmp_path / "teman.db")
    store = Store(path)
    conv = Conversation(state="face_take", history=("a", "b")).with_facts({"role": "helper"})
    with store.transaction():
        store.save(7, conv, locale="id", milestone="face_check")
    store.close()
    again = Store(path).load(7)
    assert again is not None and again.conversation == conv and again.locale == "id"


def test_a_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "t.db"))
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.save(1, Conversation(state="x"), locale="id", milestone="welcome")
            store.mark_processed("telegram", "42")
            raise RuntimeError("crash in the middle")
    assert store.load(1) is None
    assert not store.already_processed("telegram", "42")


def test_outbox_and_erasure(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "t.db"))
    with store.transaction():
        store.save(5, Conversation(state="x"), locale="id", milestone="welcome")
        first = store.enqueue(5, {"kind": "message", "text": "halo"})
        store.enqueue(6, {"kind": "message", "text": "lain"})
        store.add_transcript(5, "in", "text", "sdh")
    assert [i.payload["text"] for i in store.pending()] == ["halo", "lain"]
    store.mark_sent(first)
    assert [i.chat_id for i in store.pending()] == [6]
    store.erase_resident(5)
    assert store.load(5) is None and store.transcript(5) == []
