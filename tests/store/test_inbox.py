"""The inbox: updates kept before they are confirmed, each claimed once, its text then erased."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.store import Store


def test_an_update_is_claimed_once_and_its_stored_text_erased(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "t.db"))
    store.inbox.keep_update(10, {"update_id": 10, "message": {"text": "sdh pak"}})
    assert [u["update_id"] for u in store.inbox.unhandled_updates()] == [10]
    assert store.inbox.claim_update(10) is True
    assert store.inbox.claim_update(10) is False  # a redelivery after a crash
    assert store.inbox.unhandled_updates() == []
    store.inbox.keep_update(10, {"update_id": 10, "message": {"text": "sdh pak"}})  # replayed: stays handled
    assert store.inbox.unhandled_updates() == [] and store.inbox.claim_update(10) is False
    assert store.inbox.claim_update(11) is True and store.inbox.claim_update(11) is False  # never stored, still once
    raw = sqlite3.connect(str(tmp_path / "t.db")).execute("SELECT group_concat(data, '') FROM inbox").fetchone()[0]
    assert "sdh pak" not in (raw or "")
    assert store.purge_handled(store.clock() + 1) == 2


def test_the_text_of_a_claimed_update_is_gone(store: Store) -> None:
    store.inbox.keep_update(10, {"update_id": 10, "message": {"text": "sdh pak"}})
    store.inbox.claim_update(10)
    assert store.db.execute("SELECT data FROM inbox").fetchall() == [("",)]


def test_a_claim_rolls_back_with_its_step(store: Store) -> None:
    store.inbox.keep_update(10, {"update_id": 10})
    with pytest.raises(RuntimeError), store.transaction():
        assert store.inbox.claim_update(10)
        raise RuntimeError("crash in the middle")
    assert [u["update_id"] for u in store.inbox.unhandled_updates()] == [10]


def test_an_input_handled_before_the_inbox_existed_is_not_claimed_again(store: Store) -> None:
    store.inbox.mark_processed("telegram", "12")
    store.inbox.mark_processed("telegram", "12")  # twice is once
    assert store.inbox.already_processed("telegram", "12")
    assert store.inbox.claim_update(12) is False


def test_an_unreadable_update_is_quarantined_once(store: Store) -> None:
    assert store.inbox.quarantine(20, "{'message': '***'}", "unreadable") is True
    assert store.inbox.quarantine(20, "{'message': '***'}", "unreadable") is False
    assert store.inbox.quarantined() == [(20, "{'message': '***'}", "unreadable")]
    assert store.purge_handled(store.clock() + 1) == 1 and store.inbox.quarantined() == []
