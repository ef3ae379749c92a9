"""The outbox, and on SQLite its one in-memory mirror (the pending items): committed values
only. PostgreSQL's outbox keeps no mirror (several workers write it) and passes the same tests."""

from __future__ import annotations

import time

import pytest

from bot.store import Store
from tests.store.conftest import Opener


def test_the_pending_outbox_shows_committed_items_only_and_survives_reopening(reopen: Opener) -> None:
    store = reopen()
    with pytest.raises(RuntimeError), store.transaction():
        store.outbox.enqueue(5, {"kind": "message", "text": "never sent"})
        assert store.outbox.count_pending() == 0  # not before the commit
        raise RuntimeError("crash in the middle")
    assert store.outbox.count_pending() == 0 and store.outbox.next_for(5) is None
    with store.transaction():
        first = store.outbox.enqueue(5, {"kind": "message", "text": "satu"})
        store.outbox.enqueue(5, {"kind": "message", "text": "dua"})
        store.outbox.enqueue(6, {"kind": "message", "text": "lain"})
    assert store.outbox.take_enqueued_chats() == {5, 6}
    assert store.outbox.next_for(5).id == first and store.outbox.count_pending_for(5) == 2
    store.transaction().__enter__()  # the turn a sender marks "sent" in (bot/telegram/turn.py)
    store.outbox.mark_sent(first)
    assert store.outbox.next_for(5).payload["text"] == "dua"  # no longer offered, at once
    store.close()
    # Killed before that turn committed: the message is still pending (delivery is at least once).
    again = reopen()
    assert [i.payload["text"] for i in again.outbox.pending()] == ["satu", "dua", "lain"]
    with again.transaction():  # the delivery's way: marks kept, written in one statement at commit
        again.outbox.mark_sent_later(again.outbox.next_for(5).id)
        assert again.outbox.next_for(5).payload["text"] == "dua"
        assert again.outbox.write_sent() == 1
    again.close()
    assert [i.payload["text"] for i in reopen().outbox.pending()] == ["dua", "lain"]


def test_a_rolled_back_erasure_leaves_the_items_offered(store: Store) -> None:
    """The mirror's one rule read the other way: what was undone never happened in memory."""
    with store.transaction():
        store.outbox.enqueue(5, {"kind": "message", "text": "halo"})
        store.outbox.enqueue(-100, {"kind": "relay", "resident": 5, "text": "kartu"})
    with pytest.raises(RuntimeError), store.transaction():
        store.outbox.erase(5)
        store.outbox.delete_items_about(-100, 5)
        raise RuntimeError("crash in the middle")
    assert store.outbox.next_for(5) is not None and store.outbox.next_for(-100) is not None
    with store.transaction():
        store.outbox.erase(5)
        store.outbox.delete_items_about(-100, 5)
        if not store.db.shared:
            # The mirror still offers them until the commit. (PostgreSQL's outbox has no mirror:
            # it reads the database, which inside the transaction shows the erasure; nothing
            # reads the outbox inside a transaction to send from it.)
            assert store.outbox.next_for(5) is not None
    assert store.outbox.next_for(5) is None and store.outbox.next_for(-100) is None
    assert store.outbox.count_pending() == 0


def test_the_mirror_matches_the_table_after_every_kind_of_write(reopen: Opener) -> None:
    """What the delivery is offered is what a restart would read from the database."""
    store = reopen()
    with store.transaction():
        ids = [store.outbox.enqueue(chat, {"kind": "message", "text": str(n)})
               for n, chat in enumerate((5, 5, 6, 7, 7))]
    store.outbox.mark_sent(ids[0])
    store.outbox.mark_failed(ids[2], "Bad Request")
    store.outbox.mark_attempt(ids[1])
    store.outbox.drop_pending_for(7, "blocked")
    in_memory = [(i.id, i.chat_id, i.payload) for i in store.outbox.pending()]
    assert in_memory == [(ids[1], 5, {"kind": "message", "text": "1"})]
    assert [(i.id, i.chat_id, i.payload) for i in reopen().outbox.pending()] == in_memory


def test_delivered_messages_are_purged_and_pending_ones_kept(store: Store) -> None:
    with store.transaction():
        sent = store.outbox.enqueue(5, {"kind": "message", "text": "terkirim"})
        store.outbox.enqueue(5, {"kind": "message", "text": "menunggu"})
    store.outbox.mark_sent(sent)
    assert store.purge_handled(store.clock() - 1) == 0  # nothing that old yet
    assert store.purge_handled(store.clock() + 1) == 1
    texts = [r[0] for r in store.db.execute("SELECT payload FROM outbox")]
    assert len(texts) == 1 and "menunggu" in texts[0]
    assert [i.payload["text"] for i in store.outbox.pending()] == ["menunggu"]


