"""One unit of work per input: ``store.transaction()`` is all-or-nothing at every depth.

The outermost transaction commits; one opened inside another is a savepoint, so a failure undoes
exactly what it wrapped. Each update is committed on its own before Telegram is told it arrived,
and each handled update (its claim, the guide's step, the outbox items) is one transaction whose
replies reach the delivery only once committed.
"""

from __future__ import annotations

import asyncio
import sqlite3
from functools import partial
from pathlib import Path

import pytest
from telegram import Update

from bot.emulator import Emulator
from bot.engine import Conversation
from bot.store import Store
from bot.telegram.app import RunningBot
from bot.telegram.inbox import InboxRequest
from bot.telegram.maintenance import Retention
from tests.conftest import make_parts
from tests.telegram.test_e2e_journey import say


def _committed(db: Path, sql: str) -> list[tuple]:
    # Another connection sees only what is committed: what a crash would leave.
    with sqlite3.connect(db) as con:
        return con.execute(sql).fetchall()


def test_a_nested_failure_after_a_write_leaves_nothing(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "t.db"))
    commits: list[int] = []
    store.on_commit = lambda: commits.append(store.outbox.count_pending())
    with store.transaction():
        store.residents.save(1, Conversation(state="a"), locale="id", milestone="welcome")
        with pytest.raises(RuntimeError), store.transaction():
            store.residents.save(2, Conversation(state="b"), locale="id", milestone="welcome")
            store.outbox.enqueue(2, {"kind": "message", "text": "untuk dua"})
            with store.transaction():  # deeper still: undone with the unit around it
                store.outbox.enqueue(2, {"kind": "message", "text": "lagi untuk dua"})
            raise RuntimeError("a bug after the writes")
        store.outbox.enqueue(1, {"kind": "message", "text": "untuk satu"})
    assert store.residents.load(1) is not None and store.residents.load(2) is None
    assert [i.payload["text"] for i in store.outbox.pending()] == ["untuk satu"]  # the delivery sees only that
    assert commits == [1]  # the delivery was told once, after the commit, with the one reply visible
    assert _committed(tmp_path / "t.db", "SELECT chat_id FROM conversations") == [(1,)]
    store.close()


def test_an_outer_failure_undoes_the_inner_savepoints(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "t.db"))
    woken: list[bool] = []
    store.on_commit = lambda: woken.append(True)
    with pytest.raises(RuntimeError), store.transaction():
        with store.transaction():  # ended well: released into the outer transaction
            store.residents.save(1, Conversation(state="a"), locale="id", milestone="welcome")
            store.outbox.enqueue(1, {"kind": "message", "text": "halo"})
        assert store.residents.load(1) is not None  # the transaction sees its own writes
        raise RuntimeError("the outer unit fails")
    assert store.residents.load(1) is None and store.outbox.pending() == [] and store.outbox.count_pending_for(1) == 0
    assert woken == [] and not store.in_transaction
    assert _committed(tmp_path / "t.db", "SELECT COUNT(*) FROM outbox") == [(0,)]
    store.close()


def test_the_retention_purge_is_one_unit(tmp_path: Path, monkeypatch) -> None:
    store = Store(str(tmp_path / "t.db"), clock=lambda: 1_000.0)
    store.transcripts.add(1, "in", "text", "halo")  # old enough to be purged
    assert _committed(tmp_path / "t.db", "SELECT COUNT(*) FROM transcript") == [(1,)]

    def refused(older_than: float) -> int:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "purge_handled", refused)
    with pytest.raises(sqlite3.OperationalError):
        Retention(store, days=0, clock=lambda: 10_000_000.0).purge_once()
    # The transcript line it had deleted is back: the purge happened whole or not at all.
    assert _committed(tmp_path / "t.db", "SELECT COUNT(*) FROM transcript") == [(1,)]
    assert not store.in_transaction
    monkeypatch.undo()
    assert Retention(store, days=0, clock=lambda: 10_000_000.0).purge_once() == 1
    store.close()


async def test_one_failing_update_in_a_burst_undoes_only_its_own_step(emu: Emulator, tmp_path: Path) -> None:
    residents = [emu.resident(f"Warga{i}") for i in range(6)]
    unlucky = residents[3]
    for resident in residents:
        resident.command("start")  # all waiting before the bot starts: they come in one batch
    parts = make_parts(emu, tmp_path / "bot.sqlite3")
    guide = parts.adapter.guide
    handle = guide.handle

    def failing_for_one(chat_id, inp, **kwargs):
        reply = handle(chat_id, inp, **kwargs)  # its writes happen, then the step fails
        if chat_id == unlucky.chat_id:
            raise RuntimeError("a bug in one resident's step")
        return reply

    guide.handle = failing_for_one
    async with RunningBot(parts) as bot:
        assert await bot.settle(15.0)
    apology = guide.renderers["id"].t.text("tg.error")
    for resident in residents:
        texts = [m["text"] for m in resident.inbox]
        if resident is unlucky:
            # The failed step left nothing behind: no welcome, no saved conversation; an apology.
            assert texts == [apology]
            assert parts.adapter.store.residents.load(resident.chat_id) is None
        else:
            assert len(texts) == 1 and "Teman IKD" in texts[0]
            assert parts.adapter.store.residents.load(resident.chat_id) is not None
    assert parts.adapter.store.inbox.unhandled_updates() == []  # every update claimed, the failed one too
    parts.adapter.store.close()


