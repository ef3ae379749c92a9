"""An outbox row the bot cannot read (an unknown kind: written by a newer version, or broken) is
set aside as failed with the reason; the chat's later messages still go and the loop runs on."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from bot import outbox
from bot.emulator import Emulator
from bot.telegram.app import RunningBot
from tests.conftest import make_parts


async def test_an_unknown_kind_is_set_aside_and_later_messages_go(
        emu: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "bot.sqlite3"
    parts = make_parts(emu, db)
    siti = emu.resident("Siti")
    store = parts.adapter.store
    with store.transaction():
        store.enqueue(siti.chat_id, {"kind": "desk_sticker", "text": "?"})
        outbox.put(store, siti.chat_id, outbox.Text("masih sampai"))
    with caplog.at_level(logging.ERROR):
        async with RunningBot(parts) as bot:
            assert await bot.settle(10.0)
    store.close()
    assert [m["text"] for m in siti.inbox] == ["masih sampai"]
    assert any("unknown outbox item kind 'desk_sticker'" in r.getMessage() for r in caplog.records)
    with sqlite3.connect(db) as con:
        failed = con.execute("SELECT failed FROM outbox WHERE failed IS NOT NULL").fetchall()
    assert failed == [("unreadable: unknown outbox item kind 'desk_sticker'",)]
