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
    with pytest.raises(RuntimeError), store.transaction():
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


def test_the_pending_outbox_shows_committed_items_only_and_survives_reopening(tmp_path: Path) -> None:
    path = str(tmp_path / "t.db")
    store = Store(path)
    with pytest.raises(RuntimeError), store.transaction():
        store.enqueue(5, {"kind": "message", "text": "never sent"})
        assert store.count_pending() == 0  # not before the commit
        raise RuntimeError("crash in the middle")
    assert store.count_pending() == 0 and store.next_for(5) is None
    with store.transaction():
        first = store.enqueue(5, {"kind": "message", "text": "satu"})
        store.enqueue(5, {"kind": "message", "text": "dua"})
        store.enqueue(6, {"kind": "message", "text": "lain"})
    assert store.take_enqueued_chats() == {5, 6}
    assert store.next_for(5).id == first and store.count_pending_for(5) == 2
    store.transaction().__enter__()  # a transaction a sender marks "sent" in, never committed
    store.mark_sent(first)
    assert store.next_for(5).payload["text"] == "dua"  # no longer offered, at once
    store.close()
    # Killed before that transaction committed: the message is still pending (at least once).
    again = Store(path)
    assert [i.payload["text"] for i in again.pending()] == ["satu", "dua", "lain"]
    with again.transaction():  # the delivery's way: marks kept, written in one statement at commit
        again.mark_sent_later(again.next_for(5).id)
        assert again.next_for(5).payload["text"] == "dua"
        assert again.write_sent() == 1
    again.close()
    assert [i.payload["text"] for i in Store(path).pending()] == ["dua", "lain"]


def test_a_blocked_resident_is_remembered_across_reopening_until_they_write_again(tmp_path: Path) -> None:
    path = str(tmp_path / "t.db")
    store = Store(path)
    with store.transaction():
        store.save(5, Conversation(state="x"), locale="id", milestone="welcome")
        store.enqueue(5, {"kind": "message", "text": "halo"})
    store.set_active(5, False)
    assert not store.is_active(5) and store.next_for(5).active is False
    assert store.is_active(99)  # an unknown chat is not blocked
    store.close()
    again = Store(path)
    assert not again.is_active(5)
    with again.transaction():
        again.save(5, Conversation(state="x"), locale="id", milestone="welcome")  # they wrote again
    assert again.is_active(5)


def test_an_update_is_claimed_once_and_its_stored_text_erased(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "t.db"))
    store.keep_update(10, {"update_id": 10, "message": {"text": "sdh pak"}})
    assert [u["update_id"] for u in store.unhandled_updates()] == [10]
    assert store.claim_update(10) is True
    assert store.claim_update(10) is False  # a redelivery after a crash
    assert store.unhandled_updates() == []
    store.keep_update(10, {"update_id": 10, "message": {"text": "sdh pak"}})  # replayed: stays handled
    assert store.unhandled_updates() == [] and store.claim_update(10) is False
    assert store.claim_update(11) is True and store.claim_update(11) is False  # never stored, still once
    raw = sqlite3.connect(str(tmp_path / "t.db")).execute("SELECT group_concat(data, '') FROM inbox").fetchone()[0]
    assert "sdh pak" not in (raw or "")
    assert store.purge_handled(store.clock() + 1) == 2


def test_a_claim_rolls_back_with_its_step(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "t.db"))
    store.keep_update(10, {"update_id": 10})
    with pytest.raises(RuntimeError), store.transaction():
        assert store.claim_update(10)
        raise RuntimeError("crash in the middle")
    assert [u["update_id"] for u in store.unhandled_updates()] == [10]


def test_delivered_messages_are_purged_and_pending_ones_kept(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    store = Store(str(path))
    with store.transaction():
        sent = store.enqueue(5, {"kind": "message", "text": "terkirim"})
        store.enqueue(5, {"kind": "message", "text": "menunggu"})
    store.mark_sent(sent)
    assert store.purge_handled(store.clock() - 1) == 0  # nothing that old yet
    assert store.purge_handled(store.clock() + 1) == 1
    texts = [r[0] for r in sqlite3.connect(path).execute("SELECT payload FROM outbox")]
    assert len(texts) == 1 and "menunggu" in texts[0]
    assert [i.payload["text"] for i in store.pending()] == ["menunggu"]


def test_a_failed_savepoint_undoes_only_its_own_writes(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "t.db"))
    with store.transaction():
        with store.transaction():
            store.save(1, Conversation(state="a"), locale="id", milestone="welcome")
            store.enqueue(1, {"kind": "message", "text": "untuk satu"})
        with pytest.raises(RuntimeError), store.transaction():
            store.save(2, Conversation(state="b"), locale="id", milestone="welcome")
            store.enqueue(2, {"kind": "message", "text": "untuk dua"})
            assert store.count_pending_for(2) == 1  # queued in the open transaction counts
            raise RuntimeError("this resident's step failed")
        assert store.count_pending_for(2) == 0
        assert store.count_pending() == 0  # nothing is pending before the commit
    assert store.load(1) is not None and store.load(2) is None
    assert [i.payload["text"] for i in store.pending()] == ["untuk satu"]


