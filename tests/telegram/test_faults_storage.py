"""A database that refuses writes (a full disk) loses no resident's message: nothing is confirmed
to Telegram until it is stored, and everyone is answered exactly once when there is room again.

The disk is filled for real, as far as SQLite can tell: ``PRAGMA max_page_count`` at the current
size makes every write that needs one more page fail with SQLite's own SQLITE_FULL ("database or
disk is full"), the error a full file system gives; lifting it is the space being freed.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.emulator import Emulator
from bot.telegram.app import RunningBot
from tests.conftest import make_parts
from tests.telegram.test_e2e_journey import say

# A long story, as residents write them: every message needs new pages in the database.
STORY = "saya sudah coba daftar ikd di hp anak saya tapi tidak bisa terus " * 40


def fill_disk(store) -> None:
    store.db._db.execute(f"PRAGMA max_page_count = {store.db._db.execute('PRAGMA page_count').fetchone()[0]:d}")


def free_disk(store) -> None:
    store.db._db.execute("PRAGMA max_page_count = 1073741823")


async def test_messages_written_while_the_disk_is_full_are_answered_once_there_is_room(emu: Emulator,
                                                                                       tmp_path: Path) -> None:
    parts = make_parts(emu, tmp_path / "bot.sqlite3")
    store, turn = parts.adapter.store, parts.adapter.outage
    turn.max_backoff = 0.4
    async with RunningBot(parts) as bot:
        residents = [emu.resident(f"Warga{i}") for i in range(6)]
        for r in residents:
            await say(bot, lambda r=r: r.command("start"))
        fill_disk(store)
        for r in residents:
            r.send(STORY)
        await asyncio.sleep(3.0)
        assert turn.refusals > 0, "the disk was not full"
        assert [len(r.inbox) for r in residents] == [1] * 6  # nobody answered while full
        # ... and nothing was confirmed to Telegram: every message still waits there or in memory.
        waiting = {u["update_id"] for u in emu.pending_updates}
        assert len(waiting) >= 1
        getupdates_while_full = len(emu.calls("getUpdates"))
        await asyncio.sleep(1.0)
        assert len(emu.calls("getUpdates")) - getupdates_while_full < 10  # backing off, not spinning
        free_disk(store)
        assert await bot.settle(20.0)
        await asyncio.sleep(0.5)
        assert await bot.settle(20.0)
    store.close()
    assert [len(r.inbox) for r in residents] == [2] * 6  # each answered, exactly once
    assert not emu.pending_updates


async def test_a_restart_while_the_disk_is_full_loses_nothing(emu: Emulator, tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    parts = make_parts(emu, db)
    parts.adapter.outage.max_backoff = 0.4
    async with RunningBot(parts) as bot:
        residents = [emu.resident(f"Warga{i}") for i in range(4)]
        for r in residents:
            await say(bot, lambda r=r: r.command("start"))
        fill_disk(parts.adapter.store)
        for r in residents:
            r.send(STORY)
        await asyncio.sleep(1.5)
        assert parts.adapter.outage.refusals > 0
        unanswered = [r for r in residents if len(r.inbox) == 1]
        assert unanswered
    parts.adapter.store.close()  # stopped while the disk was full; it restarts with room again
    parts = make_parts(emu, db)
    async with RunningBot(parts) as bot:
        assert await bot.settle(20.0)
    parts.adapter.store.close()
    assert [len(r.inbox) for r in residents] == [2] * 4


async def test_after_sqlite_rolls_a_transaction_back_by_itself_the_store_writes_again(tmp_path: Path) -> None:
    # On a full disk SQLite may roll the whole transaction back on its own (not only the failed
    # statement). The later writes of that unit must fail too (not run on their own, outside any
    # transaction), the unit must end as failed, and the store must be able to write afterwards.
    from bot.store import Store

    store = Store(str(tmp_path / "bot.sqlite3"))
    with pytest.raises(sqlite3.OperationalError), store.transaction():
        store.inbox.keep_update(1, {"update_id": 1})
        # A statement fails and SQLite rolls the whole transaction back with it (it may, on SQLITE_FULL).
        store.db._db.execute("ROLLBACK")
        with pytest.raises(sqlite3.OperationalError):
            store.db.execute("INSERT INTO no_such_table VALUES (1)")
        with pytest.raises(sqlite3.OperationalError):
            store.inbox.claim_update(1)  # later writes of that unit fail too, instead of running on their own
        # nor can a nested unit begin (it would be a transaction of its own)
        with pytest.raises(sqlite3.OperationalError), store.transaction():
            pass
    assert not store.in_transaction
    assert store.inbox.unhandled_updates() == []  # nothing of it was written
    with store.transaction():
        store.inbox.keep_update(1, {"update_id": 1})
    assert store.inbox.unhandled_updates() == [{"update_id": 1}]
    store.close()


async def test_a_held_back_update_telegram_no_longer_has_stops_holding_the_offset(emu: Emulator,
                                                                                  tmp_path: Path) -> None:
    parts = make_parts(emu, tmp_path / "bot.sqlite3")
    turn = parts.adapter.outage
    async with RunningBot(parts) as bot:
        siti = emu.resident("Siti")
        await say(bot, lambda: siti.command("start"))
        turn.unstored.add(1)  # held back, but Telegram dropped it already (kept 24 h at most)
        await say(bot, lambda: siti.send("halo"))
        await asyncio.sleep(0.5)
        calls = len(emu.calls("getUpdates"))
        await asyncio.sleep(1.0)
        calls = len(emu.calls("getUpdates")) - calls
    parts.adapter.store.close()
    assert not turn.unstored and len(siti.inbox) == 2
    assert calls < 10  # long polling as usual, not the same batch again and again