async def test_an_update_is_committed_before_telegram_is_told_it_arrived(emu: Emulator, tmp_path: Path,
                                                                         monkeypatch) -> None:
    db = tmp_path / "bot.sqlite3"
    parts = make_parts(emu, db)
    offsets: list[tuple[int, list[int]]] = []
    do_request = InboxRequest.do_request

    async def watching(self, url, method, request_data=None, *args, **kwargs):
        # The moment a getUpdates leaves with its offset: every update before it must be stored.
        offset = (request_data.parameters if request_data else {}).get("offset") or 0
        offsets.append((offset, [r[0] for r in _committed(db, "SELECT update_id FROM inbox")]))
        return await do_request(self, url, method, request_data, *args, **kwargs)

    monkeypatch.setattr(InboxRequest, "do_request", watching)
    residents = [emu.resident(f"Warga{i}") for i in range(4)]
    async with RunningBot(parts) as bot:
        for r in residents:
            await say(bot, partial(r.command, "start"))
        for r in residents:
            r.send("halo")  # a burst: several updates in one getUpdates answer
        assert await bot.settle(15.0)
    parts.adapter.store.close()
    every = [r[0] for r in _committed(db, "SELECT update_id FROM inbox")]
    assert len(every) == 2 * len(residents)
    confirming = [(offset, set(stored)) for offset, stored in offsets if offset]
    assert confirming, "the bot never confirmed an update"
    for offset, stored in confirming:
        assert {u for u in every if u < offset} <= stored
    assert max(offset for offset, _ in confirming) > max(every)  # all of them were confirmed in the end


async def test_a_kill_between_store_and_confirm_loses_nothing(emu: Emulator, tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    siti = emu.resident("Siti")
    siti.command("start")
    parts = make_parts(emu, db)
    await parts.application.initialize()
    update = Update.de_json(emu.world.updates[-1], parts.application.bot)
    await parts.queue.put(update)  # stored; the process dies before confirming or handling it
    assert [r[0] for r in _committed(db, "SELECT update_id FROM inbox WHERE handled_at IS NULL")] == [update.update_id]
    await parts.application.shutdown()
    parts.adapter.store.close()
    # The next start handles it from the database; Telegram, never told, hands it over again too.
    parts = make_parts(emu, db)
    async with RunningBot(parts) as bot:
        assert await bot.settle(15.0)
        await asyncio.sleep(0.3)
        assert await bot.settle(15.0)
    parts.adapter.store.close()
    assert len(siti.inbox) == 1 and "Teman IKD" in siti.inbox[0]["text"]  # answered once, not twice
    assert _committed(db, "SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL") == [(0,)]
    assert not emu.pending_updates


async def test_a_sent_mark_the_database_refused_is_written_later_and_not_sent_again(tmp_path: Path,
                                                                                   monkeypatch) -> None:
    from bot.telegram.delivery import Delivery

    db = tmp_path / "t.db"
    store = Store(str(db))
    with store.transaction():
        store.outbox.enqueue(42, {"kind": "message", "text": "halo", "rows": []})
    sent: list[str] = []

    class Bot:
        async def send_message(self, chat_id, text, **kwargs):
            sent.append(text)

    write_sent = store.outbox.write_sent
    refusals = [sqlite3.OperationalError("database or disk is full")]

    def refusing_once(marks=None):
        if refusals:
            raise refusals.pop()
        return write_sent(marks)

    monkeypatch.setattr(store.outbox, "write_sent", refusing_once)
    delivery = Delivery(Bot(), store, pacing=0.0, chat_interval=0.0, idle_poll=0.05)
    await delivery.start()
    for _ in range(100):
        if sent and not refusals and _committed(db, "SELECT sent_at IS NOT NULL FROM outbox") == [(1,)]:
            break
        await asyncio.sleep(0.02)
    await delivery.stop()
    assert sent == ["halo"] and not refusals  # sent once, its mark refused once ...
    assert _committed(db, "SELECT sent_at IS NOT NULL FROM outbox") == [(1,)]  # ... and written after
    store.close()
    again = Store(str(db))  # a restart offers nothing again
    assert again.outbox.pending() == []
    again.close()