def test_conversations_read_back_as_last_committed_whatever_was_kept_in_memory(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "t.db"))
    with store.transaction():
        store.save(5, Conversation(state="a"), locale="id", milestone="welcome", first_name="Siti")
    assert store.load(5).conversation.state == "a" and store.load(5).first_name == "Siti"
    with store.transaction():  # read, then written in the same transaction
        assert store.load(5).conversation.state == "a"
        store.save(5, Conversation(state="b"), locale="id", milestone="welcome")
        assert store.load(5).conversation.state == "b"  # the transaction sees its own write
    assert store.load(5).conversation.state == "b" and store.load(5).first_name == "Siti"
    with pytest.raises(RuntimeError), store.transaction():
        store.save(5, Conversation(state="c"), locale="en", milestone="welcome")
        raise RuntimeError("crash in the middle")
    assert store.load(5).conversation.state == "b" and store.load(5).locale == "id"
    with store.transaction():
        with pytest.raises(RuntimeError), store.transaction():
            store.save(5, Conversation(state="d"), locale="id", milestone="welcome")
            raise RuntimeError("one step failed")
        assert store.load(5).conversation.state == "b"
    assert store.load(5).conversation.state == "b"
    store.save(5, Conversation(state="b"), locale="id", milestone="welcome", first_name="Bu Siti")
    assert store.load(5).first_name == "Bu Siti"
    store.set_active(5, False)
    assert store.load(5).active is False
    store.erase_resident(5)
    assert store.load(5) is None
    store.close()


@pytest.mark.parametrize("cutoff", [0.5, 1.5, 37.5, 99.5, 150.0])
def test_purge_by_bisection_removes_exactly_the_old_lines(tmp_path: Path, cutoff: float) -> None:
    now = [0.0]
    store = Store(str(tmp_path / "t.db"), clock=lambda: now[0])
    for t in range(1, 101):
        now[0] = float(t)
        store.add_transcript(7, "in", "text", f"baris {t}")
    assert store.purge_transcripts(cutoff) == sum(1 for t in range(1, 101) if t < cutoff)
    assert [line["at"] for line in store.transcript(7, limit=200)] == [float(t) for t in range(1, 101) if t >= cutoff]


def test_purge_never_removes_a_young_line_written_out_of_order(tmp_path: Path) -> None:
    now = [0.0]
    store = Store(str(tmp_path / "t.db"), clock=lambda: now[0])
    for t in (1, 2, 50, 3, 4, 60, 5):  # the clock stepped back twice
        now[0] = float(t)
        store.add_transcript(7, "in", "text", f"baris {t}")
    removed = store.purge_transcripts(10.0)
    left = [line["at"] for line in store.transcript(7)]
    assert 50.0 in left and 60.0 in left  # young lines stay, wherever they are
    assert removed == 7 - len(left) and removed >= 2  # old lines before the first young one go now
    # Old lines behind a young one wait until it is old too; then everything old goes.
    store.purge_transcripts(100.0)
    assert store.transcript(7) == []


def test_the_delivery_is_never_offered_an_item_it_already_settled_even_inside_a_transaction(tmp_path: Path) -> None:
    # A sender asks next_for() again right after each verdict, possibly while the adapter's
    # transaction of this turn is open: it must get the next item, not the same one again
    # (which would send a relay twice, or spin without ever yielding to the event loop).
    store = Store(str(tmp_path / "t.db"))
    with store.transaction():
        first = store.enqueue(5, {"kind": "message", "text": "satu"})
        second = store.enqueue(5, {"kind": "message", "text": "dua"})
        third = store.enqueue(5, {"kind": "message", "text": "tiga"})
        store.enqueue(6, {"kind": "message", "text": "lain"})
    with store.transaction():
        store.mark_sent(first)
        assert store.next_for(5).id == second
        store.mark_failed(second, "Bad Request: message is too long")
        assert store.next_for(5).id == third
        store.drop_pending_for(5, "blocked")
        assert store.next_for(5) is None and store.next_for(6) is not None
    assert [i.payload["text"] for i in store.pending()] == ["lain"]


def test_a_desk_from_before_kecamatan_groups_keeps_its_topics_and_tickets(tmp_path: Path) -> None:
    """Migration 6 re-keys topics by (group, thread): rows from a version-4 file are adopted by
    the Disdukcapil group at start, so their topics still lead to their residents."""
    from bot.store.schema import MIGRATIONS as ALL

    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    db.execute("INSERT INTO schema_version VALUES (4)")
    for script in ALL[:4]:
        db.executescript(script)
    db.execute("INSERT INTO topics (chat_id, topic_id, title, closed) VALUES (7, 55, 'Siti · Foto wajah', 0)")
    db.execute("INSERT INTO tickets (chat_id, status, reason, state, milestone, opened_at) "
               "VALUES (7, 'open', 'asked', 'face_take', 'face_check', 1.0)")
    db.commit()
    db.close()
    store = Store(str(path))
    assert store.schema_version == len(ALL)
    store.adopt_topics(-100123)
    assert store.resident_of_topic(55, -100123) == 7 and store.topic_group(7) == -100123
    assert store.active_ticket(7).group_id == -100123 and store.active_ticket(7).resolution is None
    store.close()
