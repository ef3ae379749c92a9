"""Residents: conversations, profile, reminders, blocked or not; and erasing a resident."""

from __future__ import annotations

import pytest

from bot.engine import Conversation
from bot.store import Store
from tests.store.conftest import Opener


def test_conversation_survives_reopening(reopen: Opener) -> None:
    store = reopen()
    conv = Conversation(state="face_take", history=("a", "b")).with_facts({"role": "helper"})
    with store.transaction():
        store.residents.save(7, conv, locale="id", milestone="face_check")
    store.close()
    again = reopen().residents.load(7)
    assert again is not None and again.conversation == conv and again.locale == "id"


def test_a_blocked_resident_is_remembered_across_reopening_until_they_write_again(reopen: Opener) -> None:
    store = reopen()
    with store.transaction():
        store.residents.save(5, Conversation(state="x"), locale="id", milestone="welcome")
        store.outbox.enqueue(5, {"kind": "message", "text": "halo"})
    store.set_active(5, False)
    assert not store.residents.is_active(5)
    assert store.residents.is_active(99)  # an unknown chat is not blocked
    assert [r.kind for r in store.journey.rows()] == ["stopped"]  # counted once in the funnel
    store.set_active(5, False)
    assert [r.kind for r in store.journey.rows()] == ["stopped"]
    store.close()
    again = reopen()
    assert not again.residents.is_active(5)
    with again.transaction():
        again.residents.save(5, Conversation(state="x"), locale="id", milestone="welcome")  # they wrote again
    assert again.residents.is_active(5)


def test_conversations_read_back_as_last_committed(store: Store) -> None:
    with store.transaction():
        store.residents.save(5, Conversation(state="a"), locale="id", milestone="welcome", first_name="Siti")
    assert store.residents.load(5).conversation.state == "a" and store.residents.load(5).first_name == "Siti"
    with store.transaction():  # read, then written in the same transaction
        assert store.residents.load(5).conversation.state == "a"
        store.residents.save(5, Conversation(state="b"), locale="id", milestone="welcome")
        assert store.residents.load(5).conversation.state == "b"  # the transaction sees its own write
    assert store.residents.load(5).conversation.state == "b" and store.residents.load(5).first_name == "Siti"
    with pytest.raises(RuntimeError), store.transaction():
        store.residents.save(5, Conversation(state="c"), locale="en", milestone="welcome")
        raise RuntimeError("crash in the middle")
    assert store.residents.load(5).conversation.state == "b" and store.residents.load(5).locale == "id"
    with store.transaction():
        with pytest.raises(RuntimeError), store.transaction():
            store.residents.save(5, Conversation(state="d"), locale="id", milestone="welcome")
            raise RuntimeError("one step failed")
        assert store.residents.load(5).conversation.state == "b"
    assert store.residents.load(5).conversation.state == "b"
    store.residents.save(5, Conversation(state="b"), locale="id", milestone="welcome", first_name="Bu Siti")
    assert store.residents.load(5).first_name == "Bu Siti"
    store.set_active(5, False)
    assert store.residents.load(5).active is False
    store.erase_resident(5)
    assert store.residents.load(5) is None


def test_a_reminder_is_kept_until_changed_and_due_only_for_active_residents(store: Store) -> None:
    store.residents.save(5, Conversation(state="x"), locale="id", milestone="welcome", remind_at=100.0)
    store.residents.save(6, Conversation(state="x"), locale="id", milestone="welcome", remind_at=100.0)
    store.residents.save(5, Conversation(state="y"), locale="id", milestone="welcome")  # KEEP
    assert sorted(store.residents.due_reminders(now=100.0)) == [5, 6]
    assert store.residents.due_reminders(now=99.0) == []
    store.set_active(6, False)
    store.residents.save(5, Conversation(state="y"), locale="id", milestone="welcome", remind_at=None)
    assert store.residents.due_reminders(now=100.0) == []


def test_the_latest_photo_and_the_first_name(store: Store) -> None:
    store.residents.save(5, Conversation(state="x"), locale="id", milestone="welcome", first_name="S" * 80)
    assert store.residents.first_name(5) == "S" * 64 and store.residents.first_name(6) is None
    store.residents.set_last_media(5, 31, "photo", "foto KTP")
    assert store.residents.last_media(5)["message_id"] == 31 and store.residents.last_media(5)["caption"] == "foto KTP"
    store.residents.set_last_media(5, None, None)
    assert store.residents.last_media(5) is None


def test_outbox_and_erasure(store: Store) -> None:
    with store.transaction():
        store.residents.save(5, Conversation(state="x"), locale="id", milestone="welcome")
        first = store.outbox.enqueue(5, {"kind": "message", "text": "halo"})
        store.outbox.enqueue(6, {"kind": "message", "text": "lain"})
        store.transcripts.add(5, "in", "text", "sdh")
        store.transcripts.record_event(5, "ticket_opened")
        ticket = store.tickets.open(5, reason="asked", state="x", milestone="welcome", attempts=0)
        store.journey.reach_milestone(5, "welcome", None, None, first=True)
    assert [i.payload["text"] for i in store.outbox.pending()] == ["halo", "lain"]
    store.outbox.mark_sent(first)
    assert [i.chat_id for i in store.outbox.pending()] == [6]
    counts = store.erase_resident(5)
    assert counts == {"conversations": 1, "transcript": 1, "events": 1, "tickets": 1, "topics": 0, "home_visits": 0}
    assert store.residents.load(5) is None and store.transcripts.of(5) == []
    assert store.tickets.get(ticket) is None and not store.journey.has(5, "milestone")
    assert store.residents.count() == 0
