"""The desk's records: tickets, forum topics, the audit trail."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.store import Store


def test_a_ticket_from_open_to_rated(store: Store) -> None:
    ticket = store.tickets.open(7, reason="asked", state="face_take", milestone="face_check", attempts=2, group_id=-1)
    assert store.tickets.active_for(7).id == ticket and [t.id for t in store.tickets.active(-1)] == [ticket]
    store.tickets.take(ticket, 42, "Rina")
    store.tickets.replied(ticket)
    assert store.tickets.get(ticket).status == "taken" and store.tickets.get(ticket).operator_name == "Rina"
    assert store.tickets.rate(ticket, 7, 1) is False  # not finished yet
    store.tickets.close(ticket, "finished")
    store.tickets.set_resolution(ticket, "solved")
    assert store.tickets.active_for(7) is None and store.tickets.active() == []
    assert store.tickets.rate(ticket, 8, 1) is False  # not theirs
    assert store.tickets.rate(ticket, 7, 1) is True and store.tickets.rate(ticket, 7, -1) is False  # once
    done = store.tickets.get(ticket)
    assert (done.outcome, done.resolution, done.rating) == ("finished", "solved", 1)
    assert [t.id for t in store.tickets.of(7)] == [ticket] and [t.id for t in store.tickets.since(0.0, -1)] == [ticket]
    store.tickets.audit(ticket, "take", actor_id=42, actor_name="Rina")
    assert store.tickets.audit_trail(ticket) == [("take", 42, "Rina")]


def test_one_topic_per_resident(store: Store) -> None:
    store.tickets.save_topic(7, 55, "Siti · Foto wajah", group_id=-1)
    store.tickets.save_topic(7, 56, "Siti · Foto wajah", group_id=-1)  # a new topic replaces the old
    assert store.tickets.topic_for(7) == (56, "Siti · Foto wajah", False)
    assert store.tickets.resident_of_topic(56, -1) == 7 and store.tickets.resident_of_topic(55) is None
    store.tickets.set_topic_closed(7, True)
    assert store.tickets.topic_for(7)[2] is True
    store.tickets.forget_topic(7)
    assert store.tickets.topic_for(7) is None and store.tickets.topic_group(7) is None


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
    store.tickets.adopt_topics(-100123)
    assert store.tickets.resident_of_topic(55, -100123) == 7 and store.tickets.topic_group(7) == -100123
    assert store.tickets.active_for(7).group_id == -100123 and store.tickets.active_for(7).resolution is None
    store.close()