def test_the_delivery_is_never_offered_an_item_it_already_settled_even_inside_a_transaction(store: Store) -> None:
    # A sender asks next_for() again right after each verdict, possibly while the adapter's
    # transaction of this turn is open: it must get the next item, not the same one again
    # (which would send a relay twice, or spin without ever yielding to the event loop).
    with store.transaction():
        first = store.outbox.enqueue(5, {"kind": "message", "text": "satu"})
        second = store.outbox.enqueue(5, {"kind": "message", "text": "dua"})
        third = store.outbox.enqueue(5, {"kind": "message", "text": "tiga"})
        store.outbox.enqueue(6, {"kind": "message", "text": "lain"})
    with store.transaction():
        store.outbox.mark_sent(first)
        assert store.outbox.next_for(5).id == second
        store.outbox.mark_failed(second, "Bad Request: message is too long")
        assert store.outbox.next_for(5).id == third
        store.outbox.drop_pending_for(5, "blocked")
        assert store.outbox.next_for(5) is None and store.outbox.next_for(6) is not None
    assert [i.payload["text"] for i in store.outbox.pending()] == ["lain"]


def test_one_worker_at_a_time_sends_a_chat_and_a_dead_one_lets_go(reopen: Opener, url: str) -> None:
    """A chat's items are sent by the worker holding its lease (in order, one topic per
    resident); another worker is refused it without waiting, and gets it once the holder lets go
    or dies. (SQLite: the bot's one process always has it.)"""
    first, second = reopen(), reopen()
    with first.transaction():
        first.outbox.enqueue(5, {"kind": "message", "text": "satu"})
    assert first.outbox.lease(5)
    shared = url.startswith("postgresql")
    assert second.outbox.lease(5) is not shared and second.outbox.lease(6)  # another chat is free
    first.outbox.release(5)
    if shared:
        assert second.outbox.next_for(5).payload["text"] == "satu"  # no mirror: every worker sees the rows
        assert second.outbox.lease(5)
        second.close()  # killed: its connection, and the lease with it, are gone
        # (the server lets go once it has seen the connection end: a moment later)
        assert any(first.outbox.lease(5) or time.sleep(0.05) for _ in range(100))


def test_queued_relays_merge_past_other_residents_but_not_past_the_residents_other_items(reopen: Opener) -> None:
    store = reopen()
    group, siti, budi = -100, 1, 2
    with store.transaction():
        first = store.outbox.enqueue(group, {"kind": "desk_text", "resident": siti, "text": "a1"})
        store.outbox.enqueue(group, {"kind": "desk_text", "resident": budi, "text": "b1"})
        store.outbox.enqueue(group, {"kind": "desk_text", "resident": siti, "text": "a2"})
        store.outbox.enqueue(group, {"kind": "desk_close", "resident": siti, "text": "closed"})
        store.outbox.enqueue(group, {"kind": "desk_text", "resident": siti, "text": "a3"})
    merged = store.outbox.pending_of_kind(group, "desk_text", siti, first)
    assert [i.payload["text"] for i in merged] == ["a2"]  # b1 is skipped; the close keeps a3 after it
    store.close()


def test_queued_relays_follow_a_moved_ticket_in_order(reopen: Opener) -> None:
    store = reopen()
    old, new, siti = -100, -200, 1
    with store.transaction():
        store.outbox.enqueue(old, {"kind": "desk_text", "resident": siti, "text": "a1"})
        store.outbox.enqueue(old, {"kind": "desk_reply", "text": "for the operator", "thread_id": 5})
        store.outbox.enqueue(old, {"kind": "desk_media", "resident": siti, "message_id": 9})
        store.outbox.enqueue(new, {"kind": "desk_open", "resident": siti, "card": "card"})
        assert store.outbox.move_items_about(old, new, siti, ("desk_text", "desk_media")) == 2
    assert [i.payload["kind"] for i in store.outbox.pending_for(new)] == ["desk_open", "desk_text", "desk_media"]
    assert [i.payload["kind"] for i in store.outbox.pending_for(old)] == ["desk_reply"]
    store.close()
