"""``teman-ikd migrate-db --to postgresql://…``: a city's SQLite database moves whole, once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.engine import Conversation
from bot.store import Store
from bot.store.copy import TABLES


def test_every_table_of_the_schema_is_copied(tmp_path: Path) -> None:
    """A table added by a migration and forgotten here would be left behind by migrate-db
    (home_visits was)."""
    store = Store(str(tmp_path / "schema.sqlite3"))
    try:
        tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        store.close()
    assert tables - {"schema_version"} == {table for table, _ in TABLES}


def test_a_sqlite_database_moves_to_postgresql_whole(tmp_path: Path, postgres_url: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = str(tmp_path / "kota.sqlite3")
    old = Store(path)
    with old.transaction():
        old.residents.save(7, Conversation(state="face_take"), locale="id", milestone="face_check", first_name="Siti")
        old.transcripts.add(7, "in", "text", "sdh pak")
        old.inbox.keep_update(100, {"update_id": 100})
        ticket = old.tickets.open(7, reason="asked", state="face_take", milestone="face_check", attempts=1)
        old.tickets.save_topic(7, 55, "Siti · Foto wajah", group_id=-1)
        old.journey.reach_milestone(7, "face_check", "Serang", None, first=True)
        waiting = old.outbox.enqueue(7, {"kind": "message", "text": "menunggu"})
        old.visits.add(ticket, 7, "Serang", "Cipare", "Jl. Mawar 3")
    old.close()

    assert main(["migrate-db", "--db", path, "--to", postgres_url]) == 0
    assert "copied" in capsys.readouterr().out
    new = Store(postgres_url)
    try:
        stored = new.residents.load(7)
        assert stored.conversation.state == "face_take" and stored.first_name == "Siti"
        assert [line["text"] for line in new.transcripts.of(7)] == ["sdh pak"]
        assert [u["update_id"] for u in new.inbox.unhandled_updates()] == [100]
        assert new.tickets.active_for(7).id == ticket and new.tickets.resident_of_topic(55, -1) == 7
        assert not new.journey.reach_milestone(7, "face_check", "Serang", None)  # the salt came along
        assert [(i.id, i.payload["text"]) for i in new.outbox.pending()] == [(waiting, "menunggu")]
        assert new.visits.of_ticket(ticket).address == "Jl. Mawar 3"
        with new.transaction():
            assert new.outbox.enqueue(7, {"kind": "message", "text": "baru"}) > waiting  # ids go on
            assert new.tickets.open(8, reason="asked", state="x", milestone="welcome", attempts=0) > ticket
    finally:
        new.close()
    # A second run would merge two databases: refused, and the target is left as it was.
    assert main(["migrate-db", "--db", path, "--to", postgres_url]) == 2
    assert "already holds rows" in capsys.readouterr().err
